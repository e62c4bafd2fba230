"""Findings: a rule that failed for one field."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.evidence import Evidence


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Finding(BaseModel):
    """One failed check, e.g. ``Finding(rule_id="G001", severity="error", field_path="governing_law",
    message="quote not found in the source")``."""

    rule_id: str
    severity: Severity
    field_path: str = Field(description="dotted path into ContractExtraction, e.g. 'parties[1].name', or 'document'")
    message: str
    code: str | None = Field(None, description="machine-readable kind, e.g. 'injection_suspected'")
    evidence: Evidence | None = None
    details: dict = Field(default_factory=dict)
