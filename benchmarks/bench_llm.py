"""Local LLM speed: load time, prompt tokens/s, output tokens/s (free and schema-constrained).

Usage: .venv/bin/python benchmarks/bench_llm.py [--models qwen2.5-coder-0.5b,qwen2.5-coder-1.5b]
                                                [--prompt-tokens 1500] [--output-tokens 96]

The prompt is the first ~1,500 tokens of ../shared/failcases/F32/contract.txt (a real contract).
Prompt and generation times come from llama.cpp's own counters (llama_perf_context); the KV cache
is cleared before each run so the prompt is evaluated in full. Figures depend on the machine and
on whatever else runs on it: the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import Settings  # noqa: E402
from pipeline.llm import grammar_for_schema, resolve  # noqa: E402

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "failcases" / "F32" / "contract.txt"


class Summary(BaseModel):
    parties: list[str] = Field(max_length=4)
    governing_law: str | None = Field(max_length=60)
    notice_days: int | None
    obligations: list[str] = Field(max_length=6)


def _perf(llama):
    import llama_cpp

    return llama_cpp.llama_perf_context(llama._ctx.ctx)


def _reset(llama):
    import llama_cpp

    llama.reset()  # n_tokens = 0: no prefix reuse, the whole prompt is evaluated again
    llama_cpp.llama_perf_context_reset(llama._ctx.ctx)


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen2.5-coder-0.5b,qwen2.5-coder-1.5b")
    ap.add_argument("--prompt-tokens", type=int, default=1500)
    ap.add_argument("--output-tokens", type=int, default=96)
    ap.add_argument("--threads", type=int, default=Settings().n_threads)
    a = ap.parse_args()
    print(f"cpus={os.cpu_count()} threads={a.threads} load_avg_before={os.getloadavg()[0]:.2f}")
    print(f"{'model':22} {'load s':>7} {'prompt tok':>10} {'prompt tok/s':>12} "
          f"{'out tok/s free':>14} {'out tok/s schema':>16} {'wall s (schema)':>15}")
    for name in a.models.split(","):
        r = bench(name.strip(), a.prompt_tokens, a.output_tokens, a.threads)
        print(f"{r['model']:22} {r['load_s']:7.2f} {r['schema_prompt_tokens']:10d} "
              f"{r['schema_prompt_tok_s']:12.1f} {r['free_output_tok_s']:14.1f} {r['schema_output_tok_s']:16.1f} "
              f"{r['schema_wall_s']:15.1f}", flush=True)
    print(f"load_avg_after={os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
