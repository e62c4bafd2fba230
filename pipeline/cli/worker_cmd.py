"""``clausewise worker``: run the queued document jobs (PostgreSQL), and the queueing step of ``ingest --queue``."""

from __future__ import annotations

import typer
from rich.markup import escape

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, settings
from pipeline.reading import printable
from pipeline.settings import Settings


def refuse_without_postgres(cfg: Settings, what: str) -> None:
    """End the command with one line on stderr (never wrapped) and exit code 2 unless the database is
    PostgreSQL."""
    from pipeline.queue import QueueNeedsPostgres, require_postgres

    try:
        require_postgres(cfg.effective_database_url)
    except QueueNeedsPostgres as exc:
        typer.echo(f"error: {what}: {exc}", err=True)
        raise typer.Exit(2) from None


def queue_documents(cfg: Settings, document_ids: list[str]) -> dict[str, str]:
    """Defer one job per stored document still to extract or verify (:func:`pipeline.queue.defer_documents`)
    and print one line per document and a total; returns document id -> what happened."""
    from sqlalchemy.orm import Session

    from pipeline.queue import defer_documents
    from pipeline.store import Document

    engine = engine_for(cfg.effective_database_url)
    done = defer_documents(cfg, document_ids, engine=engine)
    with Session(engine) as s:
        names = {i: (d.file_name if (d := s.get(Document, i)) is not None else "?") for i in done}
    for doc_id, what in done.items():
        console.print(f"{escape(printable(names[doc_id]))} ({doc_id[:12]}): {what}", highlight=False)
    n = sum(1 for w in done.values() if w == "queued")
    already = sum(1 for w in done.values() if w == "already queued")
    console.print(f"{n} documents queued, {already} already queued; run `clausewise worker` on any machine that "
                  "reaches the database", highlight=False)
    return done


@app.command("worker")
def worker(
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1,
        help="Jobs run at once in this worker, each one model call at a time (default: CLAUSEWISE_CONCURRENCY, "
             "else by backend: local 1, replay 1, openai 16)."),
    until_empty: bool = typer.Option(False, "--until-empty", help="Stop once no document job waits or runs on any "
                                                                  "worker (default: run until SIGINT/SIGTERM)."),
    backend: str | None = typer.Option(None, "--backend", help="LLM backend: local, openai, replay."),
    model: str | None = typer.Option(None, "--model", help="Model registry name, GGUF path or remote model id."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Run the document jobs `ingest --queue` queued (PostgreSQL): extract and verify, one line per document.

    Needs only the database: the text, chunks and original bytes are read from the store. A worker lost
    mid-job (killed, machine gone) is found by its missing heartbeat and its jobs go back to the queue; after
    queue_max_attempts attempts the document ends failed with the reason. SIGINT/SIGTERM stop it once the jobs
    running finish.
    """
    cfg = settings(database_url=database_url, backend=backend, model=model)
    refuse_without_postgres(cfg, "clausewise worker")
    import audit
    from pipeline.queue import run_worker

    engine = engine_for(cfg.effective_database_url)
    audit.check_writer(engine)  # a keyed log this process has no key for: refused before any job runs
    from pipeline.llm import LLMError, ModelRegistryError

    try:
        run_worker(cfg, concurrency=concurrency, until_empty=until_empty)
    except (ModelRegistryError, LLMError) as exc:
        typer.echo(f"error: clausewise worker: the model backend cannot run: {printable(str(exc))}", err=True)
        raise typer.Exit(2) from None
