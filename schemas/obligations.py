"""Obligations: who owes what to whom, by when."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.evidence import Evidence
from schemas.values import Duration


class ObligationCategory(StrEnum):
    PAYMENT = "payment"
    DELIVERY = "delivery"
    CONFIDENTIALITY = "confidentiality"
    NOTICE = "notice"
    INSURANCE = "insurance"
    REPORTING = "reporting"
    COMPLIANCE = "compliance"
    OTHER = "other"


class Deadline(BaseModel):
    """A fixed date (ISO 8601), or a duration relative to an anchor ('within 30 days after receipt of invoice')."""

    date: dt.date | None = None
    duration: Duration | None = None
    anchor: str | None = Field(None, description="event the duration counts from")
    inclusive: bool | None = Field(None, description="'on or before' is inclusive")
    day_of_month: int | None = Field(None, description="a recurring day, e.g. 1 for 'the 1st of each month'")
    raw_text: str | None = None


class Obligation(BaseModel):
    """One duty. ``obligor`` and ``obligee`` hold canonical party names after merge."""

    obligor: str | None = Field(None, description="party who owes the duty (canonical legal name)")
    obligee: str | None = Field(None, description="party owed the duty")
    action: str = Field(description="what must be done, short")
    category: ObligationCategory = ObligationCategory.OTHER
    deadline: Deadline | None = None
    condition: str | None = None
    evidence: Evidence | None = None
