"""``clausewise status``: documents by status, the job queue, what is being worked on now, and each document's
state; ``--watch`` refreshes it until Ctrl-C."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import typer
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipeline.review import counted
from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, existing_engine_for, fail, settings
from pipeline.reading import printable
from pipeline.store import AmbiguousDocument, DocumentNotFound, find_document
from pipeline.store.progress_queries import DocumentDetail, DocumentRow, Overview, document_detail, overview

STYLE = {
    "ingested": "green", "extracted": "green", "verified": "green", "auto_accepted": "green",
    "needs_review": "yellow", "in_review": "yellow", "signed_off": "bold green",
    "failed": "red", "needs_ocr": "magenta", "needs_password": "magenta",
}
"""Colour of each document status."""

DEFAULT_LIMIT = 20
"""Documents in the status table unless ``--limit`` says otherwise."""


def _shown(value: str) -> str:
    """``value`` as one line of visible characters, Rich markup escaped."""
    return escape(printable(value))


def _when(t: datetime | None) -> str:
    """UTC time as ``YYYY-MM-DD HH:MM:SS``, or ``-``."""
    return t.strftime("%Y-%m-%d %H:%M:%S") if t is not None else "-"


def _status(value: str) -> str:
    style = STYLE.get(value, "white")
    return f"[{style}]{escape(value)}[/{style}]"


def _chunks(row: DocumentRow) -> str:
    text = f"{row.chunks_answered}/{row.chunks_total}"
    return text + (" (running)" if row.run_status == "running" else "")


def render_overview(ov: Overview) -> RenderableType:
    """The ``status`` screen: counts by status, the queue line, the documents worked on now and the table of
    recent documents (:class:`pipeline.store.progress_queries.Overview`)."""
    counts = Text.from_markup(f"{counted(ov.documents, 'document')}: " + ", ".join(
        f"{_status(name)} {n}" if n else f"[dim]{escape(name)} 0[/dim]" for name, n in ov.by_status.items()))

    q = ov.queue
    if q is None:
        queue: RenderableType = Text("job queue: none in use (no procrastinate_jobs table); document counts only")
    else:
        queue = Text(f"job queue: queued {q.queued}, running {q.running}, done {q.done}, failed {q.failed}, "
                     f"retried {q.retried}, cancelled {q.cancelled} ({q.total} jobs so far: finished jobs are kept as "
                     "history)")

    if ov.working:
        working: RenderableType = Table("file", "id", "status", "holder", "since (UTC)", "lease expires (UTC)",
                                        title=f"{len(ov.working)} being worked on now", title_justify="left")
        for w in ov.working:
            working.add_row(_shown(w.file_name), w.document_id[:12], _status(w.status), _shown(w.holder),
                            _when(w.since), _when(w.expires_at))
    else:
        working = Text("being worked on now: none")

    recent = Table("file", "id", "status", "reason", "pages", "chunks", "findings", "updated (UTC)",
                   title=f"{len(ov.recent)} most recently changed documents", title_justify="left")
    for r in ov.recent:
        recent.add_row(_shown(r.file_name), r.id[:12], _status(r.status), escape(r.reason or ""), str(r.pages),
                       _chunks(r), str(r.findings), _when(r.updated_at))
    return Group(counts, queue, working, recent, Text(f"as of {_when(ov.taken_at)} UTC", style="dim"))


def _attempts(outcome: dict[str, Any]) -> tuple[str, str]:
    """A chunk outcome's attempts at its own extraction, and its second pass apart: ``"-"`` when no question
    was asked about it, else the questions and their attempts (``1 question, 1 attempt``). An outcome whose
    questions carry no attempts of their own shows its attempts marked ``(with the second pass)``."""
    asked = outcome.get("second_pass") or []
    second = sum(int(q.get("attempts") or 0) for q in asked)
    own = outcome.get("attempts")
    if own is None:
        return "", "-"
    if not asked:
        return str(own), "-"
    if any("attempts" not in q for q in asked):  # stored before questions kept their attempts: not separable
        return f"{own} (with the second pass)", counted(len(asked), "question")
    return str(int(own) - second), f"{counted(len(asked), 'question')}, {counted(second, 'attempt')}"


def render_detail(d: DocumentDetail) -> RenderableType:
    """One document: its state, its extraction runs, the latest run's chunk outcomes and its status history."""
    r = d.row
    head = (f"[bold]{_shown(r.file_name)}[/bold]  {r.id}\nstatus: {_status(r.status)}"
            + (f" ({escape(r.reason)}: {_shown(r.message or '')})" if r.reason else "")
            + f"; {counted(r.pages, 'page')}; chunks answered {_chunks(r)}; {counted(r.findings, 'finding')}"
            + (f"; assigned to {_shown(r.assignee)}" if r.assignee else "") + f"; updated {_when(r.updated_at)} UTC")
    runs = Table("run", "status", "backend", "model", "started (UTC)", "finished (UTC)", "model s (reported)",
                 "tokens in/out", "chunks ok/failed", title_justify="left",
                 title=f"{len(d.runs)} extraction run" + ("" if len(d.runs) == 1 else "s"))
    for run in d.runs:
        ok = sum(1 for o in run.chunk_outcomes if o.get("status") != "failed")
        runs.add_row(run.id[:8], escape(run.status), escape(run.backend), _shown(run.model), _when(run.started_at),
                     _when(run.finished_at), f"{run.model_seconds:.1f}", f"{run.input_tokens}/{run.output_tokens}",
                     f"{ok}/{len(run.chunk_outcomes) - ok}")
    parts: list[RenderableType] = [Text.from_markup(head), runs]
    latest = next((run for run in reversed(d.runs) if run.chunk_outcomes), None)
    if latest is not None:
        chunks = Table("chunk", "status", "pages", "attempts", "second pass", "reason",
                       title=f"chunk outcomes of run {latest.id[:8]}", title_justify="left")
        for o in latest.chunk_outcomes:
            pages = o.get("pages") or []
            chunks.add_row(str(o.get("chunk_seq")), escape(str(o.get("status"))),
                           f"{pages[0]}-{pages[-1]}" if len(pages) > 1 else "".join(map(str, pages)),
                           *_attempts(o), _shown(str(o.get("reason") or "")))
        parts.append(chunks)
    history = Table("event", "time (UTC)", "type", "status", "reason", "actor",
                    title="status history (audit log)", title_justify="left")
    for h in d.history:
        history.add_row(str(h.id), h.ts.replace("T", " ").rstrip("Z")[:19], escape(h.type), escape(h.status or ""),
                        escape(h.reason or ""), _shown(h.actor))
    parts.append(history)
    return Group(*parts)


def _watch(make: Callable[[], RenderableType], out: Console, interval: float) -> None:
    """Show ``make()`` and show it again every ``interval`` seconds until Ctrl-C (SIGINT), then return. On a
    terminal the screen is redrawn in place (rich.live); elsewhere (a pipe, a file) each refresh is printed
    after the last, under a ``refreshed`` line."""
    if out.is_terminal:
        try:
            with Live(make(), console=out, auto_refresh=False, screen=False) as live:
                while True:
                    time.sleep(interval)
                    live.update(make(), refresh=True)
        except KeyboardInterrupt:
            pass
    else:
        try:
            out.print(make())
            while True:
                time.sleep(interval)
                out.print(Text(f"--- refreshed every {interval:g} s (Ctrl-C to stop)", style="dim"))
                out.print(make())
        except KeyboardInterrupt:
            pass
    out.print("stopped watching", highlight=False)


@app.command("status")
def status(
    document: str | None = typer.Option(None, "--document", "-d",
                                        help="One document in detail (id prefix or file name): its runs, the "
                                             "chunk outcomes of the latest and its status history."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Refresh until Ctrl-C."),
    interval: float = typer.Option(2.0, "--interval", min=0.1, help="Seconds between refreshes with --watch."),
    limit: int | None = typer.Option(None, "--limit", min=1,
                                     help=f"Most recently changed documents to list (default {DEFAULT_LIMIT}; "
                                          "--json lists every document unless given)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the documents as a list, or with --document "
                                                       "the document's detail."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Show documents by status, the job queue, what is being worked on now and each document's state.

    Counts cover every status a document can have; on PostgreSQL with the job queue, the queue's jobs queued,
    running, done, failed and retried (else it says no job queue is in use). The table lists the most recently
    changed documents with chunks answered of total from the latest extraction run. A SQLite store that does
    not exist is not created: the command says where it looked (exit 1).
    """
    if as_json and watch:
        fail("--json and --watch cannot be combined")
    cfg = settings(database_url=database_url)
    engine = existing_engine_for(cfg.effective_database_url)

    if document is not None:
        from sqlalchemy.orm import Session

        with Session(engine) as s:
            try:
                doc = find_document(s, document)
            except (DocumentNotFound, AmbiguousDocument) as exc:
                fail(escape(str(exc)))
        if as_json:
            d = document_detail(engine, doc)
            typer.echo(json.dumps({"document": d.row.to_dict(), "runs": [vars(r) for r in d.runs],
                                   "history": [vars(h) for h in d.history]}, indent=2, default=str))
            return

        def make() -> RenderableType:
            return render_detail(document_detail(engine, doc))
    else:
        if as_json:
            typer.echo(json.dumps([r.to_dict() for r in overview(engine, limit=limit).recent], indent=2))
            return

        def make() -> RenderableType:
            return render_overview(overview(engine, limit=limit or DEFAULT_LIMIT))

    if watch:
        _watch(make, console, interval)
    else:
        console.print(make())
