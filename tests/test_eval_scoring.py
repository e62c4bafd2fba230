"""The pure core of `clausewise eval` (issue 11): gold values of the three labelled sets, scoring by CUAD's
conventions, the Wilson interval and the trust summary; on the recorded answers it reproduces the figures
of scripts/eval_cuad.py (10 CUAD contracts) and scripts/compare_samples.py (the three samples)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.evaluation import (
    FIELD_LABELS,
    OUTCOMES,
    SCORED_FIELDS,
    Absent,
    FieldRecord,
    GoldDate,
    GoldDurations,
    GoldJurisdiction,
    GoldParties,
    GoldPaymentDays,
    LabelledDocument,
    Rate,
    Unlabelled,
    cuad_gold,
    cuad_set,
    date_matches,
    field_records,
    flagged,
    flagged_by_completeness,
    LabelError,
    gold_set,
    gold_value,
    samples_set,
    score,
    select,
    summarize,
    token_f1,
    value_text,
    wilson,
)
from schemas import (
    ClausewiseError,
    ContractExtraction,
    DateClaim,
    Duration,
    DurationClaim,
    Finding,
    GoverningLaw,
    Party,
    PaymentTerms,
)
from tests.conftest import REPO, require_shared, unavailable

MODEL = "qwen2.5-coder-1.5b"


def _d(value: str | None, parsed: str | None = None) -> DateClaim:
    return DateClaim(value=dt.date.fromisoformat(value) if value else None,
                     parsed=dt.date.fromisoformat(parsed) if parsed else None)


def _dur(value: float, unit: str, parsed: tuple[float, str] | None = None) -> DurationClaim:
    return DurationClaim(value=Duration(value=value, unit=unit),
                         parsed=Duration(value=parsed[0], unit=parsed[1]) if parsed else None)


def _x(**fields) -> ContractExtraction:
    if "parties" in fields:
        fields["parties"] = [Party(name=n) for n in fields["parties"]]
    return ContractExtraction(**fields)


# ------------------------------------------------------------------------------ a right, a wrong, an invented and a missing value per field type


def test_parties_complete_list_compared_by_name_key():
    gold = {"parties": gold_value("parties", [{"name": "Harrowgate Systems, Inc."}, "Bellweather Provisions Co., LLC"])}
    assert isinstance(gold["parties"], GoldParties) and gold["parties"].complete
    assert score(gold, _x(parties=["HARROWGATE SYSTEMS INC", "the Bellweather Provisions Company, LLC"])) == {"parties": "right"}
    assert score(gold, _x(parties=["Harrowgate Systems, Inc."])) == {"parties": "wrong"}  # one party short
    assert score(gold, _x(parties=["Harrowgate Systems, Inc.", "Bellweather Provisions Co., LLC", "Bellweather Market"])) \
        == {"parties": "wrong"}  # a d/b/a taken for a third party
    assert score(gold, _x()) == {"parties": "missing"}
    assert score({"parties": gold_value("parties", [])}, _x(parties=["Acme Inc."])) == {"parties": "invented"}
    assert score({"parties": Absent()}, _x()) == {"parties": "absent"}


def test_parties_cuad_labels_matched_by_token_f1():
    row = {"Parties": "['Sykes HealthPlan Services, Inc.', 'HealthPlan Services, Inc.', 'SHPS', 'HPS']",
           "Parties-Answer": 'Sykes HealthPlan Services, Inc. ("SHPS"); HealthPlan Services, Inc. ("HFS")'}
    gold = {"parties": cuad_gold(row)["parties"]}
    assert gold["parties"] == GoldParties(("Sykes HealthPlan Services, Inc", "HealthPlan Services, Inc"),
                                          complete=False, label=row["Parties-Answer"])
    # extra extracted parties are allowed; a name close enough (token F1 >= 0.6) matches
    assert score(gold, _x(parties=["SYKES HEALTHPLAN SERVICES", "HealthPlan Services Corporation", "Other"])) \
        == {"parties": "right"}
    assert score(gold, _x(parties=["Sykes Enterprises", "Blue Cross"])) == {"parties": "wrong"}
    assert score(gold, _x()) == {"parties": "missing"}
    absent = cuad_gold({"Parties": "[]", "Parties-Answer": ""})["parties"]
    assert isinstance(absent, Absent) and score({"parties": absent}, _x(parties=["Acme"])) == {"parties": "invented"}
    # blanks and a sentence about the parties are no names
    blank = cuad_gold({"Parties": "['x']", "Parties-Answer": '[] ("Franchisee"); [] ("Member")'})["parties"]
    assert isinstance(blank, Unlabelled) and blank.answered
    assert score({"parties": blank}, _x(parties=["Acme"])) == {"parties": "unlabelled"}
    sentence = cuad_gold({"Parties": "['x']", "Parties-Answer":
                          'Acme Corp ("Acme"); (the "Parties" or individually a "Party")'})["parties"]
    assert sentence.names == ("Acme Corp",)
    # the parties' aliases listed together are no party; a name joined by "and" that is no alias list stays
    together = cuad_gold({"Parties": "['x']", "Parties-Answer":
                          'Pine Tools, Inc. ("Company"); Harbor Group, Inc. ("HGI"); Company and HGI (each a "Party")'})
    assert together["parties"].names == ("Pine Tools, Inc", "Harbor Group, Inc")
    joined = cuad_gold({"Parties": "['x']", "Parties-Answer": 'Smith and Jones Trading Co. ("S&J")'})
    assert joined["parties"].names == ("Smith and Jones Trading Co",)


def test_token_f1():
    assert token_f1("Acme Widgets Inc.", "ACME WIDGETS CORPORATION") == 1.0
    assert token_f1("Harbor & Pine Supply Co.", "Harbor and Pine Supply") == 1.0
    assert token_f1("Sykes HealthPlan Services", "HealthPlan Services") == pytest.approx(0.8)
    assert token_f1("Inc.", "Acme") == 0.0 and token_f1("Acme", "Beta") == 0.0
    # the label's d/b/a or former-name tail is not the legal name the extraction holds; apostrophes drop
    assert token_f1('Harbor Tools, Inc. d/b/a Pine Outfitters ("Company")', "Harbor Tools, Inc.") == 1.0
    assert token_f1("Harbor Tools LLC, formerly known as Harbor Tools Corp.", "Harbor Tools LLC") == 1.0
    assert token_f1("Pine Outfitters", "Harbor Tools, Inc. d/b/a Pine Outfitters") == 0.0
    assert token_f1("Stremicks Farm LLC", "Stremick's Farm LLC") == 1.0


@pytest.mark.parametrize("fld", ["agreement_date", "effective_date", "expiration_date"])
def test_dates(fld):
    gold = {fld: gold_value(fld, "2024-03-01")}
    assert score(gold, _x(**{fld: _d("2024-03-01")})) == {fld: "right"}
    assert score(gold, _x(**{fld: _d("2024-01-03")})) == {fld: "wrong"}
    assert score(gold, _x(**{fld: DateClaim(raw_text="the Effective Date")})) == {fld: "missing"}  # no date in it
    assert score(gold, _x()) == {fld: "missing"}
    assert score({fld: gold_value(fld, None)}, _x(**{fld: _d("2024-03-01")})) == {fld: "invented"}
    assert score({fld: gold_value(fld, None)}, _x()) == {fld: "absent"}
    # the date read from the cited text counts before the model's
    assert score(gold, _x(**{fld: _d("2024-01-03", parsed="2024-03-01")})) == {fld: "right"}


def test_dates_with_unknown_parts_and_perpetual():
    row = {"Agreement Date": "['2000']", "Agreement Date-Answer": "[]/[]/2000",
           "Effective Date": "['December 2019']", "Effective Date-Answer": "12/[]/2019; 1/1/2020",
           "Expiration Date": "['perpetual']", "Expiration Date-Answer": "Perpetual"}
    gold = cuad_gold(row)
    assert gold["agreement_date"] == GoldDate("2000", None, None, label="[]/[]/2000")
    assert gold["agreement_date"].text == "[]/[]/2000" and GoldDate("19", 6, None).text == "19??-06-??"
    assert date_matches(GoldDate("19", None, None), dt.date(1999, 6, 21))
    assert not date_matches(GoldDate("19", None, None), dt.date(2001, 6, 21))
    x = _x(agreement_date=_d("2000-07-04"), effective_date=_d("2019-12-20"), expiration_date=None)
    assert score({f: gold[f] for f in ("agreement_date", "effective_date", "expiration_date")}, x) == {
        "agreement_date": "right", "effective_date": "right", "expiration_date": "right"}
    x = _x(agreement_date=_d("2001-07-04"), effective_date=_d("2020-01-01"), expiration_date=_d("2030-01-01"))
    assert score({f: gold[f] for f in ("agreement_date", "effective_date", "expiration_date")}, x) == {
        "agreement_date": "wrong", "effective_date": "wrong", "expiration_date": "wrong"}
    assert gold_value("expiration_date", "2027-03") == GoldDate("2027", 3, None, label="2027-03")


def test_date_left_blank_in_the_contract_is_right_only_undated():
    """CUAD labels "this ___ day of _______, 2004" as ``[]/[]/2004``: the contract states no date there."""
    row = {"Agreement Date": "['this ___ day of _________, 2004']", "Agreement Date-Answer": "[]/[]/2004",
           "Effective Date": "['December 2019']", "Effective Date-Answer": "12/[]/2019"}
    gold = cuad_gold(row)
    assert gold["agreement_date"].blank and not gold["effective_date"].blank  # a month and year is a date
    got = {f: gold[f] for f in ("agreement_date", "effective_date")}
    assert score(got, _x(agreement_date=None, effective_date=_d("2019-12-20"))) == {
        "agreement_date": "right", "effective_date": "right"}
    assert score(got, _x(agreement_date=_d("2004-07-04"), effective_date=None)) == {
        "agreement_date": "wrong", "effective_date": "missing"}


@pytest.mark.parametrize("fld", ["initial_term", "renewal_term", "renewal_notice", "confidentiality_survival"])
def test_durations(fld):
    gold = {fld: gold_value(fld, "1 year")}
    assert score(gold, _x(**{fld: _dur(12, "months")})) == {fld: "right"}  # 1 year = 12 months
    assert score(gold, _x(**{fld: _dur(1, "months")})) == {fld: "wrong"}
    assert score(gold, _x()) == {fld: "missing"}
    assert score({fld: gold_value(fld, None)}, _x(**{fld: _dur(30, "days")})) == {fld: "invented"}
    assert score({fld: gold_value(fld, None)}, _x()) == {fld: "absent"}
    # the duration read from the text or the model's: either may agree
    assert score(gold, _x(**{fld: _dur(6, "months", parsed=(1, "years"))})) == {fld: "right"}


def test_duration_forms_and_equivalence():
    g = gold_value("renewal_notice", ["sixty (60) days", {"value": 2, "unit": "months"}])
    assert isinstance(g, GoldDurations) and len(g.accepted) == 2
    assert score({"renewal_notice": g}, _x(renewal_notice=_dur(2, "months"))) == {"renewal_notice": "right"}
    two_weeks = {"renewal_notice": gold_value("renewal_notice", "2 weeks")}
    assert score(two_weeks, _x(renewal_notice=_dur(14, "days"))) == {"renewal_notice": "right"}
    business = {"renewal_notice": gold_value("renewal_notice", {"value": 10, "unit": "business days"})}
    assert score(business, _x(renewal_notice=_dur(10, "days"))) == {"renewal_notice": "wrong"}
    # CUAD: several accepted durations; "perpetual" is not comparable; no answer but a clause = not labelled
    row = {"Renewal Term": "['x']", "Renewal Term-Answer": "180 days / 6 months",
           "Notice Period to Terminate Renewal": "['x']", "Notice Period to Terminate Renewal-Answer": ""}
    gold = cuad_gold(row)
    assert {d.canonical() for d in gold["renewal_term"].accepted} == {(180, "days"), (6, "months")}
    assert isinstance(gold["renewal_notice"], Unlabelled) and not gold["renewal_notice"].answered
    assert score({"renewal_notice": gold["renewal_notice"]}, _x(renewal_notice=_dur(30, "days"))) \
        == {"renewal_notice": "unlabelled"}
    perpetual = cuad_gold({"Renewal Term": "['x']", "Renewal Term-Answer": "perpetual"})["renewal_term"]
    assert isinstance(perpetual, Unlabelled) and perpetual.answered


def test_governing_law():
    gold = {"governing_law": gold_value("governing_law", "New York")}
    assert score(gold, _x(governing_law=GoverningLaw(jurisdiction="the State of New York"))) == {"governing_law": "right"}
    assert score(gold, _x(governing_law=GoverningLaw(raw_text="laws of New York"))) == {"governing_law": "right"}
    assert score(gold, _x(governing_law=GoverningLaw(jurisdiction="Delaware"))) == {"governing_law": "wrong"}
    assert score(gold, _x(governing_law=GoverningLaw())) == {"governing_law": "missing"}
    assert score({"governing_law": Absent()}, _x(governing_law=GoverningLaw(jurisdiction="Ontario"))) \
        == {"governing_law": "invented"}
    ontario = {"governing_law": GoldJurisdiction("Ontario, Canada")}
    assert score(ontario, _x(governing_law=GoverningLaw(jurisdiction="Province of Ontario"))) == {"governing_law": "right"}


def test_payment_terms():
    gold = {"payment_terms": gold_value("payment_terms", {"days": 45, "trigger": "receipt of invoice"})}
    assert gold["payment_terms"] == GoldPaymentDays(45, label="45 days")
    assert score(gold, _x(payment_terms=PaymentTerms(days=45))) == {"payment_terms": "right"}
    assert score(gold, _x(payment_terms=PaymentTerms(days=30))) == {"payment_terms": "wrong"}
    assert score(gold, _x(payment_terms=PaymentTerms(trigger="receipt"))) == {"payment_terms": "missing"}
    assert score({"payment_terms": gold_value("payment_terms", None)}, _x(payment_terms=PaymentTerms(days=30))) \
        == {"payment_terms": "invented"}


def test_value_text_and_kind_mismatch():
    x = _x(parties=["Acme Inc.", "Beta LLC"], effective_date=_d("2024-03-01"), initial_term=_dur(3, "years"),
           governing_law=GoverningLaw(jurisdiction="Delaware"), payment_terms=PaymentTerms(days=45))
    assert [value_text(x, f) for f in ("parties", "effective_date", "initial_term", "governing_law", "payment_terms",
                                       "renewal_term")] == ["Acme Inc.; Beta LLC", "2024-03-01", "3 years", "Delaware",
                                                            "45 days", None]
    with pytest.raises(ValueError):
        score({"effective_date": GoldPaymentDays(30)}, x)
    with pytest.raises(ValueError):
        score({"fees": Absent()}, x)
    assert set(OUTCOMES) == {"right", "wrong", "missing", "invented", "absent", "unlabelled"}


# ------------------------------------------------------------------------------ findings


def _f(rule_id: str, path: str, severity: str = "warning") -> Finding:
    return Finding(rule_id=rule_id, severity=severity, field_path=path, message="m")


def test_flagged():
    findings = [_f("P001", "parties[1].name"), _f("S002", "effective_date", "info"),
                _f("G001", "governing_law", "error"), _f("C001", "candidates.agreement_date")]
    assert flagged("parties", findings) and flagged("governing_law", findings)
    assert not flagged("effective_date", findings)  # info routes nothing
    assert flagged("effective_date", findings, severities=("info",))
    assert not flagged("agreement_date", findings) and not flagged("party", findings)
    assert flagged("parties", [{"field_path": "parties", "severity": "error", "rule_id": "P002"}])  # stored rows as dicts


def test_flagged_by_completeness():
    assert flagged_by_completeness("renewal_notice", [_f("K004", "renewal_notice")])
    assert flagged_by_completeness("renewal_notice", [_f("K001", "document", "error")])  # a chunk not read
    assert not flagged_by_completeness("renewal_notice", [_f("K003", "document")])  # hidden text: not about a miss
    assert not flagged_by_completeness("renewal_notice", [_f("S002", "renewal_notice")])
    assert not flagged_by_completeness("renewal_notice", [_f("K004", "renewal_term")])


# ------------------------------------------------------------------------------ Wilson interval and the summary


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    (8, 10, 0.490, 0.943), (0, 10, 0.0, 0.278), (10, 10, 0.722, 1.0), (1, 2, 0.095, 0.905), (0, 0, 0.0, 1.0),
])
def test_wilson_known_values(k, n, low, high):
    lo, hi = wilson(k, n)
    assert (round(lo, 3), round(hi, 3)) == (low, high)


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_summary_arithmetic():
    R = FieldRecord
    records = [
        R("a", "parties", "right", False, False), R("b", "parties", "right", True, False),
        R("c", "parties", "wrong", True, False), R("d", "parties", "wrong", False, False),
        R("a", "governing_law", "invented", True, False), R("b", "governing_law", "missing", True, True),
        R("c", "governing_law", "missing", False, False), R("d", "governing_law", "absent", False, False),
        R("a", "renewal_term", "unlabelled", True, False),
    ]
    s = summarize(records, documents=4, documents_to_review=3, findings=10)
    assert list(s.fields) == ["parties", "renewal_term", "governing_law"]  # SCORED_FIELDS order
    p = s.fields["parties"]
    assert (p.right, p.wrong, p.missing, p.invented) == (2, 2, 0, 0)
    assert p.agreement == p.recall == Rate(2, 4) and p.precision == Rate(2, 4)
    assert p.auto_accept_precision == Rate(1, 2)  # a right and a wrong value pass with no finding
    assert p.flag_recall == Rate(1, 2) and p.right_flagged == Rate(1, 2)
    g = s.fields["governing_law"]
    assert g.precision == Rate(0, 1) and g.recall == Rate(0, 2) and g.flag_recall == Rate(1, 1)
    assert g.missing_flagged_by_completeness == Rate(1, 2) and g.correct == 1
    assert g.auto_accept_precision == Rate(0, 0) and g.auto_accept_precision.value is None
    o = s.overall
    assert (o.right, o.wrong, o.missing, o.invented, o.absent, o.unlabelled) == (2, 2, 2, 1, 1, 1)
    assert o.precision == Rate(2, 5) and o.recall == Rate(2, 6) and o.flag_recall == Rate(2, 3)
    assert o.fields_flagged == Rate(5, 9) and o.auto_accept_precision == Rate(1, 2)
    assert s.documents_to_review_share == Rate(3, 4) and s.findings_per_document == 2.5
    low, high = o.auto_accept_precision.interval
    assert (round(low, 3), round(high, 3)) == (0.095, 0.905)
    data = json.loads(json.dumps(s.to_dict()))
    assert data["overall"]["precision"] == {"count": 2, "total": 5, "value": 0.4, "interval": list(wilson(2, 5))}
    assert data["fields"]["governing_law"]["auto_accept_precision"]["value"] is None
    assert summarize([], 0, 0, 0).findings_per_document is None


def test_field_records():
    findings = [_f("G001", "governing_law", "error"), _f("K004", "renewal_notice")]
    recs = field_records("doc.pdf", {"governing_law": "wrong", "renewal_notice": "missing"}, findings)
    assert recs == [FieldRecord("doc.pdf", "governing_law", "wrong", True, False),
                    FieldRecord("doc.pdf", "renewal_notice", "missing", True, True)]


# ------------------------------------------------------------------------------ labelled sets and selection


def _doc(name: str, pages: int | None, size: int, **gold) -> LabelledDocument:
    return LabelledDocument(Path(name), name, pages, size, gold)


def test_select():
    answered = {"governing_law": GoldJurisdiction("Delaware"), "agreement_date": GoldDate("2020", 1, 1)}
    docs = [_doc("a.pdf", 5, 300, **answered), _doc("b.pdf", 2, 900, **answered), _doc("c.pdf", 2, 100, **answered),
            _doc("d.pdf", 9, 100, **answered), _doc("e.txt", None, 50, **answered),
            _doc("f.pdf", 1, 10, governing_law=GoldJurisdiction("Delaware"), agreement_date=Absent()),
            _doc("g.pdf", 1, 10, governing_law=Unlabelled(reason="r"), effective_date=GoldDate("2020", 1, 1))]
    assert [d.name for d in select(docs)] == ["c.pdf", "b.pdf", "a.pdf"]
    assert [d.name for d in select(docs, limit=2, max_pages=10)] == ["c.pdf", "b.pdf"]
    assert [d.name for d in select(docs, max_pages=10)] == ["c.pdf", "b.pdf", "a.pdf", "d.pdf"]
    assert [d.name for d in select(docs, how="as-listed", limit=3)] == ["a.pdf", "b.pdf", "c.pdf"]
    assert [d.name for d in select(docs, how="as-listed", max_pages=2)] == ["b.pdf", "c.pdf", "f.pdf", "g.pdf"]
    picked = select(docs, how="random", seed=7, limit=3)
    assert picked == select(docs, how="random", seed=7, limit=3) and len(picked) == 3
    assert len(select(docs, how="random", seed=7)) == len(docs)
    with pytest.raises(ValueError):
        select(docs, how="longest")


def test_gold_file(tmp_path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "msa.txt").write_text("This Agreement ...", encoding="utf-8")
    line = {"path": "contracts/msa.txt", "fields": {
        "parties": ["Acme Corp.", "Beta LLC"], "agreement_date": "2024-02-12", "effective_date": "2024-03-01",
        "expiration_date": "perpetual", "initial_term": "3 years", "renewal_term": {"value": 1, "unit": "years"},
        "renewal_notice": ["60 days", "2 months"], "confidentiality_survival": None,
        "governing_law": "New York", "payment_terms": 45}}
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text(json.dumps(line) + "\n\n" + json.dumps({"path": str(tmp_path / "contracts" / "msa.txt"),
                                                                  "name": "MSA", "pages": 4, "fields": {}}) + "\n")
    first, second = gold_set(gold_file)
    assert first.path == tmp_path / "contracts" / "msa.txt" and first.name == "msa.txt" and first.pages is None
    assert list(first.gold) == [f for f in SCORED_FIELDS]  # every field named, in SCORED_FIELDS order
    assert first.gold["expiration_date"].perpetual and isinstance(first.gold["confidentiality_survival"], Absent)
    assert (second.name, second.pages, second.gold) == ("MSA", 4, {})
    assert json.loads(json.dumps(first.to_dict()))["gold"]["renewal_term"]["accepted"] == [{"value": 1.0, "unit": "years"}]
    x = _x(parties=["ACME CORP", "Beta, LLC"], agreement_date=_d("2024-02-12"), effective_date=_d("2024-03-01"),
           initial_term=_dur(36, "months"), renewal_term=_dur(12, "months"), renewal_notice=_dur(60, "days"),
           governing_law=GoverningLaw(jurisdiction="New York"), payment_terms=PaymentTerms(days=45))
    assert set(score(first.gold, x).values()) == {"right", "absent"}

    for bad, message in [("not json", "not JSON"), ('{"path": "contracts/msa.txt"}', "fields"),
                         ('{"path": "contracts/msa.txt", "fields": {"fee": 1}}', "unknown field"),
                         ('{"path": "contracts/msa.txt", "fields": {"effective_date": "03/01/2024"}}', "ISO 8601"),
                         ('{"path": "contracts/msa.txt", "fields": {"renewal_term": "monthly"}}', "duration")]:
        gold_file.write_text(bad + "\n")
        with pytest.raises(LabelError, match=message) as info:
            gold_set(gold_file)
        assert isinstance(info.value, ClausewiseError) and isinstance(info.value, ValueError)
        assert str(info.value).startswith(f"{gold_file}, line 1: ")
    gold_file.write_text('{"path": "nowhere.pdf", "fields": {}}\n')
    with pytest.raises(FileNotFoundError, match="line 1"):
        gold_set(gold_file)


def test_field_labels():
    assert list(FIELD_LABELS["cuad"]) == ["parties", "agreement_date", "effective_date", "expiration_date",
                                          "renewal_term", "renewal_notice", "governing_law"]
    assert FIELD_LABELS["cuad"]["renewal_notice"] == "Notice Period to Terminate Renewal"
    assert list(FIELD_LABELS["samples"]) == list(FIELD_LABELS["gold"]) == list(SCORED_FIELDS)


def test_cuad_join_by_manifest_and_by_file_name(tmp_path):
    cuad = require_shared("corpus", "cuad")
    docs = cuad_set(cuad / "master_clauses.csv", cuad / "full_contract_pdf")
    assert len(docs) == 174 and all(d.path.suffix.lower() == ".pdf" and d.pages for d in docs)
    # without manifest.csv beside the labels, names are joined after normalisation ("A&R" = "A_R" ...)
    (tmp_path / "labels.csv").write_bytes((cuad / "master_clauses.csv").read_bytes())
    by_name = cuad_set(tmp_path / "labels.csv", cuad / "full_contract_pdf")
    assert [(d.path, d.pages, d.bytes) for d in by_name] == [(d.path, d.pages, d.bytes) for d in docs]
    texts = cuad_set(tmp_path / "labels.csv", cuad / "full_contract_txt")
    assert len(texts) == 174 and all(d.pages is None for d in texts)
    # a subset: only the files present
    sub = tmp_path / "sub"
    sub.mkdir()
    for d in docs[:3]:
        (sub / d.path.name).write_bytes(d.path.read_bytes())
    assert [d.name for d in cuad_set(cuad / "master_clauses.csv", sub)] == [d.name for d in docs[:3]]


def test_fewest_pages_picks_eval_cuads_ten():
    require_shared("corpus", "cuad", "manifest.csv")
    from scripts.eval_cuad import CUAD, select_contracts

    docs = cuad_set(CUAD / "master_clauses.csv", CUAD / "full_contract_pdf")
    assert [d.path for d in select(docs, limit=10, how="fewest-pages")] == [c["pdf"] for c in select_contracts(10)]


# ------------------------------------------------------------------------------ the figures of the scripts, on recorded answers


def _need_model_tokenizer(settings) -> None:
    from pipeline.llm.registry import is_installed

    if not is_installed(MODEL, settings.cache_dir):
        unavailable(f"{MODEL} is not installed: its tokenizer sets the chunks the recordings were made for "
                    f"(`clausewise model install {MODEL}`)")


def test_cuad_agreement_as_eval_cuad_on_its_recordings(tmp_path):
    """The 10 contracts of scripts/eval_cuad.py replayed: each field's outcome agrees with its agreements()
    and the per-field "agree / with answer" are its figures."""
    require_shared("corpus", "cuad", "manifest.csv")
    from pipeline import Settings, extract_document, ingest_file
    from pipeline.llm import make_backend
    from pipeline.store import make_engine, upgrade
    from scripts.eval_cuad import CUAD, RECORDINGS, agreements, select_contracts

    settings = Settings(data_dir=tmp_path, backend="replay", model=MODEL, replay_dir=RECORDINGS)
    _need_model_tokenizer(settings)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    backend = make_backend(settings)
    docs = select(cuad_set(CUAD / "master_clauses.csv", CUAD / "full_contract_pdf"), limit=10)
    totals = {f: [0, 0] for f in FIELD_LABELS["cuad"]}
    for d, ref in zip(docs, select_contracts(10), strict=True):
        out = ingest_file(engine, d.path, settings)
        x = ContractExtraction.model_validate(extract_document(engine, out.document_id, backend, settings).extraction)
        outcomes, theirs = score(d.gold, x), agreements(ref["gold"], x)
        for fld, column in FIELD_LABELS["cuad"].items():
            expected = {True: {"right"}, False: {"wrong", "missing"}, None: {"absent", "invented", "unlabelled"}}
            assert outcomes[fld] in expected[theirs[column]], (d.name, fld, outcomes[fld], theirs[column])
            totals[fld][0] += outcomes[fld] == "right"
            totals[fld][1] += outcomes[fld] in ("right", "wrong", "missing")
    assert totals == {"parties": [9, 10], "agreement_date": [5, 9], "effective_date": [4, 8],
                      "expiration_date": [4, 7], "renewal_term": [3, 4], "renewal_notice": [2, 2],
                      "governing_law": [10, 10]}
    engine.dispose()


def test_samples_score_as_compare_samples_on_their_recordings(tmp_path):
    """The samples replayed: compare_samples' 30 right fields are 27 right values and 3 rightly left empty
    (the NDA states no renewal and no payment terms); every value with no finding is right."""
    from sqlalchemy import select as select_rows
    from sqlalchemy.orm import Session

    from pipeline.ingest import ingest_paths
    from pipeline.run import process_documents
    from pipeline.settings import Settings
    from pipeline.store import Document, FindingRow, latest_extraction, latest_run, make_engine, upgrade
    from scripts.compare_samples import compare

    settings = Settings(data_dir=tmp_path, backend="replay", model=MODEL,
                        replay_dir=REPO / "tests" / "recordings" / "samples")
    _need_model_tokenizer(settings)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    outcomes = ingest_paths(engine, [REPO / "samples"], settings)
    process_documents(engine, [o.document_id for o in outcomes], settings)
    docs = samples_set(REPO / "samples")
    assert [d.name for d in docs] == ["mutual_nda.pdf", "services_agreement.pdf", "supply_agreement.pdf"]
    records, to_review, finding_count = [], 0, 0
    with Session(engine) as s:
        for d in docs:
            want = json.loads(d.path.with_name(d.path.stem + ".expected.json").read_text(encoding="utf-8"))
            row = s.scalars(select_rows(Document).where(Document.file_name == d.name)).one()
            x, run = latest_extraction(s, row.id), latest_run(s, row.id)
            findings = list(s.scalars(select_rows(FindingRow).where(FindingRow.run_id == run.id)))
            mine = score(d.gold, x)
            for fld, (ok, got, exp) in compare(x, want).items():
                right = ok or (got == exp == "None")
                assert (mine[fld] in ("right", "absent")) == right, (d.name, fld, mine[fld], got, exp)
            records += field_records(d.name, mine, findings)
            to_review += row.status == "needs_review"
            finding_count += sum(f.severity in ("warning", "error") for f in findings)
    summary = summarize(records, len(docs), to_review, finding_count)
    o = summary.overall
    assert (o.correct, o.right, o.absent, o.wrong, o.missing, o.invented) == (30, 27, 3, 0, 0, 0)
    assert o.auto_accept_precision.value == 1.0 and o.auto_accept_precision.total > 0
    assert summary.documents_to_review_share == Rate(3, 3)
    engine.dispose()
