"""The hash chain: exact format, so that any tool can re-check the log without our code.

Record
    Each event is the JSON object with exactly these 8 keys::

        {"actor": str, "document_id": str|null, "id": int, "payload": object,
         "prev_hash": str, "run_id": str|null, "ts": str, "type": str}

    - ``id``: 1, 2, 3, ... with no gap, in append order (assigned by the writer under a lock).
    - ``ts``: UTC time of the append, microseconds, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (27 characters,
      e.g. ``2026-11-29T09:14:53.581972Z``); never smaller than the previous event's ``ts``.
    - ``payload``: a JSON object after redaction of secrets. A string value longer than
      :data:`BLOB_THRESHOLD` UTF-8 bytes is replaced by ``{"$blob": "<sha256 hex of its UTF-8 bytes>"}``
      and its text is stored once in table ``audit_blobs(sha256, body)``.
    - ``prev_hash``: the ``hash`` of event ``id - 1``; for event 1 the genesis value, 64 ``"0"``.

Canonical text
    ``json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)``
    i.e. keys sorted by code point, no whitespace outside strings, non-ASCII characters written as
    themselves, encoded as UTF-8. This text is stored verbatim in column ``audit_events.canonical``;
    a verifier hashes the stored text, it never re-serializes it.

Hash
    ``hash = lowercase hex SHA-256( ASCII(prev_hash) || UTF-8(canonical) )`` (64 hex digits).

Re-checking a log (what :func:`audit.verify` does): read events by ascending ``id``; for each, check
``id`` is the previous id + 1 (first is 1), ``prev_hash`` equals the previous ``hash`` (first: genesis),
``sha256(prev_hash + canonical) == hash``, the columns ``id, ts, actor, type, document_id, run_id,
prev_hash`` equal the same keys in the parsed canonical text, and every ``{"$blob": h}`` in the payload
has a row in ``audit_blobs`` whose body hashes to ``h``. Write the head hash down elsewhere
(``clausewise audit head``) to detect a rewrite of the whole tail: ``verify --expect-head``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

GENESIS_HASH = "0" * 64
BLOB_THRESHOLD = 8192  # bytes of UTF-8; larger string values go to audit_blobs
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
RECORD_KEYS = ("actor", "document_id", "id", "payload", "prev_hash", "run_id", "ts", "type")


def format_ts(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TS_FORMAT)


def now_ts() -> str:
    """The current UTC time in the chain's timestamp format."""
    return format_ts(datetime.now(timezone.utc))


def canonical_text(record: dict) -> str:
    """The canonical JSON text of ``record`` (see module docstring). Raises ``ValueError``/``TypeError``
    for values JSON cannot carry (NaN, infinities, non-string keys, unknown objects)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev_hash: str, canonical: str) -> str:
    """``sha256(ASCII(prev_hash) || UTF-8(canonical))`` as 64 lowercase hex digits."""
    h = hashlib.sha256(prev_hash.encode("ascii"))
    h.update(canonical.encode("utf-8"))
    return h.hexdigest()


def blob_hash(body: str) -> str:
    """SHA-256 hex of the UTF-8 bytes of a blob body (its key in ``audit_blobs``)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(*, id: int, ts: str, actor: str, type: str, document_id: str | None, run_id: str | None,
         payload: dict, prev_hash: str) -> tuple[str, str]:
    """Canonical text and hash of one event: ``(canonical, hash)``."""
    record = {"actor": actor, "document_id": document_id, "id": id, "payload": payload,
              "prev_hash": prev_hash, "run_id": run_id, "ts": ts, "type": type}
    canonical = canonical_text(record)
    return canonical, chain_hash(prev_hash, canonical)
