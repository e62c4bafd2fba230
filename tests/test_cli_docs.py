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
from pipeline.cli.ingest_cmd import ingest

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


def _help_lines(path: tuple[str, ...], columns: int) -> list[str]:
    """``clausewise <path> --help`` rendered ``columns`` wide, each line with its runs of spaces made one."""
    res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(columns)})
    assert res.exit_code == 0, res.output
    return [" ".join(line.split()) for line in res.output.splitlines()]


def test_a_help_paragraph_is_wrapped_at_the_terminal_width_not_at_the_docstring_lines():
    """The ingest docstring breaks this sentence after "carried on from"; at 200 columns the help shows it on
    one line, and at 100 it is wrapped at the width, not left with a short line where the source broke."""
    sentence = ("A document a run left half done (read but not extracted, extracted but not verified) is carried on "
                "from there, and every model answer is stored as it arrives")
    assert sentence in ingest.__doc__.replace("\n    ", " ")  # the sentence as the docstring has it
    assert "carried on from\n" in ingest.__doc__  # broken over two source lines there
    assert any(sentence in line for line in _help_lines(("ingest",), 200))

    narrow = runner.invoke(app, ["audit", "verify", "--help"], env={"COLUMNS": "100"}).output.splitlines()
    body = narrow[narrow.index(next(line for line in narrow if "Prints OK with the count" in line)):]
    body = body[:next(i for i, line in enumerate(body) if not line.strip())]
    # every line but the last of the paragraph is filled to within a long word of the width (none ends where a
    # source line did)
    assert len(body) >= 3 and all(len(line.rstrip()) > 70 for line in body[:-1]), body


def test_a_command_list_shows_each_summary_on_one_line():
    """`export`'s and `eval runs`' one-line summaries are two lines in their docstrings: the command lists of
    ``clausewise --help`` and ``clausewise eval --help`` show them on one line."""
    root = _help_lines((), 200)
    assert any(line.startswith("│ export Export the extracted fields") and "of stored documents, the findings" in line
               for line in root), root
    runs = _help_lines(("eval",), 300)
    assert any("newest first: id, when (UTC), set, documents, backend, model, and auto-accept precision" in line
               for line in runs), runs


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_help_paragraph_is_one_line_for_the_help_screen_to_wrap(path, command):
    """Each paragraph of each command's and option's help reaches the help screen as one line (so that it is
    wrapped at the terminal width), and is shown whole at 1000 columns."""
    paragraphs = [p for p in (command.help or "").split("\n\n") if p.strip()]
    lines = _help_lines(path, 1000)
    for p in paragraphs:
        assert any(" ".join(p.split()) in line for line in lines), (p, lines)
    assert all("\n" not in p.strip() for p in paragraphs), command.help
    for param in command.params:
        assert "\n" not in (getattr(param, "help", None) or ""), param.name


def test_flowing_joins_paragraph_lines_but_keeps_click_markers():
    from pipeline.cli import _flowing

    text = """Summary line
        that goes on.

        \b
        kept
          as is

        Joined
        here.
        \f
        hidden
        lines"""
    assert _flowing(text) == "Summary line that goes on.\n\n\b\nkept\n  as is\n\nJoined here.\f\nhidden\nlines"
    assert _flowing(None) is None and _flowing("") == ""
