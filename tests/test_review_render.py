"""Page images: one page per PNG from the PDF's bytes, cached on disk per (SHA-256, page, zoom); highlights in
severity colors; a page too large to draw is refused with a clear error (issue #14, item 8)."""

from __future__ import annotations

import hashlib
import io

import pymupdf
import pytest
from PIL import Image

from pipeline.reading import render
from tests.review_fixtures import SAMPLE


def test_pages_render_once_then_come_from_the_disk_cache(tmp_path):
    data = SAMPLE.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    png = render.page_png(data, sha, 2, cache_dir=tmp_path)
    cached = render.cached_page_path(tmp_path, sha, 2)
    assert cached.read_bytes() == png
    img = Image.open(io.BytesIO(png))
    assert img.size == (918, 1188)  # US Letter 612 x 792 pt at zoom 1.5
    cached.write_bytes(b"sentinel")  # a second call must not render again, nor read the bytes

    def never() -> bytes:
        raise AssertionError("the bytes were read for a cached page")

    assert render.page_png(never, sha, 2, cache_dir=tmp_path) == b"sentinel"
    with pytest.raises(render.PageOutOfRange):
        render.page_png(data, sha, 6, cache_dir=tmp_path)
    with pytest.raises(render.SourceUnavailable):
        render.page_png(b"not a pdf at all", "x" * 64, 1, cache_dir=tmp_path)


def test_a_14400_pt_page_is_refused_before_any_pixel_is_drawn(tmp_path):
    pdf = pymupdf.open()
    pdf.new_page(width=14_400, height=14_400).insert_text((72, 72), "a poster-sized page")
    pdf.new_page(width=612, height=792).insert_text((72, 72), "a letter page")
    data = pdf.tobytes()
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(render.PageTooLarge, match=r"page 1 is 14,400 × 14,400 pt: 21,600 × 21,600 px at zoom 1.5, "
                                                  r"over the limit of 40,000,000 pixels"):
        render.page_png(data, sha, 1, cache_dir=tmp_path)
    assert not render.cached_page_path(tmp_path, sha, 1).exists()
    assert Image.open(io.BytesIO(render.page_png(data, sha, 2, cache_dir=tmp_path))).size == (918, 1188)


def test_highlights_are_drawn_in_the_severity_color(tmp_path):
    data = SAMPLE.read_bytes()
    png = render.page_png(data, hashlib.sha256(data).hexdigest(), 1, cache_dir=tmp_path)
    boxes = [render.Highlight(100, 100, 200, 120, "error"), render.Highlight(100, 300, 200, 320, "warning"),
             render.Highlight(100, 500, 200, 520, "ok")]
    out = Image.open(io.BytesIO(render.draw_highlights(png, boxes))).convert("RGB")
    # the outline pixel of each box (left edge, zoom 1.5) has the full color
    assert out.getpixel((int(100 * 1.5 - 2), int(110 * 1.5))) == render.SEVERITY_COLORS["error"]
    assert out.getpixel((int(100 * 1.5 - 2), int(310 * 1.5))) == render.SEVERITY_COLORS["warning"]
    assert out.getpixel((int(100 * 1.5 - 2), int(510 * 1.5))) == render.SEVERITY_COLORS["ok"]
    assert render.draw_highlights(png, []) is png
