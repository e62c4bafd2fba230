"""Evidence: where in the source a value is stated.

The model cites sentence ids and the short span that states the value; everything else
(quote, page, offsets, rectangles, match status) is set by code in grounding and is never
trusted from the model.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class MatchStatus(StrEnum):
    """How the value's span was found within the cited sentences.

    ``exact``: byte-identical; ``normalized``: equal after quote/dash/whitespace/ligature
    normalization; ``fuzzy``: near match above a high threshold; ``not_found``: absent,
    or the cited sentence ids do not exist.
    """

    EXACT = "exact"
    NORMALIZED = "normalized"
    FUZZY = "fuzzy"
    NOT_FOUND = "not_found"


class Rect(BaseModel):
    """A highlight rectangle on one page, in PDF points from the top-left corner."""

    page: int = Field(ge=1, description="1-based page number")
    x0: float
    y0: float
    x1: float
    y1: float


class Evidence(BaseModel):
    """The source of one value.

    Example: a notice period of 60 days cites sentence 14 with span ``"sixty (60) days"``;
    grounding sets ``quote`` to sentence 14's text, ``start``/``end`` to its offsets in the
    stored document text, ``value_start``/``value_end`` to the span's offsets, ``page`` to
    the first page it covers and ``match`` to ``exact``.
    """

    sentence_ids: list[int] = Field(default_factory=list, description="sentence ids cited by the model, chunk-local")
    span: str | None = Field(None, description="the short text stating the value, as the model gave it")
    quote: str | None = Field(None, description="verbatim source text of the cited sentences, set by code")
    page: int | None = Field(None, ge=1, description="1-based page; the first page when the quote crosses a break")
    start: int | None = Field(None, ge=0, description="offset of the quote in documents.text")
    end: int | None = Field(None, ge=0, description="end offset (exclusive) of the quote")
    value_start: int | None = Field(None, ge=0, description="offset of the value's span in documents.text")
    value_end: int | None = Field(None, ge=0)
    rects: list[Rect] = Field(default_factory=list, description="rectangles on every page covered")
    match: MatchStatus | None = Field(None, description="match of `span` within the cited sentences")
    chunk_seq: int | None = Field(None, description="the chunk the value came from")
    cited_sentence_ids: list[int] | None = Field(
        None,
        description="the ids the model cited when grounding found the span only in a neighbouring sentence "
        "(then sentence_ids names the sentence that really holds it)",
    )
    asked: bool = Field(
        False,
        description="the value answers a second-pass question about this one sentence (the chunks' answers left "
        "the field empty and no reader could read it)",
    )
