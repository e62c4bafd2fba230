"""``clausewise eval`` on replayed model answers (issue 11, acceptance of the first slice).

- CUAD: the 10 contracts of ``scripts/eval_cuad.py`` with that script's recordings give its per-field
  agreement (Parties 9/10, Agreement Date 5/9, Effective Date 4/8 (a date left blank is right only undated), Expiration Date 4/7, Renewal Term 3/4,
  Notice Period 0/2, Governing Law 10/10, places compared by their canonical names).
- The samples with their recordings: 30 right fields (as ``scripts/compare_samples.py`` counts them) and
  auto-accept precision 1.0 over the values with no finding.
- Each run is stored in ``eval_runs`` with its ``eval.run`` audit event; the chain still verifies.
- A gold file, a document that cannot be read, the price table and the option errors.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import audit
from pipeline.cli import _register, app
from pipeline.evaluation import (
    PriceTableError,
    cost_per_1000_pages,
    gold_set,
    load_prices,
    percentile,
    run_eval,
)
from pipeline.extraction import PROMPT_VERSION
from pipeline.llm import REGISTRY, is_installed
from pipeline.settings import Settings
from pipeline.store import EvalRun, make_engine, upgrade
from scripts.eval_cuad import select_contracts
from tests.conftest import REPO, require_shared, unavailable

_register()
runner = CliRunner()
MODEL = "qwen2.5-coder-1.5b"
RECORDINGS = REPO / "tests" / "recordings"
CUAD_AGREEMENT = {  # scripts/eval_cuad.py on tests/recordings/cuad-eval
    "Parties": (9, 10), "Agreement Date": (5, 9), "Effective Date": (4, 8), "Expiration Date": (4, 7),
    "Renewal Term": (3, 4), "Notice Period to Terminate Renewal": (2, 2), "Governing Law": (10, 10),
}


def _need_model() -> None:
    if not is_installed(MODEL, Settings().cache_dir):
        unavailable(f"{MODEL} is not installed: its tokenizer sets the chunks the recordings were made for "
                    f"(`clausewise model install {MODEL}`)")


def _env(tmp_path: Path, recordings: str) -> dict[str, str]:
    return {"COLUMNS": "200", "CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": MODEL,
            "CLAUSEWISE_REPLAY_DIR": str(RECORDINGS / recordings), "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}


def _row(output: str, label: str) -> list[str]:
    """The cells of the report table's row for ``label``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in:\n{output}")


def _stored(engine, run_id: str) -> EvalRun:
    with Session(engine) as s:
        rows = list(s.scalars(select(EvalRun)))
    assert [r.id for r in rows] == [run_id]
    events = audit.query(engine, type_glob="eval.run")
    assert [(e.run_id, e.actor, e.document_id) for e in events] == [(run_id, "system", None)]
    assert audit.verify(engine).ok
    return rows[0]


def test_cuad_replay_prints_eval_cuad_agreement_and_stores_the_run(tmp_path):
    _need_model()
    cuad = require_shared("corpus", "cuad")
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    out_json = tmp_path / "cuad.json"
    res = runner.invoke(app, ["eval", "cuad", "--labels", str(cuad / "master_clauses.csv"),
                              "--docs", str(cuad / "full_contract_pdf"), "--select", "fewest-pages", "--limit", "10",
                              "--json", str(out_json), "--workdir", str(tmp_path / "work"),
                              "--database-url", url], env=_env(tmp_path, "cuad-eval"))
    assert res.exit_code == 0, res.output
    for label, (right, total) in CUAD_AGREEMENT.items():
        assert _row(res.output, label)[5].startswith(f"{right}/{total} "), _row(res.output, label)
    for line in ("built-in rules: auto-accept precision", "with playbook: auto-accept precision",
                 "built-in rules: review load", "with playbook: review load", "flag recall",
                 "model seconds per page p50", "cost per 1,000 pages: $0 in tokens"):
        assert line in res.output

    data = json.loads(out_json.read_text())
    assert data["documents"] and [d["name"] for d in data["documents"]] == [
        Path(d["path"]).name for d in select_contracts(10)]
    fields = data["summary"]["playbook"]["fields"]
    assert {data["labels"][f]: (s["agreement"]["count"], s["agreement"]["total"]) for f, s in fields.items()} \
        == CUAD_AGREEMENT
    assert data["speed"]["pages"] == 30 and data["speed"]["calls"] == 26 and data["speed"]["failed_chunks"] == 0
    # 8 of the 26 calls are second-pass questions about one sentence each (the renewal terms and notices the
    # chunks' answers left out among them); their tokens are a small part of the whole
    sp2 = data["speed"]["second_pass"]
    assert (sp2["calls"], sp2["answered"]) == (8, 7) and sp2["input_tokens_per_page"] < 100
    assert "second pass: 8 questions, 7 answered with a value" in " ".join(res.output.split())
    assert data["selection"]["how"] == "fewest-pages" and data["selection"]["limit"] == 10
    # the reading figures scripts/eval_cuad.py printed before it called the evaluation package
    rd = data["reading"]
    assert rd["filled_by_code"]["effective_date"] == {"values": 1, "answered": 1, "right": 1}
    assert (rd["spans_found"], rd["cited_values"], f"{rd['spans_found_share']:.0%}") == (107, 125, "86%")
    assert f"{rd['chunk_overlap_ratio']:.3f}" == "1.031"
    assert (rd["prompt_overhead_tokens"], round(rd["prompt_overhead_tokens_measured"])) == (831, 857)
    assert (rd["output_tokens"], rd["values"], f"{rd['output_tokens_per_value']:.1f}") == (9095, 125, "72.8")
    for line in ("reading: values filled by code", "reading: spans found in the cited sentences 107/125 (86%)",
                 "chunk tokens incl. overlap / document tokens 1.031", "output tokens per extracted value 72.8"):
        assert line in " ".join(res.output.split()), line

    engine = make_engine(url)
    row = _stored(engine, data["id"])
    assert (row.set_name, row.backend, row.model, row.prompt_version) == ("cuad", "replay", MODEL, PROMPT_VERSION)
    assert row.model_sha256 == REGISTRY[MODEL].sha256
    assert row.summary["summary"] == data["summary"]
    assert row.settings["backend"] == "replay" and row.selection["documents"] == data["selection"]["documents"]
    (event,) = audit.query(engine, type_glob="eval.run")
    assert event.payload["set"] == "cuad" and event.payload["documents"] == 10
    assert event.payload["figures"]["playbook"]["right"] == sum(r for r, _ in CUAD_AGREEMENT.values())
    engine.dispose()


def test_samples_replay_prints_30_right_fields_and_auto_accept_precision_1(engine, db_url, tmp_path):
    _need_model()
    out_json = tmp_path / "samples.json"
    res = runner.invoke(app, ["eval", "samples", str(REPO / "samples"), "--json", str(out_json),
                              "--workdir", str(tmp_path / "work"), "--database-url", db_url],
                        env=_env(tmp_path, "samples"))
    assert res.exit_code == 0, res.output
    assert "fields right: 30 " in res.output
    assert re.search(r"with playbook: auto-accept precision 1\.00 \(\d+/\d+\)", res.output), res.output
    assert re.search(r"built-in rules: auto-accept precision 1\.00 \(\d+/\d+\)", res.output), res.output

    data = json.loads(out_json.read_text())
    for summary in data["summary"].values():
        overall = summary["overall"]
        assert overall["correct"] == 30 and overall["wrong"] == overall["missing"] == overall["invented"] == 0
        assert overall["auto_accept_precision"]["value"] == 1.0
    # scripts/compare_samples.py on the same answers: 4 of the 30 right fields flagged anyway (the findings
    # verify stored, playbook included)
    assert data["summary"]["playbook"]["overall"]["flagged"] == 4
    assert {d["status"] for d in data["documents"]} == {"needs_review"}
    assert data["speed"]["documents"] == 3 and data["speed"]["pages"] == 12
    row = _stored(engine, data["id"])
    assert row.set_name == "samples" and row.summary["speed"] == data["speed"]


def test_gold_file_scores_its_fields_and_reports_a_wrong_label(tmp_path):
    _need_model()
    want = json.loads((REPO / "samples" / "mutual_nda.expected.json").read_text())
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"path": str(REPO / "samples" / "mutual_nda.pdf"), "name": "nda",
                                "fields": {"governing_law": "Delaware", "effective_date": want["effective_date"],
                                           "payment_terms": None}}) + "\n")
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    res = runner.invoke(app, ["eval", "gold", str(gold), "--json", str(tmp_path / "g.json"),
                              "--workdir", str(tmp_path / "work"), "--database-url", url],
                        env=_env(tmp_path, "samples"))
    assert res.exit_code == 0, res.output
    fields = json.loads((tmp_path / "g.json").read_text())["documents"][0]["fields"]
    assert {f: r["outcome"] for f, r in fields.items()} == {
        "effective_date": "right", "governing_law": "wrong", "payment_terms": "absent"}
    assert fields["governing_law"]["gold"] and fields["governing_law"]["got"]
    assert _row(res.output, "Governing Law")[1:5] == ["0", "1", "0", "0"]


def test_a_document_that_cannot_be_read_counts_its_labels_as_missing(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"this is not a PDF")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"path": "broken.pdf", "pages": 1, "fields": {"governing_law": "New York"}}) + "\n")
    settings = Settings(data_dir=tmp_path / "data", backend="replay", model=MODEL,
                        replay_dir=RECORDINGS / "samples")
    result = run_eval(gold_set(gold), settings, set_name="gold", workdir=tmp_path / "work")
    (doc,) = result.documents
    assert doc.status == "failed" and doc.run_status is None and doc.reason
    assert doc.fields["governing_law"].outcome == "missing"
    assert result.speed["failed_documents"] == 1 and result.speed["calls"] == 0
    assert result.builtin.documents_to_review == 1
    engine = make_engine(f"sqlite:///{tmp_path / 'runs.db'}")
    upgrade(engine)
    from pipeline.evaluation import store_eval_run

    store_eval_run(engine, result)
    row = _stored(engine, result.id)
    assert row.summary["documents"][0]["fields"]["governing_law"]["outcome"] == "missing"
    engine.dispose()


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 0.0, 5.0], 0.95) == pytest.approx(9.5)


def test_prices_shipped_user_file_and_cost_per_1000_pages(tmp_path):
    table = load_prices()
    assert table[MODEL].local and table["gpt-4o-mini"].input_usd_per_mtok > 0
    user = tmp_path / "prices.yaml"
    user.write_text("models:\n  gpt-4o-mini: {input: 1.0, output: 2.0, source: test}\n  mine: {local: true}\n")
    table = load_prices(user)
    assert (table["gpt-4o-mini"].input_usd_per_mtok, table["gpt-4o-mini"].output_usd_per_mtok) == (1.0, 2.0)
    remote = cost_per_1000_pages("gpt-4o-mini", table, backend="openai", pages=10, input_tokens=10_000,
                                 output_tokens=5_000, model_seconds=20.0, n_threads=2)
    # per page 1,000 in and 500 out: 1,000 pages = 1 M in ($1) + 0.5 M out ($1)
    assert remote["usd_per_1000_pages"] == pytest.approx(2.0) and remote["cpu_seconds_per_1000_pages"] is None
    assert cost_per_1000_pages("GPT-4o-Mini", table, backend="openai", pages=10, input_tokens=10_000,
                               output_tokens=5_000, model_seconds=20.0, n_threads=2)["usd_per_1000_pages"] \
        == pytest.approx(2.0)
    for model, backend in (("mine", "openai"), ("unlisted.gguf", "local")):
        local = cost_per_1000_pages(model, table, backend=backend, pages=10, input_tokens=10_000,
                                    output_tokens=5_000, model_seconds=20.0, n_threads=2)
        assert local["usd_per_1000_pages"] == 0.0 and local["cpu_seconds_per_1000_pages"] == pytest.approx(4000.0)
    unknown = cost_per_1000_pages("other", table, backend="openai", pages=10, input_tokens=1, output_tokens=1,
                                  model_seconds=1.0, n_threads=2)
    assert not unknown["priced"] and unknown["usd_per_1000_pages"] is None and "--prices" in unknown["note"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  x: {input: cheap}\n")
    with pytest.raises(PriceTableError, match="x"):
        load_prices(bad)


def test_option_errors_stop_before_any_model_call(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"path": str(REPO / "samples" / "mutual_nda.pdf"),
                                "fields": {"governing_law": "England"}}) + "\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("models: [1, 2]\n")
    env = _env(tmp_path, "none")
    res = runner.invoke(app, ["eval", "gold", str(gold), "--prices", str(bad)], env=env)
    assert res.exit_code == 2 and "models" in res.output
    res = runner.invoke(app, ["eval", "gold", str(gold), "--select", "best"], env=env)
    assert res.exit_code == 2 and "--select" in res.output
    res = runner.invoke(app, ["eval", "gold", str(gold), "--max-pages", "1"], env=env)
    assert res.exit_code == 1 and "no document" in res.output
