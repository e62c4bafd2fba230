"""Read the log: filters for people and the review UI (all in process, no CLI needed)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from typing import Any, NamedTuple

from sqlalchemy import Engine, select

from audit._chain import GENESIS_HASH, format_ts
from audit._errors import EventNotFound
from audit._event import AuditEvent
from audit._redact import BLOB_KEY, blob_refs
from audit.schema import blobs as blobs_table
from audit.schema import events as events_table

Moment = datetime | date | str


class ChainHead(NamedTuple):
    """The newest event: its ``id`` (= number of events) and ``hash``; ``(0, 64 zeros)`` when empty."""

    id: int
    hash: str


def head(engine: Engine) -> ChainHead:
    """The current head of the chain (not verified; see :func:`audit.verify`)."""
    ev = events_table.c
    with engine.connect() as conn:
        row = conn.execute(select(ev.id, ev.hash).order_by(ev.id.desc()).limit(1)).first()
    return ChainHead(row.id, row.hash) if row else ChainHead(0, GENESIS_HASH)


def get(engine: Engine, event_id: int, *, resolve_blobs: bool = True) -> AuditEvent:
    """Event ``event_id`` in full; with ``resolve_blobs`` the ``{"$blob": h}`` references in its payload are
    replaced by their text (the hashed ``canonical`` keeps the references). Raises :class:`EventNotFound`."""
    with engine.connect() as conn:
        row = conn.execute(select(events_table).where(events_table.c.id == event_id)).first()
        if row is None:
            raise EventNotFound(f"no audit event with id {event_id}")
        return _event(conn, row, resolve_blobs)


def query(engine: Engine, document: str | None = None, type_glob: str | None = None, actor: str | None = None,
          since: Moment | None = None, until: Moment | None = None, run: str | None = None,
          limit: int | None = None, *, resolve_blobs: bool = False) -> list[AuditEvent]:
    """Events matching every given filter, in ascending id (= chain) order.

    ``document``/``actor``/``run``: exact ids; ``type_glob``: shell-style with ``*`` and ``?``
    (``llm.*``); ``since`` (inclusive) and ``until`` (exclusive): ``datetime`` (naive = UTC), ``date``
    (midnight UTC) or ISO 8601 text; ``limit``: keep only the newest N matches.
    Raises ``ValueError`` for an unreadable time or a non-positive limit.
    """
    ev = events_table.c
    stmt = select(events_table)
    if document is not None:
        stmt = stmt.where(ev.document_id == document)
    if run is not None:
        stmt = stmt.where(ev.run_id == run)
    if actor is not None:
        stmt = stmt.where(ev.actor == actor)
    if type_glob:
        if any(c in type_glob for c in "*?"):
            stmt = stmt.where(ev.type.like(_glob_to_like(type_glob), escape="\\"))
        else:
            stmt = stmt.where(ev.type == type_glob)
    if since is not None:
        stmt = stmt.where(ev.ts >= to_ts(since))
    if until is not None:
        stmt = stmt.where(ev.ts < to_ts(until))
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, not {limit}")
        stmt = stmt.order_by(ev.id.desc()).limit(limit)
    else:
        stmt = stmt.order_by(ev.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        if limit is not None:
            rows.reverse()
        return [_event(conn, r, resolve_blobs) for r in rows]


def to_ts(moment: Moment) -> str:
    """``moment`` in the chain's UTC timestamp format; text is read as ISO 8601 (``Z`` or offset allowed,
    no zone = UTC, a bare date = midnight UTC). Raises ``ValueError``."""
    if isinstance(moment, str):
        s = moment.strip()
        moment = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
    if isinstance(moment, datetime):
        return format_ts(moment)
    if isinstance(moment, date):
        return format_ts(datetime.combine(moment, time(), tzinfo=timezone.utc))
    raise ValueError(f"not a time: {moment!r}")


def _glob_to_like(glob: str) -> str:
    out = []
    for c in glob:
        if c in "%_\\":
            out.append("\\" + c)
        elif c == "*":
            out.append("%")
        elif c == "?":
            out.append("_")
        else:
            out.append(c)
    return "".join(out)


def _event(conn, row: Any, resolve_blobs: bool) -> AuditEvent:
    payload = json.loads(row.canonical)["payload"]
    if resolve_blobs and '"$blob"' in row.canonical:
        payload = _resolve(conn, payload)
    return AuditEvent.from_row(row, payload)


def resolve_blobs(conn, payload: Any) -> Any:
    """``payload`` with every ``{"$blob": h}`` replaced by the blob's text (missing blobs left as references)."""
    return _resolve(conn, payload)


def _resolve(conn, payload: Any) -> Any:
    refs = blob_refs(payload)
    if not refs:
        return payload
    b = blobs_table.c
    bodies = {r.sha256: r.body for r in conn.execute(select(b.sha256, b.body).where(b.sha256.in_(refs)))}

    def sub(v: Any) -> Any:
        if isinstance(v, dict):
            if len(v) == 1 and v.get(BLOB_KEY) in bodies:
                return bodies[v[BLOB_KEY]]
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, list):
            return [sub(x) for x in v]
        return v

    return sub(payload)
