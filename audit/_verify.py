"""Recompute the chain, check every event's keyed MAC and the signed checkpoints, and name the first failure.

Formats: the chain in :mod:`audit._chain`, the MAC and checkpoints in :mod:`audit._keys`.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, text

from audit._chain import GENESIS_HASH, blob_hash, chain_hash
from audit._keys import AuditKey, Checkpoint, current_key
from audit._redact import blob_refs
from audit.schema import blobs as blobs_table

BATCH = 20_000
RECENT = 4096  # hashes of recent events kept to tell an insertion from a reorder

# The checks, and the problems each names.
CHAIN, MAC, EXPECT_HEAD, CHECKPOINT = "chain", "mac", "expect_head", "checkpoint"
EDITED, DELETED, INSERTED, REORDERED, HEAD_NOT_FOUND = "edited", "deleted", "inserted", "reordered", "head_not_found"
MAC_MISSING, MAC_INVALID, WRONG_KEY = "mac_missing", "mac_invalid", "wrong_key"
CHECKPOINT_SIGNATURE, TRUNCATED, HEAD_MISMATCH = "checkpoint_signature", "truncated", "head_mismatch"
CHECK_OF = {EDITED: CHAIN, DELETED: CHAIN, INSERTED: CHAIN, REORDERED: CHAIN, HEAD_NOT_FOUND: EXPECT_HEAD,
            MAC_MISSING: MAC, MAC_INVALID: MAC, WRONG_KEY: MAC,
            CHECKPOINT_SIGNATURE: CHECKPOINT, TRUNCATED: CHECKPOINT, HEAD_MISMATCH: CHECKPOINT}
_FIELDS = ("ts", "actor", "type", "document_id", "run_id", "prev_hash")
_SELECT = text(
    "SELECT id, ts, actor, type, document_id, run_id, prev_hash, hash, canonical, mac, key_id FROM audit_events "
    "WHERE id > :after ORDER BY id LIMIT :n"
)


class _Pages:
    """Pages of rows in id order (keyset: ``id > last``), fetched by a helper thread one page ahead so that
    the database's work overlaps with the hashing here (the driver releases the GIL while it waits)."""

    def __init__(self, engine: Engine, batch: int) -> None:
        self._engine, self._batch = engine, batch
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="audit-verify-fetch", daemon=True)

    def __enter__(self) -> "_Pages":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)  # unblock a producer waiting on a full queue
            except queue.Empty:
                pass
        self._thread.join()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            with self._engine.connect() as conn:
                last = 0
                while not self._stop.is_set():
                    rows = conn.execute(_SELECT, {"after": last, "n": self._batch}).all()
                    if not self._put(rows) or not rows:
                        return
                    last = rows[-1][0]
        except BaseException as exc:  # handed to the reader, which re-raises it
            self._put(exc)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`.

    ``ok``; ``count`` events checked (up to and excluding the first bad one); ``head_hash`` of the last good
    event (genesis, 64 zeros, for an empty log); ``first_bad_id`` the id of the first event that fails
    (``None`` if ok or if the failure is not one event's); ``problem`` (``None`` if ok), one of
    ``edited``, ``deleted``, ``inserted``, ``reordered`` (check ``chain``), ``mac_missing``, ``mac_invalid``,
    ``wrong_key`` (check ``mac``), ``head_not_found`` (check ``expect_head``), ``checkpoint_signature``,
    ``truncated``, ``head_mismatch`` (check ``checkpoint``); ``detail`` a sentence for people; ``check`` the
    check that failed (:data:`CHECK_OF`); ``keyed`` / ``unkeyed`` how many of the ``count`` events carry a
    MAC / none; ``key_id`` the key the MACs were checked with (``None``: no key, MACs not checked).
    """

    ok: bool
    count: int
    head_hash: str
    first_bad_id: int | None = None
    problem: str | None = None
    detail: str = ""
    check: str | None = None
    keyed: int = 0
    unkeyed: int = 0
    key_id: str | None = None


class _Bad(Exception):
    def __init__(self, event_id: int | None, problem: str, detail: str) -> None:
        self.event_id, self.problem, self.detail = event_id, problem, detail


def verify(engine: Engine, expect_head: str | None = None, *, key: AuditKey | None = None,
           checkpoint: Checkpoint | None = None, public_key: str | None = None, require_mac: bool = False,
           batch: int = BATCH) -> VerifyResult:
    """Re-check the whole log in id order, streaming ``batch`` rows at a time (keyset pages).

    Check ``chain``, per event: id = previous id + 1 (first is 1), the columns equal the hashed canonical
    record, ``sha256(prev_hash + canonical) == hash``, ``prev_hash`` = previous hash, and each referenced blob
    exists and hashes to its key. Problems: ``edited`` (a row no longer matches its hash, or a column differs
    from the hashed record, or a blob changed), ``deleted`` (a gap in ids: those events are missing; or a blob
    is missing), ``inserted`` (an event not chained to its predecessor: it, or rows before it, were added),
    ``reordered`` (a row sits at a position other than the id it was hashed with).

    Check ``mac`` (:mod:`audit._keys`), with ``key`` (default: the key in force, :func:`audit.use_key`):
    every event that carries a MAC must carry this key's id (else ``wrong_key``) and its MAC of the event's
    hash (else ``mac_invalid``: the event was forged or rewritten without the key). With or without a key, an
    event without a MAC after one with a MAC is ``mac_missing`` (a writer without the key); events before the
    first MAC (written before a key was configured) are counted as ``unkeyed`` and pass, unless
    ``require_mac``. Without a key MACs are not checked (``key_id`` of the result is ``None``).

    Check ``expect_head``: a hash written down earlier must still be in the log (``head_not_found``).
    Check ``checkpoint`` (a :class:`audit.Checkpoint`): its signature must verify under the key's checkpoint
    public key, or ``public_key`` (64 hex digits) when no key is given (``checkpoint_signature``); the log must
    still hold its ``count`` events (``truncated``) and event ``count`` must have its ``head_hash``
    (``head_mismatch``). Deleting the newest events leaves a valid shorter chain: only ``expect_head`` or a
    checkpoint detects that.
    """
    key = key if key is not None else current_key()
    expect = expect_head.strip().lower() if expect_head else None
    seen_expected = expect is None or expect == GENESIS_HASH
    prev_id, prev_hash, count, keyed, unkeyed = 0, GENESIS_HASH, 0, 0, 0
    kid = key.key_id if key is not None else None

    def result(ok: bool, bad_id: int | None, problem: str | None, detail: str) -> VerifyResult:
        return VerifyResult(ok, count, prev_hash, bad_id, problem, detail, CHECK_OF.get(problem or ""),
                            keyed, unkeyed, kid)

    cp_at = -1
    if checkpoint is not None:
        pub = key.public_key if key is not None else (public_key or "").strip().lower()
        if not pub:
            return result(False, None, CHECKPOINT_SIGNATURE, "no key to check the checkpoint's signature with: "
                          "configure the audit key or give the checkpoint public key")
        if checkpoint.public_key != pub:
            return result(False, None, CHECKPOINT_SIGNATURE, f"the checkpoint is signed by another key (key id "
                          f"{checkpoint.key_id}, public key {checkpoint.public_key}), not by {pub}")
        if not checkpoint.signature_valid(pub):
            return result(False, None, CHECKPOINT_SIGNATURE, "the checkpoint's signature does not verify: the "
                          "checkpoint was altered after it was signed")
        cp_at = checkpoint.count
    recent: OrderedDict[str, int] = OrderedDict()
    checked_blobs: set[str] = set()
    loads, enc = json.loads, encode_basestring
    sha256 = hashlib.sha256
    with engine.connect() as conn, _Pages(engine, batch) as pages:
        try:
            for rows in pages:
                for r in rows:
                    # Fast path inlined (1 M events must verify in well under 30 s); _check names a failure.
                    rid, ts, actor, etype, doc, run, rprev, rhash, canonical, rmac, rkid = r
                    if (rid != prev_id + 1 or rprev != prev_hash
                            or sha256((rprev + canonical).encode("utf-8")).hexdigest() != rhash):
                        _check(r, prev_id, prev_hash, recent, loads)
                    # The record's keys are sorted: actor, document_id, id | payload | prev_hash, run_id, ts, type.
                    # Compare the text around the payload with the columns (the payload is covered by the hash).
                    if not (canonical.startswith(
                            f'{{"actor":{enc(actor)},"document_id":{"null" if doc is None else enc(doc)},'
                            f'"id":{rid},"payload":{{')
                            and canonical.endswith(
                                f',"prev_hash":{enc(rprev)},"run_id":{"null" if run is None else enc(run)},'
                                f'"ts":{enc(ts)},"type":{enc(etype)}}}')):
                        _check(r, prev_id, prev_hash, recent, loads)
                        raise _Bad(rid, EDITED, f"event {rid}: canonical text is not in the canonical form")
                    if '"$blob"' in canonical:
                        _check_blobs(conn, r, loads, checked_blobs)
                    if rmac is None:
                        if keyed or require_mac:
                            raise _Bad(rid, MAC_MISSING, f"event {rid} carries no MAC" + (
                                f" although events before it do: it was written by someone without the audit key"
                                if keyed else " (every event must carry one)"))
                        unkeyed += 1
                    else:
                        if key is not None:
                            if rkid != kid:
                                raise _Bad(rid, WRONG_KEY, f"event {rid} carries a MAC under key {rkid}, not under "
                                                           f"the configured key {kid}")
                            if not key.mac_matches(rhash, rmac):
                                raise _Bad(rid, MAC_INVALID, f"event {rid}: its MAC is not the key's MAC of its hash: "
                                                             "the event was forged or rewritten without the key")
                        keyed += 1
                    if rid == cp_at and rhash != checkpoint.head_hash:
                        raise _Bad(rid, HEAD_MISMATCH, f"event {rid} has hash {rhash}, but the checkpoint signed at "
                                                       f"{checkpoint.ts} holds {checkpoint.head_hash}: the log was "
                                                       "rewritten up to there")
                    recent[rhash] = rid
                    if len(recent) > RECENT:
                        recent.popitem(last=False)
                    if not seen_expected and rhash == expect:
                        seen_expected = True
                    prev_id, prev_hash = rid, rhash
                    count += 1
        except _Bad as bad:
            return result(False, bad.event_id, bad.problem, bad.detail)
    if checkpoint is not None and count < checkpoint.count:
        return result(False, None, TRUNCATED, f"the log holds {count} events, the checkpoint signed at "
                      f"{checkpoint.ts} holds {checkpoint.count}: events {count + 1}..{checkpoint.count} were cut")
    if not seen_expected:
        return result(False, None, HEAD_NOT_FOUND, f"expected head {expect} is not in the log of {count} events: "
                      "events were deleted from its end or the chain was rewritten")
    parts = [f"{count} events verified; head {prev_hash}"]
    if key is not None:
        parts.append(f"MAC checked on {keyed} events (key {kid})")
    else:
        parts.append(f"MAC not checked: no audit key configured ({keyed} events carry one)")
    if unkeyed:
        parts.append(f"events 1..{unkeyed} carry no MAC (written before a key was configured; "
                     "only a checkpoint taken after them protects them)")
    if checkpoint is not None:
        parts.append(f"extends the checkpoint of {checkpoint.count} events signed at {checkpoint.ts}")
    return result(True, None, None, "; ".join(parts))


def _check(r: Any, prev_id: int, prev_hash: str, recent: OrderedDict[str, int], loads) -> None:
    if r.id != prev_id + 1:
        missing = f"{prev_id + 1}" if r.id == prev_id + 2 else f"{prev_id + 1}..{r.id - 1}"
        raise _Bad(prev_id + 1, DELETED, f"event(s) {missing} missing before event {r.id}")
    if chain_hash(r.prev_hash, r.canonical) != r.hash:
        raise _Bad(r.id, EDITED, f"event {r.id}: sha256(prev_hash + canonical) does not equal its stored hash "
                                 "(canonical text, prev_hash or hash was changed)")
    try:
        rec = loads(r.canonical)
    except ValueError as exc:
        raise _Bad(r.id, EDITED, f"event {r.id}: canonical text is not JSON ({exc})") from None
    for f in _FIELDS:
        if rec.get(f) != getattr(r, f):
            raise _Bad(r.id, EDITED, f"event {r.id}: column {f} = {getattr(r, f)!r} but the hashed record has "
                                     f"{rec.get(f)!r}")
    if rec.get("id") != r.id:
        at = recent.get(r.prev_hash)
        if at is not None and at < prev_id:
            raise _Bad(at + 1, INSERTED, f"event(s) {at + 1}..{prev_id} were inserted: event at position {r.id} "
                                         f"(hashed as id {rec.get('id')}) chains to event {at}")
        raise _Bad(r.id, REORDERED, f"row at position {r.id} holds event {rec.get('id')}: rows were moved")
    if r.prev_hash != prev_hash:
        at = recent.get(r.prev_hash)
        if at is not None and at < prev_id:
            raise _Bad(at + 1, INSERTED, f"event(s) {at + 1}..{prev_id} were inserted: event {r.id} chains to "
                                         f"event {at}")
        raise _Bad(r.id, INSERTED, f"event {r.id} does not chain to event {prev_id} (prev_hash {r.prev_hash} "
                                   f"!= {prev_hash}): event {r.id} or {prev_id} is not part of the original chain")


def _check_blobs(conn, r: Any, loads, checked: set[str]) -> None:
    refs = [h for h in blob_refs(loads(r.canonical)["payload"]) if h not in checked]
    if not refs:
        return
    b = blobs_table.c
    found = {row.sha256: row.body for row in conn.execute(select(b.sha256, b.body).where(b.sha256.in_(refs)))}
    for h in refs:
        if h not in found:
            raise _Bad(r.id, DELETED, f"event {r.id}: blob {h} is missing from audit_blobs")
        if blob_hash(found[h]) != h:
            raise _Bad(r.id, EDITED, f"event {r.id}: blob {h} was changed (its body no longer hashes to its key)")
        checked.add(h)
