"""Self-contained JSONL bundle of one document's audit history, and its checker.

Bundle layout (UTF-8, one JSON object per line, ``\\n`` after each):

1. ``{"kind": "header", "format": "clausewise.audit.bundle/1", "document_id", "exported_at",
   "chain_head": {"id", "hash"}, "events": N, "genesis_prev_hash", "hash_rule"}`` — ``chain_head`` is the
   head of the whole log just before export.
2. N lines ``{"kind": "event", "id", "prev_hash", "hash", "canonical", "mac", "key_id", "next", "blobs"}`` in
   id order: the event's global id, its exact hashed text, its keyed MAC and key id (``null`` when written
   without an audit key, :mod:`audit._keys`), its neighbours' hashes (``prev_hash``: event id-1;
   ``next``: ``{"id", "hash"}`` of event id+1 in the global chain, ``null`` for the head) and
   ``blobs``: ``{sha256: body}`` for every ``{"$blob": sha256}`` in its payload.
3. One line ``{"kind": "export_event", "id", "prev_hash", "hash", "canonical", "mac", "key_id"}``: the
   ``audit.exported`` event appended to the log by the export; its payload's ``bundle_sha256`` is the SHA-256
   of the bundle's bytes before this line.

How to check it without our code (what :func:`verify_bundle` does):
- for every event and the export event: ``sha256(prev_hash + canonical) == hash`` (ASCII hex + UTF-8),
  and ``json.loads(canonical)`` has the same ``id``, ``prev_hash`` and ``document_id`` = the bundle's;
- ids strictly increase; where two events are neighbours in the chain (``id`` and ``id+1``), the later
  ``prev_hash`` equals the earlier ``hash`` and the earlier ``next.hash`` equals the later ``hash``;
- each blob body hashes (SHA-256 of UTF-8) to its key, and every referenced blob is present;
- the export event's payload ``bundle_sha256`` equals SHA-256 of all bytes before its line, and its
  ``event_ids`` list the event lines' ids;
- with the audit key: every ``mac`` is the key's MAC of its line's ``hash`` under the key's id, and no line
  without a MAC follows one with a MAC.
A document's events are not contiguous in the chain (other documents' events sit between them and are
not included, so as not to disclose them). Membership in the chain is checked against the live log:
``clausewise audit verify --expect-head <hash of the export event>`` proves the log still contains
the export event and everything before it, and ``clausewise audit show ID`` must give the same hash as
the bundle for each id.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from audit._chain import GENESIS_HASH, chain_hash, blob_hash, now_ts
from audit._event import AuditEvent
from audit._keys import AuditKey, current_key
from audit._redact import blob_refs
from audit._store import append
from audit._verify import (CHECK_OF, DELETED, EDITED, INSERTED, MAC_INVALID, MAC_MISSING, REORDERED, WRONG_KEY,
                           VerifyResult)
from audit.events import AUDIT_EXPORTED
from audit.schema import blobs as blobs_table
from audit.schema import events as events_table

FORMAT = "clausewise.audit.bundle/1"


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_document` wrote: ``path``, ``events`` (count, without the export event),
    ``bundle_sha256`` of the lines before the trailer, and the ``exported`` event appended to the log."""

    path: Path
    events: int
    bundle_sha256: str
    exported: AuditEvent


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def export_document(engine: Engine, document_id: str, out_path: str | os.PathLike[str], *,
                    actor: str = "system") -> ExportResult:
    """Write the JSONL bundle of ``document_id`` to ``out_path`` (layout and checks: module docstring),
    then append an ``audit.exported`` event (actor ``actor``) and write it as the last line.

    The file is written to ``<out_path>.tmp`` and renamed when complete. A document with no events gives
    a bundle with a header and the export event only. Raises ``AuditWriteError`` if the export event
    cannot be appended (the temporary file is removed, nothing is left at ``out_path``).
    """
    out = Path(out_path)
    ev, b = events_table.c, blobs_table.c
    with engine.connect() as conn:
        head_row = conn.execute(select(ev.id, ev.hash).order_by(ev.id.desc()).limit(1)).first()
        rows = conn.execute(select(ev.id, ev.prev_hash, ev.hash, ev.canonical, ev.mac, ev.key_id)
                            .where(ev.document_id == document_id).order_by(ev.id)).all()
        ids = [r.id for r in rows]
        nexts = {}
        for i in range(0, len(ids), 1000):
            want = [x + 1 for x in ids[i:i + 1000]]
            nexts.update({r.id - 1: {"id": r.id, "hash": r.hash}
                          for r in conn.execute(select(ev.id, ev.hash).where(ev.id.in_(want)))})
        lines = [_line({
            "kind": "header", "format": FORMAT, "document_id": document_id, "exported_at": now_ts(),
            "chain_head": {"id": head_row.id if head_row else 0, "hash": head_row.hash if head_row else GENESIS_HASH},
            "events": len(rows), "genesis_prev_hash": GENESIS_HASH,
            "hash_rule": "hash = sha256(ascii(prev_hash) + utf8(canonical)) hex",
        })]
        for r in rows:
            refs = blob_refs(json.loads(r.canonical)["payload"]) if '"$blob"' in r.canonical else []
            bodies = {x.sha256: x.body for x in conn.execute(select(b.sha256, b.body).where(b.sha256.in_(refs)))} if refs else {}
            lines.append(_line({"kind": "event", "id": r.id, "prev_hash": r.prev_hash, "hash": r.hash,
                                "canonical": r.canonical, "mac": r.mac, "key_id": r.key_id,
                                "next": nexts.get(r.id), "blobs": bodies}))
    body = b"".join(lines)
    digest = hashlib.sha256(body).hexdigest()
    tmp = out.with_name(out.name + ".tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(body)
    try:
        exported = append(engine, type=AUDIT_EXPORTED, actor=actor, document_id=document_id, payload={
            "format": FORMAT, "file_name": out.name, "bundle_sha256": digest, "events": len(rows), "event_ids": ids,
        })
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with tmp.open("ab") as fh:
        fh.write(_line({"kind": "export_event", "id": exported.id, "prev_hash": exported.prev_hash,
                        "hash": exported.hash, "canonical": exported.canonical, "mac": exported.mac,
                        "key_id": exported.key_id}))
    tmp.replace(out)
    return ExportResult(out, len(rows), digest, exported)


def verify_bundle(path: str | os.PathLike[str], *, key: AuditKey | None = None) -> VerifyResult:
    """Check a bundle written by :func:`export_document` on its own (no database), as described in the
    module docstring. ``count`` is the number of event lines checked; ``head_hash`` the export event's hash.
    Problems: ``edited`` (hash, field or blob mismatch, bundle bytes changed), ``deleted`` (event line or
    blob missing), ``inserted`` (an event line not listed by the export event), ``reordered``; with ``key``
    (default: the key in force) ``mac_invalid``, ``wrong_key``, and in any case ``mac_missing`` (a line
    without a MAC after one with a MAC)."""
    key = key if key is not None else current_key()
    result = _bundle_result(Path(path), key)
    return VerifyResult(result.ok, result.count, result.head_hash, result.first_bad_id, result.problem,
                        result.detail, CHECK_OF.get(result.problem or ""), key_id=key.key_id if key else None)


def _bundle_result(path: Path, key: AuditKey | None) -> VerifyResult:
    raw = path.read_bytes()
    lines = raw.splitlines(keepends=True)
    if len(lines) < 2:
        return VerifyResult(False, 0, GENESIS_HASH, None, DELETED, "bundle has no export event line")
    try:
        header = json.loads(lines[0])
        items = [json.loads(x) for x in lines[1:]]
    except ValueError as exc:
        return VerifyResult(False, 0, GENESIS_HASH, None, EDITED, f"bundle is not JSONL: {exc}")
    if header.get("kind") != "header" or header.get("format") != FORMAT or items[-1].get("kind") != "export_event":
        return VerifyResult(False, 0, GENESIS_HASH, None, EDITED, "bundle header or export line missing")
    doc, trailer, events = header.get("document_id"), items[-1], items[:-1]
    count, prev, keyed = 0, None, False
    for item in events + [trailer]:
        eid = item.get("id")
        if chain_hash(item["prev_hash"], item["canonical"]) != item["hash"]:
            return VerifyResult(False, count, GENESIS_HASH, eid, EDITED, f"event {eid}: canonical does not hash to hash")
        rec = json.loads(item["canonical"])
        if rec.get("id") != eid or rec.get("prev_hash") != item["prev_hash"] or rec.get("document_id") != doc:
            return VerifyResult(False, count, GENESIS_HASH, eid, EDITED, f"event {eid}: id/prev_hash/document_id differ "
                                                                         "from the hashed record")
        mac = item.get("mac")
        if mac is None and keyed:
            return VerifyResult(False, count, GENESIS_HASH, eid, MAC_MISSING, f"event {eid} carries no MAC although "
                                                                              "events before it do")
        if mac is not None:
            keyed = True
            if key is not None and item.get("key_id") != key.key_id:
                return VerifyResult(False, count, GENESIS_HASH, eid, WRONG_KEY, f"event {eid}: MAC under key "
                                    f"{item.get('key_id')}, not under the configured key {key.key_id}")
            if key is not None and not key.mac_matches(item["hash"], mac):
                return VerifyResult(False, count, GENESIS_HASH, eid, MAC_INVALID, f"event {eid}: its MAC is not the "
                                                                                  "key's MAC of its hash")
        if prev is not None:
            if eid <= prev["id"]:
                return VerifyResult(False, count, GENESIS_HASH, eid, REORDERED, f"event {eid} follows event {prev['id']}")
            if eid == prev["id"] + 1 and item["prev_hash"] != prev["hash"]:
                return VerifyResult(False, count, GENESIS_HASH, eid, INSERTED, f"event {eid} does not chain to {prev['id']}")
            nxt = prev.get("next")
            if eid == prev["id"] + 1 and nxt and nxt.get("hash") != item["hash"]:
                return VerifyResult(False, count, GENESIS_HASH, eid, EDITED, f"event {prev['id']} names another next hash")
        for h in blob_refs(rec["payload"]):
            body = item.get("blobs", {}).get(h) if item is not trailer else None
            if body is None:
                return VerifyResult(False, count, GENESIS_HASH, eid, DELETED, f"event {eid}: blob {h} missing")
            if blob_hash(body) != h:
                return VerifyResult(False, count, GENESIS_HASH, eid, EDITED, f"event {eid}: blob {h} changed")
        prev = item
        count += 1 if item is not trailer else 0
    tp = json.loads(trailer["canonical"])
    if tp.get("type") != AUDIT_EXPORTED:
        return VerifyResult(False, count, GENESIS_HASH, trailer["id"], EDITED, "last line is not an audit.exported event")
    if hashlib.sha256(b"".join(lines[:-1])).hexdigest() != tp["payload"].get("bundle_sha256"):
        return VerifyResult(False, count, trailer["hash"], None, EDITED,
                            "bundle bytes differ from the bundle_sha256 recorded in the export event")
    listed = tp["payload"].get("event_ids")
    got = [e["id"] for e in events]
    if listed != got:
        extra = sorted(set(got) - set(listed or []))
        kind = INSERTED if extra else DELETED
        return VerifyResult(False, count, trailer["hash"], (extra or sorted(set(listed or []) - set(got)) or [None])[0],
                            kind, f"event lines {got} differ from the exported ids {listed}")
    return VerifyResult(True, count, trailer["hash"], None, None,
                        f"{count} events of {doc} verified; export event {trailer['id']} hash {trailer['hash']}")
