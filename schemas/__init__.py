"""The one vocabulary of Clausewise: Pydantic v2 models shared by every stage.

Imports nothing else of ours (checked by import-linter).
"""

from schemas.chunk_output import ChunkExtraction
from schemas.document import HiddenText, SourceDocument, SourcePage
from schemas.evidence import Evidence, MatchStatus, Rect
from schemas.extraction import ChunkFailure, ContractExtraction
from schemas.finding import Finding, Severity
from schemas.obligations import Deadline, Obligation, ObligationCategory
from schemas.parties import Party
from schemas.terms import (
    Fee,
    GoverningLaw,
    KeyDate,
    KeyDateKind,
    LiabilityCap,
    PaymentTerms,
    TerminationKind,
    TerminationRight,
)
from schemas.values import (
    BoolClaim,
    Claim,
    DateClaim,
    Duration,
    DurationClaim,
    DurationUnit,
    Money,
    MoneyClaim,
    TextClaim,
)

__all__ = [
    "BoolClaim", "ChunkExtraction", "ChunkFailure", "Claim", "ContractExtraction", "DateClaim", "Deadline", "Duration",
    "DurationClaim", "DurationUnit", "Evidence", "Fee", "Finding", "HiddenText", "SourceDocument", "SourcePage", "GoverningLaw", "KeyDate", "KeyDateKind",
    "LiabilityCap", "MatchStatus", "Money", "MoneyClaim", "Obligation", "ObligationCategory", "Party",
    "PaymentTerms", "Rect", "Severity", "TerminationKind", "TerminationRight", "TextClaim",
]
