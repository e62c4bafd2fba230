"""Flatten a ContractExtraction into one row per reviewable field.

A field path is the attribute name, with ``[i]`` for list items, e.g. ``effective_date``,
``parties[0]``, ``obligations[3]``, ``fees[1]``. The same paths are used by findings
(``Finding.field_path``) and review items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from pipeline.review.wording import counted
from rules import field_items as items
from schemas import Claim, ContractExtraction, Duration, Evidence, GoverningLaw


@dataclass
class FieldRow:
    """One field: its path, the stored object (``value``, as JSON), a display text for people, the field's data for
    programs (:func:`field_data`), where the value came from (``source``: ``"model"``, ``"text"`` or ``"code"``),
    a note on how it was found (``None`` when there is nothing to say), and its evidence (page, quote, match)."""

    path: str
    value: Any
    display: str
    evidence: Evidence | None
    data: Any = None
    source: str = "model"
    note: str | None = None

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


#: Keys never part of a field's data: the evidence is exported in its own columns, the rest is in ``source``/``note``.
_NOT_DATA = {"evidence", "raw_text", "note", "computed", "model_value", "parsed"}


def field_data(obj: Any) -> Any:
    """The value of one field as plain JSON data: a date is an ISO 8601 string (``"2026-09-09"``), a number a
    number, an amount ``{"amount": 48000.0, "currency": "USD"}``, a duration ``{"value": 30.0, "unit": "days"}``;
    a claim (date, duration, yes/no, text) is its value alone; governing law is its jurisdiction; any other item
    (party, key date, fee, payment terms, liability cap, termination right, obligation) is an object of its own
    keys, every key present (``None`` when not stated), without evidence, raw text or notes."""
    if obj is None:
        return None
    if isinstance(obj, BaseModel):
        if isinstance(obj, Claim):
            return field_data(obj.value)
        if isinstance(obj, GoverningLaw):
            return obj.jurisdiction
        return obj.model_dump(mode="json", exclude=_NOT_DATA & set(type(obj).model_fields))
    if isinstance(obj, list):
        return [field_data(o) for o in obj]
    if isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj.isoformat() if hasattr(obj, "isoformat") else obj)


def field_source(obj: Any) -> tuple[str, str | None]:
    """``(source, note)`` of one field: ``source`` is ``"code"`` when code found or computed the value,
    ``"text"`` when code read it from the cited text and the model gave another value, else ``"model"``;
    ``note`` says the same in words (the model's other value, that code found it, that the model was asked about
    one sentence, the object's own note), or is ``None``."""
    notes = []
    source = "model"
    model_value = getattr(obj, "model_value", None)
    if model_value is not None:
        source = "text"
        notes.append(f"read from the text; the model gave {_display(model_value)}")
    if getattr(obj, "computed", False):
        source = "code"
        notes.append("found or computed by code")
    ev = getattr(obj, "evidence", None)
    if ev is not None and ev.asked:
        notes.append("answered when the model was asked about this one sentence")
    own = getattr(obj, "note", None)
    if isinstance(own, str) and own:
        notes.append(own)
    return source, "; ".join(notes) or None


def field_rows(extraction: ContractExtraction) -> list[FieldRow]:
    """Every stated field of ``extraction`` in schema order; values not stated are omitted.

    The walk and the paths are the rule engine's (:func:`rules.fields.items`), so a finding's
    ``field_path`` always names a row here.
    """
    rows: list[FieldRow] = []
    for it in items(extraction):
        obj = it.obj
        display = obj.name if it.field == "parties" else _display(obj)
        source, note = field_source(obj)
        rows.append(FieldRow(it.path, obj.model_dump(mode="json"), display, it.evidence, field_data(obj), source, note))
    return rows
