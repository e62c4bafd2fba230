"""Grounding: tie every evidence to its exact place in the stored document text.

The model only cites sentence ids and a short value span; code sets everything else and never
trusts the model's offsets. Match status of a span or quote, in order of preference:

- ``exact``: the text occurs byte for byte.
- ``normalized``: it occurs after ``rules.text.normalize.normalize_for_matching`` on both sides
  (curly quotes, dashes, whitespace and line breaks, ligatures: only typography),
  first case-sensitive, then ignoring case. Offsets are mapped back to the exact original span.
- ``fuzzy``: a near match of a contiguous window, accepted only when all of these hold
  (never accept a quote because most of its words appear somewhere):
  score ``rapidfuzz.fuzz.partial_ratio_alignment`` >= ``FUZZY_MIN_SCORE`` (92) on normalized,
  lower-cased text; the span has at least ``FUZZY_MIN_CHARS`` (12) characters; the window's
  length is within 10 % of the span's; the numbers (digit runs) are the same on both sides; and no
  difference between them (inserted, deleted or replaced run of the Levenshtein alignment)
  contains 3 or more letters or digits, so a missing "not", an invented tail or a paraphrase is
  never fuzzy while a hyphenation remnant ("noti- fication"), an OCR slip or a dropped comma is.
- ``not_found``: otherwise, or when a cited sentence id does not exist.

A padded quote (a true sentence plus an invented tail) is therefore ``not_found``: its tail is a
difference of many letters. An invented sentence is ``not_found``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from rules.text import Sentence
from rules.text import find_normalized, normalize_for_matching
from schemas import Evidence, MatchStatus, Rect, SourceDocument

FUZZY_MIN_SCORE = 92.0
FUZZY_MIN_CHARS = 12
FUZZY_MAX_LENGTH_DIFF = 0.10
_MAX_DIFF_ALNUM = 3  # a difference holding this many letters/digits in a row is a different wording

_DIGITS = re.compile(r"\d+")
_ALNUM_RUN = re.compile(rf"[^\W_]{{{_MAX_DIFF_ALNUM},}}")


@dataclass(frozen=True)
class QuoteMatch:
    """Where a text was found: document offsets ``[start, end)`` (``None`` when not found),
    the ``match`` status, the fuzzy ``score`` (0-100, fuzzy only) and, for a rejected near match,
    the ``unmatched`` pieces of the quote that the source does not contain (for the reviewer)."""

    start: int | None
    end: int | None
    match: MatchStatus
    score: float | None = None
    unmatched: list[str] = field(default_factory=list)


def _differences(needle: str, window: str) -> tuple[list[str], list[str]]:
    """Runs of ``needle`` not in ``window`` and runs of ``window`` not in ``needle``."""
    ops = Levenshtein.opcodes(needle, window)
    ours, theirs = [], []
    for op in ops:
        if op.tag == "equal":
            continue
        if op.src_end > op.src_start:
            ours.append(needle[op.src_start:op.src_end])
        if op.dest_end > op.dest_start:
            theirs.append(window[op.dest_start:op.dest_end])
    return ours, theirs


def _missing_words(needle: str, window: str) -> list[str]:
    """Phrases of ``needle`` (runs of words) that do not occur in ``window``, for the reviewer."""
    a, b = needle.split(), window.split()
    out, covered = [], [False] * len(a)
    for blk in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for i in range(blk.a, blk.a + blk.size):
            covered[i] = True
    run: list[str] = []
    for w, c in zip(a, covered):
        if c and run:
            out.append(" ".join(run))
            run = []
        elif not c:
            run.append(w)
    if run:
        out.append(" ".join(run))
    return out


def _trim_window(needle: str, hay: str, a: int, b: int) -> tuple[int, int]:
    """Widen ``hay[a:b]`` by 10 % on each side, then drop the hay-only characters at both ends."""
    pad = max(2, len(needle) // 10)
    a2, b2 = max(0, a - pad), min(len(hay), b + pad)
    ops = Levenshtein.opcodes(needle, hay[a2:b2])
    lo, hi = a2, b2
    if ops and ops[0].tag == "insert":
        lo = a2 + ops[0].dest_end
    if ops and ops[-1].tag == "insert":
        hi = a2 + ops[-1].dest_start
    return lo, hi


def _fuzzy(needle: str, haystack: str) -> QuoteMatch:
    """Fuzzy search of ``needle`` in ``haystack``; offsets into ``haystack``. See module docstring."""
    n = normalize_for_matching(needle, lowercase=True).text
    hay = normalize_for_matching(haystack, lowercase=True)
    if len(n) < FUZZY_MIN_CHARS or len(n) > len(hay.text) * (1 + FUZZY_MAX_LENGTH_DIFF):
        return QuoteMatch(None, None, MatchStatus.NOT_FOUND)
    al = fuzz.partial_ratio_alignment(n, hay.text)
    if al is None or al.score < 50:
        return QuoteMatch(None, None, MatchStatus.NOT_FOUND, score=al.score if al else None)
    lo, hi = _trim_window(n, hay.text, al.dest_start, al.dest_end)
    window = hay.text[lo:hi]
    score = fuzz.ratio(n, window)
    ours, theirs = _differences(n, window)
    unmatched = _missing_words(n, window)
    ok = (
        score >= FUZZY_MIN_SCORE
        and hi > lo
        and abs(len(window) - len(n)) <= FUZZY_MAX_LENGTH_DIFF * len(n)
        and _DIGITS.findall(n) == _DIGITS.findall(window)
        and not any(_ALNUM_RUN.search(d) for d in ours + theirs)
    )
    if not ok:
        return QuoteMatch(None, None, MatchStatus.NOT_FOUND, score=score, unmatched=unmatched)
    s, e = hay.source_span(lo, hi)
    return QuoteMatch(s, e, MatchStatus.FUZZY, score=score, unmatched=unmatched)


def _exact_or_normalized(needle: str, haystack: str) -> QuoteMatch | None:
    """``needle`` (stripped, not empty) in ``haystack`` exactly, else after normalization (case-sensitive, then
    not); ``None`` when neither: never fuzzy."""
    pos = haystack.find(needle)
    if pos >= 0:
        return QuoteMatch(pos, pos + len(needle), MatchStatus.EXACT)
    for lowercase in (False, True):
        span = find_normalized(haystack, needle, lowercase=lowercase)
        if span:
            return QuoteMatch(span[0], span[1], MatchStatus.NORMALIZED)
    return None


def find_in(needle: str, haystack: str) -> QuoteMatch:
    """Find ``needle`` in ``haystack``: exact, then normalized (case-sensitive, then not), then
    fuzzy; offsets are into ``haystack``. An empty needle is ``not_found``."""
    needle = needle.strip()
    if not needle:
        return QuoteMatch(None, None, MatchStatus.NOT_FOUND)
    return _exact_or_normalized(needle, haystack) or _fuzzy(needle, haystack)


def locate_quote(quote: str, doc: SourceDocument) -> QuoteMatch:
    """Find a free quote (a model-given quote, a reviewer's correction) in the whole document.

    Returns document offsets into ``doc.text`` and the match status (exact -> normalized ->
    fuzzy -> not_found, see the module docstring): a straight-quote copy of a curly-quote source is
    ``normalized``; a padded or invented quote is ``not_found``.
    """
    return find_in(quote, doc.text)


def rects_for_span(layout, start: int, end: int) -> list[tuple[float, float, float, float]]:
    """Rectangles (PDF points) covering characters ``[start, end)`` on one page.

    ``layout`` is a page's word list (``PageText.words`` with page offsets, or
    :func:`layout_in_document` rows with document offsets; the span must use the same kind).
    A word cut by the span is clipped in proportion to its characters. Boxes on one line are merged.
    """
    out: list[list[float]] = []
    for s, e, x0, y0, x1, y1 in layout:
        if e <= start or s >= end:
            continue
        n = max(e - s, 1)
        a = max(start, s) - s
        b = min(end, e) - s
        w = x1 - x0
        rx0 = x0 + w * a / n
        rx1 = x0 + w * b / n
        if out:
            last = out[-1]
            h = min(last[3] - last[1], y1 - y0)
            overlap = min(last[3], y1) - max(last[1], y0)
            if h > 0 and overlap >= 0.5 * h and -1 <= rx0 - last[2] <= 3 * h:
                last[0] = min(last[0], rx0)
                last[1] = min(last[1], y0)
                last[2] = max(last[2], rx1)
                last[3] = max(last[3], y1)
                continue
        out.append([rx0, y0, rx1, y1])
    return [tuple(r) for r in out]  # type: ignore[misc]


def _rects_on(layout: list[list[float]], start: int, end: int, page: int) -> list[Rect]:
    out = []
    for r in rects_for_span(layout, start, end):
        if isinstance(r, Rect):
            out.append(r if r.page == page else r.model_copy(update={"page": page}))
        else:
            x0, y0, x1, y1 = (float(v) for v in list(r)[:4])
            out.append(Rect(page=page, x0=x0, y0=y0, x1=x1, y1=y1))
    return out


def rects_for(doc: SourceDocument, start: int, end: int) -> list[Rect]:
    """Highlight rectangles of document span ``[start, end)`` on every page it covers."""
    out: list[Rect] = []
    for p in doc.pages:
        s, e = max(start, p.start), min(end, p.end)
        if s < e and p.layout:
            out.extend(_rects_on(p.layout, s, e, p.number))
    return out


def _regions(cited: list[Sentence]) -> list[tuple[int, int]]:
    """Document spans of the cited sentences, consecutive ids joined into one region."""
    regions: list[list[int]] = []
    prev_id = None
    for s in sorted(cited, key=lambda s: s.id):
        if regions and prev_id is not None and s.id == prev_id + 1:
            regions[-1][1] = max(regions[-1][1], s.end)
        else:
            regions.append([s.start, s.end])
        prev_id = s.id
    return [(a, b) for a, b in regions]


NEIGHBOUR_WINDOW = 2
"""How many sentences before and after a cited one are searched when the span is not in it.

Source: the default 1.5B model's recorded answers on samples/mutual_nda.pdf cite the sentence next to the
right one for most values (ids off by one in both directions) while copying the span exactly.
"""


def _neighbour(span: str, cited_ids: list[int], sentences: list[Sentence],
               doc: SourceDocument) -> tuple[Sentence, QuoteMatch] | None:
    """The nearest sentence within :data:`NEIGHBOUR_WINDOW` of a cited one that holds ``span``
    exactly or after normalization (never fuzzily), nearest first, earlier first on ties."""
    by_id = {s.id: s for s in sentences}
    for distance in range(1, NEIGHBOUR_WINDOW + 1):
        for cid in cited_ids:
            for nid in (cid - distance, cid + distance):
                sent = by_id.get(nid)
                if sent is None or nid in cited_ids:
                    continue
                m = _exact_or_normalized(span.strip(), doc.text[sent.start:sent.end])
                if m is not None:
                    return sent, m
    return None


FAR_MIN_WORDS = 4
"""The fewest words a span needs to be moved to a sentence of the chunk beyond :data:`NEIGHBOUR_WINDOW`
(and then only when no other sentence of the chunk holds it): a span that long, found once, names its place.
A short span (a date, a place) found far from the sentence cited stays not found: the sentence cited is
often the one the value should come from (the preamble's date) and the span another one (a signature date).

Source: the default 1.5B model's recorded answers on 12 CUAD contracts (``tests/recordings/eval-random7``)
copy an obligation's span exactly and cite a sentence several places away in 35 of its values; moving short
spans too (at least 8 characters: '1/26/2020') hid 5 of the 7 wrong values that only this finding flagged.
"""


def _far(span: str, sentences: list[Sentence], doc: SourceDocument) -> tuple[Sentence, QuoteMatch] | None:
    """The one sentence of ``sentences`` that holds ``span`` exactly or after normalization, when the span
    has at least :data:`FAR_MIN_WORDS` words and no other sentence holds it; else ``None``."""
    if len(span.split()) < FAR_MIN_WORDS:
        return None
    span = span.strip()
    found = [(s, m) for s in sentences if (m := _exact_or_normalized(span, doc.text[s.start:s.end])) is not None]
    return found[0] if len(found) == 1 else None


def ground_evidence(evidence: Evidence, sentences: list[Sentence], doc: SourceDocument) -> Evidence:
    """A copy of ``evidence`` grounded in ``doc``.

    ``sentences`` are those the ids refer to (the chunk's, with document offsets). Sets:
    ``quote`` = ``doc.text[start:end]`` where ``start``/``end`` span the cited sentences (ids that
    exist; if any cited id does not exist, or none is cited, ``match`` is ``not_found``);
    ``value_start``/``value_end``/``match`` = the value ``span`` searched within the cited
    sentences only (consecutive sentences searched as one region): exact -> normalized -> fuzzy
    -> not_found; with no span, ``match`` stays ``None`` for valid ids; ``page`` = page of the
    value's start if found, else of the quote's start (the first page when it crosses a break);
    ``rects`` = rectangles of the value span (else of the quote) on every page it covers.
    When the span is not in the cited sentences (or only fuzzily) but is exactly (or normalized) in a
    sentence within :data:`NEIGHBOUR_WINDOW` of one, or else in exactly one sentence of ``sentences`` and
    the span has at least :data:`FAR_MIN_WORDS` words, the evidence is moved there: ``sentence_ids``
    names that sentence, ``cited_sentence_ids`` keeps what the model cited (rule G004 reports it).
    """
    by_id = {s.id: s for s in sentences}
    ids = list(evidence.sentence_ids)
    cited = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    invalid = not ids or len(cited) != len(set(ids))
    upd: dict = {"quote": None, "start": None, "end": None, "value_start": None, "value_end": None,
                 "page": None, "rects": [], "match": None}
    if cited:
        start, end = min(s.start for s in cited), max(s.end for s in cited)
        upd.update(quote=doc.text[start:end], start=start, end=end)
    if invalid:
        upd["match"] = MatchStatus.NOT_FOUND
    elif evidence.span and evidence.span.strip():
        best = QuoteMatch(None, None, MatchStatus.NOT_FOUND)
        rank = [MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY, MatchStatus.NOT_FOUND]
        for a, b in _regions(cited):
            m = find_in(evidence.span, doc.text[a:b])
            if rank.index(m.match) < rank.index(best.match):
                best = QuoteMatch(a + m.start, a + m.end, m.match, m.score, m.unmatched) if m.start is not None else m
            if best.match == MatchStatus.EXACT:
                break
        upd["match"] = best.match
        if best.start is not None:
            upd.update(value_start=best.start, value_end=best.end)
    if not invalid and upd["match"] in (MatchStatus.FUZZY, MatchStatus.NOT_FOUND) and evidence.span:
        moved = _neighbour(evidence.span, [s.id for s in cited], sentences, doc) or _far(evidence.span, sentences, doc)
        if moved is not None:
            sent, m = moved
            upd.update(quote=doc.text[sent.start:sent.end], start=sent.start, end=sent.end,
                       value_start=sent.start + m.start, value_end=sent.start + m.end, match=m.match,
                       sentence_ids=[sent.id], cited_sentence_ids=ids)
    anchor = upd["value_start"] if upd["value_start"] is not None else upd["start"]
    if anchor is not None:
        upd["page"] = doc.page_of(anchor)
        a, b = (upd["value_start"], upd["value_end"]) if upd["value_start"] is not None else (upd["start"], upd["end"])
        upd["rects"] = rects_for(doc, a, b)
    return evidence.model_copy(update=upd)


def evidence_found_by_code(doc: SourceDocument, start: int, end: int, value_start: int, value_end: int) -> Evidence:
    """Evidence for a value that code itself located in ``doc`` (the field readers,
    :meth:`pipeline.extraction.readers.base.Located.evidence`): ``quote`` = ``doc.text[start:end]`` (the
    sentence, definition or table row), ``span`` = ``doc.text[value_start:value_end]`` (the value as
    written), page and rectangles of the span, ``match`` exact; no sentence ids (the model cited none).
    Offsets are document offsets."""
    return Evidence(span=doc.text[value_start:value_end], quote=doc.text[start:end], start=start, end=end,
                    value_start=value_start, value_end=value_end, page=doc.page_of(value_start),
                    rects=rects_for(doc, value_start, value_end), match=MatchStatus.EXACT)
