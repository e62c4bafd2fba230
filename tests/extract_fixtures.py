"""Helpers for the extraction tests: store a text document (pages, chunks) without the PDF reader."""

from __future__ import annotations

import hashlib

from pipeline.reading.chunking import chunk_text
from pipeline.store.engine import transaction
from pipeline.store.tables import Chunk, Document, Page
from pipeline.reading.tokens import DefaultTokenizer


def store_text_document(engine, text: str, file_name: str = "contract.txt", *, pages: list[str] | None = None,
                        chunk_tokens: int = 1500, overlap_tokens: int = 100) -> str:
    """Store ``text`` (or ``pages`` joined by "\\n") as an ``ingested`` document with one Page row per
    page and chunks from :func:`pipeline.reading.chunking.chunk_text` (default tokenizer); returns its id."""
    parts = pages if pages is not None else [text]
    text = "\n".join(parts)
    spans, pos = [], 0
    for i, p in enumerate(parts, start=1):
        spans.append((i, pos, pos + len(p)))
        pos += len(p) + 1
    chunks = chunk_text(text, spans, budget_tokens=chunk_tokens, overlap_tokens=overlap_tokens,
                        tokenizer=DefaultTokenizer())
    doc_id = hashlib.sha256(text.encode()).hexdigest()
    with transaction(engine) as s:
        s.add(Document(id=doc_id, file_name=file_name, source_path=file_name, media_type="text/plain",
                       size_bytes=len(text.encode()), page_count=len(parts), status="ingested", text=text))
        s.flush()
        for n, a, b in spans:
            s.add(Page(document_id=doc_id, number=n, text=text[a:b], start=a, end=b))
        for c in chunks:
            s.add(Chunk(document_id=doc_id, seq=c.seq, text=c.text, token_count=c.token_count, tokenizer="default",
                        start=c.start, end=c.end, page_start=c.page_start, page_end=c.page_end))
    return doc_id
