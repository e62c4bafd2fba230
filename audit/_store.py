"""The one write path of the audit log: :func:`append`, :func:`append_many` and :func:`writer`.

Transaction contract
    ``append(target, ...)`` writes inside the caller's transaction and never commits it:
    - a SQLAlchemy ``Session`` or ``Connection``: the event commits or rolls back together with the
      caller's own writes (so a step and its events are atomic); the caller commits;
    - an ``Engine``: the event is written in its own short transaction (:func:`writer`) and committed.

Serialization (no fork, no gap)
    Before reading the chain head, append takes the log's write lock:
    - PostgreSQL: ``SELECT pg_advisory_xact_lock(AUDIT_LOCK_KEY)``, held until the caller's transaction
      ends. Use READ COMMITTED (the default): under REPEATABLE READ/SERIALIZABLE a snapshot taken before
      the lock can hold a stale head, and the insert then fails on the primary key (AuditWriteError).
    - SQLite: a write that writes nothing (``INSERT INTO audit_blobs SELECT ... WHERE 0``), which takes
      the database write lock (waiting up to busy_timeout). If the caller's transaction has already
      *read* (deferred BEGIN) and another writer committed since, SQLite refuses with
      "database is locked" → AuditWriteError. Open write transactions with ``BEGIN IMMEDIATE``:
      ``audit.writer(engine)``, or ``pipeline.store.engine.transaction(engine, immediate=True)``.
    Ids are assigned as head id + 1 on the primary key, so even a writer that bypasses the lock cannot
    fork the chain: its insert fails.

Keep these transactions short: never hold one across an LLM call (every other writer waits for the write
lock, and fails with "database is locked" after busy_timeout).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

from audit._chain import GENESIS_HASH, now_ts, seal
from audit._errors import AuditWriteError, InvalidEvent
from audit._event import AuditEvent
from audit._keys import current_key
from audit._redact import prepare_payload
from audit.events import is_valid_type
from audit.schema import blobs as blobs_table
from audit.schema import events as events_table

# Key of the PostgreSQL transaction-level advisory lock that serializes appends:
# the first 8 bytes of sha256("clausewise.audit_events") as a signed 64-bit integer.
AUDIT_LOCK_KEY = int.from_bytes(hashlib.sha256(b"clausewise.audit_events").digest()[:8], "big", signed=True)
WRITER_ATTEMPTS = 5

Target = Session | Connection | Engine


def append(target: Target, *, type: str, actor: str, document_id: str | None = None,
           run_id: str | None = None, payload: dict[str, Any]) -> AuditEvent:
    """Append one event and return it as stored (id, UTC ts, redacted payload, hashes, MAC).

    ``type`` is a dotted lower-case name (constants in :mod:`audit.events`); ``actor`` is ``system``, a
    model id or a reviewer's user name; ``payload`` a JSON-able dict, redacted before anything is written.
    With an audit key in force (:func:`audit.use_key`) the event carries its keyed MAC and the key's id
    (:mod:`audit._keys`); without one it carries none. Raises :class:`InvalidEvent` (nothing written) or
    :class:`AuditWriteError` (database refused, or the newest event carries a MAC under a key other than the
    one in force or none is in force; the caller's transaction must be rolled back). See the module
    docstring for the transaction contract.
    """
    return append_many(target, [{"type": type, "actor": actor, "document_id": document_id,
                                 "run_id": run_id, "payload": payload}])[0]


def append_many(target: Target, events: Iterable[Mapping[str, Any]]) -> list[AuditEvent]:
    """Append several events in order under one lock (same contract as :func:`append`).

    Each item is a mapping with keys ``type``, ``actor``, ``payload`` and optional ``document_id``,
    ``run_id``. All are validated first; an invalid one raises :class:`InvalidEvent` and none is written.
    """
    specs = [_prepare(e) for e in events]
    if not specs:
        return []
    if isinstance(target, Engine):
        with writer(target) as conn:
            return _write(conn, specs)
    return _write(_connection(target), specs)


@contextmanager
def writer(engine: Engine) -> Iterator[Connection]:
    """A short write transaction for appends: yields a ``Connection``, commits on success, rolls back
    and re-raises on error.

    On SQLite it begins with ``BEGIN IMMEDIATE`` where the engine honours the ``sqlite_immediate``
    execution option (``pipeline.store.engine.make_engine``) and takes the write lock at once in any case; if the
    lock is still busy after the connection's busy_timeout, it retries (``WRITER_ATTEMPTS`` tries, random
    exponential back-off up to 2 s) and then raises :class:`AuditWriteError`. A failed commit raises
    :class:`AuditWriteError` too.
    """
    try:
        conn = _open(engine)
    except SQLAlchemyError as exc:
        raise AuditWriteError(f"could not open an audit write transaction: {_describe(exc)}") from exc
    try:
        yield conn
        try:
            conn.commit()
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit commit failed: {_describe(exc)}") from exc
    except BaseException:
        try:
            conn.rollback()
        finally:
            conn.close()
        raise
    conn.close()


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


@retry(retry=retry_if_exception(_is_locked), stop=stop_after_attempt(WRITER_ATTEMPTS),
       wait=wait_random_exponential(multiplier=0.05, max=2), reraise=True)
def _open(engine: Engine) -> Connection:
    conn = engine.connect()
    try:
        if conn.dialect.name == "sqlite":
            conn.execution_options(sqlite_immediate=True)
        conn.begin()
        _serialize(conn)
        return conn
    except BaseException:
        conn.close()
        raise


def _connection(target: Session | Connection) -> Connection:
    if isinstance(target, Session):
        try:
            return target.connection()
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"no connection for the audit write: {_describe(exc)}") from exc
    if isinstance(target, Connection):
        return target
    raise TypeError(f"append needs a Session, Connection or Engine, not {type(target).__name__}")


def _serialize(conn: Connection) -> None:
    name = conn.dialect.name
    if name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    elif name == "sqlite":
        # Writes nothing, but takes SQLite's write lock before the head is read.
        conn.execute(text("INSERT INTO audit_blobs (sha256, body) SELECT NULL, NULL WHERE 0"))


def _prepare(e: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(e) - {"type", "actor", "document_id", "run_id", "payload"}
    if unknown:
        raise InvalidEvent(f"unknown event fields: {sorted(unknown)}")
    etype, actor = e.get("type"), e.get("actor")
    if not isinstance(etype, str) or not is_valid_type(etype):
        raise InvalidEvent(f"event type {etype!r} is not a dotted lower-case name such as 'llm.request'")
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 256:
        raise InvalidEvent(f"actor {actor!r} must be a non-empty string of at most 256 characters")
    for key in ("document_id", "run_id"):
        v = e.get(key)
        if v is not None and (not isinstance(v, str) or not v or len(v) > 64):
            raise InvalidEvent(f"{key} {v!r} must be None or a string of 1..64 characters")
    payload, blobs = prepare_payload(e.get("payload", {}))
    return {"type": etype, "actor": actor, "document_id": e.get("document_id"),
            "run_id": e.get("run_id"), "payload": payload, "blobs": blobs}


def _refuse_other_key(head_id: int, head_key_id: str | None) -> None:
    key = current_key()
    if head_key_id is not None and (key is None or key.key_id != head_key_id):
        raise AuditWriteError(
            f"the audit log is keyed: event {head_id} carries a MAC under key {head_key_id}, but "
            + ("no audit key is configured" if key is None else f"the configured key is {key.key_id}")
            + " (CLAUSEWISE_AUDIT_KEY_FILE or CLAUSEWISE_AUDIT_KEY); an event without that key's MAC would "
            "read as forged")


def check_writer(engine: Engine) -> None:
    """Raise :class:`AuditWriteError` now if this process could not append to the log of ``engine``: its newest
    event carries a MAC and no audit key, or another key, is configured. Commands that write call it before
    they start work, so a long run is not lost at its first event. No effect on an empty or unkeyed log."""
    ev = events_table.c
    with engine.connect() as conn:
        head = conn.execute(select(ev.id, ev.key_id).order_by(ev.id.desc()).limit(1)).first()
    if head is not None:
        _refuse_other_key(head.id, head.key_id)


def _write(conn: Connection, specs: list[dict[str, Any]]) -> list[AuditEvent]:
    ev = events_table.c
    try:
        _serialize(conn)
        head = conn.execute(select(ev.id, ev.hash, ev.ts, ev.key_id).order_by(ev.id.desc()).limit(1)).first()
        last_id, prev_hash, last_ts = (head.id, head.hash, head.ts) if head else (0, GENESIS_HASH, "")
        key = current_key()
        if head is not None:
            _refuse_other_key(head.id, head.key_id)
        ts = max(now_ts(), last_ts)  # never earlier than the head, even if the clock stepped back
        rows, out, blob_rows = [], [], {}
        for i, s in enumerate(specs, start=last_id + 1):
            try:
                canonical, h = seal(id=i, ts=ts, actor=s["actor"], type=s["type"], document_id=s["document_id"],
                                    run_id=s["run_id"], payload=s["payload"], prev_hash=prev_hash)
                canonical.encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise InvalidEvent(f"event {s['type']} cannot be encoded: {exc}") from exc
            row = {"id": i, "ts": ts, "actor": s["actor"], "type": s["type"], "document_id": s["document_id"],
                   "run_id": s["run_id"], "prev_hash": prev_hash, "hash": h, "canonical": canonical,
                   "mac": key.mac(h) if key else None, "key_id": key.key_id if key else None}
            rows.append(row)
            out.append(AuditEvent(payload=s["payload"], **row))
            blob_rows.update(s["blobs"])
            prev_hash = h
        if blob_rows:
            ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            values = [{"sha256": k, "body": v} for k, v in blob_rows.items()]
            if conn.dialect.name in ("postgresql", "sqlite"):
                conn.execute(ins(blobs_table).on_conflict_do_nothing(index_elements=["sha256"]), values)
            else:  # pragma: no cover - other dialects: insert only the missing ones
                have = set(conn.scalars(select(blobs_table.c.sha256).where(blobs_table.c.sha256.in_(blob_rows))))
                if missing := [v for v in values if v["sha256"] not in have]:
                    conn.execute(blobs_table.insert(), missing)
        conn.execute(events_table.insert(), rows)
    except SQLAlchemyError as exc:
        raise AuditWriteError(f"audit write failed: {_describe(exc)}") from exc
    return out


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(orig).__name__}: {first}"
