"""The ``clausewise`` command line (typer + rich).

Each concept has its own module here and registers its commands on :data:`app`
or as a sub-app (``clausewise audit ...``, ``clausewise model ...``); :func:`main` registers them all
and runs the app. :func:`streamlit_command` is the command line ``clausewise review`` serves the review
UI with (on a port from :func:`free_port`; the app script is :func:`app_script`); these three are loaded
on first use, together with the ``review`` command.
"""

from __future__ import annotations

import importlib
import inspect
import typing

import typer
from typer.core import TyperCommand as _TyperCommand, TyperGroup as _TyperGroup

if typing.TYPE_CHECKING:
    from pipeline.cli.review_cmd import app_script, free_port, streamlit_command

__all__ = ["app", "app_script", "free_port", "main", "streamlit_command"]


def _flowing(text: str | None) -> str | None:
    """``text`` (a help text) with each paragraph on one line: the common indentation removed, then the lines of
    each paragraph (paragraphs are separated by blank lines) joined with single spaces. A paragraph that starts
    with click's ``\\b`` marker (keep these lines as written) and whatever follows a ``\\f`` (not shown) are left
    as they are; ``None`` and ``""`` are returned as given."""
    if not text:
        return text
    shown, cut, hidden = inspect.cleandoc(text).partition("\f")
    paragraphs = shown.rstrip().split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs) + cut + hidden


class _FlowingHelpGroup(_TyperGroup):
    """The ``clausewise`` command group. Typer's Rich help keeps the source line breaks of a docstring's later
    paragraphs, and of a command's summary in a command list, so help screens broke sentences where the source
    lines ended; on creation this group gives every help text in its tree (its own, each command's and group's,
    each option's and argument's) one line per paragraph (:func:`_flowing`), which the help screens wrap at the
    terminal's width."""

    def __init__(self, **attrs: typing.Any) -> None:
        super().__init__(**attrs)
        _flow_help(self)


def _flow_help(command: _TyperCommand | _TyperGroup) -> None:
    """:func:`_flowing` on the help texts of ``command``, of its parameters and of every command below it."""
    command.help = _flowing(command.help)
    command.short_help = _flowing(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _flowing(param.help)
    for sub in getattr(command, "commands", {}).values():
        _flow_help(sub)


app = typer.Typer(
    name="clausewise",
    help="Contract analysis you can audit: extract, verify, review, sign off.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_FlowingHelpGroup,
)

_LAZY = {"app_script": "pipeline.cli.review_cmd", "free_port": "pipeline.cli.review_cmd",
         "streamlit_command": "pipeline.cli.review_cmd"}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def main() -> None:
    """Console-script entry point. An audit key or checkpoint file that is missing or malformed (named in the
    settings or on the command line), a keyed audit log this process has no key for, a setting with a value of
    the wrong type or a settings file key that is no setting, a database that cannot be reached (wrong host,
    port, database or role) and a database URL SQLAlchemy cannot use each end the command with one message per
    problem on stderr and exit code 2 (no traceback)."""
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from audit import AuditKeyError, AuditWriteError, redact_text
    from pipeline.settings import SettingsFileError

    import logging

    # instructor logs each failed try to stderr; every try and its error is in the run's chunk outcomes and the
    # audit log already, and the commands print the outcome: its lines would only break the one-line reports
    logging.getLogger("instructor").setLevel(logging.CRITICAL)
    _register()
    try:
        app()
    except (AuditKeyError, AuditWriteError, SettingsFileError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        for e in exc.errors():
            name = ".".join(str(p) for p in e["loc"])
            typer.echo(f"error: setting {name} (CLAUSEWISE_{name.upper()}): {e['msg']}; given {e.get('input')!r}",
                       err=True)
        raise SystemExit(2) from None
    except OperationalError as exc:
        first = redact_text(str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0])
        typer.echo(f"error: cannot use the database: {first} (check CLAUSEWISE_DATABASE_URL or --database-url)",
                   err=True)
        raise SystemExit(2) from None
    except (ArgumentError, NoSuchModuleError) as exc:
        typer.echo(f"error: the database URL is not one SQLAlchemy can use ({redact_text(str(exc))}); "
                   "e.g. sqlite:////abs/path.db or postgresql+psycopg://user@host:5432/db", err=True)
        raise SystemExit(2) from None


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from pipeline.cli import audit_cmd  # noqa: F401
    from pipeline.cli import config_cmd  # noqa: F401
    from pipeline.cli import model_cmd  # noqa: F401
    from pipeline.cli import ingest_cmd  # noqa: F401
    from pipeline.cli import status_cmd  # noqa: F401
    from pipeline.cli import export_cmd  # noqa: F401
    from pipeline.cli import rules_cmd  # noqa: F401
    from pipeline.cli import users_cmd  # noqa: F401
    from pipeline.cli import eval_cmd  # noqa: F401
    from pipeline.cli import probe_cmd  # noqa: F401
    from pipeline.cli import review_cmd  # noqa: F401
    from pipeline.cli import worker_cmd  # noqa: F401
