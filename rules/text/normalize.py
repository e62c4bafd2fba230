"""Text normalization: the one table of typographic characters, and the forms text is compared in.

Three forms, on purpose:

- :func:`nfkc` is applied to the stored document text (ligatures ``ﬁ`` → ``fi``, full-width forms,
  NBSP → space). Offsets into the stored text are taken after it.
- :func:`normalize_for_matching` makes a *copy* for quote matching with only the changes that are
  typography, never wording ("normalise quotes, dashes and whitespace (only those)"; a paraphrase must
  not match): curly quotes → straight, en/em dashes and non-breaking hyphens → ``-``, whitespace runs →
  one space, NFKC. No lowercasing unless asked. ``MatchText.to_source`` maps every normalized
  character back to the original, so a match in the copy gives an exact span of the original.
- :func:`norm` is the comparison form the rules compare values and cited text in (no offsets kept):
  NFKC, invisible format characters removed, the same typographic table, case-folded, whitespace
  collapsed.

:data:`TYPOGRAPHY` (:data:`QUOTES`, :data:`DASHES` and the soft hyphen) is the only table of
typographic characters in the code base; :func:`fold_quotes` applies its quotes alone (party names
keep their dashes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Typographic quotation marks and the ASCII character they are read as (prime marks and low-9 quotes
#: are the same glyph family).
QUOTES: dict[str, str] = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / apostrophe
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9
    "\u2032": "'",  # prime
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9
    "\u201f": '"',  # double high-reversed-9
    "\u2033": '"',  # double prime
}
#: Hyphens, dashes and the minus sign, all read as ``-``.
DASHES: dict[str, str] = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
}
#: Every typographic character and what it is read as: quotes, dashes, and the soft hyphen (invisible,
#: dropped).
TYPOGRAPHY: dict[str, str] = QUOTES | DASHES | {"\u00ad": ""}

_TYPOGRAPHY = str.maketrans(TYPOGRAPHY)
_QUOTES = str.maketrans(QUOTES)

#: Unicode format characters (category Cf) that split words invisibly: soft hyphen, zero-width
#: space/joiners, bidirectional marks and overrides, word joiner, BOM.
FORMAT_CHARS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


def nfkc(text: str) -> str:
    """Return ``text`` in Unicode NFKC (ligatures U+FB01/FB02 become "fi"/"fl", NBSP a space)."""
    return unicodedata.normalize("NFKC", text)


def fold_quotes(text: str) -> str:
    """``text`` in NFKC with typographic quotes made ASCII (:data:`QUOTES`), stripped; dashes and case kept."""
    return nfkc(text).translate(_QUOTES).strip()


def strip_accents(text: str) -> str:
    """``text`` with accents and other combining marks removed (NFKD, then the marks dropped):
    "Québec" → "Quebec", "Mahārāshtra" → "Maharashtra"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def norm(text: str | None) -> str:
    """The comparison form: NFKC, format characters (:data:`FORMAT_CHARS`) removed, quotes and dashes
    made ASCII (:data:`TYPOGRAPHY`), case-folded, whitespace runs → one space, stripped; ``""`` for
    ``None`` or empty text."""
    if not text:
        return ""
    t = FORMAT_CHARS.sub("", nfkc(text)).translate(_TYPOGRAPHY).casefold()
    return re.sub(r"\s+", " ", t).strip()


@dataclass(frozen=True)
class MatchText:
    """A normalized copy of a text for matching.

    ``to_source[i]`` is the index in the original text of normalized character ``i``; it has one
    extra entry at the end (the original's length), so a match ``[a, b)`` in ``text`` maps to the
    original span ``[to_source[a], to_source[b - 1] + 1)`` (see :meth:`source_span`).
    """

    text: str
    to_source: list[int]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalized span ``[start, end)``; ``end > start`` required."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is not inside the normalized text of {len(self.text)} chars")
        return self.to_source[start], self.to_source[end - 1] + 1


def normalize_for_matching(text: str, *, lowercase: bool = False) -> MatchText:
    """Normalized copy of ``text`` for quote matching, with a map back to the original.

    Changes, and only these: NFKC per character (ligatures, full-width forms), curly quotes → straight,
    en/em dashes, minus and non-breaking hyphens → ``-``, soft hyphens dropped (:data:`TYPOGRAPHY`),
    any run of whitespace (line breaks, tabs, NBSP) → one space; leading/trailing whitespace removed;
    lowercase only when ``lowercase=True``.
    """
    out: list[str] = []
    to_src: list[int] = []
    pending_space: int | None = None  # index in the original where the current whitespace run starts
    for i, ch in enumerate(text):
        mapped = TYPOGRAPHY.get(ch)
        if mapped is None:
            mapped = nfkc(ch) if ord(ch) > 127 else ch
        for m in mapped:
            if m.isspace():
                if pending_space is None:
                    pending_space = i
                continue
            if pending_space is not None:
                if out:
                    out.append(" ")
                    to_src.append(pending_space)
                pending_space = None
            out.append(m.lower() if lowercase else m)
            to_src.append(i)
    to_src.append(len(text))
    return MatchText("".join(out), to_src)


def find_normalized(haystack: str, needle: str, *, lowercase: bool = False) -> tuple[int, int] | None:
    """Span ``(start, end)`` in ``haystack`` where ``needle`` occurs after both are normalized, or None.

    Both sides go through :func:`normalize_for_matching`; the returned offsets index the original
    ``haystack``. First occurrence only.
    """
    hay = normalize_for_matching(haystack, lowercase=lowercase)
    ndl = normalize_for_matching(needle, lowercase=lowercase).text
    if not ndl:
        return None
    pos = hay.text.find(ndl)
    if pos < 0:
        return None
    return hay.source_span(pos, pos + len(ndl))
