"""F29: output cut off at the token limit is detected, the chunk is split, nothing partial is stored as complete.

The model here is a HAND-WRITTEN stand-in (``HandWrittenTruncatingBackend``), not a recording: it
answers through the real instructor path (:func:`pipeline.llm.structured.run_structured`), so the
truncation detection is the project's own. Its answers: when asked about more than
``capacity`` obligation sentences it returns a JSON text cut off after ``capacity`` obligations with
finish reason ``length`` (the shape of ../shared/failcases/F29/llm_response_truncated.json);
otherwise one obligation per sentence.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import audit
from pipeline.store.engine import transaction
from pipeline.extract import extract_document
from pipeline.llm.base import LLMRequest, LLMResult
from pipeline.llm.structured import run_structured
from pipeline.store.tables import Document, ExtractionRun
from pipeline.settings import Settings
from schemas import ContractExtraction
from tests.conftest import require_shared
from tests.extract_fixtures import store_text_document

LINE = re.compile(r"^\[(\d+)\] (\d+)\.1 Vendor shall deliver monthly report (R-\d+) to Company", re.M)


def _completion(text: str, finish: str, n_out: int):
    msg = SimpleNamespace(content=text, role="assistant", tool_calls=None, refusal=None)
    return SimpleNamespace(
        choices=[SimpleNamespace(message=msg, finish_reason=finish, index=0)],
        usage=SimpleNamespace(prompt_tokens=100, completion_tokens=n_out, total_tokens=100 + n_out),
        id="handwritten", model="handwritten",
    )


class HandWrittenTruncatingBackend:
    """Hand-written answers (see module doc); records every request it got."""

    provider = "handwritten"
    model_id = "handwritten-truncating"
    model_sha256 = None

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.requests: list[list[dict]] = []

    def _create(self, **kwargs):
        messages = kwargs["messages"]
        self.requests.append(messages)
        lines = LINE.findall(messages[-1]["content"])
        items = [{"sentence_ids": [int(sid)], "span": f"report {rid}", "obligor": "Vendor", "obligee": "Company",
                  "action": f"deliver monthly report {rid}", "category": "reporting"} for sid, _n, rid in lines]
        if len(items) > self.capacity:
            full = json.dumps({"obligations": items})
            cut = full[: full.index(json.dumps(items[self.capacity]))]  # cut inside the list
            return _completion(cut + '{"sentence_ids": [', "length", 256)
        return _completion(json.dumps({"parties": [], "obligations": items}), "stop", 30 * len(items))

    def complete(self, request: LLMRequest) -> LLMResult:
        return run_structured(self._create, request)


def _ingest(engine, tmp_path, path):
    settings = Settings(data_dir=tmp_path)
    doc_id = store_text_document(engine, path.read_text(), path.name, chunk_tokens=4000, overlap_tokens=0)
    return doc_id, settings


def test_f29_truncated_answer_splits_the_chunk_until_every_obligation_is_read(engine, tmp_path):
    path = require_shared("failcases", "F29", "contract.txt")
    doc_id, settings = _ingest(engine, tmp_path, path)
    backend = HandWrittenTruncatingBackend(capacity=8)
    run = extract_document(engine, doc_id, backend, settings)

    x = ContractExtraction.model_validate(run.extraction)
    assert run.status == "complete"
    reports = sorted(int(o.action.rsplit("R-", 1)[1]) for o in x.obligations)
    assert reports == list(range(1, 61))  # all 60, each once
    assert x.chunk_failures == []
    outcome = run.chunk_outcomes[0]
    assert outcome["status"] == "ok" and outcome["parts"] >= 8 and outcome["calls"] > outcome["parts"]
    # never re-asked with the cut JSON appended: every request is system + example + one chunk text
    for msgs in backend.requests:
        assert len(msgs) == 4 and all(m["role"] != "assistant" or m is msgs[2] for m in msgs)
        assert '"obligations": [{"sentence_ids"' not in msgs[-1]["content"]
    # each split part got fewer sentences than its parent
    sizes = [len(LINE.findall(m[-1]["content"])) for m in backend.requests]
    assert sizes[0] == 60 and 29 <= max(sizes[1:]) <= 31 and min(sizes) <= 8


def test_f29_when_splitting_cannot_help_the_chunk_fails_and_no_partial_list_is_stored(engine, tmp_path):
    path = require_shared("failcases", "F29", "contract.txt")
    doc_id, settings = _ingest(engine, tmp_path, path)
    backend = HandWrittenTruncatingBackend(capacity=0)  # every answer is cut off
    run = extract_document(engine, doc_id, backend, settings)

    assert run.status == "failed"
    x = ContractExtraction.model_validate(run.extraction)
    assert x.obligations == []
    assert [f.kind for f in x.chunk_failures] == ["truncated"]
    assert "finish_reason=length" in x.chunk_failures[0].reason or "token limit" in x.chunk_failures[0].reason
    with transaction(engine) as s:
        doc = s.get(Document, doc_id)
        assert (doc.status, doc.status_reason) == ("failed", "extraction_failed")
        runs = list(s.scalars(select(ExtractionRun).where(ExtractionRun.document_id == doc_id)))
        assert [r.status for r in runs] == ["failed"]


@pytest.mark.parametrize("capacity", [8])
def test_f29_every_attempt_is_audited(engine, tmp_path, capacity):
    path = require_shared("failcases", "F29", "contract.txt")
    doc_id, settings = _ingest(engine, tmp_path, path)
    backend = HandWrittenTruncatingBackend(capacity=capacity)
    run = extract_document(engine, doc_id, backend, settings)
    rows = audit.query(engine, run=run.id, resolve_blobs=True)
    types = [r.type for r in rows]
    assert types.count("llm.request") == len(backend.requests)
    assert types.count("llm.response") == len(backend.requests)
    first = next(r for r in rows if r.type == "llm.request")
    assert first.payload["gen_ai.input.messages"] == backend.requests[0]
    errors = [r.payload for r in rows if r.type == "llm.error"]
    assert errors and all(e["error.type"] == "TruncatedOutput" and e["clausewise.action"] == "split" for e in errors)
    assert types[-1] == "document.extracted"
