"""ChunkExtraction: the schema the MODEL fills for one chunk of a contract.

Kept small on purpose: output tokens dominate the run time of a local model (10-20 tokens/s on
2 cores, ../shared/notes/local-llm.md), so the model cites sentence ids and a short ``span``
instead of copying quotes, every list is bounded (greedy decoding repeats) and every value is
optional: ``null`` / ``[]`` means "not stated in this chunk".

Validators check shape only (lengths, types). A value that is faithful to the text but
inconsistent (an end date before the start date, as a drafting error may state it) is valid here; the
rule engine judges it. No regex ``pattern`` with ``\\d`` anywhere: llama-cpp turns it into a broken
grammar (notes/local-llm.md, trap 2).

Field descriptions are read by the model: they are instructions, short and precise.
Code (pipeline.extract) turns a ChunkExtraction into schemas.ContractExtraction values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["days", "business_days", "weeks", "months", "years"]

_IDS = "ids of the sentences stating the value, e.g. [12]"
_SPAN = "the few words stating the value, copied exactly, e.g. 'sixty (60) days'"


def _compact_schema(schema: dict) -> None:
    """Drop the per-property ``title`` Pydantic adds (they only grow the grammar), and make the
    evidence keys ``sentence_ids`` and ``span`` required in the generation grammar, so that every
    value the model states comes with its citation (Python-side they default to empty/None)."""
    props = schema.get("properties", {})
    for prop in props.values():
        prop.pop("title", None)
    cite = [k for k in ("sentence_ids", "span") if k in props]
    if cite:
        schema["required"] = cite + [k for k in schema.get("required", []) if k not in cite]


_CONFIG = ConfigDict(extra="ignore", json_schema_extra=_compact_schema)


class _Cited(BaseModel):
    model_config = _CONFIG

    sentence_ids: list[int] = Field(default_factory=list, max_length=3, description=_IDS)
    span: str | None = Field(None, max_length=120, description=_SPAN)



#: The cited part every answer value shares (sentence ids and the value's span), by its public name.
CitedAnswer = _Cited

class ChunkParty(_Cited):
    """A party that signs the contract (never a defined term, d/b/a name, former name or affiliate)."""

    name: str = Field(max_length=120, description="full legal name as written, e.g. 'Harbor & Pine Supply Co.'")
    role: str | None = Field(None, max_length=40, description="e.g. Supplier, Licensee, Customer")
    defined_terms: list[str] = Field(default_factory=list, max_length=4, description="quoted aliases, e.g. ['H&P', 'Supplier']")
    entity_type: str | None = Field(None, max_length=60, description="e.g. corporation, limited liability company")
    jurisdiction: str | None = Field(None, max_length=60, description="state or country of organization")
    dba: list[str] = Field(default_factory=list, max_length=3, description="'d/b/a' names")
    former_names: list[str] = Field(default_factory=list, max_length=3, description="'formerly known as' names")
    affiliates: list[str] = Field(default_factory=list, max_length=4, description="affiliates named, not signing")


class ChunkDate(_Cited):
    """A date. ``span`` is the date as written, e.g. 'this 1st day of March, 2021'."""

    iso: str | None = Field(None, max_length=10, description="the date as YYYY-MM-DD, null if no fixed date")


class ChunkDuration(_Cited):
    """A length of time as number + unit, e.g. 60 days for 'sixty (60) days'."""

    number: float | None = Field(None, ge=0)
    unit: Unit | None = None


class ChunkBool(_Cited):
    """A yes/no value."""

    value: bool | None = None


class ChunkText(_Cited):
    """A short text value."""

    value: str | None = Field(None, max_length=120)


class ChunkPayment(_Cited):
    """When invoices must be paid, e.g. 45 days after receipt of invoice."""

    days: int | None = Field(None, ge=0)
    business_days: bool | None = None
    trigger: str | None = Field(None, max_length=80, description="what starts the clock, e.g. 'receipt of invoice'")


class ChunkFee(_Cited):
    """One fee, price or one row of a fee / milestone table."""

    description: str | None = Field(None, max_length=80)
    amount: float | None = None
    currency: str | None = Field(None, max_length=3, description="ISO 4217, e.g. USD")
    period: str | None = Field(None, max_length=30, description="one-time, monthly, annual, per unit")
    due_iso: str | None = Field(None, max_length=10, description="due date as YYYY-MM-DD")


class ChunkCap(_Cited):
    """A limit on liability."""

    amount: float | None = None
    currency: str | None = Field(None, max_length=3)
    formula: str | None = Field(None, max_length=120, description="as written, e.g. 'fees paid in the prior 12 months'")


class ChunkTermination(_Cited):
    """A right to terminate the contract."""

    kind: Literal["for_cause", "for_convenience", "other"] = "other"
    holder: str | None = Field(None, max_length=120, description="party who may terminate; null if either party")
    notice_number: float | None = Field(None, ge=0)
    notice_unit: Unit | None = None
    fee_amount: float | None = None
    fee_currency: str | None = Field(None, max_length=3)


class ChunkKeyDate(_Cited):
    """Another dated event, e.g. a delivery deadline or a date until which rates are fixed."""

    label: str = Field(max_length=60, description="what the date is for")
    iso: str | None = Field(None, max_length=10, description="YYYY-MM-DD")


class ChunkObligation(_Cited):
    """One duty: who must do what, for whom, by when."""

    obligor: str | None = Field(None, max_length=120, description="party who must act, as named in the text")
    obligee: str | None = Field(None, max_length=120, description="party owed the duty")
    action: str = Field(max_length=120, description="what must be done, short")
    category: Literal[
        "payment", "delivery", "confidentiality", "notice", "insurance", "reporting", "compliance", "other"
    ] = "other"
    deadline_iso: str | None = Field(None, max_length=10, description="fixed deadline as YYYY-MM-DD")
    deadline_number: float | None = Field(None, ge=0)
    deadline_unit: Unit | None = None
    anchor: str | None = Field(None, max_length=80, description="event the deadline counts from")


class ChunkExtraction(BaseModel):
    """What one chunk of a contract states. Use null or [] for anything this text does not state."""

    model_config = _CONFIG

    parties: list[ChunkParty] = Field(default_factory=list, max_length=6)
    agreement_date: ChunkDate | None = Field(None, description="date the agreement is made or dated")
    effective_date: ChunkDate | None = Field(None, description="date the agreement takes effect or starts")
    expiration_date: ChunkDate | None = Field(None, description="date the term ends, only if stated as a date")
    initial_term: ChunkDuration | None = None
    auto_renewal: ChunkBool | None = Field(None, description="true if the term renews automatically")
    renewal_term: ChunkDuration | None = None
    renewal_notice: ChunkDuration | None = Field(None, description="notice needed to stop renewal")
    governing_law: ChunkText | None = Field(None, description="state or country whose law governs")
    payment_terms: ChunkPayment | None = None
    fees: list[ChunkFee] = Field(default_factory=list, max_length=12)
    liability_cap: ChunkCap | None = None
    termination_rights: list[ChunkTermination] = Field(default_factory=list, max_length=4)
    confidentiality_survival: ChunkDuration | None = Field(None, description="how long confidentiality lasts after the end")
    other_dates: list[ChunkKeyDate] = Field(default_factory=list, max_length=8)
    obligations: list[ChunkObligation] = Field(default_factory=list, max_length=8)
