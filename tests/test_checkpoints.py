"""Every model answer is stored as soon as it arrives: a killed extraction resumes without asking again for an
answer it already has, and extracting the same text again with the same model and prompt makes no call unless
asked to (``--no-cache``).

Real parts: a real OpenAI-compatible HTTP server on 127.0.0.1 (stdlib ``http.server`` in a thread; it answers an
empty extraction after a fixed latency and keeps every request it got), real ``clausewise ingest`` processes over
a real SQLite file, one of them killed with SIGKILL while it waits for the model. The in-process tests use the
HAND-WRITTEN backend of the second-pass tests, counting its calls.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import audit
from pipeline.extract import extract_document
from pipeline.settings import Settings
from pipeline.store import ModelAnswer, transaction
from schemas import ContractExtraction
from tests.conftest import REPO
from tests.extract_fixtures import store_text_document
from tests.test_second_pass import CONTRACT, FIRST, HandWrittenBackend

LATENCY_S = 0.4

#: Written for this test: twelve clauses, one chunk each at a 60-token chunk budget.
LONG_CONTRACT = "\n\n".join(
    ["SUPPLY AGREEMENT",
     "This Supply Agreement is made on March 1, 2024 between Tarn Valley Foods LLC and Osprey Retail Inc."]
    + [f"{i}. Deliveries. Supplier shall deliver the goods listed in Schedule {i} to the Buyer's warehouse in good "
       f"order and condition, and shall give the Buyer a packing list for each delivery of Schedule {i}."
       for i in range(1, 11)]
)


def _counts(run) -> tuple[int, int]:
    return sum(o["calls"] for o in run.chunk_outcomes), sum(o["cached"] for o in run.chunk_outcomes)


def test_extracting_the_same_text_again_takes_every_answer_from_the_store(engine, tmp_path):
    backend = HandWrittenBackend(FIRST, {"liability_cap": None})
    doc_id = store_text_document(engine, CONTRACT, "hosting.txt")
    settings = Settings(data_dir=tmp_path, second_pass=True)
    first = extract_document(engine, doc_id, backend, settings)
    asked = len(backend.requests)
    assert asked == 2 and _counts(first) == (2, 0)  # the chunk and one second-pass question
    with transaction(engine) as s:
        rows = s.query(ModelAnswer).filter_by(document_id=doc_id).all()
        assert sorted(r.part for r in rows) == ["1", "second:liability_cap"]
    second = extract_document(engine, doc_id, backend, settings)
    assert len(backend.requests) == asked  # no call
    assert _counts(second) == (0, 2) and second.input_tokens == second.output_tokens == 0
    assert ContractExtraction.model_validate(second.extraction).parties == \
        ContractExtraction.model_validate(first.extraction).parties
    cached = [e for e in audit.query(engine, run=second.id) if e.type == "llm.response"]
    assert len(cached) == 2 and all(e.payload["clausewise.cached"] is True for e in cached)
    third = extract_document(engine, doc_id, backend, Settings(data_dir=tmp_path, second_pass=True,
                                                              answer_cache=False))
    assert len(backend.requests) == asked + 2 and _counts(third) == (2, 0)


def test_a_failed_call_is_not_stored_and_is_asked_again(engine, tmp_path):
    backend = HandWrittenBackend({"parties": "not a list"}, {})  # HAND-WRITTEN invalid answer: fails validation
    doc_id = store_text_document(engine, CONTRACT, "hosting.txt")
    run = extract_document(engine, doc_id, backend, Settings(data_dir=tmp_path, second_pass=False))
    assert run.status == "failed"
    with transaction(engine) as s:
        assert s.query(ModelAnswer).count() == 0


class _SlowServer(BaseHTTPRequestHandler):
    """``POST /v1/chat/completions``: after ``server.latency`` seconds, an empty extraction; keeps each request's
    messages in ``server.requests``."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._send({"object": "list", "data": [{"id": "slow-model", "object": "model", "owned_by": "test"}]})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with self.server.lock:
            self.server.requests.append(body["messages"])
        time.sleep(self.server.latency)
        self._send({"id": "c", "object": "chat.completion", "created": 0, "model": "slow-model",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}})


@pytest.fixture
def slow_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _SlowServer)
    httpd.requests, httpd.lock, httpd.latency = [], threading.Lock(), LATENCY_S
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _ingest(path: Path, env: dict[str, str]) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_"))}
    full.update({"PYTHONPATH": str(REPO), "COLUMNS": "200", "NO_PROXY": "127.0.0.1", **env})
    return subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "ingest", str(path)],
                            cwd=REPO, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stored(db: Path) -> list[tuple[str, list]]:
    with sqlite3.connect(db) as c:
        if not c.execute("SELECT 1 FROM sqlite_master WHERE name = 'model_answers'").fetchone():
            return []  # not migrated yet
        rows = c.execute("SELECT part, result FROM model_answers").fetchall()
    return [(part, json.loads(result)["attempts"][-1]["messages"]) for part, result in rows]


@pytest.mark.parametrize("concurrency", [1, 4])  # issue #15: with calls in flight together, the kill takes some
def test_a_killed_ingest_resumes_without_asking_again_for_a_stored_answer(slow_server, tmp_path, concurrency):
    data = tmp_path / "data"
    env = {"CLAUSEWISE_DATA_DIR": str(data), "CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_MODEL": "slow-model",
           "CLAUSEWISE_OPENAI_BASE_URL": f"http://127.0.0.1:{slow_server.server_port}/v1",
           "CLAUSEWISE_OPENAI_API_KEY": "unused-key-for-the-stub", "CLAUSEWISE_CHUNK_TOKENS": "60",
           "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0", "CLAUSEWISE_SECOND_PASS": "false", "CLAUSEWISE_LLM_MAX_ATTEMPTS": "1",
           "CLAUSEWISE_CONCURRENCY": str(concurrency)}
    contract = tmp_path / "supply.txt"
    contract.write_text(LONG_CONTRACT, encoding="utf-8")
    db = data / "clausewise.db"

    first = _ingest(contract, env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not db.exists() or len(_stored(db)) < 3):
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # while it waits for the model: a call is in flight
    first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    before = _stored(db)
    with sqlite3.connect(db) as c:
        chunks = c.execute("SELECT count(*) FROM chunks").fetchone()[0]
        assert c.execute("SELECT status FROM documents").fetchone()[0] == "ingested"  # not extracted yet
    assert 3 <= len(before) < chunks, (len(before), chunks)
    asked_first = len(slow_server.requests)

    second = _ingest(contract, env)
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, out
    asked_again = slow_server.requests[asked_first:]
    stored_messages = [m for _part, m in before]
    assert not [m for m in asked_again if m in stored_messages]  # no stored answer was asked for again
    assert len(asked_again) == chunks - len(before)  # and every other chunk was
    with sqlite3.connect(db) as c:
        status = c.execute("SELECT status FROM documents").fetchone()[0]
        runs = c.execute("SELECT status, chunk_outcomes FROM extraction_runs").fetchall()
    assert status in {"verified", "needs_review", "auto_accepted"}
    complete = [json.loads(o) for s, o in runs if s == "complete"]
    assert len(complete) == 1 and sum(o["cached"] for o in complete[0]) == len(before)
    assert sum(o["calls"] for o in complete[0]) == chunks - len(before)
