"""``clausewise export`` and ``clausewise show``: the stored fields as data (dates, numbers, amounts, objects) with
how they were found, evidence offsets and findings, in three formats; the human view of ``show``."""

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
    notice = rows["renewal_notice"]  # the fixture's wrong field: 90 days where the text says sixty (60) days
    assert notice["value"] == {"value": 90.0, "unit": "days"} and (notice["source"], notice["note"]) == ("model", None)
    assert any(f["severity"] == "error" for f in notice["findings"])
    assert all(isinstance(f["id"], int) and f["message"] for f in notice["findings"])
    expiry = rows["expiration_date"]
    assert expiry["value"] == "2027-03-01" and expiry["source"] == "code"
    assert expiry["note"] == "found or computed by code; effective date + initial term (computed)"
    assert rows["effective_date"]["value"] == "2024-03-01" and rows["effective_date"]["note"] is None
    assert rows["payment_terms"]["value"] == {"days": 45, "day_type": None, "trigger": "receipt of a correct invoice"}
    jl = runner.invoke(app, ["export", doc_id[:10], "--format", "jsonl", "--database-url", db_url])
    assert [json.loads(line)["field"] for line in jl.output.splitlines()] == list(rows)
    out = tmp_path / "fields.csv"
    res = runner.invoke(app, ["export", "--format", "csv", "--out", str(out), "--database-url", db_url])
    assert res.exit_code == 0 and f"{len(rows)} rows of 1 document written to" in res.output
    got = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["field"] for r in got] == list(rows) and got[0]["file_name"] == "services_agreement.pdf"
    cells = {r["field"]: r for r in got}
    assert cells["expiration_date"]["value"] == "2027-03-01" and cells["expiration_date"]["source"] == "code"
    assert cells["governing_law"]["value"] == "New York"
    assert json.loads(cells["renewal_notice"]["value"]) == {"value": 90.0, "unit": "days"}
    assert cells["renewal_notice"]["findings"] == " | ".join(
        f"{f['rule_id']} {f['severity']}: {f['message']}" for f in notice["findings"])


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
        stored = {(f.field_path, f.id, f.rule_id, f.severity, f.message) for f in s.scalars(select(FindingRow))}
    res = runner.invoke(app, ["export", "--format", "json", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    exported = {(r["field"], f["id"], f["rule_id"], f["severity"], f["message"]) for r in rows for f in r["findings"]}
    assert exported == stored
    doc_row = next(r for r in rows if r["field"] == "document" and r["document_id"] == doc_id)
    assert doc_row["value"] is None and doc_row["source"] is None
    assert [(f["rule_id"], f["severity"], f["message"]) for f in doc_row["findings"]] == [
        ("I001", "error", "text that reads as instructions to a model")]
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


def _with_fee_and_corrected_date(source):
    """The fixture extraction with a fee read by code from a fee table, and an effective date the model gave as
    2024-01-03 where the text says March 1, 2024."""
    import datetime as dt

    from schemas import Fee, Money
    from tests.review_fixtures import fixture_extraction_with_wrong_renewal_notice

    x = fixture_extraction_with_wrong_renewal_notice(source)
    x.fees = [Fee(description="Phase 1: discovery", amount=Money(amount=48000, currency="USD"),
                  due_date=dt.date(2024, 3, 29), computed=True)]
    x.effective_date.model_value = dt.date(2024, 1, 3)
    return x


def test_amounts_and_items_are_objects_and_show_json_has_the_export_shapes(engine, db_url, tmp_path):
    doc_id = reviewable_document(engine, tmp_path, extraction_builder=_with_fee_and_corrected_date)
    res = runner.invoke(app, ["export", "--format", "jsonl", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    rows = {r["field"]: r for r in map(json.loads, res.output.splitlines())}
    fee = rows["fees[0]"]
    assert fee["value"] == {"description": "Phase 1: discovery", "amount": {"amount": 48000.0, "currency": "USD"},
                            "period": None, "due_date": "2024-03-29"}
    assert (fee["source"], fee["note"]) == ("code", "found or computed by code")
    eff = rows["effective_date"]
    assert (eff["value"], eff["source"]) == ("2024-03-01", "text")
    assert eff["note"] == "read from the text; the model gave 2024-01-03"
    out = tmp_path / "fields.csv"
    assert runner.invoke(app, ["export", "--format", "csv", "--out", str(out), "--database-url", db_url]).exit_code == 0
    cells = {r["field"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert json.loads(cells["fees[0]"]["value"]) == fee["value"] and cells["fees[0]"]["note"] == fee["note"]
    assert cells["effective_date"]["value"] == "2024-03-01"

    shown = runner.invoke(app, ["show", doc_id[:10], "--json", "--database-url", db_url])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)
    fields = {f["path"]: f for f in report["fields"]}
    for path in ("fees[0]", "effective_date", "expiration_date", "renewal_notice", "governing_law"):
        assert (fields[path]["value"], fields[path]["source"], fields[path]["note"]) == (
            rows[path]["value"], rows[path]["source"], rows[path]["note"]), path
    assert fields["effective_date"]["display"] == "2024-03-01 (read from the text; the model gave 2024-01-03)"
    assert report["extracted"] is True
    exported_ids = {f["id"] for r in rows.values() for f in r["findings"]}
    assert {f["id"] for f in report["findings"]} == exported_ids and exported_ids

    human = runner.invoke(app, ["show", doc_id[:10], "--database-url", db_url], terminal_width=200)
    assert human.exit_code == 0, human.output
    assert "(read from the text; the model gave 2024-01-03)" in human.output  # the human view keeps its notes
    assert "no extraction yet" not in human.output


def test_show_says_a_document_read_but_not_extracted_has_no_extraction(engine, db_url):
    from tests.extract_fixtures import store_text_document

    store_text_document(engine, "This Agreement is made on March 1, 2024.", "read_only.txt")
    res = runner.invoke(app, ["show", "read_only.txt", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    assert "no extraction yet (run `clausewise ingest` first)" in res.output
    report = json.loads(runner.invoke(app, ["show", "read_only.txt", "--json", "--database-url", db_url]).output)
    assert (report["extracted"], report["run"], report["fields"]) == (False, None, [])
