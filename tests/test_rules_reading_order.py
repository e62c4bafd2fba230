"""K008: a page whose text runs in several directions reaches a reviewer (issue 13, item 8, kind 2)."""

from __future__ import annotations

import pymupdf

import rules
from pipeline.reading.pdf import join_pages, layout_in_document, read_pdf
from schemas import SourceDocument, SourcePage
from tests.rules_fixtures import clean, fires, silent


def run(x, doc):
    return rules.evaluate(x, doc)


def test_page_read_in_an_unsure_order_warns_with_its_pages():
    x, doc = clean()
    silent(run(x, doc), "K008")
    doc.pages[0].quality = "unsure_order"
    f = fires(run(x, doc), "K008", "document")
    assert f.severity == "warning" and f.details["pages"] == [1] and "page images" in f.message


def _document(path) -> SourceDocument:
    pages = read_pdf(path).pages
    text, starts = join_pages(pages)
    return SourceDocument(text=text, pages=[
        SourcePage(number=p.number, start=s, end=s + len(p.text), quality=p.quality, layout=layout_in_document(p, s))
        for p, s in zip(pages, starts)])


def test_a_real_pdf_with_a_sideways_table_beside_upright_text_is_flagged_and_a_turned_page_is_not(tmp_path):
    doc = pymupdf.open()
    upright = doc.new_page(width=595, height=842)  # page 1: clauses, and fee lines drawn sideways beside them
    upright.insert_text((60, 80), "The Customer shall pay the fees set out on this page, monthly in advance.")
    upright.insert_text((60, 100), "Each fee excludes taxes, which the Customer shall pay as invoiced.")
    for i, line in enumerate(["Hosting USD 1,200 monthly; Support USD 3,000 annually;",
                              "Setup USD 500 once; Training USD 900 per session."]):
        upright.insert_text((300 + i * 16, 800), line, rotate=90)
    turned = doc.new_page(width=595, height=842)  # page 2: all of it sideways, read turned upright
    turned.set_rotation(90)
    turned.insert_text(pymupdf.Point(60, 100) * turned.derotation_matrix, "Hosting | USD 1,200 | monthly", rotate=90)
    doc.save(tmp_path / "mixed.pdf")
    x, _ = clean()
    f = fires(run(x, _document(tmp_path / "mixed.pdf")), "K008", "document")
    assert f.details["pages"] == [1]
