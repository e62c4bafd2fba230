"""The sentences of a contract that state a value of a single-valued field, by that field's own cues.

One value of a field (governing law, effective date, initial term, renewal term, renewal notice, liability cap)
may be checked against every other sentence that states that field: :func:`field_statements` finds them, each with
the values it states. A sentence states a field when it has the field's cues, the same the relevance rules and
the field readers use, and a value of the field's kind:

- governing law: a governing-law sentence (:data:`rules.text.law.STATES_GOVERNING_LAW`: "governed by" or the
  "Governing Law" heading, and "laws of") and the places named after "laws of" (:func:`jurisdiction_of`); a
  forum ("courts of") is not a governing law;
- effective date: a clause in which this agreement takes effect on a date (:func:`rules.text.effect_clauses`
  of kind "effective" whose value is a date: "This Agreement shall become effective on July 1, 2004", "The term
  of this Agreement shall commence on ..."), or a date defined as the "Effective Date" ('as of March 1, 2024
  (the "Effective Date")', '"Effective Date" means June 1, 2021');
- initial term: a term clause, the agreement or its term as the subject that opens a clause
  (:func:`rules.text.clause_subjects`) and a verb of lasting or ending ("shall continue", "shall remain in
  effect", "expires", "shall be for"), with a duration; a clause of renewal or of what happens after the term
  ("thereafter", "survive", "following termination") is none;
- renewal term: a sentence in which this agreement or its term renews or is extended ("shall automatically
  renew", "shall be extended for successive ..."), with a duration;
- renewal notice: such a sentence that also speaks of a notice of non-renewal ("written notice", "notice of
  non-renewal"), with a duration, and no cue of another clause (termination for convenience or breach);
- liability cap: a sentence that limits liability ("liab..." and "exceed", "in no event", "limited to",
  "aggregate", "maximum", "cap") with an amount of money (:data:`rules.text.amounts.MONEY`).

The values are every value of the field's kind the sentence writes: a renewal clause that gives the renewal
term and the notice ("successive one (1) year terms unless either party gives sixty (60) days' notice") holds
both durations, so a field agrees with a sentence when its value is one of them (:func:`agrees`).

Sources: the cue catalogue of :mod:`rules.cues` (relevance rules R001/R002), :mod:`rules.text.law`,
:mod:`rules.text.effect`; wording checked against the 174 CUAD contracts in ../shared/corpus/cuad
(benchmarks/bench_conflicts.py prints every sentence that disagrees with a value).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rules.text.amounts import MONEY, amount_in_text
from rules.text.dates import DateOrder, find_dates
from rules.text.durations import find_durations
from rules.text.effect import clause_subjects, effect_clauses, start_kind
from rules.text.jurisdictions import Jurisdiction, jurisdiction_of
from rules.text.law import LAWS_OF, POLITIES, STATES_GOVERNING_LAW, phrase
from rules.text.sentences import Sentence, split_sentences
from schemas import Duration

#: The fields :func:`field_statements` reads.
STATED_FIELDS = ("governing_law", "effective_date", "initial_term", "renewal_term", "renewal_notice", "liability_cap")

_LAW = [re.compile(p, re.I) for p in STATES_GOVERNING_LAW]
#: "laws of", an optional "the" and "State of", and the place (as :data:`rules.text.law.LAW_PLACE`, "laws of" only).
_LAWS_OF_PLACE = re.compile(rf"(?:{phrase(LAWS_OF)})\s+(?:the\s+)?(?:(?:{phrase(POLITIES)})\s+of\s+)?"
                            r"(?P<place>[A-Za-z .,&]{2,60})", re.I)
#: A place described, not named: "the laws of a state other than North Dakota", "the laws of any jurisdiction".
_UNNAMED_PLACE = re.compile(r"(?:a|an|any|another|other|such|each|its|their|his|her|that|which|the\s+(?:state|jurisdiction|"
                            r"country|place)\s+(?:in|where|of)\b)\b|[^,]*\bother\s+than\b", re.I)
_DEFINED_EFFECTIVE = re.compile(r"\(\s*(?:the\s+|hereinafter\s+(?:the\s+)?)?[\"“]effective\s+date[\"”]\s*\)", re.I)
_EFFECTIVE_MEANS = re.compile(r"[\"“]effective\s+date[\"”]\s*(?:shall\s+mean|means|:|is|shall\s+be)\s*", re.I)
_TERM_VERB = re.compile(
    r"\b(?:shall|will|is\s+to|to)?\s*(?:continue|remain\s+in\s+(?:full\s+)?(?:force|effect)|run|expire|be\s+for|"
    r"have\s+a\s+term|be\s+in\s+(?:full\s+)?(?:force|effect))\b|\b(?:expires|continues|remains|runs)\b"
    r"|\bterm\s+of\s+(?:this\s+agreement\s+)?(?:shall|will)\s+be\b|\binitial\s+term\s+of\b", re.I)
#: The subject's own verb right after it: "The initial term of this Agreement is three (3) years".
_IS = re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?,?\s*(?:is|shall\s+be|will\s+be)\s+(?:for\s+)?(?:an?\s+(?:initial\s+)?"
                 r"(?:term|period)\s+of\s+)?(?=\d|[a-z-]+\s*\(\d)", re.I)
#: What stands before a length of the term: "for", "a term of", "is", "shall be", "expire" (the readers' cue of length).
_LENGTH_BEFORE = re.compile(r"\b(?:for|term\s+of|period\s+of|is|shall\s+be|will\s+be|be|expires?|ending|ends?|last|run|"
                            r"continue)\s+(?:(?:a|an)\s+(?:initial\s+)?(?:term|period)\s+of\s+)?(?:at\s+least\s+|not\s+less"
                            r"\s+than\s+)?$", re.I)
#: A notice period, not a length: a duration after "at least", "within", "no later than", or before "notice",
#: "prior", "before", "in advance".
_NOTICE_BEFORE = re.compile(r"\b(?:at\s+least|within|no\s+later\s+than|not\s+later\s+than|not\s+less\s+than|no\s+less\s+than|"
                            r"upon|on|with|giving|gives|give|minimum\s+of)\s+(?:an?\s+)?$", re.I)
_NOTICE_AFTER = re.compile(r"^(?:['’]s?|s['’])?\s*(?:\(\s*\)\s*)?(?:prior|advance|written|notice|before|in\s+advance|preceding|"
                           r"ahead)\b", re.I)
#: A renewal for periods of a year ("from year to year", "annual periods"): one year (month, week) each.
_PERIODIC = re.compile(r"\b(?P<unit>year|month|week)[\s-]+to[\s-]+(?P=unit)\b|\b(?P<adj>annual|yearly|monthly)\s+"
                       r"(?:renewal\s+)?(?:periods?|terms?|basis|renewals?)\b", re.I)
_AFTER_TERM = re.compile(r"\bthereafter\b|\bsurviv\w*|\b(?:after|following|upon)\s+(?:the\s+)?(?:expiration|expiry|"
                         r"termination)\b|\brenew\w*|\bextend\w*|\bextension\b", re.I)
_RENEWS = re.compile(r"(?<!non-)(?<!non)\b(?:(?:automatically|thereafter)\s+)?(?:renew(?:s|ed|als?)?|be\s+extended|"
                     r"extend(?:s|ed)?)\b", re.I)
_RENEWAL_SUBJECT = re.compile(r"\b(?:this\s+agreement|the\s+agreement|the\s+(?:initial\s+)?term(?:\s+of\s+this\s+"
                              r"agreement|\s+hereof)?|initial\s+term)\b(?!\s+of\s+(?:the|any|such)\b)", re.I)
_SUCCESSIVE = re.compile(r"\b(?:successive|additional|further|consecutive|subsequent|renewal)\b|\byear[\s-]+to[\s-]+year\b",
                         re.I)
_NOTICE = re.compile(r"\bnotice\b|\bnon-?renewal\b|\bnotif\w*|\bnot\s+to\s+(?:renew|extend)\b", re.I)
_OTHER_NOTICE = re.compile(r"\b(?:convenience|breach\w*|default\w*|insolven\w*|bankrupt\w*|for\s+cause|without\s+cause)\b",
                           re.I)
_LIABILITY = re.compile(r"\bliab\w*", re.I)
_CAP = re.compile(r"\b(?:exceed\w*|in\s+no\s+event|limited\s+to|aggregate|maximum|cap(?:ped)?)\b", re.I)


@dataclass(frozen=True)
class Statement:
    """A sentence that states a field: its offsets in the document text (``start``/``end``), the sentence and the
    values it writes (``jurisdictions``, ``dates``, ``durations``; for the liability cap, ``amounts`` is
    empty and :func:`agrees` reads the sentence)."""

    field: str
    start: int
    end: int
    text: str
    jurisdictions: tuple[Jurisdiction, ...] = ()
    dates: tuple[dt.date, ...] = ()
    durations: tuple[Duration, ...] = ()
    amounts: tuple[str, ...] = field(default=())

    @property
    def values(self) -> list[str]:
        """The values as text, for a message: "New York (US-NY)", "2021-03-01", "60 days", "$1,000,000"."""
        return ([f"{j.name} ({j.code})" for j in self.jurisdictions] + [d.isoformat() for d in self.dates]
                + [str(d) for d in self.durations] + list(self.amounts))


def _law(s: Sentence) -> Statement | None:
    if not all(p.search(s.text) for p in _LAW):
        return None
    places = []
    for m in _LAWS_OF_PLACE.finditer(s.text):
        if _UNNAMED_PLACE.match(m["place"]):
            continue
        j = jurisdiction_of(m["place"])
        if j is not None and j not in places:
            places.append(j)
    return Statement("governing_law", s.start, s.end, s.text, jurisdictions=tuple(places)) if places else None


def _effective(s: Sentence, order: DateOrder | None) -> Statement | None:
    dates: list[dt.date] = []
    for c in effect_clauses(s.text):
        if c.kind == "effective" and not c.dating and start_kind(s.text, c) == "date":
            f = [f for f in find_dates(s.text[c.value_start:c.value_start + 80], order=order) if f.kind == "absolute"]
            if f and f[0].value is not None:
                dates.append(f[0].value)
    for m in _DEFINED_EFFECTIVE.finditer(s.text):
        before = [f for f in find_dates(s.text[max(0, m.start() - 60):m.start()], order=order)
                  if f.kind == "absolute" and f.value is not None]
        if before and not s.text[max(0, m.start() - 60) + before[-1].end:m.start()].strip(" ,\t\n"):
            dates.append(before[-1].value)
    for m in _EFFECTIVE_MEANS.finditer(s.text):
        after = [f for f in find_dates(s.text[m.end():m.end() + 60], order=order) if f.kind == "absolute"]
        if after and after[0].start == 0 and after[0].value is not None:
            dates.append(after[0].value)
    dates = list(dict.fromkeys(dates))
    return Statement("effective_date", s.start, s.end, s.text, dates=tuple(dates)) if dates else None


def _durations(text: str, kind: str, after: int = 0) -> tuple[Duration, ...]:
    """The durations of ``text`` from offset ``after`` of ``kind``: "length" (after a cue of length), "renewal"
    (any but a notice period, and periods of a year "from year to year") or "notice" (a notice period)."""
    out: dict[tuple[float, str], Duration] = {}
    for d in find_durations(text):
        if d.value is None or d.start < after:
            continue
        head, tail = text[max(0, d.start - 40):d.start], text[d.end:d.end + 30]
        notice = bool(_NOTICE_BEFORE.search(head) or _NOTICE_AFTER.match(tail))
        if (kind == "length" and _LENGTH_BEFORE.search(head)) or (kind == "notice" and notice) or (
                kind == "renewal" and not notice):
            out.setdefault(d.value.canonical(), d.value)
    if kind == "renewal":
        for m in _PERIODIC.finditer(text, after):
            unit = (m["unit"] or {"annual": "year", "yearly": "year", "monthly": "month"}[m["adj"].lower()]).lower()
            v = Duration(value=1, unit=unit + "s")
            out.setdefault(v.canonical(), v)
    return tuple(out.values())


def _initial_term(s: Sentence) -> Statement | None:
    if _AFTER_TERM.search(s.text):
        return None
    subjects = clause_subjects(s.text)
    if not any(_IS.match(s.text, m.end()) or _TERM_VERB.search(s.text, m.end(), m.end() + 160) for m in subjects):
        return None
    found = _durations(s.text, "length")
    return Statement("initial_term", s.start, s.end, s.text, durations=found) if found else None


def _renewal(s: Sentence, notice: bool) -> Statement | None:
    r = _RENEWS.search(s.text)
    if r is None or not _RENEWAL_SUBJECT.search(s.text, 0, r.start()) or not _SUCCESSIVE.search(s.text):
        return None
    if notice and (not _NOTICE.search(s.text) or _OTHER_NOTICE.search(s.text)):
        return None
    found = _durations(s.text, "notice" if notice else "renewal", 0 if notice else r.end())
    name = "renewal_notice" if notice else "renewal_term"
    return Statement(name, s.start, s.end, s.text, durations=found) if found else None


def _cap(s: Sentence) -> Statement | None:
    if not (_LIABILITY.search(s.text) and _CAP.search(s.text)):
        return None
    amounts = tuple(m.group(0).rstrip(".,") for m in MONEY.finditer(s.text))
    return Statement("liability_cap", s.start, s.end, s.text, amounts=amounts) if amounts else None


def field_statements(text: str, field_name: str, order: DateOrder | None = None,
               sentences: list[Sentence] | None = None) -> list[Statement]:
    """Every sentence of ``text`` (a document's stored text; offsets refer to it) that states ``field_name``
    (one of :data:`STATED_FIELDS`) by its cues, with the values it writes (see the module docstring), in order.
    ``order``: the document's day/month order for numeric dates; ``sentences``: ``text`` already split
    (:func:`rules.text.split_sentences`). Raises ``ValueError`` for another field name."""
    if field_name not in STATED_FIELDS:
        raise ValueError(f"no statement grammar for field {field_name!r}; known: {', '.join(STATED_FIELDS)}")
    read = {
        "governing_law": _law,
        "effective_date": lambda s: _effective(s, order),
        "initial_term": _initial_term,
        "renewal_term": lambda s: _renewal(s, False),
        "renewal_notice": lambda s: _renewal(s, True),
        "liability_cap": _cap,
    }[field_name]
    out = []
    for s in split_sentences(text) if sentences is None else sentences:
        st = read(s)
        if st is not None:
            out.append(st)
    return out


def _same_place(a: Jurisdiction, b: Jurisdiction) -> bool:
    """One place, or a country and a place within it ("United States" and "New York")."""
    return a.code == b.code or (a.country == b.country and "-" not in (a.code if len(a.code) < len(b.code) else b.code))


def agrees(statement: Statement, value: object) -> bool:
    """Whether ``value`` (a :class:`Jurisdiction`, a date, a :class:`Duration` or an amount of money as a float)
    is one of the values ``statement`` writes: the same place or a place within the same country's law when one
    of them is the country; the same date; an equivalent duration (:meth:`Duration.canonical`); an amount the
    sentence writes in digits (:func:`rules.text.amounts.amount_in_text`)."""
    if isinstance(value, Jurisdiction):
        return any(_same_place(value, j) for j in statement.jurisdictions)
    if isinstance(value, Duration):
        return any(value.canonical() == d.canonical() for d in statement.durations)
    if isinstance(value, dt.date):
        return value in statement.dates
    if isinstance(value, (int, float)):
        return amount_in_text(float(value), statement.text)
    raise TypeError(f"cannot compare a {type(value).__name__} with a statement of {statement.field}")
