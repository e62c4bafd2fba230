"""What the preamble states about each party, read by code (pipeline.preamble), on the F22 and F24 texts."""

from __future__ import annotations

from pipeline.preamble import enrich_parties, obligor_in
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
