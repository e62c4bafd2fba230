"""What the preamble states about each party, read by code (pipeline.extraction.readers.preamble), on the F22 and F24 texts."""

from __future__ import annotations

from pipeline.extraction.readers.preamble import enrich_parties, obligor_in
from schemas import Party
from tests.conftest import require_shared


def test_f22_defined_terms_and_entity_read_after_each_name():
    text = require_shared("failcases", "F22", "contract.txt").read_text()
    hp, qe = enrich_parties([Party(name="Harbor & Pine Supply Co.", defined_terms=["Supplier"], entity_type="company"),
                             Party(name="Quill and Ember Retail, LLC")], text)
    assert hp.defined_terms == ["Supplier", "H&P"] and qe.defined_terms == ["Distributor"]
    assert (hp.jurisdiction, hp.entity_type) == ("Washington", "corporation")  # the text's reading wins
    assert (qe.jurisdiction, qe.entity_type) == ("Nevada", "limited liability company")
    # obligors named by alias resolve to the legal names (F22 must_not: obligor = 'H&P')
    assert obligor_in("2.2 H&P shall ship Products within five (5) Business Days", [hp, qe]) == hp.name
    assert obligor_in("2.3 Distributor shall pay the Supplier within forty-five (45) days", [hp, qe]) == qe.name
    assert obligor_in("2.1 The Supplier grants Distributor a non-exclusive right", [hp, qe]) is None  # no duty verb


def test_f24_dba_former_name_and_affiliates_are_attributes():
    text = require_shared("failcases", "F24", "contract.txt").read_text()
    g, a = enrich_parties([Party(name="Greenfield Holdings, LLC"), Party(name="Ashgrove Systems Corp.")], text)
    assert g.dba == ["Greenfield Fresh Market"] and g.defined_terms == ["Greenfield"]
    assert g.affiliates == ["Greenfield Fresh Distribution LLC", "Greenfield Fresh Stores LLC"]
    assert (g.jurisdiction, g.entity_type) == ("Texas", "limited liability company")
    assert a.former_names == ["Ashgrove Software Inc."] and a.defined_terms == ["Provider"] and not a.dba


def test_a_name_not_in_the_text_is_left_alone():
    p = Party(name="Nowhere Ltd", defined_terms=["N"])
    assert enrich_parties([p], "This Agreement is between Somebody Else Inc. and another.") == [p]


def test_affiliate_names_with_a_comma_before_the_suffix_stay_whole():
    text = ('This Agreement is between Greenfield Holdings, LLC, on behalf of itself and its Affiliates ("Greenfield"), '
            'and Ashgrove Systems Corp. ("Provider").\n"Affiliate" means any entity controlling a Party, including '
            'without limitation Acme Labs, LLC, Acme Europe Ltd. and Acme Canada Inc.\n')
    g, _ = enrich_parties([Party(name="Greenfield Holdings, LLC"), Party(name="Ashgrove Systems Corp.")], text)
    assert g.affiliates == ["Acme Labs, LLC", "Acme Europe Ltd.", "Acme Canada Inc."]


def test_dba_ends_where_the_preamble_goes_on():
    for tail in (" and Ashgrove Systems Corp.", "\nwith offices at 12 Main Street, Springfield", " whose office is at 12 Main St"):
        g, = enrich_parties([Party(name="Greenfield Holdings, LLC")],
                            "between Greenfield Holdings, LLC d/b/a Greenfield Fresh Market" + tail)
        assert g.dba == ["Greenfield Fresh Market"], tail


def test_defined_term_goes_to_the_party_it_follows():
    text = ('This Agreement between Acme Widgets, Inc., a Delaware corporation, and Beta Corp., a Texas Corporation.\n'
            'Acme Widgets, Inc. ("Licensor") grants ... to Beta Corp. (‘Licensee’, “we” or “us”).')
    acme, beta = enrich_parties([Party(name="Acme Widgets, Inc."), Party(name="Beta Corp.")], text)
    assert beta.defined_terms == [] and (beta.jurisdiction, beta.entity_type) == ("Texas", "corporation")
    assert acme.defined_terms == []  # its parenthesis follows a later mention, not the preamble's first one


def test_obligor_after_a_leading_clause_in_capitals_or_with_and_in_the_name():
    hp = Party(name="Harbor & Pine Supply Co.", role="Supplier", defined_terms=["H&P"])
    qe = Party(name="Quill and Ember Retail, LLC", defined_terms=["Distributor"])
    cases = {
        "Quill and Ember Retail, LLC shall pay.": qe.name,
        "Harbor & Pine Supply Co. shall ship.": hp.name,
        "Within thirty (30) days after receipt of an invoice, Distributor shall pay the invoice.": qe.name,
        "Upon termination, H&P shall return all materials.": hp.name,
        "(a) Supplier shall deliver.": hp.name,
        "SUPPLIER SHALL SHIP THE PRODUCTS.": hp.name,
        "Distributor hereby agrees to pay.": qe.name,
        "Each party shall keep the terms confidential.": None,
    }
    for sentence, want in cases.items():
        assert obligor_in(sentence, [hp, qe]) == want, sentence
