"""Conflicts: a single-valued field that got different values from different chunks.

The merge keeps every distinct value of such a field as a candidate; this rule reports them. Each rule's
``source`` names where it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rules.registry import Hit, rule
from schemas import ContractExtraction, SourceDocument


def _value_of(c: Any) -> Any:
    """The comparable value of one candidate (a claim, a model or a plain JSON value)."""
    if hasattr(c, "model_dump"):
        c = c.model_dump(mode="json")
    if isinstance(c, dict):
        for key in ("value", "jurisdiction", "days"):
            if key in c and c[key] is not None:
                return c[key]
        return {k: v for k, v in c.items() if k not in ("evidence", "raw_text", "note", "parsed")}
    return c


def _page_of(c: Any) -> int | None:
    if hasattr(c, "model_dump"):
        c = c.model_dump(mode="json")
    if isinstance(c, dict) and isinstance(c.get("evidence"), dict):
        return c["evidence"].get("page")
    return None


@rule(
    "C001",
    title="Conflicting values from different chunks",
    severity="error",
    fields=tuple(ContractExtraction.SINGLE_VALUED),
    source="issue 5 (conflicts): a single-valued field with several candidates → error with all candidates",
)
def conflicting(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for path in sorted(x.candidates):
        cands = x.candidates[path] or []
        distinct = {json.dumps(_value_of(c), sort_keys=True, default=str) for c in cands}
        if len(distinct) > 1:
            shown = [{"value": _value_of(c), "page": _page_of(c)} for c in cands]
            text = "; ".join(f"{s['value']} (page {s['page'] or '?'})" for s in shown)
            yield Hit(path, f"{len(distinct)} different values: {text}", None, {"candidates": shown})
