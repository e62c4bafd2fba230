"""``clausewise export``: the stored fields with evidence offsets and finding ids, in three formats."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from pipeline.cli import _register, app
from tests.review_fixtures import reviewable_document

_register()
runner = CliRunner()


def test_export_json_jsonl_csv_carry_values_offsets_and_findings(engine, db_url, tmp_path):
    doc_id = reviewable_document(engine, tmp_path)
    res = runner.invoke(app, ["export", "--format", "json", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    rows = {r["field"]: r for r in json.loads(res.output)}
    law = rows["governing_law"]
    assert law["document_id"] == doc_id and law["value"] == "New York" and law["match"] == "exact"
    from sqlalchemy.orm import Session

    from pipeline.store.tables import Document

    with Session(engine) as s:
        text = s.get(Document, doc_id).text
    assert text[law["start"]:law["end"]] == law["quote"]  # offsets slice the stored text exactly
    assert any(f.endswith(":error") for f in rows["renewal_notice"]["findings"])  # the fixture's wrong field
    jl = runner.invoke(app, ["export", doc_id[:10], "--format", "jsonl", "--database-url", db_url])
    assert [json.loads(line)["field"] for line in jl.output.splitlines()] == list(rows)
    out = tmp_path / "fields.csv"
    res = runner.invoke(app, ["export", "--format", "csv", "--out", str(out), "--database-url", db_url])
    assert res.exit_code == 0 and f"{len(rows)} rows of 1 documents" in res.output
    got = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["field"] for r in got] == list(rows) and got[0]["file_name"] == "services_agreement.pdf"


def test_every_finding_and_every_document_is_exported(engine, db_url, tmp_path):
    """Findings on the document, on a list as a whole and on an empty field have no value row: they get a row
    of their own; a document that was never extracted gets a "document" row with its status and reason."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.store.engine import transaction
    from pipeline.store.tables import Document, FindingRow
    from tests.extract_fixtures import store_text_document

    doc_id = reviewable_document(engine, tmp_path)
    failed_id = store_text_document(engine, "Nothing here was read.", "unread.txt")
    with transaction(engine) as s:
        doc = s.get(Document, failed_id)
        doc.status, doc.status_reason = "failed", "extraction_failed"
        run_id = s.scalars(select(FindingRow.run_id).where(FindingRow.document_id == doc_id)).first()
        s.add(FindingRow(document_id=doc_id, run_id=run_id, rule_id="I001", severity="error", field_path="document",
                         message="text that reads as instructions to a model"))
    with Session(engine) as s:
        stored = {(f.field_path, f"{f.rule_id}:{f.severity}") for f in s.scalars(select(FindingRow))}
    res = runner.invoke(app, ["export", "--format", "json", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    exported = {(r["field"], f) for r in rows for f in r["findings"]}
    assert exported == stored and ("document", "I001:error") in exported
    doc_row = next(r for r in rows if r["field"] == "document" and r["document_id"] == doc_id)
    assert doc_row["value"] is None and doc_row["messages"] == ["I001: text that reads as instructions to a model"]
    unread = [r for r in rows if r["document_id"] == failed_id]
    assert [(r["field"], r["status"], r["reason"], r["findings"]) for r in unread] == [
        ("document", "failed", "extraction_failed", [])]


def test_export_refuses_an_unknown_format_and_document(db_url):
    assert runner.invoke(app, ["export", "--format", "xml", "--database-url", db_url]).exit_code == 1
    res = runner.invoke(app, ["export", "nosuchfile.pdf", "--database-url", db_url])
    assert res.exit_code == 1 and "no document matches" in res.output


def test_display_says_where_a_value_came_from():
    import datetime as dt

    from pipeline.review.fields import _display
    from schemas import DateClaim

    text_read = DateClaim(value=dt.date(2024, 4, 3), parsed=dt.date(2024, 4, 3), model_value=dt.date(2024, 3, 4))
    assert _display(text_read) == "2024-04-03 (read from the text; the model gave 2024-03-04)"
    assert _display(DateClaim(value=dt.date(2024, 4, 3), computed=True)) == "2024-04-03 (found or computed by code)"
    assert _display(DateClaim(value=dt.date(2024, 4, 3), parsed=dt.date(2024, 4, 3))) == "2024-04-03"
