"""Clausewise audit log: append-only, hash-chained events that auditors can query and verify.

Write (the one write path; redaction of secrets happens here)::

    with audit.writer(engine) as conn:                      # short transaction, SQLite BEGIN IMMEDIATE
        audit.append(conn, type=audit.events.LLM_REQUEST, actor="qwen2.5-coder-1.5b",
                     document_id=doc_id, run_id=run_id, payload=audit.llm_payload(...))

``append`` also takes the caller's ``Session``/``Connection`` (the event commits with the caller's own
writes) or an ``Engine`` (own transaction). A failed write raises :class:`AuditWriteError`; :func:`check_writer`
raises it up front when this process's key could not append to a keyed log.
Read: :func:`query`, :func:`get`, :func:`head`; check: :func:`verify`; hand over: :func:`export_document`,
:func:`verify_bundle`.

Tamper evidence against the database's own users: with an :class:`AuditKey` in force (:func:`use_key`; the
pipeline's settings load it from ``CLAUSEWISE_AUDIT_KEY_FILE`` or ``CLAUSEWISE_AUDIT_KEY``) every event carries
a keyed MAC that no database role can compute, and :meth:`AuditKey.sign_checkpoint` signs the head
(:class:`Checkpoint`) for an auditor to keep outside the database; :func:`generate_key_file` makes a key.
Secrets this process holds are registered with :func:`add_secret` and never written.

The exact chain format (canonical JSON, fields, timestamp format, genesis ``prev_hash`` = 64 zeros,
``hash = sha256(prev_hash + canonical)``) is documented in :mod:`audit._chain`, which :func:`canonical_text`
and :func:`chain_hash` implement; the MAC and checkpoint format in :mod:`audit._keys`; the transaction and
locking contract in :mod:`audit._store`; redaction rules in :mod:`audit._redact`; tables, the append-only
triggers and the writer role's grants in :mod:`audit.schema`.
"""

from audit import events
from audit._chain import BLOB_THRESHOLD, GENESIS_HASH, canonical_text, chain_hash
from audit._errors import AuditError, AuditKeyError, AuditWriteError, EventNotFound, InvalidEvent
from audit._event import AuditEvent
from audit._export import ExportResult, export_document, verify_bundle
from audit._keys import AuditKey, Checkpoint, current_key, generate_key_file, use_key
from audit._query import ChainHead, get, head, query
from audit._redact import REDACTED, add_secret, is_secret_key, redact_text
from audit._store import append, append_many, check_writer, writer
from audit._verify import VerifyResult, verify
from audit.events import EVENT_TYPES, llm_payload

__all__ = [
    "AuditError", "AuditEvent", "AuditKey", "AuditKeyError", "AuditWriteError", "BLOB_THRESHOLD", "ChainHead",
    "Checkpoint", "EVENT_TYPES", "EventNotFound", "ExportResult", "GENESIS_HASH", "InvalidEvent", "REDACTED",
    "VerifyResult", "add_secret", "append", "append_many", "canonical_text", "check_writer", "chain_hash", "current_key", "events",
    "export_document", "generate_key_file", "get", "head", "is_secret_key", "llm_payload", "query", "redact_text", "use_key",
    "verify", "verify_bundle", "writer",
]
