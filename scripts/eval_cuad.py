"""Evaluate extraction on 10 short CUAD contracts against master_clauses.csv: ``clausewise eval cuad`` on
the recorded answers.

Selection (:func:`pipeline.evaluation.select`, ``fewest-pages``): PDFs in ../shared/corpus/cuad of at most
6 pages whose gold row has an answer for Governing Law and for Effective Date or Agreement Date; fewest
pages first, ties by file size, then path; the first 10.

Runs the pipeline (:func:`pipeline.evaluation.run_eval`: read, chunk, extract, verify, on a workspace database
in a temporary folder, removed when the run ends) with the configured model (default ``qwen2.5-coder-1.5b``).
Model answers are recorded under ``tests/recordings/cuad-eval`` (``--record`` calls the local model and
records; the default replays the recordings, so the figures can be recomputed without a model). Prints one
line per contract (1 = the field agrees with CUAD's answer, 0 = it does not or is missing, - = no answer to
compare) and the report of ``clausewise eval`` (:func:`pipeline.evaluation.print_report`): per-field agreement
(right / (right + wrong + missing)), precision, recall, the trust figures, seconds per page (model latency as
recorded, so a replay prints the figures of the recording run), and the reading figures: values filled by
code, spans found in the cited sentences, chunk tokens including overlap / document tokens, prompt overhead
tokens per call, output tokens per extracted value.

The same figures: ``CLAUSEWISE_BACKEND=replay CLAUSEWISE_REPLAY_DIR=tests/recordings/cuad-eval clausewise eval
cuad --labels ../shared/corpus/cuad/master_clauses.csv --docs ../shared/corpus/cuad/full_contract_pdf --limit 10``.

Other scripts and tests use :data:`CUAD`, :data:`RECORDINGS`, :func:`select_contracts`, :func:`gold_date` and
:func:`agreements`: thin wrappers over :mod:`pipeline.evaluation`.

Usage: ``.venv/bin/python scripts/eval_cuad.py [--record] [--model NAME] [--limit N] [--json OUT] [--db URL]``
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.evaluation import FIELD_LABELS, DocumentResult, GoldDate, cuad_gold, cuad_set, score, select  # noqa: E402

CUAD = REPO.parent / "shared" / "corpus" / "cuad"
RECORDINGS = REPO / "tests" / "recordings" / "cuad-eval"
FIELDS = list(FIELD_LABELS["cuad"].values())
"""CUAD's column names of the fields scored, in report order."""
_AGREES = {"right": True, "wrong": False, "missing": False}


def _selected(n: int | None):
    return select(cuad_set(CUAD / "master_clauses.csv", CUAD / "full_contract_pdf"), limit=n, how="fewest-pages")


def select_contracts(n: int = 10) -> list[dict]:
    """The evaluation set (see module doc): dicts with ``pdf`` (path), ``pages``, ``bytes``, ``path`` (relative
    to :data:`CUAD`) and ``gold`` (the ``master_clauses.csv`` row)."""
    with (CUAD / "master_clauses.csv").open(encoding="utf-8") as fh:
        rows = {r["Filename"]: r for r in csv.DictReader(fh)}
    with (CUAD / "manifest.csv").open(encoding="utf-8") as fh:
        row_of = {r["pdf_file"]: r["master_clauses_filename"] for r in csv.DictReader(fh)}
    out = []
    for d in _selected(n):
        rel = d.path.relative_to(CUAD).as_posix()
        out.append({"pdf": d.path, "pages": d.pages, "bytes": d.bytes, "path": rel, "gold": rows[row_of[rel]]})
    return out


def gold_date(answer: str):
    """``m/d/yyyy`` with ``[]`` wildcards → (m, d, year prefix) with None for a wildcard; None if no date.
    The year is a digit prefix ("19" for ``19[]``), compared with ``str(year).startswith``
    (:func:`pipeline.evaluation.cuad_gold`)."""
    g = cuad_gold({"Effective Date-Answer": answer})["effective_date"]
    if not isinstance(g, GoldDate) or g.perpetual:
        return None
    return g.month, g.day, g.year


def agreements(gold: dict, x) -> dict[str, bool | None]:
    """CUAD column → True (right), False (wrong or missing) or None (no answer to compare) for the extraction
    ``x`` against the ``master_clauses.csv`` row ``gold`` (:func:`pipeline.evaluation.score`)."""
    outcomes = score(cuad_gold(gold), x)
    return {label: _AGREES.get(outcomes[f]) for f, label in FIELD_LABELS["cuad"].items()}


def _line(d: DocumentResult) -> None:
    marks = " ".join(f"{label[:4]}={'-' if (a := _AGREES.get(d.fields[f].outcome)) is None else int(a)}"
                     for f, label in FIELD_LABELS["cuad"].items() if f in d.fields)
    print(f"{d.name[:60]:60s} {d.pages}p {d.run_status or d.status:8s} {d.model_seconds:7.1f}s {marks}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--record", action="store_true", help="call the local model and record its answers")
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--json", type=Path, help="write the whole run (per document and field) here")
    ap.add_argument("--db", help="also store the run (table eval_runs, audit event eval.run) in this database")
    args = ap.parse_args(argv)

    from pipeline import Settings
    from pipeline.evaluation import print_report, run_eval, store_eval_run, write_json
    from pipeline.llm import RECORD_ENV
    from pipeline.store import make_engine, upgrade
    from rich.console import Console

    if args.record:
        os.environ[RECORD_ENV] = "1"
    docs = _selected(args.limit)
    selection = {"labels": str(CUAD / "master_clauses.csv"), "docs": str(CUAD / "full_contract_pdf"),
                 "how": "fewest-pages", "limit": args.limit, "documents": [d.name for d in docs]}
    with tempfile.TemporaryDirectory(prefix="cw-eval-") as work:  # data folder and workspace, removed at the end
        settings = Settings(data_dir=Path(work), backend="replay", model=args.model, replay_dir=RECORDINGS)
        result = run_eval(docs, settings, set_name="cuad", selection=selection, on_document=_line)
    print()
    print_report(result, Console(width=None if sys.stdout.isatty() else 200))  # a file gets whole lines
    if args.db:
        engine = make_engine(args.db)
        upgrade(engine)
        store_eval_run(engine, result)
        print(f"stored as eval run {result.id}")
    if args.json:
        write_json(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
