"""The one place an LLM request runs through instructor: validation, re-ask, truncation, attempt records.

Backends supply a ``create(**kwargs) -> openai ChatCompletion`` function (llama-cpp, an
OpenAI client, or recorded answers); :func:`run_structured` patches it with instructor in
``Mode.JSON_SCHEMA`` and records every attempt through instructor's hooks
(``completion:kwargs``, ``completion:response``, ``parse:error``, ``completion:error``).

- A validation error is re-asked (instructor appends the answer and the error) up to
  ``request.max_attempts`` attempts in all, then raises ValidationFailed.
- finish_reason ``length`` raises TruncatedOutput at once: instructor raises
  IncompleteOutputException before parsing and does not re-ask (instructor#2210: a re-ask appends the
  cut answer, so every retry grows).
- An LLMError raised inside ``create`` (timeout, unavailable, replay miss) comes out as itself,
  with the attempts made so far.
- A backend that retries its transport inside ``create`` (HTTP 429/503, a dropped connection) reports each
  retry with :func:`record_retry`; it lands in the running attempt's ``retries``.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import instructor
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
    ResponseParsingError,
)
from pydantic import BaseModel, ValidationError
from instructor.core.hooks import Hooks

from pipeline.llm.base import (
    AttemptRecord,
    LLMError,
    LLMRequest,
    LLMResult,
    Message,
    RetryRecord,
    TruncatedOutput,
    ValidationFailed,
)


_PARSE_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError)

@lru_cache(maxsize=256)
def _schema_made_once(model: type[BaseModel]) -> type[BaseModel]:
    """A subclass of ``model`` (same name, docstring, fields) whose ``model_json_schema`` returns ``model``'s
    schema made once: instructor makes the response model's JSON schema on every call (about 6 ms of the 15 ms
    of CPU instructor spends on a chunk's call, measured with :mod:`benchmarks.bench_batch`), and a batch
    makes thousands of calls with the same few models. The request sent is the same byte for byte."""
    schema = model.model_json_schema()

    class Cached(model):  # type: ignore[misc, valid-type]
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return copy.deepcopy(schema)

    Cached.__name__, Cached.__qualname__, Cached.__doc__ = model.__name__, model.__qualname__, model.__doc__
    Cached.__module__ = model.__module__
    return Cached


_RUNNING: ContextVar[list[AttemptRecord] | None] = ContextVar("clausewise_running_attempts", default=None)
"""The attempts of the :func:`run_structured` call running in this thread (``None`` outside one)."""


def record_retry(record: RetryRecord) -> None:
    """Add ``record`` to the ``retries`` of the attempt running in this thread (from inside a backend's
    ``create``); a no-op outside :func:`run_structured`."""
    attempts = _RUNNING.get()
    if attempts:
        attempts[-1].retries.append(record.to_dict())


def _plain_messages(messages: Any) -> list[Message]:
    out: list[Message] = []
    for m in messages or []:
        if hasattr(m, "model_dump"):
            m = m.model_dump(exclude_none=True)
        out.append({"role": str(m.get("role", "")), "content": str(m.get("content") or "")})
    return out


def _response_fields(response: Any) -> tuple[str, str, int, int]:
    choice = response.choices[0] if getattr(response, "choices", None) else None
    text = (choice.message.content or "") if choice is not None else ""
    finish = (choice.finish_reason or "") if choice is not None else ""
    usage = getattr(response, "usage", None)
    return (
        text,
        finish,
        int(getattr(usage, "prompt_tokens", 0) or 0),
        int(getattr(usage, "completion_tokens", 0) or 0),
    )


def run_structured(create: Callable[..., Any], request: LLMRequest, **extra: Any) -> LLMResult:
    """Run ``request`` through instructor around ``create``; ``extra`` goes to ``create`` unchanged
    (e.g. ``model``). Returns LLMResult; raises TruncatedOutput, ValidationFailed or the LLMError
    raised by ``create``."""
    attempts: list[AttemptRecord] = []
    started: list[float] = []
    hooks = Hooks()

    def on_kwargs(*_args: Any, **kwargs: Any) -> None:
        attempts.append(AttemptRecord(number=len(attempts) + 1, messages=_plain_messages(kwargs.get("messages"))))
        started.append(time.perf_counter())

    def on_response(response: Any) -> None:
        a = attempts[-1]
        a.raw_text, a.finish_reason, a.input_tokens, a.output_tokens = _response_fields(response)
        a.latency_ms = round((time.perf_counter() - started[-1]) * 1000.0, 3)

    def on_error(error: Exception, **_meta: Any) -> None:
        if attempts:
            attempts[-1].error = str(error)
            if not attempts[-1].latency_ms:
                attempts[-1].latency_ms = round((time.perf_counter() - started[-1]) * 1000.0, 3)

    hooks.on("completion:kwargs", on_kwargs)
    hooks.on("completion:response", on_response)
    hooks.on("parse:error", on_error)
    hooks.on("completion:error", on_error)

    patched = instructor.patch(create=create, mode=instructor.Mode.JSON_SCHEMA)
    running = _RUNNING.set(attempts)
    try:
        patched(
            response_model=_schema_made_once(request.response_model),
            max_retries=max(request.max_attempts, 1) - 1,
            hooks=hooks,
            strict=False,
            messages=[dict(m) for m in request.messages],
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            seed=request.seed,
            **extra,
        )
    except IncompleteOutputException:
        last = attempts[-1]
        last.error = "finish_reason=length: output cut off at the token limit"
        raise TruncatedOutput(last.raw_text, last.input_tokens, last.output_tokens, attempts=attempts) from None
    except InstructorRetryException as exc:
        cause = exc.__cause__
        if isinstance(cause, LLMError):
            cause.attempts = attempts
            raise cause from None
        if cause is not None and not isinstance(cause, _PARSE_ERRORS):
            raise cause  # not the model's answer at fault: a bug or an unmapped backend error, shown as is
        raise ValidationFailed(str(cause or exc), attempts=attempts) from exc
    except LLMError as exc:
        exc.attempts = attempts
        raise
    finally:
        _RUNNING.reset(running)
    # instructor returns an instance of its own subclass of the response model with usage attached;
    # hand back a plain instance of the caller's class, validated from the same final text.
    parsed = request.response_model.model_validate_json(attempts[-1].raw_text)
    last = attempts[-1]
    return LLMResult(
        parsed=parsed,
        raw_text=last.raw_text,
        finish_reason=last.finish_reason,
        input_tokens=sum(a.input_tokens for a in attempts),
        output_tokens=sum(a.output_tokens for a in attempts),
        latency_ms=round(sum(a.latency_ms for a in attempts), 3),
        attempts=attempts,
    )
