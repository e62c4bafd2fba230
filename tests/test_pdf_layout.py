"""Word boxes, spans back to rectangles, page joining and the hyphen/paragraph rules on PDFs built here."""

from __future__ import annotations

import pymupdf
import pytest

from pipeline.extraction.grounding import rects_for_span
from pipeline.reading.pdf import join_pages, layout_in_document, read_pdf


def make_pdf(path, lines, *, pages=1, header=None, footer=None, fontsize=11):
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        if header:
            page.insert_text((56, 40), header, fontsize=9)
        if footer:
            page.insert_text((270, 815), footer.format(n=n + 1, total=pages), fontsize=9)
        y = 90
        for ln in lines if isinstance(lines[0], str) else lines[n]:
            page.insert_text((56, y), ln, fontsize=fontsize)
            y += fontsize * 1.4
    doc.save(path)
    return path


def test_words_map_to_text_and_spans_to_rects(tmp_path):
    p = make_pdf(tmp_path / "a.pdf", ["The Supplier shall deliver the Goods within", "thirty (30) days of the Order."])
    page = read_pdf(p).pages[0]
    assert page.text == "The Supplier shall deliver the Goods within thirty (30) days of the Order."
    for s, e, x0, y0, x1, y1 in page.words:
        assert page.text[s:e].strip() == page.text[s:e] and x1 > x0 and y1 > y0
    start = page.text.index("Goods within thirty")
    end = start + len("Goods within thirty")
    rects = rects_for_span(page.words, start, end)
    assert len(rects) == 2  # one per line, words on a line merged
    assert rects[0][1] < rects[1][1]
    # document offsets: page 2 layout shifted by its start
    layout = layout_in_document(page, 1000)
    assert rects_for_span(layout, start + 1000, end + 1000) == rects


def test_partial_word_is_clipped(tmp_path):
    p = make_pdf(tmp_path / "b.pdf", ["Agreement"])
    page = read_pdf(p).pages[0]
    (s, e, x0, y0, x1, y1), = page.words
    (r,) = rects_for_span(page.words, s, s + 5)  # "Agree"
    assert r[0] == pytest.approx(x0) and x0 < r[2] < x1


@pytest.mark.parametrize(
    "head,tail,joined",
    [
        ("written noti-", "fication to the other Party.", "written notification to the other Party."),
        ("any third-", "party hosting provider.", "any third-party hosting provider."),
        ("the period 2021-", "2022 remains payable.", "the period 2021-2022 remains payable."),
        ("the non-", "Disclosing Party agrees.", "the non-Disclosing Party agrees."),
        ("a long-", "term supply contract.", "a long-term supply contract."),
    ],
)
def test_line_end_hyphens(tmp_path, head, tail, joined):
    filler = "Each Party shall perform its obligations under this Agreement with care and"
    p = make_pdf(tmp_path / "h.pdf", [filler, head, tail])
    text = read_pdf(p).pages[0].text
    assert joined in text
    assert "\n" not in text  # one paragraph


def test_hyphenated_form_used_elsewhere_is_kept(tmp_path):
    p = make_pdf(tmp_path / "h2.pdf", ["The cost-plus fee applies to all Services and", "to any fees on a cost-", "plus basis under the Order."])
    assert "a cost-plus basis" in read_pdf(p).pages[0].text


def test_running_lines_removed_only_when_repeated(tmp_path):
    body = [[f"Clause {n}. The Parties agree to the terms set out in this Agreement."] for n in range(1, 5)]
    p = make_pdf(tmp_path / "r.pdf", body, pages=4, header="ACME / Bluebird - Confidential", footer="Page {n} of {total}")
    pages = read_pdf(p).pages
    text = join_pages(pages)[0]
    assert "Confidential" not in text and "Page" not in text
    for n in range(1, 5):
        assert f"Clause {n}. The Parties agree" in pages[n - 1].text
    single = make_pdf(tmp_path / "s.pdf", ["Clause 1. Terms."], header="ACME / Bluebird - Confidential")
    assert "Confidential" in read_pdf(single).pages[0].text  # one page: nothing repeats


def test_join_pages_runs_sentences_on(tmp_path):
    p = make_pdf(tmp_path / "j.pdf", [["Company receives a"], ["correct invoice."], ["Next clause."]], pages=3)
    pages = read_pdf(p).pages
    text, starts = join_pages(pages)
    assert text == "Company receives a correct invoice.\nNext clause."
    assert [text[s:s + 4] for s in starts] == ["Comp", "corr", "Next"]


def test_gibberish_text_layer_is_flagged(tmp_path):
    soup = ["#$%& ()*+ ,-./ :;<= >?@[ \\]^_ `{|} ~!#$ %&() *+,- ./:; <=>? @[\\] ^_`{ |}~!"] * 6
    page = read_pdf(make_pdf(tmp_path / "g.pdf", soup)).pages[0]
    assert page.quality == "gibberish"
    ok = read_pdf(make_pdf(tmp_path / "o.pdf", ["The Supplier shall deliver the Goods to the Buyer within thirty days"] * 4)).pages[0]
    assert ok.quality == "ok"
