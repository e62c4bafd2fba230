"""Counts in user-facing lines: ``1 page``, ``3 pages`` (``clausewise ingest``, ``show``, ``status``, ``export``)."""

from __future__ import annotations

_IRREGULAR_PLURALS = {"query": "queries"}


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` for a user-facing line, the noun singular when ``n`` is 1 and plural otherwise:
    ``plural`` when given, else ``noun`` + ``s`` (``counted(1, "chunk")`` → ``1 chunk``, ``counted(3, "chunk")``
    → ``3 chunks``)."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or _IRREGULAR_PLURALS.get(noun) or noun + 's'}"
