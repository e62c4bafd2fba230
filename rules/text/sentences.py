"""Sentence splitting with exact document offsets, for citing evidence by sentence id.

The model cites sentence ids instead of copying quotes; grounding then takes
the quote from the source by these offsets. So every sentence satisfies
``document[s.start:s.end] == s.text`` (``base`` added to offsets within the given text).

How sentences are found:

1. Units. The text is cut into units at line level first: a blank line (or form feed) ends a
   unit unless the text before it has no closing punctuation and either the text after it starts in
   lower case or the text before ends with a joining word ("the", "and", "of", a comma): a
   sentence continued across a page break; nor where a party's name is cut there ("... is between
   Northwind Trading" / "Company, LLC, a Texas ..."); a table row (a line containing ``" | "``) is a unit
   of its own; a line starting with a section or list marker ("4.2 ", "1. ", "(a) ", "a) ", "•")
   starts a unit; a short line in a block of long lines (a heading, a page number or a form field
   such as "Subscription Start Date: March 1st, 2021") ends a unit, unless a party's name goes on
   in the next line.
2. Sentences. Each unit is split by NLTK's Punkt model for English (the ``punkt_tab`` parameters
   bundled with llama-index-core, read from disk: nothing is downloaded), extended with the
   abbreviations contracts use so that "Inc.", "Co.", "Corp.", "Ltd.", "No.", "U.S.", "e.g.",
   "i.e.", "Sec.", "Art.", "Cl." do not end a sentence. Numbers such as "1.1" or "10.2" are
   single tokens in Punkt and never split; a bare marker that Punkt cuts off ("1." before
   "DEFINITIONS") is joined to the sentence after it.
   A unit longer than ``MAX_PUNKT_CHARS`` is handed to Punkt in windows (:func:`punkt_spans`), so that the
   cost grows linearly with the text and no regular-expression call meets NLTK's time limit.
3. Long sentences. A sentence over ``MAX_SENTENCE_CHARS`` (400) characters is split after
   ``;`` where both parts keep at least 80 characters, so that one citation does not drag
   a whole page of clauses into a quote.

Leading and trailing whitespace is never part of a sentence; empty units are dropped.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rules.text.names import ENTITY_SUFFIX
from schemas import ClausewiseError

MAX_SENTENCE_CHARS = 400
MIN_SPLIT_PART_CHARS = 80
SHORT_LINE_RATIO = 0.6

MAX_PUNKT_CHARS = 100_000
"""Longest text handed to the Punkt tokenizer in one call. NLTK (3.10) runs Punkt's regular expressions under
a wall-clock limit of 5 s per call (``nltk.redos.DEFAULT_TIMEOUT``) and raises ``TimeoutError`` past it: one
line of 1,000,000 characters of short sentences ("Paid. Due. Net 30. ") took 6.6 s and raised, 5.3 MB of
ordinary clauses 4.6 s, on 2 CPU cores here; 100,000 characters of the short sentences take 0.7 s. The longest
CUAD text (338,211 bytes) is a few such windows."""

#: Abbreviations (lower case, without the final period) that never end a sentence in contracts.
CONTRACT_ABBREVIATIONS = frozenset(
    {
        "inc", "co", "corp", "ltd", "llc", "l.l.c", "plc", "no", "nos", "u.s", "u.s.a", "u.k", "e.g", "i.e",
        "sec", "secs", "art", "arts", "cl", "para", "paras", "sch", "approx", "etc", "incl", "vs", "v",
        "jr", "sr", "mr", "mrs", "ms", "dr", "st", "n.a", "s.a", "b.v", "n.v", "gmbh", "pty", "pte", "fig",
        "sdn", "bhd", "ltda", "s.p.a", "s.r.l", "s.l", "k.k", "s.a.s",
    }
)

_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*|\f\s*")
_LIST_MARKER = re.compile(
    r"(?:\d{1,3}(?:\.\d{1,3})+\.?\s|\d{1,3}\.\s+[A-Z]|\((?:[a-z]{1,4}|\d{1,2}|[A-Z])\)\s|[a-z]\)\s|[•▪◦●\-–*]\s"
    r"|(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)\s+\d)"
)
_BARE_MARKER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*\.?|\(?[a-zA-Z0-9]{1,4}\)|[a-z]\.|[IVXivx]{1,5}\.)")
_CLOSING = ".:;!?)\"'”’]"
_CONTINUES = re.compile(r"(?:[,\-–]|\b(?:and|or|of|the|a|an|to|in|by|for|with|on|at|shall|may)\s*)$", re.I)
#: The rest of a company name at the start of a line or page: capitalised words ending in a corporate suffix,
#: then a comma or a parenthesis ("Company, LLC, a Texas ...", "Holdings, Inc. (\"Acme\") ...").
_NAME_REST = re.compile(r"(?:[A-Z][\w&'’\-]*[ \t]+){0,2}?(?:[A-Z][\w&'’\-]*,?[ \t]+)?" + ENTITY_SUFFIX
                        + r"[ \t]*[,(;]")
#: The start of a party's name at the end of a line or page: a word that introduces a party ("between",
#: "and", "by") and up to six capitalised words.
_NAME_START = re.compile(r"\b(?i:between|among|and|with|by|to|from)[ \t]+(?:[A-Z][\w&'’.\-]*[ \t]+){0,5}"
                         r"[A-Z][\w&'’\-]*[ \t]*$")


def _name_goes_on(prev: str, nxt: str) -> bool:
    """A party's name cut at a line or page end: the last line of ``prev`` ends in the start of a name
    (:data:`_NAME_START`: "... is between Northwind Trading") and ``nxt`` starts with its rest
    (:data:`_NAME_REST`: "Company, LLC, a Texas limited liability company ..."), both in capitals or the
    first not: a heading in capitals ("... CONSENT TO PARTIAL ASSIGNMENT") is no name cut short."""
    last = prev.rstrip().rsplit("\n", 1)[-1]
    first = nxt.lstrip().split("\n", 1)[0]
    start, rest = _NAME_START.search(last), _NAME_REST.match(first)
    if not (start and rest):
        return False
    head = start.group(0).split(None, 1)[1]  # the name's words on the first line: in capitals only with its rest
    return not head.isupper() or rest.group(0).rstrip(",(; \t").isupper()


@dataclass(frozen=True)
class Sentence:
    """One sentence: 1-based ``id`` within the split text, document offsets ``[start, end)``."""

    id: int
    start: int
    end: int
    text: str


class SentenceError(ClausewiseError):
    """Base error of sentence splitting."""


class PunktModelMissing(SentenceError):
    """The English Punkt parameters bundled with llama-index-core were not found."""


@lru_cache(maxsize=1)
def _tokenizer():
    import nltk.data
    from nltk.tokenize.punkt import PunktSentenceTokenizer, load_punkt_params

    spec = importlib.util.find_spec("llama_index.core")
    for root in list(spec.submodule_search_locations or []) if spec else []:
        cache = Path(root) / "_static" / "nltk_cache"
        if (cache / "tokenizers" / "punkt_tab" / "english").is_dir():
            if str(cache) not in nltk.data.path:
                nltk.data.path.append(str(cache))  # what llama-index itself does; NLTK only reads from its path
            params = load_punkt_params(nltk.data.find("tokenizers/punkt_tab/english/", paths=[str(cache)]))
            params.abbrev_types.update(CONTRACT_ABBREVIATIONS)
            return PunktSentenceTokenizer(params)
    raise PunktModelMissing("punkt_tab/english not found under llama_index/core/_static/nltk_cache")


def punkt_spans(tokenizer: Any, text: str, start: int = 0, end: int | None = None, *,
                limit: int = MAX_PUNKT_CHARS) -> Iterator[tuple[int, int]]:
    """Punkt's sentence spans of ``text[start:end]`` as offsets into ``text``, with no call of
    ``tokenizer.span_tokenize`` on more than ``limit`` characters.

    ``tokenizer``: an NLTK ``PunktSentenceTokenizer``. A text of at most ``limit`` characters is one call, as
    before. A longer one is read in windows of ``limit`` characters: each window's spans but the last are kept,
    and the next window starts where that last (perhaps cut off) sentence starts, so every boundary is decided
    by Punkt with the token after it in view, as in one call over the whole text. Where a window's last
    sentence began in its first half (a sentence longer than ``limit / 2``), the window is cut at its last
    whitespace instead (at ``limit`` characters where it has none). Each window advances at least
    ``limit / 2`` characters, so the cost grows linearly with the text.
    """
    end = len(text) if end is None else end
    pos = start
    while end - pos > limit:
        stop = pos + limit
        spans = list(tokenizer.span_tokenize(text[pos:stop]))
        if len(spans) >= 2 and spans[-1][0] >= limit // 2:
            for a, b in spans[:-1]:
                yield pos + a, pos + b
            pos += spans[-1][0]
            continue
        cut = max(text.rfind(c, pos + limit // 2, stop) for c in " \n\t")
        cut = cut + 1 if cut >= 0 else stop
        for a, b in tokenizer.span_tokenize(text[pos:cut]):
            yield pos + a, pos + b
        pos = cut
    for a, b in tokenizer.span_tokenize(text[pos:end]):
        yield pos + a, pos + b


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Line spans (without the newline) of text[start:end]."""
    out, pos = [], start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, stop))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans between blank lines, rejoining a sentence continued across a page break."""
    spans, pos = [], 0
    for m in _BLANK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if s >= e or not text[s:e].strip():
            continue
        if merged:
            ps, pe = merged[-1]
            prev = text[ps:pe].rstrip()
            nxt = text[s:e].lstrip()
            continued = nxt[:1].islower() or bool(_CONTINUES.search(prev)) or _name_goes_on(prev, nxt)
            if prev and prev[-1] not in _CLOSING and continued and " | " not in prev.rsplit("\n", 1)[-1]:
                merged[-1] = (ps, e)
                continue
        merged.append((s, e))
    return merged


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut one block into units at table rows, list markers and short (heading) lines."""
    lines = [(s, e) for s, e in _lines(text, start, end) if text[s:e].strip()]
    if not lines:
        return []
    width = max(len(text[s:e].strip()) for s, e in lines)
    units: list[tuple[int, int]] = []
    cur: list[int] | None = None  # [start, end]
    prev_short = False
    for i, (s, e) in enumerate(lines):
        body = text[s:e].strip()
        row = " | " in body
        new_unit = (
            cur is None
            or row
            or prev_short
            or bool(_LIST_MARKER.match(body))
        )
        if new_unit:
            if cur is not None:
                units.append((cur[0], cur[1]))
            cur = [s, e]
        else:
            cur[1] = e
        prev_short = row or (
            len(lines) > 1
            and len(body) < SHORT_LINE_RATIO * width
            and not _CONTINUES.search(body)
            and not (i + 1 < len(lines) and _name_goes_on(body, text[lines[i + 1][0]:lines[i + 1][1]]))
        )
    if cur is not None:
        units.append((cur[0], cur[1]))
    return units


def _split_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split a sentence longer than MAX_SENTENCE_CHARS after semicolons (parts >= 80 chars)."""
    if e - s <= MAX_SENTENCE_CHARS:
        return [(s, e)]
    parts, cur = [], s
    for m in re.finditer(r";\s+", text[s:e]):
        cut = s + m.start() + 1
        if cut - cur >= MIN_SPLIT_PART_CHARS and e - cut >= MIN_SPLIT_PART_CHARS:
            parts.append((cur, cut))
            cur = s + m.end()
    parts.append((cur, e))
    return parts


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def split_sentences(text: str, base: int = 0) -> list[Sentence]:
    """Split ``text`` into sentences with document offsets.

    ``base`` is the document offset of ``text[0]`` (e.g. a chunk's start); each returned
    ``Sentence`` has ``id`` 1..n in order, ``start``/``end`` = offsets in the document
    (``base`` added), ``text == text[start - base:end - base]`` with no surrounding whitespace.
    Raises ``PunktModelMissing`` if llama-index-core's bundled Punkt data is absent.
    """
    tok = _tokenizer()
    spans: list[tuple[int, int]] = []
    for bs, be in _blocks(text):
        for us, ue in _units(text, bs, be):
            pending: int | None = None  # start of a bare marker ("1.", "(a)") waiting for its sentence
            for ss, se in punkt_spans(tok, text, us, ue):
                a, b = _strip(text, ss, se)
                if a >= b:
                    continue
                if pending is not None:
                    a, pending = pending, None
                if _BARE_MARKER.fullmatch(text[a:b]):
                    pending = a
                    continue
                spans.extend(_split_long(text, a, b))
            if pending is not None:
                spans.append(_strip(text, pending, ue))
    out = []
    for s, e in spans:
        s, e = _strip(text, s, e)
        if s < e:
            out.append(Sentence(id=len(out) + 1, start=base + s, end=base + e, text=text[s:e]))
    return out


def number_sentences(sentences: list[Sentence]) -> str:
    """Render sentences for the prompt: one per line, ``"[id] text"``, inner whitespace collapsed.

    Example: ``"[1] CONSULTING AGREEMENT\\n[2] THIS CONSULTING AGREEMENT is made ..."``.
    """
    return "\n".join(f"[{s.id}] {' '.join(s.text.split())}" for s in sentences)
