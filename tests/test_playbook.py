"""Playbooks: YAML + CEL rules, the default playbook's positions, and clear errors naming file and rule."""

from __future__ import annotations

import pytest

import rules
from rules import DEFAULT_PLAYBOOK, PlaybookError, load_playbook
from rules.playbook import VARIABLES, view
from schemas import LiabilityCap, Severity
from tests.rules_fixtures import clean, days, fires, silent


@pytest.fixture(scope="module")
def default():
    return load_playbook(DEFAULT_PLAYBOOK)


def test_default_playbook_documents_every_variable():
    header = DEFAULT_PLAYBOOK.read_text()
    missing = [v for v in VARIABLES if v not in header]
    assert missing == []
    x, _ = clean()
    assert set(view(x)) == set(VARIABLES)


def test_clean_contract_meets_default_positions(default):
    x, doc = clean()
    assert rules.evaluate(x, doc, playbook=default) == []


@pytest.mark.parametrize("rule_id,change", [
    ("PB001", lambda x: setattr(x.governing_law, "jurisdiction", "Oregon")),
    ("PB002", lambda x: setattr(x.payment_terms, "days", 60)),
    ("PB003", lambda x: setattr(x, "renewal_notice", None)),
    ("PB003", lambda x: setattr(x.renewal_notice, "value", days(15))),
    ("PB005", lambda x: setattr(x.confidentiality_survival, "value", days(12, "months"))),
])
def test_default_positions_fail_when_broken(default, rule_id, change):
    x, doc = clean()
    silent(default.evaluate(x), rule_id)
    change(x)
    f = fires(default.evaluate(x), rule_id)
    assert f.severity == Severity.WARNING and f.details["playbook"] == "default"


def test_no_cap_stated_is_told_from_a_cap_missed(default):
    """PB004 informs where the text states no limit on liability; where it states one the extraction
    missed, K004 (a warning quoting the sentence) reports it and PB004 stays silent."""
    x, doc = clean()
    x.liability_cap = None
    missed = rules.evaluate(x, doc, playbook=default)
    silent(missed, "PB004")
    assert "liability" in fires(missed, "K004", "liability_cap").message
    no_cap_text = doc.text.replace("Each party's aggregate liability shall not exceed the fees",
                                   "Each party remains responsible for the fees")
    assert no_cap_text != doc.text
    doc = doc.model_copy(update={"text": no_cap_text})
    stated_none = rules.evaluate(x, doc, playbook=default)
    f = fires(stated_none, "PB004", "liability_cap")
    assert f.severity == Severity.INFO and f.message == "The contract states no limit on liability."
    silent(stated_none, "K004")
    assert rules.review_fields(f for f in stated_none if f.rule_id == "PB004") == {}  # info routes nothing
    silent(default.evaluate(x), "PB004")  # without the text, whether one is stated is unknown


def test_when_false_skips_rule(default):
    x, _ = clean()
    x.payment_terms = None  # not stated: PB002 does not apply
    x.governing_law = None
    fs = default.evaluate(x)
    silent(fs, "PB002")
    silent(fs, "PB001")


def test_finding_carries_field_evidence(default):
    x, _ = clean()
    x.payment_terms.days = 90
    f = fires(default.evaluate(x), "PB002", "payment_terms")
    assert f.evidence == x.payment_terms.evidence


def test_playbook_rules_listed_in_catalogue(default):
    ids = [r.id for r in rules.catalogue(default)]
    assert ids[-5:] == ["PB001", "PB002", "PB003", "PB004", "PB005"]
    assert ids[0] == "C001"


def _write(tmp_path, body: str):
    p = tmp_path / "org.yaml"
    p.write_text(body)
    return p


def test_bad_yaml_names_the_file(tmp_path):
    p = _write(tmp_path, "rules:\n  - id: X1\n    title: [unclosed\n")
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert str(p) in str(e.value) and "line" in str(e.value)


def test_cel_syntax_error_names_file_and_rule(tmp_path):
    p = _write(tmp_path, "rules:\n  - {id: ORG7, title: t, severity: error, field: payment_terms,"
                         " expr: 'payment_terms_days <=', message: m}\n")
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert str(p) in str(e.value) and "ORG7" in str(e.value) and "Traceback" not in str(e.value)


def test_unknown_variable_caught_at_load(tmp_path):
    p = _write(tmp_path, "rules:\n  - {id: ORG8, title: t, severity: warning, field: payment_terms,"
                         " expr: 'paymnt_days <= 30', message: m}\n")
    with pytest.raises(PlaybookError, match=r"org\.yaml: rule ORG8: .*paymnt_days"):
        load_playbook(p)


def test_evaluation_error_on_extraction_names_file_and_rule(tmp_path):
    # no `when` guard: on a contract without payment terms, null <= 30 cannot be evaluated
    p = _write(tmp_path, "rules:\n  - {id: ORG9, title: t, severity: warning, field: payment_terms,"
                         " expr: 'payment_terms_days <= 30', message: m}\n")
    pb = load_playbook(p)
    x, doc = clean()
    x.payment_terms = None
    with pytest.raises(PlaybookError) as e:
        rules.evaluate(x, doc, playbook=pb)
    assert str(p) in str(e.value) and "ORG9" in str(e.value)


@pytest.mark.parametrize("body,needle", [
    ("rules:\n  - {id: ORG1, title: t, severity: fatal, field: f, expr: 'true', message: m}\n", "severity"),
    ("rules:\n  - {id: ORG1, title: t, severity: info, field: f, message: m}\n", "missing expr"),
    ("rules:\n  - {id: G001, title: t, severity: info, field: f, expr: 'true', message: m}\n", "G001"),
    ("rules:\n  - {id: ORG1, title: t, severity: info, field: f, expr: '1 + 1', message: m}\n", "not true/false"),
    ("just text\n", "rules"),
])
def test_invalid_rules_rejected(tmp_path, body, needle):
    with pytest.raises(PlaybookError, match=needle):
        load_playbook(_write(tmp_path, body))


def test_custom_playbook_with_precondition(tmp_path):
    p = _write(tmp_path, """
rules:
  - id: ORG2
    title: Long terms need a cap on liability
    severity: error
    field: liability_cap
    when: stated(initial_term_days) && initial_term_days > 730.0
    expr: liability_cap_present && stated(liability_cap_amount) && liability_cap_amount <= 1000000.0
    message: Terms over two years need a liability cap of at most 1,000,000.
""")
    pb = load_playbook(p)
    x, _ = clean()  # 3-year term, cap is a formula with no amount
    assert fires(pb.evaluate(x), "ORG2").severity == Severity.ERROR
    x.liability_cap = LiabilityCap(amount={"amount": 500000, "currency": "USD"}, evidence=x.liability_cap.evidence)
    silent(pb.evaluate(x), "ORG2")
