"""Local LLM speed: prompt tokens/s, output tokens/s free and schema-constrained, prompt-head reuse.

Two modes.

``--chunks N`` (the production path): a real contract (``--contract``, default a 12-page CUAD content
licence agreement of 6 chunks) is read and chunked as ``clausewise ingest`` does (into a temporary SQLite
database), and its first N chunks go through the production prompt and schema (``pipeline.extraction.build_messages``, ``ChunkExtraction``)
one after the other on one loaded model, without clearing the KV cache between them, so what is measured
is what extraction does. Per chunk and decoder it prints prompt tokens sent, prompt tokens evaluated
(llama.cpp's own counter: the rest came from the cache of the previous call), output tokens and output
tokens/s (output tokens ÷ (wall time − prompt evaluation time)). Decoders (``--decoders``):

- ``checkfirst``: the production local backend (``LocalBackend.complete``: instructor, the schema's
  grammar, greedy sampling that checks the model's first choice before the whole vocabulary);
- ``full``: the same call with the library's sampler chain (grammar applied to the whole vocabulary);
- ``free``: the same messages without a grammar; ``valid`` says whether the answer parses as the schema
  (free decoding with validation and a re-ask is only as fast as its validity rate allows);
- ``llguidance``: the same call with the ``llguidance`` wheel's token mask, built from the schema's JSON
  schema, over the whole vocabulary at every step (:class:`LLGuidanceSampler`; needs ``pip install
  llguidance``).

The first decoder runs first over all chunks (its prompt-evaluated counts show the head reuse); the others
follow per chunk. The summary prints each decoder's output tokens/s over all chunks and its ratio to free.

Without ``--chunks`` (the short probe): the first ~1,500 tokens of ../shared/failcases/F32/contract.txt with
a small schema, KV cache cleared before each run, as before.

Usage::

    .venv/bin/python benchmarks/bench_llm.py --chunks 5 [--models qwen2.5-coder-1.5b] [--threads 2]
        [--decoders checkfirst,free,full] [--contract PDF]
    .venv/bin/python benchmarks/bench_llm.py [--models qwen2.5-coder-0.5b,qwen2.5-coder-1.5b]

Figures depend on the machine and on whatever else runs on it: the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel, Field

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings  # noqa: E402
from pipeline.llm import LLMRequest, grammar_for_schema, make_backend, resolve  # noqa: E402

SHARED = REPO.parent / "shared"
CONTRACT = SHARED / "failcases" / "F32" / "contract.txt"
DEFAULT_PDF = (SHARED / "corpus" / "cuad" / "full_contract_pdf" / "Part_I" / "License_Agreements"
               / "GlobalTechnologiesGroupInc_20050928_10KSB_EX-10.9_4148808_EX-10.9_Content License Agreement.pdf")
DECODERS = ("checkfirst", "full", "free", "llguidance")
_LLG_TOKENIZERS: dict[int, object] = {}


class LLGuidanceSampler:
    """Candidate: the ``llguidance`` wheel (``pip install llguidance``; not a project dependency) as a token
    mask over the whole vocabulary at every step, from the response model's JSON schema (:attr:`json_schema`,
    set by the caller; else the GBNF grammar), with the same repeat penalty and greedy choice. Plugs into the
    local backend's ``sampler_class``."""

    json_schema: str | None = None

    def __init__(self, llama, grammar, *, penalty_repeat: float = 1.0, penalty_last_n: int = 64):
        import llama_cpp
        import llguidance
        import llguidance.llamacpp
        import llguidance.numpy as lln

        from pipeline.llm import PenaltyWindow, SamplerStats

        vocab = llama._model.vocab
        key = id(llama)
        if key not in _LLG_TOKENIZERS:
            eog = [llama_cpp.llama_vocab_eos(vocab)]
            eot = llama_cpp.llama_vocab_eot(vocab)
            if eot >= 0 and eot not in eog:
                eog.append(eot)
            _LLG_TOKENIZERS[key] = llguidance.llamacpp.lltokenizer_from_vocab(vocab, eos_token=eog)
        tok = _LLG_TOKENIZERS[key]
        self._lln = lln
        self._n_vocab = int(llama.n_vocab())
        # from the response model's JSON schema: llguidance refuses the GBNF that llama-cpp-python makes of it
        # ("lark grammar too deeply nested" at its CHAR rule)
        source = ("json_schema", self.json_schema) if self.json_schema else ("gbnf", grammar._grammar)
        self._matcher = llguidance.LLMatcher(tok, llguidance.grammar_from(*source), log_level=0)
        if self._matcher.is_error():
            raise RuntimeError(f"llguidance: {self._matcher.get_error()}")
        self._mask = lln.allocate_token_bitmask(1, tok.vocab_size)
        self._window = PenaltyWindow(penalty_repeat, penalty_last_n)
        self.stats = SamplerStats()

    def sample(self, ctx, idx: int = -1) -> int:
        import llama_cpp
        import numpy as np

        ptr = llama_cpp.llama_get_logits_ith(ctx, idx)
        logits = self._window.apply(np.ctypeslib.as_array(ptr, shape=(self._n_vocab,))).copy()
        self._lln.fill_next_token_bitmask(self._matcher, self._mask)
        self._lln.apply_token_bitmask_inplace(logits, self._mask)
        token = int(np.argmax(logits))
        self._matcher.consume_token(token)
        self._window.add(token)
        self.stats.tokens += 1
        self.stats.fallbacks += 1  # every step computes the whole mask
        return token

    def close(self) -> None:
        self._matcher = None


class Summary(BaseModel):
    parties: list[str] = Field(max_length=4)
    governing_law: str | None = Field(max_length=60)
    notice_days: int | None
    obligations: list[str] = Field(max_length=6)


def _perf(llama):
    import llama_cpp

    return llama_cpp.llama_perf_context(llama._ctx.ctx)


def _perf_reset(llama) -> None:
    import llama_cpp

    llama_cpp.llama_perf_context_reset(llama._ctx.ctx)


def _reset(llama):
    llama.reset()  # n_tokens = 0: no prefix reuse, the whole prompt is evaluated again
    _perf_reset(llama)


# ----------------------------------------------------------------------------------------------- short probe


def bench(name: str, prompt_tokens: int, output_tokens: int, n_threads: int) -> dict:
    from llama_cpp import Llama

    m = resolve(name, Settings().cache_dir)
    t0 = time.perf_counter()
    llama = Llama(model_path=str(m.path), n_ctx=4096, n_threads=n_threads, seed=0, verbose=False)
    load_s = time.perf_counter() - t0

    toks = llama.tokenize(CONTRACT.read_text(encoding="utf-8").encode())[:prompt_tokens]
    text = llama.detokenize(toks).decode("utf-8", errors="ignore")
    messages = [
        {"role": "system", "content": "Summarize the contract as JSON."},
        {"role": "user", "content": f"<contract>\n{text}\n</contract>"},
    ]
    out = {"model": name, "load_s": load_s}
    for label, grammar in (("free", None), ("schema", grammar_for_schema(Summary.model_json_schema()))):
        _reset(llama)
        t0 = time.perf_counter()
        r = llama.create_chat_completion(messages=messages, max_tokens=output_tokens, temperature=0.0, seed=0,
                                         grammar=grammar)
        wall = time.perf_counter() - t0
        p = _perf(llama)
        out[f"{label}_prompt_tokens"] = r["usage"]["prompt_tokens"]
        out[f"{label}_prompt_tok_s"] = p.n_p_eval / (p.t_p_eval_ms / 1000) if p.t_p_eval_ms else float("nan")
        out[f"{label}_output_tokens"] = r["usage"]["completion_tokens"]
        # Output rate over the whole generation phase (sampling and grammar included): wall minus prompt time.
        gen_s = wall - p.t_p_eval_ms / 1000
        out[f"{label}_output_tok_s"] = r["usage"]["completion_tokens"] / gen_s if gen_s > 0 else float("nan")
        out[f"{label}_wall_s"] = wall
    del llama
    return out


# ---------------------------------------------------------------------------------------- production chunks


def production_chunks(contract: Path, settings: Settings, n: int) -> list[tuple[list, list[int], int]]:
    """The first ``n`` chunks of ``contract`` as extraction sends them: (sentences, pages, numbered-text
    tokens) each, read and chunked by ``pipeline.ingest_file`` into a temporary SQLite database."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline import ingest_file
    from pipeline.extraction import model_sentences, numbered_text
    from pipeline.reading import tokenizer_for
    from pipeline.store import Chunk, make_engine, upgrade

    work = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    s = settings.model_copy(update={"database_url": f"sqlite:///{work / 'bench.db'}"})
    engine = make_engine(s.effective_database_url)
    upgrade(engine)
    tok = tokenizer_for(s)
    out = ingest_file(engine, contract, s, tokenizer=tok)
    if not out.document_id:
        raise SystemExit(f"{contract}: not ingested ({out.status}: {out.message})")
    with Session(engine) as session:
        chunks = list(session.scalars(select(Chunk).where(Chunk.document_id == out.document_id)
                                      .order_by(Chunk.seq)))
        result = []
        for c in chunks[:n]:
            sentences, _withheld = model_sentences(c.text, c.start)
            result.append((sentences, list(range(c.page_start, c.page_end + 1)),
                           tok.count(numbered_text(sentences))))
    engine.dispose()
    if len(result) < n:
        print(f"note: {contract.name} has {len(chunks)} chunks; measuring {len(result)}")
    return result


def _one_call(backend, decoder: str, messages, max_tokens: int) -> dict:
    from schemas import ChunkExtraction

    llama = backend.llama
    _perf_reset(llama)
    t0 = time.perf_counter()
    valid = True
    if decoder == "free":
        r = llama.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0, seed=0)
        wall = time.perf_counter() - t0
        prompt_tokens, out_tokens = r["usage"]["prompt_tokens"], r["usage"]["completion_tokens"]
        try:
            ChunkExtraction.model_validate_json(r["choices"][0]["message"]["content"] or "")
        except ValueError:
            valid = False
        fallbacks = None
    else:
        LLGuidanceSampler.json_schema = json.dumps(ChunkExtraction.model_json_schema())
        llama.sampler_class = {"checkfirst": type(llama).sampler_class, "llguidance": LLGuidanceSampler,
                               "full": None}[decoder]
        try:
            req = LLMRequest(messages=messages, response_model=ChunkExtraction, max_tokens=max_tokens,
                             prompt_version="bench", max_attempts=1)
            try:
                res = backend.complete(req)
                prompt_tokens, out_tokens = res.input_tokens, res.output_tokens
            except Exception as exc:  # noqa: BLE001 - a truncated or invalid answer still measures speed
                attempts = getattr(exc, "attempts", None) or []
                prompt_tokens = sum(a.input_tokens for a in attempts)
                out_tokens = sum(a.output_tokens for a in attempts)
                valid = False
        finally:
            llama.sampler_class = type(llama).sampler_class
        wall = time.perf_counter() - t0
        stats = llama.last_sampler_stats if decoder == "checkfirst" else None
        fallbacks = stats.fallbacks if stats is not None else None
    p = _perf(llama)
    gen_s = wall - p.t_p_eval_ms / 1000
    return {"prompt_tokens": prompt_tokens, "prompt_evaluated": int(p.n_p_eval),
            "prompt_tok_s": p.n_p_eval / (p.t_p_eval_ms / 1000) if p.t_p_eval_ms else float("nan"),
            "output_tokens": out_tokens, "gen_s": gen_s, "wall_s": wall,
            "output_tok_s": out_tokens / gen_s if gen_s > 0 else float("nan"), "valid": valid,
            "fallbacks": fallbacks}


def bench_chunks(name: str, contract: Path, n: int, n_threads: int, decoders: list[str]) -> None:
    from pipeline.extraction import build_messages

    settings = Settings(backend="local", model=name, n_threads=n_threads)
    chunks = production_chunks(contract, settings, n)
    backend = make_backend(settings)
    t0 = time.perf_counter()
    backend.llama  # noqa: B018 - load now, not inside the first measured call
    print(f"{name}: loaded in {time.perf_counter() - t0:.1f} s; {contract.name}: {len(chunks)} chunks; "
          f"threads {n_threads}; max output tokens {settings.max_output_tokens}", flush=True)
    print(f"{'chunk':>5} {'decoder':10} {'text tok':>8} {'prompt':>7} {'evaluated':>9} {'prompt tok/s':>12} "
          f"{'out tok':>7} {'out tok/s':>9} {'fallbacks':>9} {'valid':>5} {'wall s':>7}", flush=True)
    rows: dict[str, list[dict]] = {d: [] for d in decoders}

    def show(i: int, d: str, r: dict, text_tokens: int) -> None:
        fb = "-" if r["fallbacks"] is None else str(r["fallbacks"])
        print(f"{i:5d} {d:10} {text_tokens:8d} {r['prompt_tokens']:7d} {r['prompt_evaluated']:9d} "
              f"{r['prompt_tok_s']:12.1f} {r['output_tokens']:7d} {r['output_tok_s']:9.2f} {fb:>9} "
              f"{'yes' if r['valid'] else 'no':>5} {r['wall_s']:7.1f}", flush=True)

    first, rest = decoders[0], decoders[1:]
    for i, (sentences, pages, text_tokens) in enumerate(chunks, start=1):
        r = _one_call(backend, first, build_messages(sentences, pages), settings.max_output_tokens)
        r["text_tokens"] = text_tokens
        rows[first].append(r)
        show(i, first, r, text_tokens)
    for i, (sentences, pages, text_tokens) in enumerate(chunks, start=1):
        for d in rest:
            r = _one_call(backend, d, build_messages(sentences, pages), settings.max_output_tokens)
            r["text_tokens"] = text_tokens
            rows[d].append(r)
            show(i, d, r, text_tokens)

    def rate(rs: list[dict]) -> float:
        gen = sum(r["gen_s"] for r in rs)
        return sum(r["output_tokens"] for r in rs) / gen if gen > 0 else float("nan")

    free = rate(rows["free"]) if "free" in rows else None
    print()
    for d, rs in rows.items():
        ratio = f"; {rate(rs) / free:.0%} of free" if free else ""
        valid = sum(r["valid"] for r in rs)
        print(f"{name} {d}: {sum(r['output_tokens'] for r in rs)} output tokens at {rate(rs):.2f} tokens/s"
              f"{ratio}; valid {valid}/{len(rs)}", flush=True)
    after = rows[first][1:]
    if after:
        worst = max(r["prompt_evaluated"] - r["text_tokens"] for r in after)
        print(f"{name} prompt head: chunk 1 evaluated {rows[first][0]['prompt_evaluated']} of "
              f"{rows[first][0]['prompt_tokens']} prompt tokens; chunks 2-{len(rows[first])} evaluated "
              f"{sum(r['prompt_evaluated'] for r in after) / len(after):.0f} per chunk on average "
              f"(sent {sum(r['prompt_tokens'] for r in after) / len(after):.0f}); evaluated minus the chunk's "
              f"numbered text at most {worst} tokens", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=None,
                    help="comma-separated registry names (default: both for the short probe, the 1.5B for --chunks)")
    ap.add_argument("--prompt-tokens", type=int, default=1500)
    ap.add_argument("--output-tokens", type=int, default=96)
    ap.add_argument("--threads", type=int, default=Settings().n_threads)
    ap.add_argument("--chunks", type=int, default=0, help="run the production prompt over N chunks of --contract")
    ap.add_argument("--contract", type=Path, default=DEFAULT_PDF)
    ap.add_argument("--decoders", default=",".join(DECODERS),
                    help=f"comma-separated, the first runs first over all chunks: {', '.join(DECODERS)}")
    a = ap.parse_args()
    print(f"cpus={os.cpu_count()} threads={a.threads} load_avg_before={os.getloadavg()[0]:.2f}")
    if a.chunks:
        decoders = [d.strip() for d in a.decoders.split(",") if d.strip()]
        unknown = set(decoders) - set(DECODERS)
        if unknown or not decoders:
            ap.error(f"--decoders: one or more of {', '.join(DECODERS)}")
        for name in (a.models or "qwen2.5-coder-1.5b").split(","):
            bench_chunks(name.strip(), a.contract, a.chunks, a.threads, decoders)
        print(f"load_avg_after={os.getloadavg()[0]:.2f}")
        return
    print(f"{'model':22} {'load s':>7} {'prompt tok':>10} {'prompt tok/s':>12} "
          f"{'out tok/s free':>14} {'out tok/s schema':>16} {'wall s (schema)':>15}")
    for name in (a.models or "qwen2.5-coder-0.5b,qwen2.5-coder-1.5b").split(","):
        r = bench(name.strip(), a.prompt_tokens, a.output_tokens, a.threads)
        print(f"{r['model']:22} {r['load_s']:7.2f} {r['schema_prompt_tokens']:10d} "
              f"{r['schema_prompt_tok_s']:12.1f} {r['free_output_tok_s']:14.1f} {r['schema_output_tok_s']:16.1f} "
              f"{r['schema_wall_s']:15.1f}", flush=True)
    print(f"load_avg_after={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
