"""Seconds per MB of the sentence splitter and of chunking as a text grows: the cost should grow linearly.

The text is one line of short numbered clauses ("Fee 12 is due in 13 days. Late fees apply. Buyer pays by
wire. "), the shape that made one Punkt call over a whole unit exceed NLTK's 5 s regex limit. Prints, per size,
the seconds of :func:`rules.text.split_sentences` and of :func:`pipeline.reading.chunk_text` (default tokenizer,
1,500-token chunks, 100 overlap) and their seconds per MB, or the error raised.

Usage: .venv/bin/python benchmarks/bench_large_text.py [--mb 1 2 4 8] [--tokenizer default|gguf]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings  # noqa: E402
from pipeline.reading import chunk_text, default_tokenizer, tokenizer_for  # noqa: E402
from rules.text import split_sentences  # noqa: E402
from tests.batch_fixtures import large_text as text_of  # noqa: E402  (the batch tests' one-line contract)




def timed(fn) -> str:
    t0 = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the benchmark reports what a size raises
        return f"{type(exc).__name__} after {time.perf_counter() - t0:.1f} s"
    return f"{time.perf_counter() - t0:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--tokenizer", choices=["default", "gguf"], default="default")
    args = ap.parse_args()
    tok = default_tokenizer() if args.tokenizer == "default" else tokenizer_for(Settings())
    print(f"{'MB':>5} {'sentences':>24} {'chunks':>24}")
    for mb in args.mb:
        text = text_of(int(mb * 1_000_000))
        s = timed(lambda: split_sentences(text))
        c = timed(lambda: chunk_text(text, [(1, 0, len(text))], budget_tokens=1500, overlap_tokens=100, tokenizer=tok))
        per = [f"{float(x.split()[0]) / mb:.2f} s/MB" if x.endswith(" s") and x[0].isdigit() else "" for x in (s, c)]
        print(f"{mb:>5g} {s + ' ' + per[0]:>24} {c + ' ' + per[1]:>24}", flush=True)


if __name__ == "__main__":
    main()
