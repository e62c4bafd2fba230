"""Chunking over the CUAD plain-text contracts (../shared/corpus/cuad/full_contract_txt).

Prints, per tokenizer: documents, chunks per document (mean, max), the overlap ratio
(chunk tokens including overlap ÷ document tokens: mean, max), the largest chunk in tokens
and the seconds spent chunking. Also checks every chunk is an exact slice within budget and
that no non-whitespace text is left out (chunk_text raises otherwise).

Usage: .venv/bin/python benchmarks/bench_chunking.py [--tokenizer default|gguf|both] [--budget 1500] [--overlap 100]
Reads ../shared in place; exits with a message if it is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings  # noqa: E402
from pipeline.reading import (  # noqa: E402
    DefaultTokenizer,
    GGUFTokenizer,
    chunk_overlap_ratio,
    chunk_text,
    local_model_file,
)

CUAD_TXT = REPO.parent / "shared" / "corpus" / "cuad" / "full_contract_txt"


def run(tokenizer, files: list[Path], budget: int, overlap: int) -> None:
    ratios, counts, biggest, seconds = [], [], 0, 0.0
    worst = ("", 0.0)
    for f in files:
        doc = f.read_text(encoding="utf-8", errors="replace")
        t0 = time.perf_counter()
        chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=budget, overlap_tokens=overlap, tokenizer=tokenizer)
        seconds += time.perf_counter() - t0
        assert all(doc[c.start : c.end] == c.text and c.token_count <= budget for c in chunks), f.name
        r = chunk_overlap_ratio(chunks, tokenizer, doc)
        ratios.append(r)
        counts.append(len(chunks))
        biggest = max(biggest, max((c.token_count for c in chunks), default=0))
        if r > worst[1]:
            worst = (f.name, r)
    print(f"tokenizer {tokenizer.name}: {len(files)} documents, budget {budget}, overlap {overlap}")
    print(f"  chunks/doc      mean {statistics.mean(counts):.2f}  max {max(counts)}  total {sum(counts)}")
    print(f"  overlap ratio   mean {statistics.mean(ratios):.4f}  max {max(ratios):.4f}  ({worst[0]})")
    print(f"  largest chunk   {biggest} tokens")
    print(f"  chunking time   {seconds:.2f} s total, {seconds / len(files) * 1000:.1f} ms/doc")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", choices=["default", "gguf", "both"], default="both")
    ap.add_argument("--budget", type=int, default=Settings().chunk_tokens)
    ap.add_argument("--overlap", type=int, default=Settings().chunk_overlap_tokens)
    args = ap.parse_args()
    if not CUAD_TXT.is_dir():
        sys.exit(f"{CUAD_TXT} is absent (../shared holds the CUAD corpus)")
    files = sorted(CUAD_TXT.glob("*.txt"))
    tokenizers = []
    if args.tokenizer in ("default", "both"):
        tokenizers.append(DefaultTokenizer())
    if args.tokenizer in ("gguf", "both"):
        path = local_model_file(Settings())
        if path.is_file():
            tokenizers.append(GGUFTokenizer(path))
        else:
            print(f"no GGUF at {path}: gguf tokenizer skipped")
    for tok in tokenizers:
        run(tok, files, args.budget, args.overlap)


if __name__ == "__main__":
    main()
