"""``clausewise config`` and ``clausewise db upgrade``."""

from __future__ import annotations

import json
import os

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, settings
from pipeline.llm import concurrency_for
from pipeline.store import RoleError, make_engine, upgrade, upgrade_as_owner
from pipeline.settings import Settings

db_app = typer.Typer(help="Database maintenance: apply the Alembic migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command("config")
def config(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Print the effective settings, with secrets masked."""
    values = Settings().masked()
    # read by `ingest --password` from the environment, not a setting of the settings file: shown masked
    values["pdf_password"] = "***" if os.environ.get("CLAUSEWISE_PDF_PASSWORD") else None
    if as_json:
        typer.echo(json.dumps(values, indent=2, default=str))
        return
    table = Table(title="Effective settings")
    table.add_column("setting", no_wrap=True)
    table.add_column("value", overflow="fold")  # a long path or URL folds onto more lines, never cut
    for k, v in values.items():
        if k == "concurrency" and v is None:
            cfg = Settings()
            shown = f"{concurrency_for(cfg)} (the {cfg.backend} backend's default)"
        else:
            shown = "" if v is None else str(v)
        table.add_row(f"CLAUSEWISE_{k.upper()}", escape(shown))
    console.print(table)


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DatabaseUrlOption) -> None:
    """Apply database migrations (also done automatically on first use).

    With CLAUSEWISE_DATABASE_OWNER_URL (PostgreSQL) the migrations run as that owner role, and the role of
    CLAUSEWISE_DATABASE_URL is then granted the writer's privileges: the pipeline's tables, and SELECT and
    INSERT alone on the audit tables. Exit code 2 when the roles are not set up that way."""
    s = settings(database_url=database_url)
    masked = s.masked()
    if s.database_owner_url:
        try:
            owner, writer = upgrade_as_owner(s.database_owner_url, s.effective_database_url)
        except RoleError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"database at {masked['database_owner_url']} is up to date (owner {owner}); writer role {writer} "
                   "granted the pipeline's tables and SELECT, INSERT on the audit tables")
        return
    engine = make_engine(s.effective_database_url)
    before = _revision(engine)
    upgrade(engine)
    after = _revision(engine)
    done = f"migrated from {before or 'empty'} to {after}" if before != after else f"already at {after}"
    typer.echo(f"database at {masked['database_url']} is up to date ({done})")


def _revision(engine) -> str | None:
    """The Alembic revision the database is at, or None when it has none yet."""
    from alembic.migration import MigrationContext

    with engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()
