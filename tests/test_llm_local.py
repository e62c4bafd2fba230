"""The local backend on the real Qwen2.5-Coder-0.5B (slow) and the schema checks in front of it (fast)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from pydantic import BaseModel, Field

from pipeline.llm.base import LLMRequest, LLMTimeout, SchemaNotSupported, TruncatedOutput
from pipeline.llm.grammar import check_schema, grammar_for_schema
from pipeline.llm.replay import request_key
from tests.llm_cases import (
    RECORDINGS,
    TEST_MODEL,
    Marker,
    NoticePeriod,
    local_backend,
    marker_request,
    notice_request,
)
from pipeline.llm.registry import REGISTRY


class Digits(BaseModel):
    code: str = Field(pattern=r"^\d{3}$")


class Bracketed(BaseModel):
    code: str = Field(pattern=r"^[0-9]{3}$")


def test_regex_shorthand_in_schema_is_refused_up_front():
    with pytest.raises(SchemaNotSupported, match=r"\[0-9\]"):
        check_schema(Digits.model_json_schema())
    with pytest.raises(SchemaNotSupported):
        grammar_for_schema(Digits.model_json_schema())
    assert "[0-9]" in grammar_for_schema(Bracketed.model_json_schema())._grammar


def test_enum_value_with_a_quote_is_refused():
    from typing import Literal

    class Quoted(BaseModel):
        kind: Literal['say "yes"', "no"]

    with pytest.raises(SchemaNotSupported, match="quote or backslash"):
        grammar_for_schema(Quoted.model_json_schema())


@pytest.mark.slow
def test_digit_pattern_raises_schema_not_supported_instead_of_crashing():
    """Run in a child process: if the check ever regresses, llama.cpp segfaults the child, not pytest."""
    code = textwrap.dedent("""
        from pydantic import BaseModel, Field
        from pipeline.llm.base import LLMRequest, SchemaNotSupported
        from tests.llm_cases import local_backend
        class Digits(BaseModel):
            code: str = Field(pattern=r"^\\d{3}$")
        b = local_backend()
        try:
            b.complete(LLMRequest(messages=[{"role": "user", "content": "Give a code."}],
                                  response_model=Digits, max_tokens=16, prompt_version="t"))
        except SchemaNotSupported as exc:
            print("SchemaNotSupported:", exc)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "SchemaNotSupported:" in proc.stdout and "[0-9]" in proc.stdout


@pytest.mark.slow
def test_output_is_really_constrained_by_the_schema():
    """'Say hello.' with a schema whose only key is zq_value and whose values are made up: only a
    grammar makes a 0.5B model answer exactly that object."""
    result = local_backend().complete(marker_request())
    assert isinstance(result.parsed, Marker)
    assert set(json.loads(result.raw_text)) == {"zq_value"}
    assert result.finish_reason == "stop" and len(result.attempts) == 1
    assert result.input_tokens > 0 and result.output_tokens > 0


@pytest.mark.slow
def test_live_answer_matches_the_committed_recording():
    """The real model gives byte for byte the raw text recorded in tests/recordings (greedy, same model file)."""
    request = notice_request()
    live = local_backend().complete(request)
    stored = json.loads((RECORDINGS / f"{request_key(request, TEST_MODEL, REGISTRY[TEST_MODEL].sha256)}.json")
                        .read_text())
    assert live.raw_text == stored["responses"][0]["raw_text"]
    assert live.parsed == NoticePeriod.model_validate(stored["result"]["parsed"])
    assert (live.input_tokens, live.output_tokens) == (stored["result"]["input_tokens"],
                                                       stored["result"]["output_tokens"])


@pytest.mark.slow
def test_token_limit_raises_truncated_output_after_one_attempt():
    request = LLMRequest(**{**notice_request(max_attempts=2).__dict__, "max_tokens": 6})
    with pytest.raises(TruncatedOutput) as info:
        local_backend().complete(request)
    assert info.value.output_tokens == 6 and len(info.value.attempts) == 1
    assert info.value.raw_text.startswith("{") and info.value.attempts[0].finish_reason == "length"


@pytest.mark.slow
def test_deadline_stops_generation_with_llm_timeout():
    with pytest.raises(LLMTimeout):
        local_backend(timeout_s=0.0).complete(notice_request())


@pytest.mark.slow
def test_prompt_longer_than_the_context_is_context_overflow():
    from pipeline.llm.base import ContextOverflow

    long = LLMRequest(messages=[{"role": "user", "content": "notice " * 2500}], response_model=NoticePeriod,
                      max_tokens=16, prompt_version="t")
    with pytest.raises(ContextOverflow, match="context window"):
        local_backend().complete(long)
