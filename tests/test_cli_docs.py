"""Every ``clausewise`` command and command group has help text, answers ``--help`` and is named in README.md
(after sqlite-utils' tests/test_docs.py).

The command tree is walked from the click command typer builds for :data:`pipeline.cli.app`, so a command
added later is checked without touching this file: without a one-line help or a README mention it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import _register, app

_register()
runner = CliRunner()
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
PROG = "clausewise"


def walk(command, path: tuple[str, ...] = ()):
    """``(path, command)`` for ``command`` and every command and group below it, depth first; ``path`` is the
    words after ``clausewise`` (empty for the root)."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():  # only groups have ``commands``
        yield from walk(sub, (*path, name))


def help_problems(path: tuple[str, ...], command) -> list[str]:
    """What is wrong with the help of one command: no help text or an empty one-line summary."""
    where = " ".join((PROG, *path))
    if not (command.help or "").strip():
        return [f"{where}: no help text"]
    if not command.get_short_help_str(limit=200).strip():
        return [f"{where}: empty short help"]
    return []


def readme_problems(path: tuple[str, ...], readme: str = README) -> list[str]:
    """``clausewise <path>`` must occur in README.md as whole words (``audit show`` is not ``show``)."""
    pattern = r"\b" + r"\s+".join(map(re.escape, (PROG, *path))) + r"(?![\w-])"
    return [] if re.search(pattern, readme) else [f"{' '.join((PROG, *path))}: not in README.md"]


def problems(root, readme: str = README) -> list[str]:
    """Every help and README problem in the tree under ``root``."""
    return [p for path, cmd in walk(root) for p in help_problems(path, cmd) + readme_problems(path, readme)]


ROOT = typer.main.get_command(app)
COMMANDS = list(walk(ROOT))
IDS = [" ".join((PROG, *path)) for path, _ in COMMANDS]


def test_the_walk_finds_every_command_and_group():
    assert len(COMMANDS) == len(set(IDS))
    for expected in ("clausewise", "clausewise ingest", "clausewise audit", "clausewise audit verify",
                     "clausewise model install", "clausewise users passwd", "clausewise db upgrade"):
        assert expected in IDS
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_has_help(path, command):
    assert help_problems(path, command) == []


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_help_option_prints_usage(path, command):
    res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert re.search(r"Usage: " + r"\s+".join(map(re.escape, (PROG, *path))) + r"\s", res.output), res.output
    summary = command.get_short_help_str(limit=200).split()[0]
    assert summary in res.output


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_is_in_readme(path, command):
    assert readme_problems(path) == []


def test_the_checker_reports_a_command_without_help_or_readme_mention():
    root = typer.main.get_command(app)  # a fresh click tree: adding to it leaves ``app`` untouched
    assert problems(root) == []

    dummy = typer.Typer()

    @dummy.command()
    def frobnicate() -> None:
        pass

    root.add_command(typer.main.get_command(dummy), "frobnicate")
    assert problems(root) == ["clausewise frobnicate: no help text", "clausewise frobnicate: not in README.md"]
    assert "frobnicate" not in typer.main.get_command(app).commands


def test_the_checker_finds_a_sub_command_by_its_full_path():
    toy = typer.Typer(name="clausewise", help="Toy.")
    group = typer.Typer(help="A group.")
    toy.add_typer(group, name="things")

    @toy.command("show")
    def show() -> None:
        """Show it."""

    @group.command("show")
    def things_show() -> None:
        """Show a thing."""

    @group.command("drop")
    def things_drop() -> None:
        pass

    readme = "clausewise show DOC\nclausewise things show X\nclausewise things-drop\n"
    assert problems(typer.main.get_command(toy), readme) == [
        "clausewise things drop: no help text", "clausewise things drop: not in README.md"]
    assert readme_problems(("things", "show"), "clausewise show\nclausewise audit things show") == [
        "clausewise things show: not in README.md"]
