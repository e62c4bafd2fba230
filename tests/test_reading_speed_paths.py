"""The reader's fast paths give what the plain per-character paths give, on real PDFs.

- Page text from MuPDF's words (``extractWORDS`` + ``extractDICT`` spans) against every line read
  character by character from ``extractRAWDICT``: same text, word boxes, hidden text and quality.
- The first pass (running lines, vocabulary) against the straightforward grouping of every word.
- ``word_share`` with its per-token cache against the plain loop.
- The GGUF tokenizer's right-sized buffer against ``Llama.tokenize``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pymupdf
import pytest

import pipeline.reading.pdf as pdf
from pipeline.reading.pdf import _line_signature, read_pdf, word_share
from rules.text import nfkc
from tests.conftest import REPO, require_shared

SAMPLES = sorted((REPO / "samples").glob("*.pdf"))
FAILCASES = ["F01", "F02", "F03", "F04", "F05", "F12", "F26", "F27"]
# CUAD exhibits with lines the word path hands to the character path (white spaces-only runs,
# em/en-space bullets, zero-width spaces) next to ordinary lines
CUAD = [
    "Part_I/Affiliate_Agreements/SteelVaultCorp_20081224_10-K_EX-10.16_3074935_EX-10.16_Affiliate Agreement.pdf",
    "Part_I/Transportation/ZtoExpressCaymanInc_20160930_F-1_EX-10.10_9752871_EX-10.10_Transportation Agreement.pdf",
    "Part_III/Maintenance/UAGHINC_04_14_2004-EX-10.18-MAINTENANCE AGREEMENT.PDF",
]


# hidden text (samples with a hidden clause, F12, F26), white-on-white runs of spaces, special spaces
CHAR_LINES = {"services_agreement.pdf", "supply_agreement.pdf", "F12", "F26", *CUAD}


def _pdf(which: str) -> Path:
    if which.startswith("F"):
        return require_shared("failcases", which, "contract.pdf")
    if which.startswith("Part_"):
        return require_shared("corpus", "cuad", "full_contract_pdf", which)
    return REPO / "samples" / which


CASES = [p.name for p in SAMPLES] + FAILCASES + CUAD


def _pages(path: Path) -> list[tuple]:
    return [(p.number, p.text, p.words, p.hidden, p.quality, p.width, p.height) for p in read_pdf(path, ocr=False).pages]


@pytest.mark.parametrize("which", CASES, ids=lambda c: c.split("/")[-1][:40])
def test_word_path_gives_the_character_path_text_and_boxes(which, monkeypatch):
    path = _pdf(which)
    taken = {"words": 0, "chars": 0}
    fast = pdf._PageReader._line_from_words

    def counting(self, line, mwords):
        got = fast(self, line, mwords)
        taken["words" if got is not None else "chars"] += 1
        return got

    monkeypatch.setattr(pdf._PageReader, "_line_from_words", counting)
    by_words = _pages(path)
    monkeypatch.setattr(pdf._PageReader, "_line_from_words", lambda self, line, mwords: None)
    by_chars = _pages(path)
    assert by_words == by_chars
    assert sum(len(p[2]) for p in by_words) > 20  # real pages with words, not two empty lists
    # the word path carries at least half the lines (else this compares the character path with itself) ...
    assert taken["words"] >= taken["chars"] and taken["words"] > 0
    # ... and the files chosen for it hand some lines to the character path
    assert (taken["chars"] > 0) == (which in CHAR_LINES)


def test_hidden_text_still_found_with_the_word_path():
    hidden = [h for p in read_pdf(_pdf("F12")).pages for h in p.hidden]
    assert {h.mechanism for h in hidden} >= {"render_mode_3", "white_on_white", "outside_page_box"}
    assert any("Licensor waives all fees" in h.text for h in hidden)


def _scan_reference(doc: pymupdf.Document) -> tuple[dict, set[str]]:
    """Pass 1 as first written: every word grouped into lines, the vocabulary judged word by word."""
    seen: dict = defaultdict(dict)
    texts: dict = defaultdict(set)
    vocab: set[str] = set()
    n = doc.page_count
    for i in range(n):
        page = doc.load_page(i)
        height = page.rect.height
        lines: dict = {}
        for w in page.get_text("words", flags=pymupdf.TEXT_MEDIABOX_CLIP):
            lines.setdefault((w[5], w[6]), []).append(w)
            core = pdf._WORD_CORE.match(nfkc(w[4]).lower())
            if core and pdf._ALPHA_WORD.match(core.group(1)):
                vocab.add(core.group(1))
        blocks: dict = defaultdict(list)
        for (bno, _), ws in lines.items():
            blocks[bno].append(ws)
        for block_lines in blocks.values():
            bands = [pdf._band(min(w[1] for w in ws), max(w[3] for w in ws), height) for ws in block_lines]
            if None in bands:
                continue
            for ws, band in zip(block_lines, bands):
                raw = " ".join(w[4] for w in ws)
                sig = _line_signature(raw)
                seen[(band, sig)].setdefault(i, min(w[1] for w in ws))
                texts[(band, sig)].add(raw)
    running = {}
    need = max(2, math.ceil(n * pdf.RUNNING_MIN_SHARE))
    if n >= 2:
        for key, by_page in seen.items():
            if len(by_page) < need:
                continue
            if len(texts[key]) > 1 and len(key[1].split()) > pdf.RUNNING_MAX_WORDS_IF_NUMBERED:
                continue
            ys = sorted(by_page.values())
            keep = [y for y in ys if sum(abs(y - v) <= pdf.RUNNING_Y_TOLERANCE for v in ys) >= need]
            if keep:
                running[key] = keep
    return running, vocab


@pytest.mark.parametrize("which", [p.name for p in SAMPLES] + ["F04"] + CUAD[:1])
def test_first_pass_finds_the_reference_running_lines_and_vocabulary(which):
    with pymupdf.open(_pdf(which)) as doc:
        running, vocab = _scan_reference(doc)
        ctx = pdf._scan_document(doc)
    assert ctx.vocab == vocab and len(vocab) > 30
    assert ctx.running == running
    if which == "F04":
        assert running  # its header and footer repeat on every page


def _word_share_reference(text: str) -> tuple[float, int]:
    judged = good = 0
    for tok in text.split():
        if any(c.isdigit() for c in tok) or (len(tok) == 1 and not tok.isalnum()) or pdf._REDACTION.match(tok):
            continue
        core = tok.strip(pdf._STRIP)
        judged += 1
        plain = core.replace("-", "").replace("'", "")
        if len(plain) >= 2 and plain.isalpha() and any(c in pdf._VOWELS for c in plain):
            good += 1
        elif len(plain) == 1 and plain.isalpha() and plain in "aAI":
            good += 1
    return (good / judged if judged else 1.0), judged


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The Supplier shall deliver the Goods within thirty (30) days.",
        "a I A x Aug-06 [***] [ ] $ | - 1,200.00 ²³ café naïve rhythm 's -- it's",
        "xq zzv bcdf ghjk qwrt plmn " * 5 + "the and of",
    ],
)
def test_word_share_matches_the_plain_loop(text):
    assert word_share(text) == _word_share_reference(text)


def test_word_share_matches_the_plain_loop_on_real_pages():
    for page in read_pdf(_pdf("F01")).pages + read_pdf(SAMPLES[0]).pages:
        assert word_share(page.text) == _word_share_reference(page.text)
        assert word_share(page.text)[1] > 10


def test_gguf_tokenizer_buffer_gives_llama_tokenize_ids():
    from tests.test_tokens import installed_gguf

    from pipeline.reading.tokens import GGUFTokenizer, _tokenize

    tok = GGUFTokenizer(installed_gguf())
    texts = ["a", " ", "\n\n", "hello world", "日本語のテキスト", "ﬁnal café", "<|im_start|>", "x" * 3000,
             "The Supplier shall deliver the Goods within thirty (30) days. " * 40]
    for t in texts:
        assert tok.encode(t) == list(tok._llama.tokenize(t.encode(), add_bos=False, special=False))
    vocab = tok._llama._model.vocab
    long = "The Supplier shall deliver the Goods. ".encode()
    # a buffer too small at first is asked for again at the size llama.cpp reports
    assert _tokenize(vocab, long, size=1) == tok.encode(long.decode()) and len(tok.encode(long.decode())) > 1


def _background_by_scan(reader: pdf._PageReader, bbox) -> tuple:
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    bg = (1.0, 1.0, 1.0)
    for r, fill in reader._fill_rects():
        if r[0] <= cx <= r[2] and r[1] <= cy <= r[3]:
            bg = fill
    return bg


def test_background_lookup_by_bands_matches_a_scan_of_every_fill():
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(0, 0, 595, 842), color=None, fill=(0.9, 0.9, 0.9))  # whole page
    for k in range(60):  # a table of shaded cells, some overlapping, some off the page
        x, y = 40 + (k % 6) * 85, -20 + (k // 6) * 88
        page.draw_rect(pymupdf.Rect(x, y, x + 90, y + 60 + (k % 3) * 30), color=None, fill=((k % 5) / 4, 0.5, 1 - (k % 7) / 6))
    page = doc.load_page(0)
    reader = pdf._PageReader(page, pdf._DocContext({}, set()))
    assert len(reader._fill_rects()) > pdf.FILL_BANDS // 4  # the band index is used
    points = [(x, y) for x in range(-10, 610, 7) for y in range(-30, 880, 5)] + [(100.0, float("inf")), (5.0, 842.0)]
    for x, y in points:
        bbox = (x - 1, y - 1, x + 1, y + 1) if y != float("inf") else (x, y, x, y)
        assert reader._background(bbox) == _background_by_scan(reader, bbox)
    assert len({reader._background((x - 1, y - 1, x + 1, y + 1)) for x, y in points[:-2]}) > 5


def test_background_lookup_by_bands_on_a_cuad_page_of_shaded_cells():
    path = _pdf("Part_II/Agency Agreements/BONTONSTORESINC_04_20_2018-EX-99.3-AGENCY AGREEMENT.PDF")
    with pymupdf.open(path) as doc:
        checked = 0
        for page in doc:
            reader = pdf._PageReader(page, pdf._DocContext({}, set()))
            if len(reader._fill_rects()) <= pdf.FILL_BANDS // 4:
                continue
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        assert reader._background(span["bbox"]) == _background_by_scan(reader, span["bbox"])
                        checked += 1
        assert checked > 1000


def test_layout_sessions_rebuilt_single_threaded_give_the_same_tables():
    """Issue #12: find_tables with PyMuPDF's layout model on one non-spinning ONNX Runtime thread finds the
    tables the default sessions find (compared with a fresh process that keeps the defaults)."""
    import json
    import subprocess
    import sys

    pytest.importorskip("pymupdf.layout")
    path = _pdf("Part_I/Development/AimmuneTherapeuticsInc_20200205_8-K_EX-10.3_11967170_EX-10.3_Development Agreement.pdf")
    code = (
        "import json, sys, pymupdf\n"
        "page = pymupdf.open(sys.argv[1])[23]\n"
        "print(json.dumps([[list(t.bbox), [r.cells for r in t.rows]] for t in page.find_tables().tables]))\n"
    )
    default = json.loads(subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                        check=True).stdout)
    assert pdf._layout_single_threaded() in (0, 3)
    model = pymupdf._get_layout.__closure__[0].cell_contents._model
    assert model.session.get_session_options().intra_op_num_threads == pdf.LAYOUT_THREADS == 1
    with pymupdf.open(path) as doc:
        ours = json.loads(json.dumps([[list(t.bbox), [r.cells for r in t.rows]] for t in doc[23].find_tables().tables]))
    assert ours == default
    assert any(len(rows) >= 2 for _, rows in ours)  # a page with a real table
