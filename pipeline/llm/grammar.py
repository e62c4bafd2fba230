"""JSON schema -> llama.cpp GBNF grammar, checked up front so a bad schema fails loudly.

Two traps of llama-cpp-python 0.3.36 (../shared/notes/local-llm.md):
- a schema it cannot convert makes it fall back *silently* to plain JSON (unconstrained fields);
- a regex shorthand such as ``\\d`` in a ``pattern`` is copied into the grammar as an escape the
  C++ grammar parser does not know, and the process dies with a segmentation fault.
:func:`grammar_for_schema` converts with ``LlamaGrammar.from_json_schema`` and then checks every
escape of the GBNF text against the set the parser accepts; anything else raises
SchemaNotSupported before llama.cpp sees it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pipeline.llm.base import SchemaNotSupported

# Escapes accepted by llama.cpp's GBNF parser (src/llama-grammar.cpp, parse_char/parse_space).
_ALLOWED_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tnr\\\"\[\]])")
_REGEX_SHORTHAND = re.compile(r"(?<!\\)(?:\\\\)*\\[dDwWsSbB]")


def _patterns(node: Any, path: str = "$"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                yield path, v
            else:
                yield from _patterns(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _patterns(v, f"{path}[{i}]")


def _literals(node: Any, path: str = "$"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "enum" and isinstance(v, list):
                yield from ((f"{path}.enum", x) for x in v if isinstance(x, str))
            elif k == "const" and isinstance(v, str):
                yield f"{path}.const", v
            else:
                yield from _literals(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _literals(v, f"{path}[{i}]")


def check_schema(schema: dict[str, Any]) -> None:
    """Raise SchemaNotSupported for ``pattern`` values using regex shorthands (``\\d``, ``\\w``, ``\\s``, ``\\b``)
    and for enum/const strings holding ``"`` or a backslash (llama-cpp-python 0.3.36 escapes them wrongly)."""
    for where, value in _literals(schema):
        if '"' in value or "\\" in value:
            raise SchemaNotSupported(f"enum/const value {value!r} at {where} holds a quote or backslash, "
                                     "which llama-cpp-python's grammar converter mis-escapes")
    for where, pattern in _patterns(schema):
        if _REGEX_SHORTHAND.search(pattern):
            raise SchemaNotSupported(
                f"pattern {pattern!r} at {where} uses a regex shorthand (\\d, \\w, \\s, \\b) that llama.cpp "
                "grammars cannot express (it crashes the process); write a character class such as [0-9]"
            )


def _check_gbnf(gbnf: str) -> None:
    i = 0
    while (i := gbnf.find("\\", i)) != -1:
        m = _ALLOWED_ESCAPE.match(gbnf, i)
        if m is None:
            line = gbnf[gbnf.rfind("\n", 0, i) + 1 : gbnf.find("\n", i) if gbnf.find("\n", i) != -1 else None]
            raise SchemaNotSupported(f"schema gives a grammar with an escape llama.cpp rejects: {line!r}")
        i = m.end()


@lru_cache(maxsize=64)
def _gbnf_for(schema_json: str) -> str:
    from llama_cpp.llama_grammar import LlamaGrammar

    check_schema(json.loads(schema_json))
    try:
        gbnf = LlamaGrammar.from_json_schema(schema_json, verbose=False)._grammar
    except Exception as exc:  # noqa: BLE001 - the converter raises plain Exceptions
        raise SchemaNotSupported(f"JSON schema cannot be converted to a grammar: {exc}") from exc
    if not gbnf or "root ::=" not in gbnf:
        raise SchemaNotSupported("JSON schema gave an empty grammar")
    _check_gbnf(gbnf)
    return gbnf


def grammar_for_schema(schema: dict[str, Any]):
    """A ``llama_cpp.LlamaGrammar`` that constrains output to ``schema``. Raises SchemaNotSupported."""
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(_gbnf_for(json.dumps(schema)), verbose=False)
