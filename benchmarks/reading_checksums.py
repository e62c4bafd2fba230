"""Checksums of what the PDF reader produces, one line per PDF, to show a change of the reader keeps its output.

    .venv/bin/python benchmarks/reading_checksums.py [PATH ...] [--limit N] > /tmp/reading.txt

``PATH``: PDF files or folders searched recursively (default: the 174 CUAD PDFs under
``../shared/corpus/cuad/full_contract_pdf``). Each line holds, separated by two spaces: the file's path
relative to the folder named (its name when a file is named),
the page count, then SHA-256 hex digests of

- ``text``: the document text as :func:`pipeline.reading.join_pages` joins the pages (UTF-8);
- ``layout``: every page's word boxes in document offsets, as the store keeps them
  (:func:`pipeline.reading.layout_in_document`: ``[start, end, x0, y0, x1, y1]`` per word, one list
  per page), written as JSON (floats in their shortest exact form, so any change of a coordinate shows);
- ``hidden``: every page's hidden-text list ``[{"text", "mechanism"}]`` as JSON;
- ``pages``: every page's ``[number, width, height, quality]`` as JSON.

A file the reader refuses prints its name and the error class instead. Two runs are compared with
``diff``: an empty diff means the same text, offsets, rectangles, hidden text and page qualities.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.reading import PdfReadError, join_pages, layout_in_document, read_pdf  # noqa: E402

CUAD_PDF = REPO.parent / "shared" / "corpus" / "cuad" / "full_contract_pdf"


def _sha(obj: object) -> str:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def checksum_line(path: Path, name: str) -> str:
    """``"<name>  <pages>  <text sha>  <layout sha>  <hidden sha>  <pages sha>"`` for the PDF at ``path``."""
    try:
        pages = read_pdf(path).pages
    except PdfReadError as exc:
        return f"{name}  error {type(exc).__name__}"
    text, starts = join_pages(pages)
    layout = [layout_in_document(p, st) for p, st in zip(pages, starts, strict=True)]
    hidden = [[{"text": h.text, "mechanism": h.mechanism} for h in p.hidden] for p in pages]
    meta = [[p.number, p.width, p.height, p.quality] for p in pages]
    return f"{name}  {len(pages)}  {_sha(text)}  {_sha(layout)}  {_sha(hidden)}  {_sha(meta)}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    roots = args.paths or [CUAD_PDF]
    files: list[tuple[Path, str]] = []
    for root in roots:
        if root.is_dir():
            found = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".pdf")
            files.extend((p, str(p.relative_to(root))) for p in found)
        elif root.exists():
            files.append((root, root.name))
        else:
            print(f"skipped: {root} is absent")
    if args.limit:
        files = files[: args.limit]
    for f, name in files:
        print(checksum_line(f, name), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
