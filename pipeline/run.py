"""The main job after reading: extract with the configured LLM backend, then verify with the rules, for a batch
of documents with a bounded number of model calls in flight (:func:`process_documents`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import audit
from audit import AuditWriteError
from pipeline.review import counted
from pipeline.extract import ExtractionError, extract_document
from pipeline.llm import Backend, CallPool, LLMError, Progress, concurrency_for, make_backend
from pipeline.reading import printable
from pipeline.settings import Settings
from pipeline.store.progress_queries import model_seconds as run_model_seconds
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


def process_documents(engine: Engine, document_ids: Iterable[str], settings: Settings, *,
                      console: Console | None = None, holder: str | None = None, concurrency: int | None = None,
                      progress: Progress | None = None, backend: Backend | None = None) -> dict:
    """Carry each document on from where it stands: extract and verify an ``ingested`` one, verify an
    ``extracted`` one (its extraction stored by an earlier run that stopped before verifying); a failure of one
    never stops the others. An extraction that reads no chunk (run ``failed``) moves the document to ``failed``
    (reason ``extraction_failed``) and ends it there: it is not verified, so no rule runs on it, no finding or
    review item is stored and its status history ends with ``document.failed``.

    ``concurrency``: the model calls in flight at once (``None``: :func:`pipeline.llm.concurrency_for` of the
    settings and backend, the setting ``concurrency`` or the backend's default). At 1 the documents are carried
    on one after the other in this thread, their chunks one at a time. Above 1, up to ``concurrency``
    documents are carried on together, each on its own thread, and their chunks' calls share one
    :class:`pipeline.llm.CallPool` of that size, so the bound holds for the batch. ``document_ids`` may be any
    iterable, read as the batch goes: a generator that reads files as it yields their ids overlaps reading with
    the model calls of the documents already handed over. An id handed over twice is carried on once.

    Each document is first claimed with a lease (:mod:`pipeline.store.leases`, ``holder``: default a new
    holder id for this call) that a thread renews while it works, and released after. A document another
    process holds is left to it (counted in ``skipped``); one that another process carried past verification
    meanwhile is left as it is. Taking over a lapsed lease closes the runs its holder left ``running`` as
    ``interrupted``. Results are stored only while the lease holds, so two processes never both store an
    extraction of one document.

    Errors of one document (:class:`ExtractionError`, :class:`NothingToVerify`, and any other error its text
    makes extraction or the rules raise) are printed and counted in ``failed``; an unexpected one moves the
    document to ``failed`` (reason ``extraction_failed``, the error in its message) and closes its running
    extraction run as ``failed``. The model's errors that escape a chunk (:class:`pipeline.llm.ReplayMiss`; the
    others fail the chunk only), the audit log's (:class:`audit.AuditWriteError`), a database that cannot be
    reached (``sqlalchemy.exc.OperationalError``) and backend-setup errors (e.g. model not installed) concern
    every document and propagate: no further document is started, the ones under way finish, their leases are
    released, then the first such error is raised. Above 1, an interruption (``KeyboardInterrupt``, Ctrl-C) is
    handled the same way: the documents not started yet stay as they are, for the next run (at 1 it stops the
    document under way, whose run the next one closes as ``interrupted`` and carries on).

    Returns totals: ``{"failed", "skipped", "documents", "pages", "input_tokens", "output_tokens", "seconds",
    "wall_seconds"}`` (``documents``: those extracted or verified here, an extraction that failed included (its
    calls were made), which does not count in ``failed``; ``seconds``: the model's own seconds as the backend
    reports them, a replay the recorded ones, for the extractions made here; ``wall_seconds``: extraction and
    verification as timed here, summed over documents, so above the batch's wall time when documents run
    together). With ``console``, prints one line per document (file name, pages, wall seconds,
    model seconds per page, status and findings; for a failed extraction its status and reason, then one line per
    failed chunk with its pages and reason; or why it was left) and the totals. With ``progress``
    (:class:`pipeline.llm.Progress`), the planned and ended model calls are reported to it, and each document's
    one-line outcome goes to its ``document_done`` instead of the console, with the pages and model seconds of
    the extraction made for it (the findings under it still go to the console); the totals are then left to the
    progress (its summary) and the caller, not printed. ``backend``: the model backend to use (default:
    :func:`pipeline.llm.make_backend` of the settings, made for this call), so that a caller running many batches
    loads a local model once.
    """
    backend = backend if backend is not None else make_backend(settings)
    size = concurrency_for(settings, backend, concurrency)
    holder = holder or leases.new_holder()
    totals = {"failed": 0, "skipped": 0, "documents": 0, "pages": 0, "input_tokens": 0, "output_tokens": 0,
              "seconds": 0.0, "wall_seconds": 0.0}
    report = _Report(console, progress, totals)
    seen: set[str] = set()
    with CallPool(size) as calls:
        work = _Work(engine, backend, settings, holder, calls, report)
        if size == 1:
            for doc_id in document_ids:
                if doc_id not in seen:
                    seen.add(doc_id)
                    work.one(doc_id)
        else:
            with ThreadPoolExecutor(max_workers=size, thread_name_prefix="document") as pool:
                futures: list[Future[None]] = []
                stop = threading.Event()  # set by an error that concerns every document: start no more
                try:
                    for doc_id in document_ids:
                        if stop.is_set():
                            break
                        if doc_id in seen:
                            continue
                        seen.add(doc_id)
                        futures.append(pool.submit(work.one, doc_id))
                        futures[-1].add_done_callback(
                            lambda f: None if f.cancelled() or f.exception() is None else stop.set())
                    wait(futures, return_when=FIRST_EXCEPTION)
                except BaseException:  # Ctrl-C (KeyboardInterrupt) while reading or waiting: start no document
                    stop.set()  # more; the pool's exit waits for the ones under way, then it propagates
                    for f in futures:
                        f.cancel()
                    raise
                if any(f.done() and f.exception() is not None for f in futures):
                    for f in futures:
                        f.cancel()  # the documents not started yet
                wait(futures)
                errors = [f.exception() for f in futures if not f.cancelled() and f.exception() is not None]
                if errors:
                    raise errors[0]
    if console is not None and progress is None and totals["documents"]:
        spp = totals["seconds"] / totals["pages"] if totals["pages"] else float("nan")
        console.print(f"extraction: {counted(totals['documents'], 'document')}, {counted(totals['pages'], 'page')} in "
                      f"{totals['wall_seconds']:.1f} s; model {totals['seconds']:.1f} s ({spp:.1f} s/page), "
                      f"{totals['input_tokens']} input tokens, {totals['output_tokens']} output tokens", soft_wrap=True)
    return totals


class _Report:
    """The totals and the output of one batch, shared by its documents' threads (one lock for both)."""

    def __init__(self, console: Console | None, progress: Progress | None, totals: dict) -> None:
        self.console, self.progress, self.totals = console, progress, totals
        self.lock = threading.Lock()

    def add(self, **figures: float) -> None:
        with self.lock:
            for k, v in figures.items():
                self.totals[k] += v

    def document(self, name: str, status: str, line: str, *, details: list[str] = (), soft_wrap: bool = False,
                 **figures: float) -> None:
        """One document done: its figures added to the totals, its line and details printed together."""
        with self.lock:
            for k, v in figures.items():
                self.totals[k] += v
            if self.progress is not None:
                self.progress.document_done(name, status, line, pages=int(figures.get("pages", 0)),
                                            model_seconds=figures.get("seconds", 0.0))
            elif self.console is not None:
                self.console.print(line, highlight=False, soft_wrap=soft_wrap)
            if self.console is not None:
                for d in details:
                    self.console.print(d, highlight=False, soft_wrap=soft_wrap)


class _Work:
    """Carries one document on (:meth:`one`); shared by the threads of a batch."""

    def __init__(self, engine: Engine, backend, settings: Settings, holder: str, calls: CallPool,
                 report: _Report) -> None:
        self.engine, self.backend, self.settings, self.holder = engine, backend, settings, holder
        self.calls, self.report = calls, report

    def one(self, doc_id: str) -> None:
        """Claim ``doc_id``, carry it on under a renewed lease, release it."""
        engine = self.engine
        if not leases.claim(engine, doc_id, self.holder, seconds=self.settings.lease_seconds):
            held = leases.lease_of(engine, doc_id)
            self.report.document(_plain_name(engine, doc_id), "skipped",
                                 f"{_shown(_file_name(engine, doc_id))}: left to the run that holds it "
                                 f"({_shown(held.holder or '?')})", skipped=1)
            return
        try:
            with leases.Heartbeat(engine, doc_id, self.holder, seconds=self.settings.lease_seconds):
                _carry_on(engine, doc_id, self.backend, self.settings, self.holder, self.calls, self.report)
        finally:
            leases.release(engine, doc_id, self.holder)


def _status(engine: Engine, document_id: str) -> str | None:
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        return doc.status if doc is not None else None


def _carry_on(engine: Engine, doc_id: str, backend, settings: Settings, holder: str, calls: CallPool,
              report: _Report) -> None:
    """One claimed document: extract (if ``ingested``) and verify (if ``extracted`` then), totals updated."""
    started = time.perf_counter()
    status = _status(engine, doc_id)
    name = _plain_name(engine, doc_id)
    if status not in (DocumentStatus.INGESTED, DocumentStatus.EXTRACTED):
        report.document(name, "skipped", f"{_shown(_file_name(engine, doc_id))}: {status} already", skipped=1)
        return
    try:
        if status == DocumentStatus.INGESTED:
            run = extract_document(engine, doc_id, backend, settings, holder=holder, calls=calls,
                                   progress=report.progress)
            earlier = False
            if run.status == "failed":  # no chunk was read: the document is failed, there is nothing to verify
                _failed_extraction(engine, doc_id, name, run, time.perf_counter() - started, report)
                return
        else:
            with Session(engine) as s:
                run = latest_run(s, doc_id)
                pages = s.get(Document, doc_id).page_count
            earlier = True
        outcome = verify_document(engine, doc_id, settings, holder=holder)
    except LeaseLost as exc:
        report.document(name, "skipped", f"{_shown(_file_name(engine, doc_id))}: taken over by another run - "
                        f"{_shown(str(exc))}", wall_seconds=time.perf_counter() - started, skipped=1)
        return
    except (ExtractionError, NothingToVerify) as exc:
        report.document(name, _status(engine, doc_id) or "failed",
                        f"[red]{doc_id[:12]}: not extracted[/red] - {_shown(str(exc))}",
                        wall_seconds=time.perf_counter() - started, failed=1)
        return
    except (LLMError, AuditWriteError, OperationalError):
        raise
    except Exception as exc:  # noqa: BLE001 - what one document's text makes a stage raise is its failure
        message = f"extraction or verification failed ({type(exc).__name__}: {exc})"[:MAX_MESSAGE_CHARS]
        _fail_document(engine, doc_id, message)
        report.document(name, DocumentStatus.FAILED.value,
                        f"[red]{_shown(_file_name(engine, doc_id))}: failed[/red] - {_shown(message)}",
                        wall_seconds=time.perf_counter() - started, failed=1)
        return
    wall = time.perf_counter() - started
    if not earlier:
        pages = getattr(run, "pages", 0) or 0
    model_seconds = run_model_seconds(run.chunk_outcomes)
    figures = {"documents": 1, "wall_seconds": wall}
    if not earlier:  # the model time of this batch: an extraction stored by an earlier run is not counted again
        figures.update(input_tokens=run.input_tokens, output_tokens=run.output_tokens, seconds=model_seconds,
                       pages=pages)
    n_err = sum(1 for f in outcome.findings if f.severity == "error")
    n_warn = sum(1 for f in outcome.findings if f.severity == "warning")
    per_page = f"{model_seconds / pages:.1f}" if pages else "-"
    what = f"{run.status} extraction" + (" stored by an earlier run" if earlier else "")
    line = (f"{_shown(_file_name(engine, doc_id))}: {counted(pages, 'page')} in {wall:.1f} s "
            f"(model {model_seconds:.1f} s, {per_page} s/page); {what}, "
            f"{outcome.status}; {counted(n_err, 'error')}, {counted(n_warn, 'warning')}, "
            f"{counted(outcome.review_items, 'field')} to review")
    details = [f"  {f.severity:<7} {f.rule_id:<6} {_shown(f.field_path)}: {_shown(f.message)}"
               for f in outcome.findings if f.severity != "info"]
    report.document(name, outcome.status, line, details=details, soft_wrap=True, **figures)


def _failed_extraction(engine: Engine, doc_id: str, name: str, run: ExtractionRun, wall: float,
                       report: _Report) -> None:
    """Report a document whose extraction run stored ``failed`` (no chunk was read; the document moved to
    ``failed``): its line gives the document's status with its reason and message, one line under it per failed
    chunk gives the chunk's pages and reason. Its figures count as an extraction made here (the calls were
    made), not as an error of the batch."""
    pages = getattr(run, "pages", 0) or 0
    outcomes = run.chunk_outcomes or []
    model_seconds = run_model_seconds(outcomes)
    with Session(engine) as s:
        doc = s.get(Document, doc_id)
        status, reason, message = doc.status, doc.status_reason, doc.status_message
    why = f" ({reason}: {message})" if reason else ""
    per_page = f"{model_seconds / pages:.1f}" if pages else "-"
    line = (f"[red]{_shown(_file_name(engine, doc_id))}: {counted(pages, 'page')} in {wall:.1f} s "
            f"(model {model_seconds:.1f} s, {per_page} s/page); failed extraction, {status}{_shown(why)}[/red]")
    details = [f"  chunk {o.get('chunk_seq')} (pages {_page_span(o.get('pages') or [])}): "
               f"{_shown(str(o.get('reason') or ''))}" for o in outcomes if o.get("status") == "failed"]
    report.document(name, status, line, details=details, soft_wrap=True, documents=1, wall_seconds=wall,
                    input_tokens=run.input_tokens or 0, output_tokens=run.output_tokens or 0,
                    seconds=model_seconds, pages=pages)


def _page_span(pages: list[int]) -> str:
    """``[3]`` as ``3``, ``[3, 4, 5]`` as ``3-5``, none as ``-``."""
    if not pages:
        return "-"
    return str(pages[0]) if pages[0] == pages[-1] else f"{pages[0]}-{pages[-1]}"


def _plain_name(engine: Engine, document_id: str) -> str:
    """The stored file name of ``document_id`` (``?`` when there is no such document)."""
    with Session(engine) as s:
        doc = s.get(Document, document_id)
    return doc.file_name if doc is not None else "?"


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
