"""The prompt's worked example cannot become a stored value.

The answers here are HAND-WRITTEN model answers, each a fixture for one wrong answer: a small model
that copies the worked example's companies, date or spans into its answer for a contract that states
something else. They go through the real instructor path (``run_structured``) and the real stage.
"""

from __future__ import annotations

import datetime as dt
import json

from pipeline.extract import extract_document
from pipeline.extraction import chunk_to_partial, drop_example_values
from pipeline.extraction.example_leak import example_texts
from pipeline.extraction.prompts import EXAMPLE_ANSWER
from pipeline.llm.base import LLMRequest, LLMResult
from pipeline.llm.structured import run_structured
from pipeline.settings import Settings
from rules.text import Sentence
from schemas import ChunkExtraction, ContractExtraction
from tests.extract_fixtures import store_text_document
from tests.test_extract_split import _completion

CONTRACT = (
    'This Services Agreement is made between Harbor Logistics LLC ("Provider") and Northwind Foods Inc. '
    '("Customer"). The initial term is three (3) years and renews automatically for one (1) year periods '
    "unless a party gives sixty (60) days notice.\n"
)

#: HAND-WRITTEN: the example's buyer listed as a party beside the contract's own two, the example's date
#: as the ISO date of a span the contract does hold, and the example's delivery duty.
HANDWRITTEN_LEAKING_ANSWER = {
    "parties": [
        {"sentence_ids": [1], "span": "Harbor Logistics LLC", "name": "Harbor Logistics LLC", "role": "Provider",
         "defined_terms": ["Provider"]},
        {"sentence_ids": [1], "span": "Example Buyer Ltd", "name": "Example Buyer Ltd", "role": "Buyer",
         "defined_terms": ["Buyer"]},
        {"sentence_ids": [1], "span": "Northwind Foods Inc.", "name": "Northwind Foods Inc.", "role": "Customer",
         "defined_terms": ["Customer"]},
    ],
    "effective_date": {"sentence_ids": [1], "span": "the date of the last signature", "iso": "2019-05-03"},
    "initial_term": {"sentence_ids": [2], "span": "three (3) years", "number": 3, "unit": "years"},
    "obligations": [{"sentence_ids": [2], "span": "within ten (10) days of each order", "obligor": "Example Seller Inc.",
                     "action": "deliver the Goods", "category": "delivery", "deadline_number": 10,
                     "deadline_unit": "days"}],
}


def _sentences() -> list[Sentence]:
    first, second = CONTRACT.split(". The ")
    return [Sentence(1, 0, len(first) + 1, first + "."), Sentence(2, len(first) + 2, len(CONTRACT), "The " + second)]


def test_example_texts_are_read_from_the_example_answer():
    texts, isos = example_texts()
    assert {"example buyer ltd", "example seller inc", "3 may 2019", "within ten (10) days of each order"} <= texts
    assert isos == frozenset({"2019-05-03"})
    assert "buyer" not in texts and "delivery" not in texts  # roles and categories are words contracts share
    assert all(t in EXAMPLE_ANSWER.lower() for t in texts)


def test_party_without_span_takes_its_name_as_span():
    partial = chunk_to_partial(ChunkExtraction.model_validate(
        {"parties": [{"sentence_ids": [1], "name": " Harbor Logistics LLC "}]}), 0)
    assert partial.parties[0].evidence.span == "Harbor Logistics LLC"


def test_copied_values_are_dropped_and_listed():
    answer = ChunkExtraction.model_validate(HANDWRITTEN_LEAKING_ANSWER)
    kept, dropped = drop_example_values(answer, _sentences())
    assert [p.name for p in kept.parties] == ["Harbor Logistics LLC", "Northwind Foods Inc."]
    assert kept.obligations == [] and kept.initial_term.number == 3
    # the copied ISO date goes, the contract's own words stay (code reads no date from them)
    assert kept.effective_date.iso is None and kept.effective_date.span == "the date of the last signature"
    assert dropped == [{"field": "parties", "value": "Example Buyer Ltd", "sentence_ids": [1]},
                       {"field": "effective_date.iso", "value": "2019-05-03", "sentence_ids": [1]},
                       {"field": "obligations", "value": "within ten (10) days of each order", "sentence_ids": [2]}]
    assert len(answer.parties) == 3 and answer.effective_date.iso == "2019-05-03"  # the model's answer is untouched


def test_example_words_the_contract_states_are_kept():
    text = "This Agreement is made on 3 May 2019 between Example Buyer Ltd and Acme Inc."
    sentences = [Sentence(1, 0, len(text), text)]
    answer = ChunkExtraction.model_validate({
        "parties": [{"sentence_ids": [1], "span": "EXAMPLE BUYER LTD", "name": "EXAMPLE BUYER LTD"}],
        "agreement_date": {"sentence_ids": [1], "span": "3 May 2019", "iso": "2019-05-03"},
        "effective_date": {"sentence_ids": [], "span": "the date first written above", "iso": "2019-05-03"},
    })
    kept, dropped = drop_example_values(answer, sentences)
    assert kept is answer and dropped == []


class HandWrittenLeakingBackend:
    provider = "handwritten"
    model_id = "handwritten-example-leak"
    model_sha256 = None

    def _create(self, **kwargs):
        return _completion(json.dumps(HANDWRITTEN_LEAKING_ANSWER), "stop", 90)

    def complete(self, request: LLMRequest) -> LLMResult:
        return run_structured(self._create, request)


def test_stage_stores_no_example_value_and_records_the_drop(engine, tmp_path):
    doc_id = store_text_document(engine, CONTRACT, "leak.txt")
    run = extract_document(engine, doc_id, HandWrittenLeakingBackend(), Settings(data_dir=tmp_path))
    x = ContractExtraction.model_validate(run.extraction)
    names = [p.name for p in x.parties]
    assert "Example Buyer Ltd" not in names and "Harbor Logistics LLC" in names
    assert x.obligations == []
    assert x.effective_date is None or x.effective_date.value != dt.date(2019, 5, 3)
    drops = run.chunk_outcomes[0]["example_values_dropped"]
    assert [d["value"] for d in drops] == ["Example Buyer Ltd", "2019-05-03", "within ten (10) days of each order"]

