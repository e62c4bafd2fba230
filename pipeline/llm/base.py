"""The LLM boundary: one request/result shape, one error per failure mode, a backend factory.

Every backend (``local`` llama-cpp, ``openai``-compatible HTTP, ``replay`` of recorded
answers) runs the request through instructor (:mod:`pipeline.llm.structured`), so
validation, the re-ask with the validation error, truncation detection and the per-attempt
records are the same everywhere.

Usage::

    backend = make_backend(settings)
    result = backend.complete(LLMRequest(messages=[...], response_model=ChunkExtraction,
                                         max_tokens=1024, prompt_version="extract-v1"))
    result.parsed            # a ChunkExtraction
    for a in result.attempts: ...   # one audit event per attempt

Errors (all subclass :class:`LLMError` and carry ``attempts``): TruncatedOutput,
ValidationFailed, BackendUnavailable (RateLimited and ServiceUnavailable after retries, and MalformedAnswer, among
them), ReplayMiss,
LLMTimeout, SchemaNotSupported, ContextOverflow.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel

from schemas import ClausewiseError

if TYPE_CHECKING:
    from pipeline.settings import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}


@dataclass(frozen=True)
class LLMRequest:
    """One structured-output call.

    - ``messages``: chat messages, each ``{"role", "content"}``; the contract text goes in a
      user message, never the system role.
    - ``response_model``: the Pydantic model the answer must validate against; its JSON schema
      constrains generation (local: grammar; openai: response_format).
    - ``max_tokens``: upper bound on generated tokens per attempt.
    - ``temperature``/``seed``: sampling; 0.0 and 0 give greedy, repeatable output.
    - ``prompt_version``: names the prompt template; part of the replay key and the audit trail.
    - ``max_attempts``: attempts in all (1 = no re-ask); attempt n+1 gets attempt n's validation error.
    """

    messages: list[Message]
    response_model: type[BaseModel]
    max_tokens: int
    prompt_version: str
    temperature: float = 0.0
    seed: int = 0
    max_attempts: int = 2


@dataclass
class AttemptRecord:
    """One call to the model within a request (1-based ``number``).

    ``messages`` are the messages actually sent on this attempt (a re-ask includes the previous
    answer and the validation error); ``raw_text`` is the model's text; ``finish_reason`` is
    ``stop`` or ``length``; tokens as counted by the backend; ``latency_ms`` wall time of the
    call in milliseconds; ``error`` the validation/parse error text, or None when it parsed; ``retries`` the
    transport retries made within this attempt (a server answering 429/502/503/504 or a dropped connection,
    each retried after a wait; see :class:`RetryRecord`), as dicts, oldest first.
    """

    number: int
    messages: list[Message]
    raw_text: str = ""
    finish_reason: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0
    error: str | None = None
    retries: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict; ``retries`` only when there were some (an answer without retries serializes as
        recorded before retries were kept)."""
        out = asdict(self)
        if not out["retries"]:
            del out["retries"]
        return out


@dataclass(frozen=True)
class RetryRecord:
    """One failed try of an HTTP request that was tried again: ``try_number`` (1-based, within one attempt),
    ``status`` (the HTTP status the server answered, ``None`` when the connection dropped or was refused),
    ``error`` (what went wrong, redacted), ``retry_after`` (the server's ``Retry-After`` header as sent, or
    ``None``), ``wait_s`` (seconds waited before the next try: the ``Retry-After`` when the server gave one,
    else exponential backoff with full jitter)."""

    try_number: int
    status: int | None
    error: str
    retry_after: str | None
    wait_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LLMResult:
    """A validated answer: ``parsed`` (instance of the request's response model), ``raw_text`` and
    ``finish_reason`` of the final attempt, tokens summed over all attempts, ``latency_ms`` summed
    over attempts (ms), and every attempt in order."""

    parsed: BaseModel | None
    raw_text: str
    finish_reason: str
    input_tokens: int
    output_tokens: int
    latency_ms: float
    attempts: list[AttemptRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``parsed`` dumped in JSON mode)."""
        return {
            "parsed": None if self.parsed is None else self.parsed.model_dump(mode="json"),
            "raw_text": self.raw_text,
            "finish_reason": self.finish_reason,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "latency_ms": self.latency_ms,
            "attempts": [a.to_dict() for a in self.attempts],
        }


# --- errors -------------------------------------------------------------------------------


class LLMError(ClausewiseError):
    """Base error of the LLM boundary; ``attempts`` holds the attempts made before it (may be empty)."""

    def __init__(self, message: str, *, attempts: list[AttemptRecord] | None = None):
        super().__init__(message)
        self.attempts: list[AttemptRecord] = list(attempts or [])


class TruncatedOutput(LLMError):
    """The model stopped at the token limit (finish reason ``length``). The output is never parsed
    as complete and never re-asked with the cut JSON appended (instructor#2210); the caller splits
    the input or raises ``max_tokens``. Carries ``raw_text`` and token counts of the cut attempt."""

    def __init__(self, raw_text: str, input_tokens: int, output_tokens: int, *, attempts=None):
        super().__init__(
            f"output cut off at the token limit after {output_tokens} output tokens (finish_reason=length)",
            attempts=attempts,
        )
        self.raw_text, self.input_tokens, self.output_tokens = raw_text, input_tokens, output_tokens


class ValidationFailed(LLMError):
    """Every attempt returned text that does not validate against the response model;
    ``last_error`` is the last validation error text."""

    def __init__(self, last_error: str, *, attempts=None):
        n = len(attempts or [])
        super().__init__(f"no valid answer after {n} attempt(s): {last_error}", attempts=attempts)
        self.last_error = last_error


class BackendUnavailable(LLMError):
    """The backend cannot be reached or loaded (server down, model file missing, HTTP error)."""


class RateLimited(BackendUnavailable):
    """The server kept answering HTTP 429 (too many requests) through every retry the settings allow
    (``llm_retry_attempts``, ``llm_retry_max_s``); a chunk that gets it fails with kind ``rate_limited``."""


class ServiceUnavailable(BackendUnavailable):
    """The server kept answering HTTP 502/503/504, or the connection kept dropping or being refused, through
    every retry the settings allow; a chunk that gets it fails with kind ``unavailable``."""


class MalformedAnswer(BackendUnavailable):
    """The server answered HTTP 200 with something that is not a chat completion (an HTML page, no choices, a
    choice without a message); not retried; a chunk that gets it fails with kind ``malformed``."""


class ContextOverflow(LLMError):
    """The prompt does not fit the model's context window (``context_tokens``): split the input.
    (A prompt that fits but leaves less room than ``max_tokens`` is cut short instead: TruncatedOutput.)"""


class LLMTimeout(LLMError):
    """The call ran past ``llm_timeout_s``."""


class SchemaNotSupported(LLMError):
    """The response model's JSON schema cannot be turned into a generation grammar
    (e.g. a ``pattern`` using ``\\d``: write ``[0-9]``)."""


class ReplayMiss(LLMError):
    """No recorded answer for this request; ``key`` is its replay key, ``command`` records it; ``sets``: the
    sub-folders of ``directory`` that hold recordings (recordings are kept per set; named in the message when
    there are any, so the reader can point ``CLAUSEWISE_REPLAY_DIR`` at one)."""

    def __init__(self, key: str, directory: Path, command: str, sets: list[Path] | None = None):
        where = (f"; recordings are kept per set in sub-folders: {', '.join(str(p) for p in sets)} "
                 f"(choose one with CLAUSEWISE_REPLAY_DIR)" if sets else "")
        super().__init__(f"no recorded answer {key} in {directory}{where}; record it with: {command}")
        self.key, self.directory, self.command = key, directory, command
        self.sets = list(sets or [])


# --- the interface ------------------------------------------------------------------------


@runtime_checkable
class Backend(Protocol):
    """A structured-output LLM. ``provider``: local | openai | replay; ``model_id``: registry name,
    GGUF stem or server model id; ``model_sha256``: hex SHA-256 of the model file when known.

    A backend may also set ``max_concurrency`` (int): the most calls it takes at once (the local backend: 1);
    :func:`pipeline.llm.concurrency.concurrency_for` never puts more in flight. Without it, ``complete`` must
    be safe to call from several threads at once."""

    provider: str
    model_id: str
    model_sha256: str | None

    def complete(self, request: LLMRequest) -> LLMResult:
        """Run ``request``; raises one of the LLMError subclasses above."""
        ...


RECORD_ENV = "CLAUSEWISE_RECORD"
RECORD_COMMAND = "CLAUSEWISE_RECORD=1 <the same command> (recording runs the real local model)"


#: Backend name → ``"module:factory"``; each factory takes the settings and returns a :class:`Backend`.
#: Resolved by import path, so this module imports none of them (the local backend's llama-cpp, the
#: openai client and the replay store are loaded only when named).
BACKENDS: dict[str, str] = {
    "local": "pipeline.llm.local:from_settings",
    "openai": "pipeline.llm.openai:from_settings",
    "replay": "pipeline.llm.replay:from_settings",
}


def make_backend(settings: Settings) -> Backend:
    """The backend named by ``settings.backend``, resolved through :data:`BACKENDS`.

    - ``local``: llama-cpp with ``settings.model`` (registry name or GGUF path) from ``settings.cache_dir``.
    - ``openai``: ``settings.openai_base_url``, model id ``settings.model``, key from settings/env.
    - ``replay``: recorded answers in ``settings.replay_dir`` (default ``tests/recordings``) for the
      model ``settings.model``; with env ``CLAUSEWISE_RECORD=1`` a miss calls the local model and records.

    Raises ``ValueError`` for an unknown backend name, and ModelNotInstalled / UnknownModel
    (:mod:`pipeline.llm.registry`) for a local model not in the cache.
    """
    target = BACKENDS.get(settings.backend)
    if target is None:
        raise ValueError(f"unknown backend {settings.backend!r}")
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)(settings)


def recording_requested() -> bool:
    """True when the environment asks a replay backend to record its misses (``CLAUSEWISE_RECORD=1``)."""
    return os.environ.get(RECORD_ENV, "").lower() in {"1", "true", "yes"}


def canonical_request(request: LLMRequest, model_id: str, model_sha256: str | None) -> dict[str, Any]:
    """The request as the dict that is hashed into its key (JSON-ready, no paths): the replay recordings' file
    names and the stored answers' keys."""
    return {
        "model_id": model_id,
        "model_sha256": model_sha256,
        "prompt_version": request.prompt_version,
        "messages": [{"role": m["role"], "content": m["content"]} for m in request.messages],
        "response_schema": _json_schema(request.response_model),
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "seed": request.seed,
        "max_attempts": request.max_attempts,
    }


@lru_cache(maxsize=256)
def _json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema, made once per class (about 12 ms for the chunk answer's; a key is made per
    call). Callers must not change the dict."""
    return model.model_json_schema()


def _canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_key(request: LLMRequest, model_id: str, model_sha256: str | None) -> str:
    """Hex SHA-256 of the canonical request JSON (:func:`canonical_request`): a replay recording's file name
    without ``.json``, and the key of a stored answer (:mod:`pipeline.store.answers`)."""
    return hashlib.sha256(_canonical_json(canonical_request(request, model_id, model_sha256)).encode()).hexdigest()
