"""Greedy constrained sampling that checks the model's first choice first: same answers, far fewer full
grammar passes, and llama.cpp's repeat penalty reproduced exactly."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.llm.sampling import PenaltyWindow
from tests.llm_cases import local_backend, marker_request


def test_penalty_window_divides_positive_and_multiplies_negative_logits_of_recent_tokens():
    w = PenaltyWindow(1.5, last_n=3)
    logits = np.array([3.0, -2.0, 0.0, 1.5, 9.0], dtype=np.float32)
    assert w.apply(logits) is logits  # nothing generated yet: nothing changes
    for t in (0, 1, 1):
        w.add(t)
    out = w.apply(logits)
    assert out.dtype == np.float32
    assert out.tolist() == [2.0, -3.0, 0.0, 1.5, 9.0]  # 3/1.5, -2*1.5; tokens 2-4 not in the window
    assert logits.tolist() == [3.0, -2.0, 0.0, 1.5, 9.0]  # the model's logits are left as they were
    w.add(3)  # the window holds 3 tokens: token 0 leaves it, token 1 is still there once
    assert w.tokens() == {1, 3}
    assert w.apply(logits).tolist() == [3.0, -3.0, 0.0, 1.0, 9.0]
    assert PenaltyWindow(1.0).apply(logits) is logits
    zero = PenaltyWindow(1.5, last_n=0)
    zero.add(0)
    assert zero.apply(logits) is logits


def test_float32_arithmetic_as_llama_cpp():
    w = PenaltyWindow(1.1, last_n=64)
    w.add(0)
    got = w.apply(np.array([0.7], dtype=np.float32))[0]
    assert got == np.float32(0.7) / np.float32(1.1) and got != np.float64(0.7) / 1.1


@pytest.mark.slow
def test_checking_the_first_choice_gives_the_answer_of_the_full_grammar_chain():
    """The 0.5B on the production prompt and schema for a real contract paragraph: the same answer, token for
    token, with the grammar applied to the whole vocabulary only where the model's choice was not allowed."""
    from pipeline.extraction import build_messages, model_sentences
    from pipeline.llm import LLMRequest
    from schemas import ChunkExtraction

    text = ("This Services Agreement is made on 1 March 2021 between Northwind Traders LLC, a Delaware limited "
            "liability company (\"Provider\"), and Contoso Ltd (\"Client\"). The initial term is two (2) years. "
            "Either party may terminate this Agreement on sixty (60) days' prior written notice. This Agreement "
            "is governed by the laws of the State of New York.")
    request = LLMRequest(messages=build_messages(model_sentences(text, 0)[0], [1]), response_model=ChunkExtraction,
                         max_tokens=400, prompt_version="test-sampling-v1", max_attempts=1)
    backend = local_backend(timeout_s=600.0)
    llama = backend.llama
    llama.sampler_class = None  # the library's sampler chain: the grammar over the whole vocabulary
    try:
        full = backend.complete(request)
    finally:
        llama.sampler_class = type(llama).sampler_class
    fast = backend.complete(request)
    stats = llama.last_sampler_stats
    assert fast.raw_text == full.raw_text and fast.output_tokens == full.output_tokens
    assert stats.tokens == fast.output_tokens + 1  # the end-of-generation token is sampled, not counted
    assert 0 <= stats.fallbacks < stats.tokens / 2  # most steps need one check, not a vocabulary pass
    assert fast.parsed.model_dump() == full.parsed.model_dump()


@pytest.mark.slow
def test_the_first_choice_check_still_forces_what_only_the_grammar_allows():
    """A key no model writes unprompted: every token of it comes from a full-vocabulary fallback."""
    backend = local_backend()
    result = backend.complete(marker_request())
    assert result.parsed.zq_value in ("kappa-7", "omega-3")
    assert backend.llama.last_sampler_stats.fallbacks >= 1
