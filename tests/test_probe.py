"""`clausewise probe context` (issue 11, item 4): haystacks of contract text, needles absent from them, the
probe on replayed answers (hand-written recordings written by this test into a temporary folder and served by
the real replay backend), the effective-context and chunk-budget arithmetic, and a fake OpenAI-compatible
server that counts fewer prompt tokens than were sent (silent truncation) -> PromptTruncated through the real
`openai` backend."""

from __future__ import annotations

import json
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

import audit
from pipeline.cli import _register, app
from pipeline.evaluation import (
    BadProbeOption,
    HaystackTooShort,
    PromptTruncated,
    ProbeAnswer,
    apply_chunk_budget,
    default_lengths,
    effective_context,
    needle_absent,
    needle_candidates,
    plan_probe,
    probe_request,
    recommend_chunk_tokens,
    run_probe,
    truncation_slack,
)
from pipeline.evaluation import Rate
from pipeline.llm import make_backend
from pipeline.llm.replay import model_identity, write_recording
from pipeline.reading import tokenizer_for
from pipeline.settings import Settings
from pipeline.store import make_engine, upgrade

_register()
MODEL = "qwen2.5-coder-0.5b"
NOUNS = ["equipment", "software", "reports", "samples", "invoices", "records", "materials", "licences", "drawings",
         "prototypes", "spare parts", "manuals"]
PLACES = ["warehouse", "head office", "plant", "data room", "laboratory", "depot", "branch", "archive"]
VERBS = ["deliver", "inspect", "maintain", "insure", "return", "certify", "store", "label"]
NUMBERS = ["ten (10)", "fifteen (15)", "thirty (30)", "sixty (60)", "ninety (90)", "five (5)", "twenty (20)"]


def _contract(i: int, sentences: int) -> str:
    """A contract-like text of distinct sentences (no sentence repeats, within or across documents)."""
    out = [f"SUPPLY AGREEMENT NUMBER {i}", ""]
    for k in range(sentences):
        n = i * 1000 + k
        out.append(f"{k + 1}.{i} The Supplier shall {VERBS[n % 8]} the {NOUNS[(n // 8) % 12]} held at the "
                   f"Customer's {PLACES[(n // 3) % 8]} within {NUMBERS[n % 7]} business days of a request made "
                   f"under Schedule {chr(65 + n % 26)}{n}.")
        if k % 6 == 5:
            out.append("")
    return "\n".join(out)


@pytest.fixture()
def haystack(tmp_path: Path) -> Path:
    folder = tmp_path / "haystack"
    folder.mkdir()
    for i in range(1, 5):
        (folder / f"contract-{i}.txt").write_text(_contract(i, 40), encoding="utf-8")
    return folder


def _settings(tmp_path: Path, **kw) -> Settings:
    base = {"backend": "replay", "model": MODEL, "replay_dir": tmp_path / "recordings",
            "cache_dir": tmp_path / "cache", "data_dir": tmp_path / "data"}
    return Settings(**{**base, **kw})


def _sent(messages, tok) -> int:
    return sum(tok.count(m["content"]) for m in messages)


def _record_answers(plan, settings: Settings, wrong: set[tuple[int, int, int]]) -> None:
    """Hand-written recordings: the right answer for every trial except those in ``wrong`` (length, depth,
    needle), which name the right party with a wrong notice period."""
    tok = tokenizer_for(settings)
    model_id, sha = model_identity(settings.model, settings.cache_dir)
    for t in plan.trials:
        request = probe_request(t, settings)
        days = t.fact.days + (1 if (t.length, t.depth, t.needle) in wrong else 0)
        write_recording(settings.replay_dir, request, model_id, sha, [{
            "raw_text": json.dumps({"party": t.fact.party, "notice_days": days}), "finish_reason": "stop",
            "input_tokens": _sent(request.messages, tok) + 21, "output_tokens": 19,
            "latency_ms": 1000.0 + t.length}], note="hand-written for tests/test_probe.py (not a model's answer)")


# ----------------------------------------------------------------------------------------- arithmetic


def test_effective_context_is_the_longest_length_every_depth_passes_up_to():
    ok, half = Rate(2, 2), Rate(1, 2)
    hits = {(L, d): ok for L in (1000, 2000, 4000, 7000) for d in (0, 50, 100)}
    assert effective_context(hits, [1000, 2000, 4000, 7000], [0, 50, 100]) == 7000
    hits[(4000, 50)] = half
    assert effective_context(hits, [1000, 2000, 4000, 7000], [0, 50, 100]) == 2000  # 7000 passes, 4000 does not
    assert effective_context(hits, [1000, 2000, 4000, 7000], [0, 50, 100], threshold=0.5) == 7000
    hits[(1000, 0)] = Rate(0, 2)
    assert effective_context(hits, [1000, 2000, 4000, 7000], [0, 50, 100]) is None
    # a length with no cell (haystack too short, or not run) ends the search
    partial = {(1000, d): ok for d in (0, 50, 100)} | {(2000, 0): ok, (2000, 100): ok}
    assert effective_context(partial, [1000, 2000], [0, 50, 100]) == 1000
    # 95 % of 20 needles = 19
    assert effective_context({(1000, 0): Rate(19, 20)}, [1000], [0]) == 1000
    assert effective_context({(1000, 0): Rate(18, 20)}, [1000], [0]) is None


def test_recommended_chunk_budget():
    # the docstring's example: min(7000 + 150 - 900, 8192 - 900 - 1024) / 1.1 = 5681.8 -> 5600
    assert recommend_chunk_tokens(7000, probe_prompt_tokens=150, extraction_prompt_tokens=900, markup_ratio=1.1,
                                  context_tokens=8192, max_output_tokens=1024) == 5600
    # the window binds: 8192 - 900 - 1024 = 6268 < 7900 + 150 - 900 = 7150
    assert recommend_chunk_tokens(7900, probe_prompt_tokens=150, extraction_prompt_tokens=900, markup_ratio=1.0,
                                  context_tokens=8192, max_output_tokens=1024) == 6200
    # a ratio under 1 counts as 1; nothing left -> 0
    assert recommend_chunk_tokens(2000, probe_prompt_tokens=150, extraction_prompt_tokens=900, markup_ratio=0.8,
                                  context_tokens=8192, max_output_tokens=1024) == 1200
    assert recommend_chunk_tokens(500, probe_prompt_tokens=150, extraction_prompt_tokens=900, markup_ratio=1.0,
                                  context_tokens=8192, max_output_tokens=1024) == 0


def test_default_lengths_and_truncation_slack():
    assert default_lengths(7964) == [1000, 2000, 4000, 7900]
    assert default_lengths(4000) == [1000, 2000, 4000]
    assert default_lengths(650) == [600]
    assert truncation_slack(7000, "gguf:qwen2.5-coder-0.5b") == 8 + 70
    assert truncation_slack(7000, "tiktoken:cl100k_base") == 8 + 1050


def test_apply_writes_chunk_tokens_and_keeps_the_rest(tmp_path: Path):
    cfg = tmp_path / "clausewise.toml"
    cfg.write_text('# my settings\nmodel = "qwen2.5-coder-0.5b"\nchunk_tokens = 1500\n\n[extra]\nchunk_tokens = 3\n')
    line = apply_chunk_budget(cfg, 5600, note="probe")
    assert line == "chunk_tokens = 5600  # probe"
    data = tomllib.loads(cfg.read_text())
    assert data["chunk_tokens"] == 5600 and data["model"] == "qwen2.5-coder-0.5b" and data["extra"] == {"chunk_tokens": 3}
    assert cfg.read_text().startswith("# my settings\n")
    fresh = tmp_path / "new" / "settings.toml"
    apply_chunk_budget(fresh, 2000)
    assert tomllib.loads(fresh.read_text()) == {"chunk_tokens": 2000}
    cfg.write_text("chunk_overlap_tokens = 400\n")
    with pytest.raises(BadProbeOption):
        apply_chunk_budget(cfg, 300)


# ----------------------------------------------------------------------------------------- haystack and needle


def test_needles_are_absent_from_the_haystack_and_sit_at_their_depths(tmp_path: Path, haystack: Path):
    settings = _settings(tmp_path)
    plan = plan_probe(settings, haystack, lengths=[300, 600], depths=[0, 50, 100], needles=2)
    text = "\n".join(p.read_text() for p in haystack.iterdir())
    assert len(plan.facts) == 2 and plan.facts[0].candidate != plan.facts[1].candidate
    assert plan.facts[0].text != plan.facts[1].text  # each needle its own wording
    for fact in plan.facts:
        assert needle_absent(fact, text)
    assert len(plan.trials) == 2 * 3 * 2 and not plan.too_short
    tok = tokenizer_for(settings)
    for t in plan.trials:
        assert t.context.count(t.fact.text) == 1
        assert t.tokens == tok.count(t.context) <= t.length
        assert t.tokens > t.length * 0.8
        assert not set(t.sources) - {p.name for p in haystack.iterdir()}
        if t.depth == 0:
            assert t.context.startswith(t.fact.text) and t.depth_reached == 0
        elif t.depth == 100:
            assert t.context.endswith(t.fact.text) and t.depth_reached == 100
        else:
            assert 35 <= t.depth_reached <= 65
            before = t.context[:t.context.index(t.fact.text)].rstrip()
            assert before.endswith(".")  # at a sentence boundary
    # needle n reads its own stretch of the folder: the needles of a cell sit in different contracts
    by_needle = {t.needle: t.sources for t in plan.trials if t.length == 300}
    assert by_needle[0] != by_needle[1]


def test_a_needle_found_in_the_haystack_is_not_used(tmp_path: Path, haystack: Path):
    first = needle_candidates()[0]
    (haystack / "contract-1.txt").write_text(
        _contract(1, 40) + f"\n\n{first.party} shall give forty-seven (47) days' notice.", encoding="utf-8")
    assert not needle_absent(first, (haystack / "contract-1.txt").read_text())
    assert not needle_absent(first, "The notice period is forty-seven (47) days.")
    assert needle_absent(first, "Section 47 applies.")  # a bare number is no notice period
    plan = plan_probe(_settings(tmp_path), haystack, lengths=[300], needles=1, seed=0)
    assert plan.facts[0].candidate != first.candidate or "contract-1.txt" not in plan.trials[0].sources


def test_a_haystack_too_short_for_a_length_is_reported_not_padded(tmp_path: Path):
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "one.txt").write_text(_contract(1, 30), encoding="utf-8")
    settings = _settings(tmp_path)
    plan = plan_probe(settings, folder, lengths=[300, 5000], needles=1)
    assert set(plan.too_short) == {5000}
    assert 0 < plan.too_short[5000] < 5000 * 0.9
    assert {t.length for t in plan.trials} == {300}
    with pytest.raises(HaystackTooShort):
        plan_probe(settings, folder, lengths=[5000], needles=1)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(HaystackTooShort):
        plan_probe(settings, empty, lengths=[300])


def test_lengths_over_the_window_are_refused(tmp_path: Path, haystack: Path):
    settings = _settings(tmp_path, context_tokens=2048)
    with pytest.raises(BadProbeOption, match="do not fit"):
        plan_probe(settings, haystack, lengths=[1000, 2000])
    with pytest.raises(BadProbeOption):
        plan_probe(settings, haystack, lengths=[1000], depths=[120])


# ----------------------------------------------------------------------------------------- the probe on replay


def test_probe_on_replayed_answers(tmp_path: Path, haystack: Path):
    settings = _settings(tmp_path)
    plan = plan_probe(settings, haystack, lengths=[300, 600], needles=2)
    _record_answers(plan, settings, wrong={(600, 50, 1)})
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    upgrade(engine)
    seen = []
    result = run_probe(plan, make_backend(settings), settings, engine=engine, on_trial=seen.append)
    assert len(seen) == len(plan.trials) == 12
    cells = result.cells
    assert all(cells[(300, d)].hits == Rate(2, 2) for d in (0, 50, 100))
    assert cells[(600, 50)].hits == Rate(1, 2) and cells[(600, 0)].hits == Rate(2, 2)
    assert cells[(300, 0)].model_seconds == pytest.approx(1.3)  # the recorded latency
    assert result.effective_context == 300
    assert result.effective_context == effective_context({k: c.hits for k, c in cells.items()}, [300, 600],
                                                         [0, 50, 100])
    miss = next(t for t in result.trials if not t.hit)
    assert (miss.length, miss.depth, miss.needle) == (600, 50, 1) and miss.party_right and not miss.days_right
    assert all(t.reported_tokens == t.sent_tokens + 21 for t in result.trials)
    # the recommendation follows the documented rule from the plan's figures
    assert result.recommended_chunk_tokens == recommend_chunk_tokens(
        300, probe_prompt_tokens=plan.prompt_tokens, extraction_prompt_tokens=result.extraction_prompt_tokens,
        markup_ratio=plan.markup_ratio, context_tokens=plan.context_tokens,
        max_output_tokens=settings.max_output_tokens)
    # audited as extraction audits its calls
    requests = audit.query(engine, type_glob="llm.request", resolve_blobs=True)
    responses = audit.query(engine, type_glob="llm.response", resolve_blobs=True)
    assert len(requests) == len(responses) == 12
    assert {e.run_id for e in requests} == {result.id}
    p = responses[0].payload
    assert p["clausewise.prompt_version"] == "probe-context-v1" and p["parsed"]["party"] == plan.facts[0].party
    assert p["gen_ai.request.model"] == MODEL and "clausewise.probe.length" in p
    data = result.to_dict()
    assert data["effective_context"] == 300 and len(data["trials"]) == 12 and data["facts"][0]["days"]
    json.dumps(data)


def test_cli_probe_context_on_replay_writes_table_heatmap_json_and_settings(tmp_path: Path, haystack: Path,
                                                                           monkeypatch):
    settings = _settings(tmp_path)
    plan = plan_probe(settings, haystack, lengths=[1000, 1400], needles=2)
    _record_answers(plan, settings, wrong={(1400, 100, 0)})
    monkeypatch.chdir(tmp_path)
    for key, value in {"BACKEND": "replay", "MODEL": MODEL, "REPLAY_DIR": str(settings.replay_dir),
                       "CACHE_DIR": str(settings.cache_dir), "DATA_DIR": str(settings.data_dir)}.items():
        monkeypatch.setenv(f"CLAUSEWISE_{key}", value)
    cfg = tmp_path / "clausewise.toml"
    cfg.write_text('model = "qwen2.5-coder-0.5b"\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["probe", "context", "--haystack", str(haystack), "--lengths", "1k,1400",
                                   "--out", str(out), "--apply", str(cfg)], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "effective context: 1,000 tokens" in res.output
    assert "depth 50 %" in res.output and "2/2" in res.output and "1/2" in res.output
    assert (out / "context.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((out / "context.json").read_text())
    assert data["effective_context"] == 1000 and data["lengths"] == [1000, 1400]
    written = tomllib.loads(cfg.read_text())
    assert written["chunk_tokens"] == data["chunk_budget"]["recommended_chunk_tokens"] > 100
    assert written["model"] == "qwen2.5-coder-0.5b"


# ----------------------------------------------------------------------------------------- a truncating server


class _FakeOpenAI(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat server whose usage counts ``server.prompt_tokens(messages)`` prompt tokens."""

    def log_message(self, *args):  # quiet
        pass

    def _send(self, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802 - http.server's name
        self._send({"object": "list", "data": [{"id": "fake", "object": "model", "created": 0, "owned_by": "test"}]})

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        prompt = self.server.prompt_tokens(body["messages"])
        self._send({"id": "c1", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": '{"party": "Nobody", "notice_days": 1}'}}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": 12, "total_tokens": prompt + 12}})


@pytest.fixture()
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    server.requests = []
    server.prompt_tokens = lambda messages: 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _openai_settings(tmp_path: Path, server) -> Settings:
    return Settings(backend="openai", model="fake", openai_base_url=f"http://127.0.0.1:{server.server_port}/v1",
                    cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", llm_max_attempts=1)


def test_a_server_that_cuts_the_prompt_raises_prompt_truncated(tmp_path: Path, haystack: Path, fake_server,
                                                               monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    settings = _openai_settings(tmp_path, fake_server)
    plan = plan_probe(settings, haystack, lengths=[300, 600], depths=[50], needles=1)
    fake_server.prompt_tokens = lambda messages: 256  # a num_ctx of 256: the prompt was cut
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    upgrade(engine)
    with pytest.raises(PromptTruncated) as caught:
        run_probe(plan, make_backend(settings), settings, engine=engine)
    exc = caught.value
    assert exc.reported_tokens == 256 and exc.sent_tokens > 300 and exc.length == 300
    assert "num_ctx" in str(exc) and exc.result is not None and exc.result.trials == []
    assert len(fake_server.requests) == 1  # the probe stopped at the first cut prompt
    sent = fake_server.requests[0]["messages"]
    assert sent[-1]["content"].endswith(plan.trials[0].fact.question)
    errors = audit.query(engine, type_glob="llm.error")
    assert [e.payload["error.type"] for e in errors] == ["PromptTruncated"]


def test_a_server_that_keeps_the_prompt_gives_answers_not_errors(tmp_path: Path, haystack: Path, fake_server,
                                                                 monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    settings = _openai_settings(tmp_path, fake_server)
    plan = plan_probe(settings, haystack, lengths=[300], depths=[0, 100], needles=1)
    # a server counting its own tokenizer plus a chat template: a few per cent off our tiktoken count
    tok = tokenizer_for(settings)
    fake_server.prompt_tokens = lambda messages: int(sum(tok.count(m["content"]) for m in messages) * 0.93) + 13
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    upgrade(engine)
    result = run_probe(plan, make_backend(settings), settings, engine=engine)
    assert [t.hit for t in result.trials] == [False, False]  # "Nobody", 1 day: a miss, not an error
    assert result.trials[0].party == "Nobody" and result.effective_context is None
    assert isinstance(ProbeAnswer.model_validate({"party": None, "notice_days": None}), ProbeAnswer)


def test_cli_reports_a_truncating_server_as_an_error(tmp_path: Path, haystack: Path, fake_server, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.chdir(tmp_path)
    fake_server.prompt_tokens = lambda messages: 100
    for key, value in {"BACKEND": "openai", "MODEL": "fake", "CACHE_DIR": str(tmp_path / "cache"),
                       "DATA_DIR": str(tmp_path / "data"),
                       "OPENAI_BASE_URL": f"http://127.0.0.1:{fake_server.server_port}/v1"}.items():
        monkeypatch.setenv(f"CLAUSEWISE_{key}", value)
    res = CliRunner().invoke(app, ["probe", "context", "--haystack", str(haystack), "--lengths", "300",
                                   "--depths", "0", "--needles", "1"], terminal_width=200)
    assert res.exit_code == 1
    assert "prompt truncated" in res.output and "counted 100 prompt tokens" in res.output
