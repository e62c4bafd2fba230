"""The one vocabulary of Clausewise: Pydantic v2 models shared by every stage, and the exception root.

Imports nothing else of ours (checked by import-linter), so every package may import it.

- Document and evidence: :class:`SourceDocument`, :class:`SourcePage`, :class:`HiddenText`,
  :class:`Evidence` (a quote, its page and character offsets, its rectangles), :class:`Rect`,
  :class:`MatchStatus`.
- Claims (a value with its evidence): :class:`Claim` and its typed forms :class:`TextClaim`,
  :class:`BoolClaim`, :class:`DateClaim` (ISO 8601), :class:`DurationClaim`, :class:`MoneyClaim`;
  :class:`Duration` (value + :class:`DurationUnit`), :class:`Money`.
- The extraction of one contract: :class:`ContractExtraction` (parties, key dates, terms, obligations)
  and its parts :class:`Party`, :class:`KeyDate`, :class:`PaymentTerms`, :class:`Fee`,
  :class:`LiabilityCap`, :class:`TerminationRight`, :class:`GoverningLaw`, :class:`Obligation`,
  :class:`Deadline`; :class:`ChunkFailure` for a chunk the model did not answer.
- What the model answers for one chunk: :class:`ChunkExtraction` (its dates :class:`ChunkDate`, durations
  :class:`ChunkDuration`, and the cited part every value shares, :data:`CitedAnswer`).
- What the rules report: :class:`Finding` with its :class:`Severity`.
- :class:`ClausewiseError`: the base class of every exception Clausewise raises (the whole tree is
  drawn in :mod:`schemas.errors`).
"""

from schemas.chunk_output import ChunkDate, ChunkDuration, ChunkExtraction, CitedAnswer
from schemas.document import HiddenText, SourceDocument, SourcePage
from schemas.errors import ClausewiseError
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
    "BoolClaim", "ChunkDate", "ChunkDuration", "ChunkExtraction", "CitedAnswer", "ChunkFailure", "Claim", "ClausewiseError", "ContractExtraction", "DateClaim",
    "Deadline", "Duration", "DurationClaim", "DurationUnit", "Evidence", "Fee", "Finding", "GoverningLaw",
    "HiddenText", "KeyDate", "KeyDateKind", "LiabilityCap", "MatchStatus", "Money", "MoneyClaim", "Obligation",
    "ObligationCategory", "Party", "PaymentTerms", "Rect", "Severity", "SourceDocument", "SourcePage",
    "TerminationKind", "TerminationRight", "TextClaim",
]
