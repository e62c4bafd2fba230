"""SourceDocument: the stored text of a document as the rule engine and grounding see it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HiddenText(BaseModel):
    """Text drawn on a page but never visible (dropped from the contract text), e.g. render mode 3."""

    text: str
    mechanism: str = Field(description="render_mode_3 | white_on_white | outside_page_box | tiny_font | ...")


class SourcePage(BaseModel):
    """One page: its offsets into ``SourceDocument.text`` and how it was read."""

    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quality: str = Field("ok", description="ok | ocr | no_text_layer | gibberish | unsure_order")
    hidden_text: list[HiddenText] = Field(default_factory=list)
    layout: list[list[float]] = Field(
        default_factory=list, description="word boxes [start, end, x0, y0, x1, y1], document offsets, points"
    )


class SourceDocument(BaseModel):
    """The document text (pages joined) plus page information; offsets are Python str indices."""

    document_id: str | None = None
    file_name: str | None = None
    text: str
    pages: list[SourcePage] = Field(default_factory=list)

    def page_of(self, offset: int) -> int | None:
        """1-based page holding character ``offset``, or ``None`` when outside every page."""
        for p in self.pages:
            if p.start <= offset < max(p.end, p.start + 1):
                return p.number
        return None
