"""Flatten a ContractExtraction into one row per reviewable field.

A field path is the attribute name, with ``[i]`` for list items, e.g. ``effective_date``,
``parties[0]``, ``obligations[3]``, ``fees[1]``. The same paths are used by findings
(``Finding.field_path``) and review items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from pipeline.settings import counted
from rules import field_items as items
from schemas import ContractExtraction, Duration, Evidence


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
        if isinstance(obj, Duration):
            unit = obj.unit.value.replace("_", " ")
            n = int(obj.value) if float(obj.value).is_integer() else obj.value
            return counted(n, unit.removesuffix("s"), unit) if isinstance(n, int) else f"{n} {unit}"
        if set(data) >= {"value", "unit"}:
            return str(obj)
        if "value" in data and set(data) <= {"value", "parsed", "computed", "ambiguous_order", "alternatives",
                                             "model_value"}:
            shown = _display(getattr(obj, "value", None))
            if getattr(obj, "model_value", None) is not None:
                shown += f" (read from the text; the model gave {_display(obj.model_value)})"
            if getattr(obj, "computed", False):
                shown += " (found or computed by code)"
            ev = getattr(obj, "evidence", None)
            if ev is not None and ev.asked:
                shown += " (answered when the model was asked about this one sentence)"
            return shown
        shown = {k: v for k, v in data.items() if v not in ([], {}, None, "")}
        if len(shown) == 1:
            return str(next(iter(shown.values())))
        return ", ".join(f"{k}={v}" for k, v in shown.items())
    return str(obj)


def field_rows(extraction: ContractExtraction) -> list[FieldRow]:
    """Every stated field of ``extraction`` in schema order; values not stated are omitted.

    The walk and the paths are the rule engine's (:func:`rules.fields.items`), so a finding's
    ``field_path`` always names a row here.
    """
    rows: list[FieldRow] = []
    for it in items(extraction):
        obj = it.obj
        display = obj.name if it.field == "parties" else _display(obj)
        rows.append(FieldRow(it.path, obj.model_dump(mode="json"), display, it.evidence))
    return rows
