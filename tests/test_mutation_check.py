"""scripts/mutation_check.py: the mutations are the wrong answers they claim to be, and the engine judges them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from rules.text.dates import parse_date
from rules.text.durations import parse_duration
from pipeline.extraction.grounding import ground_evidence
from rules.text.sentences import split_sentences
from rules.engine import evaluate
from schemas import (
    ContractExtraction,
    DateClaim,
    Duration,
    DurationClaim,
    Evidence,
    GoverningLaw,
    MatchStatus,
    Party,
    SourceDocument,
    SourcePage,
)

REPO = Path(__file__).resolve().parents[1]

TEXT = (
    "MASTER SERVICES AGREEMENT\n\n"
    "This Master Services Agreement is made and entered into as of March 1, 2021 (the \"Effective Date\") "
    "by and between Acme Widgets Inc. (\"Acme\") and Borealis Software LLC (\"Borealis\").\n\n"
    "1. The initial term of this Agreement is two (2) years from the Effective Date.\n\n"
    "2. Either party may terminate this Agreement for convenience on ninety (90) days written notice.\n\n"
    "3. This Agreement shall be governed by the laws of the State of Delaware.\n\n"
    "4. The first invoice is payable on June 30, 2021 to Harrow Payments Corp. as collection agent.\n\n"
    "5. Disputes about invoices are settled under the laws of Ontario by the parties' finance teams.\n\n"
    "6. Notices to Borealis Software LLC go to its office in Portland.\n"
)


@pytest.fixture(scope="module")
def mc():
    spec = importlib.util.spec_from_file_location("mutation_check", REPO / "scripts" / "mutation_check.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["mutation_check"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def case():
    doc = SourceDocument(document_id="d", file_name="msa.pdf", text=TEXT,
                         pages=[SourcePage(number=1, start=0, end=len(TEXT))])
    sents = split_sentences(TEXT)

    def ev(needle: str, span: str) -> Evidence:
        sid = next(s.id for s in sents if needle in s.text)
        return ground_evidence(Evidence(sentence_ids=[sid], span=span, chunk_seq=0), sents, doc)

    x = ContractExtraction(
        parties=[Party(name="Acme Widgets Inc.", defined_terms=["Acme"], evidence=ev("made and", "Acme Widgets Inc.")),
                 Party(name="Borealis Software LLC", defined_terms=["Borealis"],
                       evidence=ev("made and", "Borealis Software LLC"))],
        effective_date=DateClaim(value=dt.date(2021, 3, 1), parsed=parse_date("March 1, 2021").value,
                                 raw_text="March 1, 2021", evidence=ev("made and", "March 1, 2021")),
        initial_term=DurationClaim(value=Duration(value=2, unit="years"), parsed=parse_duration("two (2) years"),
                                   raw_text="two (2) years", evidence=ev("initial term", "two (2) years")),
        governing_law=GoverningLaw(jurisdiction="Delaware", raw_text="laws of the State of Delaware",
                                   evidence=ev("governed by", "laws of the State of Delaware")),
    )
    return x, doc, sents


def test_hand_built_extraction_is_clean(mc, case):
    """The fixture is right: every field is grounded exactly and no rule flags it (so mutations are judged)."""
    x, doc, _ = case
    findings = evaluate(x, doc)
    assert mc.clean_paths(x, findings) == {"effective_date", "initial_term", "governing_law", "parties[0]",
                                           "parties[1]"}
    assert x.effective_date.evidence.match == MatchStatus.EXACT


def test_kind_a_date_shift_keeps_evidence_and_is_caught_by_support(mc, case):
    x, doc, _ = case
    muts = mc.value_mutations(x, "effective_date", "date", doc, seed=5)
    assert [(label, y.effective_date.value) for label, y in muts] == [
        ("+1 year", dt.date(2022, 3, 1)), ("+37 days", dt.date(2021, 4, 7))]
    for _, y in muts:
        assert y.effective_date.parsed == dt.date(2021, 3, 1)  # evidence untouched, so is what it reads
        assert y.effective_date.evidence == x.effective_date.evidence
        hits = mc.flagged(evaluate(y, doc), "effective_date")
        assert "S002" in {f.rule_id for f in hits}
    assert x.effective_date.value == dt.date(2021, 3, 1)  # the original is not modified


def test_kind_a_duration_law_party_are_caught(mc, case):
    x, doc, _ = case
    dur = mc.value_mutations(x, "initial_term", "duration", doc)
    assert [y.initial_term.value for _, y in dur] == [Duration(value=32, unit="years"), Duration(value=4, unit="years")]
    assert all("S004" in {f.rule_id for f in mc.flagged(evaluate(y, doc), "initial_term")} for _, y in dur)
    (_, law), = mc.value_mutations(x, "governing_law", "governing_law", doc, seed=5)
    assert law.governing_law.jurisdiction != "Delaware" and law.governing_law.jurisdiction in mc.JURISDICTIONS
    assert "S006" in {f.rule_id for f in mc.flagged(evaluate(law, doc), "governing_law")}
    (_, ren), = mc.value_mutations(x, "parties[1]", "party", doc, seed=5)
    assert ren.parties[1].name in mc.COMPANY_NAMES and ren.parties[1].name not in TEXT
    assert "S005" in {f.rule_id for f in mc.flagged(evaluate(ren, doc), "parties[1]")}


def test_kind_b_cites_another_sentence_faithfully(mc, case):
    x, doc, sents = case
    muts = mc.citation_mutations(x, "effective_date", "date", doc, sents, per_field=3, seed=5)
    assert len(muts) == 1  # the only other date in the text
    _, y = muts[0]
    c = y.effective_date
    assert c.value == c.parsed == dt.date(2021, 6, 30)
    assert c.evidence.match == MatchStatus.EXACT
    assert TEXT[c.evidence.start:c.evidence.end] == c.evidence.quote
    assert c.evidence.quote.startswith("4. The first invoice is payable on June 30, 2021")
    assert TEXT[c.evidence.value_start:c.evidence.value_end] == "June 30, 2021"
    # the invoice sentence has no effective-date cue word: relevance flags it
    assert "R001" in {f.rule_id for f in mc.flagged(evaluate(y, doc), "effective_date")}


def test_kind_b_candidates_for_law_party_duration(mc, case):
    x, doc, sents = case
    law = mc.citation_candidates(x, "governing_law", "governing_law", sents)
    assert [(span, value) for _, span, value in law] == [("laws of Ontario", "Ontario")]
    party = mc.citation_candidates(x, "parties[0]", "party", sents)
    # Borealis from sentence 6, not from the cited preamble (a sentence overlapping the evidence is skipped)
    assert [(s.text[:2], v) for s, _, v in party] == [("4.", "Harrow Payments Corp."), ("6.", "Borealis Software LLC")]
    dur = mc.citation_mutations(x, "initial_term", "duration", doc, sents)
    assert [(y.initial_term.value, y.initial_term.parsed) for _, y in dur] == [
        (Duration(value=90, unit="days"), Duration(value=90, unit="days"))]


def test_check_counts_only_clean_fields(mc, case):
    x, doc, _ = case
    t = mc.check([mc.Document("msa.pdf", x, doc)], per_field=3, seed=5)
    assert t.clean == 5
    assert t.mutations[("date", "a")] == 2 and t.caught[("date", "a")] == 2
    assert sum(v for (ft, k), v in t.mutations.items() if k == "a") == sum(
        v for (ft, k), v in t.caught.items() if k == "a") == 7
    # parties[0] renamed to Borealis (sentence 8): a duplicate of parties[1]; P002 flags both entries, so it is caught
    missed = {(m[1], m[3]) for m in t.missed}
    assert ("parties[0]", "sentence 8: 'Borealis Software LLC'") not in missed
    assert t.caught[("party", "b")] >= 1
    # a field flagged before mutation is left out
    y = x.model_copy(deep=True)
    y.governing_law.evidence = y.governing_law.evidence.model_copy(update={"match": MatchStatus.NOT_FOUND})
    t2 = mc.check([mc.Document("msa.pdf", y, doc)], per_field=3, seed=5)
    assert t2.clean == 4 and t2.mutations[("governing_law", "a")] == 0


def test_a_defined_term_of_the_party_is_the_same_entity_not_a_wrong_answer(mc):
    """A party extracted as its alias ("Acme") cited to 'Acme Widgets Inc. ("Acme")' would be corrected, not broken."""
    aliases = mc.company_aliases(TEXT)
    assert aliases == {"acme widgets inc": {"acme"}, "borealis software llc": {"borealis"}}
    assert mc.same_entity(Party(name="Acme"), "Acme Widgets Inc.", aliases)
    assert not mc.same_entity(Party(name="Acme"), "Harrow Payments Corp.", aliases)
    assert not mc.same_entity(Party(name="Borealis Software LLC"), "Acme Widgets Inc.", aliases)
