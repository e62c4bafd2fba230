"""The ``openai`` backend: any OpenAI-compatible chat-completions server by base URL.

OpenAI, vLLM, Ollama, LM Studio and the llama.cpp servers. The request goes through instructor
(JSON_SCHEMA mode). How the schema is sent depends on the server:

- ``json_schema``: ``response_format={"type": "json_schema", ...}`` as instructor sends it
  (OpenAI, vLLM, Ollama, llama.cpp's C++ server);
- ``json_object``: ``{"type": "json_object", "schema": ...}``, the only form llama-cpp-python's
  server constrains (it silently ignores ``json_schema``); the schema is checked client-side
  first (:func:`pipeline.llm.grammar.check_schema`) because that server falls back silently.
- ``auto`` (default): ``json_object`` when ``GET /models`` reports ``owned_by`` ``me``
  (llama-cpp-python) or ``llamacpp`` (llama.cpp), else ``json_schema``.

Overload and dropped connections are retried here, with :mod:`tenacity`, and nowhere else (the openai
client's own retries are off): a server answering HTTP 429, 502, 503 or 504, or a connection that drops or is
refused, is tried again after the server's ``Retry-After`` (seconds or an HTTP date), else after exponential
backoff with full jitter (:data:`BACKOFF_S` doubling, at most :data:`BACKOFF_MAX_S`), up to ``retry_attempts``
tries in all and ``retry_max_s`` seconds from the first try (a wait that would end later is not begun). Each
retry is reported with :func:`pipeline.llm.structured.record_retry` (status, ``Retry-After``, wait seconds, try
number), so the caller audits it. Past the limits the call raises :class:`RateLimited` (429) or
:class:`ServiceUnavailable` (the others). A call that runs past ``timeout_s`` raises :class:`LLMTimeout` and is
not retried (a server that does not answer would hold the chunk ``retry_attempts`` times as long). httpx bounds
each connect, write and read by ``timeout_s``, not their sum; a body still arriving ``timeout_s`` after the
request was sent is cut off too (:class:`_BodyDeadline`), so a server that trickles its answer a few bytes at a
time cannot hold a chunk and its call slot for long (at most ``timeout_s`` plus one read's wait). Headers trickled
byte by byte are bounded per read only.

The API key comes from settings (``CLAUSEWISE_OPENAI_API_KEY``) or ``OPENAI_API_KEY``; it is
passed to the client only and never appears in results, attempts or errors: a server's error text (which may
echo the key, whatever its shape) is redacted of the key, the credentials of the base URL and secret-shaped
text (:func:`audit.redact_text`) before it becomes an error, and the base URL is shown with its credentials
masked. The key and the URL's credentials are registered with :func:`audit.add_secret`, so the audit log
never holds them either.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import httpx

import audit
from pipeline.llm.base import (
    BackendUnavailable,
    ContextOverflow,
    LLMRequest,
    LLMResult,
    LLMTimeout,
    MalformedAnswer,
    RateLimited,
    RetryRecord,
    ServiceUnavailable,
)
from pipeline.llm.grammar import check_schema
from pipeline.llm.structured import record_retry, run_structured
from pipeline.settings import mask_url, url_secrets

if TYPE_CHECKING:
    from pipeline.settings import Settings

SchemaFormat = Literal["auto", "json_schema", "json_object"]
_LLAMA_CPP_OWNERS = {"me", "llamacpp"}

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""HTTP statuses tried again: too many requests, and a gateway or server overloaded (RFC 9110 15.6)."""
BACKOFF_S = 1.0
"""First backoff ceiling in seconds when the server sends no ``Retry-After``; it doubles per retry (full jitter:
the wait is uniform between 0 and the ceiling; AWS Architecture Blog, "Exponential Backoff And Jitter")."""
BACKOFF_MAX_S = 30.0
"""The backoff ceiling never grows past this many seconds."""


_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
"""``delay-seconds`` of RFC 9110 10.2.3 (``1*DIGIT``), with a decimal part as some servers send it."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (RFC 9110 10.2.3): a number of seconds (digits, optionally a
    decimal part), or an HTTP date (``now``: UTC, default the clock; a date past gives 0). ``None`` when absent or
    not of either form (``-1``, ``nan``, ``inf``, ``1e3``, ``soon``): the caller then backs off as if no header
    came, rather than retrying at once."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    if not value[:1].isalpha():  # an HTTP date starts with the day's name; "-1", "+5", "1e3" are neither form
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in RETRY_STATUSES


def _retry_after_header(exc: BaseException | None) -> str | None:
    response = getattr(exc, "response", None)
    return response.headers.get("retry-after") if response is not None else None


class _DeadlineStream(httpx.SyncByteStream):
    """A response body stream that raises ``httpx.ReadTimeout`` at the first chunk arriving after ``deadline``
    (``time.monotonic()`` seconds)."""

    def __init__(self, inner: Any, deadline: float, request: Any, seconds: float) -> None:
        self._inner, self._deadline, self._request, self._seconds = inner, deadline, request, seconds

    def __iter__(self):
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout(f"the answer was still arriving {self._seconds:g} s after the request",
                                        request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _BodyDeadline:
    """httpx event hooks (``request``, ``response``) that cut off a response whose body is still arriving
    ``seconds`` after its request was sent (``httpx.ReadTimeout``, which the openai client raises as
    ``APITimeoutError``)."""

    KEY = "clausewise.deadline"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def request(self, request: Any) -> None:
        request.extensions[self.KEY] = time.monotonic() + self.seconds

    def response(self, response: Any) -> None:
        deadline = response.request.extensions.get(self.KEY)
        if deadline is not None:
            response.stream = _DeadlineStream(response.stream, deadline, response.request, self.seconds)


class OpenAIBackend:
    """OpenAI-compatible HTTP backend. ``model_id``: the server's model name; ``model_sha256``: None
    (unknown) unless given."""

    provider = "openai"

    def __init__(
        self,
        base_url: str | None,
        model_id: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 600.0,
        schema_format: SchemaFormat = "auto",
        model_sha256: str | None = None,
        retry_attempts: int = 5,
        retry_max_s: float = 120.0,
    ):
        import openai

        self.base_url = base_url
        self.shown_url = mask_url(base_url)  # for messages: credentials masked
        self._secrets = sorted({v for v in [api_key, *url_secrets(base_url)] if v}, key=len, reverse=True)
        for secret in self._secrets:
            audit.add_secret(secret)
        self.model_id = model_id
        self.model_sha256 = model_sha256
        # The client holds the key; nothing else here keeps it. max_retries=0: no hidden HTTP retries; the only
        # retries are ours (_send, each one recorded) and instructor's validation re-asks.
        deadline = _BodyDeadline(timeout_s)
        http_client = openai.DefaultHttpxClient(
            event_hooks={"request": [deadline.request], "response": [deadline.response]})
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0,
            http_client=http_client,
        )
        self._timeout_s = timeout_s
        self._retry_attempts, self._retry_max_s = max(1, retry_attempts), retry_max_s
        self._schema_format: SchemaFormat = schema_format
        self._probe_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIBackend:
        """From ``openai_base_url``, ``model``, ``openai_api_key`` (or env OPENAI_API_KEY), ``llm_timeout_s``,
        ``llm_retry_attempts``, ``llm_retry_max_s``.

        Raises :class:`BackendUnavailable` when ``openai_base_url`` is not set: contract text goes only to a server
        the settings name (the OpenAI client would otherwise send it to api.openai.com)."""
        if not settings.openai_base_url:
            raise BackendUnavailable("the openai backend needs CLAUSEWISE_OPENAI_BASE_URL: the address of the "
                                     "OpenAI-compatible server to send contract text to (e.g. http://127.0.0.1:8000/v1 "
                                     "for a local vLLM or llama.cpp server; https://api.openai.com/v1 for OpenAI itself)")
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(settings.openai_base_url, settings.model, key, timeout_s=settings.llm_timeout_s,
                   retry_attempts=settings.llm_retry_attempts, retry_max_s=settings.llm_retry_max_s)

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.shown_url!r}, model_id={self.model_id!r})"

    def schema_format(self) -> Literal["json_schema", "json_object"]:
        """The response_format form in force (probes ``GET /models`` once when ``auto``).
        Raises BackendUnavailable when the server cannot be reached."""
        with self._probe_lock:  # calls in flight together probe once
            return self._probe()

    def _probe(self) -> Literal["json_schema", "json_object"]:
        if self._schema_format == "auto":
            import openai

            tries = [0]
            try:  # a server that is starting, or refuses a connection now and then, is tried again as a call is
                models = self._retrying(self._client.models.list, tries)
            except openai.APIConnectionError as exc:
                raise ServiceUnavailable(f"cannot reach {self.shown_url}: {exc.__class__.__name__}"
                                         f"{self._after(tries[0])}") from None
            except openai.APIError:
                models = []
            owners = {getattr(m, "owned_by", "") for m in models}
            self._schema_format = "json_object" if owners & _LLAMA_CPP_OWNERS else "json_schema"
        return self._schema_format  # type: ignore[return-value]

    def _create(self, **kwargs: Any):
        import openai

        fmt = self.schema_format()
        rf = kwargs.get("response_format") or {}
        if fmt == "json_object" and rf.get("type") == "json_schema":
            schema = rf["json_schema"]["schema"]
            check_schema(schema)
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        # Raised "from None": the openai exception, whose text may echo the key, is not chained into tracebacks.
        tries = [0]
        try:
            return self._checked(self._send(kwargs, tries))
        except openai.APITimeoutError:
            raise LLMTimeout(f"{self.shown_url} did not answer within {self._timeout_s} s") from None
        except openai.APIConnectionError as exc:
            raise ServiceUnavailable(f"cannot reach {self.shown_url}: {exc.__class__.__name__}"
                                     f"{self._after(tries[0])}") from None
        except openai.APIStatusError as exc:
            message = self.redact(str(exc.message))
            if exc.status_code == 400 and "context" in message.lower():
                raise ContextOverflow(f"{self.shown_url}: {message}") from None
            text = f"{self.shown_url} answered HTTP {exc.status_code}: {message}{self._after(tries[0])}"
            if exc.status_code == 429:
                raise RateLimited(text) from None
            if exc.status_code in RETRY_STATUSES:
                raise ServiceUnavailable(text) from None
            raise BackendUnavailable(text) from None
        except json.JSONDecodeError as exc:  # the HTTP body itself, before any model text is read
            raise MalformedAnswer(f"{self.shown_url} answered a body that is not JSON: {exc}") from None
        except openai.APIError as exc:
            raise BackendUnavailable(f"{self.shown_url}: {exc.__class__.__name__}: "
                                     f"{self.redact(str(exc.message))}") from None

    def _checked(self, response: Any) -> Any:
        """``response`` checked against the openai client's own ``ChatCompletion`` model (the client builds it
        without validation) and holding a choice with a message; else raises :class:`MalformedAnswer` naming
        what came instead (a proxy's HTML page, no choices, a choice without a message, token counts that are
        not numbers), so that one chunk fails, not its document."""
        import pydantic
        from openai.types.chat import ChatCompletion

        if not isinstance(response, ChatCompletion):
            text = self.redact(str(response))[:200]
            raise MalformedAnswer(f"{self.shown_url} answered with something that is not a chat completion: "
                                  f"{type(response).__name__} {text!r}")
        try:
            checked = ChatCompletion.model_validate(response.model_dump(warnings=False))
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise MalformedAnswer(f"{self.shown_url} answered a malformed chat completion: {where}: "
                                  f"{first['msg']}") from None
        if not checked.choices:
            raise MalformedAnswer(f"{self.shown_url} answered a chat completion without choices")
        return checked

    @staticmethod
    def _after(tries: int) -> str:
        return f" (after {tries} tries)" if tries > 1 else ""

    def _send(self, kwargs: dict[str, Any], tries: list[int]):
        """The chat completion, tried again as the module docstring says; ``tries[0]`` counts the tries made.
        Raises the openai error of the last try."""
        return self._retrying(lambda: self._client.chat.completions.create(model=self.model_id, **kwargs), tries)

    def _retrying(self, call, tries: list[int]):
        """``call()`` tried again as the module docstring says; ``tries[0]`` counts the tries made. Raises the
        openai error of the last try."""
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_before_delay
        from tenacity import wait_random_exponential

        backoff = wait_random_exponential(multiplier=BACKOFF_S, max=BACKOFF_MAX_S)

        def wait(state) -> float:
            told = retry_after_seconds(_retry_after_header(state.outcome.exception()))
            return told if told is not None else backoff(state)

        def note(state) -> None:
            exc = state.outcome.exception()
            status = getattr(exc, "status_code", None)
            what = f"HTTP {status}" if status is not None else f"connection failed ({exc.__class__.__name__})"
            record_retry(RetryRecord(try_number=state.attempt_number, status=status, error=self.redact(what),
                                     retry_after=_retry_after_header(exc),
                                     wait_s=round(float(state.upcoming_sleep), 3)))

        for attempt in Retrying(retry=retry_if_exception(_retryable), wait=wait, before_sleep=note, reraise=True,
                                stop=stop_after_attempt(self._retry_attempts) | stop_before_delay(self._retry_max_s)):
            with attempt:
                tries[0] = attempt.retry_state.attempt_number
                return call()
        raise AssertionError("unreachable: tenacity returns or re-raises")  # pragma: no cover

    def redact(self, text: str) -> str:
        """A server's text with the API key, the base URL's credentials and secret-shaped text (JWTs,
        ``Authorization`` headers, known key prefixes) replaced by ``[REDACTED]`` (:func:`audit.redact_text`)."""
        for secret in self._secrets:  # this backend's own, whatever their length
            text = text.replace(secret, audit.REDACTED)
        return audit.redact_text(text)

    def complete(self, request: LLMRequest) -> LLMResult:
        """Run ``request`` on the server. Raises TruncatedOutput, ValidationFailed, LLMTimeout, RateLimited,
        ServiceUnavailable, BackendUnavailable, SchemaNotSupported (json_object servers). Safe to call from
        several threads at once (the openai client is)."""
        return run_structured(self._create, request)


def from_settings(settings: Settings) -> "OpenAIBackend":
    """The OpenAI-compatible HTTP backend (see :data:`pipeline.llm.base.BACKENDS`)."""
    return OpenAIBackend.from_settings(settings)
