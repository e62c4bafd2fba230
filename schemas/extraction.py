"""ContractExtraction: everything extracted from one document, after merge, normalization and grounding."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

from schemas.obligations import Obligation
from schemas.parties import Party
from schemas.terms import Fee, GoverningLaw, KeyDate, LiabilityCap, PaymentTerms, TerminationRight
from schemas.values import BoolClaim, DateClaim, DurationClaim


class ChunkFailure(BaseModel):
    """A chunk whose extraction did not complete: its text was not (fully) read by the model."""

    chunk_seq: int
    pages: list[int] = Field(default_factory=list)
    kind: str = Field(description="failed | truncated | retries_exhausted | timeout | rate_limited | unavailable | malformed")
    reason: str


class ContractExtraction(BaseModel):
    """All fields of one document. Absent values are ``None`` or empty lists ("not stated").

    Single-valued fields that got different values from different chunks keep every value in
    ``candidates[field_path]``; ``field_path`` is the attribute name, e.g. ``"effective_date"``.
    """

    document_id: str | None = None
    run_id: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    chunk_ids: list[int] = Field(default_factory=list)

    parties: list[Party] = Field(default_factory=list)
    agreement_date: DateClaim | None = None
    effective_date: DateClaim | None = None
    expiration_date: DateClaim | None = None
    key_dates: list[KeyDate] = Field(default_factory=list)
    initial_term: DurationClaim | None = None
    auto_renewal: BoolClaim | None = None
    renewal_term: DurationClaim | None = None
    renewal_notice: DurationClaim | None = Field(None, description="notice period to prevent or terminate renewal")
    governing_law: GoverningLaw | None = None
    payment_terms: PaymentTerms | None = None
    fees: list[Fee] = Field(default_factory=list)
    liability_cap: LiabilityCap | None = None
    termination_rights: list[TerminationRight] = Field(default_factory=list)
    confidentiality_survival: DurationClaim | None = None
    obligations: list[Obligation] = Field(default_factory=list)

    candidates: dict[str, list[Any]] = Field(default_factory=dict)
    chunk_failures: list[ChunkFailure] = Field(default_factory=list)
    date_order: str | None = Field(None, description="DMY | MDY | None when undecided")

    SINGLE_VALUED: ClassVar[tuple[str, ...]] = (
        "agreement_date", "effective_date", "expiration_date", "initial_term", "auto_renewal",
        "renewal_term", "renewal_notice", "governing_law", "payment_terms", "liability_cap",
        "confidentiality_survival",
    )
