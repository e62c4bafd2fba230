"""The prompt's worked example cannot become a stored value, and the compact answer form.

The answers here are HAND-WRITTEN model answers, each a fixture for one wrong answer: a small model
that copies the worked example's companies or spans into its answer for a contract that states
something else. They go through the real instructor path (``run_structured``) and the real stage.
"""

from __future__ import annotations

import json

from pipeline.extract import extract_document
from pipeline.extraction import chunk_to_partial, drop_example_values
from pipeline.extraction.example_leak import example_texts
from pipeline.extraction.prompts import EXAMPLE_ANSWER, EXAMPLE_SENTENCES
from pipeline.llm.base import LLMRequest, LLMResult
from pipeline.llm.structured import run_structured
from pipeline.settings import Settings
from rules.text import Sentence
from schemas import ChunkExtraction, ChunkParty, ContractExtraction
from tests.extract_fixtures import store_text_document
from tests.test_extract_split import _completion

CONTRACT = (
    'This Services Agreement is made between Harbor Logistics LLC ("Provider") and Northwind Foods Inc. '
    '("Customer"). The initial term is three (3) years and renews automatically for one (1) year periods '
    "unless a party gives sixty (60) days notice.\n"
)

#: HAND-WRITTEN: the example's buyer listed as a party beside the contract's own two, and the
#: example's renewal notice span (90 days) where the contract states sixty (60) days.
HANDWRITTEN_LEAKING_ANSWER = {
    "parties": [
        {"sentence_ids": [1], "name": "Harbor Logistics LLC", "role": "Provider", "defined_terms": ["Provider"]},
        {"sentence_ids": [1], "name": "Example Buyer Ltd", "role": "Buyer", "defined_terms": ["Buyer"]},
        {"sentence_ids": [1], "name": "Northwind Foods Inc.", "role": "Customer", "defined_terms": ["Customer"]},
    ],
    "initial_term": {"sentence_ids": [2], "span": "three (3) years", "number": 3, "unit": "years"},
    "renewal_term": {"sentence_ids": [2], "span": "one (1) year", "number": 1, "unit": "years"},
    "renewal_notice": {"sentence_ids": [2], "span": "ninety (90) days", "number": 90, "unit": "days"},
}


def _sentences() -> list[Sentence]:
    first, second = CONTRACT.split(". The ")
    return [Sentence(1, 0, len(first) + 1, first + "."), Sentence(2, len(first) + 2, len(CONTRACT), "The " + second)]


def test_example_holds_no_date_or_amount_a_contract_could_hold():
    answer = json.loads(EXAMPLE_ANSWER)
    keys = {k for v in answer.values() for item in (v if isinstance(v, list) else [v]) for k in item}
    assert not keys & {"iso", "due_iso", "deadline_iso", "amount", "fee_amount"}
    assert "2019" not in EXAMPLE_SENTENCES and "$" not in EXAMPLE_SENTENCES
    assert example_texts()[1] == frozenset()


def test_example_answer_is_the_compact_form_it_teaches():
    answer = json.loads(EXAMPLE_ANSWER)
    assert "null" not in EXAMPLE_ANSWER and "[]" not in EXAMPLE_ANSWER  # absent keys are left out
    assert all("span" not in p for p in answer["parties"])  # a party's span would repeat its name
    parsed = ChunkExtraction.model_validate(answer)
    assert [p.name for p in parsed.parties] == ["Example Buyer Ltd", "Example Seller Inc."]
    assert parsed.renewal_notice.number == 90 and parsed.effective_date.iso is None


def test_party_span_is_optional_in_the_grammar_and_filled_from_the_name():
    schema = ChunkParty.model_json_schema()
    assert schema["required"][:2] == ["sentence_ids", "name"] and "span" not in schema["required"]
    assert ChunkExtraction.model_json_schema()["$defs"]["ChunkDate"]["required"][:2] == ["sentence_ids", "span"]
    partial = chunk_to_partial(ChunkExtraction.model_validate(
        {"parties": [{"sentence_ids": [1], "name": " Harbor Logistics LLC "}]}), 0)
    assert partial.parties[0].evidence.span == "Harbor Logistics LLC"


def test_copied_values_are_dropped_and_listed():
    answer = ChunkExtraction.model_validate(HANDWRITTEN_LEAKING_ANSWER)
    kept, dropped = drop_example_values(answer, _sentences())
    assert [p.name for p in kept.parties] == ["Harbor Logistics LLC", "Northwind Foods Inc."]
    assert kept.renewal_notice is None and kept.renewal_term.number == 1 and kept.initial_term.number == 3
    assert dropped == [{"field": "parties", "value": "Example Buyer Ltd", "sentence_ids": [1]},
                       {"field": "renewal_notice", "value": "ninety (90) days", "sentence_ids": [2]}]
    assert len(answer.parties) == 3 and answer.renewal_notice is not None  # the model's answer is untouched


def test_example_words_the_contract_states_are_kept():
    text = "Either party may end renewal by giving ninety (90) days notice to Example Buyer Ltd."
    sentences = [Sentence(1, 0, len(text), text)]
    answer = ChunkExtraction.model_validate({
        "parties": [{"sentence_ids": [1], "name": "EXAMPLE BUYER LTD"}],
        "renewal_notice": {"sentence_ids": [], "span": "ninety (90) days", "number": 90, "unit": "days"},
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
    assert x.renewal_notice is None or x.renewal_notice.value.value == 60  # a reader may fill it from the text
    drops = run.chunk_outcomes[0]["example_values_dropped"]
    assert [d["value"] for d in drops] == ["Example Buyer Ltd", "ninety (90) days"]


def _grammar_order(schema: dict, defs: dict) -> list[str]:
    """Key order llama.cpp's JSON-schema grammar allows: required keys, then the optional ones, each in
    the order of ``properties``."""
    props = list(schema["properties"])
    required = schema.get("required", [])
    return [k for k in props if k in required] + [k for k in props if k not in required]


def _check_order(value, schema: dict, defs: dict) -> None:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    for alt in schema.get("anyOf", []):
        if alt.get("type") != "null":
            return _check_order(value, alt, defs)
    if isinstance(value, list):
        for item in value:
            _check_order(item, schema["items"], defs)
    elif isinstance(value, dict):
        order = _grammar_order(schema, defs)
        assert list(value) == [k for k in order if k in value], (list(value), order)
        for k, v in value.items():
            _check_order(v, schema["properties"][k], defs)


def test_example_answer_keys_come_in_the_grammar_order():
    schema = ChunkExtraction.model_json_schema()
    _check_order(json.loads(EXAMPLE_ANSWER), schema, schema["$defs"])
