"""The field readers on clause sets written blind to the CUAD texts (tests/reader_forms.py), issue 13 item 3: every
drafting form read right, and every form that must not be read (a term of another thing, a date of another
agreement, a renewal of a lease, a notice of termination for breach) left empty, by the whole reader chain on a
document with no model answer."""

from __future__ import annotations

import pytest

from tests.reader_forms import FORMS, outcome, read, value_of

CASES = [(field, text, want) for field, cases in FORMS.items() for text, want in cases]


@pytest.mark.parametrize("field, text, want", CASES, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(CASES)])
def test_form_is_read_right(field, text, want):
    got = value_of(read(text), field)
    assert outcome(got, want) == "right", (got, want)


@pytest.mark.parametrize("field", sorted(FORMS))
def test_each_field_has_forms_to_read_and_forms_not_to_read(field):
    wants = [w for _, w in FORMS[field]]
    assert any(w is None for w in wants) and sum(w is not None for w in wants) >= 3


def test_outcome_tells_wrong_from_empty():
    assert outcome(None, "2020-01-01") == "empty" and outcome("2020-01-02", "2020-01-01") == "wrong"
    assert outcome("12 months", "1 years") == "right" and outcome("30 days", None) == "wrong"
    assert outcome(None, None) == "right"
