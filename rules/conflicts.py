"""Conflicts: a single-valued field that got different values, from different chunks or from the text.

C001: the merge keeps every distinct value of such a field as a candidate; this rule reports them. C002: the
value of a single-valued field (governing law, effective date, initial term, renewal term, renewal notice,
liability cap) is checked against every other sentence of the document that states that field by the field's
own cues (:func:`rules.text.field_statements`); when one of them states a different value, a reviewer decides.
Whatever the wording of a sentence planted to steer the model ("the governing law is the law of X"), the value
it brings meets the contract's own clause; so does a value the model took from the wrong one of two clauses.
Each rule's ``source`` names where it comes from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from rules.registry import Hit, rule
from rules.text import jurisdiction_of, split_sentences
from rules.text import STATED_FIELDS, agrees, field_statements
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
    source="a single-valued field (one governing law, one effective date) answered differently by different parts of"
           " the contract: all candidates go to a reviewer")
def conflicting(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for path in sorted(x.candidates):
        cands = x.candidates[path] or []
        distinct = {json.dumps(_value_of(c), sort_keys=True, default=str) for c in cands}
        if len(distinct) > 1:
            shown = [{"value": _value_of(c), "page": _page_of(c)} for c in cands]
            text = "; ".join(f"{s['value']} (page {s['page'] or '?'})" for s in shown)
            yield Hit(path, f"{len(distinct)} different values: {text}", None, {"candidates": shown})


def _field_value(x: ContractExtraction, name: str) -> Any:
    """The value of single-valued field ``name`` in the form :func:`rules.text.stated.agrees` compares, or None."""
    v = getattr(x, name)
    if v is None:
        return None
    if name == "governing_law":
        return jurisdiction_of(v.jurisdiction)
    if name == "liability_cap":
        return v.amount.amount if v.amount is not None else None
    return v.parsed or v.value


@rule(
    "C002",
    title="Another sentence states a different value",
    severity="error",
    fields=STATED_FIELDS,
    source="an inserted sentence 'the governing law is X' meeting the contract's own governing-law clause, and a "
           "model that picked the wrong one of two clauses stating the field; the field's cue words (rules/cues.py) "
           "and the grammar of stated values (rules/text/stated.py)",
)
def other_sentence_differs(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    sentences = None
    for name in STATED_FIELDS:
        value = _field_value(x, name)
        if value is None:
            continue
        if sentences is None:
            sentences = split_sentences(doc.text)
        ev = getattr(x, name).evidence
        own = (ev.start, ev.end) if ev is not None and ev.start is not None and ev.end is not None else None
        differ = [s for s in field_statements(doc.text, name, x.date_order, sentences)
                  if not (own and s.start < own[1] and s.end > own[0]) and not agrees(s, value)]
        if differ:
            shown = [{"start": s.start, "end": s.end, "page": doc.page_of(s.start), "values": s.values,
                      "sentence": s.text[:300]} for s in differ]
            where = "; ".join(f"{', '.join(d['values'])} (page {d['page'] or '?'})" for d in shown[:3])
            yield Hit(name, f"{len(differ)} other sentence(s) state a different {name.replace('_', ' ')}: {where}",
                      ev, {"sentences": shown}, code="other_sentence_differs")
