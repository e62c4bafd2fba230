"""A document's report for ``clausewise show``: status, fields with page and quote, findings."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.review.wording import counted
from pipeline.review.fields import field_rows
from pipeline.store import Document, FindingRow, Page
from pipeline.store import extraction_of, latest_run


def document_report(session: Session, doc: Document) -> dict[str, Any]:
    """Plain-data report of one document (JSON-serializable), from its latest extraction run.

    Keys: ``id``, ``file_name``, ``status``, ``reason`` and ``message`` (why it failed, if it did), ``pages``,
    ``is_repaired``, ``hidden_text_pages`` (page numbers), ``page_quality`` (``{page: quality}`` for pages not
    ``ok``), ``chunks``, ``run`` (``None`` before extraction; else id, backend, model, status, input and output
    tokens, seconds), ``extracted`` (whether that run stored an extraction), ``fields`` and ``findings``.

    Each field has the shapes of ``clausewise export``: ``path``, ``value`` (the data:
    :func:`pipeline.review.fields.field_data`), ``source`` and ``note`` (how it was found), ``page``, ``quote``,
    ``match``, and ``display`` (the value as text for people, notes included). Each finding has ``id`` (the stored
    finding's id), ``rule_id``, ``severity``, ``field_path`` and ``message``; ordered by severity name descending,
    then rule id and field path.
    """
    pages = list(session.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number)))
    run = latest_run(session, doc.id)
    extraction = extraction_of(run)
    findings = list(session.scalars(
        select(FindingRow).where(FindingRow.document_id == doc.id, FindingRow.run_id == (run.id if run else None))
        .order_by(FindingRow.severity.desc(), FindingRow.rule_id, FindingRow.field_path)
    )) if run else []
    return {
        "id": doc.id,
        "file_name": doc.file_name,
        "status": doc.status,
        "reason": doc.status_reason,
        "message": doc.status_message,
        "pages": doc.page_count,
        "is_repaired": doc.is_repaired,
        "hidden_text_pages": [p.number for p in pages if p.hidden_text],
        "page_quality": {p.number: p.quality for p in pages if p.quality != "ok"},
        "chunks": len(doc.chunks),
        "run": None if run is None else {
            "id": run.id, "backend": run.backend, "model": run.model, "status": run.status,
            "input_tokens": run.input_tokens, "output_tokens": run.output_tokens, "seconds": run.seconds,
        },
        "extracted": extraction is not None,
        "fields": [
            {"path": r.path, "value": r.data, "source": r.source, "note": r.note, "page": r.page, "quote": r.quote,
             "match": r.match, "display": r.display}
            for r in (field_rows(extraction) if extraction else [])
        ],
        "findings": [
            {"id": f.id, "rule_id": f.rule_id, "severity": f.severity, "field_path": f.field_path, "message": f.message}
            for f in findings
        ],
    }


def print_report(report: dict[str, Any], console: Console) -> None:
    """Render :func:`document_report` output with rich (contract text printed as text, never markup)."""
    console.print(f"[bold]{escape(report['file_name'])}[/bold]  {report['id'][:12]}  status: {report['status']}"
                  + (f" ({report['reason']}: {escape(report['message'] or '')})" if report["reason"] else ""),
                  highlight=False)
    console.print(f"{counted(report['pages'], 'page')}, {counted(report['chunks'], 'chunk')}"
                  + (f", hidden text dropped on pages {report['hidden_text_pages']}" if report["hidden_text_pages"] else "")
                  + (", repaired by MuPDF" if report["is_repaired"] else ""), highlight=False)
    if not report["extracted"]:
        console.print("no extraction yet (run `clausewise ingest` first)", highlight=False)
    if report["fields"]:
        t = Table(title="Fields")
        for c in ("field", "value", "page", "match", "quote"):
            t.add_column(c, overflow="fold")
        for f in report["fields"]:
            quote = (f["quote"] or "")[:160]
            t.add_row(escape(f["path"]), escape(f["display"]), str(f["page"] or ""), f["match"] or "", escape(quote))
        console.print(t)
    if report["findings"]:
        t = Table(title="Findings")
        for c in ("severity", "rule", "field", "message"):
            t.add_column(c, overflow="fold")
        for f in report["findings"]:
            t.add_row(f["severity"], f["rule_id"], escape(f["field_path"]), escape(f["message"]))
        console.print(t)
