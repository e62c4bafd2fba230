"""Reading speed on the 174 CUAD PDFs: our ``read_pdf`` next to raw PyMuPDF ``page.get_text()``.

    .venv/bin/python benchmarks/bench_reading.py [--limit N] [--memory] [--ingest]

Both run in this process on the same files, one after the other, single-threaded. Prints seconds
per page and pages per second for each, and the ratio. ``--ingest`` also runs the whole pre-LLM path (``pipeline.ingest.ingest_file``: read, quality
checks, chunking with the configured tokenizer, storing pages and chunks with their audit events)
into a fresh SQLite database in a temporary folder. ``--memory`` also streams F13 (300 pages)
through ``iter_pages`` under tracemalloc and prints the peak of Python allocations.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import pymupdf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.reading import iter_pages, read_pdf  # noqa: E402

SHARED = REPO.parent / "shared"
CUAD_PDF = SHARED / "corpus" / "cuad" / "full_contract_pdf"


def raw_get_text(files: list[Path]) -> tuple[int, float]:
    pages = 0
    t0 = time.perf_counter()
    for f in files:
        with pymupdf.open(f) as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return pages, time.perf_counter() - t0


def ours(files: list[Path]) -> tuple[int, float, dict[str, int]]:
    pages = 0
    qualities: dict[str, int] = {}
    t0 = time.perf_counter()
    for f in files:
        for p in read_pdf(f).pages:
            pages += 1
            qualities[p.quality] = qualities.get(p.quality, 0) + 1
    return pages, time.perf_counter() - t0, qualities


def pre_llm(files: list[Path]) -> tuple[int, float, str]:
    import tempfile

    from pipeline import Settings, ingest_file
    from pipeline.reading import tokenizer_for
    from pipeline.store import make_engine, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        tok = tokenizer_for(settings)
        pages = 0
        t0 = time.perf_counter()
        for f in files:
            pages += ingest_file(engine, f, settings, tokenizer=tok).pages
        dt = time.perf_counter() - t0
        engine.dispose()
    return pages, dt, tok.name


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--memory", action="store_true")
    ap.add_argument("--ingest", action="store_true", help="also time the whole pre-LLM ingest path")
    args = ap.parse_args()
    if not CUAD_PDF.exists():
        print(f"skipped: {CUAD_PDF} is absent (../shared holds the corpus)")
        return 0
    files = sorted(p for p in CUAD_PDF.rglob("*") if p.suffix.lower() == ".pdf")
    if args.limit:
        files = files[: args.limit]
    n_raw, t_raw = raw_get_text(files)
    n_ours, t_ours, qualities = ours(files)
    print(f"files: {len(files)}  pages: {n_ours}")
    print(f"raw page.get_text():   {t_raw / n_raw * 1000:8.2f} ms/page  {n_raw / t_raw:8.1f} pages/s  ({t_raw:.1f} s)")
    print(f"read_pdf (ours):       {t_ours / n_ours * 1000:8.2f} ms/page  {n_ours / t_ours:8.1f} pages/s  ({t_ours:.1f} s)")
    print(f"ratio ours/raw: {t_ours / n_ours / (t_raw / n_raw):.1f}x   page qualities: {qualities}")
    if args.ingest:
        n_ing, t_ing, tok = pre_llm(files)
        print(f"ingest_file (pre-LLM): {t_ing / n_ing * 1000:8.2f} ms/page  {n_ing / t_ing:8.1f} pages/s  ({t_ing:.1f} s; "
              f"tokenizer {tok}, SQLite)")
    if args.memory:
        f13 = SHARED / "failcases" / "F13" / "contract_300_pages.pdf"
        tracemalloc.start()
        t0 = time.perf_counter()
        n = sum(1 for _ in iter_pages(f13))
        dt = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"F13 streamed: {n} pages in {dt:.1f} s (under tracemalloc); peak Python allocations {peak / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
