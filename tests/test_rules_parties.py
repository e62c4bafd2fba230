"""Parties (F22, F24 shapes), conflicts between chunks, and completeness of what the model read."""

from __future__ import annotations

import datetime as dt

import pytest

import rules
from schemas import ChunkFailure, DateClaim, HiddenText, Obligation, Party, Severity
from tests.rules_fixtures import PREAMBLE, clean, ev, fires, silent


def run(x, doc):
    return rules.evaluate(x, doc)


def test_fewer_than_two_parties():
    x, doc = clean()
    silent(run(x, doc), "P001")
    x.parties = x.parties[:1]
    x.obligations = []
    fires(run(x, doc), "P001", "parties")


def test_same_party_twice_ignoring_case_and_punctuation():
    x, doc = clean()
    silent(run(x, doc), "P002")
    x.parties.append(Party(name="ACME WIDGETS INC", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    fires(run(x, doc), "P002", "parties[2]")
    fires(run(x, doc), "P002", "parties[0]")  # both entries: which one is wrong is unknown
    assert not [f for f in run(x, doc) if f.rule_id == "P002" and f.field_path == "parties[1]"]


def test_obligor_must_resolve_to_a_party_alias_counts():
    x, doc = clean()
    x.obligations.append(Obligation(obligor="Supplier", obligee="the Customer", action="deliver",
                                    evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    silent(run(x, doc), "P003")  # defined terms resolve (F22: obligor may be cited by alias)
    x.obligations.append(Obligation(obligor="Harbor", obligee="Beta Retail LLC", action="ship",
                                    evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    f = fires(run(x, doc), "P003", "obligations[2].obligor")
    assert "Harbor" in f.message


def test_dba_resolves_as_obligor():
    x, doc = clean()
    x.parties[0].dba = ["Acme Fresh Market"]
    x.obligations[0].obligee = "Acme Fresh Market"
    silent(run(x, doc), "P003")


@pytest.mark.parametrize("name", ["Party", "the Supplier", "Licensee", "PARTIES", "Customer"])
def test_defined_term_as_party_name(name):
    x, doc = clean()
    silent(run(x, doc), "P004")
    x.parties[1].name = name
    fires(run(x, doc), "P004", "parties[1]")


def test_real_names_containing_role_words_are_not_generic():
    x, doc = clean()
    x.parties[0].name = "Supplier Holdings Company Ltd"
    fs = run(x, doc)
    silent(fs, "P004")


def test_dba_or_former_name_listed_as_separate_party_f24():
    x, doc = clean()
    silent(run(x, doc), "P005")
    x.parties[0].former_names = ["Acme Software Inc."]
    x.parties.append(Party(name="Acme Software Inc.", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    f = fires(run(x, doc), "P005", "parties[2]")
    assert "Acme Widgets" in f.message


def test_party_name_swallowing_dba_phrase_f24():
    x, doc = clean()
    silent(run(x, doc), "P006")
    x.parties[0].name = "Greenfield Holdings, LLC d/b/a Greenfield Fresh Market, a Texas"
    fires(run(x, doc), "P006", "parties[0]")


def test_heading_or_label_named_as_party():
    """A recorded 0.5B answer on a key-terms lease named its headings "Term" and "Rent" as parties."""
    x, doc = clean()
    silent(run(x, doc), "P007")
    doc = doc.model_copy(update={"text": doc.text + "\nRent: USD 3,150 per month.\n7.2 Notices - in writing\n"})
    x.parties.append(Party(name="Rent", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    x.parties.append(Party(name="Notices", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    fires(run(x, doc), "P007", "parties[2]")
    fires(run(x, doc), "P007", "parties[3]")
    silent([f for f in run(x, doc) if f.field_path in ("parties[0]", "parties[1]")], "P007")


@pytest.mark.parametrize("name, text, expected", [
    ("Beta Retail", "between Acme and Beta Retail (\"Customer\").\nBeta Retail: Attn. Legal\n", False),  # running text once
    ("BARAK I.T.C", "IN WITNESS WHEREOF\n     BARAK I.T.C\nBy: ____\n", True),  # only a signature-block line
    ("Acme Fund, L.P.", "Acme Fund, L.P.\n", False),  # a legal form is never a heading
    ("Term", "Term: two years from the start.\nThe Term renews.", False),  # "The Term" is running text
    ("Term", "", False),  # a name the text does not hold is another rule's concern (G001)
])
def test_heading_or_label_grammar(name, text, expected):
    from rules.text import is_heading_or_label

    assert is_heading_or_label(name, text) is expected


# --- how the text writes a party's name (issue 13, item 8; grammar in tests/test_party_forms.py) -------------

def _with(doc, extra: str):
    return doc.model_copy(update={"text": doc.text + extra})


def test_short_form_as_party_name_says_which_legal_name_or_that_none_is_written():
    x, doc = clean()
    silent(run(x, doc), "P009")
    doc = _with(doc, 'Schedule 1 is agreed with Gamma Tools GmbH ("Gamma") and the supplier named below ("Zeta").\n')
    x.parties[1].name = "Gamma"
    f = fires(run(x, doc), "P009", "parties[1]")
    assert "'Gamma Tools GmbH'" in f.message and f.details["legal_name"] == "Gamma Tools GmbH"
    x.parties[1].name = "Zeta"
    f = fires(run(x, doc), "P009", "parties[1]")
    assert "no legal name" in f.message and f.details["legal_name"] is None
    x.parties[1].name = "Gamma Tools GmbH"  # the legal name itself
    silent(run(x, doc), "P009")


def test_defined_role_word_as_party_name_tells_the_legal_name_it_stands_for():
    x, doc = clean()
    x.parties[0].name = "Supplier"
    f = fires(run(x, doc), "P004", "parties[0]")
    assert "the text defines it for 'Acme Widgets, Inc.'" in f.message
    silent(run(x, doc), "P009")  # one finding for one fault: role words are P004's


def test_party_name_cut_short_of_the_name_the_text_writes():
    x, doc = clean()
    silent(run(x, doc), "P010")
    x.parties[1].name = "Beta Retail"
    f = fires(run(x, doc), "P010", "parties[1]")
    assert f.details["longer_names"] == ["Beta Retail LLC"]


def test_party_name_holding_two_names():
    x, doc = clean()
    silent(run(x, doc), "P011")
    x.parties[0].name = "ACME WIDGETS, INC. BETA RETAIL LLC"
    f = fires(run(x, doc), "P011", "parties[0]")
    assert f.details["names"] == ["ACME WIDGETS, INC.", "BETA RETAIL LLC"]


def test_signatory_listed_as_party():
    x, doc = clean()
    doc = _with(doc, "ACME WIDGETS, INC.\tBETA RETAIL LLC\nBy: /s/ Jane Roe\tBy: /s/ Sam Poe\n"
                     "Name: Jane Roe\tName: Sam Poe\nTitle: CEO\tTitle: President\n")
    silent(run(x, doc), "P012")
    x.parties.append(Party(name="Sam Poe", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")))
    fires(run(x, doc), "P012", "parties[2]")
    doc = _with(doc, "Sam Poe shall consult for Acme Widgets, Inc. as an individual.\n")  # named in running text too
    silent(run(x, doc), "P012")


# --- conflicts ---------------------------------------------------------------------------------------------

def test_conflicting_candidates_from_chunks_listed_with_pages():
    x, doc = clean()
    a = DateClaim(value=dt.date(2021, 3, 1), evidence=ev(PREAMBLE, "March 1, 2021"))
    b = DateClaim(value=dt.date(2021, 4, 1), evidence=ev(PREAMBLE, "March 1, 2021"))
    b.evidence.page = 4
    x.candidates = {"effective_date": [a.model_dump(mode="json"), b.model_dump(mode="json")]}
    f = fires(run(x, doc), "C001", "effective_date")
    assert f.severity == Severity.ERROR
    assert "2021-03-01" in f.message and "2021-04-01" in f.message and "page 4" in f.message
    assert [c["page"] for c in f.details["candidates"]] == [1, 4]


def test_same_value_from_two_chunks_is_no_conflict():
    x, doc = clean()
    a = DateClaim(value=dt.date(2021, 3, 1), evidence=ev(PREAMBLE, "March 1, 2021"))
    x.candidates = {"effective_date": [a, a.model_copy(deep=True)]}
    silent(run(x, doc), "C001")


# --- completeness ------------------------------------------------------------------------------------------

def test_failed_chunk_names_its_pages():
    x, doc = clean()
    silent(run(x, doc), "K001")
    x.chunk_failures = [ChunkFailure(chunk_seq=3, pages=[7, 8], kind="retries_exhausted", reason="invalid JSON twice")]
    f = fires(run(x, doc), "K001", "document")
    assert "7, 8" in f.message and f.severity == Severity.ERROR


@pytest.mark.parametrize("quality", ["no_text_layer", "gibberish"])
def test_unread_page_is_an_error(quality):
    x, doc = clean()
    silent(run(x, doc), "K002")
    doc.pages[0].quality = quality
    f = fires(run(x, doc), "K002", "document")
    assert "pages 1" in f.message and quality in f.message


def test_ocr_page_is_read_and_sent_to_a_reviewer():
    x, doc = clean()
    silent(run(x, doc), "K007")
    doc.pages[0].quality = "ocr"
    silent(run(x, doc), "K002")
    f = fires(run(x, doc), "K007", "document")
    assert f.severity == "warning" and f.details["pages"] == [1]


def test_hidden_text_dropped_warns_with_pages():
    x, doc = clean()
    silent(run(x, doc), "K003")
    doc.pages[0].hidden_text = [HiddenText(text="fees waived", mechanism="render_mode_3")]
    f = fires(run(x, doc), "K003", "document")
    assert f.severity == Severity.WARNING and "pages 1" in f.message and "render_mode_3" in f.message
