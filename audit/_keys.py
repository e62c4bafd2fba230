"""The audit key: a secret the database never holds, that authenticates every event and signs checkpoints.

Without it, anyone who can write the audit tables (the role that owns them can disable the append-only
triggers) could rewrite a suffix of the log and re-hash it, or append a correctly chained event: the hash
chain alone is unkeyed SHA-256 that anyone can recompute. With it, neither verifies.

Key
    32 random bytes, written as 64 lowercase hex digits: the one line of a key file (``clausewise audit
    keygen --out FILE``, mode 0600) named by ``CLAUSEWISE_AUDIT_KEY_FILE``, or the value of
    ``CLAUSEWISE_AUDIT_KEY``. Keep it away from the database and its backups.
    ``key_id`` = the first 16 hex digits of ``SHA-256(ASCII("clausewise.audit.key-id/1") || key)``: names the
    key in events and checkpoints and reveals nothing of it.

Event MAC (RFC 2104 HMAC, RFC 5869 HKDF)
    ``mac_key = HKDF-SHA256(key, salt=None, info=ASCII("clausewise.audit.event-mac/1"), length=32)``;
    ``mac = lowercase hex HMAC-SHA256(mac_key, ASCII(hash))`` where ``hash`` is the event's chain hash
    (:mod:`audit._chain`), which covers ``prev_hash`` and so the whole history before the event. Stored in
    ``audit_events.mac`` with ``audit_events.key_id``; neither is part of the hashed record.

Checkpoint (a signed head, as Certificate Transparency signs tree heads, RFC 6962 §3.5)
    An Ed25519 key pair (RFC 8032) whose private seed is
    ``HKDF-SHA256(key, salt=None, info=ASCII("clausewise.audit.checkpoint-ed25519/1"), length=32)``; the public
    key (64 hex digits) can be handed to an auditor who holds no secret. A checkpoint file is one JSON object
    ``{"format": "clausewise.audit.checkpoint/1", "count", "head_hash", "ts", "key_id", "public_key",
    "signature"}``: ``count`` events in the log, ``head_hash`` the hash of event ``count`` (64 zeros when
    ``count`` is 0), ``ts`` UTC time of signing (``YYYY-MM-DDTHH:MM:SS.ffffffZ``), ``signature`` the hex Ed25519
    signature of the canonical JSON (keys sorted, no whitespace, UTF-8) of the other six keys. A log extends
    the checkpoint when its event ``count`` still has hash ``head_hash`` and its chain verifies up to there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from audit._chain import now_ts
from audit._errors import AuditKeyError

KEY_BYTES = 32
CHECKPOINT_FORMAT = "clausewise.audit.checkpoint/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAC_INFO = b"clausewise.audit.event-mac/1"
_CHECKPOINT_INFO = b"clausewise.audit.checkpoint-ed25519/1"
_KEY_ID_PREFIX = b"clausewise.audit.key-id/1"


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


class AuditKey:
    """The audit key (see module docstring). ``key_id``: 16 hex digits; ``public_key``: the checkpoint
    public key as 64 hex digits. The secret bytes are never printed (``repr`` shows the id only)."""

    __slots__ = ("_mac_key", "_signer", "key_id", "public_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise AuditKeyError(f"an audit key is {KEY_BYTES} bytes, not {len(key)}")
        self.key_id = hashlib.sha256(_KEY_ID_PREFIX + key).hexdigest()[:16]
        self._mac_key = _hkdf(key, _MAC_INFO)
        self._signer = Ed25519PrivateKey.from_private_bytes(_hkdf(key, _CHECKPOINT_INFO))
        self.public_key = self._signer.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    def __repr__(self) -> str:
        return f"AuditKey(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> tuple["AuditKey", str]:
        """A new random key and its text form (64 hex digits), from the operating system's CSPRNG."""
        raw = secrets.token_bytes(KEY_BYTES)
        return cls(raw), raw.hex()

    @classmethod
    def from_text(cls, text: str, *, source: str = "the audit key") -> "AuditKey":
        """The key written as 64 hex digits (surrounding whitespace ignored). Raises :class:`AuditKeyError`
        naming ``source`` (a file or a variable name) when the text is anything else."""
        t = text.strip().lower()
        if not _HEX64.fullmatch(t):
            raise AuditKeyError(f"{source} is not an audit key: expected 64 hex digits "
                                f"(make one with `clausewise audit keygen --out FILE`)")
        return cls(bytes.fromhex(t))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "AuditKey":
        """The key in file ``path``. Raises :class:`AuditKeyError` naming the file when it is missing,
        unreadable or holds no key."""
        p = Path(path)
        try:
            text = p.read_text(encoding="ascii")
        except FileNotFoundError:
            raise AuditKeyError(f"audit key file {p} does not exist (make it with "
                                f"`clausewise audit keygen --out {p}`)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyError(f"audit key file {p} cannot be read: {exc}") from None
        return cls.from_text(text, source=f"audit key file {p}")

    def mac(self, event_hash: str) -> str:
        """HMAC-SHA256 of an event's chain hash under the event-MAC key, 64 lowercase hex digits."""
        return hmac.digest(self._mac_key, event_hash.encode("ascii"), "sha256").hex()

    def mac_matches(self, event_hash: str, mac: str) -> bool:
        """Whether ``mac`` is this key's MAC of ``event_hash`` (constant-time comparison)."""
        return hmac.compare_digest(self.mac(event_hash), mac)

    def sign_checkpoint(self, count: int, head_hash: str, ts: str | None = None) -> "Checkpoint":
        """A checkpoint of a log of ``count`` events whose newest has hash ``head_hash``, signed now (or at
        ``ts``, UTC text)."""
        unsigned = {"format": CHECKPOINT_FORMAT, "count": count, "head_hash": head_hash, "ts": ts or now_ts(),
                    "key_id": self.key_id, "public_key": self.public_key}
        return Checkpoint(**unsigned, signature=self._signer.sign(_signed_bytes(unsigned)).hex())


def generate_key_file(path: str | os.PathLike[str]) -> AuditKey:
    """Write a new random key to ``path`` (created with mode 0600, its folder if missing) and return it.

    Raises :class:`AuditKeyError` when ``path`` exists (an existing key is never overwritten: the events it
    authenticated could no longer be verified) or cannot be written."""
    p = Path(path)
    key, text = AuditKey.generate()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AuditKeyError(f"audit key file {p} already exists; it is not overwritten (the events it "
                            "authenticated could no longer be verified)") from None
    except OSError as exc:
        raise AuditKeyError(f"audit key file {p} cannot be written: {exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
    return key


@dataclass(frozen=True)
class Checkpoint:
    """A signed head (see module docstring): ``count`` events, ``head_hash`` of event ``count``, ``ts`` UTC
    text, ``key_id`` and ``public_key`` (hex) of the signing key, ``signature`` (hex Ed25519)."""

    format: str
    count: int
    head_hash: str
    ts: str
    key_id: str
    public_key: str
    signature: str

    def to_json(self) -> str:
        """The checkpoint file's text: one JSON object and a newline."""
        return json.dumps(asdict(self), sort_keys=True, indent=2) + "\n"

    def signature_valid(self, public_key: str) -> bool:
        """Whether ``signature`` is valid for the other fields under ``public_key`` (64 hex digits)."""
        try:
            pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
            pub.verify(bytes.fromhex(self.signature), _signed_bytes(
                {k: v for k, v in asdict(self).items() if k != "signature"}))
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Checkpoint":
        """Read a checkpoint file. Raises :class:`AuditKeyError` naming the file when it is missing or is not
        a checkpoint of this format."""
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AuditKeyError(f"checkpoint file {p} does not exist") from None
        except (OSError, ValueError) as exc:
            raise AuditKeyError(f"checkpoint file {p} is not JSON: {exc}") from None
        want = {"format", "count", "head_hash", "ts", "key_id", "public_key", "signature"}
        if not isinstance(data, dict) or set(data) != want or data.get("format") != CHECKPOINT_FORMAT:
            raise AuditKeyError(f"checkpoint file {p} is not a {CHECKPOINT_FORMAT} checkpoint "
                                f"(keys {sorted(want)})")
        if not isinstance(data["count"], int) or isinstance(data["count"], bool) or data["count"] < 0 \
                or not all(isinstance(data[k], str) for k in want - {"count"}) \
                or not _HEX64.fullmatch(data["head_hash"]):
            raise AuditKeyError(f"checkpoint file {p}: count must be an integer >= 0, head_hash 64 hex digits and "
                                "the other fields text")
        return cls(**data)


def _signed_bytes(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_lock = threading.Lock()
_current: AuditKey | None = None


def use_key(key: AuditKey | None) -> None:
    """Put ``key`` in force for this process: every event appended afterwards carries its MAC, and
    :func:`audit.verify` checks MACs with it. ``None``: events are written without a MAC (a log whose
    newest event carries one then refuses the write, see :func:`audit.append`). ``pipeline.settings.Settings``
    calls this with the configured key each time settings are loaded."""
    global _current
    with _lock:
        _current = key


def current_key() -> AuditKey | None:
    """The key in force for this process (:func:`use_key`), or ``None``."""
    return _current
