"""Page images: one page per PNG, cached on disk per (document, page, zoom); highlights in severity colors."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pipeline.reading import render
from tests.review_fixtures import SAMPLE


def test_pages_render_once_then_come_from_the_disk_cache(tmp_path):
    png = render.page_png(SAMPLE, "doc", 2, cache_dir=tmp_path)
    cached = render.cached_page_path(tmp_path, "doc", 2)
    assert cached.read_bytes() == png
    img = Image.open(io.BytesIO(png))
    assert img.size == (918, 1188)  # US Letter 612 x 792 pt at zoom 1.5
    cached.write_bytes(b"sentinel")  # a second call must not render again
    assert render.page_png(SAMPLE, "doc", 2, cache_dir=tmp_path) == b"sentinel"
    with pytest.raises(render.PageOutOfRange):
        render.page_png(SAMPLE, "doc", 6, cache_dir=tmp_path)
    with pytest.raises(render.SourceUnavailable):
        render.page_png(tmp_path / "gone.pdf", "gone", 1, cache_dir=tmp_path)


def test_highlights_are_drawn_in_the_severity_color(tmp_path):
    png = render.page_png(SAMPLE, "doc", 1, cache_dir=tmp_path)
    boxes = [render.Highlight(100, 100, 200, 120, "error"), render.Highlight(100, 300, 200, 320, "warning"),
             render.Highlight(100, 500, 200, 520, "ok")]
    out = Image.open(io.BytesIO(render.draw_highlights(png, boxes))).convert("RGB")
    # the outline pixel of each box (left edge, zoom 1.5) has the full color
    assert out.getpixel((int(100 * 1.5 - 2), int(110 * 1.5))) == render.SEVERITY_COLORS["error"]
    assert out.getpixel((int(100 * 1.5 - 2), int(310 * 1.5))) == render.SEVERITY_COLORS["warning"]
    assert out.getpixel((int(100 * 1.5 - 2), int(510 * 1.5))) == render.SEVERITY_COLORS["ok"]
    assert render.draw_highlights(png, []) is png
