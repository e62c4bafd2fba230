"""Dates left blank to be filled in on signature state no date; "the 10 day of January 2019" is a date.
The forms are written for this test, blind to the CUAD texts."""

from __future__ import annotations

import datetime as dt

import pytest

import rules
from pipeline.extraction import chunk_to_partial
from rules.text import is_blank_date, parse_date
from schemas import ChunkExtraction, SourceDocument, SourcePage
from tests.rules_fixtures import clean, fires, silent


@pytest.mark.parametrize("text, blank", [
    ("this day of , 2009", True),
    ("made and entered into this ____ day of ______________, 20__", True),
    ("dated as of ______________, 2021", True),
    ("effective March __, 2020", True),
    ("the day of March, 2009", True),
    ("this 10th day of January, 2019", False),
    ("made effective the 10 day of January 2019", False),
    ("the day of signature by the last party", False),
    ("on the first day of each month", False),
    ("2009", False),
])
def test_blank_date_forms(text, blank):
    assert is_blank_date(text) is blank


def test_day_number_without_ordinal_suffix_is_a_calendar_date():
    """"the 10 day of January 2019" once read as ten days of something (a relative date without anchor)."""
    got = parse_date("made effective the 10 day of January 2019")
    assert (got.value, got.kind) == (dt.date(2019, 1, 10), "absolute")
    assert parse_date("within ten (10) days of January 1, 2020").value == dt.date(2020, 1, 11)  # still relative


def test_blank_date_answer_is_not_stated():
    answer = ChunkExtraction.model_validate({
        "agreement_date": {"sentence_ids": [1], "span": "this day of , 2009", "iso": "2009-01-01"},
        "effective_date": {"sentence_ids": [1], "span": "the 10 day of January 2019"},
    })
    x = chunk_to_partial(answer, 0)
    assert x.agreement_date is None  # the ISO date was invented: the text leaves the day and month blank
    assert x.effective_date is not None and x.effective_date.raw_text == "the 10 day of January 2019"


def test_k004_does_not_ask_for_a_date_left_blank():
    x, _ = clean()
    x.effective_date = None
    text = ('THIS AGREEMENT is made this day of , 2009 (the "Effective Date") between Acme Widgets, Inc. '
            "and Beta Retail LLC.\n")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    silent([f for f in rules.evaluate(x, doc) if f.field_path == "effective_date"], "K004")
    dated = text.replace("this day of , 2009", "this 4th day of May, 2009")
    doc = SourceDocument(text=dated, pages=[SourcePage(number=1, start=0, end=len(dated))])
    fires(rules.evaluate(x, doc), "K004", "effective_date")
