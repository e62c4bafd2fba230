"""The catalogue: every rule has a title and source, a failing and a passing test; `clausewise rules list/check`."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline.cli.rules_cmd  # noqa: F401 - registers `clausewise rules`
import rules
from pipeline.cli import app
from pipeline.store.engine import session_factory
from pipeline.store.tables import Document, ExtractionRun, Page
from schemas import MatchStatus
from tests.rules_fixtures import clean

TESTS = Path(__file__).parent


def _ids_used(helper: str) -> set[str]:
    """Rule ids passed to ``fires(...)``/``silent(...)`` in the rule tests (read statically)."""
    ids: set[str] = set()
    for f in TESTS.glob("test_rules_*.py"):
        for m in re.finditer(rf"\b{helper}\((?:[^()]|\([^()]*\))*?\"([A-Z]+\d+)\"", f.read_text()):
            ids.add(m.group(1))
    return ids


def test_every_rule_has_title_source_and_tests():
    cat = rules.catalogue()
    ids = [r.id for r in cat]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    for r in cat:
        assert r.title.strip() and r.source.strip() and r.fields, r.id
    # failing: a test asserts the rule fires; passing: a test asserts it stays silent (plus the clean contract)
    assert set(ids) - _ids_used("fires") == set()
    assert set(ids) - _ids_used("silent") == set()


def _invoke(*args):
    return CliRunner(env={"COLUMNS": "300"}).invoke(app, list(args))


def test_cli_rules_list_shows_every_id_and_title():
    r = _invoke("rules", "list")
    assert r.exit_code == 0, r.output
    for info in rules.catalogue(rules.load_playbook(rules.DEFAULT_PLAYBOOK)):
        assert info.id in r.output and info.title in r.output


def test_cli_rules_list_with_playbook_file(tmp_path):
    p = tmp_path / "org.yaml"
    p.write_text("rules:\n  - {id: ORG1, title: Payment at most 10 days, severity: warning, field: payment_terms,"
                 " when: stated(payment_terms_days), expr: payment_terms_days <= 10, message: m}\n")
    r = _invoke("rules", "list", "--playbook", str(p))
    assert r.exit_code == 0 and "ORG1" in r.output and "Payment at most 10 days" in r.output
    assert "PB001" not in r.output


def test_cli_rules_list_bad_playbook_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("rules:\n  - {id: ORG1, title: t, severity: warning, field: f, expr: 'x <', message: m}\n")
    r = _invoke("rules", "list", "--playbook", str(p))
    assert r.exit_code == 2  # a playbook error, told apart from "findings exist" (1)
    assert "ORG1" in r.output and "bad.yaml" in r.output and "Traceback" not in r.output


def test_cli_rules_check_reruns_on_stored_extraction(engine, db_url):
    x, doc = clean()
    x.governing_law.evidence.match = MatchStatus.NOT_FOUND
    doc_id = uuid.uuid4().hex + uuid.uuid4().hex
    with session_factory(engine).begin() as s:
        s.add(Document(id=doc_id, file_name="msa.pdf", source_path="/x/msa.pdf", size_bytes=1, page_count=1,
                       status="needs_review", text=doc.text))
        s.add(Page(document_id=doc_id, number=1, text=doc.text, start=0, end=len(doc.text)))
        s.add(ExtractionRun(id=str(uuid.uuid4()), document_id=doc_id, backend="replay", model="m",
                            prompt_version="v1", status="complete", extraction=x.model_dump(mode="json")))
    r = _invoke("rules", "check", doc_id[:12], "--json", "--database-url", db_url)
    assert r.exit_code == 1, r.output  # findings present
    found = json.loads(r.output)
    assert [(f["rule_id"], f["field_path"]) for f in found] == [("G001", "governing_law")]
    r = _invoke("rules", "check", "nosuchfile.pdf", "--database-url", db_url)
    assert r.exit_code == 2 and "no document matches" in r.output


@pytest.mark.parametrize("rule_id", [r.id for r in rules.catalogue()])
def test_rule_ids_are_stable_format(rule_id):
    assert re.fullmatch(r"[A-Z]\d{3}", rule_id)


# a development id: an issue number ("issue 5", "issues 4 and 13", "#13", "datefinder#56"), a failure-case id
# ("F18", "failcase F28", "failure cases of ...") or an item of one ("item 13")
DEVELOPMENT_ID = re.compile(r"\bissues?\b|#\s?\d|\bF\d{2}\b|\bfail(?:ure)?[ -]?cases?\b|\bitem \d", re.IGNORECASE)


@pytest.mark.parametrize("source, is_dev_id", [
    ("issue 5 (grounding); failcase F28: invented or padded quotes", True),
    ("issue 14 item 13: an injected 'the governing law is X'", True),
    ("held-out failure cases of issue 13 (party kinds)", True),
    ("'may' read as a date (akoumjian/datefinder#56)", True),
    ("the contract's own clause; F22", True),
    ("prompt injection (OWASP Top 10 for LLM Applications, LLM01)", False),
    ("'Date of this Agreement: 01/02/2021'; 10 business days; tolerance 1 day", False),
])
def test_development_id_pattern(source, is_dev_id):
    assert bool(DEVELOPMENT_ID.search(source)) is is_dev_id


def test_no_rule_source_cites_an_issue_or_failure_case():
    cat = rules.catalogue(rules.load_playbook(rules.DEFAULT_PLAYBOOK))
    assert len(cat) > 40
    assert [(r.id, r.source) for r in cat if DEVELOPMENT_ID.search(r.source)] == []
    # `rules list` shows these sources: its table's source cells, their wrapped lines joined, are the catalogue's
    r = _invoke("rules", "list")
    assert r.exit_code == 0, r.output
    shown: dict[str, list[str]] = {}
    for line in r.output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) == 6:  # "│ id │ severity │ title │ source │"
            if cells[1]:
                shown[cells[1]] = []
            shown[list(shown)[-1]].append(cells[4])
    assert {k: " ".join(v) for k, v in shown.items()} == {x.id: " ".join(x.source.split()) for x in cat}
