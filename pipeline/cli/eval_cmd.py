"""``clausewise eval cuad | samples | gold``: the whole pipeline on a labelled set, scored and stored.

Each command loads a labelled set (:mod:`pipeline.evaluation.labels`), selects documents, runs
:func:`pipeline.evaluation.run_eval` with the configured backend on a workspace database, prints the report
(:func:`pipeline.evaluation.print_report`), optionally writes it as JSON, and stores the run in the configured
database (table ``eval_runs``, audit event ``eval.run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, fail, settings
from pipeline.evaluation import (
    FIELD_LABELS,
    DocumentResult,
    LabelledDocument,
    SELECTIONS,
    PriceTableError,
    cuad_set,
    gold_set,
    load_prices,
    print_report,
    run_eval,
    samples_set,
    select,
    store_eval_run,
    write_json,
)
from pipeline.llm import LLMError, ModelRegistryError
from rules import DEFAULT_PLAYBOOK, PlaybookError, load_playbook
from schemas import ClausewiseError

eval_app = typer.Typer(
    help="Measure the pipeline on labelled contracts: per-field agreement, precision and recall, auto-accept "
         "precision, flag recall, review load, speed and cost.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

LimitOption = typer.Option(None, "--limit", min=1, help="Evaluate at most N documents (after the page filter).")
MaxPagesOption = typer.Option(None, "--max-pages", min=1,
                              help="Only documents of at most N pages (fewest-pages: 6 unless given).")
SeedOption = typer.Option(0, "--seed", help="Seed of --select random.")
JsonOption = typer.Option(None, "--json", help="Also write everything (per document and field) as JSON to OUT.")
WorkdirOption = typer.Option(None, "--workdir",
                             help="Folder of the workspace database (default: a new temporary folder).")
PricesOption = typer.Option(None, "--prices", help="Price file (YAML) overriding the shipped price table.")
PlaybookOption = typer.Option(None, "--playbook",
                              help="Playbook YAML (default: CLAUSEWISE_PLAYBOOK or rules/playbooks/default.yaml).")
BackendOption = typer.Option(None, "--backend", help="LLM backend: local, openai, replay.")
ModelOption = typer.Option(None, "--model", help="Model registry name, GGUF path or remote model id.")


def _select_option(default: str) -> Any:
    return typer.Option(default, "--select", help=f"How to choose documents: {' | '.join(SELECTIONS)}.")


def _progress(d: DocumentResult) -> None:
    """One line per document: pages, state, model seconds, fields right (a value right or rightly left empty)
    of those labelled, and the fields that are wrong, missing or invented."""
    by: dict[str, list[str]] = {}
    for name, r in d.fields.items():
        by.setdefault(r.outcome, []).append(name)
    right = len(by.get("right", [])) + len(by.get("absent", []))
    labelled = len(d.fields) - len(by.get("unlabelled", []))
    wrong = "; ".join(f"{o} {', '.join(by[o])}" for o in ("wrong", "missing", "invented") if o in by)
    console.print(f"{escape(d.name[:60]):60s} {d.pages:3d}p {escape(d.status):13s} {d.model_seconds:7.1f}s "
                  f"right {right}/{labelled}" + (f"; {escape(wrong)}" if wrong else ""), highlight=False)


def _evaluate(set_name: str, docs: list[LabelledDocument], *, source: dict[str, Any], limit: int | None,
              max_pages: int | None, how: str, seed: int, json_out: Path | None, workdir: Path | None,
              prices: Path | None, playbook: Path | None, backend: str | None, model: str | None,
              database_url: str | None) -> None:
    if how not in SELECTIONS:
        fail(f"--select must be one of {', '.join(SELECTIONS)}, not {how!r}", 2)
    cfg = settings(database_url=database_url, backend=backend, model=model)
    try:
        table = load_prices(prices)
    except PriceTableError as exc:
        fail(str(exc), 2)
    try:
        pb = load_playbook(playbook or cfg.playbook or DEFAULT_PLAYBOOK)
    except PlaybookError as exc:
        fail(str(exc), 2)
    chosen = select(docs, limit=limit, max_pages=max_pages, how=how, seed=seed)
    if not chosen:
        fail(f"no document of the {set_name} set is left after the selection ({len(docs)} labelled)")
    selection = {**source, "how": how, "limit": limit, "max_pages": max_pages, "seed": seed,
                 "labelled": len(docs), "documents": [d.name for d in chosen]}
    console.print(f"evaluating {len(chosen)} of {len(docs)} labelled documents ({how}) with "
                  f"{escape(cfg.backend)} / {escape(cfg.model)}", highlight=False)
    try:
        result = run_eval(chosen, cfg, set_name=set_name, playbook=pb, workdir=workdir, selection=selection,
                          prices=table, labels=FIELD_LABELS.get(set_name), on_document=_progress)
    except (ModelRegistryError, LLMError) as exc:
        fail(f"evaluation stopped: {exc}")
    console.print()
    print_report(result, console)
    if json_out is not None:
        write_json(result, json_out)
        console.print(f"JSON written to {escape(str(json_out))}", highlight=False)
    store_eval_run(engine_for(cfg.effective_database_url), result)
    console.print(f"stored as eval run {result.id} in {escape(cfg.masked()['database_url'])}", highlight=False)


@eval_app.command("cuad")
def cuad(
    labels: Path = typer.Option(..., "--labels", exists=True, dir_okay=False,
                                help="CUAD master_clauses.csv (a manifest.csv beside it is used to join files)."),
    docs: Path = typer.Option(..., "--docs", exists=True, file_okay=False,
                              help="Folder of CUAD PDFs or TXTs, any subset, searched recursively."),
    limit: int | None = LimitOption,
    max_pages: int | None = MaxPagesOption,
    how: str = _select_option("fewest-pages"),
    seed: int = SeedOption,
    json_out: Path | None = JsonOption,
    workdir: Path | None = WorkdirOption,
    prices: Path | None = PricesOption,
    playbook: Path | None = PlaybookOption,
    backend: str | None = BackendOption,
    model: str | None = ModelOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Evaluate on CUAD contracts against their labels (7 fields, CUAD's conventions)."""
    try:
        labelled = cuad_set(labels, docs)
    except (ClausewiseError, OSError, ValueError) as exc:
        fail(str(exc), 2)
    _evaluate("cuad", labelled, source={"labels": str(labels), "docs": str(docs)}, limit=limit,
              max_pages=max_pages, how=how, seed=seed, json_out=json_out, workdir=workdir, prices=prices,
              playbook=playbook, backend=backend, model=model, database_url=database_url)


@eval_app.command("samples")
def samples(
    folder: Path = typer.Argument(Path("samples"), exists=True, file_okay=False,
                                  help="Folder of PDFs with their right values (NAME.expected.json)."),
    limit: int | None = LimitOption,
    max_pages: int | None = MaxPagesOption,
    how: str = _select_option("as-listed"),
    seed: int = SeedOption,
    json_out: Path | None = JsonOption,
    workdir: Path | None = WorkdirOption,
    prices: Path | None = PricesOption,
    playbook: Path | None = PlaybookOption,
    backend: str | None = BackendOption,
    model: str | None = ModelOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Evaluate on the samples (samples/*.pdf) against their right values (*.expected.json)."""
    try:
        labelled = samples_set(folder)
    except (ClausewiseError, OSError, ValueError) as exc:
        fail(str(exc), 2)
    _evaluate("samples", labelled, source={"folder": str(folder)}, limit=limit, max_pages=max_pages, how=how,
              seed=seed, json_out=json_out, workdir=workdir, prices=prices, playbook=playbook, backend=backend,
              model=model, database_url=database_url)


@eval_app.command("gold")
def gold(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Gold JSONL: one {\"path\", \"fields\"} object per line (see README.md)."),
    limit: int | None = LimitOption,
    max_pages: int | None = MaxPagesOption,
    how: str = _select_option("as-listed"),
    seed: int = SeedOption,
    json_out: Path | None = JsonOption,
    workdir: Path | None = WorkdirOption,
    prices: Path | None = PricesOption,
    playbook: Path | None = PlaybookOption,
    backend: str | None = BackendOption,
    model: str | None = ModelOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Evaluate on your own labelled contracts (a gold JSONL file; paths relative to it)."""
    try:
        labelled = gold_set(file)
    except (ClausewiseError, OSError, ValueError) as exc:
        fail(str(exc), 2)
    _evaluate("gold", labelled, source={"file": str(file)}, limit=limit, max_pages=max_pages, how=how, seed=seed,
              json_out=json_out, workdir=workdir, prices=prices, playbook=playbook, backend=backend, model=model,
              database_url=database_url)
