"""The ``clausewise`` command line (typer + rich).

Each concept has its own module here and registers its commands on :data:`app`
or as a sub-app (``clausewise audit ...``, ``clausewise model ...``).
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="clausewise",
    help="Contract analysis you can audit: extract, verify, review, sign off.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Console-script entry point."""
    _register()
    app()


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from pipeline.cli import audit_cmd  # noqa: F401
    from pipeline.cli import config_cmd  # noqa: F401
    from pipeline.cli import model_cmd  # noqa: F401
    from pipeline.cli import ingest_cmd  # noqa: F401
    from pipeline.cli import export_cmd  # noqa: F401
    from pipeline.cli import rules_cmd  # noqa: F401
    from pipeline.cli import users_cmd  # noqa: F401
    from pipeline.cli import review_cmd  # noqa: F401
