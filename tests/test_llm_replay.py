"""Replay and recording of LLM answers, and the instructor path they share with live calls (no model needed)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from pipeline.llm.base import LLMRequest, ReplayMiss, TruncatedOutput, ValidationFailed, make_backend
from pipeline.llm.replay import RecordingBackend, ReplayBackend, canonical_request, request_key, write_recording
from pipeline.llm.registry import REGISTRY
from pipeline.settings import Settings
from tests.conftest import require_shared
from tests.llm_cases import RECORDINGS, TEST_MODEL, NoticePeriod, notice_request, recorded_backend

SHA = REGISTRY[TEST_MODEL].sha256


def test_recorded_answer_replays_byte_identically():
    """The committed recording (made from the real 0.5B, see test_llm_local) replays to the same result."""
    request = notice_request()
    result = recorded_backend().complete(request)
    assert result.parsed == NoticePeriod(number=60, unit="days", quote="written notice")
    stored = json.loads((RECORDINGS / f"{request_key(request, TEST_MODEL, SHA)}.json").read_text())
    assert stored["outcome"] == "ok"
    assert json.dumps(result.to_dict(), sort_keys=True) == json.dumps(stored["result"], sort_keys=True)
    assert len(result.attempts) == 1 and result.attempts[0].messages == request.messages


def test_replay_miss_names_key_and_record_command(tmp_path):
    request = notice_request()
    backend = ReplayBackend(tmp_path, TEST_MODEL, SHA)
    with pytest.raises(ReplayMiss) as info:
        backend.complete(request)
    key = request_key(request, TEST_MODEL, SHA)
    assert info.value.key == key
    assert key in str(info.value) and "CLAUSEWISE_RECORD=1" in str(info.value)


def test_key_covers_model_schema_and_sampling_but_no_paths():
    base = notice_request()
    k = request_key(base, TEST_MODEL, SHA)
    assert request_key(base, TEST_MODEL, "0" * 64) != k  # model file
    assert request_key(base, "other-model", SHA) != k
    for change in ({"max_tokens": 65}, {"temperature": 0.5}, {"seed": 1}, {"prompt_version": "v2"},
                   {"messages": base.messages[:1]}):
        assert request_key(LLMRequest(**{**base.__dict__, **change}), TEST_MODEL, SHA) != k, change

    class Other(BaseModel):
        number: int

    assert request_key(LLMRequest(**{**base.__dict__, "response_model": Other}), TEST_MODEL, SHA) != k
    assert "/" not in json.dumps(canonical_request(base, TEST_MODEL, SHA)["model_id"])


def test_f29_truncated_answer_raises_truncated_output_without_reask(tmp_path):
    """F29: a hand-written recording built from failcases/F29/llm_response_truncated.json (finish_reason
    length, cut JSON): the backend raises TruncatedOutput after ONE attempt, never a JSON error or a re-ask."""
    cut = json.loads(require_shared("failcases", "F29", "llm_response_truncated.json").read_text())

    class Obligations(BaseModel):
        obligations: list[dict]

    request = LLMRequest(messages=[{"role": "user", "content": "List every obligation."}],
                         response_model=Obligations, max_tokens=256, prompt_version="f29", max_attempts=2)
    write_recording(tmp_path, request, TEST_MODEL, SHA, [{
        "raw_text": cut["content"], "finish_reason": cut["finish_reason"], "input_tokens": 900,
        "output_tokens": cut["usage"]["completion_tokens"], "latency_ms": 1.0}],
        outcome="TruncatedOutput", note="hand-written from ../shared/failcases/F29")
    with pytest.raises(TruncatedOutput) as info:
        ReplayBackend(tmp_path, TEST_MODEL, SHA).complete(request)
    exc = info.value
    assert exc.output_tokens == 256 and exc.raw_text == cut["content"]
    assert len(exc.attempts) == 1 and exc.attempts[0].finish_reason == "length"
    assert not isinstance(exc, ValidationFailed)


def _two_answers(tmp_path, first: str, second: str):
    request = notice_request(max_attempts=2)
    write_recording(tmp_path, request, TEST_MODEL, SHA, [
        {"raw_text": t, "finish_reason": "stop", "input_tokens": 50, "output_tokens": 10, "latency_ms": 2.5}
        for t in (first, second)], note="hand-written: invalid first answer")
    return request, ReplayBackend(tmp_path, TEST_MODEL, SHA)


def test_validation_error_is_reasked_with_the_error_and_every_attempt_recorded(tmp_path):
    request, backend = _two_answers(
        tmp_path, '{"number": 60, "unit": "weeks", "quote": "sixty (60) days"}',
        '{"number": 60, "unit": "days", "quote": "sixty (60) days"}')
    result = backend.complete(request)
    assert result.parsed == NoticePeriod(number=60, unit="days", quote="sixty (60) days")
    first, second = result.attempts
    assert "unit" in first.error and second.error is None
    # The re-ask carries the first answer and its validation error.
    assert second.messages[:2] == request.messages
    assert second.messages[2] == {"role": "assistant", "content": first.raw_text}
    assert "weeks" in second.messages[3]["content"] and second.messages[3]["role"] == "user"
    assert (result.input_tokens, result.output_tokens, result.latency_ms) == (100, 20, 5.0)


def test_attempts_exhausted_raises_validation_failed_with_attempts(tmp_path):
    request, backend = _two_answers(tmp_path, '{"number": -1, "unit": "days", "quote": "x"}', '{"number": 60}')
    with pytest.raises(ValidationFailed) as info:
        backend.complete(request)
    assert [a.number for a in info.value.attempts] == [1, 2]
    assert all(a.error for a in info.value.attempts)
    assert "unit" in info.value.last_error and "quote" in info.value.last_error


def test_recording_backend_writes_a_file_that_replays_identically(tmp_path):
    request = notice_request()
    recorder = RecordingBackend(recorded_backend(), tmp_path)
    recorded = recorder.complete(request)
    files = list(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == [request_key(request, TEST_MODEL, SHA)]
    replayed = ReplayBackend(tmp_path, TEST_MODEL, SHA).complete(request)
    assert json.dumps(replayed.to_dict()) == json.dumps(recorded.to_dict())


def test_a_recorder_is_the_backend_it_records(tmp_path):
    """Runs made through a recorder are stored as runs of the backend whose answers it records, with its
    latencies, so an evaluation recorded from the local model is scored as the local model, not as replay."""

    class LocalAnswers:
        provider, model_id, model_sha256 = "local", TEST_MODEL, SHA

        def complete(self, request):
            return recorded_backend().complete(request)

    recorder = RecordingBackend(LocalAnswers(), tmp_path)
    recorder.complete(notice_request())
    assert recorder.provider == "local"
    assert ReplayBackend(tmp_path, TEST_MODEL, SHA).provider == "replay"


def test_make_backend_replay_needs_no_model_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CLAUSEWISE_RECORD", raising=False)
    s = Settings(backend="replay", model=TEST_MODEL, cache_dir=tmp_path, replay_dir=RECORDINGS)
    backend = make_backend(s)
    assert (backend.provider, backend.model_id, backend.model_sha256) == ("replay", TEST_MODEL, SHA)
    assert backend.complete(notice_request()).parsed.number == 60


def test_a_miss_names_the_sub_folders_holding_recordings_and_that_recording_runs_the_local_model(tmp_path):
    """Recordings are kept per set in sub-folders: a miss in their parent folder lists those that hold
    recordings (not the empty ones), says how to choose one, and that recording runs the real local model."""
    for name in ("samples", "extract"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "k.json").write_text("{}", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    backend = ReplayBackend(tmp_path, TEST_MODEL, None)
    with pytest.raises(ReplayMiss) as info:
        backend.complete(notice_request())
    text = str(info.value)
    assert (f"in {tmp_path}; recordings are kept per set in sub-folders: {tmp_path / 'extract'}, "
            f"{tmp_path / 'samples'} (choose one with CLAUSEWISE_REPLAY_DIR); record it with: "
            "CLAUSEWISE_RECORD=1 <the same command> (recording runs the real local model)") in text
    assert "make test" not in text and "empty" not in text
