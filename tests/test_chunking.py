"""Chunking: exact slices, budget by the real tokenizer, row-boundary table splits, page spans,
coverage, overlap; the context-window budget check (failure cases F32 and F13)."""

from __future__ import annotations

import re

import pytest

from pipeline.reading.chunking import (
    BudgetError,
    ChunkSizeError,
    ChunkSpan,
    check_budget,
    chunk_overlap_ratio,
    chunk_text,
    sentences_and_rows,
)
from pipeline.settings import Settings
from pipeline.reading.tokens import DefaultTokenizer, GGUFTokenizer
from tests.conftest import require_shared
from tests.test_tokens import installed_gguf

CUAD_LONG = "MANUFACTURERSSERVICESLTD_06_05_2000-EX-10.14-OUTSOURCING AGREEMENT.txt"  # the largest CUAD text


@pytest.fixture(scope="module")
def default_tok() -> DefaultTokenizer:
    return DefaultTokenizer()


@pytest.fixture(scope="module", params=["default", "gguf"])
def tok(request):
    """Both tokenizers: llama-index's default and the installed model's vocabulary."""
    if request.param == "default":
        return DefaultTokenizer()
    return GGUFTokenizer(installed_gguf())


@pytest.fixture(scope="module")
def f32() -> str:
    return require_shared("failcases", "F32", "contract.txt").read_text(encoding="utf-8")


def assert_sound(doc: str, chunks: list[ChunkSpan], budget: int, tokenizer) -> None:
    """Exact slices in order, measured within budget, and no non-whitespace character left out."""
    assert chunks, "no chunks"
    covered = [False] * len(doc)
    for i, c in enumerate(chunks):
        assert c.seq == i
        assert doc[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
        assert c.token_count == tokenizer.count(c.text) <= budget
        if i:
            assert chunks[i - 1].start < c.start and chunks[i - 1].end < c.end
        for k in range(c.start, c.end):
            covered[k] = True
    missing = [k for k, ch in enumerate(doc) if not ch.isspace() and not covered[k]]
    assert not missing, f"{len(missing)} characters in no chunk, first at {missing[0]}: {doc[missing[0]:missing[0] + 40]!r}"


# --- F32: a 1,200-row pipe table with non-ASCII names and no sentence breaks, then Clause D.2 ---


def test_f32_chunks_fit_the_budget_by_the_model_tokenizer(f32, tok):
    expected = require_shared("failcases", "F32", "expected.json").read_text()
    assert '"unit_rates_fixed_until": "2022-12-31"' in expected
    chunks = chunk_text(f32, [(1, 0, len(f32))], budget_tokens=1500, overlap_tokens=100, tokenizer=tok)
    assert_sound(f32, chunks, 1500, tok)
    assert len(chunks) >= tok.count(f32) // 1500  # the table really was split, not truncated
    # Clause D.2 after the oversized table is not dropped
    assert sum("Clause D.2: Unit rates are fixed until 31 December 2022." in c.text for c in chunks) >= 1
    # all 1,200 rows are in some chunk, each whole in at least one
    rows = set()
    for c in chunks:
        rows.update(re.findall(r"\| (S-\d{5}) \| [^|]+ \| \d+\.\d\d \| [ABC] \|", c.text))
    assert len(rows) == 1200


@pytest.mark.parametrize("budget,overlap", [(1500, 100), (200, 30)])
def test_f32_table_is_cut_between_rows_never_inside_a_cell(f32, default_tok, budget, overlap):
    chunks = chunk_text(f32, [(1, 0, len(f32))], budget_tokens=budget, overlap_tokens=overlap, tokenizer=default_tok)
    assert_sound(f32, chunks, budget, default_tok)
    for c in chunks[1:]:
        assert c.text.startswith("| S-"), c.text[:30]  # every later chunk starts at a row
    for c in chunks[:-1]:
        assert re.search(r"\| [ABC] \|$", c.text), c.text[-30:]  # and ends after a whole row
    # neighbours overlap by whole rows of at most `overlap` tokens
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end
        assert default_tok.count(f32[b.start : a.end]) <= overlap + 5


def test_f32_no_metadata_in_the_budget_even_for_tiny_chunks(f32, default_tok):
    """#12200 'Metadata length is longer than chunk size': nothing but text counts against the budget."""
    chunks = chunk_text(f32, [(1, 0, len(f32))], budget_tokens=48, overlap_tokens=0, tokenizer=default_tok)
    assert_sound(f32, chunks, 48, default_tok)
    assert chunks[0].text.startswith("EXHIBIT D")


def test_f32_whole_exhibit_in_one_call_is_refused_by_the_budget_check(f32, tok):
    s = Settings()
    with pytest.raises(BudgetError, match="context window 8192"):
        check_budget(1200, tok.count(f32), s.max_output_tokens, s.context_tokens)
    assert check_budget(1200, s.chunk_tokens, s.max_output_tokens, s.context_tokens) == 8192 - 1200 - 1500 - 1024


def test_check_budget_edges():
    assert check_budget(100, 50, 50, 200) == 0  # exactly full fits
    with pytest.raises(BudgetError):
        check_budget(100, 51, 50, 200)
    with pytest.raises(BudgetError):
        check_budget(-1, 10, 10, 200)


# --- splitting units ---


def test_rows_on_one_line_split_by_row_width_even_with_empty_cells():
    line = "| 1 | | x | | 2 | y | z | | 3 | | |"
    assert sentences_and_rows(line) == ["| 1 | | x | ", "| 2 | y | z | ", "| 3 | | |"]


def test_units_join_back_to_the_exact_text():
    text = "\n\n  ARTICLE 1\n\nThe Supplier shall deliver. The Customer shall pay.\nA | B | C\n1 | 2 | 3\n"
    units = sentences_and_rows(text)
    assert "".join(units) == text
    assert "A | B | C\n" in units and "1 | 2 | 3\n" in units


def test_table_rows_on_separate_lines_split_at_line_ends(default_tok):
    rows = [f"R-{i:04d} | Zürich Nord {i} | {i * 7 % 1000}.50 EUR | Tier {'ABC'[i % 3]}" for i in range(600)]
    doc = "Schedule 2. Fees\n" + "\n".join(rows) + "\nClause 9: Fees are fixed until 31 December 2025."
    chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=300, overlap_tokens=40, tokenizer=default_tok)
    assert_sound(doc, chunks, 300, default_tok)
    for c in chunks:
        assert c.start == 0 or doc[c.start - 1] == "\n"
        assert c.end == len(doc) or doc[c.end] == "\n"
    assert "fixed until 31 December 2025" in chunks[-1].text


def test_sentences_are_not_cut_and_neighbours_overlap(default_tok):
    sentences = [f"The Supplier shall deliver lot {i} to the Customer within {i + 3} days of order." for i in range(200)]
    doc = " ".join(sentences)
    chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=150, overlap_tokens=40, tokenizer=default_tok)
    assert_sound(doc, chunks, 150, default_tok)
    for c in chunks:
        assert c.text.startswith("The Supplier") and c.text.endswith("days of order.")
    for a, b in zip(chunks, chunks[1:]):
        shared = doc[b.start : a.end]
        assert b.start < a.end and shared.startswith("The Supplier") and default_tok.count(shared) <= 40


def test_one_sentence_longer_than_the_budget_is_split_inside_and_kept_whole(default_tok):
    doc = "WHEREAS " + " and ".join(f"the Licensee may sublicense territory {i}" for i in range(400)) + "."
    chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=120, overlap_tokens=20, tokenizer=default_tok)
    assert len(chunks) > 10
    assert_sound(doc, chunks, 120, default_tok)


class SuperAdditiveTokenizer:
    """Counts words plus a penalty that grows with length, so a join costs more than its parts:
    forces the re-split after measuring (the splitter adds up the sizes of its pieces)."""

    name = "test:superadditive"

    def encode(self, text: str) -> list[int]:
        n = len(text.split())
        return [0] * (n + n * n // 200)

    def count(self, text: str) -> int:
        return len(self.encode(text))


def test_over_budget_by_real_count_is_re_split():
    tok = SuperAdditiveTokenizer()
    doc = " ".join(f"Clause {i} binds the Obligor to notify the Obligee promptly." for i in range(300))
    chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=200, overlap_tokens=20, tokenizer=tok)
    assert_sound(doc, chunks, 200, tok)


def test_invalid_budget_and_empty_text(default_tok):
    with pytest.raises(ChunkSizeError):
        chunk_text("x", [(1, 0, 1)], budget_tokens=100, overlap_tokens=100, tokenizer=default_tok)
    with pytest.raises(ChunkSizeError):
        chunk_text("x", [(1, 0, 1)], budget_tokens=0, overlap_tokens=0, tokenizer=default_tok)
    assert chunk_text(" \n\n ", [(1, 0, 4)], budget_tokens=100, overlap_tokens=10, tokenizer=default_tok) == []


# --- page spans ---


def test_page_spans_on_three_pages(default_tok):
    """Each sentence is tagged with its page; one sentence crosses the break from page 1 to 2."""
    p1 = " ".join(f"[p1] Page one sentence {i} about the initial term." for i in range(12))
    p1 += " [p1] This obligation of the Supplier continues"
    p2 = "[p2] onto the second page." + "".join(f" [p2] Page two sentence {i} about notice." for i in range(12))
    p3 = " ".join(f"[p3] Page three sentence {i} about governing law." for i in range(12))
    doc = "\n".join([p1, p2, p3])
    pages = [(1, 0, len(p1)), (2, len(p1) + 1, len(p1) + 1 + len(p2)), (3, len(p1) + len(p2) + 2, len(doc))]
    assert doc[pages[2][1] : pages[2][2]] == p3
    chunks = chunk_text(doc, pages, budget_tokens=90, overlap_tokens=15, tokenizer=default_tok)
    assert_sound(doc, chunks, 90, default_tok)
    assert len(chunks) > 5
    for c in chunks:
        tags = [int(t) for t in re.findall(r"\[p(\d)\]", c.text)]
        # a chunk that begins with the continuation of the crossing sentence starts on page 2
        first = 2 if c.text.startswith("onto") else min(tags)
        assert (c.page_start, c.page_end) == (first, max(tags)), c.text[:60]
    crossing = [c for c in chunks if "continues\n[p2] onto" in c.text]
    assert crossing and all((c.page_start, c.page_end) == (1, 2) for c in crossing)
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 3


# --- real documents: F13 (300 pages), a long CUAD contract ---


def test_f13_every_page_covered_and_page_287_clause_kept(default_tok):
    import pymupdf

    path = require_shared("failcases", "F13", "contract_300_pages.pdf")
    parts, pages, pos = [], [], 0
    with pymupdf.open(path) as pdf:
        for i, page in enumerate(pdf):
            t = page.get_text()
            parts.append(t)
            pages.append((i + 1, pos, pos + len(t)))
            pos += len(t) + 1
    doc = "\n".join(parts)
    chunks = chunk_text(doc, pages, budget_tokens=1500, overlap_tokens=100, tokenizer=default_tok)
    assert_sound(doc, chunks, 1500, default_tok)
    assert chunks[-1].page_end == 300
    hits = [c for c in chunks if "Termination for convenience" in c.text]
    assert hits and all(c.page_start <= 287 <= c.page_end for c in hits)
    assert "ninety (90) days' written notice" in hits[0].text
    assert chunk_overlap_ratio(chunks, default_tok, doc) <= 1.15


def test_cuad_long_contract_coverage_and_overlap_ratio(tok):
    path = require_shared("corpus", "cuad", "full_contract_txt", CUAD_LONG)
    doc = path.read_text(encoding="utf-8")
    s = Settings()
    chunks = chunk_text(doc, [(1, 0, len(doc))], budget_tokens=s.chunk_tokens, overlap_tokens=s.chunk_overlap_tokens, tokenizer=tok)
    assert_sound(doc, chunks, s.chunk_tokens, tok)
    ratio = chunk_overlap_ratio(chunks, tok, doc)
    assert 1.0 < ratio <= 1.15  # neighbours do overlap, and by little
    overlapping = sum(b.start < a.end for a, b in zip(chunks, chunks[1:]))
    assert overlapping >= 0.8 * (len(chunks) - 1)
