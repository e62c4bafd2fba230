"""Queries for the review UI, the export bundle, and the ``clausewise audit`` commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

import audit
import pipeline.cli.audit_cmd  # noqa: F401 - registers ``clausewise audit``
from audit.events import (AUDIT_EXPORTED, DOCUMENT_INGESTED, LLM_REQUEST, LLM_RESPONSE, REVIEW_DECISION,
                          RULE_EVALUATED, llm_payload)
from pipeline.cli import app

DOC_A, DOC_B = "a" * 64, "b" * 64
runner = CliRunner()


def _history(engine) -> None:
    big = "Section 12. Term. " * 600
    audit.append(engine, type=DOCUMENT_INGESTED, actor="system", document_id=DOC_A, payload={"pages": 3})
    audit.append(engine, type=DOCUMENT_INGESTED, actor="system", document_id=DOC_B, payload={"pages": 1})
    audit.append(engine, type=LLM_REQUEST, actor="qwen", document_id=DOC_A, run_id="r1", payload=llm_payload(
        provider="llama.cpp", request_model="qwen", temperature=0.0, max_tokens=512, attempt=1,
        messages=[{"role": "system", "content": "Extract."}, {"role": "user", "content": big}]))
    audit.append(engine, type=LLM_RESPONSE, actor="qwen", document_id=DOC_A, run_id="r1", payload=llm_payload(
        provider="llama.cpp", request_model="qwen", response_text='{"parties": []}', parsed={"parties": []},
        input_tokens=2100, output_tokens=12, finish_reasons=["stop"], latency_ms=812.5, attempt=1))
    audit.append(engine, type=RULE_EVALUATED, actor="system", document_id=DOC_B, run_id="r2", payload={"rule": "R1"})
    audit.append(engine, type=REVIEW_DECISION, actor="ann", document_id=DOC_A, run_id="r1", payload={"accept": True})


def test_llm_payload_uses_opentelemetry_genai_names():
    p = llm_payload(provider="openai", request_model="gpt-4o", temperature=0.2, max_tokens=100, input_tokens=5,
                    output_tokens=7, finish_reasons=["length"], response_text="x", latency_ms=3.0, attempt=2)
    assert p == {"gen_ai.provider.name": "openai", "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
                 "gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 100,
                 "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 7,
                 "gen_ai.response.finish_reasons": ["length"], "response_text": "x", "latency_ms": 3.0, "attempt": 2}


def test_query_filters(engine):
    _history(engine)
    ids = lambda **kw: [e.id for e in audit.query(engine, **kw)]  # noqa: E731
    assert ids() == [1, 2, 3, 4, 5, 6]
    assert ids(document=DOC_A) == [1, 3, 4, 6]
    assert ids(type_glob="llm.*") == [3, 4]
    assert ids(type_glob="*.evaluated") == [5]
    assert ids(type_glob="llm_request") == []  # '_' is literal, not a LIKE wildcard
    assert ids(actor="ann") == [6]
    assert ids(run="r1", type_glob="llm.re?ponse") == [4]
    assert ids(document=DOC_A, limit=2) == [4, 6]  # the newest two, oldest first
    ts3 = audit.get(engine, 3).ts
    assert ids(since=ts3) == [3, 4, 5, 6] or audit.get(engine, 2).ts == ts3
    now = datetime.now(timezone.utc)
    assert ids(since=now + timedelta(days=1)) == []
    assert ids(until=now + timedelta(days=1)) == [1, 2, 3, 4, 5, 6]
    assert ids(until=(now - timedelta(days=1)).date()) == []
    with pytest.raises(ValueError):
        audit.query(engine, since="not a date")
    e = audit.get(engine, 3)
    assert e.payload["gen_ai.input.messages"][1]["content"].startswith("Section 12.")  # blob resolved
    assert audit.query(engine, run="r1")[0].payload["gen_ai.input.messages"][1]["content"]["$blob"]
    with pytest.raises(audit.EventNotFound):
        audit.get(engine, 99)


def test_export_bundle_is_self_contained_and_checks(engine, tmp_path):
    _history(engine)
    head_before = audit.head(engine)
    r = audit.export_document(engine, DOC_A, tmp_path / "a.jsonl", actor="ann")
    assert (r.events, r.exported.id, r.exported.type, r.exported.actor) == (4, 7, AUDIT_EXPORTED, "ann")
    lines = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["kind"] for x in lines] == ["header", "event", "event", "event", "event", "export_event"]
    assert lines[0]["chain_head"] == {"id": head_before.id, "hash": head_before.hash}
    assert [x["id"] for x in lines[1:]] == [1, 3, 4, 6, 7]
    assert lines[2]["next"] == {"id": 4, "hash": lines[3]["hash"]}
    assert list(lines[2]["blobs"].values())[0].startswith("Section 12.")
    ok = audit.verify_bundle(tmp_path / "a.jsonl")
    assert (ok.ok, ok.count, ok.head_hash) == (True, 4, r.exported.hash)
    assert audit.verify(engine, expect_head=r.exported.hash).ok  # the export is on the chain
    raw = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    for old, new, problem in [('\\"pages\\":3', '\\"pages\\":4', "edited"), ("Section 12.", "Section 13.", "edited")]:
        (tmp_path / "t.jsonl").write_text(raw.replace(old, new, 1), encoding="utf-8")
        assert audit.verify_bundle(tmp_path / "t.jsonl").problem == problem
    dropped = raw.splitlines(keepends=True)
    (tmp_path / "d.jsonl").write_text("".join(dropped[:2] + dropped[3:]), encoding="utf-8")
    assert audit.verify_bundle(tmp_path / "d.jsonl").ok is False


def _cli(db_url: str, *args: str):
    return runner.invoke(app, ["audit", *args, "--database-url", db_url], env={"COLUMNS": "200"})


def test_cli_help_lists_the_commands():
    res = runner.invoke(app, ["audit", "--help"])
    assert res.exit_code == 0
    for cmd in ("verify", "head", "query", "show", "export"):
        assert cmd in res.output
    res = runner.invoke(app, ["audit", "query", "--help"])
    for opt in ("--document", "--type", "--actor", "--since", "--until", "--run", "--limit", "--format"):
        assert opt in res.output


def test_cli_verify_head_query_show_export(engine, db_url, tmp_path):
    _history(engine)
    h = audit.head(engine)
    res = _cli(db_url, "head")
    assert (res.exit_code, res.output.split()) == (0, [str(h.id), h.hash])
    res = _cli(db_url, "verify", "--expect-head", h.hash)
    assert res.exit_code == 0 and f"OK 6 events, head {h.hash}" in res.output
    res = _cli(db_url, "query", "--document", DOC_A, "--type", "llm.*", "--format", "json")
    assert [e["id"] for e in json.loads(res.output)] == [3, 4]
    res = _cli(db_url, "query", "--actor", "system", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in res.output.splitlines()] == [1, 2, 5]
    res = _cli(db_url, "query", "--run", "r1", "--limit", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert [(r["id"], r["type"], r["actor"]) for r in rows] == [("6", REVIEW_DECISION, "ann")]
    res = _cli(db_url, "query", "--type", "review.*")
    assert res.exit_code == 0 and "review.decision" in res.output and "1 audit events" in res.output
    res = _cli(db_url, "query", "--since", "yesterday-ish")
    assert res.exit_code == 1
    res = _cli(db_url, "show", "3")
    shown = json.loads(res.output)
    assert shown["payload"]["gen_ai.input.messages"][1]["content"].startswith("Section 12. Term.")
    assert _cli(db_url, "show", "42").exit_code == 1
    out = tmp_path / "b.jsonl"
    res = _cli(db_url, "export", "--document", DOC_B, "--out", str(out))
    assert res.exit_code == 0 and "wrote 2 events" in res.output
    assert audit.verify_bundle(out).ok
    # a short prefix or file name that names no document: exit 2, nothing written, no audit.exported event
    n_before = len(audit.query(engine))
    res = _cli(db_url, "export", "--document", "bbbb", "--out", str(tmp_path / "none.jsonl"))
    assert res.exit_code == 2 and "no document matches 'bbbb'" in res.output
    assert not (tmp_path / "none.jsonl").exists() and len(audit.query(engine)) == n_before
    assert _cli(db_url, "query", "--document", "contract.pdf").exit_code == 2
    if engine.dialect.name == "postgresql":
        stmt = "SET LOCAL session_replication_role = replica"
    else:
        stmt = "DROP TRIGGER audit_events_no_update"
    with engine.begin() as c:
        c.execute(text(stmt))
        c.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 6"))
    res = _cli(db_url, "verify")
    assert res.exit_code == 1
    assert "FAILED event 6: edited" in res.output
