"""Small LLM requests shared by the LLM tests, and the backends they run on.

``TEST_MODEL`` (the 0.5B) is the model recorded answers come from. ``recorded_backend()`` replays
tests/recordings; with CLAUSEWISE_RECORD=1 it records missing answers from the real local model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.llm.base import RECORD_ENV, LLMRequest
from pipeline.llm.replay import RecordingBackend, ReplayBackend
from pipeline.llm.registry import REGISTRY, is_installed, model_path
from pipeline.settings import Settings
from tests.conftest import unavailable

RECORDINGS = Path(__file__).resolve().parent / "recordings"
TEST_MODEL = "qwen2.5-coder-0.5b"
TEST_N_CTX = 2048


class NoticePeriod(BaseModel):
    """Tiny response model: a notice period stated in the text."""

    number: int = Field(ge=0, le=1000)
    unit: Literal["days", "business days", "months", "years"]
    quote: str = Field(max_length=80)


class Marker(BaseModel):
    """A key no model writes unconstrained: only a grammar gets ``zq_value`` out of it."""

    zq_value: Literal["kappa-7", "omega-3"]


def notice_request(max_attempts: int = 2) -> LLMRequest:
    return LLMRequest(
        messages=[
            {"role": "system", "content": "Extract the notice period from the contract text. Answer in JSON."},
            {"role": "user", "content": "<contract>\nEither party may terminate this Agreement on sixty (60) "
                                        "days' prior written notice.\n</contract>"},
        ],
        response_model=NoticePeriod,
        max_tokens=64,
        prompt_version="test-notice-v1",
        max_attempts=max_attempts,
    )


def marker_request() -> LLMRequest:
    return LLMRequest(
        messages=[{"role": "user", "content": "Say hello."}],
        response_model=Marker,
        max_tokens=24,
        prompt_version="test-marker-v1",
    )


def local_backend(timeout_s: float = 120.0):
    """The real 0.5B on llama-cpp; skips (fails under CI=true) when the model is not installed."""
    from pipeline.llm.local import LocalBackend

    cache_dir = Settings().cache_dir
    if not is_installed(TEST_MODEL, cache_dir):
        unavailable(f"{TEST_MODEL} not installed in {cache_dir}: run `clausewise model install {TEST_MODEL}`")
    return LocalBackend(model_path(TEST_MODEL, cache_dir), TEST_MODEL, REGISTRY[TEST_MODEL].sha256,
                        n_ctx=TEST_N_CTX, n_threads=Settings().n_threads, timeout_s=timeout_s)


def recorded_backend():
    """Replays tests/recordings; records what is missing when CLAUSEWISE_RECORD=1."""
    if os.environ.get(RECORD_ENV, "").lower() in {"1", "true", "yes"}:
        return RecordingBackend(local_backend(), RECORDINGS)
    return ReplayBackend(RECORDINGS, TEST_MODEL, REGISTRY[TEST_MODEL].sha256)
