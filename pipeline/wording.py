"""Counts in user-facing lines: :func:`counted` writes ``1 page``, ``2 pages``, ``0 pages``."""

from __future__ import annotations

_IRREGULAR = {"was": "were", "is": "are", "query": "queries"}


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, the noun singular when ``n`` is 1 and plural otherwise: ``plural`` when given, else
    ``noun`` + ``s`` (``counted(1, "chunk")`` → ``1 chunk``, ``counted(3, "chunk")`` → ``3 chunks``)."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or _IRREGULAR.get(noun) or noun + 's'}"
