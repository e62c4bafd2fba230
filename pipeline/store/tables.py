"""SQLAlchemy 2.0 ORM tables of the store.

Identity: a document is the SHA-256 (hex) of its bytes, so the same file ingested twice is one row.
Character offsets (``start``/``end``) are Python string indices into ``documents.text``, end exclusive.
Timestamps are timezone-aware UTC.
The audit log has its own table, owned by :mod:`audit`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="SHA-256 hex of the file bytes")
    file_name: Mapped[str] = mapped_column(String(512), index=True)
    source_path: Mapped[str] = mapped_column(Text, doc="where the file was read from (informative only)")
    blob_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.sha256"), index=True,
        doc="the original bytes in table blobs (migration 0006); None for a document stored before it whose file "
            "was gone when the migration ran")
    media_type: Mapped[str] = mapped_column(String(32), default="application/pdf")
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_reason: Mapped[str | None] = mapped_column(String(64))
    status_message: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    is_repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    has_hidden_text: Mapped[bool] = mapped_column(Boolean, default=False)
    info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, doc="PDF metadata, permissions, warnings")
    version: Mapped[int] = mapped_column(Integer, default=1, doc="optimistic-lock counter for review")
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    lease_holder: Mapped[str | None] = mapped_column(
        String(128), doc="the process carrying the document through extraction and verification "
                         "(pipeline.store.leases; migration 0008)")
    lease_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), doc="when the holder's lease lapses unless renewed (UTC)")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )
    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.seq"
    )


class Blob(Base):
    """Original file bytes, content-addressed (table ``blobs``, migration 0006): one row per distinct content,
    however often it is ingested. Read and written through :mod:`pipeline.store.blobs`."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, doc="SHA-256 hex of data")
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, doc="1-based page number")
    text: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[int] = mapped_column(Integer, doc="offset of the page's first character in documents.text")
    end: Mapped[int] = mapped_column(Integer)
    width: Mapped[float | None] = mapped_column()
    height: Mapped[float | None] = mapped_column()
    layout: Mapped[list[Any]] = mapped_column(
        JSON, default=list, doc="word boxes [start, end, x0, y0, x1, y1], offsets into documents.text, points"
    )
    hidden_text: Mapped[list[Any]] = mapped_column(JSON, default=list, doc="dropped hidden text: [{text, mechanism}]")
    quality: Mapped[str] = mapped_column(String(32), default="ok", doc="ok | ocr | no_text_layer | gibberish | unsure_order")

    document: Mapped[Document] = relationship(back_populates="pages")


class Chunk(Base):
    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, doc="0-based order in the document")
    text: Mapped[str] = mapped_column(Text)
    token_count: Mapped[int] = mapped_column(Integer, doc="tokens of the tokenizer named in `tokenizer`")
    tokenizer: Mapped[str] = mapped_column(String(128), default="")
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    page_start: Mapped[int] = mapped_column(Integer)
    page_end: Mapped[int] = mapped_column(Integer)

    document: Mapped[Document] = relationship(back_populates="chunks")


class ExtractionRun(Base):
    """One extraction of one document by one model. Never overwritten: a new run is a new row."""

    __tablename__ = "extraction_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    backend: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(256))
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), doc="running | complete | partial | failed | interrupted")
    holder: Mapped[str | None] = mapped_column(
        String(128), doc="the lease holder that ran it (pipeline.store.leases; migration 0008), None outside a lease")
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON, doc="schemas.ContractExtraction as JSON")
    chunk_outcomes: Mapped[list[Any]] = mapped_column(
        JSON, default=list, doc="[{chunk_seq, status: ok|failed|truncated, reason, attempts, pages}]"
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FindingRow(Base):
    """A rule result that failed, stored per document and run (see :class:`schemas.Finding`)."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("extraction_runs.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    field_path: Mapped[str] = mapped_column(String(256))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewItem(Base):
    """A flagged field waiting for a reviewer: one per (run, field path)."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("run_id", "field_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("extraction_runs.id", ondelete="CASCADE"), index=True)
    field_path: Mapped[str] = mapped_column(String(256))
    severity: Mapped[str] = mapped_column(String(16), doc="highest severity among its findings")
    status: Mapped[str] = mapped_column(String(16), default="open", doc="open | accepted | corrected | rejected")
    value: Mapped[Any] = mapped_column(JSON, nullable=True, doc="the model's value as extracted")
    corrected_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    corrected_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(128), doc="second reviewer (four-eyes) for errors")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, doc="optimistic-lock counter")


class UserRow(Base):
    """An account of the review UI (table ``users``, migration 0003)."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignOffRow(Base):
    """The sign-off of one document (table ``sign_offs``, migration 0003)."""

    __tablename__ = "sign_offs"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(36))
    signed_off_by: Mapped[str] = mapped_column(String(128))
    signed_off_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    final_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EvalRun(Base):
    """One run of ``clausewise eval`` (table ``eval_runs``, migration 0004): what was measured, with what.

    ``selection``: how the documents were chosen (``{"how", "limit", "max_pages", "seed", "documents"}``);
    ``settings``: the settings in force as ``clausewise config`` prints them (secrets masked); ``summary``:
    the whole result as :meth:`pipeline.evaluation.EvalResult.to_dict` writes it.
    """

    __tablename__ = "eval_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    set_name: Mapped[str] = mapped_column(String(64), doc="labelled set: cuad | samples | gold")
    selection: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, doc="settings in force, secrets masked")
    backend: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(256))
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String(32))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ModelAnswer(Base):
    """A validated model answer kept as soon as it arrives (table ``model_answers``, migration 0007): the
    checkpoint a killed or repeated extraction resumes from without asking the model again.

    ``key``: :func:`pipeline.llm.request_key` of the request (model id and file SHA-256, prompt version,
    messages, response schema, decoding settings), so a stored answer is reused only for the very same
    question to the very same model; ``document_id``, ``chunk_seq`` and ``part`` (the split part, or
    ``second:<field>`` for a second-pass question) say where it was asked first; ``result``: the
    :meth:`pipeline.llm.LLMResult.to_dict` of the answer (parsed JSON, raw text, tokens, latency in ms,
    attempts).
    """

    __tablename__ = "model_answers"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[str | None] = mapped_column(String(64), index=True)
    chunk_seq: Mapped[int | None] = mapped_column(Integer)
    part: Mapped[str | None] = mapped_column(String(64))
    model_id: Mapped[str] = mapped_column(String(256))
    model_sha256: Mapped[str | None] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String(32))
    response_model: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
