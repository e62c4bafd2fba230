"""``clausewise config`` and ``clausewise db upgrade``."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from pipeline.cli import app
from pipeline.store import make_engine, upgrade
from pipeline.settings import Settings

db_app = typer.Typer(help="Database maintenance: apply the Alembic migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command("config")
def config(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Print the effective settings, with secrets masked."""
    values = Settings().masked()
    if as_json:
        typer.echo(json.dumps(values, indent=2, default=str))
        return
    table = Table("setting", "value", title="Effective settings")
    for k, v in values.items():
        table.add_row(f"CLAUSEWISE_{k.upper()}", "" if v is None else str(v))
    Console().print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done automatically on first use)."""
    s = Settings()
    engine = make_engine(s.effective_database_url)
    upgrade(engine)
    typer.echo(f"database at {Settings().masked()['database_url']} is up to date")
