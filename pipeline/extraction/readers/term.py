"""The initial term, the automatic renewal and the confidentiality survival, read by code from their clauses.

The default model left the initial term out in all three samples and the survival period in all three
(recorded answers, tests/test_samples_replay.py), although both clauses have a few fixed shapes:

- initial term: a sentence that starts the term ("commences on the Effective Date", "begins on",
  "shall commence on the Commencement Date", or defines ``(the "Term")`` / ``(the "Initial Term")``) and
  gives its length: "remains in effect for two (2) years", "continue for an initial term of three (3)
  years", "continues until the third (3rd) anniversary of the Effective Date" (= 3 years); "expiring on
  02/04/2027" in the same sentence is a stated expiration date;
- survival: "... survive the expiration or termination of this Agreement for three (3) years",
  "for a period of four (4) years after its termination or expiry, disclose ..." in a confidentiality
  sentence.

- renewal: "shall automatically renew for successive renewal terms of one (1) year each ... unless
  either Party gives written notice of non-renewal at least sixty (60) days before the end of the
  then-current term" → auto-renewal, renewal term 1 year, renewal notice 60 days; "shall automatically
  extend for successive periods of twelve (12) months ... unless either party gives ... notice ... at
  least three (3) months before" likewise.

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
_LATER_OF = re.compile(r"\bwhichever\s+is\s+(?:later|longer)|\bif\s+later\b|\bthe\s+later\s+of\b|\bor\s+until\b", re.I)
_LENGTH_CUE = re.compile(
    r"\b(?:(?:remains?|continues?|shall\s+continue|shall\s+remain|will\s+continue|will\s+remain)\s+(?:thereafter\s+)?"
    r"(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?for|initial\s+term\s+of|(?:term|period)\s+of|shall\s+be(?:\s+for)?|"
    r"will\s+be(?:\s+for)?|is|expire\s+on\s+the\s+(?:day|date)\s+(?:that|which)\s+is)\s+"
    r"(?:a\s+(?:term|period)\s+of\s+)?$", re.I)
#: A term that runs from another event ("one (1) year from the date of delivery") gives no expiration date.
_OTHER_START = re.compile(r"^\W*(?:(?:from|after|following)\s+|commencing\s+(?:on\s+)?(?=the\b))(?!(?:the\s+)?(?:"
                          + EFFECTIVE_TERM_RE + r"|date\s+(?:of\s+this|hereof)|(?:that|such)\s+date\b))", re.I)
_ANNIVERSARY = re.compile(
    rf"\buntil\s+the\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)|(?P<w>{ORDINAL_WORDS}))(?:\s*\(\s*\d{{1,2}}(?:st|nd|rd|th)?\s*\))?"
    r"\s+anniversary\s+of\s+the\s+" + EFFECTIVE_TERM_RE + r"\b", re.I)
_EXPIRING = re.compile(r"\b(?:(?:expir\w*|ending|ends?|terminat\w*)\s+(?:on|at)|(?:and\s+)?conclud\w*(?:\s+on)?|(?:effective|continue|remain)\s+until|until)\s+$",
                       re.I)
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
    ``other_start``: the term runs from another event than the effective date."""

    expiration: object = None
    expiration_start: int | None = None
    expiration_end: int | None = None
    expiration_text: str | None = None
    other_start: bool = False

    def expiration_evidence(self, doc: SourceDocument) -> Evidence:
        """Evidence of the stated expiration date in ``doc`` (quote = the term sentence, span = the date)."""
        return Located(self.start, self.end, self.expiration_start, self.expiration_end,
                       self.expiration_text).evidence(doc)


def find_initial_term(text: str, order: DateOrder | None = None,
                      sentences: list[Sentence] | None = None) -> StatedTerm | None:
    """The initial term ``text`` (a document's stored text) states, or None (forms: module docstring);
    ``order``: the day/month order of numeric dates; ``sentences``: ``text`` already split
    (:func:`rules.text.sentences.split_sentences`), split here when ``None``."""
    for s in (split_sentences(text) if sentences is None else sentences):
        if not _STARTS_TERM.search(s.text) or _NOT_TERM_CLAUSE.search(s.text):
            continue
        value = vs = ve = written = None
        a = _ANNIVERSARY.search(s.text)
        if a:
            n = int(a["d"]) if a["d"] else words_to_int(a["w"])
            if n:
                value, vs, ve, written = Duration(value=n, unit="years"), a.start(), a.end(), a.group(0)
        if value is None:
            for d in find_durations(s.text):
                if d.value is not None and _LENGTH_CUE.search(s.text[max(0, d.start - 60):d.start]):
                    value, vs, ve, written = d.value, d.start, d.end, d.text
                    break
        exp = next((f for f in find_dates(s.text, order=order) if f.kind == "absolute" and f.value is not None
                    and _EXPIRING.search(s.text[max(0, f.start - 25):f.start])
                    and not _OTHER_THING.search(s.text[max(0, f.start - 60):f.start])), None)
        if _LATER_OF.search(s.text):
            value = vs = ve = written = None  # the term's length depends on something else; only a stated date stands
        if value is None and exp is None:
            continue
        return StatedTerm(s.start, s.end, s.start + vs if value else None, s.start + ve if value else None, written,
                          value, exp.value if exp else None, s.start + exp.start if exp else None,
                          s.start + exp.end if exp else None, exp.text if exp else None,
                          other_start=bool(value) and bool(_OTHER_START.match(s.text[ve:])))
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


_AUTO_RENEW = re.compile(r"\b(?:shall|will)\s+(?:be\s+)?automatically\s+(?:renew|extend)\w*|\bautomatically\s+"
                         r"(?:renews?|renewed|extends?|extended)\b|\bshall\s+(?:renew|extend)\s+automatically\b", re.I)
#: The renewal must be the agreement's (or its term's), and not negated ("shall not automatically renew";
#: "time periods will be automatically extended" in a force-majeure clause; "the Lease Term shall ...").
_RENEW_SUBJECT = re.compile(r"\b(?:this\s+agreement|the\s+agreement|(?:the\s+)?(?:initial\s+)?term(?:\s+of\s+this\s+agreement)?)"
                            r"\s+(?:\w+\s+){0,6}?$", re.I)
_OTHER_RENEWAL = re.compile(r"\b(?:lease|warranty|time\s+periods?|rights|licen[cs]e\s+term|quantit\w+|period\s+equal)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no)\b[^.;]{0,20}$", re.I)
_SUCCESSIVE = re.compile(r"\b(?:successive|additional|further|consecutive|subsequent|renewal)\b", re.I)
_NOTICE_AFTER = re.compile(r"^(?:['’]s?|s['’])?\s*(?:\(\s*\)\s*)?(?:prior\s+|advance\s+)?(?:written\s+)?(?:prior\s+)?notice\b", re.I)
_NOTICE = re.compile(r"\bnotice\b|\bnon-?renewal\b", re.I)


@dataclass(frozen=True)
class StatedRenewal:
    """An automatic renewal: the sentence (document offsets ``start``/``end``, ``text``), the renewal term
    and the notice needed to stop it when the sentence states them (each a StatedDuration or None), and
    ``auto``, the words that make it automatic ("shall automatically renew") located in the sentence."""

    start: int
    end: int
    text: str
    term: StatedDuration | None
    notice: StatedDuration | None
    auto: Located


def find_renewal(text: str, sentences: list[Sentence] | None = None) -> StatedRenewal | None:
    """The automatic renewal ``text`` states: "shall automatically renew for successive renewal terms of
    one (1) year each ... unless either Party gives written notice of non-renewal at least sixty (60)
    days before the end of the then-current term" → term 1 year, notice 60 days; or None. ``sentences``:
    ``text`` already split (:func:`rules.text.sentences.split_sentences`), split here when ``None``."""
    for s in (split_sentences(text) if sentences is None else sentences):
        auto = _AUTO_RENEW.search(s.text)
        if not auto:
            continue
        head = s.text[:auto.start()]
        if _NEGATED.search(head) or not _RENEW_SUBJECT.search(head) or _OTHER_RENEWAL.search(head[-60:]):
            continue
        term = notice = None
        prev_end = auto.end()
        for d in find_durations(s.text):
            if d.value is None or d.start < auto.start():
                continue
            ds = StatedDuration(s.start, s.end, s.start + d.start, s.start + d.end, d.text, d.value)
            before = s.text[auto.end():d.start]
            is_notice = bool(_NOTICE_AFTER.match(s.text[d.end:])) or bool(
                _NOTICE.search(s.text[max(prev_end, d.start - 80):d.start]))
            after = _NOTICE_AFTER.match(s.text[d.end:])
            prev_end = d.end + (after.end() if after else 0)  # "thirty (30) days notice" belongs to that period
            if notice is None and is_notice:
                notice = ds
            elif term is None and _SUCCESSIVE.search(before[-60:]) and not is_notice:
                term = ds
        return StatedRenewal(s.start, s.end, s.text, term, notice,
                             Located(s.start, s.end, s.start + auto.start(), s.start + auto.end(), auto.group(0)))
    return None


def read_term_and_survival(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Give ``x`` (a merged extraction) the initial term, a stated expiration date, the automatic renewal
    (with its renewal term and notice) and the confidentiality survival the document states, each where
    the model gave none; mutates ``x``. Filled values are ``computed`` with a note and grounded evidence.
    A term clause's expiration date replaces an expiration without a value or a computed one. When the
    term runs from another event than the effective date, ``ctx.term_from_other_event`` is set, so no
    expiration date is computed from the effective date
    (:func:`pipeline.extraction.readers.base.fill_dependent_values`)."""
    doc = ctx.doc
    if x.initial_term is None or x.initial_term.value is None:
        t = find_initial_term(ctx.text, ctx.order, ctx.sentences)
        if t is not None:
            ctx.term_from_other_event = t.other_start
            if t.value is not None:
                x.initial_term = DurationClaim(
                    value=t.value, parsed=t.value, raw_text=t.text, computed=True,
                    note="found by code in the term clause; the model gave no initial term",
                    evidence=t.evidence(doc))
            exp = x.expiration_date
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
    """Auto-renewal, renewal term and renewal notice from the renewal clause, each where the model gave none."""
    r = find_renewal(ctx.text, ctx.sentences)
    if r is None:
        return
    note = "found by code in the renewal clause; the model gave none"
    if x.auto_renewal is None or x.auto_renewal.value is None:
        x.auto_renewal = BoolClaim(value=True, raw_text=r.auto.text, computed=True, note=note,
                                   evidence=r.auto.evidence(ctx.doc))
    for field, got in (("renewal_term", r.term), ("renewal_notice", r.notice)):
        cur = getattr(x, field)
        if got is not None and (cur is None or cur.value is None):
            setattr(x, field, DurationClaim(value=got.value, parsed=got.value, raw_text=got.text, computed=True,
                                            note=note, evidence=got.evidence(ctx.doc)))


READER = Reader("term", ("initial_term", "expiration_date", "auto_renewal", "renewal_term", "renewal_notice",
                         "confidentiality_survival"), read_term_and_survival)
