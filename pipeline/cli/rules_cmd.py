"""``clausewise rules list`` and ``clausewise rules check DOC``: the rule catalogue, and the rules re-run
on a stored extraction (no model call, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, existing_engine_for, fail, settings
from pipeline.store import AmbiguousDocument, DocumentNotFound, find_document, latest_extraction, source_document
from rules import DEFAULT_PLAYBOOK, Playbook, PlaybookError, catalogue, evaluate, load_playbook

rules_app = typer.Typer(help="The rule engine: catalogue and re-checks.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

PlaybookOption = typer.Option(
    None, "--playbook", help="Playbook YAML (default: CLAUSEWISE_PLAYBOOK or rules/playbooks/default.yaml)."
)
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _playbook(path: Path | None) -> Playbook:
    chosen = path or settings().playbook or DEFAULT_PLAYBOOK
    try:
        return load_playbook(chosen)
    except PlaybookError as exc:
        fail(str(exc), code=2)  # a lookup or playbook error, not "findings exist" (exit 1)
        raise  # unreachable: fail() exits


@rules_app.command("list")
def list_rules(playbook: Path | None = PlaybookOption) -> None:
    """Print every rule: id, severity, title, source (built-in rules, then the playbook's)."""
    table = Table("id", "severity", "title", "source", title="Rules")
    for r in catalogue(_playbook(playbook)):
        style = SEVERITY_STYLE.get(r.severity.value, "white")
        table.add_row(r.id, f"[{style}]{r.severity.value}[/{style}]", escape(r.title), escape(r.source))
    console.print(table, soft_wrap=True)


@rules_app.command("check")
def check(
    doc: str = typer.Argument(..., help="Document id prefix or file name."),
    playbook: Path | None = PlaybookOption,
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Re-run the rules on the latest stored extraction of DOC; prints findings, stores nothing.

    Exit code 0 when no warning or error is found, 1 otherwise (2 on a lookup or playbook error).
    """
    pb = _playbook(playbook)
    engine = existing_engine_for(settings(database_url=database_url).effective_database_url)
    with Session(engine) as session:
        try:
            document = find_document(session, doc)
        except (DocumentNotFound, AmbiguousDocument) as exc:
            fail(str(exc), 2)
        extraction = latest_extraction(session, document.id)
        if extraction is None:
            fail(f"{document.file_name} has no extraction yet (run `clausewise ingest` first)", 2)
        source = source_document(session, document)
    try:
        findings = evaluate(extraction, source, playbook=pb)
    except PlaybookError as exc:
        fail(str(exc), 2)
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in findings], indent=2))
    else:
        table = Table("rule", "severity", "field", "message", title=f"Findings: {escape(document.file_name)}")
        for f in findings:
            style = SEVERITY_STYLE.get(f.severity.value, "white")
            table.add_row(f.rule_id, f"[{style}]{f.severity.value}[/{style}]", escape(f.field_path), escape(f.message))
        console.print(table if findings else "no findings", soft_wrap=True)
    if any(f.severity.value in ("warning", "error") for f in findings):
        raise typer.Exit(1)
