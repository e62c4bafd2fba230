"""Typed claims: one extracted value with its text, evidence and the value code parsed from it.

``value`` is the value of the field: for dates and durations the one code read from the cited span
(``parsed``) when it could read one, else the model's (normalized to a type: ISO 8601 date, duration,
text). ``model_value`` keeps the model's own answer when it differs from what the text says, so the
rule engine (S002, S004) can report the disagreement. ``None`` everywhere means "not stated".
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.evidence import Evidence


class DurationUnit(StrEnum):
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


class Duration(BaseModel):
    """A length of time as number + unit, e.g. ``Duration(value=60, unit="days")`` for "sixty (60) days"."""

    value: float = Field(ge=0)
    unit: DurationUnit

    def approx_days(self) -> float:
        """Length in calendar days, approximating: business day = 7/5 days, month = 30.4375, year = 365.25."""
        factor = {
            DurationUnit.DAYS: 1.0,
            DurationUnit.BUSINESS_DAYS: 7 / 5,
            DurationUnit.WEEKS: 7.0,
            DurationUnit.MONTHS: 30.4375,
            DurationUnit.YEARS: 365.25,
        }[self.unit]
        return self.value * factor

    def canonical(self) -> tuple[float, str]:
        """A key under which two durations are equal only when they are exactly equivalent: weeks become
        days and years become months; business days stay apart from calendar days ("ten (10) Business Days" is
        not 10 calendar days).
        Example: ``Duration(value=1, unit="years").canonical() == (12, "months")``."""
        if self.unit == DurationUnit.WEEKS:
            return self.value * 7, "days"
        if self.unit == DurationUnit.YEARS:
            return self.value * 12, "months"
        return self.value, self.unit.value

    def __str__(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{v} {self.unit.value.replace('_', ' ')}"


class Money(BaseModel):
    """An amount of money, e.g. ``Money(amount=12500, currency="USD")``. Currency is ISO 4217."""

    amount: float
    currency: str | None = Field(None, description="ISO 4217 code, e.g. USD, GBP, EUR")


class Claim(BaseModel):
    """Common part of every extracted value."""

    raw_text: str | None = Field(None, description="the value as written, e.g. 'sixty (60) days'")
    evidence: Evidence | None = None
    computed: bool = Field(False, description="derived by code (e.g. expiration = effective + initial term)")
    note: str | None = Field(None, description="why a value is computed, ambiguous, etc.")


class DateClaim(Claim):
    """A calendar date (ISO 8601). ``parsed`` is the date code read from the evidence span."""

    value: dt.date | None = None
    parsed: dt.date | None = None
    model_value: dt.date | None = Field(None, description="the model's date when it differs from the text's")
    ambiguous_order: bool = Field(False, description="day/month order could not be decided")
    alternatives: list[dt.date] = Field(default_factory=list, description="other readings (e.g. MDY vs DMY)")


class DurationClaim(Claim):
    """A duration, e.g. an initial term of 3 years or a notice period of 60 days."""

    value: Duration | None = None
    parsed: Duration | None = None
    model_value: Duration | None = Field(None, description="the model's duration when it differs from the text's")


class TextClaim(Claim):
    """A free-text value, e.g. a governing-law jurisdiction ("Delaware")."""

    value: str | None = None


class BoolClaim(Claim):
    """A yes/no value, e.g. whether the contract renews automatically."""

    value: bool | None = None


class MoneyClaim(Claim):
    value: Money | None = None
