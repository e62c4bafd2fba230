"""Parties to a contract."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.evidence import Evidence


class Party(BaseModel):
    """A legal person who signs the contract.

    Example: ``Harbor & Pine Supply Co., a Washington corporation ("H&P" or the "Supplier")``
    is ``Party(name="Harbor & Pine Supply Co.", role="Supplier", defined_terms=["H&P", "Supplier"],
    entity_type="corporation", jurisdiction="Washington")``. A d/b/a name, a former name or named
    affiliates are attributes of the party, never extra parties.
    """

    name: str = Field(description="legal name as written in the contract")
    role: str | None = Field(None, description="role in the contract, e.g. Supplier, Licensee, Customer")
    defined_terms: list[str] = Field(default_factory=list, description="aliases defined for the party")
    entity_type: str | None = Field(None, description="e.g. corporation, limited liability company")
    jurisdiction: str | None = Field(None, description="state or country of organization")
    dba: list[str] = Field(default_factory=list, description="'doing business as' names")
    former_names: list[str] = Field(default_factory=list, description="'formerly known as' names")
    affiliates: list[str] = Field(default_factory=list, description="affiliates named, not parties")
    evidence: Evidence | None = None

    def all_names(self) -> list[str]:
        """Legal name, defined terms, d/b/a and former names: every string that refers to the party."""
        return [self.name, *self.defined_terms, *self.dba, *self.former_names]
