"""The openai backend over real HTTP: llama-cpp-python's OpenAI-compatible server on 127.0.0.1 serving the 0.5B."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest

from pipeline.llm.base import BackendUnavailable, make_backend
from pipeline.llm.openai import OpenAIBackend
from pipeline.llm.registry import model_path
from pipeline.settings import Settings
from tests.llm_cases import TEST_MODEL, NoticePeriod, local_backend, marker_request, notice_request

SECRET = "sk-test-never-shown-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    """Base URL of `python -m llama_cpp.server` with the 0.5B; killed at the end."""
    local_backend()  # skips (fails under CI) when the model is not installed
    port = _free_port()
    log = open(f"/tmp/llama-server-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path(TEST_MODEL, Settings().cache_dir)),
         "--model_alias", TEST_MODEL, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--n_threads", str(Settings().n_threads)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer within 90 s; see {log.name}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.slow
def test_openai_backend_over_http_gives_a_constrained_valid_answer(llama_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    backend = make_backend(Settings(backend="openai", openai_base_url=llama_server, model=TEST_MODEL))
    assert isinstance(backend, OpenAIBackend)
    assert backend.schema_format() == "json_object"  # llama-cpp-python server detected
    result = backend.complete(notice_request())
    assert isinstance(result.parsed, NoticePeriod) and result.parsed.number == 60
    assert result.finish_reason == "stop" and result.input_tokens > 0 and result.output_tokens > 0
    marker = backend.complete(marker_request())  # a key only the schema can produce
    assert set(json.loads(marker.raw_text)) == {"zq_value"}
    # The key never reaches results, attempts or the backend's repr.
    assert SECRET not in json.dumps(result.to_dict()) + json.dumps(marker.to_dict()) + repr(backend)


def test_unreachable_server_is_backend_unavailable():
    backend = OpenAIBackend(f"http://127.0.0.1:{_free_port()}/v1", "m", api_key=SECRET, timeout_s=5,
                            schema_format="json_schema")
    with pytest.raises(BackendUnavailable) as info:
        backend.complete(notice_request())
    assert SECRET not in str(info.value)
    assert len(info.value.attempts) == 1
