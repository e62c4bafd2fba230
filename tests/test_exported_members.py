"""Stated public APIs and one exception root (as httpx's ``tests/test_exported_members.py``).

- Each package's ``__init__`` has a docstring and an ``__all__`` that is exactly its public face: every
  name listed exists, nothing private is listed, and every public name the package binds is listed.
- Every exception class defined in our packages derives from :class:`schemas.ClausewiseError` (private
  control-flow exceptions, named ``_Something``, excepted), and the tree drawn in :mod:`schemas.errors`
  is the tree in the code: each class under its own base, in the module named.
- The review UI, the scripts and the benchmarks use those public names only: each ``from <package>
  import name`` of ours names a package and a name in its ``__all__`` (or a sub-package); ``import a.b as x``
  and ``from a import b as x`` name a package, and each ``x.name`` they read is in its ``__all__``.
"""

from __future__ import annotations

import __future__

import ast
import importlib
import json
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from schemas import ClausewiseError

REPO = Path(__file__).resolve().parents[1]
PACKAGES = (
    "schemas", "rules", "rules.text", "audit", "pipeline", "pipeline.cli", "pipeline.extraction",
    "pipeline.evaluation", "pipeline.extraction.readers", "pipeline.llm", "pipeline.reading", "pipeline.review",
    "pipeline.store", "pipeline.queue",
)
OURS = ("schemas", "rules", "audit", "pipeline")
"""Top-level packages whose names outside code may import (``review_ui`` is the UI itself, not a library)."""
CALLERS = ("review_ui", "scripts", "benchmarks")
"""Code that must use the public names only."""


def _is_submodule(package: types.ModuleType, value: object) -> bool:
    return isinstance(value, types.ModuleType) and value.__name__.startswith(package.__name__ + ".")


def _bound_public_names(package: types.ModuleType) -> set[str]:
    """Public names the package binds itself: what it defines or imports, not the modules it imports
    (``typing``, a sub-module loaded by an import elsewhere) and not ``from __future__`` features."""
    return {
        name for name, value in vars(package).items()
        if not name.startswith("_")
        and not isinstance(value, (types.ModuleType, __future__._Feature))
    }


@pytest.mark.parametrize("name", PACKAGES)
def test_package_has_docstring_and_all(name):
    package = importlib.import_module(name)
    assert (package.__doc__ or "").strip(), f"{name}/__init__.py has no docstring"
    assert hasattr(package, "__all__"), f"{name}/__init__.py has no __all__"
    assert len(package.__all__) == len(set(package.__all__)), f"{name}.__all__ lists a name twice"


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_existing_public_names(name):
    package = importlib.import_module(name)
    listed = getattr(package, "__all__", [])
    assert not [n for n in listed if n.startswith("_")], f"{name}.__all__ lists private names"
    missing = [n for n in listed if not hasattr(package, n)]
    assert not missing, f"{name}.__all__ lists names the package does not have: {missing}"
    for n in listed:
        value = getattr(package, n)
        if isinstance(value, types.ModuleType):
            assert _is_submodule(package, value), f"{name}.{n} is a module that is not part of {name}"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_listed(name):
    package = importlib.import_module(name)
    for listed in getattr(package, "__all__", []):
        getattr(package, listed)  # names loaded on first use are bound now
    unlisted = _bound_public_names(package) - set(getattr(package, "__all__", []))
    assert not unlisted, f"{name} binds public names missing from __all__ (list them, or make them private): " \
                         f"{sorted(unlisted)}"


def test_light_packages_load_no_backend_or_database():
    """``pipeline`` loads its stages on first use, and ``pipeline.llm`` none of its backends."""
    code = ("import sys, json; import pipeline, pipeline.llm; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'pymupdf', 'fitz', 'instructor', 'openai', 'llama_cpp') "
            "or m in ('pipeline.llm.local', 'pipeline.llm.openai', 'pipeline.llm.replay', 'pipeline.ingest', "
            "'pipeline.extract', 'pipeline.verify', 'pipeline.run'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


# ------------------------------------------------------------------------------------------ exceptions


def _our_modules() -> list[types.ModuleType]:
    modules = []
    for top in OURS:
        package = importlib.import_module(top)
        modules.append(package)
        for info in pkgutil.walk_packages(package.__path__, prefix=top + "."):
            modules.append(importlib.import_module(info.name))
    return modules


def _exception_classes() -> list[type[BaseException]]:
    found = {}
    for module in _our_modules():
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseException)
                    and value.__module__ == module.__name__):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[k] for k in sorted(found)]


def _public_exceptions() -> list[type[BaseException]]:
    return [c for c in _exception_classes() if not c.__name__.startswith("_")]


def test_walk_finds_the_exception_families():
    names = {c.__name__ for c in _public_exceptions()}
    assert {"ClausewiseError", "AuditError", "PdfReadError", "LLMError", "ReviewError", "PlaybookError"} <= names


def test_every_exception_derives_from_clausewise_error():
    outside = [f"{c.__module__}.{c.__qualname__}" for c in _public_exceptions() if not issubclass(c, ClausewiseError)]
    assert not outside, f"exceptions outside the ClausewiseError tree: {outside}"


def test_ui_defines_no_exception_outside_the_tree():
    for path in sorted((REPO / "review_ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {ast.unparse(b) for b in node.bases}
                assert not bases & {"Exception", "BaseException", "ValueError", "LookupError", "RuntimeError"}, \
                    f"{path.relative_to(REPO)}: {node.name} derives from a built-in exception, not ClausewiseError"


_TREE_LINE = re.compile(
    r"^(?P<indent>[ │├└─]*)(?P<name>[A-Z]\w*)(?: \(also (?P<also>[\w, ]+)\))?(?:\s{2,}(?P<module>[a-z_][\w.]*))?\s*$"
)


def _drawn_tree() -> dict[str, tuple[str | None, str, set[str]]]:
    """The tree in ``schemas.errors``: class name -> (parent name, module, extra built-in bases)."""
    import schemas.errors

    doc = schemas.errors.__doc__
    block = doc.split("Hierarchy::", 1)[1].split("\n\n", 2)[1]
    tree: dict[str, tuple[str | None, str, set[str]]] = {}
    stack: list[tuple[int, str, str]] = []  # (column, name, module)
    for line in block.splitlines():
        m = _TREE_LINE.match(line.strip("\n")[4:])
        assert m, f"unreadable line in the schemas.errors tree: {line!r}"
        column = len(m["indent"])
        while stack and stack[-1][0] >= column:
            stack.pop()
        parent, inherited = (stack[-1][1], stack[-1][2]) if stack else (None, "")
        module = m["module"] or inherited
        assert m["name"] not in tree, f"{m['name']} is drawn twice"
        tree[m["name"]] = (parent, module, {b.strip() for b in (m["also"] or "").split(",") if b.strip()})
        stack.append((column, m["name"], module))
    return tree


def test_error_tree_in_docstring_matches_the_code():
    tree = _drawn_tree()
    classes = {c.__name__: c for c in _public_exceptions()}
    assert len(classes) == len(_public_exceptions()), "two exception classes share a name"
    assert set(tree) == set(classes), (
        f"drawn but not defined: {sorted(set(tree) - set(classes))}; "
        f"defined but not drawn: {sorted(set(classes) - set(tree))}"
    )
    for name, cls in classes.items():
        parent, module, also = tree[name]
        assert cls.__module__ == module, f"{name} lives in {cls.__module__}, the tree says {module}"
        ours = [b for b in cls.__bases__ if issubclass(b, ClausewiseError)]
        others = {b.__name__ for b in cls.__bases__ if not issubclass(b, ClausewiseError)}
        if cls is ClausewiseError:
            assert parent is None
            continue
        assert [b.__name__ for b in ours] == [parent], f"{name} derives from {ours}, the tree says {parent}"
        assert others == also, f"{name} also derives from {sorted(others)}, the tree says {sorted(also)}"


# ------------------------------------------------------------------------------------------ callers


def _is_package(dotted: str) -> bool:
    try:
        return hasattr(importlib.import_module(dotted), "__path__")
    except ImportError:
        return False


def _public(dotted: str) -> set[str]:
    return set(getattr(importlib.import_module(dotted), "__all__", ()))


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _private_uses(path: Path) -> list[str]:
    """Every import of ours in ``path`` that reaches past a package's ``__all__``."""
    tree = ast.parse(path.read_text(), str(path))
    where = f"{path.relative_to(REPO)}"
    problems = []
    bound: dict[str, str] = {}  # local name -> package it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in OURS:
            if not _is_package(node.module):
                problems.append(f"{where}:{node.lineno}: from {node.module} import ...: not a package")
                continue
            for alias in node.names:
                if _is_package(f"{node.module}.{alias.name}"):  # a sub-package: its own __all__ applies
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                elif alias.name not in _public(node.module):
                    problems.append(f"{where}:{node.lineno}: {alias.name} is not in {node.module}.__all__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in OURS:
                    continue
                if not _is_package(alias.name):
                    problems.append(f"{where}:{node.lineno}: import {alias.name}: not a package")
                elif alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain = _dotted(node)
        if not chain or chain[0] not in bound:
            continue
        package, rest = bound[chain[0]], chain[1:]
        while rest and _is_package(f"{package}.{rest[0]}"):
            package, rest = f"{package}.{rest[0]}", rest[1:]
        if rest and rest[0] not in _public(package):
            problems.append(f"{where}:{node.lineno}: {package}.{rest[0]} is not in {package}.__all__")
    return sorted(set(problems))


def _caller_files() -> list[Path]:
    return [p for top in CALLERS for p in sorted((REPO / top).rglob("*.py")) if "__pycache__" not in p.parts]


@pytest.mark.parametrize("path", _caller_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_callers_use_public_names_only(path):
    assert _private_uses(path) == []
