"""The reports people read and the backend scorecard (issue 11, items 2 and 3).

- The HTML report: one self-contained page (PNG plots embedded as base64, no external file, style sheet or
  script), contract text escaped, every wrong auto-accepted value with its gold value and cited text; the
  same page from a stored run; a stored run that lacks a part says which.
- The scorecard arithmetic on known inputs: the 0..1 scaling, the weighted score, the marks, the axes left
  out, cost per month and the TCO per year; the weights file and its errors; where contract text goes.
- The CLI on two runs made by replay: ``eval samples --html``, ``eval runs``, ``eval report``, ``eval compare``.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pipeline.cli import _register, app
from pipeline.evaluation import (
    AXES,
    AxisValue,
    BackendProfile,
    DocumentResult,
    EvalResult,
    FieldRecord,
    FieldResult,
    RunFigures,
    Weights,
    WeightsError,
    cost_per_1000_pages,
    load_prices,
    load_weights,
    missing_for_html,
    privacy_statement,
    reading_figures,
    reading_lines,
    render_html,
    run_figures,
    scale,
    scorecard,
    speed_figures,
    summarize,
    tco_per_year,
    text_leaves_machine,
    wrong_auto_accepted,
)
from pipeline.llm import is_installed
from pipeline.settings import Settings
from pipeline.store import EvalRun, make_engine
from tests.conftest import REPO, unavailable

_register()
runner = CliRunner()
MODEL = "qwen2.5-coder-1.5b"
RECORDINGS = REPO / "tests" / "recordings"
EVIL = '<script>alert("x")</script>'


# ------------------------------------------------------------------------------------------ a run by hand


def _field(outcome: str, got: str | None, gold: str | None, quote: str | None = None, *, builtin: bool = False,
           playbook: bool = False) -> FieldResult:
    return FieldResult(outcome, builtin, playbook, False, got, gold, quote, 1 if quote else None)


def _result() -> EvalResult:
    """Two documents: one wrong governing law that no finding flags (its cited text holds markup), one
    invented effective date flagged with the playbook only, the rest right."""
    docs = [
        DocumentResult(name=f"acme {EVIL}.pdf", path="acme.pdf", pages=2, status="auto_accepted",
                       run_status="complete", chunks=1, calls=1, input_tokens=2000, output_tokens=400,
                       model_seconds=20.0, to_review_builtin=False, to_review_playbook=False, fields={
                           "parties": _field("right", "Acme Inc.; Beta LLC", "Acme Inc.; Beta LLC", "Acme and Beta"),
                           "governing_law": _field("wrong", "Delaware", "New York",
                                                   f"governed by the laws of Delaware {EVIL} & more"),
                       }),
        DocumentResult(name="beta.pdf", path="beta.pdf", pages=4, status="needs_review", run_status="complete",
                       chunks=2, calls=2, input_tokens=5000, output_tokens=900, model_seconds=60.0,
                       findings_playbook=[{"rule_id": "PB001", "severity": "warning", "field_path": "effective_date",
                                           "message": "m"}],
                       fields={
                           "parties": _field("right", "Beta LLC; Gamma SA", "Beta LLC; Gamma SA", "Beta and Gamma"),
                           "effective_date": _field("invented", "2020-01-01", "(not stated)", "dated 2020",
                                                    playbook=True),
                       }),
    ]

    def records(view: str) -> list[FieldRecord]:
        return [FieldRecord(d.name, f, r.outcome, getattr(r, f"flagged_{view}"), r.completeness_flagged)
                for d in docs for f, r in d.fields.items()]

    speed = speed_figures(docs)
    cost = cost_per_1000_pages(MODEL, load_prices(), backend="local", pages=speed["pages"],
                               input_tokens=speed["input_tokens"], output_tokens=speed["output_tokens"],
                               model_seconds=speed["model_seconds"], n_threads=2)
    return EvalResult(
        id="0f0e0d0c-0000-4000-8000-000000000001", created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        set_name="gold", selection={"how": "as-listed"}, settings={"backend": "local", "openai_base_url": None},
        backend="local", model=MODEL, model_sha256=None, prompt_version="extract-v2", playbook="default.yaml",
        workspace="/tmp/w.db", fields=["parties", "effective_date", "governing_law"],
        labels={"parties": "Parties", "effective_date": "Effective Date", "governing_law": "Governing Law"},
        documents=docs, builtin=summarize(records("builtin"), 2, 0, 0),
        playbook_summary=summarize(records("playbook"), 2, 1, 1), speed=speed, cost=cost,
    )


def _pngs(page: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_html_report_is_one_self_contained_page_with_contract_text_escaped():
    result = _result()
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    images = _pngs(page)
    assert len(images) == 3 and all(img.startswith(b"\x89PNG\r\n\x1a\n") for img in images)
    assert not re.search(r"<script|<link|@import|src=\"(?!data:)|href=", page, re.IGNORECASE)
    assert EVIL not in page and html.escape(EVIL) in page
    assert "governed by the laws of Delaware &lt;script&gt;" in page and "&amp; more" in page
    for heading in ("Fields: precision and recall", "Trust: auto-accept precision", "Wrong values that were "
                    "auto-accepted", "Speed and cost", "Documents"):
        assert heading in page
    # the same page from the stored form of the run (its to_dict, the eval_runs summary)
    assert render_html(json.loads(json.dumps(result.to_dict()))) == page


def test_the_wrong_auto_accepted_values_are_listed_with_gold_and_cited_text():
    rows = wrong_auto_accepted(_result().to_dict())
    assert [(r["field"], r["outcome"], r["got"], r["gold"], r["accepted_builtin"], r["accepted_playbook"])
            for r in rows] == [("governing_law", "wrong", "Delaware", "New York", True, True),
                               ("effective_date", "invented", "2020-01-01", "(not stated)", True, False)]
    assert rows[0]["quote"].startswith("governed by the laws of Delaware") and rows[0]["page"] == 1
    page = render_html(_result())
    table = page.split("Wrong values that were auto-accepted", 1)[1].split("<h2>", 1)[0]
    assert "2 of the 2 wrong or invented values went through" in table
    assert "New York" in table and "(not stated)" in table and "dated 2020" in table


def test_a_stored_run_without_the_cited_text_says_what_is_missing():
    run = _result().to_dict()
    del run["documents"][1]["fields"]["effective_date"]["quote"]
    del run["speed"]
    assert missing_for_html(run) == ["speed", "documents[1].fields.effective_date.quote"]
    with pytest.raises(ValueError, match=r"speed, documents\[1\]\.fields\.effective_date\.quote"):
        render_html(run)


def test_reading_figures_and_lines_on_known_counts():
    """Values filled by code per field, spans found, chunk overlap, prompt overhead and output tokens per value
    over the documents; a result without them prints no reading line."""
    result = _result()
    assert reading_lines(result) == []
    a, b = result.documents
    a.fields["parties"] = FieldResult("right", False, False, False, "x", "x", None, None, computed=False)
    b.fields["effective_date"] = FieldResult("wrong", False, False, False, "2020-01-01", "2021-01-01", None, None,
                                             computed=True)
    a.values, a.cited_values, a.spans_found = 6, 5, 4
    b.values, b.cited_values, b.spans_found = 4, 3, 2
    a.document_tokens, a.chunk_tokens, a.chunk_text_tokens = 900, 1000, 1100
    b.document_tokens, b.chunk_tokens, b.chunk_text_tokens = 1100, 1200, 1400
    rd = reading_figures(result.documents, prompt_overhead_tokens=800, fields=result.fields)
    assert rd["filled_by_code"] == {"effective_date": {"values": 1, "answered": 1, "right": 0}}
    assert (rd["values"], rd["cited_values"], rd["spans_found"], rd["spans_found_share"]) == (10, 8, 6, 0.75)
    assert (rd["document_tokens"], rd["chunk_tokens"], rd["chunk_overlap_ratio"]) == (2000, 2200, 1.1)
    # (2000 + 5000 input tokens - 2500 numbered chunk text tokens) / 3 calls
    assert rd["prompt_overhead_tokens"] == 800 and rd["prompt_overhead_tokens_measured"] == 1500.0
    assert (rd["output_tokens"], rd["output_tokens_per_value"]) == (1300, 130.0)
    result.reading = rd
    lines = reading_lines(result)
    assert lines[0].endswith("Effective Date 0/1 (1)")
    assert "spans found in the cited sentences 6/8 (75%)" in lines[1] and lines[1].endswith("1.100")
    assert "per call 800 (prompt text, tokenizer), 1500 measured" in lines[2]
    assert lines[3] == "reading: output tokens per extracted value 130.0 (1300 output tokens, 10 values)"
    empty = reading_figures([])
    assert empty["filled_by_code"] == {} and empty["spans_found_share"] is None
    assert empty["chunk_overlap_ratio"] is None and empty["output_tokens_per_value"] is None
    assert json.loads(json.dumps(result.to_dict()))["reading"] == rd
    # the HTML page shows the same figures in its reading section; a run stored without them says so
    section = render_html(result).split("<h2>Reading</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Effective Date 0/1 (1 values)" in section and "6 of 8 (75%)" in section and "1.100" in section
    assert "800 / 1500" in section and "130.0 (1300 tokens, 10 values)" in section
    result.reading = {}
    assert "stored without reading figures" in render_html(result)


# ------------------------------------------------------------------------------------------ scorecard


def _run(id_: str, backend: str, *, aap: tuple[int, int], flag: tuple[int, int] | None, recall: tuple[int, int],
         review: float, latency: float, token: float | None, cpu: float | None, items: float,
         base_url: str | None = None) -> RunFigures:
    from pipeline.evaluation import wilson

    def rate(k: int, n: int) -> AxisValue:
        return AxisValue(k / n, k, n, wilson(k, n))

    return RunFigures(
        id=id_, set_name="cuad", backend=backend, model="m", base_url=base_url, created_at="2025-01-01",
        documents=("a.pdf", "b.pdf"), pages=10,
        figures={"auto_accept_precision": rate(*aap),
                 "flag_recall": rate(*flag) if flag else AxisValue(None, 0, 0),
                 "field_recall": rate(*recall), "review_load": AxisValue(review), "latency": AxisValue(latency)},
        token_usd_per_1000_pages=token, cpu_seconds_per_1000_pages=cpu, review_items_per_page=items)


WEIGHTS = Weights(weights={a.key: 1.0 for a in AXES}, pages_per_month=1000, cpu_usd_per_hour=1.0,
                  reviewer_usd_per_hour=60.0, reviewer_minutes_per_flagged_field=2.0,
                  backends={"local": BackendProfile(4.0, "model files"), "openai": BackendProfile(2.0, "keys")})
LOCAL = _run("aaaa0001", "local", aap=(9, 10), flag=(1, 2), recall=(8, 10), review=0.2, latency=10.0,
             token=0.0, cpu=3600.0, items=0.5)
REMOTE = _run("bbbb0002", "openai", aap=(19, 20), flag=(2, 2), recall=(9, 10), review=0.3, latency=2.0,
              token=1.5, cpu=0.0, items=1.0)


def test_scale_puts_the_best_run_at_1_and_the_worst_at_0():
    assert scale([10.0, 2.0, 6.0], higher_better=False) == [0.0, 1.0, 0.5]
    assert scale([0.5, None, 1.0, 0.75], higher_better=True) == [0.0, None, 1.0, 0.5]
    assert scale([3.0, 3.0], higher_better=True) == [1.0, 1.0]
    assert scale([None], higher_better=True) == [None]


def test_scorecard_arithmetic_on_known_inputs():
    card = scorecard([LOCAL, REMOTE], WEIGHTS)
    local, remote = card.runs
    # cost per 1,000 pages: tokens + CPU-seconds / 3600 x $1 per CPU-hour
    assert local.axes["cost"].value == pytest.approx(1.0) and remote.axes["cost"].value == pytest.approx(1.5)
    assert {k: a.score for k, a in local.axes.items()} == {
        "auto_accept_precision": 0.0, "flag_recall": 0.0, "field_recall": 0.0, "review_load": 1.0, "latency": 0.0,
        "cost": 1.0, "privacy": 1.0, "overhead": 0.0}
    assert {k: a.score for k, a in remote.axes.items()} == {
        "auto_accept_precision": 1.0, "flag_recall": 1.0, "field_recall": 1.0, "review_load": 0.0, "latency": 1.0,
        "cost": 0.0, "privacy": 0.0, "overhead": 1.0}
    assert local.weighted == pytest.approx(3 / 8) and remote.weighted == pytest.approx(5 / 8)
    assert {k for k, a in local.axes.items() if a.worse} == {
        "auto_accept_precision", "flag_recall", "field_recall", "latency", "overhead"}
    assert {k for k, a in remote.axes.items() if a.worse} == {"review_load", "cost", "privacy"}
    # 9/10 [0.60, 0.98] and 19/20 [0.76, 0.99] overlap: the difference may be chance
    assert local.axes["auto_accept_precision"].overlaps_best is True
    assert local.axes["latency"].overlaps_best is None
    assert card.left_out == {} and card.notes == []
    # per month at 1,000 pages; TCO per year: 12,000 pages
    assert local.cost_per_month == pytest.approx(1.0) and remote.cost_per_month == pytest.approx(1.5)
    # local: CPU 12 x 3600 s / 3600 x $1 = $12; reviewers 12,000 x 0.5 items x 2 min = 200 h x $60 = $12,000
    assert (local.tco.tokens, local.tco.cpu, local.tco.reviewers) == pytest.approx((0.0, 12.0, 12_000.0))
    assert local.tco.total == pytest.approx(12_012.0)
    # remote: tokens 12 x $1.5 = $18; reviewers 12,000 x 1 item x 2 min = 400 h x $60 = $24,000
    assert (remote.tco.tokens, remote.tco.cpu, remote.tco.reviewers) == pytest.approx((18.0, 0.0, 24_000.0))
    assert remote.tco.total == pytest.approx(24_018.0)
    data = json.loads(json.dumps(card.to_dict()))
    assert data["runs"][1]["tco_per_year"]["total"] == pytest.approx(24_018.0)
    assert data["runs"][1]["leaves_machine"] is True and data["runs"][0]["leaves_machine"] is False


def test_weights_and_volume_change_the_score_and_the_tco_only_as_stated():
    only_precision = Weights(**{**vars(WEIGHTS), "weights": {a.key: 0.0 for a in AXES} | {"auto_accept_precision": 3}})
    card = scorecard([LOCAL, REMOTE], only_precision.with_pages_per_month(5000))
    assert [r.weighted for r in card.runs] == [0.0, 1.0]
    assert card.runs[0].tco.total == pytest.approx(5 * 12_012.0)
    assert card.runs[1].cost_per_month == pytest.approx(7.5)


def test_an_axis_a_run_has_no_figure_for_is_left_out_for_every_run():
    nothing_wrong = _run("cccc0003", "local", aap=(10, 10), flag=None, recall=(10, 10), review=0.1, latency=5.0,
                         token=0.0, cpu=1800.0, items=0.2)
    unpriced = _run("dddd0004", "openai", aap=(8, 10), flag=(1, 2), recall=(8, 10), review=0.1, latency=5.0,
                    token=None, cpu=None, items=0.2, base_url="http://127.0.0.1:8080/v1")
    card = scorecard([nothing_wrong, unpriced], WEIGHTS)
    assert set(card.left_out) == {"flag_recall", "cost"}
    a, b = card.runs
    # kept: aap, recall (a best), review, latency, privacy (all equal: 1 each), overhead (b best): 6 axes
    assert a.weighted == pytest.approx(5 / 6) and b.weighted == pytest.approx(4 / 6)
    assert not a.axes["review_load"].worse and not b.axes["privacy"].worse
    assert b.tco.total is None and b.tco.reviewers is not None and b.cost_per_month is None
    assert scorecard([nothing_wrong], WEIGHTS).runs[0].weighted == pytest.approx(1.0)
    other_docs = RunFigures(**{**vars(nothing_wrong), "documents": ("z.pdf",)})
    assert scorecard([nothing_wrong, other_docs], WEIGHTS).notes


def test_where_the_contract_text_goes():
    assert not text_leaves_machine("local", None) and not text_leaves_machine("replay", "http://x.example")
    assert text_leaves_machine("openai", None)
    assert text_leaves_machine("openai", "https://api.openai.com/v1")
    assert text_leaves_machine("openai", "http://10.0.0.5:8000/v1")
    for url in ("http://localhost:11434/v1", "http://127.0.0.1:8080/v1", "http://[::1]:8000", "127.0.0.2:9000",
                "http://api.localhost/v1"):
        assert not text_leaves_machine("openai", url), url
    assert "vendor's API" in privacy_statement("openai", None)
    assert "loopback" in privacy_statement("openai", "http://localhost:8080/v1")


def test_weights_file_shipped_user_override_and_errors(tmp_path):
    shipped = load_weights()
    assert set(shipped.weights) == {a.key for a in AXES} and shipped.findings == "playbook"
    assert {"local", "openai", "replay"} <= set(shipped.backends)
    assert shipped.pages_per_month > 0 and shipped.cpu_usd_per_hour > 0 and shipped.reviewer_usd_per_hour > 0
    user = tmp_path / "w.yaml"
    user.write_text("weights: {latency: 7}\nfindings: builtin\ncosts: {reviewer_usd_per_hour: 100}\n"
                    "backends:\n  local: {overhead_hours_per_month: 1}\n  vllm: {overhead_hours_per_month: 3, "
                    "overhead: own GPU server}\n")
    w = load_weights(user)
    assert w.weights["latency"] == 7 and w.weights["auto_accept_precision"] == shipped.weights["auto_accept_precision"]
    assert w.findings == "builtin" and w.reviewer_usd_per_hour == 100
    assert w.cpu_usd_per_hour == shipped.cpu_usd_per_hour
    assert w.backends["local"] == BackendProfile(1.0, shipped.backends["local"].overhead)
    assert w.backends["vllm"] == BackendProfile(3.0, "own GPU server")
    assert str(user) in w.source and w.with_pages_per_month(42).pages_per_month == 42
    for text, match in (("weights: {speed: 1}\n", "speed is not an axis"),
                        ("weights: {latency: -1}\n", "at least 0"),
                        ("costs: {cpu_usd_per_hour: cheap}\n", "must be a number"),
                        ("volume: {pages_per_month: 0}\n", "above 0"),
                        ("findings: all\n", "playbook or builtin"),
                        ("backends: {x: {overhead: y}}\n", "no overhead_hours_per_month"),
                        ("colour: red\n", "unknown keys"),
                        ("weights: {" + ", ".join(f"{a.key}: 0" for a in AXES) + "}\n", "every axis weight is 0"),
                        ("[1, 2]\n", "must be a mapping")):
        user.write_text(text)
        with pytest.raises(WeightsError, match=match):
            load_weights(user)
    with pytest.raises(WeightsError, match="cannot read"):
        load_weights(tmp_path / "absent.yaml")


def test_run_figures_read_a_stored_run():
    fig = run_figures(json.loads(json.dumps(_result().to_dict())))
    assert (fig.backend, fig.base_url, fig.pages, fig.leaves_machine) == ("local", None, 6, False)
    assert fig.figures["auto_accept_precision"].count == 2 and fig.figures["auto_accept_precision"].total == 3
    assert fig.token_usd_per_1000_pages == 0.0
    # CPU-seconds per 1,000 pages: 80 model seconds x 2 threads x 1000 / 6 pages
    assert fig.cpu_seconds_per_1000_pages == pytest.approx(80 * 2 * 1000 / 6)
    assert fig.review_items_per_page == pytest.approx(1 / 6)  # one field with a warning, six pages
    assert run_figures(_result().to_dict(), findings="builtin").review_items_per_page == 0.0
    broken = _result().to_dict()
    del broken["cost"]
    with pytest.raises(ValueError, match="cost"):
        run_figures(broken)


# ------------------------------------------------------------------------------------------ CLI (replay)


def _env(tmp_path: Path) -> dict[str, str]:
    return {"COLUMNS": "220", "CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": MODEL,
            "CLAUSEWISE_REPLAY_DIR": str(RECORDINGS / "samples"), "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}


def test_cli_html_report_runs_report_and_compare_on_two_replayed_runs(tmp_path):
    if not is_installed(MODEL, Settings().cache_dir):
        unavailable(f"{MODEL} is not installed: its tokenizer sets the chunks the recordings were made for")
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    env = _env(tmp_path)
    ids = []
    for extra, name in ((["--limit", "1"], "one"), ([], "all")):
        res = runner.invoke(app, ["eval", "samples", str(REPO / "samples"), *extra, "--html",
                                  str(tmp_path / f"{name}.html"), "--json", str(tmp_path / f"{name}.json"),
                                  "--workdir", str(tmp_path / "work"), "--database-url", url], env=env)
        assert res.exit_code == 0, res.output
        assert f"HTML report written to {tmp_path / f'{name}.html'}" in res.output.replace("\n", "")
        ids.append(json.loads((tmp_path / f"{name}.json").read_text())["id"])
    page = (tmp_path / "all.html").read_text(encoding="utf-8")
    assert len(_pngs(page)) == 3 and "None: no value was wrong or invented." in page

    res = runner.invoke(app, ["eval", "runs", "--database-url", url], env={**env, "COLUMNS": "400"})
    assert res.exit_code == 0 and all(i in res.output for i in ids), res.output
    header = next(line for line in res.output.splitlines() if "auto-accept" in line)
    assert "auto-accept precision, built-in rules" in header and "auto-accept precision, with playbook" in header
    summary = json.loads((tmp_path / "all.json").read_text())["summary"]
    row = next(line for line in res.output.splitlines() if ids[1] in line)
    for rules in ("builtin", "playbook"):
        got = summary[rules]["overall"]["auto_accept_precision"]
        assert f"{got['value']:.2f} ({got['count']}/{got['total']})" in row

    res = runner.invoke(app, ["eval", "report", ids[1][:8], "--html", str(tmp_path / "again.html"),
                              "--database-url", url], env=env)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == page

    res = runner.invoke(app, ["eval", "compare", ids[0][:8], ids[1], "--pages-per-month", "1000",
                              "--json", str(tmp_path / "card.json"), "--database-url", url], env=env)
    assert res.exit_code == 0, res.output
    for text in ("Backend scorecard at 1,000 pages a month", "capability: auto-accept precision",
                 "weighted score", "TCO per year", "privacy: replay: recorded answers", "overhead: replay",
                 "caution: the runs were not made on the same documents"):
        assert text in res.output, text
    card = json.loads((tmp_path / "card.json").read_text())
    assert [r["id"] for r in card["runs"]] == ids
    weights = load_weights()
    for r in card["runs"]:
        fig = run_figures(json.loads((tmp_path / ("one.json" if r["id"] == ids[0] else "all.json")).read_text()))
        tco = tco_per_year(fig, weights.with_pages_per_month(1000))
        assert r["tco_per_year"]["total"] == pytest.approx(tco.total)
        assert r["leaves_machine"] is False and 0.0 <= r["weighted"] <= 1.0

    # errors: an unknown run, a prefix two runs share, a stored run without the cited text
    engine = make_engine(url)
    with Session(engine) as s:
        row = s.get(EvalRun, ids[0])
        summary = json.loads(json.dumps(row.summary))
        for field in summary["documents"][0]["fields"].values():
            del field["quote"]
        for suffix in ("1", "2"):
            s.add(EvalRun(id=f"feedface-0000-4000-8000-00000000000{suffix}", created_at=row.created_at,
                          set_name="samples", selection={}, settings={}, backend="replay", model=MODEL,
                          model_sha256=None, prompt_version="x", summary=summary))
        s.commit()
    engine.dispose()
    res = runner.invoke(app, ["eval", "compare", "nosuchrun"], env={**env, "CLAUSEWISE_DATABASE_URL": url})
    assert res.exit_code == 2 and "no stored eval run 'nosuchrun'" in res.output
    res = runner.invoke(app, ["eval", "report", "feedface", "--html", str(tmp_path / "x.html"),
                              "--database-url", url], env=env)
    assert res.exit_code == 2 and "names several eval runs" in res.output
    res = runner.invoke(app, ["eval", "report", "feedface-0000-4000-8000-000000000001", "--html",
                              str(tmp_path / "x.html"), "--database-url", url], env=env)
    assert res.exit_code == 1 and "documents[0].fields.parties.quote" in res.output
    assert not (tmp_path / "x.html").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights: {speed: 1}\n")
    res = runner.invoke(app, ["eval", "compare", ids[0], "--weights", str(bad), "--database-url", url], env=env)
    assert res.exit_code == 2 and "speed is not an axis" in res.output
