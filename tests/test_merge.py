"""Merge of per-chunk answers (pipeline.extraction.merge), without a model.

The ChunkExtraction objects here are hand-built INPUTS to merge (shapes a model returns, including
its typical mistakes), not recorded model answers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.extraction.merge import (
    clean_party,
    merge_parties,
    merge_partials,
    name_key,
    resolve_party,
)
from pipeline.extraction.partial import chunk_to_partial
from schemas import Duration, Party
from schemas.chunk_output import (
    ChunkDate,
    ChunkDuration,
    ChunkExtraction,
    ChunkKeyDate,
    ChunkObligation,
    ChunkParty,
    ChunkText,
)

HP = "Harbor & Pine Supply Co."
QE = "Quill and Ember Retail, LLC"


def _partials(*outs: ChunkExtraction):
    return [chunk_to_partial(o, i) for i, o in enumerate(outs)]


def test_name_key_never_splits_and_folds_suffixes():
    assert name_key("Harbor & Pine Supply Co.") == name_key("harbor and pine supply company")
    assert name_key("The Supplier") == "supplier"
    assert name_key(HP) != name_key("Pine Supply Co.")


def test_f22_two_parties_aliases_folded_obligors_resolved():
    # chunk 0: the preamble; the model also lists the aliases "Supplier" and "Party" as parties
    c0 = ChunkExtraction(parties=[
        ChunkParty(name=HP, role="Supplier", defined_terms=["H&P", "Supplier"],
                   entity_type="corporation", jurisdiction="Washington", sentence_ids=[2]),
        ChunkParty(name=QE, defined_terms=["Distributor"], entity_type="limited liability company",
                   jurisdiction="Nevada", sentence_ids=[2]),
        ChunkParty(name="Supplier", sentence_ids=[3]),
        ChunkParty(name="Party", sentence_ids=[3]),
    ])
    # chunk 1: obligations name the parties by alias
    c1 = ChunkExtraction(
        parties=[ChunkParty(name="H&P"), ChunkParty(name="Distributor")],
        obligations=[
            ChunkObligation(obligor="H&P", obligee="Distributor", action="ship Products within five (5) Business Days",
                            category="delivery", sentence_ids=[5]),
            ChunkObligation(obligor="Distributor", obligee="the Supplier", action="pay the Supplier within 45 days",
                            category="payment", sentence_ids=[6]),
        ],
    )
    x = merge_partials(_partials(c0, c1))
    assert [p.name for p in x.parties] == [HP, QE]
    hp, qe = x.parties
    assert set(hp.defined_terms) == {"H&P", "Supplier"}
    assert hp.entity_type == "corporation" and hp.jurisdiction == "Washington"
    assert qe.defined_terms == ["Distributor"]
    assert [(o.obligor, o.obligee) for o in x.obligations] == [(HP, QE), (QE, HP)]


def test_f22_name_with_and_is_one_party_even_when_given_twice_with_suffix_variants():
    x = merge_parties([Party(name="Quill and Ember Retail, LLC"), Party(name="Quill & Ember Retail LLC")])
    assert [p.name for p in x] == [QE]


def test_f24_dba_former_name_affiliates_are_attributes_exactly_two_parties():
    # the model swallowed the d/b/a and entity description into the name, and listed the d/b/a name,
    # the former name and an affiliate as parties of their own
    c0 = ChunkExtraction(parties=[
        ChunkParty(name="Greenfield Holdings, LLC d/b/a Greenfield Fresh Market, a Texas limited liability company",
                   defined_terms=["Greenfield"]),
        ChunkParty(name="Ashgrove Systems Corp. (formerly known as Ashgrove Software Inc.)", defined_terms=["Provider"]),
        ChunkParty(name="Greenfield Fresh Market"),
        ChunkParty(name="Ashgrove Software Inc."),
    ])
    c1 = ChunkExtraction(parties=[
        ChunkParty(name="Greenfield Holdings, LLC", affiliates=["Greenfield Fresh Distribution LLC",
                                                                "Greenfield Fresh Stores LLC"]),
        ChunkParty(name="Greenfield Fresh Distribution LLC"),
    ])
    x = merge_partials(_partials(c0, c1))
    assert [p.name for p in x.parties] == ["Greenfield Holdings, LLC", "Ashgrove Systems Corp."]
    g, a = x.parties
    assert g.dba == ["Greenfield Fresh Market"]
    assert g.entity_type == "Texas limited liability company"
    assert set(g.affiliates) == {"Greenfield Fresh Distribution LLC", "Greenfield Fresh Stores LLC"}
    assert a.former_names == ["Ashgrove Software Inc."]
    assert a.defined_terms == ["Provider"]


def test_clean_party_affiliates_phrase():
    p = clean_party(Party(name="Greenfield Holdings, LLC, on behalf of itself and its Affiliates"))
    assert p.name == "Greenfield Holdings, LLC"
    assert p.affiliates == ["Affiliates"]


def test_fuller_legal_name_wins_and_alias_first_mention_is_replaced():
    x = merge_parties([Party(name="H&P"), Party(name=HP, defined_terms=["H&P"]), Party(name="Ashgrove Systems"),
                       Party(name="Ashgrove Systems Corp.")])
    assert [p.name for p in x] == [HP, "Ashgrove Systems Corp."]
    assert resolve_party("the Supplier", x) == "the Supplier"  # unknown alias stays as written
    assert resolve_party("h&p", x) == HP


def test_conflicting_single_values_keep_every_candidate_first_stays():
    c0 = ChunkExtraction(effective_date=ChunkDate(iso="2021-03-01", span="March 1, 2021", sentence_ids=[1]),
                         governing_law=ChunkText(value="Delaware", span="State of Delaware", sentence_ids=[9]))
    c1 = ChunkExtraction(effective_date=ChunkDate(iso="2021-03-01", span="March 1, 2021", sentence_ids=[1]))
    c2 = ChunkExtraction(effective_date=ChunkDate(iso="2021-04-01", span="April 1, 2021", sentence_ids=[4]),
                         governing_law=ChunkText(value="State of Delaware", span="Delaware", sentence_ids=[2]))
    x = merge_partials(_partials(c0, c1, c2))
    assert x.effective_date.value == dt.date(2021, 3, 1)
    cands = x.candidates["effective_date"]
    assert [c["value"] for c in cands] == ["2021-03-01", "2021-04-01"]
    assert [c["evidence"]["chunk_seq"] for c in cands] == [0, 2]
    assert cands[1]["evidence"]["span"] == "April 1, 2021"
    # "State of Delaware" vs "Delaware": different strings, the same value? No: kept as candidates,
    # the rule engine and reviewer see both
    assert x.governing_law.jurisdiction == "Delaware"
    assert len(x.candidates["governing_law"]) == 2
    assert "initial_term" not in x.candidates


def test_overlap_duplicates_removed_lists_concatenated():
    ob = ChunkObligation(obligor="Vendor", action="deliver report R-001", category="reporting", sentence_ids=[3])
    ob2 = ChunkObligation(obligor="Vendor", action="deliver report R-002", category="reporting", sentence_ids=[4])
    x = merge_partials(_partials(ChunkExtraction(obligations=[ob, ob2, ob]), ChunkExtraction(obligations=[ob2])))
    assert [o.action for o in x.obligations] == ["deliver report R-001", "deliver report R-002"]


def test_f30_end_before_start_is_kept_as_written():
    c = ChunkExtraction(
        effective_date=ChunkDate(iso="2022-03-01", span="March 1, 2022", sentence_ids=[2]),
        expiration_date=ChunkDate(iso="2021-02-28", span="February 28, 2021", sentence_ids=[2]),
    )
    x = merge_partials(_partials(c))
    assert x.effective_date.value == dt.date(2022, 3, 1)
    assert x.expiration_date.value == dt.date(2021, 2, 28)
    assert x.expiration_date.computed is False


def test_empty_objects_are_not_stated_and_bad_iso_is_noted():
    c = ChunkExtraction(agreement_date=ChunkDate(), initial_term=ChunkDuration(),
                        effective_date=ChunkDate(iso="March 1", span="March 1, 2021"))
    p = chunk_to_partial(c, 0)
    assert p.agreement_date is None and p.initial_term is None
    assert p.effective_date.value is None and "not an ISO 8601 date" in p.effective_date.note


def test_duration_value_from_model_number_and_unit():
    c = ChunkExtraction(renewal_notice=ChunkDuration(number=60, unit="days", span="sixty (60) days", sentence_ids=[7]))
    p = chunk_to_partial(c, 3)
    assert p.renewal_notice.value == Duration(value=60, unit="days")
    assert p.renewal_notice.evidence.sentence_ids == [7] and p.renewal_notice.evidence.chunk_seq == 3


# --- normalization (pipeline.extraction.normalize_extraction) ------------------------------------------

from pipeline.extraction.normalize import normalize_extraction  # noqa: E402


def test_expiration_computed_from_effective_date_and_initial_term_when_not_stated():
    c = ChunkExtraction(
        effective_date=ChunkDate(iso="2021-03-01", span="this 1st day of March, 2021", sentence_ids=[1]),
        initial_term=ChunkDuration(number=2, unit="years", span="two (2) years", sentence_ids=[4]),
    )
    x = normalize_extraction(merge_partials(_partials(c)), "Effective this 1st day of March, 2021. Term two (2) years.")
    assert x.effective_date.parsed == dt.date(2021, 3, 1)
    assert x.initial_term.parsed == Duration(value=2, unit="years")
    assert x.expiration_date.value == dt.date(2023, 3, 1)
    assert x.expiration_date.computed is True and "computed" in x.expiration_date.note
    assert x.expiration_date.evidence.sentence_ids == [4]  # the term it was computed from


def test_stated_expiration_is_never_replaced_by_a_computed_one():
    c = ChunkExtraction(
        effective_date=ChunkDate(iso="2022-03-01", span="March 1, 2022", sentence_ids=[1]),
        initial_term=ChunkDuration(number=1, unit="years", span="one (1) year", sentence_ids=[1]),
        expiration_date=ChunkDate(iso="2021-02-28", span="February 28, 2021", sentence_ids=[1]),
    )
    x = normalize_extraction(merge_partials(_partials(c)), "")
    assert x.expiration_date.value == dt.date(2021, 2, 28) and x.expiration_date.computed is False


def test_date_order_decided_once_for_the_document_the_text_reading_wins_and_the_model_value_is_kept():
    # English law and an unambiguous 13/02/2021 elsewhere: the document is day-first (F16)
    text = ("This Agreement is dated 01/02/2021. Delivery by 13/02/2021. "
            "This Agreement is governed by the laws of England and Wales.")
    c = ChunkExtraction(
        agreement_date=ChunkDate(iso="2021-01-02", span="01/02/2021", sentence_ids=[1]),  # model read it MDY
        governing_law=ChunkText(value="England and Wales", span="England and Wales", sentence_ids=[3]),
    )
    x = normalize_extraction(merge_partials(_partials(c)), text)
    assert x.date_order == "DMY"
    assert x.agreement_date.parsed == dt.date(2021, 2, 1)
    # the field holds what the text says; the model's reading stays beside it for the rules (S002)
    assert x.agreement_date.value == dt.date(2021, 2, 1) and x.agreement_date.model_value == dt.date(2021, 1, 2)
    assert x.agreement_date.ambiguous_order is False


def test_durations_and_list_dates_are_read_from_the_text():
    text = ("This Agreement is dated 01/02/2021 and governed by the laws of England and Wales. "
            "Price review: 05/03/2022. Notice period: sixty (60) days.")
    c = ChunkExtraction(
        agreement_date=ChunkDate(iso="2021-02-01", span="01/02/2021", sentence_ids=[1]),
        renewal_notice=ChunkDuration(number=6, unit="days", span="sixty (60) days", sentence_ids=[3]),
        other_dates=[ChunkKeyDate(label="Price review", iso="2022-05-03", span="05/03/2022", sentence_ids=[2])],
    )
    x = normalize_extraction(merge_partials(_partials(c)), text)
    assert x.renewal_notice.value.value == 60 and x.renewal_notice.model_value.value == 6
    assert x.key_dates[0].value == dt.date(2022, 3, 5) and x.key_dates[0].model_value == dt.date(2022, 5, 3)
    assert x.agreement_date.model_value is None  # the model read it right: nothing to keep beside it


def test_undecidable_order_is_flagged_with_both_readings():
    c = ChunkExtraction(agreement_date=ChunkDate(span="01/02/2021", sentence_ids=[1]))
    x = normalize_extraction(merge_partials(_partials(c)), "Dated 01/02/2021.")
    assert x.date_order is None
    assert x.agreement_date.parsed is None and x.agreement_date.ambiguous_order is True
    assert set(x.agreement_date.alternatives) == {dt.date(2021, 2, 1), dt.date(2021, 1, 2)}


def test_alias_only_party_names_are_replaced_by_the_defined_legal_name():
    text = require_text("F22")
    # what small models answer: the aliases as names, and a defined term as a third party
    c = ChunkExtraction(parties=[ChunkParty(name="H&P", defined_terms=["Supplier"]),
                                 ChunkParty(name="Distributor", role="Distributor"),
                                 ChunkParty(name="Supplier")],
                        obligations=[ChunkObligation(obligor="H&P", obligee="Distributor", action="ship Products")])
    x = normalize_extraction(merge_partials(_partials(c)), text)
    assert [p.name for p in x.parties] == [HP, QE]
    assert set(x.parties[0].defined_terms) >= {"H&P", "Supplier"}
    assert [(o.obligor, o.obligee) for o in x.obligations] == [(HP, QE)]


def test_legal_name_for_alias_shapes():
    from pipeline.extraction.merge import legal_name_for_alias

    assert legal_name_for_alias("SLD", 'is made by and between Shun Li De Commerce & Trading Ltd ("SLD") a Beijing '
                                       'company') == "Shun Li De Commerce & Trading Ltd"
    assert legal_name_for_alias("ACM", 'AGREEMENT\n\nAmerican Champion Media, Inc. ("ACM"), a Delaware company') == \
        "American Champion Media, Inc."
    assert legal_name_for_alias("MMI", "BETWEEN:\n\n   MODUS MEDIA INTERNATIONAL     LANDDROSTLAAN 51     "
                                       '7327 GM APELDOORN    (HEREINAFTER "MMI")') == "MODUS MEDIA INTERNATIONAL"
    assert legal_name_for_alias("XYZ", 'Nothing defines it ("ABC").') is None


def require_text(case: str) -> str:
    from tests.conftest import require_shared

    return require_shared("failcases", case, "contract.txt").read_text()


def test_obligation_deadlines_are_read_from_their_spans():
    text = ("This Agreement is effective as of January 15, 2021. The Supplier shall deliver within ninety (90) "
            "days after the Effective Date. The report is due no later than the fifteenth day of April, 2021. "
            "Fees are due on the 1st of each month.")
    c = ChunkExtraction(
        effective_date=ChunkDate(iso="2021-01-15", span="January 15, 2021", sentence_ids=[1]),
        obligations=[
            ChunkObligation(action="deliver", span="within ninety (90) days after the Effective Date",
                            deadline_number=9, deadline_unit="days", sentence_ids=[2]),
            ChunkObligation(action="report", span="no later than the fifteenth day of April, 2021",
                            deadline_number=15, deadline_unit="days", sentence_ids=[3]),  # misread as 15 days
            ChunkObligation(action="pay", span="on the 1st of each month", deadline_iso="2021-01-01",
                            sentence_ids=[4]),
        ],
    )
    x = normalize_extraction(merge_partials(_partials(c)), text)
    deliver, report, pay = (o.deadline for o in x.obligations)
    assert deliver.date == dt.date(2021, 4, 15) and deliver.duration.value == 90
    assert report.date == dt.date(2021, 4, 15) and report.duration is None and report.inclusive is True
    assert pay.day_of_month == 1 and pay.date is None  # a recurring day is no single calendar date


@pytest.mark.parametrize(("span", "model_date"), [
    ("within 30 days after delivery", dt.date(2021, 2, 14)),  # no anchor in the text: the model's date goes
    ("within 30 days after the effective date of termination", None),  # another anchor
    ("within 30 days after the Rent Commencement Date", None),
    ("ninety days after the Effective Date or June 30, 2021, whichever is earlier", None),  # two limits
    ("within 30 days after receipt of invoice, and in any event within 90 days after the Effective Date", None),
])
def test_deadline_without_one_readable_date_has_none(span, model_date):
    text = f"This Agreement is effective as of January 15, 2021. The Supplier shall act {span}."
    c = ChunkExtraction(
        effective_date=ChunkDate(iso="2021-01-15", span="January 15, 2021", sentence_ids=[1]),
        obligations=[ChunkObligation(action="act", span=span, sentence_ids=[2],
                                     deadline_iso=model_date.isoformat() if model_date else None, deadline_number=30,
                                     deadline_unit="days")],
    )
    x = normalize_extraction(merge_partials(_partials(c)), text)
    assert x.obligations[0].deadline.date is None


def test_a_date_answer_without_a_date_is_no_candidate_and_yields_to_a_stated_date():
    """A chunk whose answer cites "the date first written above" (no date, none readable) and a later chunk
    that gives the date: the field takes the date and no conflict is recorded (a value against no value
    is not two values); two stated dates stay two candidates."""
    text = "Signed on the date first written above. Dated: June 25, 2009. Also July 1, 2009."
    c0 = ChunkExtraction(agreement_date=ChunkDate(span="the date first written above", sentence_ids=[1]))
    c1 = ChunkExtraction(agreement_date=ChunkDate(iso="2009-06-25", span="June 25, 2009", sentence_ids=[2]))
    x = normalize_extraction(merge_partials(_partials(c0, c1)), text)
    assert x.agreement_date.value == dt.date(2009, 6, 25) and x.agreement_date.evidence.chunk_seq == 1
    assert "agreement_date" not in x.candidates
    c2 = ChunkExtraction(agreement_date=ChunkDate(iso="2009-07-01", span="July 1, 2009", sentence_ids=[3]))
    x = normalize_extraction(merge_partials(_partials(c0, c1, c2)), text)
    assert x.agreement_date.value == dt.date(2009, 6, 25)
    assert [c["value"] for c in x.candidates["agreement_date"]] == ["2009-06-25", "2009-07-01"]
