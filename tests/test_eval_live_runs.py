"""The live model runs of issue 11's acceptance, replayed: 6 CUAD PDFs chosen by ``--select random --seed 7
--max-pages 6 --limit 6``, answered by the default 1.5B (``tests/recordings/eval-random7``) and by the 0.5B
(``tests/recordings/eval-random7-05b``), both recorded on this project's 2-core machine with

    CLAUSEWISE_BACKEND=replay CLAUSEWISE_RECORD=1 CLAUSEWISE_MODEL=<model> CLAUSEWISE_REPLAY_DIR=<folder> \\
        clausewise eval cuad --labels ../shared/corpus/cuad/master_clauses.csv \\
        --docs ../shared/corpus/cuad/full_contract_pdf --select random --seed 7 --max-pages 6 --limit 6

Replaying them gives the figures the live runs printed, and ``eval compare`` of the two stored runs prints
the backend scorecard. ``tests/recordings/eval-random7`` also holds the 1.5B's answers for ``--limit 12`` (the
same draw's next six contracts, recorded with the same command and ``--limit 12``): the set the yield work
measures before and after a change of code, on the same answers.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.cli import _register, app
from pipeline.llm import is_installed
from pipeline.settings import Settings
from tests.conftest import REPO, require_shared, unavailable

_register()
runner = CliRunner()
RUNS = {  # model -> (recordings, per-field agreement the live run printed, auto-accept precision with the playbook)
    "qwen2.5-coder-1.5b": ("eval-random7", {
        "Parties": (5, 6), "Agreement Date": (5, 6), "Effective Date": (3, 4), "Expiration Date": (2, 2),
        "Renewal Term": (2, 2), "Notice Period to Terminate Renewal": (2, 2), "Governing Law": (2, 2)}, (12, 12)),
    "qwen2.5-coder-0.5b": ("eval-random7-05b", {
        "Parties": (5, 6), "Agreement Date": (4, 6), "Effective Date": (1, 4), "Expiration Date": (0, 2),
        "Renewal Term": (2, 2), "Notice Period to Terminate Renewal": (2, 2), "Governing Law": (0, 2)}, (9, 9)),
}
DOCUMENTS = ["GRIDIRONBIONUTRIENTS", "BellringBrandsInc", "IMAGEWARESYSTEMSINC", "SalesforcecomInc",
             "AMERICASSHOPPINGMALLINC", "ArcGroupInc"]


#: (answers with a drop, dropped values) per model: what the recorded answers copied from the worked example.
EXAMPLE_DROPS = {"qwen2.5-coder-1.5b": (5, 12), "qwen2.5-coder-0.5b": (8, 20)}


def _example_values_in_store(workdir) -> tuple[tuple[int, int], list[str]]:
    """((chunk outcomes with a drop, dropped values), stored values equal to the worked example's) over every
    extraction run of the eval workspaces in ``workdir``."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.store import ExtractionRun, make_engine
    from schemas import ContractExtraction

    outcomes = dropped = 0
    found: list[str] = []
    for db in sorted(workdir.rglob("*.db")):
        engine = make_engine(f"sqlite:///{db}")
        with Session(engine) as s:
            for run in s.scalars(select(ExtractionRun)):
                for o in run.chunk_outcomes or []:
                    n = len(o.get("example_values_dropped") or [])
                    outcomes, dropped = outcomes + (n > 0), dropped + n
                if run.extraction is None:
                    continue
                x = ContractExtraction.model_validate(run.extraction)
                found += [p.name for p in x.parties if p.name in ("Example Buyer Ltd", "Example Seller Inc.")]
                found += [f"{f}={getattr(x, f).value}" for f in ("agreement_date", "effective_date", "expiration_date")
                          if getattr(x, f) is not None and str(getattr(x, f).value) == "2019-05-03"]
                found += [f"key date {k.label}" for k in x.key_dates if str(k.value) == "2019-05-03"]
        engine.dispose()
    return (outcomes, dropped), found


def test_live_runs_replay_to_their_figures_and_compare(tmp_path):
    cuad = require_shared("corpus", "cuad")
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    ids = []
    for model, (recordings, agreement, aap) in RUNS.items():
        if not is_installed(model, Settings().cache_dir):
            unavailable(f"{model} is not installed: its tokenizer sets the chunks the recordings were made for")
        out = tmp_path / f"{recordings}.json"
        env = {"COLUMNS": "200", "CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": model,
               "CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / recordings),
               "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}
        res = runner.invoke(app, ["eval", "cuad", "--labels", str(cuad / "master_clauses.csv"),
                                  "--docs", str(cuad / "full_contract_pdf"), "--select", "random", "--seed", "7",
                                  "--max-pages", "6", "--limit", "6", "--json", str(out),
                                  "--workdir", str(tmp_path / recordings), "--database-url", url], env=env)
        assert res.exit_code == 0, res.output
        data = json.loads(out.read_text())
        assert [d["name"].split("_")[0].split(",")[0] for d in data["documents"]] == DOCUMENTS
        fields = data["summary"]["playbook"]["fields"]
        assert {data["labels"][f]: (s["agreement"]["count"], s["agreement"]["total"])
                for f, s in fields.items()} == agreement, model
        overall = data["summary"]["playbook"]["overall"]["auto_accept_precision"]
        assert (overall["count"], overall["total"]) == aap, model
        assert data["speed"]["pages"] == 21 and data["speed"]["failed_chunks"] == 0
        # the recorded answers copied the worked example's companies or date (the 1.5B in 5 chunks, 12 values;
        # the 0.5B in 8 chunks, 20 values): every copy is dropped before merge and listed, none is stored
        drops, values = _example_values_in_store(tmp_path / recordings)
        assert values == [] and drops == EXAMPLE_DROPS[model], model
        ids.append(data["id"])

    res = runner.invoke(app, ["eval", "compare", *ids, "--pages-per-month", "5000", "--database-url", url],
                        env={"COLUMNS": "200", "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")})
    assert res.exit_code == 0, res.output
    for text in ("Backend scorecard at 5,000 pages a month", "weighted score", "TCO per year"):
        assert text in res.output, text
    assert "caution: the runs were not made on the same documents" not in res.output


def test_live_context_probe_of_the_05b_replays_to_its_table(tmp_path):
    """The probe of the 0.5B recorded live (``tests/recordings/probe-05b``, 24 answers, 1,113 s of model time):

        CLAUSEWISE_BACKEND=replay CLAUSEWISE_RECORD=1 CLAUSEWISE_MODEL=qwen2.5-coder-0.5b \\
            CLAUSEWISE_REPLAY_DIR=tests/recordings/probe-05b clausewise probe context \\
            --haystack ../shared/corpus/cuad/full_contract_txt --lengths 1000,2000,4000,7000

    The model read the notice period of 22 of 24 needles but named the right party in only 6,
    so no length retrieves every needle: the effective context is none."""
    model = "qwen2.5-coder-0.5b"
    if not is_installed(model, Settings().cache_dir):
        unavailable(f"{model} is not installed: the probe counts tokens with its vocabulary")
    txt = require_shared("corpus", "cuad", "full_contract_txt")
    env = {"COLUMNS": "200", "CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": model,
           "CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / "probe-05b"),
           "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}
    res = runner.invoke(app, ["probe", "context", "--haystack", str(txt), "--lengths", "1000,2000,4000,7000",
                              "--out", str(tmp_path / "out")], env=env)
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "context.json").read_text())
    cells = {(c["length"], c["depth"]): c["hits"]["count"] for c in data["cells"]}
    assert cells == {(1000, 0): 1, (1000, 50): 0, (1000, 100): 1, (2000, 0): 0, (2000, 50): 0, (2000, 100): 1,
                     (4000, 0): 0, (4000, 50): 0, (4000, 100): 1, (7000, 0): 0, (7000, 50): 0, (7000, 100): 2}
    assert data["effective_context"] is None
    trials = data["trials"]
    assert (sum(t["days_right"] for t in trials), sum(t["party_right"] for t in trials)) == (22, 6)
