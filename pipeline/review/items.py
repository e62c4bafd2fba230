"""Review items as the reviewer sees them, and what a document's items say about its sign-off.

A review item is one flagged field of one extraction run (``field_path`` as in :mod:`pipeline.review.fields`).
It is ``open`` until decided; a decision sets its status to ``accepted``, ``corrected`` or ``rejected``
(:data:`DECISIONS`). An ``error``-severity item, once decided, also needs a second reviewer's confirmation
before the document can be signed off (four-eyes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.review.fields import field_rows
from pipeline.store import ReviewItem
from schemas import ContractExtraction

DECISIONS: dict[str, str] = {"accept": "accepted", "correct": "corrected", "reject": "rejected"}
"""Decision verb → review item status. accept: the value is right; correct: a new value (and optionally new
evidence) replaces it; reject: the value is wrong and no right value is in the contract (final value null)."""


@dataclass(frozen=True)
class ItemView:
    """A review item as the reviewer sees it; ``version`` counts the item's own changes."""

    id: int
    document_id: str
    run_id: str
    field_path: str
    severity: str
    status: str
    value: Any
    corrected_value: Any
    corrected_evidence: dict[str, Any] | None
    comment: str | None
    decided_by: str | None
    decided_at: datetime | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    version: int

    @property
    def decision(self) -> str | None:
        """``accept`` | ``correct`` | ``reject``, or ``None`` while open."""
        return {v: k for k, v in DECISIONS.items()}.get(self.status)

    @property
    def needs_confirmation(self) -> bool:
        """An error-severity item decided but not yet confirmed by a second reviewer."""
        return self.severity == "error" and self.status != "open" and self.confirmed_by is None

    @property
    def final_value(self) -> Any:
        """The value after review: accepted → the model's, corrected → the new one, rejected → ``None``."""
        if self.status == "corrected":
            return self.corrected_value
        if self.status == "rejected":
            return None
        return self.value

    @classmethod
    def of(cls, r: ReviewItem) -> ItemView:
        """The view of a stored review item."""
        return cls(r.id, r.document_id, r.run_id, r.field_path, r.severity, r.status, r.value, r.corrected_value,
                   r.corrected_evidence, r.comment, r.decided_by, r.decided_at, r.confirmed_by, r.confirmed_at,
                   r.version)


def run_items(s: Session, document_id: str, run_id: str | None) -> list[ItemView]:
    """The review items of one run of a document, by id; none when ``run_id`` is ``None``."""
    if run_id is None:
        return []
    rows = s.scalars(select(ReviewItem).where(ReviewItem.document_id == document_id, ReviewItem.run_id == run_id)
                     .order_by(ReviewItem.id))
    return [ItemView.of(r) for r in rows]


def blockers_of(items: Iterable[ItemView]) -> list[str]:
    """Why a document cannot be signed off yet: open items, then unconfirmed error decisions (empty: it can)."""
    items = list(items)
    out = [f"{i.field_path} ({i.severity}) is still open" for i in items if i.status == "open"]
    out += [f"{i.field_path} (error) needs a second reviewer's confirmation" for i in items if i.needs_confirmation]
    return out


def final_values(extraction: ContractExtraction | None, items: Iterable[ItemView]) -> dict[str, Any]:
    """``{field path: value}`` after review: the extraction's values with every decided item applied."""
    out: dict[str, Any] = {}
    if extraction is not None:
        out = {r.path: r.value for r in field_rows(extraction)}
    for i in items:
        out[i.field_path] = i.final_value
    return out
