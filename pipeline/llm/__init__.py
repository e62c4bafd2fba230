"""The LLM boundary: one request and result shape, one error per failure mode, backends chosen by name.

- :class:`LLMRequest` (messages, response model, ``max_tokens``, prompt version) in,
  :class:`LLMResult` (the parsed answer, token counts, one :class:`AttemptRecord` per attempt) out.
- :class:`Backend` is the protocol every backend implements; :func:`make_backend` returns the one
  ``settings.backend`` names (``local`` llama-cpp, ``openai``-compatible HTTP, ``replay`` of recorded
  answers), resolved through the import paths in :data:`BACKENDS`. This package imports none of the
  backends, so importing it loads neither llama-cpp nor the openai client.
- Errors: :class:`LLMError` and its failure modes (:class:`TruncatedOutput`, :class:`ValidationFailed`,
  :class:`BackendUnavailable` with :class:`RateLimited` and :class:`ServiceUnavailable` after retries and
  :class:`MalformedAnswer`,
  :class:`ContextOverflow`, :class:`LLMTimeout`, :class:`SchemaNotSupported`, :class:`ReplayMiss`), each
  carrying the attempts made; each attempt lists its transport retries (:class:`RetryRecord`).
- Batches: :mod:`pipeline.llm.concurrency` bounds the model calls in flight (:class:`CallPool`,
  :func:`concurrency_for`); :mod:`pipeline.llm.progress` is the protocol a batch reports its progress through.
- Structured output: :func:`check_schema` refuses JSON schemas a generation grammar cannot express;
  :func:`grammar_for_schema` builds the llama-cpp grammar; :class:`GreedyGrammarSampler` samples a
  constrained answer greedily, checking the model's first choice before the whole vocabulary
  (:class:`PenaltyWindow`, llama.cpp's repeat penalty; :class:`SamplerStats`).
- The GGUF model registry: :data:`REGISTRY` of pinned models (:class:`ModelSpec`),
  :data:`DEFAULT_MODEL`, :func:`install` (download, assemble, check size and SHA-256),
  :func:`resolve` (a registry name or a ``.gguf`` path to a verified :class:`ResolvedModel`),
  :func:`is_installed`, :func:`model_path`, :func:`file_sha256`; errors under
  :class:`ModelRegistryError`.
- :func:`request_key`: the SHA-256 key of a request (model, prompt version, messages, schema, decoding), the
  name of its replay recording and of its stored answer.
- Recording: with ``CLAUSEWISE_RECORD=1`` (:data:`RECORD_ENV`, :func:`recording_requested`) the replay
  backend records the answers it misses.
"""

from pipeline.llm.base import (
    BACKENDS,
    RECORD_COMMAND,
    RECORD_ENV,
    AttemptRecord,
    Backend,
    BackendUnavailable,
    ContextOverflow,
    LLMError,
    LLMRequest,
    LLMResult,
    LLMTimeout,
    MalformedAnswer,
    Message,
    RateLimited,
    ReplayMiss,
    RetryRecord,
    SchemaNotSupported,
    ServiceUnavailable,
    TruncatedOutput,
    ValidationFailed,
    make_backend,
    recording_requested,
    request_key,
)
from pipeline.llm.concurrency import DEFAULT_CONCURRENCY, CallPool, concurrency_for
from pipeline.llm.grammar import check_schema, grammar_for_schema
from pipeline.llm.progress import NoProgress, Progress
from pipeline.llm.sampling import GreedyGrammarSampler, PenaltyWindow, SamplerStats
from pipeline.llm.registry import (
    DEFAULT_MODEL,
    REGISTRY,
    ModelChecksumError,
    ModelDownloadError,
    ModelNotInstalled,
    ModelRegistryError,
    ModelSpec,
    ResolvedModel,
    UnknownModel,
    file_sha256,
    install,
    is_installed,
    model_path,
    resolve,
)

__all__ = [
    "AttemptRecord", "BACKENDS", "Backend", "BackendUnavailable", "CallPool", "ContextOverflow",
    "DEFAULT_CONCURRENCY", "DEFAULT_MODEL", "NoProgress", "Progress",
    "GreedyGrammarSampler", "LLMError", "PenaltyWindow", "SamplerStats",
    "LLMRequest", "LLMResult", "LLMTimeout", "MalformedAnswer", "Message", "ModelChecksumError", "ModelDownloadError",
    "ModelNotInstalled", "ModelRegistryError", "ModelSpec", "RECORD_COMMAND", "RECORD_ENV", "REGISTRY",
    "RateLimited", "ReplayMiss", "ResolvedModel", "RetryRecord", "SchemaNotSupported", "ServiceUnavailable", "TruncatedOutput", "UnknownModel", "ValidationFailed",
    "check_schema", "concurrency_for", "file_sha256", "grammar_for_schema", "install", "is_installed", "make_backend", "model_path",
    "recording_requested", "request_key", "resolve",
]
