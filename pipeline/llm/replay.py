"""Recorded answers: ``RecordingBackend`` writes them from a real backend, ``ReplayBackend`` serves them.

One JSON file per request, ``<directory>/<key>.json``, where ``key`` is the SHA-256 of the
canonical request JSON (:func:`canonical_request`: model id and model file SHA-256, prompt
version, messages, the response model's JSON schema, max_tokens, temperature, seed,
max_attempts; no paths). The file holds the request, the model's raw responses in attempt
order (text, finish reason, tokens, latency) and, for reading, the outcome and full result.

Replay does not trust a stored parse: it feeds the recorded responses back through the same
instructor path as a live call (:func:`pipeline.llm.structured.run_structured`), so validation,
re-ask and truncation detection run for real; a response with finish reason ``length`` raises
TruncatedOutput exactly as it did live. Latencies are the recorded ones, so a replayed result
serializes byte-identically to the recorded one.

A miss raises ReplayMiss naming the key and the command that records it
(``CLAUSEWISE_RECORD=1`` + the same command, which makes :func:`pipeline.llm.base.make_backend`
return a RecordingBackend around the local model).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.llm.base import (
    canonical_request,
    request_key,
    RECORD_COMMAND,
    AttemptRecord,
    Backend,
    LLMError,
    LLMRequest,
    LLMResult,
    ReplayMiss,
    TruncatedOutput,
    ValidationFailed,
    recording_requested,
)
from pipeline.llm.structured import run_structured

if TYPE_CHECKING:
    from pipeline.settings import Settings

FORMAT = 1


def model_identity(name_or_path: str, cache_dir: Path) -> tuple[str, str | None]:
    """(model_id, model_sha256) of a registry name (no file needed) or a GGUF path (hashed)."""
    from pipeline.llm.registry import REGISTRY, resolve

    spec = REGISTRY.get(name_or_path)
    if spec is not None:
        return spec.name, spec.sha256
    m = resolve(name_or_path, cache_dir)
    return m.name, m.sha256


def _response_record(a: AttemptRecord) -> dict[str, Any]:
    return {
        "raw_text": a.raw_text,
        "finish_reason": a.finish_reason,
        "input_tokens": a.input_tokens,
        "output_tokens": a.output_tokens,
        "latency_ms": a.latency_ms,
    }


def write_recording(
    directory: Path,
    request: LLMRequest,
    model_id: str,
    model_sha256: str | None,
    responses: list[dict[str, Any]],
    *,
    outcome: str = "ok",
    result: dict[str, Any] | None = None,
    note: str | None = None,
) -> Path:
    """Write one recording; ``responses`` are dicts with raw_text, finish_reason, input_tokens,
    output_tokens, latency_ms (ms), in attempt order. Returns the file path. Also used to build
    hand-written answers (say so in ``note``)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = request_key(request, model_id, model_sha256)
    data = {
        "format": FORMAT,
        "key": key,
        "note": note,
        "request": canonical_request(request, model_id, model_sha256),
        "responses": responses,
        "outcome": outcome,
        "result": result,
    }
    path = directory / f"{key}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{key[:12]}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)
    return path


def _completion(resp: dict[str, Any], key: str, n: int):
    from openai.types.chat import ChatCompletion

    return ChatCompletion(
        id=f"replay-{key[:12]}-{n}",
        object="chat.completion",
        created=0,
        model="replay",
        choices=[{
            "index": 0,
            "message": {"role": "assistant", "content": resp["raw_text"]},
            "finish_reason": resp["finish_reason"],
        }],
        usage={
            "prompt_tokens": resp["input_tokens"],
            "completion_tokens": resp["output_tokens"],
            "total_tokens": resp["input_tokens"] + resp["output_tokens"],
        },
    )


def _with_recorded_latency(attempts: list[AttemptRecord], responses: list[dict[str, Any]]) -> None:
    for a, resp in zip(attempts, responses):
        a.latency_ms = resp["latency_ms"]


def recording_sets(directory: Path) -> list[Path]:
    """The sub-folders of ``directory`` (any depth) that hold recordings (``*.json``), sorted; empty when
    ``directory`` does not exist."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted({p.parent for p in directory.rglob("*.json") if p.parent != directory})


class ReplayBackend:
    """Serves recordings from ``directory`` for the model (``model_id``, ``model_sha256``).
    Raises ReplayMiss, plus whatever the recorded answer gives (TruncatedOutput, ValidationFailed)."""

    provider = "replay"

    def __init__(self, directory: Path, model_id: str, model_sha256: str | None, *, record_command: str = RECORD_COMMAND):
        self.directory = Path(directory)
        self.model_id, self.model_sha256 = model_id, model_sha256
        self.record_command = record_command

    def path_for(self, request: LLMRequest) -> Path:
        """The recording file this request reads."""
        return self.directory / f"{request_key(request, self.model_id, self.model_sha256)}.json"

    def has(self, request: LLMRequest) -> bool:
        """True when a recording for ``request`` exists."""
        return self.path_for(request).exists()

    def complete(self, request: LLMRequest) -> LLMResult:
        path = self.path_for(request)
        key = path.stem
        if not path.exists():
            raise ReplayMiss(key, self.directory, self.record_command, recording_sets(self.directory))
        responses = json.loads(path.read_text(encoding="utf-8"))["responses"]
        served = iter(enumerate(responses, 1))

        def create(**_kwargs: Any):
            try:
                n, resp = next(served)
            except StopIteration:
                raise ReplayMiss(key, self.directory, f"{self.record_command} (recording is stale: "
                                 f"more attempts asked than the {len(responses)} recorded)") from None
            return _completion(resp, key, n)

        try:
            result = run_structured(create, request)
        except LLMError as exc:
            _with_recorded_latency(exc.attempts, responses)
            raise
        _with_recorded_latency(result.attempts, responses)
        result.latency_ms = round(sum(a.latency_ms for a in result.attempts), 3)
        return result


class RecordingBackend:
    """Wraps a real backend: serves an existing recording, else calls ``inner`` and records the answer
    (also a TruncatedOutput or ValidationFailed outcome; timeouts and unavailability are not recorded).

    Its ``provider`` is the inner backend's (``local``): every answer it gives, recorded now or earlier, is
    that backend's, with that backend's latency, so runs and evaluations made through it are stored as runs
    of that backend."""

    def __init__(self, inner, directory: Path):
        self.inner = inner
        self.provider = inner.provider
        self.max_concurrency = getattr(inner, "max_concurrency", None)  # the inner backend's bound, if any
        self.directory = Path(directory)
        self.model_id, self.model_sha256 = inner.model_id, inner.model_sha256
        self._replay = ReplayBackend(self.directory, self.model_id, self.model_sha256)

    def complete(self, request: LLMRequest) -> LLMResult:
        if self._replay.has(request):
            return self._replay.complete(request)
        try:
            result = self.inner.complete(request)
        except (TruncatedOutput, ValidationFailed) as exc:
            write_recording(
                self.directory, request, self.model_id, self.model_sha256,
                [_response_record(a) for a in exc.attempts],
                outcome=type(exc).__name__,
                result={"error": str(exc), "attempts": [a.to_dict() for a in exc.attempts]},
            )
            raise
        write_recording(
            self.directory, request, self.model_id, self.model_sha256,
            [_response_record(a) for a in result.attempts], result=result.to_dict(),
        )
        return result


def from_settings(settings: Settings) -> Backend:
    """Recorded answers in ``settings.replay_dir`` (default ``tests/recordings``) for ``settings.model``.

    With ``CLAUSEWISE_RECORD=1`` a miss calls the local model and records its answer
    (:class:`RecordingBackend`); otherwise a miss raises :class:`pipeline.llm.base.ReplayMiss`.
    """
    directory = settings.replay_dir or Path("tests/recordings")
    if recording_requested():
        from pipeline.llm.local import LocalBackend

        return RecordingBackend(LocalBackend.from_settings(settings), directory)
    model_id, sha = model_identity(settings.model, settings.cache_dir)
    return ReplayBackend(directory, model_id, sha)
