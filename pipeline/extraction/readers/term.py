"""The initial term, the automatic renewal and the confidentiality survival, read by code from their clauses.

The default model left the initial term out in all three samples and the survival period in all three
(recorded answers, tests/test_samples_replay.py), although both clauses have a few fixed shapes:

- initial term: a sentence that states the term, by a fixed form ("commences on the Effective Date",
  ``(the "Term")``, ``"Contract Period" shall mean that period ...``) or by its structure: the agreement or its
  term as the subject that opens the clause (:func:`rules.text.clause_subjects`) and a verb of duration or
  ending ("shall continue", "shall remain in effect", "shall run", "expires", "shall be for"); it gives its
  length after a cue of length ("remains in effect for two (2) years", "continue for an initial term of three
  (3) years", "for a period ending three (3) years after the Effective Date"; never a bound: "for at least one
  year") or as an anniversary ("until the third (3rd) anniversary of the Effective Date" = 3 years), and its
  end date after a cue of ending ("expiring on 02/04/2027", "through and including June 30, 2026"). The later
  of several ends is a fixed date only when each is a date ("the later of (a) December 31, 2025 and (b) the
  completion of the Services" is none); the earlier of them is its date ("until the earlier of (i) December
  31, 2027 and (ii) ..."); "until terminated" is no fixed end. A term without a fixed end gives no computed
  expiration date;
- survival: "... survive the expiration or termination of this Agreement for three (3) years",
  "for a period of four (4) years after its termination or expiry, disclose ..." in a confidentiality
  sentence.

- renewal: "shall automatically renew for successive renewal terms of one (1) year each ... unless
  either Party gives written notice of non-renewal at least sixty (60) days before the end of the
  then-current term" → auto-renewal, renewal term 1 year, renewal notice 60 days; "will be extended for
  additional terms of twelve (12) months each unless terminated ... upon sixty (60) days' written notice"
  (a renewal only a notice stops is automatic); "renews from year to year" → 1 year; "for like periods",
  "for an additional period equal to the Initial Term" → the initial term. The renewal must be this
  agreement's (not a lease's or a license's) and a notice counts only when it stops the renewal (not a
  notice of termination for breach or for convenience).

The first sentence that fits wins. The reader (:data:`READER`) fills values only where the model gave
none, marked ``computed`` with a note, and grounds their evidence. A term that runs from another event
than the effective date ("one (1) year from the date of delivery") gives no computed expiration date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extraction.anchors import EFFECTIVE_TERM_RE
from pipeline.extraction.readers.base import DocumentContext, Located, Reader
from rules.text import DateOrder, find_dates
from rules.text import find_durations
from rules.text import ORDINAL_WORDS, words_to_int
from rules.text import Sentence, split_sentences
from rules.text import GAP_ALTERNATIVES, clause_subjects, effect_clauses, start_kind
from schemas import BoolClaim, ContractExtraction, DateClaim, Duration, DurationClaim, Evidence, SourceDocument

#: Names a contract gives its own term in a definition ('"Contract Period" shall mean that period ...').
_TERM_NAMES = r"(?:(?:initial\s+)?term|(?:contract|agreement)\s+(?:period|term))"
_STARTS_TERM = re.compile(
    r"\b(?:commence[sd]?|begins?|shall\s+commence|shall\s+begin|takes?\s+effect)\s+on\s+the\s+" + EFFECTIVE_TERM_RE
    + r"\b|\(\s*(?:the\s+)?[\"“](?:initial\s+)?term[\"”]\s*\)|"
    r"\b(?:initial\s+)?term\s+of\s+this\s+agreement\s+(?:(?:shall|will)\s+(?:be|commence|begin|continue|run)|is)\b|"
    r"\bthis\s+agreement\s+(?:shall|will)\s+(?:commence|begin)\b|"
    # the agreement as subject and a verb of duration: "This Agreement shall remain in effect for ...",
    # "The term of this Agreement shall be for ...", "... and shall expire on the day that is 24 months from ..."
    r"\bthis\s+agreement\s+(?:shall|will)\s+(?:remain|continue)\s+in\s+(?:full\s+)?(?:force|effect)\b|"
    r"\bthis\s+agreement\s+(?:shall|will)\s+(?:(?:become\s+effective|commence|begin)\b[^.;]{0,120}\band\s+)?"
    r"(?:shall\s+|will\s+)?expire\s+on\s+the\s+(?:day|date)\s+(?:that|which)\s+is\b|"
    # a definition of the term under its name: '"Contract Period" shall mean that period of time commencing ...'
    rf"[\"“]{_TERM_NAMES}[\"”]\s+(?:shall\s+)?means?\s+(?:that|the)\s+period\b", re.I)
#: The agreement (or its term) as the subject of a verb of duration or of ending: "This Agreement shall continue
#: until ...", "The Term shall run through ...", "This Agreement expires on ...", "The initial term of this
#: Agreement shall be for ...", also after an earlier predicate ("shall commence on the Effective Date and shall
#: continue ..."). The subject must open its clause (:func:`rules.text.effect.clause_subjects`).
_TERM_PREDICATE = re.compile(
    r"(?:" + GAP_ALTERNATIVES + r"|\s+(?:commence[sd]?|begins?|become[s]?\s+effective|takes?\s+effect)\s+(?:on|as\s+of|upon|from)\s+"
    r"[^;]{1,80}?\s+and\b)*?\s*(?:continues?|continuing|remains?|remaining|runs?|running|lasts?|expires?|expiring|ends?|"
    r"ending|terminates?|be\s+for|is\s+for|be\s+in\s+(?:full\s+)?(?:force|effect)|be\s+effective\s+(?:for|until|through)|"
    r"has\s+a\s+term|have\s+a\s+term|is|shall\s+be|will\s+be)\b", re.I)
#: Sentences that mention the term without stating it (break tests on CUAD: "During the term of this Agreement
#: and for a period of five (5) years thereafter ...", definitions, extensions, post-term periods).
_NOT_TERM_CLAUSE = re.compile(
    r"(?:during|throughout|upon\s+(?:the\s+)?(?:expiration|expiry|termination)\s+of|in\s+the\s+event|if)\s+(?:the\s+)?"
    rf"(?:initial\s+)?term\s+of\s+this\s+agreement\b|[\"“](?!{_TERM_NAMES}[\"”])[^\"”]{{1,40}}[\"”]\s+(?:shall\s+)?means?\b|"
    # "... and for a period of five (5) years thereafter": a period after the term, not the term
    r"\band\s+for\s+[^.;]{0,60}?\bthereafter\b|\bthereafter\s*,|"
    # the term of another thing: "The term for Sample Profiling ...", '(the "Profiling Term")'
    r"\bterm\s+for\b|[\"“](?!initial\b|renewal\b)[A-Za-z]+\s+term[\"”]|"
    r"\b(?:after|following)\s+(?:the\s+)?(?:termination|expiration|expiry)\b", re.I)
#: The end is the later (or earlier) of several: a fixed date only when every one of them is a date.
_LATER_OF = re.compile(r"\bwhichever\s+(?:is|occurs|shall\s+occur|comes)\s+(?P<w>later|longer|last|earlier|first|sooner)|"
                       r"\bif\s+(?P<i>later|earlier)\b|\bthe\s+(?P<o>later|earlier|latest|earliest|sooner)\s+(?:to\s+occur\s+)?of\b|"
                       r"\bor\s+until\b", re.I)
#: No fixed end: the agreement runs until someone ends it ("until terminated", "indefinitely", "in perpetuity").
_OPEN_END = re.compile(r"\buntil\s+(?:(?:it\s+is\s+|so\s+|otherwise\s+|earlier\s+)?terminated|(?:either|a|one)\s+party\s+"
                       r"terminates|terminat(?:ion|ed)\s+(?:by|in\s+accordance|pursuant|as\s+provided)|the\s+termination\b)|"
                       r"\bindefinitely\b|\bin\s+perpetuity\b|\bperpetual(?:ly)?\b", re.I)
#: An upper bound on the length, not the length: "for up to five years", "not to exceed". (A lower bound, "for at
#: least one year thereafter", is the fixed part of the term and is read as its length; see _LOWER_BOUND.)
_BOUND = re.compile(r"\b(?:up\s+to|not\s+more\s+than|no\s+more\s+than|not\s+to\s+exceed|a\s+maximum\s+(?:period\s+)?of)\s+$",
                    re.I)
#: A lower bound before a length ("but for at least one (1) year", "a minimum period of two years"): with "until
#: terminated" the length is the least the agreement lasts, and no expiration date follows from it.
_LOWER_BOUND = re.compile(r"\b(?:at\s+least|not\s+less\s+than|no\s+less\s+than|a\s+minimum\s+(?:term\s+|period\s+)?of)"
                          r"\s+(?:a\s+(?:term|period)\s+of\s+)?$", re.I)
#: A verb of ending before a length ("expire three (3) years after the Effective Date", "for a period ending
#: five (5) years after ..."): the length counts only when it runs from this agreement's start.
_END_VERB_CUE = re.compile(r"\b(?:expires?|expiring|terminates?|terminating|ends?|ending|concludes?|concluding)\s+(?:on\s+"
                           r"the\s+(?:day|date)\s+(?:that\s+is|which\s+is)\s+)?$", re.I)
_FROM_START = re.compile(r"^\W*(?:after|from|following)\s+(?:the\s+)?(?:" + EFFECTIVE_TERM_RE
                         + r"|date\s+(?:of\s+this\s+agreement|hereof)|execution\s+(?:of\s+this\s+agreement|hereof))\b", re.I)
#: The second date of "from <date> to <date>" ends the term ("shall be in force from 1 January 2020 to 31 December
#: 2022"); matched on the text before the second date.
_FROM_TO = re.compile(r"\b(?:from|commencing\s+(?:on\s+)?|beginning\s+(?:on\s+)?)\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4}|"
                      r"\w+\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s+(?:(?:up\s+)?to|-|–)\s+$", re.I)
#: A condition on a date of ending: "shall terminate on June 1, 2010 if ..." is a right to end, not the term.
_CONDITION_AFTER = re.compile(r"^\W*(?:if|in\s+the\s+event|should|provided\s+that)\b", re.I)
_LENGTH_CUE = re.compile(
    r"\b(?:(?:remains?|continues?|lasts?|runs?|(?:shall|will)\s+(?:continue|remain|last|run))\s+(?:thereafter\s+)?"
    r"(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?for|initial\s+term\s+of|(?:term|period)\s+of|shall\s+be(?:\s+for)?|"
    r"will\s+be(?:\s+for)?|is|expire\s+on\s+the\s+(?:day|date)\s+(?:that|which)\s+is|,?\s*but\s+(?:in\s+any\s+event\s+)?for)\s+"
    r"(?:a\s+(?:term|period)\s+of\s+)?(?:(?:at\s+least|not\s+less\s+than|no\s+less\s+than|a\s+minimum\s+(?:term\s+|period\s+)?of)"
    r"\s+(?:a\s+(?:term|period)\s+of\s+)?)?$", re.I)
#: A term that runs from another event ("one (1) year from the date of delivery") gives no expiration date.
_OTHER_START = re.compile(r"^\W*(?:(?:from|after|following)\s+|commencing\s+(?:on\s+)?(?=the\b))(?!(?:the\s+)?(?:"
                          + EFFECTIVE_TERM_RE + r"|date\s+(?:of\s+this|hereof)|(?:that|such)\s+date\b))", re.I)
_ANNIVERSARY = re.compile(
    rf"\b(?:until|through|to|on|upon)\s+(?:and\s+including\s+)?the\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)|(?P<w>{ORDINAL_WORDS}))(?:\s*\(\s*\d{{1,2}}(?:st|nd|rd|th)?\s*\))?"
    r"\s+anniversary\s+of\s+the\s+" + EFFECTIVE_TERM_RE + r"\b", re.I)
_EXPIRING = re.compile(r"\b(?:(?:expir\w*|ending|ends?|terminat\w*)\s+(?:(?:at|as\s+of)\s+(?:midnight|the\s+close\s+of\s+"
                       r"business|\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?)[^.;]{0,25}?\s+)?(?:on|at)|(?:and\s+)?conclud\w*(?:\s+on)?|"
                       r"(?:effective|continue|remain)\s+until|until|through(?:\s+and\s+including)?|"
                       r"(?:up\s+)?to\s+and\s+including)\s+(?:\(\w\)\s+)?$", re.I)
#: A date "until"/"ending on" that belongs to something else than the agreement (a fiscal year, a lease, a
#: prior agreement, a notice, payments).
_OTHER_THING = re.compile(r"\b(?:fiscal|lease|prior|previous|notice|pay\w*|invoice\w*|year\s+shall)\b", re.I)
_SURVIVES = re.compile(r"\bsurviv\w*\b", re.I)
_AFTER_END = re.compile(r"\bafter\s+(?:its|the|such|any)?\s*(?:termination|expiry|expiration)\b", re.I)
_CONFIDENTIAL = re.compile(r"\bconfidential\w*|\bdisclos\w*|\bnon-?disclosure\b|\btrade\s+secrets?\b", re.I)
_FOR = re.compile(r"\bfor\s+(?:a\s+period\s+of\s+)?$", re.I)


@dataclass(frozen=True)
class StatedDuration(Located):
    """A duration a clause states: ``value``, document offsets of the sentence (``start``/``end``) and of
    the duration as written (``value_start``/``value_end``, ``text``); ``value`` is None for a term clause
    that states only its end date (its value offsets and ``text`` are then None too)."""

    value: Duration | None


@dataclass(frozen=True)
class StatedTerm(StatedDuration):
    """The initial term, with a stated expiration date (ISO 8601) and its offsets when the sentence gives one;
    ``other_start``: the term runs from another event than the effective date; ``open_end``: the term has no
    fixed end ("until terminated", "the later of December 31, 2025 and the completion of the Services"), so no
    expiration date may be computed from the effective date."""

    expiration: object = None
    expiration_start: int | None = None
    expiration_end: int | None = None
    expiration_text: str | None = None
    other_start: bool = False
    open_end: bool = False

    def expiration_evidence(self, doc: SourceDocument) -> Evidence:
        """Evidence of the stated expiration date in ``doc`` (quote = the term sentence, span = the date)."""
        return Located(self.start, self.end, self.expiration_start, self.expiration_end,
                       self.expiration_text).evidence(doc)


def _is_term_clause(sentence: str) -> bool:
    """Whether ``sentence`` states the agreement's term: a fixed form of :data:`_STARTS_TERM`, or the agreement
    (or its term) as the subject of a verb of duration or ending (:data:`_TERM_PREDICATE`)."""
    if _STARTS_TERM.search(sentence):
        return True
    return any(_TERM_PREDICATE.match(sentence, m.end()) for m in clause_subjects(sentence))


def _starts_on_event(sentence: str) -> bool:
    """Whether ``sentence`` starts the agreement on an event rather than a date or the effective date ("shall be
    effective as of the date of physical completion ... and shall continue for ten years")."""
    return any(c.kind == "effective" and not c.dating and start_kind(sentence, c) == "event"
               for c in effect_clauses(sentence))


#: What may stand between the alternatives of "the later of": list markers, "and", "or", "the date", commas.
_BETWEEN_ALTERNATIVES = re.compile(r"\(\w{1,3}\)|\b(?:and|or|the|on|of|date|dates|day|following|either)\b|[\s,§]", re.I)
_ALTERNATIVES_END = re.compile(r"[;.](?:\s|$)|,\s*(?:unless|provided|subject|except|as\b|in\s+each|or\s+such)", re.I)


def _later_of(sentence: str, m: re.Match, order: DateOrder | None) -> tuple[bool, list, bool] | None:
    """The alternatives of a "later of" / "earlier of" / "whichever is later" phrase that ends the term:
    (later: whether the later one ends it, the dates among the alternatives, whether an alternative is an event
    rather than a date, "(b) the completion of the Services"); ``None`` when the phrase is not about the end
    ("effective on the later of the dates it is signed")."""
    which = (m["w"] or m["i"] or m["o"] or "").lower()
    if m["o"]:  # "expires on the later of (a) ... and (b) ...": the alternatives follow a verb of ending
        if not _END_BEFORE.search(sentence, max(0, m.start() - 40), m.start()):
            return None
        seg_start = m.end()
        stop = _ALTERNATIVES_END.search(sentence, seg_start)
        seg_end = stop.start() if stop else len(sentence)
    else:  # "on <date> or upon <event>, whichever is later": the alternatives come before, after the verb of ending
        seg_end = m.start()
        cue = None
        for cue in _EXPIRING_CUES.finditer(sentence, 0, seg_end):
            pass
        if cue is None:
            return None
        seg_start = cue.end()
    seg = sentence[seg_start:seg_end]
    dates = [f for f in find_dates(seg, order=order) if f.kind == "absolute"]
    masked = list(seg)
    for f in dates:
        masked[f.start:f.end] = "§" * (f.end - f.start)
    event = bool(_BETWEEN_ALTERNATIVES.sub("", "".join(masked))) or any(f.value is None for f in dates)
    return which in ("later", "longer", "last", "latest"), [f for f in dates if f.value is not None], event


_EFFECTIVE_DEFINED = re.compile(r"[\"“](?:the\s+)?effective\s+date[\"”]", re.I)
_END_BEFORE = re.compile(r"\b(?:expir\w*|terminat\w*|end\w*|conclud\w*|until|through|in\s+effect)\s+(?:on\s+|upon\s+|at\s+)?"
                         r"(?:the\s+)?$", re.I)
_EXPIRING_CUES = re.compile(r"\b(?:expir\w*|ending|ends?|terminat\w*|conclud\w*|until|through)\b(?:\s+(?:on|at))?", re.I)


def find_initial_term(text: str, order: DateOrder | None = None,
                      sentences: list[Sentence] | None = None) -> StatedTerm | None:
    """The initial term ``text`` (a document's stored text) states, or None (forms: module docstring);
    ``order``: the day/month order of numeric dates; ``sentences``: ``text`` already split
    (:func:`rules.text.sentences.split_sentences`), split here when ``None``.

    A length is read after a cue of length ("for", "a term of", "shall be") or of ending that runs from the
    effective date ("ending three (3) years after the Effective Date"), never a bound ("for at least one
    year"); an end date after a cue of ending ("until", "through and including", "expires on"), never one
    under a condition ("shall terminate on June 1, 2010 if ..."). "The later of" several ends is a fixed date
    only when each is a date; with an event among them, or "until terminated", the term has no fixed end
    (``open_end``)."""
    for s in (split_sentences(text) if sentences is None else sentences):
        if not _is_term_clause(s.text) or _NOT_TERM_CLAUSE.search(s.text):
            continue
        value = vs = ve = written = None
        other_anchor = False
        a = _ANNIVERSARY.search(s.text)
        if a:
            n = int(a["d"]) if a["d"] else words_to_int(a["w"])
            if n:
                value, vs, ve, written = Duration(value=n, unit="years"), a.start(), a.end(), a.group(0)
                # "the eighth anniversary of the Commencement Date" where the contract defines its Effective Date
                # apart: the term runs from another day than the effective date
                other_anchor = not re.search(r"effective\s+date\W*$", a.group(0), re.I) and bool(_EFFECTIVE_DEFINED.search(text))
        if value is None:
            for d in find_durations(s.text):
                head = s.text[max(0, d.start - 60):d.start]
                if d.value is None or _BOUND.search(head):
                    continue
                if _LENGTH_CUE.search(head) or (_END_VERB_CUE.search(head) and _FROM_START.match(s.text[d.end:])):
                    value, vs, ve, written = d.value, d.start, d.end, d.text
                    break
        exp = next((f for f in find_dates(s.text, order=order) if f.kind == "absolute" and f.value is not None
                    and (_EXPIRING.search(s.text[max(0, f.start - 60):f.start]) or _FROM_TO.search(s.text, 0, f.start))
                    and not _OTHER_THING.search(s.text[max(0, f.start - 60):f.start])
                    and not _CONDITION_AFTER.match(s.text[f.end:])), None)
        open_end = False
        later = _LATER_OF.search(s.text)
        alternatives = _later_of(s.text, later, order) if later and not later.group(0).lower().startswith("or") else None
        if later and later.group(0).lower().startswith("or"):
            value = vs = ve = written = None  # "for three years or until ...": the length depends on an event
        elif alternatives is not None:
            value = vs = ve = written = None  # the end is one of several; only a fixed date stands
            is_later, dates, event = alternatives
            if is_later:  # the later of a date and an event is no fixed date
                exp = max(dates, key=lambda f: f.value) if dates and not event else None
            else:  # the earlier of: the date bounds the term, an event may end it sooner
                exp = min(dates, key=lambda f: f.value) if dates else None
            open_end = exp is None
        elif value is None and exp is None and _OPEN_END.search(s.text):
            open_end = True  # "shall continue until terminated": no end to compute
        elif value is not None and exp is None and _OPEN_END.search(s.text) and _LOWER_BOUND.search(s.text, 0, vs):
            open_end = True  # "until terminated, but for at least one year": a minimum term, no end to compute
        if value is None and exp is None and not open_end:
            continue
        return StatedTerm(s.start, s.end, s.start + vs if value else None, s.start + ve if value else None, written,
                          value, exp.value if exp else None, s.start + exp.start if exp else None,
                          s.start + exp.end if exp else None, exp.text if exp else None,
                          other_start=bool(value) and (other_anchor or bool(_OTHER_START.match(s.text[ve:]))
                                                       or _starts_on_event(s.text)),
                          open_end=open_end)
    return None


#: Duties that are not confidentiality, even under a confidentiality heading (non-solicitation, non-compete).
_OTHER_DUTY = re.compile(r"\b(?:solicit\w*|compet\w*|licen[cs]e\w*|warrant\w*|indemn\w*|records?|audit\w*)\b", re.I)
_NDA = re.compile(r"\bnon-?disclosure\b|\bconfidentiality\s+agreement\b|\bNDA\b", re.I)
_HEADING = re.compile(r"^\s*(?:(?:article|section|clause)\s+)?(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][A-Za-z ,&/'’-]{2,60}\.?\s*$")


def _in_confidentiality_section(text: str, pos: int) -> bool:
    """Whether the nearest heading line above ``pos`` (within 40 lines) names confidentiality."""
    lines = text[:pos].split("\n")[-40:]
    for line in reversed(lines[:-1] if lines else []):
        if line.strip() and _HEADING.match(line) and len(line.split()) <= 8:
            if re.search(r"\b(?:treatment|omitted|redacted|portions)\b", line, re.I):
                continue  # an EDGAR "CONFIDENTIAL TREATMENT REQUESTED" stamp is no section heading
            return bool(_CONFIDENTIAL.search(line))
    return False


def find_survival(text: str, sentences: list[Sentence] | None = None) -> StatedDuration | None:
    """How long confidentiality lasts after the contract ends, as ``text`` states it, or None.

    The sentence must be about confidentiality ("confidential", "disclose", "non-disclosure", "secret") and
    say the duty survives or lasts after the end (in an NDA, or under a "Confidentiality" heading, every
    sentence is about confidentiality); of several periods, the one nearest the confidentiality word is taken ("shall not compete for two (2) years, and its confidentiality obligations shall survive
    ... for ten (10) years" → 10 years). A survival clause that names only section numbers is not read:
    whether those sections are about confidentiality is for the model or a reviewer.
    """
    is_nda = bool(_NDA.search(text[:600]))
    for s in (split_sentences(text) if sentences is None else sentences):
        conf = list(_CONFIDENTIAL.finditer(s.text))
        if not conf and not _OTHER_DUTY.search(s.text) and (is_nda or _in_confidentiality_section(text, s.start)):
            conf = [re.match(r"", s.text)]  # the whole sentence is about confidentiality: its section or the NDA says so
        if not conf or not (_SURVIVES.search(s.text) or _AFTER_END.search(s.text)):
            continue
        best: tuple[int, StatedDuration] | None = None
        for d in find_durations(s.text):
            if d.value is None or d.value.unit.value not in ("months", "years"):
                continue
            if not _FOR.search(s.text[max(0, d.start - 25):d.start]):
                continue
            if not (_SURVIVES.search(s.text) or _AFTER_END.search(s.text[d.end:d.end + 40])):
                continue
            # the period after the confidentiality word, nearest first; one before it only when none follows
            gap = min((d.start - c.start()) if d.start >= c.start() else 10**6 + c.start() - d.start for c in conf)
            if best is None or gap < best[0]:
                best = (gap, StatedDuration(s.start, s.end, s.start + d.start, s.start + d.end, d.text, d.value))
        if best is not None:
            return best[1]
    return None


#: A renewal that needs no act of the parties: "shall automatically renew", "shall be renewed automatically",
#: "automatically extends"; or a renewal verb in the present or future that only a notice stops ("will be extended
#: for additional terms ... unless terminated", "renews from year to year unless ..."); or a continuation from
#: period to period ("shall continue thereafter from year to year", "on a month-to-month basis").
_AUTO_RENEW = re.compile(
    r"\b(?:shall|will)\s+(?:automatically\s+be|be\s+automatically|automatically)\s+(?:renew|extend)\w*|"
    r"\b(?:shall|will)\s+(?:be\s+)?(?:renew|extend)\w*\s+automatically\b|"
    r"\bautomatically\s+(?:renews?|renewed|extends?|extended)\b|"
    r"\b(?:(?:shall|will)\s+(?:thereafter\s+)?(?:be\s+)?(?:renew(?:ed)?|extend(?:ed)?)|renews|extends|is\s+(?:renewed|extended))\b"
    r"(?=\s+(?:automatically\s+)?(?:for|by|from|on)\b)(?=[^.;]*\bunless\b[^.]{0,200}?\b(?:notice|notif\w*|terminat\w*|cancel\w*|"
    r"non-?renewal|not\s+to\s+(?:renew|extend)|elects?|object\w*)\b)|"
    r"\b(?:shall|will)\s+(?:thereafter\s+)?(?:continue|remain\s+in\s+(?:full\s+)?(?:force|effect)|"
    r"be\s+(?:effective|in\s+(?:full\s+)?(?:force|effect)))\b(?=[^.;]{0,60}?"
    r"\b(?:year|month|quarter|week)[\s-]+to[\s-]+(?:year|month|quarter|week)\b)", re.I)
#: The renewal must be the agreement's (or its term's), and not negated ("shall not automatically renew";
#: "time periods will be automatically extended" in a force-majeure clause; "the Lease Term shall ...").
_RENEW_SUBJECT = re.compile(r"\b(?:this\s+agreement|the\s+agreement|(?:the\s+)?(?:initial\s+)?term(?:\s+of\s+this\s+agreement)?)"
                            r"[,\s]+(?:\w+[,\s]+){0,6}?$", re.I)
_OTHER_RENEWAL = re.compile(r"\b(?:lease|warranty|time\s+periods?|rights|licen[cs]e\s+term|quantit\w+|period\s+equal)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no)\b[^.;]{0,20}$", re.I)
_SUCCESSIVE = re.compile(r"\b(?:successive|additional|further|consecutive|subsequent|renewal)\b|"
                         r"\bfor\s+(?:a\s+)?(?:periods?|terms?)\s+of\s*$|\bon\s+an?\s*$", re.I)
_NOTICE_AFTER = re.compile(r"^(?:['’]s?|s['’])?\s*(?:\(\s*\)\s*)?(?:prior\s+|advance\s+)?(?:written\s+)?(?:prior\s+)?notice\b", re.I)
_NOTICE = re.compile(r"\bnotice\b|\bnon-?renewal\b|\bnotif\w*|\bnot\s+to\s+(?:renew|extend)\b|\bobject\w*", re.I)
#: A notice that stops the renewal: it comes with "unless", "non-renewal", "not to renew", or before the end of
#: the term ("prior to the end of the then-current term", "before expiry").
_STOPS_RENEWAL = re.compile(r"\bunless\b|\buntil\s+terminated\b|\bnon-?renewal\b|\bnot\s+to\s+(?:renew|extend)\b|\belect\w*\s+not\b|"
                            r"\b(?:prior\s+to|before|in\s+advance\s+of|preceding)\s+(?:the\s+)?(?:end|expir\w*|anniversary|"
                            r"renewal|close|termination\s+of\s+the\s+(?:then|current|initial))", re.I)
#: A notice of another right to end: for breach, default, insolvency, or at will ("for convenience").
_OTHER_NOTICE = re.compile(r"\b(?:breach\w*|default\w*|convenience|insolven\w*|bankrupt\w*|cure\w*|for\s+cause)\b", re.I)
#: A renewal from period to period: "from year to year", "on a month-to-month basis".
_PERIOD_TO_PERIOD = re.compile(r"\b(?P<unit>year|month|quarter|week)[\s-]+to[\s-]+(?P=unit)\b|"
                               r"\b(?:each|every)\s+(?P<each>year|month|quarter|week)\b|"
                               r"\b(?P<adj>annual|yearly|monthly|quarterly|weekly)\s+(?:periods?|terms?|basis|renewals?)\b", re.I)
_ADJ_UNIT = {"annual": "year", "yearly": "year", "monthly": "month", "quarterly": "quarter", "weekly": "week"}
#: A renewal term as long as the initial term: "for like periods", "for an additional period equal to the Initial
#: Term", "for successive terms of the same length as the initial term".
_LIKE_INITIAL = re.compile(r"\blike\s+(?:periods?|terms?)\b|\b(?:periods?|terms?)\s+(?:of\s+time\s+)?(?:equal|identical)\s+"
                           r"(?:in\s+(?:length|duration)\s+)?to\s+(?:that\s+of\s+)?the\s+(?:initial\s+|original\s+)?term\b|"
                           r"\bsame\s+(?:length|duration|period)\s+as\s+the\s+(?:initial\s+|original\s+)?term\b", re.I)


@dataclass(frozen=True)
class StatedRenewal:
    """An automatic renewal: the sentence (document offsets ``start``/``end``, ``text``), the renewal term
    and the notice needed to stop it when the sentence states them (each a StatedDuration or None), and
    ``auto``, the words that make it automatic ("shall automatically renew") located in the sentence;
    ``as_initial``: the renewal term is as long as the initial term ("for like periods"), located in ``term``
    with ``value`` None."""

    start: int
    end: int
    text: str
    term: StatedDuration | None
    notice: StatedDuration | None
    auto: Located
    as_initial: bool = False


_UNIT_OF = {"year": "years", "month": "months", "quarter": "months", "week": "weeks"}


def find_renewal(text: str, sentences: list[Sentence] | None = None) -> StatedRenewal | None:
    """The automatic renewal ``text`` states: "shall automatically renew for successive renewal terms of
    one (1) year each ... unless either Party gives written notice of non-renewal at least sixty (60)
    days before the end of the then-current term" → term 1 year, notice 60 days; "renews from year to year"
    → term 1 year; "for like periods" → ``as_initial``; or None. The renewal must be this agreement's (its
    subject is the agreement or its term, not a lease or a license), and a notice counts only when it stops the
    renewal (not a notice of termination for breach). ``sentences``: ``text`` already split
    (:func:`rules.text.sentences.split_sentences`), split here when ``None``."""
    for s in (split_sentences(text) if sentences is None else sentences):
        auto = _AUTO_RENEW.search(s.text)
        if not auto:
            continue
        head = s.text[:auto.start()]
        if _NEGATED.search(head) or not _RENEW_SUBJECT.search(head) or _OTHER_RENEWAL.search(head[-60:]):
            continue
        term = notice = None
        as_initial = False
        prev_end = auto.end()
        for d in find_durations(s.text):
            if d.value is None:
                continue
            ds = StatedDuration(s.start, s.end, s.start + d.start, s.start + d.end, d.text, d.value)
            if d.start < auto.start():  # "Unless either party gives notice ... at least 30 days before ..., this
                # Agreement shall automatically renew": before the renewal only its notice may stand
                if notice is None and _NOTICE.search(s.text[max(0, d.start - 80):d.start]) and \
                        _STOPS_RENEWAL.search(s.text) and not _OTHER_NOTICE.search(s.text[max(0, d.start - 80):d.end + 80]):
                    notice = ds
                continue
            before = s.text[auto.end():d.start]
            after = _NOTICE_AFTER.match(s.text[d.end:])
            is_notice = bool(after) or bool(_NOTICE.search(s.text[max(prev_end, d.start - 80):d.start]))
            context = s.text[max(prev_end, d.start - 80):d.end + 80]
            prev_end = d.end + (after.end() if after else 0)  # "thirty (30) days notice" belongs to that period
            if notice is None and is_notice:
                if _STOPS_RENEWAL.search(s.text[auto.end():]) and not _OTHER_NOTICE.search(context):
                    notice = ds
            elif term is None and _SUCCESSIVE.search(before[-60:]) and not is_notice:
                term = ds
        if term is None:
            p = _PERIOD_TO_PERIOD.search(s.text, auto.start())
            like = _LIKE_INITIAL.search(s.text, auto.start())
            if p is not None and (like is None or p.start() < like.start()):
                unit = (p["unit"] or p["each"] or _ADJ_UNIT[p["adj"].lower()]).lower()
                term = StatedDuration(s.start, s.end, s.start + p.start(), s.start + p.end(), p.group(0),
                                      Duration(value=3 if unit == "quarter" else 1, unit=_UNIT_OF[unit]))
            elif like is not None:
                term = StatedDuration(s.start, s.end, s.start + like.start(), s.start + like.end(), like.group(0), None)
                as_initial = True
        return StatedRenewal(s.start, s.end, s.text, term, notice,
                             Located(s.start, s.end, s.start + auto.start(), s.start + auto.end(), auto.group(0)),
                             as_initial=as_initial)
    return None


def read_term_and_survival(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction) the initial term, a stated expiration date, the automatic renewal
    (with its renewal term and notice) and the confidentiality survival the document states, each where
    the model gave none; mutates ``x``. Filled values are ``computed`` with a note and grounded evidence.
    A term clause's expiration date replaces an expiration without a value or a computed one, also where
    the model gave the initial term (a stated end is never left to be computed from a length). When the
    term runs from another event than the effective date, ``ctx.term_from_other_event`` is set, so no
    expiration date is computed from the effective date
    (:func:`pipeline.extraction.readers.base.fill_dependent_values`)."""
    doc = ctx.doc
    exp = x.expiration_date
    no_term = x.initial_term is None or x.initial_term.value is None
    if no_term or exp is None or exp.value is None or exp.computed:
        t = find_initial_term(ctx.text, ctx.order, ctx.sentences)
        if t is not None:
            ctx.term_from_other_event = t.other_start or t.open_end
            if no_term and t.value is not None:
                x.initial_term = DurationClaim(
                    value=t.value, parsed=t.value, raw_text=t.text, computed=True,
                    note="found by code in the term clause; the model gave no initial term",
                    evidence=t.evidence(doc))
            if t.expiration is not None and (exp is None or exp.value is None or exp.computed):
                x.expiration_date = DateClaim(
                    value=t.expiration, parsed=t.expiration, raw_text=t.expiration_text, computed=True,
                    note="found by code in the term clause; the model gave no expiration date",
                    evidence=t.expiration_evidence(doc))
    _read_renewal(x, ctx)
    if x.confidentiality_survival is None or x.confidentiality_survival.value is None:
        sv = find_survival(ctx.text, ctx.sentences)
        if sv is not None:
            x.confidentiality_survival = DurationClaim(
                value=sv.value, parsed=sv.value, raw_text=sv.text, computed=True,
                note="found by code in the survival clause; the model gave no survival period",
                evidence=sv.evidence(doc))


def _read_renewal(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Auto-renewal, renewal term and renewal notice from the renewal clause, each where the model gave none; a
    renewal "for like periods" takes the initial term's value (the text's reading, else the model's)."""
    r = find_renewal(ctx.text, ctx.sentences)
    if r is None:
        return
    note = "found by code in the renewal clause; the model gave none"
    if x.auto_renewal is None or x.auto_renewal.value is None:
        x.auto_renewal = BoolClaim(value=True, raw_text=r.auto.text, computed=True, note=note,
                                   evidence=r.auto.evidence(ctx.doc))
    term = r.term
    if r.as_initial and term is not None:
        init = x.initial_term
        length = (init.parsed or init.value) if init is not None else None
        term = StatedDuration(term.start, term.end, term.value_start, term.value_end, term.text, length) if length else None
        note_term = f"found by code in the renewal clause: {r.term.text!r} is the initial term, {length}; the model gave none"
    else:
        note_term = note
    for field, got, why in (("renewal_term", term, note_term), ("renewal_notice", r.notice, note)):
        cur = getattr(x, field)
        if got is not None and got.value is not None and (cur is None or cur.value is None):
            setattr(x, field, DurationClaim(value=got.value, parsed=got.value, raw_text=got.text, computed=True,
                                            note=why, evidence=got.evidence(ctx.doc)))


READER = Reader("term", ("initial_term", "expiration_date", "auto_renewal", "renewal_term", "renewal_notice",
                         "confidentiality_survival"), read_term_and_survival)
