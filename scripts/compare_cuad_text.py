"""Compare our reading of the CUAD PDFs with CUAD's own full-text files, word sequence by word sequence.

    .venv/bin/python scripts/compare_cuad_text.py [--jobs 2] [--limit N] [--quality]

For each row of ``../shared/corpus/cuad/manifest.csv`` with a PDF here, reads the PDF with
``pipeline.reading.pdf.read_pdf``, joins the pages (``join_pages``), and compares the lower-cased word
sequence (``\\w+`` tokens after NFKC) with the matching ``full_contract_txt`` file using
rapidfuzz's Indel normalized similarity (1.0 = same sequence). Prints one line per file, the
files under 0.95 and the share of files at or above 0.95 (target: >= 95 %).

``--quality`` also prints the distribution of the per-page word share used by the gibberish check
(``pipeline.reading.pdf.word_share``) and every page whose quality is not "ok".
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rapidfuzz.distance import Indel

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.reading import PdfReadError, join_pages, read_pdf, word_share  # noqa: E402

CUAD = REPO.parent / "shared" / "corpus" / "cuad"
THRESHOLD = 0.95


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())


def compare_one(row: dict[str, str]) -> dict:
    pdf = CUAD / row["pdf_file"]
    txt = CUAD / row["txt_file"]
    out: dict = {"file": pdf.name, "pages": 0, "similarity": 0.0, "error": None, "qualities": {}, "shares": []}
    try:
        read = read_pdf(pdf)
    except PdfReadError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
        return out
    text, _ = join_pages(read.pages)
    out["pages"] = len(read.pages)
    for p in read.pages:
        out["qualities"][p.quality] = out["qualities"].get(p.quality, 0) + 1
        share, judged = word_share(p.text)
        if judged >= 25:
            out["shares"].append((round(share, 3), p.number))
        if p.hidden:
            out.setdefault("hidden", []).extend((p.number, h.mechanism, h.text[:60]) for h in p.hidden)
    ref = txt.read_text(encoding="utf-8", errors="replace")
    a, b = words(text), words(ref)
    out["similarity"] = Indel.normalized_similarity(a, b)
    out["ours_words"], out["ref_words"] = len(a), len(b)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--quality", action="store_true")
    args = ap.parse_args()
    manifest = CUAD / "manifest.csv"
    if not manifest.exists():
        print(f"skipped: {manifest} is absent (../shared holds the corpus)")
        return 0
    with manifest.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["pdf_included_here"] == "yes"]
    if args.limit:
        rows = rows[: args.limit]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(compare_one, rows, chunksize=2))
    below = []
    for r in results:
        flag = "" if r["similarity"] >= THRESHOLD else "  <-- below"
        print(f"{r['similarity']:.4f}  {r['pages']:4d} p  {r['file']}{flag}" + (f"  {r['error']}" if r["error"] else ""))
        if r["similarity"] < THRESHOLD:
            below.append(r)
    ok = len(results) - len(below)
    print()
    print(f"files: {len(results)}  >= {THRESHOLD}: {ok} ({100 * ok / max(len(results), 1):.1f} %)  target >= 95 %")
    sims = sorted(r["similarity"] for r in results)
    if sims:
        print(f"similarity min {sims[0]:.4f}  median {sims[len(sims) // 2]:.4f}  mean {sum(sims) / len(sims):.4f}")
    for r in below:
        print(f"  below: {r['similarity']:.4f} ours {r.get('ours_words')} words / ref {r.get('ref_words')}  {r['file']}")
    if args.quality:
        qual: dict[str, int] = {}
        for r in results:
            for k, v in r["qualities"].items():
                qual[k] = qual.get(k, 0) + v
        print(f"page qualities: {qual}")
        shares = sorted((s, n, r["file"]) for r in results for s, n in r["shares"])
        if shares:
            print(f"word share over {len(shares)} judged pages: lowest {shares[:5]}")
            print(f"  p1 {shares[len(shares) // 100][0]}  median {shares[len(shares) // 2][0]}")
        for r in results:
            if set(r["qualities"]) - {"ok"}:
                print(f"  not ok: {r['file']} {r['qualities']}")
            for h in r.get("hidden", [])[:5]:
                print(f"  hidden: {r['file']} p{h[0]} {h[1]}: {h[2]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
