"""Token counting with the configured model's own tokenizer.

Chunk budgets are in tokens of the model that reads the chunk: non-ASCII text (accented
Latin, CJK, Hangul) costs several times more tokens per character than English, so a
character-based estimate overruns the context window.

Two tokenizers:

- :class:`GGUFTokenizer`: the vocabulary of a local GGUF model, loaded alone with
  llama-cpp-python (``vocab_only=True``: no weights, well under a second). For a byte-level BPE
  vocabulary whose pre-tokenizer is known (:data:`PRE_TOKENIZER_PATTERNS`: Qwen2's), the same
  vocabulary is handed to tiktoken's BPE, which gives the very same token ids about 7 times faster
  (489 text files of ../shared, 18.8 million characters: 10.7 s with llama.cpp, 1.5 s with tiktoken,
  no file tokenized differently); it is used only when it agrees with llama.cpp on a probe text of
  special-token strings, digits, contractions, whitespace runs and non-Latin scripts, else llama.cpp
  tokenizes.
- :class:`DefaultTokenizer`: llama-index's default tokenizer (tiktoken ``cl100k_base``,
  the ``gpt-3.5-turbo`` encoding). llama-index ships the encoding file in
  ``llama_index/core/_static/tiktoken_cache`` and points ``TIKTOKEN_CACHE_DIR`` there, so it
  works offline; a bare ``tiktoken.get_encoding`` would try to download it.

:func:`tokenizer_for` picks the GGUF vocabulary when the configured local model is in the
cache (``<cache_dir>/models/<model>.gguf``, or ``model`` itself when it is a path to a
``.gguf`` file), else the default.
"""

from __future__ import annotations

import atexit

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from schemas import ClausewiseError

if TYPE_CHECKING:
    from pipeline.settings import Settings


class TokenizerError(ClausewiseError):
    """Base error of token counting."""


class TokenizerLoadError(TokenizerError):
    """A tokenizer could not be loaded (missing file, llama-cpp-python absent, bad GGUF)."""


@runtime_checkable
class Tokenizer(Protocol):
    """Counts and encodes text in one model's tokens. ``name`` is stored beside every token count."""

    name: str

    def count(self, text: str) -> int:
        """Number of tokens of ``text`` (no BOS/EOS, special tokens treated as plain text)."""
        ...

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no BOS/EOS, special tokens treated as plain text)."""
        ...


class GGUFTokenizer:
    """The vocabulary of a GGUF model file, loaded without its weights.

    ``path``: a ``.gguf`` file. ``name`` is ``"gguf:<file stem>"``.
    Raises :class:`TokenizerLoadError` if the file is missing, llama-cpp-python is not
    installed, or llama.cpp cannot read the vocabulary.
    """

    def __init__(self, path: str | Path):
        path = Path(path).expanduser()
        if not path.is_file():
            raise TokenizerLoadError(f"GGUF file not found: {path}")
        try:
            import llama_cpp
        except ImportError as exc:  # the optional extra `local` is not installed
            raise TokenizerLoadError("llama-cpp-python is not installed (pip install 'clausewise[local]')") from exc
        try:
            # llama.cpp writes a context-size notice to the C-level stderr even with verbose=False
            from llama_cpp._utils import suppress_stdout_stderr

            with suppress_stdout_stderr(disable=False):
                self._llama = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
        except Exception as exc:  # noqa: BLE001 - llama.cpp reports failure as ValueError/RuntimeError
            raise TokenizerLoadError(f"cannot load the vocabulary of {path}: {exc}") from exc
        self.path = path
        self.name = f"gguf:{path.stem}"
        _LOADED.append(self)
        self._lock = threading.Lock()
        self._bpe = _tiktoken_encoding(self._llama)

    @property
    def engine(self) -> str:
        """What tokenizes: ``"tiktoken"`` (the same vocabulary in tiktoken's BPE) or ``"llama.cpp"``."""
        return "llama.cpp" if self._bpe is None else "tiktoken"

    def encode(self, text: str) -> list[int]:
        if not text:
            return []
        if self._bpe is not None:
            return self._bpe.encode_ordinary(text)
        data = text.encode("utf-8")
        with self._lock:
            vocab = getattr(getattr(self._llama, "_model", None), "vocab", None)
            if vocab is None:  # another llama-cpp-python layout: its own (slower) path
                return list(self._llama.tokenize(data, add_bos=False, special=False))
            return _tokenize(vocab, data)

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def __repr__(self) -> str:
        return f"GGUFTokenizer({str(self.path)!r})"


def _tokenize(vocab, data: bytes, size: int | None = None) -> list[int]:
    """Token ids of UTF-8 ``data`` in a llama.cpp vocabulary (no BOS, special tokens as plain text).

    The same ``llama_tokenize`` call as ``Llama.tokenize``, into a buffer of ``size`` tokens (default:
    one per byte of ``data`` plus one for a space prefix) instead of one as long as the model's training
    context (32,768 tokens for Qwen2.5, allocated and zeroed per call); a longer result is asked for
    again at its exact size."""
    import llama_cpp

    size = len(data) + 1 if size is None else size
    buf = (llama_cpp.llama_token * size)()
    n = llama_cpp.llama_tokenize(vocab, data, len(data), buf, size, False, False)
    if n < 0:
        size = -n
        buf = (llama_cpp.llama_token * size)()
        n = llama_cpp.llama_tokenize(vocab, data, len(data), buf, size, False, False)
        if n < 0:
            raise TokenizerError(f"llama.cpp could not tokenize {len(data)} bytes (asked for {size} tokens, got {n})")
    return buf[:n]


PRE_TOKENIZER_PATTERNS: dict[str, str] = {
    "qwen2": r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
}
"""Pre-tokenizer regular expressions by GGUF ``tokenizer.ggml.pre``: text is cut into these pieces before the
BPE merges. Qwen2's is the ``pre_tokenizer`` pattern of Qwen2's ``tokenizer.json``, which llama.cpp implements
as ``LLAMA_VOCAB_PRE_TYPE_QWEN2``."""

_PROBE = ("<|im_start|>user\nDON'T pay US$1,234,567.89 by 2024-12-31;\tit's   due\r\n\r\n  in 30 days.<|endoftext|>"
          " Café naïve façade — “quoted” ‘x’ §4.2(a)\u00a0¶ 合同条款 계약서 договор عقد 🙂👍🏽 e\u0301 ﬁ x²\n\n\n")


def _tiktoken_encoding(llama):
    """A tiktoken ``Encoding`` of ``llama``'s vocabulary when it is byte-level BPE (``tokenizer.ggml.model``
    ``gpt2``) with a pre-tokenizer of :data:`PRE_TOKENIZER_PATTERNS`, and it tokenizes :data:`_PROBE` exactly as
    llama.cpp does; else None (llama.cpp tokenizes). A token's rank is its id: in these vocabularies ids follow
    the order of the BPE merges. Special tokens are left out, so their strings are tokenized as plain text, as
    llama.cpp does with ``parse_special`` off."""
    try:
        import llama_cpp
        import tiktoken

        meta = getattr(llama, "metadata", None) or {}
        pattern = PRE_TOKENIZER_PATTERNS.get(meta.get("tokenizer.ggml.pre", ""))
        vocab = getattr(getattr(llama, "_model", None), "vocab", None)
        if meta.get("tokenizer.ggml.model") != "gpt2" or pattern is None or vocab is None:
            return None
        byte_of = _byte_level_decoder()
        ranks: dict[bytes, int] = {}
        for i in range(llama_cpp.llama_vocab_n_tokens(vocab)):
            if llama_cpp.llama_vocab_get_attr(vocab, i) & llama_cpp.LLAMA_TOKEN_ATTR_NORMAL:
                ranks[bytes(byte_of[c] for c in llama_cpp.llama_vocab_get_text(vocab, i).decode("utf-8"))] = i
        enc = tiktoken.Encoding(f"gguf-{meta['tokenizer.ggml.pre']}", pat_str=pattern, mergeable_ranks=ranks,
                                special_tokens={})
        if enc.encode_ordinary(_PROBE) != _tokenize(vocab, _PROBE.encode("utf-8")):
            return None
        return enc
    except Exception:  # noqa: BLE001 - a vocabulary tiktoken cannot take is tokenized by llama.cpp instead
        return None


@lru_cache(maxsize=1)
def _byte_level_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet read back: the character that stands for each byte in a token's text → the
    byte (printable Latin-1 bytes stand for themselves, the others for 256 + their order)."""
    kept = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    moved = [b for b in range(256) if b not in kept]
    return {**{chr(b): b for b in kept}, **{chr(256 + k): b for k, b in enumerate(moved)}}


class DefaultTokenizer:
    """llama-index's default tokenizer (tiktoken ``cl100k_base``), from its bundled offline cache.

    ``name`` is ``"tiktoken:cl100k_base"``. Special-token strings in the text are counted as
    the special token (llama-index passes ``allowed_special="all"``); this never raises on input.
    """

    name = "tiktoken:cl100k_base"

    def __init__(self) -> None:
        from llama_index.core.utils import get_tokenizer

        self._encode = get_tokenizer()

    def encode(self, text: str) -> list[int]:
        return list(self._encode(text)) if text else []

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def __repr__(self) -> str:
        return "DefaultTokenizer()"


def local_model_file(settings: Settings) -> Path:
    """The GGUF file the configured local model would be: ``model`` itself when it names a
    ``.gguf`` path, else ``<cache_dir>/models/<model>.gguf`` (same layout as the model registry)."""
    model = settings.model
    if model.endswith(".gguf"):
        return Path(model).expanduser().resolve()
    return Path(settings.cache_dir) / "models" / f"{model}.gguf"


@lru_cache(maxsize=8)
def _gguf(path: Path) -> GGUFTokenizer:
    return GGUFTokenizer(path)


def _close_tokenizers() -> None:
    """Free loaded vocabularies before interpreter shutdown (llama-cpp's ``__del__`` fails late in shutdown)."""
    for tok in _LOADED:
        try:
            tok._llama.close()
        except Exception:  # noqa: BLE001 - freeing at exit must never raise
            pass
    _LOADED.clear()
    _gguf.cache_clear()


_LOADED: list[GGUFTokenizer] = []
atexit.register(_close_tokenizers)


@lru_cache(maxsize=1)
def default_tokenizer() -> DefaultTokenizer:
    """The one shared :class:`DefaultTokenizer` (created on first use): what :func:`tokenizer_for` returns
    when no GGUF vocabulary is available, and what tests and benchmarks count with."""
    return DefaultTokenizer()


def tokenizer_for(settings: Settings) -> Tokenizer:
    """The tokenizer chunk budgets are measured with.

    The configured model's GGUF vocabulary when the file of :func:`local_model_file` exists and
    loads (whatever the backend: a GGUF served over the OpenAI API has the same tokenizer);
    else :class:`DefaultTokenizer`. Loaded tokenizers are cached per file.
    Note: chunk boundaries depend on the tokenizer, so recorded (replay) answers keyed by chunk
    text replay only where the same tokenizer is chosen.
    """
    path = local_model_file(settings)
    if path.is_file():
        try:
            return _gguf(path)
        except TokenizerLoadError:
            # llama-cpp-python absent or unreadable vocabulary: count with the default instead of failing
            # chunking; the LLM backend reports the model problem itself when it loads the weights.
            pass
    return default_tokenizer()
