"""``clausewise export``: extracted fields of stored documents as JSON, JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, existing_engine_for, fail, settings
from pipeline.review import field_rows
from pipeline.review import counted
from pipeline.store import Document, FindingRow
from pipeline.store import AmbiguousDocument, DocumentNotFound, extraction_of, find_document, latest_run

COLUMNS = ("document_id", "file_name", "status", "reason", "field", "value", "source", "note", "page", "start", "end",
           "match", "quote", "findings")


def export_rows(session: Session, docs: list[Document]) -> list[dict]:
    """One row per extracted field of each document's latest run, with its evidence and its findings; then one row per field path that has findings but no value
    (a field left empty, a list as a whole, ``"document"``: the injection flag, an unread page), and one
    ``"document"`` row for a document with no row at all (not extracted, or nothing found), so every
    document and every finding a reviewer sees is in the export.

    ``value`` is the field's data (:func:`pipeline.review.fields.field_data`: an ISO 8601 date string, a number,
    ``{"amount": 48000.0, "currency": "USD"}``, an object of an item's own keys), ``None`` on a row with no value;
    ``source`` (``"model"``, ``"text"``, ``"code"``) and ``note`` say how it was found
    (:func:`pipeline.review.fields.field_source`). ``start``/``end`` are character offsets of the quote in the
    stored document text; ``page`` is 1-based; ``reason`` is the document's status reason
    (``extraction_failed``, ...) or None. ``findings`` is a list of ``{"id", "rule_id", "severity", "message"}``
    (``id``: the stored finding's id), sorted by rule id, severity and message.
    """
    rows = []
    for d in docs:
        base = {"document_id": d.id, "file_name": d.file_name, "status": d.status, "reason": d.status_reason}
        run = latest_run(session, d.id)
        x = extraction_of(run)
        by_path: dict[str, list[FindingRow]] = {}
        if run is not None:
            for f in session.scalars(select(FindingRow).where(FindingRow.run_id == run.id)):
                by_path.setdefault(f.field_path, []).append(f)
        doc_rows = []
        covered: set[str] = set()
        for r in field_rows(x) if x is not None else []:
            ev = r.evidence
            covered.add(r.path)
            doc_rows.append({**base, "field": r.path, "value": r.data, "source": r.source, "note": r.note,
                             "page": r.page,
                             "start": ev.start if ev else None, "end": ev.end if ev else None, "match": r.match,
                             "quote": r.quote, **_findings(by_path.get(r.path, []))})
        paths = sorted(set(by_path) - covered) or ([] if doc_rows else ["document"])
        doc_rows += [{**base, "field": path, **_NO_VALUE, **_findings(by_path.get(path, []))} for path in paths]
        rows += doc_rows
    return rows


#: The columns of a row that holds no value.
_NO_VALUE = dict.fromkeys(("value", "source", "note", "page", "start", "end", "match", "quote"))


def _findings(found: list[FindingRow]) -> dict[str, list[dict]]:
    return {"findings": [
        {"id": f.id, "rule_id": f.rule_id, "severity": f.severity, "message": f.message}
        for f in sorted(found, key=lambda f: (f.rule_id, f.severity, f.message, f.id or 0))]}


def csv_row(row: dict) -> dict:
    """``row`` as CSV cells: a text value as it is, any other value (number, yes/no, object, list) as JSON, no
    value as an empty cell; the findings joined as ``"RULE severity: message | ..."``."""
    value = row["value"]
    cell = "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    findings = " | ".join(f"{f['rule_id']} {f['severity']}: {f['message']}" for f in row["findings"])
    return {**row, "value": cell, "findings": findings}


@app.command("export")
def export(
    refs: list[str] = typer.Argument(None, help="Document id prefixes or file names (default: every document)."),
    fmt: str = typer.Option("json", "--format", help="json | jsonl | csv"),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Export the extracted fields (value as data, how it was found, page, offsets, match, quote, findings) of stored
    documents, the findings on empty fields and on the document, and documents not extracted."""
    if fmt not in {"json", "jsonl", "csv"}:
        fail(f"--format must be json, jsonl or csv, not {fmt!r}")
    engine = existing_engine_for(settings(database_url=database_url).effective_database_url)
    with Session(engine) as s:
        try:
            docs = [find_document(s, r) for r in refs] if refs else list(
                s.scalars(select(Document).order_by(Document.file_name)))
        except (DocumentNotFound, AmbiguousDocument) as exc:
            fail(str(exc))
        rows = export_rows(s, docs)
    if fmt == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow(csv_row(r))
        text = buf.getvalue()
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{counted(len(rows), 'row')} of {counted(len({r['document_id'] for r in rows}), 'document')} "
                   f"written to {out}")
    else:
        typer.echo(text, nl=False)
