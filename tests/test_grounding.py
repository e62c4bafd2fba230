"""Grounding: quote, offsets, page, rectangles and match status, on the real failcase inputs F27, F28."""

from __future__ import annotations

import json

import pymupdf
import pytest

from pipeline.extraction.grounding import find_in, ground_evidence, locate_quote
from rules.text.sentences import split_sentences
from schemas import Evidence, MatchStatus, SourceDocument, SourcePage
from tests.conftest import require_shared

EXACT, NORMALIZED, FUZZY, NOT_FOUND = (MatchStatus.EXACT, MatchStatus.NORMALIZED, MatchStatus.FUZZY,
                                       MatchStatus.NOT_FOUND)


def _text_doc(text: str) -> SourceDocument:
    return SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])


@pytest.fixture(scope="module")
def f28():
    folder = require_shared("failcases", "F28")
    doc = _text_doc((folder / "contract.txt").read_text())
    sample = json.loads((folder / "llm_output_sample.json").read_text())["extractions"]
    expected = json.loads((folder / "expected.json").read_text())["evidence_check"]
    return doc, sample, expected


@pytest.fixture(scope="module")
def f27():
    folder = require_shared("failcases", "F27")
    with pymupdf.open(folder / "contract.pdf") as pdf:
        page = pdf[0]
        text = page.get_text()
        words = page.get_text("words")
    # word boxes with document offsets, as pipeline.reading.pdf stores them (found in reading order)
    layout, pos = [], 0
    for x0, y0, x1, y1, w, *_ in words:
        at = text.find(w, pos)
        layout.append([at, at + len(w), x0, y0, x1, y1])
        pos = at + len(w)
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text), layout=layout)])
    sample = json.loads((folder / "llm_output_sample.json").read_text())["evidence"]
    expected = json.loads((folder / "expected.json").read_text())["evidence_check"]
    return doc, sample, expected


def test_F28_padded_and_invented_quotes_are_not_found(f28):
    doc, sample, expected = f28
    found = {e["field"]: locate_quote(e["quote"], doc) for e in sample}
    for check in expected:
        m = found[check["field"]]
        assert (m.match != NOT_FOUND) is check["found_in_source"], check["field"]
    assert found["payment_days"].match == NORMALIZED  # a line break inside the source sentence
    q = found["payment_days"]
    assert doc.text[q.start:q.end].endswith("each\ninvoice.")
    # the reviewer is told what was invented
    assert any("terminate this agreement immediately" in u for u in found["suspension_notice_days"].unmatched)


def test_F27_straight_quotes_match_curly_source(f27):
    doc, sample, expected = f27
    for e, check in zip(sample, expected, strict=True):
        m = locate_quote(e["quote"], doc)
        assert m.match == NORMALIZED, e["field"]
        assert check["found_in_source"] is True
    m = locate_quote(sample[1]["quote"], doc)
    assert doc.text[m.start:m.end] == "“Customer Data” means all data supplied by Company – including Vendor’s\ncopies"


def test_F27_paraphrase_is_not_found(f27):
    doc, _, _ = f27
    assert locate_quote("Vendor guarantees the Deliverables for ninety (90) days after acceptance.", doc).match == NOT_FOUND


def test_ground_evidence_exact_normalized_and_rects(f27):
    doc, _, _ = f27
    sentences = split_sentences(doc.text)
    warranty = next(s for s in sentences if "ninety (90) days" in s.text)
    ev = ground_evidence(Evidence(sentence_ids=[warranty.id], span="ninety (90) days"), sentences, doc)
    assert ev.match == EXACT
    assert ev.quote == warranty.text == doc.text[ev.start:ev.end]
    assert doc.text[ev.value_start:ev.value_end] == "ninety (90) days"
    assert ev.page == 1
    assert len(ev.rects) == 1 and ev.rects[0].page == 1
    r = ev.rects[0]
    assert r.x1 > r.x0 and r.y1 > r.y0
    # the rectangle covers the three words' boxes and nothing of the line start
    boxes = [w for w in doc.pages[0].layout if ev.value_start <= w[0] < ev.value_end]
    assert len(boxes) == 3 and r.x0 == pytest.approx(boxes[0][2]) and r.x1 == pytest.approx(boxes[-1][4])

    customer = next(s for s in sentences if "Customer Data" in s.text)
    ev = ground_evidence(Evidence(sentence_ids=[customer.id], span='"Customer Data" means'), sentences, doc)
    assert ev.match == NORMALIZED
    assert doc.text[ev.value_start:ev.value_end] == "“Customer Data” means"


def test_ground_evidence_span_only_within_cited_sentences_or_their_neighbours(f28):
    doc, _, _ = f28
    sentences = split_sentences(doc.text)
    # "ten (10) days" is in sentence 3, not in the cited sentence 2: found next door, citation kept
    ev = ground_evidence(Evidence(sentence_ids=[2], span="ten (10) days"), sentences, doc)
    assert ev.sentence_ids == [3] and ev.cited_sentence_ids == [2]
    assert doc.text[ev.value_start:ev.value_end] == "ten (10) days"
    # farther than the window it stays not_found: see test_span_in_a_neighbouring_sentence_is_relocated...


def test_ground_evidence_invalid_sentence_id(f28):
    doc, _, _ = f28
    sentences = split_sentences(doc.text)
    ev = ground_evidence(Evidence(sentence_ids=[2, 99], span="thirty (30) days"), sentences, doc)
    assert ev.match == NOT_FOUND
    ev = ground_evidence(Evidence(sentence_ids=[99], span="thirty (30) days"), sentences, doc)
    assert (ev.match, ev.quote, ev.start) == (NOT_FOUND, None, None)


def test_quote_across_a_page_break_gets_first_page_and_rects_on_both():
    text = "Payment is due within sixty (60) days of receipt of a\ncorrect invoice. Other text."
    brk = text.index("correct")
    layout1 = [[0, 7, 10, 10, 50, 20]]  # "Payment"
    layout2 = [[brk, brk + 7, 10, 30, 60, 40], [brk + 8, brk + 16, 62, 30, 110, 40]]
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=brk, layout=layout1),
                                           SourcePage(number=2, start=brk, end=len(text), layout=layout2)])
    sentences = split_sentences(text)
    ev = ground_evidence(Evidence(sentence_ids=[1]), sentences, doc)
    assert ev.page == 1 and ev.match is None  # no span given: quote grounded, no value match
    assert sorted({r.page for r in ev.rects}) == [1, 2]
    page2 = [r for r in ev.rects if r.page == 2]
    assert len(page2) == 1 and (page2[0].x0, page2[0].x1) == (10, 110)  # one rect per line
    ev = ground_evidence(Evidence(sentence_ids=[1], span="correct invoice"), sentences, doc)
    assert ev.page == 2 and ev.match == EXACT


@pytest.mark.parametrize(
    ("needle", "hay", "status"),
    [
        ("deliver the notification within ten days", "Supplier shall deliver the noti- fication within ten days.", FUZZY),
        ("Supplier shall deliver the goods promptly", "Supplier shall not deliver the goods promptly.", NOT_FOUND),
        ("Supplier shall not deliver the goods promptly", "Supplier shall deliver the goods promptly.", NOT_FOUND),
        ("within thirty (60) days of receipt", "within thirty (30) days of receipt", NOT_FOUND),
        ("receipt within thirty days", "within thirty days of receipt", NOT_FOUND),  # words scattered
        ("Thirty (30) Days", "within thirty (30) days", NORMALIZED),  # case only
        ("ﬁfteen (15) days", "within fifteen (15) days", NORMALIZED),  # ligature
    ],
)
def test_find_in_statuses(needle, hay, status):
    m = find_in(needle, hay)
    assert m.match == status
    if status != NOT_FOUND:
        assert m.start is not None and m.end > m.start


def test_span_in_a_neighbouring_sentence_is_relocated_and_the_citation_kept():
    from pipeline.extraction.grounding import NEIGHBOUR_WINDOW, ground_evidence
    from rules.text.sentences import split_sentences
    from schemas import Evidence, MatchStatus, SourceDocument, SourcePage

    text = ("This Agreement is made as of September 9, 2024. The Parties are named below. "
            "It is governed by the laws of Ontario. Nothing else applies.")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    sents = split_sentences(text)
    off_by_one = ground_evidence(Evidence(sentence_ids=[2], span="September 9, 2024"), sents, doc)
    assert off_by_one.match == MatchStatus.EXACT
    assert off_by_one.sentence_ids == [1] and off_by_one.cited_sentence_ids == [2]
    assert text[off_by_one.value_start:off_by_one.value_end] == "September 9, 2024"
    assert off_by_one.quote == sents[0].text
    # farther than the window: still not found, and an invented span is never relocated
    far = ground_evidence(Evidence(sentence_ids=[1 + NEIGHBOUR_WINDOW + 1], span="September 9, 2024"), sents, doc)
    assert far.match == MatchStatus.NOT_FOUND and far.cited_sentence_ids is None
    invented = ground_evidence(Evidence(sentence_ids=[2], span="the laws of Delaware"), sents, doc)
    assert invented.match == MatchStatus.NOT_FOUND
    # a right citation is untouched
    right = ground_evidence(Evidence(sentence_ids=[3], span="laws of Ontario"), sents, doc)
    assert right.match == MatchStatus.EXACT and right.cited_sentence_ids is None


def test_a_long_span_found_once_far_from_its_citation_is_relocated_a_repeated_or_short_one_is_not():
    from pipeline.extraction.grounding import FAR_MIN_WORDS, NEIGHBOUR_WINDOW, ground_evidence
    from rules.text.sentences import split_sentences
    from schemas import Evidence, MatchStatus, SourceDocument, SourcePage

    text = ("Supplier shall keep a spare parts depot in Lyon. The Parties are named below. Words one. Words two. "
            "Words three. Words four. Supplier shall answer each call within two hours. Supplier shall keep "
            "records. Supplier shall keep records.")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    sents = split_sentences(text)
    far_id = 7
    assert far_id - 1 > NEIGHBOUR_WINDOW
    assert sents[far_id - 1].text.startswith("Supplier shall answer")
    moved = ground_evidence(Evidence(sentence_ids=[1], span="answer each call within two hours"), sents, doc)
    assert moved.match == MatchStatus.EXACT and moved.sentence_ids == [far_id] and moved.cited_sentence_ids == [1]
    assert text[moved.value_start:moved.value_end] == "answer each call within two hours"
    back = ground_evidence(Evidence(sentence_ids=[far_id], span="keep a spare parts depot"), sents, doc)
    assert back.sentence_ids == [1] and back.match == MatchStatus.EXACT
    # held by two sentences: the place is not known, the citation is not moved
    twice = ground_evidence(Evidence(sentence_ids=[1], span="Supplier shall keep records"), sents, doc)
    assert twice.match == MatchStatus.NOT_FOUND and twice.cited_sentence_ids is None
    # too short to name its place
    short = "within two hours"
    assert len(short.split()) < FAR_MIN_WORDS
    assert ground_evidence(Evidence(sentence_ids=[1], span=short), sents, doc).match == MatchStatus.NOT_FOUND
