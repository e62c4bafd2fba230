"""Rotated pages read as a person reads them once the page is turned upright (issue 13, item 8, kind 2).

A landscape fee schedule (Service | Fee | Frequency) is written on real PDFs built here in two ways: on a
page turned by ``/Rotate`` (90, 180, 270) with its text inserted so that it appears upright when the page
is viewed, and drawn sideways or upside down (``insert_text(rotate=...)``, ``morph``) on an unrotated page.
Plain ``get_text`` gives such a table column by column or backwards, and before this change a ``/Rotate 90``
page lost its first column as "outside the page". Each must read row by row, cells left to right, with
word boxes where the words are on the page as seen (the review draws them on the rendered page image).
"""

from __future__ import annotations

import pymupdf
import pytest

from pipeline.extraction.grounding import rects_for_span
from pipeline.extraction.readers.fee_table import find_fee_rows
from pipeline.reading.pdf import join_pages, read_pdf

W, H = 842.0, 595.0  # the table's page as a person reads it: landscape A4
INTRO = ["Schedule B sets out the fees payable by the Customer for the",
         "services listed below, invoiced in arrears."]
ROWS = [("Service", "Fee", "Frequency"), ("Hosting", "USD 1,200", "monthly"),
        ("Support", "USD 3,000", "annual"), ("Setup", "USD 500", "one-time")]
XS, TOP, ROW_H = (60.0, 280.0, 480.0, 700.0), 120.0, 24.0
UPRIGHT = INTRO[0] + " " + INTRO[1]


def _placement(kind: str, turn: int):
    """(page width, page height, /Rotate, text rotate, matrix from the upright page to the PDF page or None
    for a /Rotate page, whose derotation matrix does it)."""
    if kind == "rotate":
        return (H, W, turn, turn, None) if turn in (90, 270) else (W, H, turn, turn, None)
    if turn == 90:  # the text runs upwards on a portrait page: (x, y) upright -> (y, W - x)
        return H, W, 0, 90, pymupdf.Matrix(0, -1, 1, 0, 0, W)
    if turn == 270:  # the text runs downwards: (x, y) upright -> (H - y, x)
        return H, W, 0, 270, pymupdf.Matrix(0, 1, -1, 0, H, 0)
    return W, H, 0, 180, pymupdf.Matrix(-1, 0, 0, -1, W, H)  # upside down


def _fee_page(doc, kind: str, turn: int, ruled: bool = True, morph: bool = False) -> pymupdf.Matrix:
    """Add the fee schedule page; return the matrix taking an upright point to the page as seen."""
    pw, ph, rotate, text_rotate, m = _placement(kind, turn)
    page = doc.new_page(width=pw, height=ph)
    if rotate:
        page.set_rotation(rotate)
        m = page.derotation_matrix
    to_seen = page.rotation_matrix if rotate else pymupdf.Matrix(1, 1)

    def put(x, y, s):
        p = pymupdf.Point(x, y) * m
        if morph:  # the same turn by a transformation matrix about the start point
            page.insert_text(p, s, fontsize=11, morph=(p, pymupdf.Matrix(text_rotate)))
        else:
            page.insert_text(p, s, fontsize=11, rotate=text_rotate)

    for k, line in enumerate(INTRO):
        put(60, 60 + 14 * k, line)
    if ruled:
        shape = page.new_shape()
        for i in range(len(ROWS) + 1):
            shape.draw_line(pymupdf.Point(XS[0], TOP + i * ROW_H) * m, pymupdf.Point(XS[-1], TOP + i * ROW_H) * m)
        for x in XS:
            shape.draw_line(pymupdf.Point(x, TOP) * m, pymupdf.Point(x, TOP + len(ROWS) * ROW_H) * m)
        shape.finish(color=(0, 0, 0), width=0.8)
        shape.commit()
    for i, row in enumerate(ROWS):
        for x, cell in zip(XS, row):
            put(x + 6, TOP + i * ROW_H + 16, cell)
    return m * to_seen


def _expected(ruled: bool) -> str:
    sep = " | " if ruled else " "
    return "\n".join([UPRIGHT] + [sep.join(r) for r in ROWS])


CASES = [(kind, turn) for kind in ("rotate", "drawn") for turn in (90, 180, 270)]


@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
@pytest.mark.parametrize("kind,turn", CASES, ids=[f"{k}{t}" for k, t in CASES])
def test_rotated_fee_table_reads_row_by_row(tmp_path, kind, turn, ruled):
    doc = pymupdf.open()
    _fee_page(doc, kind, turn, ruled)
    doc.save(tmp_path / "fees.pdf")
    page = read_pdf(tmp_path / "fees.pdf").pages[0]
    assert page.text == _expected(ruled)
    assert page.hidden == [] and page.quality == "ok"


@pytest.mark.parametrize("kind,turn", CASES, ids=[f"{k}{t}" for k, t in CASES])
def test_word_boxes_are_where_the_words_are_on_the_page_as_seen(tmp_path, kind, turn):
    doc = pymupdf.open()
    to_seen = _fee_page(doc, kind, turn)
    doc.save(tmp_path / "fees.pdf")
    page = read_pdf(tmp_path / "fees.pdf").pages[0]
    seen = pymupdf.open(tmp_path / "fees.pdf")[0].rect
    assert (page.width, page.height) == (seen.width, seen.height)
    start = page.text.index("USD 3,000")
    boxes = rects_for_span(page.words, start, start + len("USD 3,000"))
    # words drawn sideways or upside down do not run left to right on the page as seen: a box per word
    assert len(boxes) == (2 if kind == "drawn" else 1)
    sideways = kind == "drawn" and turn in (90, 270)  # running down a portrait page: tall boxes
    box = boxes[0]
    # the baseline start of the cell, a little inside its first glyph, as the page is seen
    inside = pymupdf.Point(XS[1] + 6 + 2, TOP + 2 * ROW_H + 16 - 3) * to_seen
    assert box[0] <= inside.x <= box[2] and box[1] <= inside.y <= box[3]
    assert (box[3] - box[1] > box[2] - box[0]) == sideways
    # the box covers ink on the rendered page (zoom 1: a pixel per point), where the review highlights it
    pix = pymupdf.open(tmp_path / "fees.pdf")[0].get_pixmap(alpha=False)
    darkest = min(sum(pix.pixel(x, y)) for x in range(int(box[0]), int(box[2])) for y in range(int(box[1]), int(box[3])))
    assert darkest < 3 * 128


@pytest.mark.parametrize("kind,turn", [("rotate", 90), ("drawn", 90), ("drawn", 270)])
def test_fee_rows_of_a_rotated_page_are_read_right(tmp_path, kind, turn):
    doc = pymupdf.open()
    cover = doc.new_page(width=595, height=842)
    cover.insert_text((72, 90), "1. Fees. The Customer shall pay the fees set out in Schedule B.", fontsize=11)
    _fee_page(doc, kind, turn)
    doc.save(tmp_path / "msa.pdf")
    pages = read_pdf(tmp_path / "msa.pdf").pages
    text, starts = join_pages(pages)
    rows = find_fee_rows(text)
    assert [(r.description, r.amount, r.currency, r.period) for r in rows] == [
        ("Hosting", 1200.0, "USD", "monthly"), ("Support", 3000.0, "USD", "annual"), ("Setup", 500.0, "USD", "one-time")]
    assert all(text[r.value_start:r.value_end] == r.text for r in rows)
    # the amount's rectangles lie on page 2 where that row is, in row order from the top as read
    layout = [[s + starts[1], e + starts[1], *b] for s, e, *b in pages[1].words]
    boxes = [rects_for_span(layout, r.value_start, r.value_end)[0] for r in rows]
    assert len({tuple(round(v) for v in b) for b in boxes}) == 3


def test_morphed_text_reads_upright(tmp_path):
    doc = pymupdf.open()
    _fee_page(doc, "drawn", 90, morph=True)
    doc.save(tmp_path / "fees.pdf")
    assert read_pdf(tmp_path / "fees.pdf").pages[0].text == _expected(True)


def test_rotate_page_with_sideways_text_reads_as_the_same_page_upright(tmp_path):
    """A /Rotate 90 page whose text was written for the unrotated page: a viewer sees it sideways."""
    texts = []
    for rotate in (0, 90):
        doc = pymupdf.open()
        page = doc.new_page(width=595, height=842)
        page.insert_text((72, 90), "The Customer shall pay the Hosting fee of USD 1,200 monthly.", fontsize=11)
        page.insert_text((72, 130), "The Customer shall pay the Support fee of USD 3,000 annually.", fontsize=11)
        page.set_rotation(rotate)
        doc.save(tmp_path / f"side{rotate}.pdf")
        texts.append(read_pdf(tmp_path / f"side{rotate}.pdf").pages[0])
    upright, side = texts
    assert side.text == upright.text == ("The Customer shall pay the Hosting fee of USD 1,200 monthly.\n"
                                         "The Customer shall pay the Support fee of USD 3,000 annually.")
    s = side.text.index("USD 3,000")
    box = rects_for_span(side.words, s, s + 9)[0]
    inside = pymupdf.Point(300, 128) * pymupdf.open(tmp_path / "side90.pdf")[0].rotation_matrix
    assert box[0] <= inside.x <= box[2] and box[3] - box[1] > box[2] - box[0]  # seen sideways: a tall box


def test_landscape_document_running_header_and_footer_removed(tmp_path):
    doc = pymupdf.open()
    for n in range(3):
        page = doc.new_page(width=H, height=W)
        page.set_rotation(90)
        m = page.derotation_matrix
        page.insert_text(pymupdf.Point(60, 30) * m, "ACME / BETA - SCHEDULE B (FEES)", fontsize=9, rotate=90)
        page.insert_text(pymupdf.Point(400, 580) * m, f"Page {n + 1} of 3", fontsize=9, rotate=90)
        page.insert_text(pymupdf.Point(60, 120) * m, f"Fee line {n + 1}: the Customer shall pay USD {n + 1},000.",
                         fontsize=11, rotate=90)
    doc.save(tmp_path / "land.pdf")
    texts = [p.text for p in read_pdf(tmp_path / "land.pdf").pages]
    assert texts == [f"Fee line {n}: the Customer shall pay USD {n},000." for n in (1, 2, 3)]


def test_hidden_text_on_a_rotated_page_is_still_found(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=H, height=W)
    page.set_rotation(90)
    m = page.derotation_matrix
    page.insert_text(pymupdf.Point(60, 100) * m, "The annual fee is USD 48,000.", fontsize=11, rotate=90)
    page.insert_text(pymupdf.Point(60, 130) * m, "All fees are waived.", fontsize=11, rotate=90, color=(1, 1, 1))
    page.insert_text(pymupdf.Point(60, 160) * m, "Cap USD 1.", fontsize=11, rotate=90, render_mode=3)
    doc.save(tmp_path / "hid.pdf")
    got = read_pdf(tmp_path / "hid.pdf").pages[0]
    assert got.text == "The annual fee is USD 48,000."
    assert {(h.text, h.mechanism) for h in got.hidden} == {("All fees are waived.", "white_on_white"),
                                                            ("Cap USD 1.", "render_mode_3")}


def test_white_text_on_a_dark_box_of_a_rotated_page_is_kept(tmp_path):
    """Fills come unrotated from MuPDF: they must be turned with the text, or white-on-dark text is lost."""
    doc = pymupdf.open()
    page = doc.new_page(width=H, height=W)
    page.set_rotation(90)
    m = page.derotation_matrix
    page.draw_rect(pymupdf.Rect(50, 80, 500, 110) * m, fill=(0.1, 0.1, 0.4), color=None)
    page.insert_text(pymupdf.Point(60, 100) * m, "SCHEDULE B - FEES", fontsize=11, rotate=90, color=(1, 1, 1))
    page.insert_text(pymupdf.Point(60, 140) * m, "The annual fee is USD 48,000.", fontsize=11, rotate=90)
    doc.save(tmp_path / "band.pdf")
    got = read_pdf(tmp_path / "band.pdf").pages[0]
    assert got.text == "SCHEDULE B - FEES\nThe annual fee is USD 48,000." and got.hidden == []


def test_sideways_margin_note_on_an_upright_page_changes_nothing(tmp_path):
    """A short vertical note beside upright clauses: the page is not turned, the note comes last."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    clauses = ["1. The Supplier shall deliver the Goods within thirty (30) days of the Order.",
               "2. The Customer shall pay each invoice within forty-five (45) days of receipt.",
               "3. This Agreement is governed by the laws of the State of Delaware."]
    for k, c in enumerate(clauses):
        page.insert_text((56, 90 + 30 * k), c, fontsize=11)
    page.insert_text((20, 600), "Draft 4", fontsize=8, rotate=90)
    doc.save(tmp_path / "note.pdf")
    got = read_pdf(tmp_path / "note.pdf").pages[0]
    assert got.text == "\n".join(clauses) + "\nDraft 4" and got.quality == "ok"


def test_text_in_several_directions_is_read_but_its_order_is_unsure(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "The Customer shall pay the fees set out in the table on this page.", fontsize=11)
    page.insert_text((60, 100), "Each fee is payable in advance and excludes applicable taxes.", fontsize=11)
    for i, line in enumerate(["Hosting USD 1,200 monthly and Support USD 3,000 annually,",
                              "Setup USD 500 one-time, Training USD 900 per session."]):
        page.insert_text((300 + i * 16, 800), line, fontsize=11, rotate=90)
    slanted = doc.new_page(width=595, height=842)
    for i, line in enumerate(["Hosting USD 1,200 monthly", "Support USD 3,000 annual", "Setup USD 500 one-time"]):
        p = pymupdf.Point(100, 300 + i * 20)
        slanted.insert_text(p, line, fontsize=11, morph=(p, pymupdf.Matrix(30)))
    doc.save(tmp_path / "mixed.pdf")
    mixed, slant = read_pdf(tmp_path / "mixed.pdf").pages
    assert mixed.quality == "unsure_order" and slant.quality == "unsure_order"
    assert "USD 3,000 annually" in mixed.text and "Support USD 3,000 annual" in slant.text  # still read
