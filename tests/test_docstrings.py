"""Docstrings of the packages state behaviour, shapes, units and the source of a rule or number, not history.

Every string statement of every module under ``pipeline``, ``rules``, ``schemas``, ``audit`` and ``review_ui``
is read with :mod:`ast`: module, class and function docstrings and the attribute docstrings Sphinx reads (a
string right after an assignment). None may refer to an issue of this project (``issue 4``, ``issue 4, item 5``,
``#12``) or to a failure-case id (``F27``, ``failcase F27``, ``failure case F36``, ``../shared/failcases/F36``);
the tests that prove a behaviour keep those references instead.

Allowed: rule ids (``K004``, ``S002``, ``PB004``, ``G001``: a letter prefix and three digits) and upstream
references written with their project (``instructor#2210``, ``pymupdf/PyMuPDF#4994``, ``owner/name#1, #2``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "rules", "schemas", "audit", "review_ui")

HISTORY = re.compile(
    r"\bissues?\s*#?\d+"  # an issue of this project: "issue 4", "issue #4", "issues 3"
    r"|#\d+"  # "#12" (upstream references are taken out first, see UPSTREAM)
    r"|\bfail(?:ure)?[ _-]?cases?\s*#?\d+",  # "failure case 36"
    re.IGNORECASE,
)
FAILCASE_ID = re.compile(r"\bF\d{2}\b")  # F01..F99, "failcase F27"; rule ids (K004, PB004) have three digits
UPSTREAM = re.compile(r"\b[\w.-]+(?:/[\w.-]+)?#\d+(?:\s*,\s*(?:PR\s?)?#\d+|/PR#\d+)*")
"""An upstream reference named by its project, with the numbers listed after it: ``instructor#2210``,
``pymupdf/PyMuPDF#4994``, ``scrapinghub/dateparser#1256, PR#1383, #651``."""


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            rel = path.relative_to(REPO).with_suffix("")
            found.append((".".join(rel.parts), path))
    return found


def _history_lines(path: Path) -> list[str]:
    """``"line N: text"`` for each line of a string statement that refers to an issue or a failure case."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            continue
        if not isinstance(node.value.value, str):
            continue
        for offset, line in enumerate(node.value.value.splitlines()):
            if _refers_to_history(line):
                hits.append(f"line {node.lineno + offset}: {line.strip()}")
    return hits


def _refers_to_history(line: str) -> bool:
    line = UPSTREAM.sub("", line)
    return bool(HISTORY.search(line) or FAILCASE_ID.search(line))


MODULES = _modules()


def test_packages_are_found():
    names = {name for name, _ in MODULES}
    assert {"pipeline.run", "rules.engine", "schemas.extraction", "audit.events", "review_ui.app"} <= names


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_docstrings_state_behaviour_not_history(module: str, path: Path):
    hits = _history_lines(path)
    assert not hits, f"{module} refers to an issue or a failure case in a docstring:\n" + "\n".join(hits)


@pytest.mark.parametrize(
    ("line", "history"),
    [
        ("source: issue 4, item 5", True),
        ("see #12", True),
        ("(F27: curly quotes)", True),
        ("failcase F27", True),
        ("failure case F36", True),
        ("failure case 36", True),
        ("../shared/failcases/F36", True),
        ("rule K004 and PB004, S002, G001", False),
        ("instructor#2210 and pymupdf/PyMuPDF#4994", False),
        ("scrapinghub/dateparser#1256, PR#1383, #651; 567-labs/instructor#2210/PR#2213", False),
        ("source: an issue, a failure case, a standard or a playbook file", False),
        ("an f12 key", False),
        ("ISO 8601 dates, 30 days", False),
    ],
)
def test_history_pattern(line: str, history: bool):
    assert _refers_to_history(line) is history
