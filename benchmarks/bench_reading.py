"""Reading speed on the 174 CUAD PDFs: our ``read_pdf`` next to raw PyMuPDF ``page.get_text()``.

    .venv/bin/python benchmarks/bench_reading.py [--limit N] [--memory] [--ingest]

Both run in this process on the same files, one after the other, in one thread (the reader runs the
ONNX sessions of ``find_tables``'s layout model on one thread each, ``pipeline.reading.pdf.LAYOUT_THREADS``;
raw ``get_text`` never calls it). Prints the pages,
milliseconds per page and pages per second for each, the ratio ours/raw, and the 1-minute load
average before and after (other work on the machine slows both sides, not always equally); next to
the wall-clock figures, the CPU time of the process per page (``time.process_time``, all threads),
steadier on a busy machine. The time spent inside PyMuPDF's ``page.find_tables()`` (only on pages
whose drawings hold ruling lines; PyMuPDF 2 runs an ONNX layout model in it) and in OCR (Tesseract,
on pages without a text layer) is printed apart, with the figures without them.
``--ingest`` also runs the whole pre-LLM path (``pipeline.ingest.ingest_file``: read, quality
checks, chunking with the configured tokenizer, storing pages and chunks with their audit events)
into a fresh SQLite database in a temporary folder (the chunker's imports made before the clock
starts), and prints its ms/page and ratio to raw.
``--memory`` also streams F13 (300 pages) through ``iter_pages`` under tracemalloc and prints the
peak of Python allocations.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pymupdf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.reading import iter_pages, read_pdf  # noqa: E402

SHARED = REPO.parent / "shared"
CUAD_PDF = SHARED / "corpus" / "cuad" / "full_contract_pdf"


class Clock:
    """Wall seconds (``perf_counter``) and CPU seconds of this process (``process_time``, all threads)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        w, c = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall += time.perf_counter() - w
            self.cpu += time.process_time() - c


@contextlib.contextmanager
def timed_calls(*names: str) -> Iterator[dict[str, tuple[list[int], Clock]]]:
    """Count the calls of the ``pymupdf.Page`` methods ``names`` and clock them while inside:
    ``{name: ([calls], clock)}``."""
    spent: dict[str, tuple[list[int], Clock]] = {}
    originals = {name: getattr(pymupdf.Page, name) for name in names}

    def timed(name: str, original):
        calls, clock = spent.setdefault(name, ([0], Clock()))

        def method(self, *args, **kwargs):
            calls[0] += 1
            with clock.running():
                return original(self, *args, **kwargs)

        return method

    for name, original in originals.items():
        setattr(pymupdf.Page, name, timed(name, original))
    try:
        yield spent
    finally:
        for name, original in originals.items():
            setattr(pymupdf.Page, name, original)


# the two costs outside the reader's own work, printed apart
APART = {"find_tables": "page.find_tables()", "get_textpage_ocr": "OCR (tesseract)"}


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def raw_get_text(files: list[Path], clock: Clock) -> int:
    pages = 0
    with clock.running():
        for f in files:
            with pymupdf.open(f) as doc:
                for page in doc:
                    page.get_text()
                    pages += 1
    return pages


def ours(files: list[Path], clock: Clock) -> tuple[int, dict[str, int]]:
    pages = 0
    qualities: dict[str, int] = {}
    with clock.running():
        for f in files:
            for p in read_pdf(f).pages:
                pages += 1
                qualities[p.quality] = qualities.get(p.quality, 0) + 1
    return pages, qualities


def pre_llm(files: list[Path], clock: Clock) -> tuple[int, str]:
    import tempfile

    from pipeline import Settings, ingest_file
    from pipeline.reading import chunk_text, tokenizer_for
    from pipeline.store import make_engine, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        tok = tokenizer_for(settings)
        # the chunker's first call imports llama-index and loads Punkt (seconds): before the clock starts
        chunk_text("Warm up. Two sentences.", [(1, 0, 23)], budget_tokens=50, overlap_tokens=5, tokenizer=tok)
        pages = 0
        with clock.running():
            for f in files:
                pages += ingest_file(engine, f, settings, tokenizer=tok).pages
        engine.dispose()
    return pages, tok.name


def report(name: str, pages: int, clock: Clock, raw: Clock, n_raw: int, apart: dict[str, tuple[list[int], Clock]]) -> None:
    """Print one timed path: ms/page, pages/s, ratio to raw (wall and CPU), and the same without the
    calls timed ``apart`` (table detection, OCR)."""
    ms, raw_ms = clock.wall / pages * 1000, raw.wall / n_raw * 1000
    cpu_ms, raw_cpu_ms = clock.cpu / pages * 1000, raw.cpu / n_raw * 1000
    print(f"{name:22s} {ms:8.2f} ms/page  {pages / clock.wall:8.1f} pages/s  ({clock.wall:.1f} s)  "
          f"ratio to raw {ms / raw_ms:.1f}x  (CPU {cpu_ms:.2f} ms/page, {cpu_ms / raw_cpu_ms:.1f}x)")
    wall = clock.wall - sum(c.wall for _, c in apart.values())
    cpu = clock.cpu - sum(c.cpu for _, c in apart.values())
    parts = "; ".join(f"{APART[k]} {c.wall:.1f} s on {n[0]} pages" for k, (n, c) in apart.items())
    print(f"  of which {parts}; without them {wall / pages * 1000:.2f} ms/page, ratio {wall / pages * 1000 / raw_ms:.1f}x  "
          f"(CPU {cpu / pages * 1000:.2f} ms/page, {cpu / pages * 1000 / raw_cpu_ms:.1f}x)")


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
    print(f"load average (1 min) at start: {load()}")
    raw, mine = Clock(), Clock()
    n_raw = raw_get_text(files, raw)
    with timed_calls(*APART) as apart:
        n_ours, qualities = ours(files, mine)
    print(f"files: {len(files)}  pages: {n_ours}  page qualities: {qualities}")
    print(f"raw page.get_text():   {raw.wall / n_raw * 1000:8.2f} ms/page  {n_raw / raw.wall:8.1f} pages/s  "
          f"({raw.wall:.1f} s)  (CPU {raw.cpu / n_raw * 1000:.2f} ms/page)")
    report("read_pdf (ours):", n_ours, mine, raw, n_raw, apart)
    if args.ingest:
        ing = Clock()
        with timed_calls(*APART) as apart:
            n_ing, tok = pre_llm(files, ing)
        report("ingest_file (pre-LLM):", n_ing, ing, raw, n_raw, apart)
        print(f"  (tokenizer {tok}, SQLite)")
    print(f"load average (1 min) at end: {load()}")
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
