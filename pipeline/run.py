"""The main job after reading: extract with the configured LLM backend, then verify with the rules."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine

from pipeline.extract import ExtractionError, extract_document
from pipeline.llm import make_backend
from pipeline.settings import Settings
from pipeline.verify import NothingToVerify, verify_document


def process_documents(engine: Engine, document_ids: list[str], settings: Settings, *, console: Console | None = None) -> dict:
    """Extract and verify each document in turn; a failure of one never stops the others.

    Errors of one document (:class:`ExtractionError`, :class:`NothingToVerify`) are printed and
    counted in ``failed``; store, audit and backend-setup errors (e.g. model not installed) propagate.

    Returns totals: ``{"failed", "documents", "pages", "input_tokens", "output_tokens", "seconds"}``; prints
    seconds per page and tokens at the end when ``console`` is given.
    """
    backend = make_backend(settings)
    totals = {"failed": 0, "documents": 0, "pages": 0, "input_tokens": 0, "output_tokens": 0, "seconds": 0.0}
    for doc_id in document_ids:
        try:
            run = extract_document(engine, doc_id, backend, settings)
            outcome = verify_document(engine, doc_id, settings)
        except (ExtractionError, NothingToVerify) as exc:
            totals["failed"] += 1
            if console is not None:
                console.print(f"[red]{doc_id[:12]}: not extracted[/red] - {escape(str(exc))}", highlight=False)
            continue
        totals["documents"] += 1
        totals["input_tokens"] += run.input_tokens
        totals["output_tokens"] += run.output_tokens
        totals["seconds"] += run.seconds
        totals["pages"] += getattr(run, "pages", 0) or 0
        if console is not None:
            n_err = sum(1 for f in outcome.findings if f.severity == "error")
            n_warn = sum(1 for f in outcome.findings if f.severity == "warning")
            console.print(f"{doc_id[:12]}: {run.status} extraction, {outcome.status}; "
                          f"{n_err} errors, {n_warn} warnings, {outcome.review_items} fields to review",
                          highlight=False)
            for f in outcome.findings:
                if f.severity != "info":
                    console.print(f"  {f.severity:<7} {f.rule_id:<6} {escape(f.field_path)}: {escape(f.message)}",
                                  highlight=False)
    if console is not None and totals["documents"]:
        spp = totals["seconds"] / totals["pages"] if totals["pages"] else float("nan")
        console.print(f"extraction: {totals['documents']} documents, {totals['input_tokens']} input tokens, "
                      f"{totals['output_tokens']} output tokens, {totals['seconds']:.1f} s ({spp:.1f} s/page)")
    return totals
