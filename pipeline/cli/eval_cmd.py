"""``clausewise eval cuad | samples | gold``: the whole pipeline on a labelled set, scored and stored.

Each command loads a labelled set (:mod:`pipeline.evaluation.labels`), selects documents, runs
:func:`pipeline.evaluation.run_eval` with the configured backend on a workspace database, prints the report
(:func:`pipeline.evaluation.print_report`), optionally writes it as JSON and as one HTML page
(:func:`pipeline.evaluation.write_html`), and stores the run in the configured database (table ``eval_runs``,
audit event ``eval.run``).

The workspace database lives in a new temporary folder that is removed when the command ends: after the
report, and also when the run fails part-way, is interrupted with Ctrl-C, or is stopped by SIGTERM or SIGHUP
(exit code 130). ``--keep-workspace`` keeps that folder and ``--workdir DIR`` puts the workspace in ``DIR``,
which is always kept; either way the folder is printed before the run starts and the database file after it
(and in the message of a run that stops). A run whose workspace was removed is printed, written and stored
with no workspace (``"workspace": null``), so nothing names a folder that is gone.

``clausewise eval runs`` lists the stored runs, ``clausewise eval report RUN --html OUT`` draws the HTML page
of a stored run, and ``clausewise eval compare RUN [RUN ...]`` prints the backend scorecard of stored runs
(:mod:`pipeline.evaluation.compare`). A run is named by its id or a prefix of it that only it has.
"""

from __future__ import annotations

import json
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select as sql_select

import audit
from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, existing_engine_for, fail, settings
from pipeline.evaluation import (
    FIELD_LABELS,
    DocumentResult,
    LabelledDocument,
    SELECTIONS,
    PriceTableError,
    WeightsError,
    cuad_set,
    gold_set,
    load_prices,
    load_weights,
    missing_for_html,
    print_report,
    run_eval,
    run_figures,
    samples_set,
    scorecard,
    scorecard_notes,
    scorecard_table,
    select,
    store_eval_run,
    write_html,
    write_json,
)
from pipeline.llm import LLMError, ModelRegistryError
from pipeline.store import EvalRun, transaction
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
HtmlOption = typer.Option(None, "--html", dir_okay=False,
                          help="Also write one self-contained HTML report (plots, wrong auto-accepted values) to OUT.")
WorkdirOption = typer.Option(None, "--workdir", file_okay=False,
                             help="Folder for the workspace database, kept after the run (default: a new "
                                  "temporary folder, removed when the command ends).")
KeepWorkspaceOption = typer.Option(False, "--keep-workspace",
                                   help="Keep the temporary workspace folder after the run and print where it is "
                                        "(to open its documents with CLAUSEWISE_DATABASE_URL).")
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


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`KeyboardInterrupt` as Ctrl-C does, so that the run's
    clean-up (removing a temporary workspace) happens before the process ends; the previous handlers are put
    back afterwards. A signal the process ignores stays ignored (``nohup`` ignores SIGHUP); outside the main
    thread (where handlers cannot be set) it changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _interrupt(signum: int, frame: object) -> None:  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    sigs = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {sig: signal.signal(sig, _interrupt) for sig in sigs if signal.getsignal(sig) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for sig, handler in previous.items():  # None: a handler not set from Python, taken as the default
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


def _evaluate(set_name: str, docs: list[LabelledDocument], *, source: dict[str, Any], limit: int | None,
              max_pages: int | None, how: str, seed: int, json_out: Path | None, workdir: Path | None,
              prices: Path | None, playbook: Path | None, backend: str | None, model: str | None,
              database_url: str | None, html_out: Path | None = None, keep_workspace: bool = False) -> None:
    if how not in SELECTIONS:
        fail(f"--select must be one of {', '.join(SELECTIONS)}, not {how!r}", 2)
    cfg = settings(database_url=database_url, backend=backend, model=model)
    audit.check_writer(engine_for(cfg.effective_database_url))  # the result is stored there: refuse before the run
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
    if workdir is None and keep_workspace:
        workdir = Path(tempfile.mkdtemp(prefix="clausewise-eval-"))
    if workdir is not None:
        workdir = workdir.resolve()
        console.print(f"workspace folder: {escape(str(workdir))} (kept after the run)", highlight=False)
    gone = "the temporary workspace was removed"
    kept = f"the workspace folder {escape(str(workdir))} is kept"
    try:
        with _stop_signals_interrupt():
            result = run_eval(chosen, cfg, set_name=set_name, playbook=pb, workdir=workdir, selection=selection,
                              prices=table, labels=FIELD_LABELS.get(set_name), on_document=_progress)
    except (ModelRegistryError, LLMError) as exc:
        fail(f"evaluation stopped: {exc}; {kept if workdir is not None else gone}")
    except KeyboardInterrupt:
        fail(f"evaluation interrupted; {kept if workdir is not None else gone}", 130)
    console.print()
    print_report(result, console)
    if result.workspace is not None:
        console.print(f"open it with CLAUSEWISE_DATABASE_URL=sqlite:///{escape(result.workspace)} clausewise show "
                      "DOC (remove the folder when done)", highlight=False)
    if json_out is not None:
        write_json(result, json_out)
        console.print(f"JSON written to {escape(str(json_out))}", highlight=False)
    store_eval_run(engine_for(cfg.effective_database_url), result)
    console.print(f"stored as eval run {result.id} in {escape(cfg.masked()['database_url'])}", highlight=False)
    if html_out is not None:
        write_html(result, html_out)
        console.print(f"HTML report written to {escape(str(html_out))}", highlight=False)


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
    html_out: Path | None = HtmlOption,
    workdir: Path | None = WorkdirOption,
    keep_workspace: bool = KeepWorkspaceOption,
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
              playbook=playbook, backend=backend, model=model, database_url=database_url, html_out=html_out,
              keep_workspace=keep_workspace)


@eval_app.command("samples")
def samples(
    folder: Path = typer.Argument(Path("samples"), exists=True, file_okay=False,
                                  help="Folder of PDFs with their right values (NAME.expected.json)."),
    limit: int | None = LimitOption,
    max_pages: int | None = MaxPagesOption,
    how: str = _select_option("as-listed"),
    seed: int = SeedOption,
    json_out: Path | None = JsonOption,
    html_out: Path | None = HtmlOption,
    workdir: Path | None = WorkdirOption,
    keep_workspace: bool = KeepWorkspaceOption,
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
              model=model, database_url=database_url, html_out=html_out,
              keep_workspace=keep_workspace)


@eval_app.command("gold")
def gold(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Gold JSONL: one {\"path\", \"fields\"} object per line (see README.md)."),
    limit: int | None = LimitOption,
    max_pages: int | None = MaxPagesOption,
    how: str = _select_option("as-listed"),
    seed: int = SeedOption,
    json_out: Path | None = JsonOption,
    html_out: Path | None = HtmlOption,
    workdir: Path | None = WorkdirOption,
    keep_workspace: bool = KeepWorkspaceOption,
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
              database_url=database_url, html_out=html_out,
              keep_workspace=keep_workspace)


# ------------------------------------------------------------------------------------------ stored runs


def _stored_runs(database_url: str | None, refs: list[str]) -> list[dict[str, Any]]:
    """The stored summary of each run ``refs`` names (an id or a prefix of one id), in the order given;
    exits with code 2 when a reference matches no run or several."""
    engine = existing_engine_for(settings(database_url=database_url).effective_database_url)
    out = []
    with transaction(engine) as s:
        for ref in refs:
            ref = ref.strip().lower()
            rows = list(s.scalars(sql_select(EvalRun).where(EvalRun.id.startswith(ref, autoescape=True))
                                  .order_by(EvalRun.created_at).limit(6))) if ref else []
            if not rows:
                fail(f"no stored eval run {ref!r} (clausewise eval runs lists them)", 2)
            exact = [r for r in rows if r.id == ref]
            if len(rows) > 1 and not exact:
                fail(f"{ref!r} names several eval runs: {', '.join(r.id for r in rows)}; give more characters", 2)
            row = (exact or rows)[0]
            out.append(dict(row.summary or {}, id=row.id))
    return out


@eval_app.command("runs")
def runs_cmd(
    limit: int = typer.Option(20, "--limit", min=1, help="Show the N most recent runs."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """List the stored evaluation runs, newest first: id, when (UTC), set, documents, backend, model, and
    auto-accept precision (right / values with no finding) with the built-in rules alone and with the
    playbook."""
    engine = existing_engine_for(settings(database_url=database_url).effective_database_url)

    def aap(summary: dict, rules: str) -> str:
        got = (((summary.get("summary") or {}).get(rules) or {}).get("overall") or {}).get("auto_accept_precision") or {}
        return "-" if got.get("value") is None else f"{got['value']:.2f} ({got['count']}/{got['total']})"

    with transaction(engine) as s:
        rows = list(s.scalars(sql_select(EvalRun).order_by(EvalRun.created_at.desc()).limit(limit)))
        table = Table(title="Stored eval runs")
        for name in ("id", "when (UTC)", "set", "documents", "backend", "model",
                     "auto-accept precision, built-in rules", "auto-accept precision, with playbook"):
            table.add_column(name)
        for r in rows:
            summary = r.summary or {}
            table.add_row(r.id, f"{r.created_at:%Y-%m-%d %H:%M}", escape(r.set_name),
                          str(len(summary.get("documents") or [])), escape(r.backend), escape(r.model),
                          aap(summary, "builtin"), aap(summary, "playbook"))
    console.print(table if rows else "no stored eval run")


@eval_app.command("report")
def report_cmd(
    run: str = typer.Argument(..., metavar="RUN",
                              help="Eval run: its id or a prefix only it has (clausewise eval runs)."),
    html_out: Path = typer.Option(..., "--html", dir_okay=False, help="Write the HTML report to OUT."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Rebuild the HTML report of a stored evaluation run (plots, wrong auto-accepted values, documents)."""
    (summary,) = _stored_runs(database_url, [run])
    missing = missing_for_html(summary)
    if missing:
        fail(f"eval run {summary['id']} was stored without what the HTML report needs: {', '.join(missing[:12])}"
             + (f" and {len(missing) - 12} more" if len(missing) > 12 else "") + "; run the evaluation again")
    write_html(summary, html_out)
    console.print(f"HTML report of eval run {summary['id']} written to {escape(str(html_out))}", highlight=False)


@eval_app.command("compare")
def compare_cmd(
    runs: list[str] = typer.Argument(..., metavar="RUN...",
                                     help="Eval runs: ids or prefixes only they have (clausewise eval runs)."),
    weights: Path | None = typer.Option(None, "--weights", dir_okay=False,
                                        help="Weights YAML overriding the shipped "
                                             "pipeline/evaluation/weights.yaml key by key."),
    pages_per_month: int | None = typer.Option(None, "--pages-per-month", min=1,
                                                 help="Volume for cost per month and TCO per year "
                                                      "(default: the weights file's)."),
    json_out: Path | None = typer.Option(None, "--json", dir_okay=False, help="Also write the scorecard as JSON."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The backend scorecard of stored runs: capability, review load, latency, cost, privacy, overhead, a
    weighted score and the total cost of ownership per year.

    Weights, prices of CPU and reviewer time and each backend's operator hours come from the weights YAML
    (pipeline/evaluation/weights.yaml states each input and its meaning); each axis is scaled 0..1 across
    the runs compared (best 1, worst 0) and a run is marked where it is worse than the others."""
    try:
        w = load_weights(weights).with_pages_per_month(pages_per_month)
    except WeightsError as exc:
        fail(str(exc), 2)
    stored = _stored_runs(database_url, runs)
    try:
        figures = [run_figures(r, findings=w.findings) for r in stored]
    except ValueError as exc:
        fail(str(exc))
    card = scorecard(figures, w)
    console.print(scorecard_table(card))
    for line in scorecard_notes(card):
        console.print(escape(line), highlight=False)
    if json_out is not None:
        json_out.write_text(json.dumps(card.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"JSON written to {escape(str(json_out))}", highlight=False)
