"""Token counting: the model's own tokenizer (GGUF vocabulary) or llama-index's default, offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.reading.tokens import (
    DefaultTokenizer,
    GGUFTokenizer,
    Tokenizer,
    TokenizerLoadError,
    local_model_file,
    tokenizer_for,
)
from tests.conftest import REPO, require_shared, unavailable

MODELS = Settings().cache_dir / "models"  # CLAUSEWISE_CACHE_DIR or ~/.cache/clausewise

NON_ASCII = "São Paulo | 東京都港区 | Zürich | 서울특별시 | Ålesund | Kraków | Malmö | İstanbul"
ASCII = "The Supplier shall deliver the Goods to the Customer within thirty days of the order."


def installed_gguf() -> Path:
    """A GGUF model file from the cache, or skip (fail under CI) when none is installed."""
    files = sorted(MODELS.glob("*.gguf")) if MODELS.is_dir() else []
    if not files:
        unavailable(f"no GGUF model in {MODELS} (install one with the model registry to test its tokenizer)")
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        unavailable("llama-cpp-python is not installed (extra `local`)")
    return files[0]


@pytest.fixture(scope="module")
def gguf() -> GGUFTokenizer:
    return GGUFTokenizer(installed_gguf())


def test_default_tokenizer_is_cl100k_from_llama_index_cache():
    tok = DefaultTokenizer()
    assert isinstance(tok, Tokenizer)
    assert tok.name == "tiktoken:cl100k_base"
    assert tok.encode("hello world") == [15339, 1917]
    assert tok.count("hello world") == 2
    assert tok.encode("") == [] and tok.count("") == 0


def test_default_tokenizer_loads_without_network():
    """A fresh process whose sockets refuse to connect still gets the encoding (bundled cache)."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled by test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from pipeline.reading.tokens import DefaultTokenizer\n"
        "print(DefaultTokenizer().encode('hello world'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    env["HOME"] = "/nonexistent"  # no user-level tiktoken/data cache to fall back on
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[15339, 1917]"


def test_gguf_tokenizer_counts_with_the_model_vocabulary(gguf):
    assert gguf.name == f"gguf:{gguf.path.stem}"
    assert isinstance(gguf, Tokenizer)
    # Qwen2.5 vocabulary: different ids from cl100k for the same text
    assert gguf.encode("hello world") == [14990, 1879]
    # special=False: a chat-template marker in contract text is plain text, not the control token
    assert gguf.encode("<|im_start|>") == [27, 91, 318, 4906, 91, 29]
    assert gguf.count("") == 0


def test_gguf_tokenizer_gives_llama_cpp_ids_through_tiktoken_on_real_contracts(gguf):
    from pipeline.reading.tokens import _tokenize

    assert gguf.engine == "tiktoken"  # the Qwen2 vocabulary: byte-level BPE with a known pre-tokenizer
    vocab = gguf._llama._model.vocab
    files = sorted(require_shared("corpus", "cuad", "full_contract_txt").rglob("*.txt"))[::9]
    files += sorted(require_shared("failcases").rglob("*.txt"))
    assert len(files) >= 25
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        assert gguf.encode(text) == _tokenize(vocab, text.encode("utf-8")), f.name
    odd = "Ⅻ ①②  ｆｕｌｌ　ｗｉｄｔｈ\u200b\ufeff 𝔄𝔟 ‏עברית‎ हिन्दी ไทย 1⁄2 ½ ١٢٣ \x0b\x0c\x1f\x7f"
    assert gguf.encode(odd) == _tokenize(vocab, odd.encode("utf-8"))


def test_a_pre_tokenizer_unknown_or_disagreeing_on_the_probe_leaves_tokenizing_to_llama_cpp(monkeypatch):
    from pipeline.reading import tokens

    path = installed_gguf()
    reference = GGUFTokenizer(path)
    qwen2 = tokens.PRE_TOKENIZER_PATTERNS["qwen2"]
    monkeypatch.setattr(tokens, "PRE_TOKENIZER_PATTERNS", {})
    unknown = GGUFTokenizer(path)
    assert unknown.engine == "llama.cpp"
    # Qwen2's pattern without the rule that leaves the last space of a run to the next word: the probe's
    # "it's   due" is then cut "   " + "due" instead of "  " + " due"
    greedy_spaces = qwen2.replace(r"|\s+(?!\S)", "")
    assert greedy_spaces != qwen2
    monkeypatch.setattr(tokens, "PRE_TOKENIZER_PATTERNS", {"qwen2": greedy_spaces})
    wrong = GGUFTokenizer(path)
    assert wrong.engine == "llama.cpp"
    for tok in (unknown, wrong):
        assert tok.encode("Pay 1,234,567 within 30 days.") == reference.encode("Pay 1,234,567 within 30 days.")


def test_gguf_tokenizer_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(TokenizerLoadError, match="not found"):
        GGUFTokenizer(tmp_path / "absent.gguf")


@pytest.mark.parametrize("which", ["default", "gguf"])
def test_non_ascii_costs_more_tokens_per_character(which, request):
    """F32: non-ASCII text uses far more tokens per character; a chars/4 estimate undercounts."""
    tok = DefaultTokenizer() if which == "default" else request.getfixturevalue("gguf")
    non_ascii = tok.count(NON_ASCII) / len(NON_ASCII)
    ascii_ = tok.count(ASCII) / len(ASCII)
    assert non_ascii > 2 * ascii_
    doc = require_shared("failcases", "F32", "contract.txt").read_text(encoding="utf-8")
    assert tok.count(doc) > 2 * (len(doc) / 4)  # the common 4-characters-per-token estimate is off by > 2x


def test_tokenizer_for_falls_back_to_default_without_model_file(tmp_path):
    s = Settings(cache_dir=tmp_path, model="qwen2.5-coder-1.5b")
    assert local_model_file(s) == tmp_path / "models" / "qwen2.5-coder-1.5b.gguf"
    assert isinstance(tokenizer_for(s), DefaultTokenizer)


def test_tokenizer_for_picks_the_configured_gguf(tmp_path):
    real = installed_gguf()
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "mymodel.gguf").symlink_to(real)
    tok = tokenizer_for(Settings(cache_dir=tmp_path, model="mymodel"))
    assert isinstance(tok, GGUFTokenizer) and tok.name == "gguf:mymodel"
    by_path = tokenizer_for(Settings(cache_dir=tmp_path / "elsewhere", model=str(real)))
    assert isinstance(by_path, GGUFTokenizer) and by_path.path == real.resolve()
    assert tokenizer_for(Settings(cache_dir=tmp_path, model="mymodel")) is tok  # loaded once
