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
from pipeline.cli._common import DatabaseUrlOption, engine_for, fail, settings
from pipeline.review import field_rows
from pipeline.store import Document, FindingRow
from pipeline.store import AmbiguousDocument, DocumentNotFound, extraction_of, find_document, latest_run

COLUMNS = ("document_id", "file_name", "status", "field", "value", "page", "start", "end", "match", "quote",
           "findings")


def export_rows(session: Session, docs: list[Document]) -> list[dict]:
    """One row per extracted field of each document's latest run, with its evidence and finding rule ids.

    ``start``/``end`` are character offsets of the quote in the stored document text; ``page`` is 1-based.
    """
    rows = []
    for d in docs:
        run = latest_run(session, d.id)
        x = extraction_of(run)
        if x is None:
            continue
        by_path: dict[str, list[str]] = {}
        for f in session.scalars(select(FindingRow).where(FindingRow.run_id == run.id)):
            by_path.setdefault(f.field_path, []).append(f"{f.rule_id}:{f.severity}")
        for r in field_rows(x):
            ev = r.evidence
            rows.append({
                "document_id": d.id, "file_name": d.file_name, "status": d.status, "field": r.path,
                "value": r.display, "page": r.page, "start": ev.start if ev else None, "end": ev.end if ev else None,
                "match": r.match, "quote": r.quote, "findings": sorted(by_path.get(r.path, [])),
            })
    return rows


@app.command("export")
def export(
    refs: list[str] = typer.Argument(None, help="Document id prefixes or file names (default: every document)."),
    fmt: str = typer.Option("json", "--format", help="json | jsonl | csv"),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Export the extracted fields (value, page, offsets, match, quote, finding ids) of stored documents."""
    if fmt not in {"json", "jsonl", "csv"}:
        fail(f"--format must be json, jsonl or csv, not {fmt!r}")
    engine = engine_for(settings(database_url=database_url).effective_database_url)
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
            w.writerow({**r, "findings": ";".join(r["findings"])})
        text = buf.getvalue()
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} fields of {len({r['document_id'] for r in rows})} documents written to {out}")
    else:
        typer.echo(text, nl=False)
