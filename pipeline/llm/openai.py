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

The API key comes from settings (``CLAUSEWISE_OPENAI_API_KEY``) or ``OPENAI_API_KEY``; it is
passed to the client only and never appears in results, attempts or errors: a server's error text (which may
echo the key, whatever its shape) is redacted of the key, the credentials of the base URL and secret-shaped
text (:func:`audit.redact_text`) before it becomes an error, and the base URL is shown with its credentials
masked. The key and the URL's credentials are registered with :func:`audit.add_secret`, so the audit log
never holds them either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import audit
from pipeline.llm.base import BackendUnavailable, ContextOverflow, LLMRequest, LLMResult, LLMTimeout
from pipeline.llm.grammar import check_schema
from pipeline.llm.structured import run_structured
from pipeline.settings import mask_url, url_secrets

if TYPE_CHECKING:
    from pipeline.settings import Settings

SchemaFormat = Literal["auto", "json_schema", "json_object"]
_LLAMA_CPP_OWNERS = {"me", "llamacpp"}


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
    ):
        import openai

        self.base_url = base_url
        self.shown_url = mask_url(base_url)  # for messages: credentials masked
        self._secrets = sorted({v for v in [api_key, *url_secrets(base_url)] if v}, key=len, reverse=True)
        for secret in self._secrets:
            audit.add_secret(secret)
        self.model_id = model_id
        self.model_sha256 = model_sha256
        # The client holds the key; nothing else here keeps it. max_retries=0: no hidden HTTP retries,
        # the only retries are instructor's validation re-asks, each one recorded.
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
        )
        self._timeout_s = timeout_s
        self._schema_format: SchemaFormat = schema_format

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIBackend:
        """From ``openai_base_url``, ``model``, ``openai_api_key`` (or env OPENAI_API_KEY), ``llm_timeout_s``."""
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(settings.openai_base_url, settings.model, key, timeout_s=settings.llm_timeout_s)

    def __repr__(self) -> str:
        return f"OpenAIBackend(base_url={self.shown_url!r}, model_id={self.model_id!r})"

    def schema_format(self) -> Literal["json_schema", "json_object"]:
        """The response_format form in force (probes ``GET /models`` once when ``auto``).
        Raises BackendUnavailable when the server cannot be reached."""
        if self._schema_format == "auto":
            import openai

            try:
                models = self._client.models.list()
            except openai.APIConnectionError as exc:
                raise BackendUnavailable(f"cannot reach {self.shown_url}: {exc.__class__.__name__}") from None
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
        try:
            return self._client.chat.completions.create(model=self.model_id, **kwargs)
        except openai.APITimeoutError:
            raise LLMTimeout(f"{self.shown_url} did not answer within {self._timeout_s} s") from None
        except openai.APIConnectionError as exc:
            raise BackendUnavailable(f"cannot reach {self.shown_url}: {exc.__class__.__name__}") from None
        except openai.APIStatusError as exc:
            message = self.redact(str(exc.message))
            if exc.status_code == 400 and "context" in message.lower():
                raise ContextOverflow(f"{self.shown_url}: {message}") from None
            raise BackendUnavailable(f"{self.shown_url} answered HTTP {exc.status_code}: {message}") from None
        except openai.APIError as exc:
            raise BackendUnavailable(f"{self.shown_url}: {exc.__class__.__name__}: "
                                     f"{self.redact(str(exc.message))}") from None

    def redact(self, text: str) -> str:
        """A server's text with the API key, the base URL's credentials and secret-shaped text (JWTs,
        ``Authorization`` headers, known key prefixes) replaced by ``[REDACTED]`` (:func:`audit.redact_text`)."""
        for secret in self._secrets:  # this backend's own, whatever their length
            text = text.replace(secret, audit.REDACTED)
        return audit.redact_text(text)

    def complete(self, request: LLMRequest) -> LLMResult:
        """Run ``request`` on the server. Raises TruncatedOutput, ValidationFailed, LLMTimeout,
        BackendUnavailable, SchemaNotSupported (json_object servers)."""
        return run_structured(self._create, request)


def from_settings(settings: Settings) -> "OpenAIBackend":
    """The OpenAI-compatible HTTP backend (see :data:`pipeline.llm.base.BACKENDS`)."""
    return OpenAIBackend.from_settings(settings)
