"""F30: a faithful but inconsistent answer (term ends before it starts) is kept as written.

The answer is HAND-WRITTEN (the recorded 0.5B answer does not state the term dates; see
test_extract_replay.py) and goes through the real instructor path, so the schema validators,
the re-ask policy and the merge are the project's own.
"""

from __future__ import annotations

import datetime as dt
import json

from pipeline.extract import extract_document
from pipeline.llm.base import LLMRequest, LLMResult
from pipeline.llm.structured import run_structured
from pipeline.settings import Settings
from schemas import ContractExtraction
from tests.conftest import require_shared
from tests.extract_fixtures import store_text_document
from tests.test_extract_split import _completion

HANDWRITTEN_F30_ANSWER = {
    "parties": [],
    "effective_date": {"sentence_ids": [2], "span": "March 1, 2022", "iso": "2022-03-01"},
    "expiration_date": {"sentence_ids": [2], "span": "February 28, 2021", "iso": "2021-02-28"},
    "fees": [{"sentence_ids": [3], "span": "USD 3,150 per month", "amount": 3150, "currency": "USD",
              "period": "monthly"}],
}


class HandWrittenF30Backend:
    provider = "handwritten"
    model_id = "handwritten-f30"
    model_sha256 = None

    def __init__(self):
        self.calls = 0

    def _create(self, **kwargs):
        self.calls += 1
        return _completion(json.dumps(HANDWRITTEN_F30_ANSWER), "stop", 60)

    def complete(self, request: LLMRequest) -> LLMResult:
        return run_structured(self._create, request)


def test_f30_end_before_start_kept_in_one_attempt(engine, tmp_path):
    text = require_shared("failcases", "F30", "contract.txt").read_text()
    doc_id = store_text_document(engine, text, "F30.txt")
    backend = HandWrittenF30Backend()
    run = extract_document(engine, doc_id, backend, Settings(data_dir=tmp_path))
    x = ContractExtraction.model_validate(run.extraction)
    assert backend.calls == 1 and run.chunk_outcomes[0]["attempts"] == 1  # no re-ask: the shape is valid
    assert x.effective_date.value == x.effective_date.parsed == dt.date(2022, 3, 1)
    assert x.expiration_date.value == x.expiration_date.parsed == dt.date(2021, 2, 28)
    assert x.expiration_date.computed is False
    assert x.expiration_date.evidence.match == "exact"
    assert text[x.expiration_date.evidence.value_start:x.expiration_date.evidence.value_end] == "February 28, 2021"
    assert run.status == "complete"
