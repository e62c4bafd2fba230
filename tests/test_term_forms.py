"""The initial-term reader on clause forms written for this test, blind to the CUAD texts: the agreement as
subject, a verb of duration and the length, with its start; and forms that must not be read (a period after
the term, the term of another thing, a lease's term)."""

from __future__ import annotations

import pytest

from pipeline.extraction.readers.term import find_initial_term


@pytest.mark.parametrize("sentence, length, other_start", [
    ("1. TERM. The term of this Agreement shall be for one (1) year commencing on the Effective Date and "
     "automatically renewing annually thereafter unless either party gives notice.", "1 years", False),
    ('This Agreement shall commence on the Effective Date, and shall continue thereafter for a period of twelve (12) '
     'months (the "Initial Term").', "12 months", False),
    ("This Agreement shall become effective on the date first written above and shall expire on the day that is "
     "twenty-four (24) months from that date.", "24 months", False),
    ("This Agreement shall remain in effect for a period of three (3) years from the Effective Date.", "3 years", False),
    ("This Agreement will remain in full force and effect for five (5) years from the date of delivery of the first "
     "Product.", "5 years", True),  # runs from another event: no expiration date is computed from it
])
def test_term_forms_read(sentence, length, other_start):
    got = find_initial_term(sentence)
    assert got is not None and (str(got.value), got.other_start) == (length, other_start)
    assert sentence[got.value_start:got.value_end] == got.text


@pytest.mark.parametrize("sentence", [
    "During the term of this Agreement and for a period of five (5) years thereafter, neither party shall solicit.",
    'The term for Equipment Support shall commence on the Effective Date and continue for two (2) years (the '
    '"Support Term").',
    "The Lease shall remain in effect for ten (10) years.",
    "Each Statement of Work shall remain in effect for one (1) year.",
])
def test_forms_that_are_not_the_agreements_term(sentence):
    assert find_initial_term(sentence) is None


def test_definition_of_the_term_under_its_name_gives_the_stated_end():
    import datetime as dt

    got = find_initial_term('"Contract Period" shall mean that period of time commencing as of June 1, 2010 and '
                            "concluding June 1, 2012.")
    assert got is not None and got.value is None and got.expiration == dt.date(2012, 6, 1)
    assert find_initial_term('"Option Period" shall mean that period of time commencing as of June 1, 2010 and '
                             "concluding June 1, 2012.") is None  # a period of another thing
