"""``clausewise users add | list | passwd``: accounts of the review UI."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, existing_engine_for, fail, settings
from pipeline.review import Role, UserError, add_user, list_users, set_password

users_app = typer.Typer(help="Review UI accounts: reviewer, admin, auditor.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _engine(database_url: str | None, *, create: bool = True):
    """The store's engine; with ``create`` False a SQLite store that does not exist is refused (exit 1)."""
    url = settings(database_url=database_url).effective_database_url
    return engine_for(url) if create else existing_engine_for(url)


@users_app.command("add")
def add_cmd(
    name: str = typer.Argument(..., help="User name (no spaces)."),
    role: Role = typer.Option(Role.REVIEWER, "--role", help="reviewer (decides), admin (also assigns, manages users), "
                              "auditor (read-only, audit trail)."),
    password: str | None = typer.Option(None, "--password", help="Password (8+ characters); prompted when absent."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Add an account; the password is stored only as an argon2id hash."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        add_user(_engine(database_url), name, password, role)
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"added {name} ({role.value})")


@users_app.command("passwd")
def passwd_cmd(
    name: str = typer.Argument(..., help="User name."),
    password: str | None = typer.Option(None, "--password", help="New password; prompted when absent."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Set a new password (8+ characters) for an existing account; stored only as an argon2id hash."""
    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        set_password(_engine(database_url, create=False), name, password)
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"password of {name} changed")


@users_app.command("list")
def list_cmd(database_url: str | None = DatabaseUrlOption) -> None:
    """List review UI accounts with their roles and whether they are active."""
    t = Table(title="users")
    for col in ("name", "role", "active"):
        t.add_column(col)
    for u in list_users(_engine(database_url, create=False)):
        t.add_row(escape(u.name), u.role.value, "yes" if u.active else "no")
    console.print(t)
