"""Chunking: the document text cut into chunks that fit the model's token budget.

Built on llama-index's :class:`~llama_index.core.node_parser.SentenceSplitter` (paragraphs,
then sentences, then phrases, words, characters), with three changes so that a long table
with no sentence breaks, non-ASCII text and a document of hundreds of pages still fit the budget:

- The sentence step also splits table rows. The reader writes a table row as a line with
  cells joined by ``" | "``; a plain-text contract may write many rows ``| a | b |`` on one
  line. Either way a row is a unit like a sentence, so a long table is cut between rows,
  never inside a cell (the default phrase regex would cut ``958.27`` at the dot).
- No metadata is put into chunks (``include_metadata=False``): llama-index otherwise counts
  the metadata against every chunk ("Metadata length is longer than chunk size",
  run-llama/llama_index#12200).
- Every chunk is measured with the model's own tokenizer after splitting (the splitter adds
  up the sizes of its pieces, which can differ from the size of their join) and re-split
  when it is over budget.

Every chunk is an exact slice of the document text (``doc[start:end] == text``), chunks
follow document order, neighbours overlap by up to ``overlap_tokens`` and no
non-whitespace character of the document is left out of every chunk.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.reading.tokens import Tokenizer
from rules.text import punkt_spans
from schemas import ClausewiseError


class ChunkingError(ClausewiseError):
    """Base error of chunking."""


class ChunkSizeError(ChunkingError):
    """The chunk budget or overlap is unusable (budget < 1, overlap < 0 or overlap >= budget),
    or a single character is larger than the budget."""


class BudgetError(ChunkingError):
    """Prompt + chunk + maximum output tokens do not fit the model's context window."""


class ChunkLocateError(ChunkingError):
    """A chunk could not be placed in the document text, or the chunks leave text out.
    Internal invariant: raised rather than dropping text silently."""


@dataclass(frozen=True)
class ChunkSpan:
    """One chunk: ``seq`` (0-based order), ``text == doc[start:end]`` (character offsets into the
    document text, end exclusive), 1-based ``page_start``/``page_end`` of its first and last
    character, ``token_count`` measured with the tokenizer the chunks were made with."""

    seq: int
    text: str
    start: int
    end: int
    page_start: int
    page_end: int
    token_count: int


# Sub-sentence split, as llama-index's default "[^,.;。？！]+[,.;。？！]?|[,.;。？！]" except that a
# comma or dot followed by a digit stays inside the phrase (1,200 / 958.27 are not cut). The two
# alternatives match every character, so the pieces join back to the exact text.
_PHRASE_REGEX = r"(?:[^,.;。？！]|[,.](?=\d))+[,.;。？！]*|[,.;。？！]+"

_PIPE_GAP = re.compile(r"\|[ \t]*(?=\|)")


def _is_table_line(line: str) -> bool:
    """A table row as the reader writes it (cells joined by " | ", 3+ cells) or a ``| a | b |`` line."""
    s = line.strip()
    return s.count(" | ") >= 2 or (s.startswith("|") and s.count("|") >= 3)


def _split_rows(line: str) -> list[str]:
    """A line holding several ``| a | b |`` rows in a row → one piece per row (exact pieces).

    Row boundaries are the ``|  |`` gaps; when some cells are empty (also ``| |``), the row
    width is the smallest pipe period whose every boundary is such a gap."""
    pipes = [m.start() for m in re.finditer(r"\|", line)]
    gaps = {i for i in range(len(pipes) - 1) if not line[pipes[i] + 1 : pipes[i + 1]].strip()}
    if not gaps:
        return [line]
    n = len(pipes)
    cut_after: list[int] = sorted(gaps)
    for period in range(2, n // 2 + 1):
        if n % period == 0 and all(period * j - 1 in gaps for j in range(1, n // period)):
            cut_after = [period * j - 1 for j in range(1, n // period)]
            break
    cuts = [pipes[i + 1] for i in cut_after]  # next row starts at its first pipe
    bounds = [0, *cuts, len(line)]
    return [line[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def _split_table_lines(sentence: str) -> list[str]:
    """A sentence that contains table lines → its lines, table lines further into rows."""
    lines = sentence.splitlines(keepends=True)
    if not any(_is_table_line(ln) for ln in lines):
        return [sentence]
    out: list[str] = []
    for ln in lines:
        out.extend(_split_rows(ln) if _is_table_line(ln) else [ln])
    return out


_PARAGRAPH_END = re.compile(r"\n[ \t]*\n\s*")


def _punkt(text: str) -> list[str]:
    from llama_index.core.utils import globals_helper

    # in bounded windows: one Punkt call over a long paragraph meets NLTK's regex time limit
    spans = list(punkt_spans(globals_helper.punkt_tokenizer, text))
    if not spans:
        return [text] if text else []
    starts = [0] + [s for s, _ in spans[1:]]
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def sentences_and_rows(text: str) -> list[str]:
    """Split ``text`` into paragraphs (at blank lines), sentences (NLTK Punkt, bundled with
    llama-index) and table rows.

    The pieces join back to exactly ``text`` (llama-index's own sentence split drops the
    whitespace before the first sentence)."""
    cuts = [m.end() for m in _PARAGRAPH_END.finditer(text)]
    bounds = [0, *cuts, len(text)]
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:]):
        if b > a:
            for sentence in _punkt(text[a:b]):
                out.extend(_split_table_lines(sentence))
    return out


def _splitter(chunk_size: int, overlap: int, tokenizer: Tokenizer):
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(overlap, chunk_size - 1),
        tokenizer=tokenizer.encode,
        chunking_tokenizer_fn=sentences_and_rows,
        secondary_chunking_regex=_PHRASE_REGEX,
        include_metadata=False,
        include_prev_next_rel=False,
    )
    # By default the splitter cuts at "\n\n\n" first and keeps every paragraph under the budget
    # whole; the overlap (whole trailing pieces of at most `overlap` tokens) is then nearly always
    # empty (measured on CUAD: 1.0006 tokens sent per document token). Splitting every text over the
    # budget straight into paragraphs/sentences/rows gives sentence-sized pieces, so neighbours share
    # their boundary sentences. Private attribute of llama-index-core 0.14 (pinned <0.15).
    splitter._split_fns = [sentences_and_rows]
    return splitter


def _split_spans(doc: str, lo: int, hi: int, chunk_size: int, overlap: int, tokenizer: Tokenizer) -> list[tuple[int, int]]:
    """Split ``doc[lo:hi]`` with the sentence splitter → ordered ``(start, end)`` spans in ``doc``."""
    from llama_index.core.schema import Document

    part = doc[lo:hi]
    try:
        nodes = _splitter(chunk_size, overlap, tokenizer).get_nodes_from_documents([Document(text=part)])
    except ValueError as exc:  # "Single token exceeded chunk size"
        raise ChunkSizeError(f"cannot split text into pieces of {chunk_size} tokens: {exc}") from exc
    spans: list[tuple[int, int]] = []
    prev_start, prev_end = -1, 0
    for node in nodes:
        t = node.get_content()
        s = _place(part, t, node.start_char_idx, prev_start, prev_end)
        spans.append((lo + s, lo + s + len(t)))
        prev_start, prev_end = max(prev_start, s), max(prev_end, s + len(t))
    return spans


def _place(part: str, t: str, found: int | None, prev_start: int, prev_end: int) -> int:
    """Start of chunk text ``t`` in ``part``, the chunk before it having started at ``prev_start`` and
    the chunks so far covering ``part`` to ``prev_end``.

    ``found`` is where llama-index found ``t``: the first copy after the previous node's start. The chunk
    starts after ``prev_start`` and no later than ``prev_end`` (plus following whitespace). Where the text
    repeats itself (the same clause many times) several copies qualify and the first may advance by one
    clause per chunk: the latest is taken. Where none qualifies because the latest copies went past it, the
    chunk repeats text already covered and the latest copy that starts in reach is taken (the caller drops
    chunks inside others).

    Raises :class:`ChunkLocateError` when ``t`` does not start anywhere in reach."""
    limit = prev_end
    while limit < len(part) and part[limit].isspace():
        limit += 1
    s = found if found is not None and part[found : found + len(t)] == t and prev_start < found <= limit else -1
    s = max(s, part.rfind(t, max(s, prev_start) + 1, limit + len(t)))
    if s < 0:
        s = part.rfind(t, 0, limit + len(t))
    if s < 0:
        raise ChunkLocateError(f"chunk text not found in the document after offset {prev_start}: {t[:60]!r}")
    return s


def _drop_contained(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Sorted ``(start, end, tokens)`` → the same without any span inside another one."""
    out: list[tuple[int, int, int]] = []
    for span in spans:
        while out and out[-1][0] >= span[0] and out[-1][1] <= span[1]:
            out.pop()  # the previous span lies inside this one (same start, shorter)
        if out and span[1] <= out[-1][1]:
            continue  # this span lies inside the previous one
        out.append(span)
    return out


def _page_of(pos: int, page_starts: list[int], page_numbers: list[int]) -> int:
    i = bisect.bisect_right(page_starts, pos) - 1
    return page_numbers[max(i, 0)]


def _check_coverage(doc: str, spans: list[tuple[int, int]]) -> None:
    covered_to = 0
    for s, e in spans:
        if s > covered_to and doc[covered_to:s].strip():
            raise ChunkLocateError(f"text between offsets {covered_to} and {s} is in no chunk")
        covered_to = max(covered_to, e)
    if doc[covered_to:].strip():
        raise ChunkLocateError(f"text after offset {covered_to} is in no chunk")


def chunk_text(
    text: str,
    pages: Sequence[tuple[int, int, int]],
    *,
    budget_tokens: int,
    overlap_tokens: int,
    tokenizer: Tokenizer,
) -> list[ChunkSpan]:
    """Cut the document text into chunks of at most ``budget_tokens`` tokens of ``tokenizer``.

    ``pages``: ``(page_number, start, end)`` per page, 1-based numbers, character offsets into
    ``text`` in document order (pages joined by "\\n"); a position between pages belongs to the
    page before it. ``overlap_tokens``: up to this many tokens of whole sentences/rows at the end
    of a chunk are repeated at the start of the next.

    Returns chunks in document order; ``[]`` for text that is empty or whitespace only.
    Guarantees: ``text[c.start:c.end] == c.text``; ``c.token_count == tokenizer.count(c.text)
    <= budget_tokens``; every non-whitespace character lies in some chunk; cuts fall between
    paragraphs, sentences or table rows unless one of those alone exceeds the budget.
    Raises :class:`ChunkSizeError` for a budget < 1 or overlap outside ``[0, budget)``.
    """
    if budget_tokens < 1 or not 0 <= overlap_tokens < budget_tokens:
        raise ChunkSizeError(f"need budget >= 1 and 0 <= overlap < budget; got {budget_tokens}, {overlap_tokens}")
    if not text.strip():
        return []

    spans = _split_spans(text, 0, len(text), budget_tokens, overlap_tokens, tokenizer)
    measured: list[tuple[int, int, int]] = []
    for s, e in spans:
        n = tokenizer.count(text[s:e])
        if n <= budget_tokens:
            measured.append((s, e, n))
            continue
        # over budget by the real count: re-split this span with a smaller target until all fit
        size = budget_tokens * budget_tokens // n
        while True:
            if size < 1:
                raise ChunkSizeError(f"cannot fit text at offsets {s}..{e} into {budget_tokens} tokens")
            sub = [(a, b, tokenizer.count(text[a:b])) for a, b in _split_spans(text, s, e, size, overlap_tokens, tokenizer)]
            worst = max(c for _, _, c in sub)
            if worst <= budget_tokens:
                measured.extend(sub)
                break
            size = min(size - 1, size * budget_tokens // worst)
    # a re-split span's last piece can lie inside the next chunk (its overlap): drop contained spans
    measured = _drop_contained(sorted(measured))

    _check_coverage(text, [(s, e) for s, e, _ in measured])
    page_starts = [p[1] for p in pages]
    page_numbers = [p[0] for p in pages]
    out = []
    for seq, (s, e, n) in enumerate(measured):
        first = _page_of(s, page_starts, page_numbers) if pages else 1
        last = _page_of(e - 1, page_starts, page_numbers) if pages else 1
        out.append(ChunkSpan(seq, text[s:e], s, e, first, last, n))
    return out


def chunk_overlap_ratio(chunks: Sequence[ChunkSpan], tokenizer: Tokenizer, doc_text: str) -> float:
    """Tokens sent to the model over tokens in the document: sum of ``token_count`` of the chunks
    (overlap counted in every chunk it is in) ÷ ``tokenizer.count(doc_text)``. 1.0 means no
    repetition; the target at the default settings (1500-token chunks, 100 overlap) is <= 1.15.
    Returns 0.0 for a document with no tokens."""
    total = tokenizer.count(doc_text)
    return sum(c.token_count for c in chunks) / total if total else 0.0


def check_budget(prompt_overhead_tokens: int, chunk_tokens: int, max_output_tokens: int, context_tokens: int) -> int:
    """Check that one call fits the context window: prompt (system + instructions + schema, in
    tokens) + chunk + ``max_output_tokens`` <= ``context_tokens`` (the model's n_ctx).

    Returns the tokens left over. Raises :class:`BudgetError` when they do not fit (a call over
    the window fails with ``context_length_exceeded`` or a truncated answer).
    """
    need = prompt_overhead_tokens + chunk_tokens + max_output_tokens
    if min(prompt_overhead_tokens, chunk_tokens, max_output_tokens) < 0 or need > context_tokens:
        raise BudgetError(
            f"prompt {prompt_overhead_tokens} + chunk {chunk_tokens} + max output {max_output_tokens} "
            f"= {need} tokens > context window {context_tokens}"
        )
    return context_tokens - need
