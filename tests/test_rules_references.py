"""R003: the date of another document the contract refers to is not its own date; P008: nor are the parties
of that document its own. The clauses are written for this test, blind to the CUAD texts, with forms that
must not fire."""

from __future__ import annotations

import datetime as dt

import pytest

import rules
from rules.text import other_document_before, party_of_other_document
from schemas import DateClaim, Party, SourceDocument, SourcePage
from tests.rules_fixtures import clean, ev, fires, silent


@pytest.mark.parametrize("sentence, ref", [
    ("This Termination Agreement ends the Agreement dated May 8, 2008 between the parties.", "the Agreement"),
    ("WHEREAS, Lessor and Lessee entered into that certain Equipment Lease, dated as of May 8, 2008.",
     "that certain Equipment Lease"),
    ("As amended by the First Amendment effective as of May 8, 2008, the Plan continues.", "the First Amendment"),
    ("Reference is made to the Supply Agreement by and between Acme Inc. and Beta LLC dated May 8, 2008.",
     "the Supply Agreement"),
    ("The Original Lease (as defined below) dated May 8, 2008 is replaced.", "The Original Lease"),
    ("Each Statement of Work executed on May 8, 2008 remains in force.", "Each Statement of Work"),
    ("This Agreement is dated as of May 8, 2008.", None),
    ("This Supply Agreement, dated as of May 8, 2008, is made between Acme and Beta.", None),
    ("This Agreement is made effective the 8th day of May 8, 2008.", None),
    ("The term of this Agreement shall commence on May 8, 2008.", None),
    ("Subject to the terms of this Agreement dated May 8, 2008, Acme shall deliver.", None),
    ("The Effective Date is May 8, 2008.", None),
    ("WHEREAS, the parties entered into a Supply Agreement on May 8, 2008.", "the parties entered into a Supply Agreement"),
    ("The Mutual Nondisclosure Agreement of May 8, 2008 is terminated.", "The Mutual Nondisclosure Agreement"),
    ("This Agreement is made on May 8, 2008.", None),
    ("Each party shall pay the fees of May 8, 2008.", None),
])
def test_reference_to_another_document_before_a_date(sentence, ref):
    assert other_document_before(sentence, sentence.index("May 8, 2008")) == ref


TERMINATION = ("TERMINATION AGREEMENT\n"
               "This Termination Agreement is entered into as of June 30, 2012 by Acme Widgets, Inc. and Beta Retail "
               "LLC. The parties terminate the Distribution Agreement dated May 8, 2008.\n")


def test_effective_date_of_the_terminated_agreement_is_an_error():
    text = TERMINATION
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x, _ = clean()
    line = text.split("\n")[1]
    x.effective_date = DateClaim(value=dt.date(2008, 5, 8), parsed=dt.date(2008, 5, 8),
                                 evidence=ev(line, "May 8, 2008", text=text))
    f = fires(rules.evaluate(x, doc), "R003", "effective_date")
    assert f.details["document"] == "the Distribution Agreement" and f.severity == "error"
    x.effective_date = DateClaim(value=dt.date(2012, 6, 30), parsed=dt.date(2012, 6, 30),
                                 evidence=ev(line, "June 30, 2012", text=text))
    silent(rules.evaluate(x, doc), "R003")


@pytest.mark.parametrize("sentence, name, ref", [
    ("This Second Amendment is made by Rowan Foods LLC and Tide Mills Inc. as an amendment to that certain "
     "Supply Agreement dated June 2, 2014 by and among Heron Capital, Inc., Rowan Foods LLC and Tide Mills Inc.",
     "Heron Capital", "that certain Supply Agreement"),
    ("This Release is given under the Asset Purchase Agreement, dated as of 1 March 2019, between Heron Capital "
     "Inc. and Rowan Foods LLC, by Tide Mills Inc.", "Heron Capital", "the Asset Purchase Agreement"),
    ("The Guarantor guarantees the obligations under the Lease between Heron Capital Inc. and Rowan Foods LLC.",
     "Rowan Foods", "the Lease"),
    ("This Agreement is made between Heron Capital Inc. and Rowan Foods LLC.", "Rowan Foods", None),
    ("This is a services agreement between Heron Capital Inc. and Rowan Foods LLC.", "Rowan Foods", None),
    ("This Amendment to the Supply Agreement dated June 2, 2014 is made between Heron Capital Inc. and Rowan "
     "Foods LLC.", "Rowan Foods", None),
    ("This Agreement is entered into as of the Agreement Date shown above between Heron Capital Inc. and Rowan "
     "Foods LLC.", "Heron Capital", None),
    ("The parties terminate the Supply Agreement. Heron Capital Inc. shall return the goods.", "Heron Capital", None),
])
def test_party_of_another_document(sentence, name, ref):
    assert party_of_other_document(sentence, sentence.index(name)) == ref


def test_parties_of_the_amended_agreement_are_flagged_only_beside_the_contracts_own():
    text = ("AMENDMENT\n"
            "This Amendment is made by Rowan Foods LLC and Tide Mills Inc. as an amendment to that certain Supply "
            "Agreement dated June 2, 2014 by and among Heron Capital, Inc., Rowan Foods LLC and Tide Mills Inc.\n")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x, _ = clean()
    x.parties = [Party(name="Rowan Foods LLC"), Party(name="Tide Mills Inc."), Party(name="Heron Capital, Inc.")]
    f = fires(rules.evaluate(x, doc), "P008", "parties[2]")
    assert f.details["document"] == "that certain Supply Agreement" and f.severity == "warning"
    assert [g.field_path for g in rules.evaluate(x, doc) if g.rule_id == "P008"] == ["parties[2]"]
    # an amendment that names its parties only as those of the agreement it amends: they are its parties
    text = ("This First Amendment amends the Supply Agreement dated June 2, 2014 by and between Rowan Foods LLC "
            "and Tide Mills Inc.\n")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x.parties = x.parties[:2]
    silent(rules.evaluate(x, doc), "P008")


def test_a_date_found_by_code_is_checked_like_the_models():
    """Issue 13 item 3: a reader's value is checked by the same rules as the model's (R003 reads computed dates)."""
    text = TERMINATION
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x, _ = clean()
    line = text.split("\n")[1]
    x.agreement_date = DateClaim(value=dt.date(2008, 5, 8), parsed=dt.date(2008, 5, 8), computed=True,
                                 evidence=ev(line, "May 8, 2008", text=text))
    fires(rules.evaluate(x, doc), "R003", "agreement_date")
    # and the readers themselves read this contract's own date, never the other agreement's
    from pipeline.extraction.readers import READERS, apply_readers
    from schemas import ContractExtraction

    y = apply_readers(ContractExtraction(), doc, READERS)
    assert y.agreement_date.value == dt.date(2012, 6, 30) and y.effective_date.value == dt.date(2012, 6, 30)
    silent(rules.evaluate(y, doc), "R003")


@pytest.mark.parametrize("sentence, ref", [
    ("Subtenant acknowledges that the Master Lease dated March 1, 2010 expires on June 30, 2030.", "the Master Lease"),
    ('The Master Lease (the "Prime Lease") is scheduled to expire on June 30, 2030.', "The Master Lease"),
    ("The Prior Supply Agreement shall terminate on June 30, 2030.", "The Prior Supply Agreement"),
    ("This Sublease shall expire on June 30, 2030.", None),
    ("Subject to the Master Lease, this Sublease shall expire on June 30, 2030.", None),
    ("The Term of this Agreement expires on June 30, 2030.", None),
    ("The initial term ends on June 30, 2030.", None),
    ("The Agreement shall terminate on June 30, 2030.", None),  # a bare noun may be this contract
    ("This Supply Agreement is made today. The Supply Agreement shall terminate on June 30, 2030.", None),
])
def test_the_end_of_another_document_before_a_date(sentence, ref):
    from rules.text import other_document_ending
    assert other_document_ending(sentence, sentence.index("June 30, 2030")) == ref


SUBLEASE = ("SUBLEASE\n"
            "This Sublease is made as of July 1, 2021 by Acme Widgets, Inc. and Beta Retail LLC. "
            "Subtenant acknowledges that the Master Lease dated March 1, 2010 expires on June 30, 2030. "
            "The term of this Sublease shall end on June 29, 2030.\n")


def test_the_end_of_the_master_lease_given_as_the_sublease_expiration_is_an_error():
    text = SUBLEASE
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    x, _ = clean()
    line = text.split("\n")[1]
    x.expiration_date = DateClaim(value=dt.date(2030, 6, 30), parsed=dt.date(2030, 6, 30),
                                  evidence=ev(line, "June 30, 2030", text=text))
    f = fires(rules.evaluate(x, doc), "R003", "expiration_date")
    assert f.details["document"] == "the Master Lease"
    x.expiration_date = DateClaim(value=dt.date(2030, 6, 29), parsed=dt.date(2030, 6, 29),
                                  evidence=ev(line, "June 29, 2030", text=text))
    silent(rules.evaluate(x, doc), "R003")
