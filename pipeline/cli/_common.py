"""Shared CLI plumbing: the settings in force and a migrated engine."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from pipeline.store import make_engine, upgrade
from pipeline.settings import Settings

PIPED_WIDTH = 200
"""Columns Rich lays tables out in when the output is not a terminal (a pipe, a file) and ``COLUMNS`` is not set:
Rich's own default there is 80, which folds the settings, status and audit tables into unreadable cells."""


def _console(*, stderr: bool = False) -> Console:
    """A Rich console: the terminal's width on a terminal, ``COLUMNS`` when set, else :data:`PIPED_WIDTH`."""
    probe = Console(stderr=stderr)
    if probe.is_terminal or os.environ.get("COLUMNS"):
        return probe
    return Console(stderr=stderr, width=PIPED_WIDTH)


console = _console()
err_console = _console(stderr=True)

DatabaseUrlOption = typer.Option(
    None, "--database-url", envvar="CLAUSEWISE_DATABASE_URL", help="SQLAlchemy URL (default: SQLite in the data dir)."
)


def settings(**overrides) -> Settings:
    """Settings with CLI overrides (``None`` values are ignored)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """A migrated engine for ``url`` (migrations run automatically on first use)."""
    eng = make_engine(url)
    upgrade(eng)
    return eng


def existing_engine_for(url: str) -> Engine:
    """:func:`engine_for` for a command that only reads the store (``status``, ``show``, ``export``, ``audit``,
    ``eval runs``, ``rules check``, ``users list``, ``users passwd``, ``review``): a SQLite store whose file does not exist is not created; the command fails
    (exit 1) saying where it looked and how to name the store. Other databases are taken as given."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not Path(parsed.database).exists():
        fail(f"no store at {escape(parsed.database)}: nothing was ingested with these settings (run the command with "
             "the CLAUSEWISE_DATA_DIR that `ingest` had, from the folder whose clausewise.toml names the store, or "
             "give --database-url / CLAUSEWISE_DATABASE_URL)")
    return engine_for(url)


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` in red on stderr and exit with ``code``."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
