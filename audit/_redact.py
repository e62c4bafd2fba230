"""Redaction of secrets and normalization of payloads, applied at the one write path.

Keys (any depth, in dicts inside dicts and lists), compared case-insensitively with ``-`` read as ``_``:
exactly one of :data:`SECRET_KEYS`, or ending in one of :data:`SECRET_KEY_SUFFIXES`
(e.g. ``openai_api_key``, ``db_password``) → the whole value becomes ``"[REDACTED]"``.

Inside every string value (and in actor / ids is not needed: they are names, not secrets):
``Bearer <token>`` / ``Basic <token>``, OpenAI-style keys ``sk-...``, GitHub ``ghp_...`` tokens,
AWS access key ids ``AKIA...``, Slack ``xox?-...`` tokens, ``api_key=...``-style assignments and the
password of ``scheme://user:password@host`` URLs → ``[REDACTED]``.
Words such as "password" in contract text are left alone: the log must keep what the model saw.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import math
import re
from pathlib import PurePath
from typing import Any

from audit._chain import BLOB_THRESHOLD, blob_hash
from audit._errors import InvalidEvent

REDACTED = "[REDACTED]"
BLOB_KEY = "$blob"

SECRET_KEYS = frozenset({
    "api_key", "apikey", "x_api_key", "authorization", "proxy_authorization", "password", "passwd",
    "secret", "client_secret", "token", "access_token", "refresh_token", "id_token", "auth_token",
    "bearer", "cookie", "set_cookie", "private_key", "openai_api_key",
})
SECRET_KEY_SUFFIXES = ("_api_key", "_apikey", "_password", "_passwd", "_secret", "_access_token",
                       "_refresh_token", "_auth_token", "_private_key")

# (cheap lower-case substrings that must occur for the pattern to match, pattern, replacement)
_PATTERNS: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    (("bearer", "basic"), re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*"), r"\1 " + REDACTED),
    (("sk-",), re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), REDACTED),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), REDACTED),
    (("akia",), re.compile(r"\bAKIA[0-9A-Z]{16}\b"), REDACTED),
    (("xox",), re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"), REDACTED),
    (("key", "token", "secret", "password"),
     re.compile(r"(?i)\b((?:x[-_])?api[-_]?key|access[-_]?token|client[-_]?secret|password)"
                r"(\"?\s*[:=]\s*\"?)([^\s\"'&,;}]{4,})"), r"\1\2" + REDACTED),
    (("://",), re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@"), r"\1" + REDACTED + "@"),
]


def is_secret_key(key: str) -> bool:
    """Whether a payload key names a secret (see module docstring)."""
    k = key.lower().replace("-", "_")
    return k in SECRET_KEYS or k.endswith(SECRET_KEY_SUFFIXES)


def redact_text(text: str) -> str:
    """``text`` with secret-looking substrings replaced by ``[REDACTED]``."""
    lower = text.lower()
    for guards, pattern, repl in _PATTERNS:
        if any(g in lower for g in guards):
            text = pattern.sub(repl, text)
    return text


def prepare_payload(payload: Any) -> tuple[dict, dict[str, str]]:
    """Redact, normalize to plain JSON and move large strings to blobs.

    Returns ``(payload, blobs)`` where ``blobs`` maps SHA-256 hex → body. Normalization: tuples and
    sets → lists (sets sorted), ``datetime``/``date`` → ISO 8601, ``Decimal`` → str, ``Enum`` → value,
    ``Path`` → str, Pydantic models (``model_dump(mode="json")``) and dataclasses → dicts.
    Raises :class:`InvalidEvent` if ``payload`` is not a mapping, has non-string keys, uses the reserved
    key ``$blob``, holds NaN/infinity or an object with no JSON form.
    """
    if not isinstance(payload, dict):
        raise InvalidEvent(f"payload must be a dict, not {type(payload).__name__}")
    blobs: dict[str, str] = {}
    return _walk(payload, blobs, "payload"), blobs


def _walk(value: Any, blobs: dict[str, str], path: str) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        clean = redact_text(value)
        if len(clean) * 4 > BLOB_THRESHOLD and len(clean.encode("utf-8")) > BLOB_THRESHOLD:
            h = blob_hash(clean)
            blobs[h] = clean
            return {BLOB_KEY: h}
        return clean
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidEvent(f"{path}: {value!r} has no JSON form")
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise InvalidEvent(f"{path}: key {k!r} is not a string")
            if k == BLOB_KEY:
                raise InvalidEvent(f"{path}: key {BLOB_KEY!r} is reserved for blob references")
            out[k] = REDACTED if is_secret_key(k) and v is not None else _walk(v, blobs, f"{path}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_walk(v, blobs, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, set | frozenset):
        return [_walk(v, blobs, f"{path}[]") for v in sorted(value, key=repr)]
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return _walk(value.value, blobs, path)
    if hasattr(value, "get_secret_value"):  # pydantic SecretStr / SecretBytes
        return REDACTED
    if isinstance(value, PurePath):
        return _walk(str(value), blobs, path)
    if hasattr(value, "model_dump"):
        return _walk(value.model_dump(mode="json"), blobs, path)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _walk(dataclasses.asdict(value), blobs, path)
    raise InvalidEvent(f"{path}: {type(value).__name__} has no JSON form")


def blob_refs(payload: Any) -> list[str]:
    """Every blob hash referenced as ``{"$blob": h}`` in ``payload``, in document order."""
    out: list[str] = []
    stack = [payload]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if len(v) == 1 and isinstance(v.get(BLOB_KEY), str):
                out.append(v[BLOB_KEY])
            else:
                stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    return out
