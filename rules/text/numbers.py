"""Numbers written in English words, both ways: "forty-five" → 45 and 45 → {"forty-five", "forty five"}.

Contracts write numbers in words, digits or both ("sixty (60) days"). :func:`words_to_int` reads
cardinals 0..999,999 and ordinals 1st..99th ("one hundred and twenty", "thirtieth", "twenty-first");
:func:`number_words` spells 0..999 every way a contract may write them; :func:`number_in_text` says
whether a number is written in a text, as digits or in words. :data:`NUMBER_WORDS` and
:data:`ORDINAL_WORDS` are the regular expressions the date and duration readers build on.
"""

from __future__ import annotations

import re

from rules.text.normalize import norm

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS_WORDS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

_UNITS = {w: n for n, w in enumerate(_ONES)}
#: Tens, with the common misspelling "fourty" read as 40 (never written by :func:`number_words`).
_TENS = {w: 10 * n for n, w in enumerate(_TENS_WORDS) if n >= 2} | {"fourty": 40}
_ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}
_ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
                 "seventieth": 70, "eightieth": 80, "ninetieth": 90}

_UNIT_WORD = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_ORD_WORD = "|".join(sorted(list(_ORDINAL_UNITS) + list(_ORDINAL_TENS), key=len, reverse=True))
_SEP = r"(?:[\s\-]+(?:and[\s\-]+)?)"
#: A number written in words, 0..999,999 ("one hundred and twenty", "forty-five").
NUMBER_WORDS = (
    rf"(?:(?:{_UNIT_WORD}|hundred|thousand)(?:{_SEP}(?:{_UNIT_WORD}|hundred|thousand))*)"
)
#: An ordinal written in words, 1st..99th ("fifteenth", "twenty-first", "thirtieth").
ORDINAL_WORDS = rf"(?:(?:(?:{'|'.join(_TENS)})[\s\-]+)?(?:{_ORD_WORD}))"


def words_to_int(text: str) -> int | None:
    """Integer value of a number or ordinal written in English words, or ``None``.

    Examples: "forty-five" -> 45, "one hundred and twenty" -> 120, "thirtieth" -> 30,
    "twenty-first" -> 21, "two thousand five hundred" -> 2500.
    """
    tokens = [t for t in re.split(r"[\s\-]+", text.strip().lower()) if t and t != "and"]
    if not tokens:
        return None
    total, current = 0, 0
    for t in tokens:
        if t in _UNITS:
            current += _UNITS[t]
        elif t in _TENS:
            current += _TENS[t]
        elif t in _ORDINAL_UNITS:
            current += _ORDINAL_UNITS[t]
        elif t in _ORDINAL_TENS:
            current += _ORDINAL_TENS[t]
        elif t == "hundred":
            current = max(current, 1) * 100
        elif t == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


def number_words(n: int) -> set[str]:
    """English spellings of 0 ≤ n < 1000: {"forty-five", "forty five"} for 45, {"one hundred five",
    "one hundred and five"} for 105; empty set outside the range. :func:`words_to_int` reads each back as ``n``."""
    if not 0 <= n < 1000:
        return set()
    if n < 20:
        return {_ONES[n]}
    if n < 100:
        t, o = divmod(n, 10)
        return {_TENS_WORDS[t]} if o == 0 else {f"{_TENS_WORDS[t]}-{_ONES[o]}", f"{_TENS_WORDS[t]} {_ONES[o]}"}
    h, r = divmod(n, 100)
    base = f"{_ONES[h]} hundred"
    if r == 0:
        return {base}
    return {f"{base} {w}" for w in number_words(r)} | {f"{base} and {w}" for w in number_words(r)}


def number_in_text(n: int, text: str) -> bool:
    """``n`` is written in ``text`` as digits (not inside a longer number) or in English words
    (:func:`number_words`, word-bounded), after :func:`rules.text.normalize.norm`."""
    t = norm(text)
    if re.search(rf"(?<![\d.,]){n}(?![\d])", t):
        return True
    return any(re.search(rf"\b{re.escape(w)}\b", t) for w in number_words(n))
