"""Durations parsed in code: words, digits, both, units, conflicts, calendar arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from rules.text.durations import NonIntegralDuration, add_duration, find_durations, parse_duration
from rules.text.numbers import words_to_int
from schemas import Duration, DurationUnit
from tests.conftest import require_shared

D, BD, M, Y, W = (DurationUnit.DAYS, DurationUnit.BUSINESS_DAYS, DurationUnit.MONTHS, DurationUnit.YEARS,
                  DurationUnit.WEEKS)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("thirty (30) days", 30, D),
        ("ten (10) Business Days", 10, BD),
        ("sixty days", 60, D),
        ("6 months", 6, M),
        ("one (1) year", 1, Y),
        ("twelve (12) month period", 12, M),
        ("forty-five (45) days", 45, D),
        ("one hundred twenty (120) days", 120, D),
        ("ninety-nine (99) years", 99, Y),
        ("sixty (60) calendar days' prior written notice", 60, D),
        ("five (5) working days", 5, BD),
        ("two (2) weeks", 2, W),
        ("a 30-day period", 30, D),
        ("48 hours", 2, D),
        ("by the 12th business day before expiry", 12, BD),
    ],
)
def test_parse_duration(text, value, unit):
    assert parse_duration(text) == Duration(value=value, unit=unit)


@pytest.mark.parametrize("text", ["60", "ten (10)", "36 hours", "the 12th day of March", "Version 10.2", "may"])
def test_not_a_duration(text):
    assert parse_duration(text) is None


def test_words_and_digits_disagree_is_reported_not_guessed():
    assert parse_duration("thirty (60) days") is None
    [f] = find_durations("notice of thirty (60) days")
    assert (f.value, f.words_value, f.digits_value, f.conflict) == (None, 30, 60, True)
    assert f.text == "thirty (60) days" and (f.start, f.end) == (10, 26)


def test_words_to_int():
    assert [words_to_int(w) for w in ["forty-five", "one hundred and twenty", "thirtieth", "twenty-first", "x"]] == [
        45, 120, 30, 21, None]


def test_failcase_F18_durations():
    text = require_shared("failcases", "F18", "contract.txt").read_text()
    found = [(f.text, f.value) for f in find_durations(text)]
    assert found == [
        ("thirty (30) days", Duration(value=30, unit=D)),
        ("ninety days", Duration(value=90, unit=D)),
        ("sixty (60) calendar days", Duration(value=60, unit=D)),
        ("ten (10) Business Days", Duration(value=10, unit=BD)),
    ]


def test_failcase_F21_and_F15_durations():
    f21 = require_shared("failcases", "F21", "contract.txt").read_text()
    assert [f.value for f in find_durations(f21)] == [Duration(value=30, unit=D)]
    f15 = require_shared("failcases", "F15", "contract.txt").read_text()
    assert [f.value for f in find_durations(f15)] == [Duration(value=12, unit=BD)]


def test_add_duration_calendar_and_business_days():
    assert add_duration(dt.date(2021, 3, 1), Duration(value=2, unit=Y)) == dt.date(2023, 3, 1)
    assert add_duration(dt.date(2021, 1, 31), Duration(value=1, unit=M)) == dt.date(2021, 2, 28)
    assert add_duration(dt.date(2021, 1, 15), Duration(value=90, unit=D)) == dt.date(2021, 4, 15)
    # Friday 2021-01-15 + 10 business days = Friday 2021-01-29
    assert add_duration(dt.date(2021, 1, 15), Duration(value=10, unit=BD)) == dt.date(2021, 1, 29)
    assert add_duration(dt.date(2021, 1, 18), Duration(value=1, unit=BD), before=True) == dt.date(2021, 1, 15)
    assert add_duration(dt.date(2021, 1, 1), Duration(value=2, unit=W)) == dt.date(2021, 1, 15)
    with pytest.raises(NonIntegralDuration):
        add_duration(dt.date(2021, 1, 1), Duration(value=1.5, unit=M))


def test_a_length_with_consecutive_or_full_between_number_and_unit():
    from rules.text import find_durations

    assert [(d.text, str(d.value)) for d in find_durations("for thirty (30) consecutive months")] == \
        [("thirty (30) consecutive months", "30 months")]
    assert [str(d.value) for d in find_durations("within two (2) full calendar quarters")] == ["6 months"]
    assert find_durations("during the full term and any consecutive renewal") == []
