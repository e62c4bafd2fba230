"""Original file bytes in the store, content-addressed by SHA-256 (table ``blobs``).

A document row names its bytes by ``documents.blob_sha256``; whatever reads the original (page images of the
review UI, a worker on another machine) gets it from the database, never from the path it was read from, so a
file moved, deleted or replaced on disk changes nothing. Identical bytes are stored once however often they
are ingested (the SHA-256 is the primary key; a second put is a no-op, also when two writers race: the insert
is ``ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL). Every read checks the bytes against their SHA-256.

Functions work inside the caller's session (its transaction commits or rolls back the write with the
caller's own). PostgreSQL stores the bytes as ``bytea`` (at most 1 GB a value), SQLite as a BLOB (at most
1,000,000,000 bytes by default, ``SQLITE_MAX_LENGTH``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pipeline.store.tables import Blob, utcnow
from schemas import ClausewiseError


class BlobError(ClausewiseError):
    """Base error of the blob store."""


class BlobMissing(BlobError, LookupError):
    """No stored bytes with that SHA-256."""


class BlobCorrupt(BlobError):
    """The stored bytes no longer hash to their SHA-256 (changed in the database)."""


class BlobMismatch(BlobError):
    """A file's bytes do not hash to the SHA-256 expected (it changed while it was being read)."""


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lower-case hex digits."""
    return hashlib.sha256(data).hexdigest()


def has_bytes(session: Session, sha256: str) -> bool:
    """Whether bytes with this SHA-256 (hex) are stored (reads no bytes)."""
    return session.scalar(select(Blob.size_bytes).where(Blob.sha256 == sha256)) is not None


def put_bytes(session: Session, data: bytes) -> str:
    """Store ``data`` once and return its SHA-256 (hex); bytes stored before are not written again.

    Runs in the caller's transaction (nothing is committed here).
    """
    digest = sha256_hex(data)
    if has_bytes(session, digest):
        return digest
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Blob).values(sha256=digest, size_bytes=len(data), data=data, created_at=utcnow())
    session.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def put_file(session: Session, path: Path, *, sha256: str) -> str:
    """Store the bytes of the file at ``path``, which must hash to ``sha256`` (hex, as hashed before reading
    it); returns ``sha256``.

    Raises:
        BlobMismatch: the file's bytes hash to something else now (it changed since it was hashed); nothing
            is stored.
        OSError: the file cannot be read.
    """
    data = Path(path).read_bytes()
    digest = sha256_hex(data)
    if digest != sha256:
        raise BlobMismatch(f"{path}: the file changed while it was being ingested (SHA-256 {digest[:12]}, "
                           f"expected {sha256[:12]}); ingest it again")
    return put_bytes(session, data)


def get_bytes(session: Session, sha256: str) -> bytes:
    """The bytes stored under ``sha256`` (hex), checked against it.

    Raises:
        BlobMissing: nothing is stored under that SHA-256.
        BlobCorrupt: the stored bytes hash to something else.
    """
    data = session.scalar(select(Blob.data).where(Blob.sha256 == sha256))
    if data is None:
        raise BlobMissing(f"no stored original with SHA-256 {sha256[:12]}")
    data = bytes(data)
    if sha256_hex(data) != sha256:
        raise BlobCorrupt(f"the stored original {sha256[:12]} no longer matches its SHA-256")
    return data
