"""A model server that echoes the API key in its error body: the key reaches no finding, extraction run,
``show --json``, console line, audit event or stored byte; ``config`` masks the credentials of the OpenAI base URL
(issue #14, item 12).

Real parts: an OpenAI-compatible HTTP server on 127.0.0.1 (stdlib ``http.server`` in a thread) that answers one
chunk and refuses the other with the key in its message, as OpenAI's "Incorrect API key provided: ..." does; real
``clausewise`` processes over a real SQLite file.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.llm.base import BackendUnavailable
from pipeline.llm.openai import OpenAIBackend
from tests.conftest import REPO
from tests.llm_cases import notice_request

KEY = "Zq7rT2pW9xY4mK8vL3nB6cD1fG5hJ0sA"  # no known prefix: no shape finds it, only the configured value
REFUSED_MARKER = "Schedule B"

CONTRACT = "\n\n".join(
    ["MASTER SERVICES AGREEMENT",
     "This Master Services Agreement is entered into on March 1, 2024 between Acme Corp., a Delaware "
     "corporation, and Beta LLC, a New York limited liability company."]
    + [f"{i}. Services. Provider shall perform the Basic Services described in Schedule A, section {i}, with due "
       f"care and skill, and shall report on them to the Customer each month." for i in range(1, 9)]
    + ["20. Fees. The fees are set out in Schedule B and are payable within thirty (30) days of invoice."]
)


class _Server(BaseHTTPRequestHandler):
    """``GET /v1/models``; ``POST /v1/chat/completions``: an empty extraction, or HTTP 401 echoing the key it was
    sent when the prompt holds :data:`REFUSED_MARKER`."""

    seen_keys: list[str] = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [{"id": "echo-model", "object": "model", "owned_by": "test"}]})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        sent = self.headers.get("Authorization", "").removeprefix("Bearer ")
        type(self).seen_keys.append(sent)
        if REFUSED_MARKER in body:
            self._send(401, {"error": {"message": f"Incorrect API key provided: {sent}. You can find your API key "
                                                  "in your account settings.",
                                       "type": "invalid_request_error", "code": "invalid_api_key"}})
            return
        self._send(200, {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "echo-model",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}})


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Server.seen_keys = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _clausewise(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_"))}
    full.update({"PYTHONPATH": str(REPO), "COLUMNS": "200", **env})
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          cwd=REPO, env=full, capture_output=True, text=True, timeout=300)


def _stored_bytes(db: Path) -> bytes:
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def test_a_key_echoed_by_the_server_is_nowhere_in_clear(server, tmp_path):
    data = tmp_path / "data"
    env = {"CLAUSEWISE_DATA_DIR": str(data), "CLAUSEWISE_BACKEND": "openai", "CLAUSEWISE_OPENAI_BASE_URL": server,
           "CLAUSEWISE_OPENAI_API_KEY": KEY, "CLAUSEWISE_MODEL": "echo-model", "CLAUSEWISE_CHUNK_TOKENS": "120",
           "CLAUSEWISE_CHUNK_OVERLAP_TOKENS": "0", "CLAUSEWISE_SECOND_PASS": "false"}
    (tmp_path / "msa.txt").write_text(CONTRACT, encoding="utf-8")
    ingest = _clausewise("ingest", str(tmp_path / "msa.txt"), env=env)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert KEY in _Server.seen_keys  # the server really had the key to echo
    console = ingest.stdout + ingest.stderr
    assert "Incorrect API key provided: [REDACTED]" in console  # the failed chunk's finding is printed...
    assert KEY not in console  # ...without the key

    db = data / "clausewise.db"
    with sqlite3.connect(db) as c:
        runs = c.execute("SELECT status, chunk_outcomes FROM extraction_runs").fetchall()
        findings = [m for (m,) in c.execute("SELECT message FROM findings").fetchall()]
        errors = [json.loads(t) for (t,) in c.execute("SELECT canonical FROM audit_events WHERE type = 'llm.error'")]
    assert [s for s, _ in runs] == ["partial"]
    reasons = [o["reason"] for o in json.loads(runs[0][1]) if o["status"] == "failed"]
    assert reasons and all("Incorrect API key provided: [REDACTED]" in r for r in reasons)
    assert any("Incorrect API key provided: [REDACTED]" in m for m in findings)
    assert errors and all("[REDACTED]" in e["payload"]["error.message"] for e in errors)

    show = _clausewise("show", "msa.txt", "--json", env=env)
    assert show.returncode == 0, show.stderr
    report = json.loads(show.stdout)
    assert any("[REDACTED]" in f["message"] for f in report["findings"])
    log = _clausewise("audit", "query", "--format", "json", env=env)
    assert log.returncode == 0 and "[REDACTED]" in log.stdout
    for out in (show.stdout, show.stderr, log.stdout, log.stderr):
        assert KEY not in out
    stored = _stored_bytes(db)
    assert b"Incorrect API key provided" in stored  # we are looking at the stored errors
    assert KEY.encode() not in stored


def test_the_backend_error_names_neither_the_key_nor_the_url_password(server):
    user_url = server.replace("http://", "http://svc:Url-Pass-2024@")
    backend = OpenAIBackend(user_url, "echo-model", api_key=KEY, timeout_s=10, schema_format="json_schema")
    req = notice_request()
    refused = type(req)(**{**req.__dict__, "messages": [{"role": "user", "content": f"see {REFUSED_MARKER}"}]})
    with pytest.raises(BackendUnavailable) as info:
        backend.complete(refused)
    message = str(info.value)
    # httpx sends the URL's userinfo as Basic credentials, which the server echoes: base64 of "svc:Url-Pass-2024".
    basic = base64.b64encode(b"svc:Url-Pass-2024").decode()
    assert _Server.seen_keys == [f"Basic {basic}"]
    assert "answered HTTP 401: " in message and "Incorrect API key provided: Basic [REDACTED]" in message
    assert "svc:***@127.0.0.1" in message
    for secret in (KEY, "Url-Pass-2024", basic):
        assert secret not in message
    assert all(KEY not in (a.error or "") for a in info.value.attempts) and info.value.attempts
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no chained openai error in tracebacks
    assert KEY not in repr(backend) and "Url-Pass-2024" not in repr(backend)


def test_config_masks_the_credentials_of_the_openai_base_url(tmp_path):
    env = {"CLAUSEWISE_DATA_DIR": str(tmp_path), "CLAUSEWISE_OPENAI_BASE_URL":
           "https://svc:Url-Pass-2024@llm.example/v1?api-key=Qk-2024-secret&deployment=x",
           "CLAUSEWISE_OPENAI_API_KEY": KEY, "CLAUSEWISE_DATABASE_URL": "postgresql+psycopg://app:Db-Pass-2024@db/cw"}
    res = _clausewise("config", "--json", env=env)
    assert res.returncode == 0, res.stderr
    values = json.loads(res.stdout)
    assert values["openai_base_url"] == "https://svc:***@llm.example/v1?api-key=***&deployment=x"
    assert values["database_url"] == "postgresql+psycopg://app:***@db/cw"
    assert values["openai_api_key"] == "***"
    for secret in (KEY, "Url-Pass-2024", "Qk-2024-secret", "Db-Pass-2024"):
        assert secret not in res.stdout + res.stderr
    table = _clausewise("config", env=env)
    for secret in (KEY, "Url-Pass-2024", "Qk-2024-secret", "Db-Pass-2024"):
        assert secret not in table.stdout + table.stderr


def test_a_url_with_nothing_to_mask_is_printed_as_written():
    from pipeline.settings import mask_url

    for url in ("sqlite:////tmp/x/clausewise.db", "sqlite:///relative.db", "postgresql+psycopg://db.example/clausewise"):
        assert mask_url(url) == url
    assert mask_url("postgresql://app:s3cret-pass@db/x") == "postgresql://app:***@db/x"
