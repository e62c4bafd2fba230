"""Event type names (with the payload keys of the review workflow's events) and the payload builder for LLM calls.

Type names are dotted lower-case words (``<subject>.<verb>``). LLM payloads use the OpenTelemetry
GenAI semantic-convention attribute names where one fits
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/): ``gen_ai.provider.name``,
``gen_ai.operation.name``, ``gen_ai.request.model``, ``gen_ai.request.temperature``,
``gen_ai.request.max_tokens``, ``gen_ai.response.model``, ``gen_ai.response.id``,
``gen_ai.response.finish_reasons``, ``gen_ai.usage.input_tokens``, ``gen_ai.usage.output_tokens``,
``gen_ai.input.messages``, ``error.type``; and our own keys ``response_text``, ``parsed``,
``latency_ms``, ``attempt``, ``error.message`` for what the conventions do not name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

DOCUMENT_INGESTED = "document.ingested"
DOCUMENT_FAILED = "document.failed"
CHUNK_CREATED = "chunk.created"
LLM_REQUEST = "llm.request"
LLM_RESPONSE = "llm.response"
LLM_ERROR = "llm.error"
RULE_EVALUATED = "rule.evaluated"
FINDING_CREATED = "finding.created"
DOCUMENT_EXTRACTED = "document.extracted"
DOCUMENT_VERIFIED = "document.verified"
CONFIG_CHANGED = "config.changed"
AUDIT_EXPORTED = "audit.exported"

# The review workflow (pipeline.review), actor: the reviewer's user name. A saved action writes one event with
# ``outcome`` ``saved``; ``version`` is the document's version after it. A refused one writes its request's keys
# with ``outcome`` (``conflict`` for a stale version, else ``refused``), ``error`` (the exception's class name)
# and ``message``: item actions under their own type, document actions (claim, release, assign, sign-off) as
# REVIEW_REFUSED.
REVIEW_CLAIMED = "review.claimed"
"""A reviewer claimed a document. Payload: ``action``, ``assignee``, ``version``."""
REVIEW_RELEASED = "review.released"
"""A claimed document went back to the queue. Payload: ``action``, ``previous_assignee``."""
REVIEW_ASSIGNED = "review.assigned"
"""An admin assigned a document. Payload: ``action``, ``assignee``, ``previous_assignee``."""
REVIEW_DECISION = "review.decision"
"""A decision on a review item. Payload: the request (``decision``, ``item_id``, ``expected_version``,
``field_path``), ``status``, ``severity``, ``value``, ``corrected_value``, ``corrected_evidence``, ``comment``,
``previous`` (status and corrected value before) and ``version``."""
REVIEW_COMMENTED = "review.commented"
"""An item's comment set or cleared. Payload: ``item_id``, ``expected_version``, ``field_path``, ``comment``,
``version``."""
REVIEW_CONFIRMED = "review.confirmed"
"""A second reviewer confirmed a decision. Payload: ``item_id``, ``expected_version``, ``field_path``,
``status``, ``decided_by``, ``version``."""
REVIEW_REFUSED = "review.refused"
"""A refused claim, release, assignment or sign-off. Payload: ``action`` (``claim`` | ``release`` | ``assign`` |
``sign_off``), ``assignee`` (assign) or ``expected_version`` (sign-off), ``outcome``, ``error``, ``message``."""
DOCUMENT_SIGNED_OFF = "document.signed_off"
"""A document signed off and frozen. Payload: ``document_id``, ``run_id``, ``signed_off_by``, ``signed_off_at``
(ISO 8601 UTC), ``final_values`` (``{field path: value}``), ``version``, ``decisions`` (one
``{field_path, status, decided_by, confirmed_by}`` per review item)."""
USER_ADDED = "user.added"
"""A review account was created. Payload: ``user``, ``role`` (never the password)."""
USER_CHANGED = "user.changed"
"""A review account changed. Payload: ``user``, ``change`` (``password`` | ``role`` | ``active``) and, for a
role, ``from`` and ``to``; for ``active``, ``to``."""
USER_SIGN_IN = "user.sign_in"
"""A sign-in attempt; actor: the name typed. Payload: ``user`` (that name), ``client`` (the address it came from,
or null), ``outcome`` (``succeeded`` | ``failed`` | ``throttled``) and: ``role`` (succeeded); ``reason``
(failed: ``unknown_user`` | ``wrong_password`` | ``deactivated``); ``failures`` and ``retry_at`` (throttled:
the failures counted and when, ISO 8601 UTC, the next attempt is checked). Never the password."""
USER_SESSION_ENDED = "user.session_ended"
"""A review UI session ended; actor: the user. Payload: ``reason`` (``signed_out`` | ``idle`` |
``deactivated`` | ``removed``) and ``idle_minutes`` (idle: the limit in force)."""
EVAL_RUN = "eval.run"
"""A ``clausewise eval`` run stored (table ``eval_runs``), written in the same transaction; ``run_id`` is the eval
run's id. Payload: ``set`` (labelled set), ``selection``, ``documents``, ``backend``, ``model``, ``model_sha256``,
``prompt_version`` and ``figures``: with the built-in rules alone (``builtin``) and with the playbook
(``playbook``), the overall counts (``right``, ``wrong``, ``missing``, ``invented``, ``absent``, ``unlabelled``) and
``auto_accept_precision`` and ``flag_recall`` (each ``{count, total, value, interval}``)."""

EVENT_TYPES: tuple[str, ...] = (
    DOCUMENT_INGESTED, DOCUMENT_FAILED, CHUNK_CREATED, LLM_REQUEST, LLM_RESPONSE, LLM_ERROR,
    RULE_EVALUATED, FINDING_CREATED, REVIEW_CLAIMED, REVIEW_DECISION, DOCUMENT_SIGNED_OFF,
    CONFIG_CHANGED, AUDIT_EXPORTED, DOCUMENT_EXTRACTED, DOCUMENT_VERIFIED,
    REVIEW_RELEASED, REVIEW_ASSIGNED, REVIEW_COMMENTED, REVIEW_CONFIRMED, REVIEW_REFUSED, USER_ADDED, USER_CHANGED,
    EVAL_RUN, USER_SIGN_IN, USER_SESSION_ENDED,
)

_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def is_valid_type(name: str) -> bool:
    """Whether ``name`` is a dotted lower-case event type of at most 64 characters (known or new)."""
    return len(name) <= 64 and bool(_TYPE_RE.match(name))


def llm_payload(
    *,
    provider: str,
    request_model: str,
    operation: str = "chat",
    messages: list[dict[str, Any]] | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    response_model: str | None = None,
    response_id: str | None = None,
    response_text: str | None = None,
    parsed: Any = None,
    finish_reasons: list[str] | None = None,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    latency_ms: float | None = None,
    attempt: int | None = None,
    error_type: str | None = None,
    error_message: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Payload of an ``llm.request`` / ``llm.response`` / ``llm.error`` event; ``None`` values are left out.

    ``messages``: the full prompt as ``[{"role": ..., "content": ...}]``; ``response_text``: the raw model
    output; ``parsed``: the validated object (dict or Pydantic model); ``latency_ms``: wall-clock
    milliseconds of the call; ``attempt``: 1-based retry attempt; ``extra``: more keys, kept as given
    (e.g. ``{"clausewise.prompt_version": "v3"}`` via ``**{...}``). Secrets are redacted later by append.
    """
    fields = {
        "gen_ai.provider.name": provider,
        "gen_ai.operation.name": operation,
        "gen_ai.request.model": request_model,
        "gen_ai.request.temperature": temperature,
        "gen_ai.request.max_tokens": max_tokens,
        "gen_ai.input.messages": messages,
        "gen_ai.response.model": response_model,
        "gen_ai.response.id": response_id,
        "gen_ai.response.finish_reasons": finish_reasons,
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
        "response_text": response_text,
        "parsed": parsed,
        "latency_ms": latency_ms,
        "attempt": attempt,
        "error.type": error_type,
        "error.message": error_message,
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


def llm_attempt_events(attempts: list[Any], payload: Callable[..., dict[str, Any]],
                       parsed: Any = None) -> list[dict[str, Any]]:
    """The audit events of one model call's attempts, in order, as ``{"type", "payload"}`` dicts.

    For each re-ask (attempt number > 1) its ``llm.request`` first (a re-ask's request is known only after
    the call), then one ``llm.response`` per attempt; ``parsed`` goes on the last attempt when it had no
    error. ``attempts``: objects with ``number``, ``messages``, ``raw_text``, ``finish_reason``,
    ``input_tokens``, ``output_tokens``, ``latency_ms`` and ``error`` (``pipeline.llm.AttemptRecord``);
    ``payload(**fields)`` builds each payload (:func:`llm_payload` with the caller's own attributes).
    """
    out: list[dict[str, Any]] = []
    for a in attempts:
        if a.number > 1:
            out.append({"type": LLM_REQUEST, "payload": payload(messages=a.messages, attempt=a.number)})
        last = a is attempts[-1]
        out.append({"type": LLM_RESPONSE, "payload": payload(
            response_text=a.raw_text, parsed=parsed if (last and a.error is None) else None,
            finish_reasons=[a.finish_reason] if a.finish_reason else None, input_tokens=a.input_tokens,
            output_tokens=a.output_tokens, latency_ms=a.latency_ms, attempt=a.number, error_message=a.error)})
    return out
