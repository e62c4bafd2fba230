"""The main job after reading: extract with the configured LLM backend, then verify with the rules."""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import audit
from audit import AuditWriteError
from pipeline.extract import ExtractionError, extract_document
from pipeline.llm import LLMError, make_backend
from pipeline.reading import printable
from pipeline.settings import Settings
from pipeline.store import (
    TRANSITIONS,
    Document,
    DocumentStatus,
    ExtractionRun,
    LeaseLost,
    Reason,
    check_transition,
    latest_run,
    leases,
    transaction,
    utcnow,
)
from pipeline.verify import NothingToVerify, verify_document


def process_documents(engine: Engine, document_ids: list[str], settings: Settings, *, console: Console | None = None,
                      holder: str | None = None) -> dict:
    """Carry each document on from where it stands, in turn: extract and verify an ``ingested`` one, verify an
    ``extracted`` one (its extraction stored by an earlier run that stopped before verifying); a failure of one
    never stops the others.

    Each document is first claimed with a lease (:mod:`pipeline.store.leases`, ``holder``: default a new
    holder id for this call) that a thread renews while it works, and released after. A document another
    process holds is left to it (counted in ``skipped``); one that another process carried past verification
    meanwhile is left as it is. Taking over a lapsed lease closes the runs its holder left ``running`` as
    ``interrupted``. Results are stored only while the lease holds, so two processes never both store an
    extraction of one document.

    Errors of one document (:class:`ExtractionError`, :class:`NothingToVerify`, and any other error its text
    makes extraction or the rules raise) are printed and counted in ``failed``; an unexpected one moves the
    document to ``failed`` (reason ``extraction_failed``, the error in its message) and closes its running
    extraction run as ``failed``. The model's errors (:class:`pipeline.llm.LLMError`, a replay without a
    recorded answer among them), the audit log's (:class:`audit.AuditWriteError`), a database that cannot be
    reached (``sqlalchemy.exc.OperationalError``) and backend-setup errors (e.g. model not installed) concern
    every document and propagate (the lease is released first).

    Returns totals: ``{"failed", "skipped", "documents", "pages", "input_tokens", "output_tokens", "seconds",
    "wall_seconds"}`` (``documents``: those extracted or verified here; ``seconds``: the model's own seconds as
    the backend reports them, a replay the recorded ones, for the extractions made here; ``wall_seconds``:
    extraction and verification as timed here). With ``console``, prints one line per document (file name,
    pages, wall seconds, model seconds per page, status and findings, or why it was left) and the totals.
    """
    backend = make_backend(settings)
    holder = holder or leases.new_holder()
    totals = {"failed": 0, "skipped": 0, "documents": 0, "pages": 0, "input_tokens": 0, "output_tokens": 0,
              "seconds": 0.0, "wall_seconds": 0.0}
    for doc_id in document_ids:
        if not leases.claim(engine, doc_id, holder, seconds=settings.lease_seconds):
            totals["skipped"] += 1
            if console is not None:
                held = leases.lease_of(engine, doc_id)
                console.print(f"{_shown(_file_name(engine, doc_id))}: left to the run that holds it "
                              f"({_shown(held.holder or '?')})", highlight=False)
            continue
        try:
            with leases.Heartbeat(engine, doc_id, holder, seconds=settings.lease_seconds):
                _carry_on(engine, doc_id, backend, settings, holder, totals, console)
        finally:
            leases.release(engine, doc_id, holder)
    if console is not None and totals["documents"]:
        spp = totals["seconds"] / totals["pages"] if totals["pages"] else float("nan")
        console.print(f"extraction: {totals['documents']} documents, {totals['pages']} pages in "
                      f"{totals['wall_seconds']:.1f} s; model {totals['seconds']:.1f} s ({spp:.1f} s/page), "
                      f"{totals['input_tokens']} input tokens, {totals['output_tokens']} output tokens", soft_wrap=True)
    return totals


def _status(engine: Engine, document_id: str) -> str | None:
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        return doc.status if doc is not None else None


def _carry_on(engine: Engine, doc_id: str, backend, settings: Settings, holder: str, totals: dict,
              console: Console | None) -> None:
    """One claimed document: extract (if ``ingested``) and verify (if ``extracted`` then), totals updated."""
    started = time.perf_counter()
    status = _status(engine, doc_id)
    if status not in (DocumentStatus.INGESTED, DocumentStatus.EXTRACTED):
        totals["skipped"] += 1
        if console is not None:
            console.print(f"{_shown(_file_name(engine, doc_id))}: {status} already", highlight=False)
        return
    try:
        if status == DocumentStatus.INGESTED:
            run = extract_document(engine, doc_id, backend, settings, holder=holder)
            earlier = False
        else:
            with Session(engine) as s:
                run = latest_run(s, doc_id)
                pages = s.get(Document, doc_id).page_count
            earlier = True
        outcome = verify_document(engine, doc_id, settings, holder=holder)
    except LeaseLost as exc:
        totals["wall_seconds"] += time.perf_counter() - started
        totals["skipped"] += 1
        if console is not None:
            console.print(f"{_shown(_file_name(engine, doc_id))}: taken over by another run - {_shown(str(exc))}",
                          highlight=False)
        return
    except (ExtractionError, NothingToVerify) as exc:
        totals["wall_seconds"] += time.perf_counter() - started
        totals["failed"] += 1
        if console is not None:
            console.print(f"[red]{doc_id[:12]}: not extracted[/red] - {_shown(str(exc))}", highlight=False)
        return
    except (LLMError, AuditWriteError, OperationalError):
        raise
    except Exception as exc:  # noqa: BLE001 - what one document's text makes a stage raise is its failure
        totals["wall_seconds"] += time.perf_counter() - started
        totals["failed"] += 1
        message = f"extraction or verification failed ({type(exc).__name__}: {exc})"[:MAX_MESSAGE_CHARS]
        _fail_document(engine, doc_id, message)
        if console is not None:
            console.print(f"[red]{_shown(_file_name(engine, doc_id))}: failed[/red] - {_shown(message)}",
                          highlight=False)
        return
    wall = time.perf_counter() - started
    if not earlier:
        pages = getattr(run, "pages", 0) or 0
    model_seconds = sum(float(c.get("model_seconds") or 0.0) for c in run.chunk_outcomes or [])
    totals["documents"] += 1
    totals["wall_seconds"] += wall
    if not earlier:  # the model time of this batch: an extraction stored by an earlier run is not counted again
        totals["input_tokens"] += run.input_tokens
        totals["output_tokens"] += run.output_tokens
        totals["seconds"] += model_seconds
        totals["pages"] += pages
    if console is None:
        return
    n_err = sum(1 for f in outcome.findings if f.severity == "error")
    n_warn = sum(1 for f in outcome.findings if f.severity == "warning")
    per_page = f"{model_seconds / pages:.1f}" if pages else "-"
    what = f"{run.status} extraction" + (" stored by an earlier run" if earlier else "")
    console.print(f"{_shown(_file_name(engine, doc_id))}: {pages} pages in {wall:.1f} s "
                  f"(model {model_seconds:.1f} s, {per_page} s/page); {what}, "
                  f"{outcome.status}; {n_err} errors, {n_warn} warnings, {outcome.review_items} fields "
                  "to review", highlight=False, soft_wrap=True)
    for f in outcome.findings:
        if f.severity != "info":
            console.print(f"  {f.severity:<7} {f.rule_id:<6} {_shown(f.field_path)}: {_shown(f.message)}",
                          highlight=False)


def _file_name(engine: Engine, document_id: str) -> str:
    """The stored file name of ``document_id`` with the first 12 characters of its id."""
    with Session(engine) as s:
        doc = s.get(Document, document_id)
    return f"{doc.file_name if doc is not None else '?'} ({document_id[:12]})"


MAX_MESSAGE_CHARS = 500
"""A status message quoting an error is cut to this many characters."""


def _shown(text: str) -> str:
    """``text`` as one line of visible characters, Rich markup escaped (:func:`pipeline.reading.printable`)."""
    return escape(printable(text))


def _fail_document(engine: Engine, document_id: str, message: str, actor: str = "system") -> None:
    """Move ``document_id`` to ``failed`` (reason ``extraction_failed``) with ``message``, its running
    extraction runs to ``failed``, and write ``document.failed``; a document past extraction and
    verification is left as it is."""
    with transaction(engine, immediate=True) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            return
        running = list(s.scalars(select(ExtractionRun).where(ExtractionRun.document_id == document_id,
                                                             ExtractionRun.status == "running")))
        for run in running:
            run.status, run.finished_at = "failed", utcnow()
        if DocumentStatus.FAILED not in TRANSITIONS[DocumentStatus(doc.status)]:
            return
        doc.status = check_transition(doc.status, DocumentStatus.FAILED).value
        doc.status_reason, doc.status_message = Reason.EXTRACTION_FAILED.value, message
        audit.append(s, type=audit.events.DOCUMENT_FAILED, actor=actor, document_id=document_id,
                     run_id=running[-1].id if running else None,
                     payload={"status": doc.status, "reason": doc.status_reason, "message": message,
                              "runs_failed": [r.id for r in running]})
