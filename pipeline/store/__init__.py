"""The store: the database of documents, pages, chunks, extraction runs, findings, review items, users
and sign-offs (SQLite or PostgreSQL, SQLAlchemy 2.0), and the one document state machine.

- Engine and sessions: :func:`make_engine` (SQLite in WAL mode, foreign keys on), :func:`upgrade`
  (Alembic migrations, ours and the audit log's), :func:`transaction` (one unit of work),
  :func:`session_factory`.
- Original bytes: :func:`put_bytes`, :func:`get_bytes` (content-addressed by SHA-256, checked on every read;
  raises :class:`BlobMissing`, :class:`BlobCorrupt`), :func:`put_file`, :func:`has_bytes`
  (:mod:`pipeline.store.blobs`).
- Tables: :class:`Document` (identity: SHA-256 of the file's bytes), :class:`Blob`, :class:`Page`, :class:`Chunk`,
  :class:`ExtractionRun`, :class:`FindingRow`, :class:`ReviewItem`, :class:`UserRow`,
  :class:`SignOffRow`, :class:`EvalRun` (one ``clausewise eval`` run), :class:`ModelAnswer`, all on :class:`Base`.
- Model answers, the extraction's checkpoint: :func:`store_answer` (as soon as an answer arrives),
  :func:`stored_answer` (by request key) (:mod:`pipeline.store.answers`).
- States: :class:`DocumentStatus`, :class:`Reason`, :data:`TRANSITIONS`, :func:`check_transition`
  (raises :class:`InvalidTransition`).
- Roles (PostgreSQL): the owner migrates, the writer owns nothing and may only SELECT and INSERT on the audit
  tables: :func:`upgrade_as_owner`, :func:`grant_writer` (raise :class:`RoleError`).
- Leases (:mod:`pipeline.store.leases`): which process carries a document through extraction and
  verification, until when; ``claim``, ``renew``, ``release``, ``expire``, ``check_held`` (raises
  :class:`LeaseLost`), a ``Heartbeat`` thread renewing one.
- Queries: :func:`find_document` (by id, id prefix or file name; raises :class:`DocumentNotFound`,
  :class:`AmbiguousDocument`), :func:`source_document` (the :class:`schemas.SourceDocument` view of a
  row), :func:`latest_run` (the latest finished run), :func:`extraction_of`, :func:`latest_extraction`.
"""

from pipeline.store.blobs import (
    BlobCorrupt,
    BlobError,
    BlobMismatch,
    BlobMissing,
    get_bytes,
    has_bytes,
    put_bytes,
    put_file,
)
from pipeline.store import leases
from pipeline.store.answers import store_answer, stored_answer
from pipeline.store.engine import make_engine, session_factory, transaction, upgrade
from pipeline.store.leases import LeaseLost
from pipeline.store.queries import (
    AmbiguousDocument,
    DocumentNotFound,
    extraction_of,
    find_document,
    latest_extraction,
    latest_run,
    source_document,
)
from pipeline.store.roles import RoleError, grant_writer, upgrade_as_owner
from pipeline.store.states import (
    TERMINAL_WITH_REASON,
    TRANSITIONS,
    DocumentStatus,
    InvalidTransition,
    Reason,
    check_transition,
)
from pipeline.store.tables import (
    Base,
    Blob,
    Chunk,
    Document,
    EvalRun,
    ModelAnswer,
    ExtractionRun,
    FindingRow,
    Page,
    ReviewItem,
    SignOffRow,
    UserRow,
    utcnow,
)

__all__ = [
    "AmbiguousDocument", "Base", "Blob", "BlobCorrupt", "BlobError", "BlobMismatch", "BlobMissing", "Chunk",
    "Document", "DocumentNotFound", "DocumentStatus", "EvalRun", "ExtractionRun", "FindingRow", "InvalidTransition",
    "LeaseLost", "ModelAnswer",
    "Page", "Reason", "ReviewItem", "RoleError", "SignOffRow", "TERMINAL_WITH_REASON", "TRANSITIONS", "UserRow",
    "check_transition", "extraction_of", "find_document", "get_bytes", "grant_writer", "has_bytes",
    "latest_extraction", "latest_run", "leases", "make_engine", "put_bytes", "put_file", "session_factory",
    "source_document", "store_answer", "stored_answer",
    "transaction", "upgrade", "upgrade_as_owner", "utcnow",
]
