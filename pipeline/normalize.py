"""Normalization in code of the values the model cites: dates and durations (issue 4, item 5).

One import point for the extraction and the rules-facing code; the work is done in
``pipeline.dates`` (calendar dates, day/month order) and ``pipeline.durations`` (number + unit).
"""

from pipeline.dates import DateKind, DateOrder, DateParse, FoundDate, decide_date_order, find_dates, parse_date
from pipeline.durations import (
    DurationError,
    FoundDuration,
    NonIntegralDuration,
    add_business_days,
    add_duration,
    find_durations,
    parse_duration,
    words_to_int,
)

__all__ = [
    "DateKind", "DateOrder", "DateParse", "DurationError", "FoundDate", "FoundDuration", "NonIntegralDuration",
    "add_business_days", "add_duration", "decide_date_order", "find_dates", "find_durations", "parse_date",
    "parse_duration", "words_to_int",
]
