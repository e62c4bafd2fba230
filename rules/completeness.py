"""Completeness: text the model never read (failed chunks, unreadable pages) or text dropped as hidden.

Also a field left empty, a duty with a deadline or an amount of money that the text states but no extracted
value cites (K004, K005, K006). These read the document sentence by sentence as the model does
(:func:`rules.text.sentences.split_sentences`). Each rule's ``source`` names where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from rules.fields import items
from rules.registry import Hit, rule
from rules.text import MONEY
from rules.text import is_blank_date, states_date
from rules.text import NUMBER_WORDS
from rules.text import split_sentences
from rules.text import STATES_GOVERNING_LAW
from schemas import ContractExtraction, DateClaim, DurationClaim, SourceDocument

UNREAD_QUALITIES = ("no_text_layer", "gibberish")


def _pages(nums: list[int]) -> str:
    return ", ".join(str(n) for n in sorted(set(nums))) or "unknown"


@rule(
    "K001",
    title="Chunk not (fully) read by the model",
    severity="error",
    fields=("document",),
    source="a part of the contract the model did not answer for (the call failed, every retry was spent, or the "
           "answer was cut off at the output limit, as on a 300-page contract or a truncated answer): values stated "
           "there are missing, so a reviewer reads that part",
)
def chunk_failed(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for f in sorted(x.chunk_failures, key=lambda f: f.chunk_seq):
        yield Hit("document", f"chunk {f.chunk_seq} ({f.kind}) on pages {_pages(f.pages)} was not read: {f.reason}",
                  details={"chunk_seq": f.chunk_seq, "pages": sorted(set(f.pages)), "kind": f.kind})


@rule(
    "K002",
    title="Page not read (no text layer or gibberish)",
    severity="error",
    fields=("document",),
    source="a scanned page without a text layer (or with gibberish for text): nothing on it is extracted or checked,"
           " so it must not pass unseen",
)
def page_unread(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    bad = [p for p in doc.pages if p.quality in UNREAD_QUALITIES]
    if bad:
        kinds = sorted({p.quality for p in bad})
        yield Hit("document", f"pages {_pages([p.number for p in bad])} not read ({', '.join(kinds)})",
                  details={"pages": [p.number for p in bad]})


@rule(
    "K007",
    title="Pages read by OCR",
    severity="warning",
    fields=("document",),
    source="a scanned contract read by OCR: OCR may misread a digit or a name, and grounding checks values against "
           "the OCR text, not against the page image a reviewer sees",
)
def pages_read_by_ocr(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    ocr = [p.number for p in doc.pages if p.quality == "ocr"]
    if ocr:
        yield Hit("document", f"pages {_pages(ocr)} were read by OCR: check the values against the page images",
                  details={"pages": ocr})


@rule(
    "K008",
    title="Page text runs in several directions: reading order not established",
    severity="warning",
    fields=("document",),
    source="a fee table on a rotated page read out of order: a page read in the frame of its main text direction is "
           "in order only when that direction carries most of its text (pipeline.reading.pdf, DIRECTION_MIN_SHARE); "
           "text in several directions or slanted may be given to the model out of order",
)
def reading_order_unsure(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    pages = [p.number for p in doc.pages if p.quality == "unsure_order"]
    if pages:
        yield Hit("document", f"pages {_pages(pages)} hold text in several directions (or slanted): the order in "
                              f"which their lines and table cells were read may not be the order on the page; check "
                              f"the values from these pages against the page images", details={"pages": pages})


@rule(
    "K003",
    title="Hidden text dropped from pages",
    severity="warning",
    fields=("document",),
    source="text a reader of the page cannot see (invisible, white on white, in a tiny font or outside the page) "
           "is dropped before extraction, so no value is read from a clause hidden that way; the reviewer is warned "
           "that the file holds such text",
)
def hidden_text(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    pages = [p for p in doc.pages if p.hidden_text]
    if pages:
        mechanisms = sorted({h.mechanism for p in pages for h in p.hidden_text})
        yield Hit("document", f"hidden text dropped from pages {_pages([p.number for p in pages])} "
                              f"({', '.join(mechanisms)}); it was not given to the model",
                  details={"pages": [p.number for p in pages], "mechanisms": mechanisms})


_NUM = rf"(?:\d+|{NUMBER_WORDS})"
_DURATION = rf"\b{_NUM}\b[^.;]{{0,12}}?\b(?:business\s+)?(?:hour|day|week|month|year)s?\b"

STATED_CUES: dict[str, tuple[str, ...]] = {
    # field → regexes that must ALL match within one sentence of the text for the field to count as stated
    # "This Agreement is effective as of ...": not "notice shall be effective on receipt"
    "effective_date": (r"[\"“]effective\s+date[\"”]|\bagreement\b[^.;]{0,80}\beffective\s+(?:as\s+of|on)\s+\w+",),
    "initial_term": (r"\binitial\s+term\b|\bterm\s+of\s+this\s+agreement\b|\b(?:continue|remain)s?\s+in\s+"
                     r"(?:full\s+)?(?:force|effect)\b|\bcontinues?\s+(?:until|for)\b",
                     rf"{_DURATION}|\banniversary\b"),
    # an expiration date follows from a stated term even when no end date is written (it is then computed)
    "expiration_date": (r"\binitial\s+term\b|\bterm\s+of\s+this\s+agreement\b|\bcontinues?\s+(?:until|for)\b|"
                        r"\bexpir", rf"{_DURATION}|\banniversary\b|\b(?:19|20)[0-9]{{2}}\b"),
    "renewal_term": (r"\brenew|\bextend", r"\bsuccessive\b|\badditional\b|\bfurther\b|\brenewal\s+term",
                     _DURATION),
    "renewal_notice": (r"\brenew|\bextend|\bextension", r"\bnotice\b", _DURATION),  # "shall automatically extend"
    "governing_law": STATES_GOVERNING_LAW,
    "confidentiality_survival": (r"\bsurviv", r"\bconfidential|\bdisclos|\bobligations\b|\bsections?\b|\bclauses?\b",
                                 _DURATION),
    "payment_terms": (r"\binvoice", r"\bwithin\b", _DURATION),
    "liability_cap": (r"\bliabilit", r"\b(?:capped|exceed|limited\s+to|maximum\s+aggregate|in\s+no\s+event)\b"),
}
"""Cue patterns per field; sources: the relevance cue words per field (:mod:`rules.cues`) and the recorded
answers of the default model on samples/mutual_nda.pdf, which left the effective date, the term and the
confidentiality survival out although the text states them ("not stated" must not pass silently when it is
stated)."""

FALLBACK_CUES: dict[str, tuple[str, ...]] = {
    # tried only when STATED_CUES finds no sentence: "not disclose ... for four (4) years after its termination"
    "confidentiality_survival": (r"\bafter\s+(?:its|the|such|any)?\s*(?:termination|expiry|expiration)\b",
                                 r"\bconfidential|\bnot\s+(?:at\s+any\s+time\s+)?\S*\s*disclose", _DURATION),
}


@lru_cache(maxsize=4)
def _sentences(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, sentence)`` of every sentence of the document text, as the model reads it
    (:func:`rules.text.sentences.split_sentences`: table rows, headings and list items are sentences of
    their own); cached, as K004, K005 and K006 each read the same document more than once."""
    return tuple((s.start, s.end, s.text) for s in split_sentences(text))


def _stated_span(text: str, patterns: tuple[str, ...]) -> tuple[int, int, str] | None:
    for a, b, s in _sentences(text):
        if all(re.search(p, s, re.IGNORECASE) for p in patterns):
            return a, b, s
    return None


def stated_sentence(text: str, field: str) -> tuple[int, int, str] | None:
    """``(start, end, sentence)`` of the first sentence of ``text`` that seems to state ``field`` (a key of
    :data:`STATED_CUES`: every cue pattern of the field matches within the sentence, or else every pattern
    of :data:`FALLBACK_CUES`); offsets into ``text``, the sentence as written. ``None`` when no sentence
    does. Raises KeyError for a field without cues."""
    found = _stated_span(text, STATED_CUES[field])
    if found is None and field in FALLBACK_CUES:
        found = _stated_span(text, FALLBACK_CUES[field])
    return found


def stated_in(text: str, field: str) -> str | None:
    """The sentence :func:`stated_sentence` finds for ``field``, whitespace folded; ``None`` when no
    sentence seems to state it. Raises KeyError for a field without cues."""
    found = stated_sentence(text, field)
    return " ".join(found[2].split()) if found else None


def missing_but_stated(x: ContractExtraction, doc: SourceDocument) -> list[tuple[str, int, int, str]]:
    """``(field, start, end, sentence)`` for every field of :data:`STATED_CUES` that ``x`` leaves empty (no
    claim, or a date or duration claim with no value read: "the last day in February" as written, no date)
    although a sentence of ``doc.text`` seems to state it (:func:`stated_sentence`; offsets into
    ``doc.text``), in the order of :data:`STATED_CUES`. Not listed: the renewal fields when the extraction
    says the term does not renew, and an effective date whose sentence leaves the date blank ("made this
    day of , 2009"). Empty when nothing was read (chunks failed and no party extracted)."""
    if x.chunk_failures and not x.parties:
        return []
    out = []
    for field in STATED_CUES:
        claim = getattr(x, field)
        if claim is not None and not (isinstance(claim, (DateClaim, DurationClaim)) and claim.value is None
                                      and claim.parsed is None):
            continue
        if field in ("renewal_notice", "renewal_term") and x.auto_renewal is not None and x.auto_renewal.value is False:
            continue
        found = stated_sentence(doc.text, field)
        if found is None or (field == "effective_date" and is_blank_date(found[2])):
            continue
        out.append((field, *found))
    return out


@rule(
    "K004",
    title="Field left empty although the text appears to state it",
    severity="warning",
    fields=tuple(STATED_CUES),
    source="every value carries its evidence and a value the text does not state is 'not stated', never invented: a "
           "field the text appears to state but the extraction left empty must reach a reviewer",
)
def stated_but_missing(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for field, _start, _end, sentence in missing_but_stated(x, doc):
        sentence = " ".join(sentence.split())
        yield Hit(field, f"{field.replace('_', ' ')} not extracted, but the text seems to state it: "
                         f"{sentence[:160]!r}")


#: A duty: a modal verb, or a payment stated as due ("payment is due within two (2) calendar quarters").
@rule(
    "K009",
    title="Value answered by a second question about one sentence",
    severity="warning",
    fields=(*STATED_CUES, "obligations", "fees"),
    source="hand-written answers a small model plausibly gives when asked about one sentence: a notice period as "
           "the initial term, the renewal of a Statement of Work as the agreement's; such a value replaces K004's "
           "warning on the same field, so a reviewer confirms a value instead of looking for one (a duty or fee "
           "asked about a sentence of K005 or K006 likewise)",
)
def asked_value(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for field in STATED_CUES:
        claim = getattr(x, field)
        ev = getattr(claim, "evidence", None)
        if claim is not None and ev is not None and ev.asked:
            yield Hit(field, f"{field.replace('_', ' ')} was left out by the first reading and answered when the "
                             f"model was asked about this one sentence: confirm it", ev)
    for it in items(x):
        if it.field in ("obligations", "fees") and it.evidence is not None and it.evidence.asked:
            what = "duty" if it.field == "obligations" else "fee"
            yield Hit(it.path, f"this {what} was left out by the first reading and answered when the model was "
                               f"asked about this one sentence: confirm it", it.evidence)


_MODAL = re.compile(r"\b(?:shall|must|will|may|agrees?\s+to|undertakes?\s+to)\b|\b(?:is|are|becomes?)\s+(?:due|payable)\b",
                    re.I)
#: A deadline in quarters: "two (2) calendar quarters", "after each fiscal quarter", "the last day of the third fiscal
#: quarter" (a quarter is three months; a fiscal one needs the fiscal calendar, rules.text.quarters); not a mere
#: mention ("for such Calendar Quarter") nor the quarter of something else ("during each quarter of each home game").
_QUARTERS = re.compile(rf"(?<![\d.])\b{_NUM}\b[^.;]{{0,12}}?\bquarters?\b"
                       r"|\b(?:each|every|per)\s+(?:fiscal\s+|calendar\s+)?quarter\b(?!\s+of\s+(?:each|every|a|an|any)\b)"
                       r"|\b(?:end|close|last\s+day|first\s+day)\s+of\s+(?:the|each|every|such|any|a)\s+(?:\w+\s+){0,2}quarter\b",
                       re.I)
_DEADLINE_CUE = re.compile(rf"{_DURATION}|{_QUARTERS.pattern}|\b(?:on\s+or\s+before|no\s+later\s+than|not\s+later\s+than)\b",
                           re.I)
#: A dated clause counts when it binds something to the date ("rates are fixed until 31 December 2022"); a
#: signature line ("Date: March 2, 2021"), a recital ("an agreement dated ...") or a release date does not.
_DATE_BINDS = re.compile(r"\bby\s+(?=\w)|\b(?:until|no\s+later\s+than|not\s+later\s+than|on\s+or\s+(?:before|after)|before|after|"
                         r"expir\w*|due|deadline|commenc\w*|terminat\w*|fixed|valid|in\s+effect|through)\b", re.I)
_MAX_LISTED = 5


def _covered(x: ContractExtraction, start: int, end: int, want_amount: bool = False) -> bool:
    """Whether an extracted value's evidence overlaps text[start:end]; with ``want_amount`` only values
    that carry an amount of money count (fees with an amount, a cap amount, a termination fee)."""
    for it in items(x):
        ev = it.evidence
        if it.value is None or ev is None or ev.start is None or ev.end is None or ev.end <= start or ev.start >= end:
            continue  # a key date the text gives no date for covers nothing
        if not want_amount:
            return True
        obj = it.obj
        if getattr(obj, "amount", None) is not None or getattr(obj, "fee", None) is not None:
            return True
    return False


def _uncovered(x: ContractExtraction, doc: SourceDocument, *tests: Callable[[str], object],
               want_amount: bool = False) -> list[tuple[int, int, str]]:
    """``(start, end, sentence)`` of each sentence that passes every test and that no extracted value's
    evidence overlaps (see :func:`_covered`)."""
    return [(a, b, s) for a, b, s in _sentences(doc.text)
            if all(t(s) for t in tests) and not _covered(x, a, b, want_amount)]


def _timed(obj) -> bool:
    """Whether an extracted value carries a time: a deadline with a date, period or day of the month, a date,
    a duration, a notice period, payment days or a due date."""
    dl = getattr(obj, "deadline", None)
    if dl is not None:
        return dl.date is not None or dl.duration is not None or dl.day_of_month is not None
    if getattr(obj, "notice", None) is not None or getattr(obj, "days", None) is not None:
        return True
    if getattr(obj, "due_date", None) is not None:
        return True
    v = getattr(obj, "value", None)
    return v is not None and not isinstance(v, (bool, str))


def _untimed_quarter_deadlines(x: ContractExtraction, doc: SourceDocument) -> list[tuple[int, int, str]]:
    """Sentences stating a duty with a deadline in quarters that values cite but none of them with a time
    (the model's deadline was dropped: "quarters" is no unit it can give, a fiscal quarter's date is unknown)."""
    out = []
    for a, b, s in _sentences(doc.text):
        if not (_MODAL.search(s) and _QUARTERS.search(s)) or not _covered(x, a, b):
            continue
        if not any(_timed(it.obj) for it in items(x) if it.evidence is not None and it.evidence.start is not None
                   and it.evidence.end is not None and it.evidence.start < b and it.evidence.end > a):
            out.append((a, b, s))
    return out


def uncovered_deadlines(x: ContractExtraction, doc: SourceDocument) -> list[tuple[int, int, str]]:
    """``(start, end, sentence)`` (offsets into ``doc.text``, the sentence as written) of each sentence rule
    K005 reports, in this order: a duty with a deadline or notice period that no extracted value cites, a
    duty with a deadline in quarters whose citing values kept no time, a clause that binds something to a
    date that no value cites. Empty when nothing was read (chunks failed and no party extracted)."""
    if x.chunk_failures and not x.parties:
        return []
    found = _uncovered(x, doc, _MODAL.search, _DEADLINE_CUE.search)
    found += _untimed_quarter_deadlines(x, doc)
    seen = set(_folded(found))
    found += [f for f in _uncovered(x, doc, _DATE_BINDS.search, states_date) if " ".join(f[2].split()) not in seen]
    return found


def uncovered_amounts(x: ContractExtraction, doc: SourceDocument) -> list[tuple[int, int, str]]:
    """``(start, end, sentence)`` (offsets into ``doc.text``) of each sentence or table row that states an
    amount of money (:data:`rules.text.MONEY`) that no extracted fee, cap or termination fee with an amount
    cites: the sentences rule K006 reports. Empty when nothing was read."""
    if x.chunk_failures and not x.parties:
        return []
    return _uncovered(x, doc, MONEY.search, want_amount=True)


def _folded(found: list[tuple[int, int, str]]) -> list[str]:
    return [" ".join(s.split()) for _a, _b, s in found]


def _listed(sentences: list[str]) -> str:
    shown = "; ".join(repr(s[:120]) for s in sentences[:_MAX_LISTED])
    more = f" and {len(sentences) - _MAX_LISTED} more" if len(sentences) > _MAX_LISTED else ""
    return shown + more


@rule(
    "K005",
    title="Duty with a deadline, or a dated clause, that no extracted value covers",
    severity="warning",
    fields=("obligations",),
    source="every value carries its evidence and nothing is dropped silently: duties with a deadline (10 business "
           "days to return data), notice periods, rates fixed until a date and deadlines stated in fiscal quarters "
           "that the default model left out, or cited by a value that kept no time",
)
def deadline_not_extracted(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    found = _folded(uncovered_deadlines(x, doc))
    if found:
        yield Hit("obligations", f"{len(found)} sentence(s) state a duty with a deadline or notice period, or a "
                                 f"date, that no extracted value cites: {_listed(found)}",
                  details={"sentences": found})


@rule(
    "K006",
    title="Amount of money that no extracted fee, cap or termination fee covers",
    severity="warning",
    fields=("fees",),
    source="fees and fee tables are extracted fields and nothing is dropped silently: milestone amounts, a monthly "
           "fee and an annual fee that the default model left without an amount",
)
def amount_not_extracted(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    found = _folded(uncovered_amounts(x, doc))
    if found:
        yield Hit("fees", f"{len(found)} sentence(s) or table row(s) state an amount of money that no extracted "
                          f"value holds: {_listed(found)}", details={"sentences": found})
