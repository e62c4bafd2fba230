"""Walk every extracted value that carries evidence, and read the text each one cites.

Field paths are dotted paths into :class:`schemas.ContractExtraction`: ``"effective_date"``,
``"parties[0]"``, ``"obligations[3]"``, ``"governing_law"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schemas import ContractExtraction, Evidence

DATE_FIELDS = ("agreement_date", "effective_date", "expiration_date")
DURATION_FIELDS = ("initial_term", "renewal_term", "renewal_notice", "confidentiality_survival")


@dataclass(frozen=True)
class Item:
    """One extracted value: its path, field name (list attribute or scalar), the object, value and evidence."""

    path: str
    field: str
    obj: Any
    value: Any
    evidence: Evidence | None
    computed: bool = False


def stated_claims(x: ContractExtraction, names: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """``(field name, claim)`` for each claim named in ``names`` whose value the model stated
    (value not ``None``, not computed by code)."""
    for name in names:
        c = getattr(x, name)
        if c is not None and c.value is not None and not c.computed:
            yield name, c


def items(x: ContractExtraction) -> Iterator[Item]:
    """Every stated value of ``x`` (value not ``None``), in schema order.

    Claims (dates, durations, booleans) yield ``claim.value``; parties their name; governing law its
    jurisdiction; lists (parties, key dates, fees, termination rights, obligations) one item per entry.
    """
    for i, p in enumerate(x.parties):
        yield Item(f"parties[{i}]", "parties", p, p.name, p.evidence)
    for name in DATE_FIELDS:
        c = getattr(x, name)
        if c is not None and c.value is not None:
            yield Item(name, name, c, c.value, c.evidence, c.computed)
    for i, k in enumerate(x.key_dates):
        if k.value is not None or k.raw_text:
            yield Item(f"key_dates[{i}]", "key_dates", k, k.value, k.evidence)
    for name in ("initial_term", "auto_renewal", "renewal_term", "renewal_notice"):
        c = getattr(x, name)
        if c is not None and c.value is not None:
            yield Item(name, name, c, c.value, c.evidence, c.computed)
    g = x.governing_law
    if g is not None and g.jurisdiction:
        yield Item("governing_law", "governing_law", g, g.jurisdiction, g.evidence)
    pt = x.payment_terms
    if pt is not None and (pt.days is not None or pt.raw_text):
        yield Item("payment_terms", "payment_terms", pt, pt.days, pt.evidence)
    for i, f in enumerate(x.fees):
        yield Item(f"fees[{i}]", "fees", f, f.amount, f.evidence)
    lc = x.liability_cap
    if lc is not None and (lc.amount is not None or lc.formula):
        yield Item("liability_cap", "liability_cap", lc, lc.amount or lc.formula, lc.evidence)
    for i, t in enumerate(x.termination_rights):
        yield Item(f"termination_rights[{i}]", "termination_rights", t, t.notice or t.kind, t.evidence)
    c = x.confidentiality_survival
    if c is not None and c.value is not None:
        yield Item("confidentiality_survival", "confidentiality_survival", c, c.value, c.evidence, c.computed)
    for i, o in enumerate(x.obligations):
        yield Item(f"obligations[{i}]", "obligations", o, o.action, o.evidence)


def quote_of(ev: Evidence | None) -> str:
    """The cited text: the quote set by grounding, else the model's span, else ''."""
    if ev is None:
        return ""
    return ev.quote or ev.span or ""
