"""Page images for the review UI: one PDF page at a time as a PNG, with evidence rectangles drawn.

Large PDFs are never embedded whole (a PDF over about 1-2 MB in a base64 ``data:`` iframe shows a blank
frame in Chrome/Edge, with no error: streamlit/streamlit#3818, #7444); each page is rendered with PyMuPDF
(``Page.get_pixmap``) from the document's original bytes (as stored, :mod:`pipeline.store.blobs`) and cached
on disk per (SHA-256 of those bytes, page, zoom) under ``<data_dir>/cache/pages/<sha256>/``, so a 90-page
contract opens fast after the first visit. Highlights are drawn on a copy of the cached page (Pillow), in page
points × zoom. Colors by severity: error red, warning orange, ok green.

A page larger than :data:`MAX_PAGE_PIXELS` at the zoom asked for is not drawn (:class:`PageTooLarge`): PDF
allows pages up to 14,400 × 14,400 pt (ISO 32000-1, Annex C.2), 21,600 × 21,600 px at zoom 1.5, about 1.4 GB
of RGB pixels and far over Pillow's decompression-bomb limit.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from schemas import ClausewiseError

DEFAULT_ZOOM = 1.5
"""Pixels per PDF point: 1.5 → 108 dpi (an A4 page is 893 × 1263 px)."""

SEVERITY_COLORS: dict[str, tuple[int, int, int]] = {
    "error": (220, 38, 38),
    "warning": (234, 88, 12),
    "ok": (22, 163, 74),
}
FILL_ALPHA = 60
OUTLINE_PX = 2
MAX_PAGE_PIXELS = 40_000_000
"""Most pixels (width × height) a page image may have: an A0 poster (2,384 × 3,370 pt) at zoom 1.5 is 18 M; a
14,400 pt square page is 467 M. Below Pillow's ``Image.MAX_IMAGE_PIXELS`` × 2 (179 M), where it refuses to open."""


class RenderError(ClausewiseError):
    """Base error of page rendering."""


class SourceUnavailable(RenderError):
    """The document's original bytes are not a readable PDF (or are encrypted without the password)."""


class PageOutOfRange(RenderError):
    """The page number is not in the document."""


class PageTooLarge(RenderError):
    """The page's image at the zoom asked for would have more than :data:`MAX_PAGE_PIXELS` pixels."""


@dataclass(frozen=True)
class Highlight:
    """A rectangle to draw on a page: PDF points from the top-left corner, and the severity that colors it
    (``error`` | ``warning`` | ``ok``)."""

    x0: float
    y0: float
    x1: float
    y1: float
    severity: str = "ok"


def cache_dir_for(data_dir: Path) -> Path:
    """``<data_dir>/cache/pages``: where page images are cached."""
    return Path(data_dir) / "cache" / "pages"


def cached_page_path(cache_dir: Path, sha256: str, page: int, zoom: float = DEFAULT_ZOOM) -> Path:
    """Cache file of one rendered page: ``<cache_dir>/<sha256>/p<page>_z<zoom>.png``; ``sha256``: of the PDF's
    bytes, so a cached page always belongs to the bytes it was drawn from."""
    return Path(cache_dir) / sha256 / f"p{page:05d}_z{zoom:.2f}.png"


def page_png(source: bytes | Callable[[], bytes], sha256: str, page: int, *, cache_dir: Path,
             zoom: float = DEFAULT_ZOOM, password: str | None = None) -> bytes:
    """PNG bytes of 1-based ``page`` of a PDF at ``zoom`` (pixels per point), from the disk cache when there.

    ``source``: the PDF's bytes, or a function returning them (called only when the page is not cached);
    ``sha256``: the SHA-256 (hex) of those bytes, the cache key. The cache file is written atomically
    (temporary file + rename), so concurrent sessions never read half a PNG.

    Raises:
        SourceUnavailable: the bytes are not a readable PDF, or it is encrypted without the password.
        PageOutOfRange: ``page`` < 1 or beyond the last page.
        PageTooLarge: the image would have more than :data:`MAX_PAGE_PIXELS` pixels.
    """
    path = cached_page_path(cache_dir, sha256, page, zoom)
    if path.is_file():
        return path.read_bytes()
    data = source() if callable(source) else source
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as exc:
        raise SourceUnavailable(f"cannot open the PDF {sha256[:12]}: {exc}") from exc
    with pdf:
        if pdf.needs_pass and not (password and pdf.authenticate(password)):
            raise SourceUnavailable(f"the PDF {sha256[:12]} is encrypted")
        if not 1 <= page <= pdf.page_count:
            raise PageOutOfRange(f"page {page} is not in 1..{pdf.page_count}")
        pg = pdf[page - 1]
        width, height = round(pg.rect.width * zoom), round(pg.rect.height * zoom)
        if width * height > MAX_PAGE_PIXELS:
            raise PageTooLarge(f"page {page} is {pg.rect.width:,.0f} × {pg.rect.height:,.0f} pt: {width:,} × "
                               f"{height:,} px at zoom {zoom}, over the limit of {MAX_PAGE_PIXELS:,} pixels")
        pix = pg.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        data = pix.tobytes("png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return data


def draw_highlights(png: bytes, highlights: Iterable[Highlight], *, zoom: float = DEFAULT_ZOOM) -> bytes:
    """``png`` with each highlight drawn as a translucent box with a solid outline in its severity's color.

    Unknown severities are drawn as ``ok``. With no highlights, ``png`` is returned unchanged.
    """
    highlights = list(highlights)
    if not highlights:
        return png
    base = Image.open(io.BytesIO(png)).convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for h in highlights:
        color = SEVERITY_COLORS.get(h.severity, SEVERITY_COLORS["ok"])
        box = [h.x0 * zoom - 2, h.y0 * zoom - 1, h.x1 * zoom + 2, h.y1 * zoom + 1]
        draw.rectangle(box, fill=(*color, FILL_ALPHA), outline=(*color, 255), width=OUTLINE_PX)
    out = io.BytesIO()
    Image.alpha_composite(base, layer).convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def page_count(source_path: str | Path) -> int:
    """Number of pages of the PDF at ``source_path``. Raises :class:`SourceUnavailable`."""
    try:
        with pymupdf.open(source_path) as pdf:
            return pdf.page_count
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        raise SourceUnavailable(f"cannot open {source_path}: {exc}") from exc
