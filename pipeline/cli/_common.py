"""Shared CLI plumbing: the settings in force and a migrated engine."""

from __future__ import annotations

from functools import lru_cache

import typer
from rich.console import Console
from sqlalchemy import Engine

from pipeline.store import make_engine, upgrade
from pipeline.settings import Settings

console = Console()
err_console = Console(stderr=True)

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


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` in red on stderr and exit with ``code``."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)
