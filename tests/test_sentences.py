"""Sentence splitting: exact offsets, contract abbreviations, blocks, table rows, long sentences."""

from __future__ import annotations

import pytest

from rules.text.sentences import MAX_SENTENCE_CHARS, number_sentences, split_sentences
from tests.conftest import require_shared


def _check_offsets(doc: str, base: int, sentences) -> None:
    for i, s in enumerate(sentences, start=1):
        assert s.id == i
        assert doc[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text


def test_abbreviations_and_section_numbers_do_not_end_sentences():
    text = ("Acme Inc. and Beta Co. agree. See Section 3.2 and clause 1.1 of the U.S. rules, e.g. the Act, "
            "i.e. law No. 5 applies. Gamma Corp. and Delta Ltd. sign here.")
    ss = split_sentences(text)
    assert [s.text for s in ss] == [
        "Acme Inc. and Beta Co. agree.",
        "See Section 3.2 and clause 1.1 of the U.S. rules, e.g. the Act, i.e. law No. 5 applies.",
        "Gamma Corp. and Delta Ltd. sign here.",
    ]
    _check_offsets(text, 0, ss)


def test_base_offset_is_added_and_text_matches_document():
    doc = "PREFIX...." + "First one. Second one."
    ss = split_sentences(doc[10:], base=10)
    assert [(s.start, s.end) for s in ss] == [(10, 20), (21, 32)]
    _check_offsets(doc, 10, ss)


def test_blocks_table_rows_and_headings():
    text = ("RATES\n\nName | City | Rate\nA | Zürich | 5\nB | Genève | 6\n\n"
            "Subscription Start Date: March 1st, 2021\n"
            "Subscription fees are invoiced monthly and are due on the 1st of each month.")
    got = [s.text for s in split_sentences(text)]
    assert got == ["RATES", "Name | City | Rate", "A | Zürich | 5", "B | Genève | 6",
                   "Subscription Start Date: March 1st, 2021",
                   "Subscription fees are invoiced monthly and are due on the 1st of each month."]


def test_sentence_continued_across_a_page_break_is_one_sentence():
    text = "All invoices are payable within sixty (60) days of the date on which Company receives a\n\ncorrect and undisputed invoice. Vendor may suspend."
    got = [s.text for s in split_sentences(text)]
    assert got[0].endswith("correct and undisputed invoice.")
    assert got[1] == "Vendor may suspend."


PAGE_END = ("THIS AGREEMENT is made as of March 1, 2021 by the parties named below, each a party to the terms that "
            "follow.\nThis Agreement is between Northwind Trading")


@pytest.mark.parametrize("text, name", [
    # a short last line of page 1 (pages are joined by a line break), and a page break in a text file
    (PAGE_END + "\nCompany, LLC, a Texas limited liability company, and Orchid.", "Northwind Trading Company, LLC"),
    (PAGE_END + '\n\fHoldings, Inc. ("Northwind"), and Orchid.', "Northwind Trading Holdings, Inc."),
])
def test_a_party_name_cut_at_a_page_end_stays_in_one_sentence(text, name):
    """Issue 13, item 8: the model read 'Northwind Trading' from a sentence cut there."""
    got = [" ".join(s.text.split()) for s in split_sentences(text)]
    assert got[1].startswith(f"This Agreement is between {name}") and got[1].endswith("and Orchid."), got


@pytest.mark.parametrize("text, second", [
    (PAGE_END + "\nCompany means any entity.", "Company means any entity."),  # a definition, not the name's rest
    ("Title: President and Chief Executive Officer\n\nHOLLOW OAK TIMBER LLC\nBy: /s/ Sam Poe",
     "HOLLOW OAK TIMBER LLC"),  # the next signature block
])
def test_a_capitalised_line_end_before_a_company_line_is_no_cut_name(text, second):
    assert any(s.text.startswith(second) for s in split_sentences(text))


def test_bare_section_marker_joins_its_heading():
    got = [s.text for s in split_sentences("1. DEFINITIONS\n“Deliverables” means the reports.")]
    assert got == ["1. DEFINITIONS", "“Deliverables” means the reports."]


def test_long_sentence_split_at_semicolons():
    part = "the Supplier shall deliver the goods to the premises named in the order form " * 2
    text = f"During the term, {part}; {part}; {part}; and {part}."
    ss = split_sentences(text)
    assert len(text) > MAX_SENTENCE_CHARS and len(ss) == 4
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in ss)
    assert ss[0].text.endswith(";")
    _check_offsets(text, 0, ss)


def test_failcase_texts_offsets_and_numbering():
    for case, expected_count in [("F14", 3), ("F18", 6), ("F21", 8), ("F28", 4)]:
        doc = require_shared("failcases", case, "contract.txt").read_text()
        ss = split_sentences(doc)
        assert len(ss) == expected_count, case
        _check_offsets(doc, 0, ss)
    doc = require_shared("failcases", "F21", "contract.txt").read_text()
    rendered = number_sentences(split_sentences(doc))
    lines = rendered.splitlines()
    assert lines[1] == ("[2] 1.1 This Addendum applies to the maintenance services for all copies of the "
                        "software listed in Exhibit 1.")
    assert lines[6] == "[7] Either party may terminate this Addendum on 30 days' notice."
