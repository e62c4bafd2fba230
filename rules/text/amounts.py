"""Amounts of money as contracts write them: "USD 12,500", "$1.5 million", "12.500,00 EUR", "10,000.00".

- :data:`MONEY` finds an amount of money in a sentence or a table row: a currency code or symbol before
  digits ("USD48,000", "$ 10"), digits before a currency word ("12,500 euros"), or a number with
  thousands separators and two decimals ("10,000.00", a fee table's cell).
- :func:`readings` gives every value a written number may have under the groupings contracts use
  ("12,500", European "12.500,00", "12 500"); :func:`amount_value` the one value a fee table's cell is
  read as (European only when written exactly so), always one of its :func:`readings`.
- :func:`amount_in_text` says whether a given amount is written in a text in digits, under any of its
  readings and with a multiplier word ("1.5 million", "10K"). Amounts in words ("ten thousand
  dollars") are not read.
"""

from __future__ import annotations

import re

#: An amount of money as written (see the module docstring).
MONEY = re.compile(r"(?:\b(?:USD|US\$|GBP|EUR|CAD|AUD|CHF|JPY|CNY|RMB|INR|HKD|SGD|SEK|NOK|DKK)\s?|[$£€¥₹]\s?)"
                   r"[0-9][0-9,.]*|"
                   r"\b[0-9][0-9,.]*\s?(?i:USD|GBP|EUR|euros?|dollars|pounds|yuan|rupees)\b|"
                   r"(?<![\d.,])[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]{2}(?![\d])")

_NUMBER = re.compile(r"(?<![\d.,])(?P<n>[0-9][0-9,. ]*[0-9]|[0-9])(?:\s*(?P<mult>million|billion|thousand|mn|m|bn|k)\b)?",
                     re.I)
_MULT = {"million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "thousand": 1e3, "k": 1e3}


#: (thousands separator, decimal mark) of the groupings contracts write numbers in: "12,500.00",
#: European "12.500,00", "12 500.00".
_GROUPINGS = ((",", "."), (".", ","), (" ", "."))
_EUROPEAN = re.compile(r"^\d{1,3}(?:\.\d{3})*,\d{2}$")


def _read(digits: str, thousands: str, decimal: str) -> float | None:
    try:
        return float(digits.replace(thousands, "").replace(decimal, "."))
    except ValueError:
        return None


def readings(digits: str) -> set[float]:
    """Every value a written number may have: "12,500" and "12.500,00" (European) and "12 500" → 12500.0;
    "1,5" → {15.0, 1.5}."""
    return {v for g in _GROUPINGS if (v := _read(digits, *g)) is not None}


def amount_value(digits: str) -> float | None:
    """The value of a number as written in a fee table's cell: European grouping when the number is
    written exactly so ("12.500,00" → 12500.0), else "," separates thousands and "." marks decimals
    ("12,500.00" → 12500.0, "1,5" → 15.0); ``None`` when ``digits`` is not a number."""
    return _read(digits, *_GROUPINGS[1 if _EUROPEAN.match(digits) else 0])


def amount_in_text(amount: float, text: str) -> bool:
    """Whether ``amount`` is written in ``text`` in digits (within half a cent): "12,500", "USD48,000",
    "12.500,00 EUR", "$1.5 million", "$10K"."""
    for m in _NUMBER.finditer(text):
        mult = _MULT.get((m["mult"] or "").lower(), 1.0)
        if any(abs(r * mult - amount) < 0.005 for r in readings(m["n"].strip())):
            return True
    return False
