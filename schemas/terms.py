"""Key dates, term and renewal, governing law, and commercial terms."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.evidence import Evidence
from schemas.values import Duration, Money


class KeyDateKind(StrEnum):
    AGREEMENT = "agreement"
    EFFECTIVE = "effective"
    EXPIRATION = "expiration"
    RENEWAL = "renewal"
    TERMINATION_NOTICE_DEADLINE = "termination_notice_deadline"
    OTHER = "other"


class KeyDate(BaseModel):
    """A dated event other than the three headline dates (e.g. a delivery deadline).

    ``value`` is an ISO 8601 date or ``None`` when the text gives no fixed date.
    """

    kind: KeyDateKind = KeyDateKind.OTHER
    label: str | None = Field(None, description="what the date is for, e.g. 'first report due'")
    value: dt.date | None = None
    model_value: dt.date | None = Field(None, description="the model's date when it differs from the text's")
    raw_text: str | None = None
    evidence: Evidence | None = None


class PaymentTerms(BaseModel):
    """When invoices are due, e.g. 45 days after receipt of invoice."""

    days: int | None = Field(None, ge=0, description="days allowed for payment")
    day_type: str | None = Field(None, description="calendar or business")
    trigger: str | None = Field(None, description="what starts the clock, e.g. 'receipt of invoice'")
    raw_text: str | None = None
    evidence: Evidence | None = None
    computed: bool = Field(False, description="found by code in the payment clause, not stated by the model")
    note: str | None = None


class Fee(BaseModel):
    """One fee or one row of a fee / milestone table."""

    description: str | None = Field(None, description="service, milestone or item")
    amount: Money | None = None
    period: str | None = Field(None, description="one-time, monthly, annual, per unit, ...")
    due_date: dt.date | None = Field(None, description="ISO 8601 date when stated")
    raw_text: str | None = None
    evidence: Evidence | None = None
    computed: bool = Field(False, description="read by code from a fee table row, not stated by the model")
    note: str | None = None


class LiabilityCap(BaseModel):
    """A cap on liability: an amount, or a formula as written (e.g. 'fees paid in the prior 12 months')."""

    amount: Money | None = None
    formula: str | None = None
    evidence: Evidence | None = None


class TerminationKind(StrEnum):
    FOR_CAUSE = "for_cause"
    FOR_CONVENIENCE = "for_convenience"
    OTHER = "other"


class TerminationRight(BaseModel):
    """A right to end the contract, e.g. for convenience on 90 days' notice."""

    kind: TerminationKind = TerminationKind.OTHER
    holder: str | None = Field(None, description="party who may terminate; None when either party")
    notice: Duration | None = None
    fee: Money | None = None
    raw_text: str | None = None
    evidence: Evidence | None = None


class GoverningLaw(BaseModel):
    """The law that governs the contract, e.g. ``jurisdiction="Delaware"``."""

    jurisdiction: str | None = None
    raw_text: str | None = None
    evidence: Evidence | None = None
