"""Redaction of secrets and normalization of payloads, applied at the one write path.

Secrets are found by what they are, never by guessing at words (contract text in a prompt is kept as the model
saw it: "Basic Services", "Bearer Bonds", "the Password shall be kept" stay):

- Configured values: every secret this process holds (:func:`add_secret`: the OpenAI API key, the audit key,
  passwords of database and server URLs, registered by ``pipeline.settings.Settings`` and the backends), of at
  least :data:`MIN_SECRET_CHARS` characters, wherever it occurs in a string.
- Keys (any depth, in dicts inside dicts and lists), compared case-insensitively with ``-`` read as ``_``:
  exactly one of :data:`SECRET_KEYS`, or ending in one of :data:`SECRET_KEY_SUFFIXES`
  (e.g. ``openai_api_key``, ``db_password``) → the whole value becomes ``"[REDACTED]"``.
- Well-known shapes inside every string value: the credentials of an ``Authorization:`` /
  ``Proxy-Authorization:`` header (any scheme) when they look like credentials, not a word (8+ characters with a
  digit, ``+ / = _`` or a capital after a small letter), JSON Web Tokens (``eyJ...``), OpenAI/Anthropic-style keys ``sk-...``, GitHub tokens
  (``ghp_...``, ``github_pat_...``), AWS access key ids ``AKIA...``, Google API keys ``AIza...``, Hugging Face
  tokens ``hf_...``, Slack tokens ``xox?-...``, a secret-named parameter written as ``name=value`` (no space,
  as in a query string or an environment line) or as a JSON member ``"name": "value"``, and the password of
  ``scheme://user:password@host`` URLs → ``[REDACTED]``.

Sources of the shapes: RFC 9110 §11.6.2 (Authorization), RFC 7519 (JWT), the providers' documented key
formats (OpenAI, GitHub "About authentication", AWS IAM identifiers, Google Cloud API keys, Hugging Face
User access tokens, Slack token types), RFC 3986 §3.2.1 (userinfo).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import math
import re
import threading
from pathlib import PurePath
from typing import Any

from audit._chain import BLOB_THRESHOLD, blob_hash
from audit._errors import InvalidEvent

REDACTED = "[REDACTED]"
BLOB_KEY = "$blob"
MIN_SECRET_CHARS = 8  # a configured value shorter than this is not searched for: it would hit ordinary words

SECRET_KEYS = frozenset({
    "api_key", "apikey", "x_api_key", "authorization", "proxy_authorization", "password", "passwd",
    "secret", "client_secret", "token", "access_token", "refresh_token", "id_token", "auth_token",
    "bearer", "cookie", "set_cookie", "private_key", "openai_api_key",
})
SECRET_KEY_SUFFIXES = ("_api_key", "_apikey", "_password", "_passwd", "_secret", "_access_token",
                       "_refresh_token", "_auth_token", "_private_key")

_NAMES = r"(?:x[-_])?api[-_]?key|access[-_]?token|refresh[-_]?token|auth[-_]?token|client[-_]?secret|password|passwd"
# (cheap lower-case substrings that must occur for the pattern to match, pattern, replacement)
_PATTERNS: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    (("eyj",), re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?"), REDACTED),
    (("sk-",), re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), REDACTED),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), REDACTED),
    (("github_pat_",), re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), REDACTED),
    (("akia",), re.compile(r"\bAKIA[0-9A-Z]{16}\b"), REDACTED),
    (("aiza",), re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"), REDACTED),
    (("hf_",), re.compile(r"\bhf_[A-Za-z0-9]{30,}"), REDACTED),
    (("xox",), re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"), REDACTED),
    (("key", "token", "secret", "passw"),
     re.compile(rf"(?i)\b({_NAMES})(=|\"\s*:\s*\")([^\s\"'&,;}}]{{4,}})"), r"\1\2" + REDACTED),
    (("://",), re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+@"), r"\1" + REDACTED + "@"),
]

# An Authorization header: its name, then the scheme (RFC 9110 §11.4) and the credentials, or credentials alone.
_AUTH_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)"
                          r"(?:([A-Za-z][A-Za-z0-9._~+/-]*)(\s+))?([A-Za-z0-9._~+/-]+=*)")


def _credential_shaped(token: str) -> bool:
    """Whether a header value looks like credentials rather than a word: at least 8 characters with a digit,
    one of ``+ / = _``, or a capital letter after a small one (base64, hex, token68; RFC 9110 §11.2)."""
    if len(token) < 8:
        return False
    if any(c.isdigit() or c in "+/=_" for c in token):
        return True
    return any(a.islower() and b.isupper() for a, b in zip(token, token[1:]))


def _redact_auth(m: re.Match[str]) -> str:
    prefix, scheme, space, token = m.group(1), m.group(2), m.group(3), m.group(4)
    if _credential_shaped(token):
        return prefix + (scheme + space if scheme else "") + REDACTED
    if scheme and _credential_shaped(scheme):  # credentials without a scheme, then ordinary text
        return prefix + REDACTED + space + token
    return m.group(0)


_secrets_lock = threading.Lock()
_secret_values: frozenset[str] = frozenset()
_secret_pattern: re.Pattern[str] | None = None


def add_secret(value: str | None) -> None:
    """Register a secret this process holds (an API key, a password): from now on it is replaced by
    ``[REDACTED]`` wherever it occurs in a payload written to the log (and in :func:`redact_text`).
    ``None``, and values shorter than :data:`MIN_SECRET_CHARS` characters, are ignored. Registrations last
    for the life of the process."""
    global _secret_values, _secret_pattern
    if not value or len(value) < MIN_SECRET_CHARS or value in _secret_values:
        return
    with _secrets_lock:
        values = _secret_values | {value}
        # Longest first, so that a secret containing another is replaced whole.
        _secret_pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
        _secret_values = values


def is_secret_key(key: str) -> bool:
    """Whether a payload key names a secret (see module docstring)."""
    k = key.lower().replace("-", "_")
    return k in SECRET_KEYS or k.endswith(SECRET_KEY_SUFFIXES)


def redact_text(text: str) -> str:
    """``text`` with the configured secrets (:func:`add_secret`) and secret-shaped substrings (module
    docstring) replaced by ``[REDACTED]``; everything else unchanged."""
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    lower = text.lower()
    if "authorization" in lower:
        text = _AUTH_HEADER.sub(_redact_auth, text)
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
