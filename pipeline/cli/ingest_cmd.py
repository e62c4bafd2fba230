"""``clausewise ingest`` and ``show``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

import audit
from pipeline.review import counted
from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, existing_engine_for, fail, settings
from pipeline.cli.progress_bar import ingest_progress
from pipeline.ingest import IngestOutcome, UnreadablePath, ingest_file, iter_input_files
from pipeline.llm import concurrency_for
from pipeline.store import leases
from pipeline.store import DocumentStatus
from pipeline.store import DocumentNotFound, AmbiguousDocument, find_document
from pipeline.reading import DefaultTokenizer, local_model_file, printable, tokenizer_for

STYLE = {
    "ingested": "green", "extracted": "green", "verified": "green", "auto_accepted": "green",
    "needs_review": "yellow", "in_review": "yellow", "signed_off": "bold green",
    "failed": "red", "needs_ocr": "magenta", "needs_password": "magenta",
}


def _shown(text: str) -> str:
    """``text`` as one line of visible characters, Rich markup escaped (:func:`pipeline.reading.printable`)."""
    return escape(printable(text))


def _line(o: IngestOutcome) -> str:
    style = STYLE.get(o.status, "white")
    what = f"[{style}]{o.status}[/{style}]"
    if o.reason:
        what += f" ({o.reason})"
    detail = "already ingested, same bytes" if o.already else (o.message or f"{counted(o.pages, 'page')}, {counted(o.chunks, 'chunk')}")
    return f"{_shown(str(o.path))}: {what} - {_shown(detail)}"


@app.command("ingest")
def ingest(
    paths: list[Path] = typer.Argument(..., help="PDF or .txt files, or folders (searched recursively)."),
    password: str | None = typer.Option(None, "--password", help="Password for encrypted PDFs.", envvar="CLAUSEWISE_PDF_PASSWORD"),
    extract: bool = typer.Option(True, "--extract/--no-extract", help="Run LLM extraction and the rules after reading."),
    backend: str | None = typer.Option(None, "--backend", help="LLM backend: local, openai, replay."),
    model: str | None = typer.Option(None, "--model", help="Model registry name, GGUF path or remote model id."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the model again even where an answer to the "
                                                           "same request is stored (the new answer replaces it), "
                                                           "for the documents extracted in this run."),
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, envvar="CLAUSEWISE_CONCURRENCY", metavar="N",
        help="Model calls in flight at once (chunks and documents together); above 1, files are read while "
             "the documents before them are extracted. Default by backend: local 1, replay 1, openai 16."),
    queue: bool = typer.Option(False, "--queue", help="Store the files, then queue one job per document for "
                                                      "`clausewise worker` instead of extracting here (PostgreSQL)."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Read contracts, check their quality, store pages and chunks, then extract and verify.

    A document a run left half done (read but not extracted, extracted but not verified) is carried on from
    there, and every model answer is stored as it arrives: a run killed midway and started again asks only
    what was not answered. Exit code is non-zero only when nothing could be ingested.

    Prints a line per file read and per contract extracted (its pages, seconds and the model's seconds), then one
    summary: files and pages read, the files by status, the model's time, chunks, tokens and wall time.
    """
    cfg = settings(database_url=database_url, backend=backend, model=model,
                   **({"answer_cache": False} if no_cache else {}), **({"concurrency": concurrency} if concurrency else {}))
    if queue:
        from pipeline.cli.worker_cmd import refuse_without_postgres

        refuse_without_postgres(cfg, "ingest --queue")  # before any file is read
    engine = engine_for(cfg.effective_database_url)
    audit.check_writer(engine)  # a keyed log this process has no key for: refused before any file is read
    if password:
        audit.add_secret(password)  # never written to the log, the console or the store
    files = list(iter_input_files(paths))
    if not files:
        fail(f"no .pdf or .txt files under {', '.join(_shown(str(p)) for p in paths)}")
    tok = tokenizer_for(cfg)
    if isinstance(tok, DefaultTokenizer) and cfg.backend in ("local", "replay"):
        console.print(f"[yellow]note:[/yellow] chunks are counted with the default tokenizer: the model file "
                      f"{escape(str(local_model_file(cfg)))} is not installed (`clausewise model install "
                      f"{escape(cfg.model)}`); answers recorded with the model's own tokenizer will not match these "
                      "chunks", highlight=False)
    outcomes: list[IngestOutcome] = []
    resumable = {DocumentStatus.INGESTED.value, DocumentStatus.EXTRACTED.value}
    # Above one call in flight, files are read while the documents before them are extracted; at one (the
    # local model, which uses every core), every file is read first, then the documents are extracted.
    overlap = extract and not queue and concurrency_for(cfg) > 1
    # the live view, and the run's one summary at its end (also when interrupted): files and pages read, the
    # files by status, the model's time, chunks, tokens and wall time
    with ingest_progress(console, cfg.backend) as bar:
        bar.files_found(len(files))

        def read():
            """Each file read and stored, its outcome printed; the ids of those to carry on, as they come."""
            for f in files:
                name = f.path.name if isinstance(f, UnreadablePath) else f.name
                o = ingest_file(engine, f, cfg, password=password, tokenizer=tok)
                outcomes.append(o)
                console.print(_line(o), highlight=False)
                bar.file_read(name, 0 if o.already else o.pages)
                if o.status in resumable and o.document_id:
                    yield o.document_id

        reading = read()
        if overlap:
            _extract(engine, reading, cfg, bar)
        for _ in reading:  # every file not read yet (all of them without overlap, the rest if extraction stopped)
            pass
        if extract and not overlap and not queue:
            # every document of the batch not yet past verification is carried on from where it stopped
            todo = list(dict.fromkeys(o.document_id for o in outcomes if o.status in resumable and o.document_id))
            if todo:
                _extract(engine, todo, cfg, bar)
        if queue:
            from pipeline.cli.worker_cmd import queue_documents

            queue_documents(cfg, [o.document_id for o in outcomes if o.status in resumable and o.document_id])
        bar.set_statuses(_status_counts(outcomes, _statuses_now(engine, outcomes)))
    if not any(o.ok for o in outcomes):
        raise typer.Exit(1)


def _extract(engine, document_ids, cfg, bar) -> None:
    """Extract and verify ``document_ids`` (any iterable, read as it goes), reporting to the progress view
    ``bar`` (each document's line and figures, the model calls) and the console (findings); a backend that cannot
    run is one message, and the documents stay as they are."""
    from pipeline.llm import LLMError
    from pipeline.llm import ModelRegistryError
    from pipeline.run import process_documents  # extraction + rules; imported lazily (loads the model)

    try:
        leases.expire(engine)  # runs whose process ended are closed as interrupted
        process_documents(engine, document_ids, cfg, console=console, progress=bar)
    except (ModelRegistryError, LLMError) as exc:
        console.print(f"[red]extraction not run:[/red] {escape(str(exc))}", highlight=False)
        console.print("the documents stay 'ingested'; fix the backend and run `clausewise ingest` again "
                      "with the same files, or use --no-extract", highlight=False)


def _statuses_now(engine, outcomes: list[IngestOutcome]) -> dict[str, tuple[str, str | None]]:
    """Each stored document's status and reason after extraction and verification (what `status` shows)."""
    from sqlalchemy.orm import Session

    from pipeline.store import Document

    ids = [o.document_id for o in outcomes if o.document_id]
    with Session(engine) as s:
        return {d.id: (d.status, d.status_reason) for d in (s.get(Document, i) for i in ids) if d is not None}


def _status_counts(outcomes: list[IngestOutcome], now: dict[str, tuple[str, str | None]]) -> dict[str, int]:
    """The batch's files by their status now (``now``: :func:`_statuses_now`; a file without a stored document
    keeps the status it was read with), the reason in parentheses: a document extracted in this run is counted
    under its status after verification (e.g. ``needs_review``), not under ``ingested``; a file whose bytes were
    stored already is marked ``already ingested``."""
    counts: dict[str, int] = {}
    for o in outcomes:
        status, reason = now.get(o.document_id or "", (o.status, o.reason))
        notes = [n for n in (reason, "already ingested" if o.already else None) if n]
        key = status + (f" ({', '.join(notes)})" if notes else "")
        counts[key] = counts.get(key, 0) + 1
    return counts


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="Document id prefix or file name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Show one document: status, pages, extracted fields with page and quote, and findings."""
    cfg = settings(database_url=database_url)
    engine = existing_engine_for(cfg.effective_database_url)
    from sqlalchemy.orm import Session

    from pipeline.review import document_report, print_report

    with Session(engine) as s:
        try:
            doc = find_document(s, ref)
        except (DocumentNotFound, AmbiguousDocument) as exc:
            fail(str(exc))
        report = document_report(s, doc)
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    print_report(report, console)
