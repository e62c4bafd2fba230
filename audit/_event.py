"""The event as read back from the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One event of the chain.

    ``ts`` is UTC text ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``payload`` is the stored (redacted) payload, where a
    large string may appear as ``{"$blob": sha256}`` unless it was read with ``resolve_blobs=True``;
    ``canonical`` is the exact hashed text; ``hash = sha256(prev_hash + canonical)``; ``mac`` the keyed
    HMAC-SHA256 of ``hash`` and ``key_id`` the id of its key (:mod:`audit._keys`), both ``None`` for an event
    written without an audit key.
    """

    id: int
    ts: str
    actor: str
    type: str
    document_id: str | None
    run_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    canonical: str
    mac: str | None = None
    key_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict of all fields (for JSON output)."""
        return {"id": self.id, "ts": self.ts, "actor": self.actor, "type": self.type,
                "document_id": self.document_id, "run_id": self.run_id, "payload": self.payload,
                "prev_hash": self.prev_hash, "hash": self.hash, "mac": self.mac, "key_id": self.key_id}

    @classmethod
    def from_row(cls, row: Any, payload: dict[str, Any] | None = None) -> "AuditEvent":
        """Build from an ``audit_events`` row (mapping-like); ``payload`` defaults to the canonical one."""
        if payload is None:
            payload = json.loads(row.canonical)["payload"]
        return cls(id=row.id, ts=row.ts, actor=row.actor, type=row.type, document_id=row.document_id,
                   run_id=row.run_id, payload=payload, prev_hash=row.prev_hash, hash=row.hash,
                   canonical=row.canonical, mac=getattr(row, "mac", None), key_id=getattr(row, "key_id", None))
