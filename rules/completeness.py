"""Completeness: text the model never read (failed chunks, unreadable pages) or text dropped as hidden.

Sources: issue 5 item 2 (completeness); failcases F07 (no text layer), F12 (hidden text dropped → warn),
F13/F29 (timeouts, truncated output).
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.registry import Hit, rule
from schemas import ContractExtraction, SourceDocument

UNREAD_QUALITIES = ("no_text_layer", "gibberish")


def _pages(nums: list[int]) -> str:
    return ", ".join(str(n) for n in sorted(set(nums))) or "unknown"


@rule(
    "K001",
    title="Chunk not (fully) read by the model",
    severity="error",
    fields=("document",),
    source="issue 5 (completeness): failed chunk, retries exhausted, output truncated; failcases F13, F29",
)
def chunk_failed(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for f in sorted(x.chunk_failures, key=lambda f: f.chunk_seq):
        yield Hit("document", f"chunk {f.chunk_seq} ({f.kind}) on pages {_pages(f.pages)} was not read: {f.reason}",
                  details={"chunk_seq": f.chunk_seq, "pages": sorted(set(f.pages)), "kind": f.kind})


@rule(
    "K002",
    title="Page not read (no text layer or gibberish)",
    severity="error",
    fields=("document",),
    source="issue 5 (completeness); failcase F07 (scan without text layer)",
)
def page_unread(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    bad = [p for p in doc.pages if p.quality in UNREAD_QUALITIES]
    if bad:
        kinds = sorted({p.quality for p in bad})
        yield Hit("document", f"pages {_pages([p.number for p in bad])} not read ({', '.join(kinds)})",
                  details={"pages": [p.number for p in bad]})


@rule(
    "K003",
    title="Hidden text dropped from pages",
    severity="warning",
    fields=("document",),
    source="issue 5 (completeness); failcase F12 (hidden clauses dropped, reviewer warned)",
)
def hidden_text(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    pages = [p for p in doc.pages if p.hidden_text]
    if pages:
        mechanisms = sorted({h.mechanism for p in pages for h in p.hidden_text})
        yield Hit("document", f"hidden text dropped from pages {_pages([p.number for p in pages])} "
                              f"({', '.join(mechanisms)}); it was not given to the model",
                  details={"pages": [p.number for p in pages], "mechanisms": mechanisms})
