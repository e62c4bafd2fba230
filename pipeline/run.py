"""The main job after reading: extract with the configured LLM backend, then verify with the rules."""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pipeline.extract import ExtractionError, extract_document
from pipeline.llm import make_backend
from pipeline.settings import Settings
from pipeline.store import Document
from pipeline.verify import NothingToVerify, verify_document


def process_documents(engine: Engine, document_ids: list[str], settings: Settings, *, console: Console | None = None) -> dict:
    """Extract and verify each document in turn; a failure of one never stops the others.

    Errors of one document (:class:`ExtractionError`, :class:`NothingToVerify`) are printed and
    counted in ``failed``; store, audit and backend-setup errors (e.g. model not installed) propagate.

    Returns totals: ``{"failed", "documents", "pages", "input_tokens", "output_tokens", "seconds",
    "wall_seconds"}`` (``seconds``: the model's own seconds as the backend reports them, a replay the recorded
    ones; ``wall_seconds``: extraction and verification as timed here). With ``console``, prints one line per
    document (file name, pages, wall seconds, model seconds per page, status and findings) and the totals.
    """
    backend = make_backend(settings)
    totals = {"failed": 0, "documents": 0, "pages": 0, "input_tokens": 0, "output_tokens": 0, "seconds": 0.0,
              "wall_seconds": 0.0}
    for doc_id in document_ids:
        started = time.perf_counter()
        try:
            run = extract_document(engine, doc_id, backend, settings)
            outcome = verify_document(engine, doc_id, settings)
        except (ExtractionError, NothingToVerify) as exc:
            totals["wall_seconds"] += time.perf_counter() - started
            totals["failed"] += 1
            if console is not None:
                console.print(f"[red]{doc_id[:12]}: not extracted[/red] - {escape(str(exc))}", highlight=False)
            continue
        wall = time.perf_counter() - started
        pages = getattr(run, "pages", 0) or 0
        model_seconds = sum(float(c.get("model_seconds") or 0.0) for c in run.chunk_outcomes or [])
        totals["documents"] += 1
        totals["input_tokens"] += run.input_tokens
        totals["output_tokens"] += run.output_tokens
        totals["seconds"] += model_seconds
        totals["wall_seconds"] += wall
        totals["pages"] += pages
        if console is not None:
            n_err = sum(1 for f in outcome.findings if f.severity == "error")
            n_warn = sum(1 for f in outcome.findings if f.severity == "warning")
            per_page = f"{model_seconds / pages:.1f}" if pages else "-"
            console.print(f"{escape(_file_name(engine, doc_id))}: {pages} pages in {wall:.1f} s "
                          f"(model {model_seconds:.1f} s, {per_page} s/page); {run.status} extraction, "
                          f"{outcome.status}; {n_err} errors, {n_warn} warnings, {outcome.review_items} fields "
                          "to review", highlight=False, soft_wrap=True)
            for f in outcome.findings:
                if f.severity != "info":
                    console.print(f"  {f.severity:<7} {f.rule_id:<6} {escape(f.field_path)}: {escape(f.message)}",
                                  highlight=False)
    if console is not None and totals["documents"]:
        spp = totals["seconds"] / totals["pages"] if totals["pages"] else float("nan")
        console.print(f"extraction: {totals['documents']} documents, {totals['pages']} pages in "
                      f"{totals['wall_seconds']:.1f} s; model {totals['seconds']:.1f} s ({spp:.1f} s/page), "
                      f"{totals['input_tokens']} input tokens, {totals['output_tokens']} output tokens", soft_wrap=True)
    return totals


def _file_name(engine: Engine, document_id: str) -> str:
    """The stored file name of ``document_id`` with the first 12 characters of its id."""
    with Session(engine) as s:
        doc = s.get(Document, document_id)
    return f"{doc.file_name if doc is not None else '?'} ({document_id[:12]})"
