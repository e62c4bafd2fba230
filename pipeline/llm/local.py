"""The ``local`` backend: llama-cpp-python in this process, output constrained by a grammar.

- The model (registry name or GGUF path, see :mod:`pipeline.llm.registry`) is loaded once per
  process and reused (cache keyed by path, n_ctx, n_threads).
- instructor runs in JSON_SCHEMA mode, whose ``response_format={"type": "json_schema"}``
  llama-cpp-python 0.3.36 silently ignores; :func:`_make_create` drops it and passes a grammar
  built up front from the schema (:mod:`pipeline.llm.grammar`, fails loudly).
- Greedy constrained sampling checks the model's own first choice against the grammar before the whole
  vocabulary (:mod:`pipeline.llm.sampling`): the same answer at about the speed of free decoding.
- Consecutive calls share the KV cache of their common prompt head (llama-cpp-python keeps the evaluated
  tokens and re-evaluates only from the first token that differs), so the instructions and the worked
  example, which come first and never change, are evaluated once per loaded model.
- llama-cpp has no call timeout: ``timeout_s`` (settings.llm_timeout_s) bounds one ``complete``
  call, all attempts together; the deadline is checked after every generated token and the call
  raises LLMTimeout once it passes (prompt evaluation itself is not interruptible).
"""

from __future__ import annotations

import atexit

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.llm.base import BackendUnavailable, ContextOverflow, LLMRequest, LLMResult, LLMTimeout
from pipeline.llm.grammar import grammar_for_schema
from pipeline.llm.sampling import GreedyGrammarSampler
from pipeline.llm.structured import run_structured

if TYPE_CHECKING:
    from pipeline.settings import Settings

_MODELS: dict[tuple[str, int, int], Any] = {}
_LOCK = threading.Lock()


class _DeadlinePassed(Exception):
    pass


def _llama_class():
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BackendUnavailable(
            "llama-cpp-python is not installed; install the 'local' extra (make setup builds it)"
        ) from exc

    class TimedLlama(Llama):
        """Llama whose token loop stops with _DeadlinePassed once ``deadline`` (monotonic s) passes, and
        whose greedy constrained sampling checks the model's first choice before the whole vocabulary
        (:class:`~pipeline.llm.sampling.GreedyGrammarSampler`; same tokens, at about free-decoding speed).
        ``sampler_class`` makes the sampler of a greedy constrained call (``(llama, grammar, penalty_repeat=,
        penalty_last_n=)``, with ``sample(ctx, idx)``, ``stats`` and ``close()``; benchmarks put other
        candidates here; ``None`` keeps the library's own sampler chain); ``last_sampler_stats`` holds
        the :class:`~pipeline.llm.sampling.SamplerStats` of the last constrained call."""

        deadline: float | None = None
        sampler_class: Any = GreedyGrammarSampler
        last_sampler_stats: Any = None
        _constraint: Any = None

        def generate(self, tokens: Any, *args: Any, **kwargs: Any):
            grammar = kwargs.get("grammar")
            plain = (not kwargs.get("logits_processor") and not kwargs.get("frequency_penalty")
                     and not kwargs.get("presence_penalty") and not kwargs.get("mirostat_mode"))
            if self.sampler_class is not None and grammar is not None and kwargs.get("temp") == 0.0 and plain:
                kwargs["grammar"] = None
                self._constraint = self.sampler_class(
                    self, grammar, penalty_repeat=float(kwargs.get("repeat_penalty", 1.0)),
                    penalty_last_n=self.last_n_tokens_size)
                self.last_sampler_stats = self._constraint.stats
            try:
                for token in super().generate(tokens, *args, **kwargs):
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        raise _DeadlinePassed()
                    yield token
            finally:
                if self._constraint is not None:
                    self._constraint.close()
                    self._constraint = None

        def sample(self, *args: Any, **kwargs: Any) -> int:
            if self._constraint is None:
                return super().sample(*args, **kwargs)
            idx = kwargs.get("idx")
            return self._constraint.sample(self._ctx.ctx, idx - self.n_tokens if idx is not None else -1)

    return TimedLlama


def close_models() -> None:
    """Free every loaded model (registered with :mod:`atexit`, so llama-cpp's own ``__del__`` does not run
    during interpreter shutdown, when its C bindings are already gone)."""
    with _LOCK:
        while _MODELS:
            _, llama = _MODELS.popitem()
            try:
                llama.close()
            except Exception:  # noqa: BLE001 - freeing at exit must never raise
                pass


atexit.register(close_models)


def load_model(path: Path, n_ctx: int, n_threads: int, seed: int = 0):
    """The llama-cpp model at ``path``, loaded once per (path, n_ctx, n_threads) and reused.
    Raises BackendUnavailable when it cannot be loaded."""
    key = (str(Path(path).resolve()), n_ctx, n_threads)
    with _LOCK:
        llama = _MODELS.get(key)
        if llama is None:
            cls = _llama_class()
            try:
                llama = cls(model_path=key[0], n_ctx=n_ctx, n_threads=n_threads, seed=seed, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise BackendUnavailable(f"cannot load model {key[0]}: {exc}") from exc
            llama.call_lock = threading.Lock()  # one generation at a time per loaded model
            _MODELS[key] = llama
    return llama


def _make_create(llama, timeout_s: float | None):
    """An OpenAI-style ``create(**kwargs)`` over ``llama`` that swaps instructor's ignored
    ``json_schema`` response_format for a checked grammar and enforces the deadline."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s

    def create(**kwargs: Any):
        response_format = kwargs.pop("response_format", None) or {}
        schema = (response_format.get("json_schema") or {}).get("schema") or response_format.get("schema")
        if schema is not None:
            kwargs["grammar"] = grammar_for_schema(schema)
        kwargs.pop("model", None)
        with llama.call_lock:
            llama.deadline = deadline
            try:
                return llama.create_chat_completion_openai_v1(**kwargs)
            except _DeadlinePassed:
                raise LLMTimeout(f"local model call ran past {timeout_s} s") from None
            except ValueError as exc:
                if "exceed context window" in str(exc):
                    raise ContextOverflow(str(exc)) from None
                raise
            finally:
                llama.deadline = None

    return create


class LocalBackend:
    """llama-cpp-python backend. ``model_id``: registry name or GGUF file stem; ``model_sha256``:
    SHA-256 of the GGUF file. One call at a time (``max_concurrency`` 1): a llama-cpp model instance decodes
    one sequence at a time and is not safe to call from two threads."""

    provider = "local"
    max_concurrency = 1

    def __init__(
        self,
        model_path: Path,
        model_id: str,
        model_sha256: str | None,
        *,
        n_ctx: int = 8192,
        n_threads: int = 2,
        timeout_s: float | None = 600.0,
    ):
        self.model_path = Path(model_path)
        self.model_id = model_id
        self.model_sha256 = model_sha256
        self.n_ctx, self.n_threads, self.timeout_s = n_ctx, n_threads, timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalBackend:
        """From ``settings.model`` (resolved in ``settings.cache_dir``), ``context_tokens``, ``n_threads``,
        ``llm_timeout_s``. Raises ModelNotInstalled, ModelChecksumError, UnknownModel."""
        from pipeline.llm.registry import resolve

        m = resolve(settings.model, settings.cache_dir)
        return cls(
            m.path, m.name, m.sha256,
            n_ctx=settings.context_tokens, n_threads=settings.n_threads, timeout_s=settings.llm_timeout_s,
        )

    @property
    def llama(self):
        """The loaded llama-cpp model (loads on first use)."""
        return load_model(self.model_path, self.n_ctx, self.n_threads)

    def complete(self, request: LLMRequest) -> LLMResult:
        """Run ``request`` on the local model; see :func:`pipeline.llm.structured.run_structured`.
        Raises TruncatedOutput, ValidationFailed, LLMTimeout, SchemaNotSupported, ContextOverflow,
        BackendUnavailable."""
        # Convert the schema before loading anything: a bad schema fails fast and loudly.
        grammar_for_schema(request.response_model.model_json_schema())
        return run_structured(_make_create(self.llama, self.timeout_s), request)


def from_settings(settings: Settings) -> "LocalBackend":
    """The local llama-cpp backend for ``settings.model`` (see :data:`pipeline.llm.base.BACKENDS`)."""
    return LocalBackend.from_settings(settings)
