"""Flatten a ContractExtraction into one row per reviewable field.

A field path is the attribute name, with ``[i]`` for list items, e.g. ``effective_date``,
``parties[0]``, ``obligations[3]``, ``fees[1]``. The same paths are used by findings
(``Finding.field_path``) and review items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from schemas import ContractExtraction, Evidence


@dataclass
class FieldRow:
    """One field: its path, a display value, and its evidence (page, quote, match)."""

    path: str
    value: Any
    display: str
    evidence: Evidence | None

    @property
    def page(self) -> int | None:
        return self.evidence.page if self.evidence else None

    @property
    def quote(self) -> str | None:
        return self.evidence.quote if self.evidence else None

    @property
    def match(self) -> str | None:
        return self.evidence.match.value if self.evidence and self.evidence.match else None


def _display(obj: Any) -> str:
    if obj is None:
        return ""
    if isinstance(obj, BaseModel):
        data = obj.model_dump(mode="json", exclude={"evidence", "raw_text", "note"}, exclude_none=True,
                              exclude_defaults=True)
        if set(data) >= {"value", "unit"}:
            return str(obj)
        if "value" in data and set(data) <= {"value", "parsed", "computed", "ambiguous_order", "alternatives"}:
            return _display(getattr(obj, "value", None))
        shown = {k: v for k, v in data.items() if v not in ([], {}, None, "")}
        if len(shown) == 1:
            return str(next(iter(shown.values())))
        return ", ".join(f"{k}={v}" for k, v in shown.items())
    return str(obj)


def field_rows(extraction: ContractExtraction) -> list[FieldRow]:
    """Every stated field of ``extraction`` in schema order; values not stated are omitted."""
    rows: list[FieldRow] = []
    for name in type(extraction).model_fields:
        if name in {"document_id", "run_id", "model", "prompt_version", "chunk_ids", "candidates",
                    "chunk_failures", "date_order"}:
            continue
        val = getattr(extraction, name)
        items = list(enumerate(val)) if isinstance(val, list) else [(None, val)]
        for i, item in items:
            if item is None:
                continue
            inner = getattr(item, "value", item) if not hasattr(item, "name") else item
            if inner is None and not isinstance(item, BaseModel):
                continue
            if isinstance(item, BaseModel) and hasattr(item, "value") and item.value is None:
                continue
            path = name if i is None else f"{name}[{i}]"
            display = item.name if hasattr(item, "name") and isinstance(getattr(item, "name"), str) else _display(item)
            rows.append(FieldRow(path, item.model_dump(mode="json") if isinstance(item, BaseModel) else item,
                                 display, getattr(item, "evidence", None)))
    return rows
