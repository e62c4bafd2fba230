"""Canonical jurisdiction names: the playbook, the support rule and the scorer compare places, not spellings."""

from __future__ import annotations

import pytest

import rules
from rules import DEFAULT_PLAYBOOK, load_playbook
from rules.text import jurisdiction_of, same_jurisdiction
from schemas import GoverningLaw
from tests.rules_fixtures import clean, ev, fires, silent


@pytest.mark.parametrize("text, code, name", [
    ("State of New York", "US-NY", "New York"),
    ("the laws of the State of New York, without regard to its conflict of laws principles", "US-NY", "New York"),
    ("NY", "US-NY", "New York"),
    ("DE", "US-DE", "Delaware"),  # a US postal code before Germany's alpha-2
    ("Commonwealth of Massachusetts", "US-MA", "Massachusetts"),
    ("PRC", "CN", "China"),
    ("the People’s Republic of China", "CN", "China"),
    ("England", "GB-ENG", "England and Wales"),
    ("the laws of England and Wales", "GB-ENG", "England and Wales"),
    ("Province of Ontario", "CA-ON", "Ontario"),
    ("Georgia", "US-GA", "Georgia"),
    ("Republic of Georgia", "GE", "Georgia (country)"),
    ("Federal Republic of Germany", "DE", "Germany"),
    ("Hong Kong SAR", "HK", "Hong Kong"),
    ("District of Columbia", "US-DC", "District of Columbia"),
    ("New Jersey", "US-NJ", "New Jersey"),  # never "Jersey"
])
def test_place_read_with_its_code(text, code, name):
    j = jurisdiction_of(text)
    assert (j.code, j.name) == (code, name)


@pytest.mark.parametrize("text", ["", "   ", "the laws of the place where the goods are delivered", "and", "can"])
def test_no_place_no_jurisdiction(text):
    assert jurisdiction_of(text) is None


def test_same_jurisdiction():
    assert same_jurisdiction("PRC", "China") and same_jurisdiction("State of Delaware", "DE")
    assert not same_jurisdiction("Washington", "District of Columbia")
    assert not same_jurisdiction("Texas", None) and not same_jurisdiction("Atlantis", "Atlantis")


def test_playbook_compares_canonical_places():
    pb = load_playbook(DEFAULT_PLAYBOOK)
    x, doc = clean()
    for allowed in ("State of Delaware", "NY", "England", "the Commonwealth of California"):
        x.governing_law.jurisdiction = allowed
        silent(pb.evaluate(x), "PB001")
    for outside in ("PRC", "Oregon", "Atlantis"):
        x.governing_law.jurisdiction = outside
        fires(pb.evaluate(x), "PB001", "governing_law")


def test_support_rule_accepts_another_name_of_the_cited_place():
    x, doc = clean()
    text = doc.text + "\nThis Agreement is governed by the laws of the PRC.\n"
    doc = doc.model_copy(update={"text": text})
    line = text.split("\n")[-2]
    x.governing_law = GoverningLaw(jurisdiction="China", evidence=ev(line, "laws of the PRC", text=text))
    silent(rules.evaluate(x, doc), "S006")
    x.governing_law = GoverningLaw(jurisdiction="Hong Kong", evidence=ev(line, "laws of the PRC", text=text))
    fires(rules.evaluate(x, doc), "S006", "governing_law")


def test_every_place_of_a_sentence_in_order():
    from rules.text import jurisdictions_in

    places = jurisdictions_in("governed by the laws of the Province of Ontario and the federal laws of Canada")
    assert [j.code for j in places] == ["CA-ON", "CA"]
    assert jurisdictions_in("no place here") == [] and jurisdictions_in(None) == []
