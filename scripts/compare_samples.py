"""Compare stored extractions of samples/*.pdf with their right values (samples/*.expected.json).

Reads the latest extraction and findings of each sample from the database (after ``clausewise ingest
samples/``) and scores them as ``clausewise eval samples`` does (:func:`pipeline.evaluation.score`,
:func:`pipeline.evaluation.flagged`); ``clausewise eval samples`` runs the pipeline on the samples afresh and
adds the trust figures. For each field: ``right`` (the value agrees, or none is stated and none was given),
``flagged`` (wrong, missing or invented, and a warning or error finding routes it to review), or ``WRONG``
(wrong, missing or invented with no finding: the failure the design must not allow). Also prints the share
of right fields that were flagged anyway (noise).

Usage: python scripts/compare_samples.py [--database-url URL] [--json] [--strict]
With ``--strict`` the exit code is 1 when any field is WRONG (wrong or missing, and no finding).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings  # noqa: E402
from pipeline.evaluation import Absent, Gold, flagged, samples_gold, samples_set, score, value_text  # noqa: E402
from pipeline.store import Document, FindingRow, latest_extraction, latest_run, make_engine, upgrade  # noqa: E402
from schemas import ContractExtraction  # noqa: E402

_RIGHT = ("right", "absent")
"""Outcomes counted right: the value agrees, or the sample states none and none was given."""


def _compare(gold: dict[str, Gold], x: ContractExtraction) -> dict[str, tuple[bool, str, str]]:
    return {f: (outcome in _RIGHT, str(value_text(x, f)), "None" if isinstance(gold[f], Absent) else gold[f].text)
            for f, outcome in score(gold, x).items()}


def compare(x: ContractExtraction, want: dict) -> dict[str, tuple[bool, str, str]]:
    """Field → (right?, got, want) for the fields the samples state (``want``: an ``*.expected.json``);
    right by :func:`pipeline.evaluation.score`; got and want as a report shows them, ``"None"`` for no value."""
    return _compare(samples_gold(want), x)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a wrong field has no finding")
    args = ap.parse_args()
    url = args.database_url or Settings().effective_database_url
    engine = make_engine(url)
    upgrade(engine)
    results = {}
    wrong = right_flagged = right_total = 0
    with Session(engine) as s:
        for d in samples_set(REPO / "samples"):
            doc = s.scalars(select(Document).where(Document.file_name == d.name)).first()
            if doc is None:
                print(f"{d.name}: not ingested", file=sys.stderr)
                wrong += 1
                continue
            x = latest_extraction(s, doc.id)
            run = latest_run(s, doc.id)
            if x is None:
                print(f"{d.name}: no extraction (status {doc.status})", file=sys.stderr)
                wrong += 1
                continue
            findings = list(s.scalars(select(FindingRow).where(FindingRow.run_id == run.id)))
            rows = {}
            for field, (ok, got, want) in _compare(d.gold, x).items():
                hit = flagged(field, findings)
                verdict = "right" if ok else ("flagged" if hit else "WRONG")
                if verdict == "right":
                    right_total += 1
                    right_flagged += int(hit)
                wrong += verdict == "WRONG"
                rows[field] = {"verdict": verdict, "got": got, "want": want, "flagged": hit}
            results[d.name] = {"status": doc.status, "fields": rows}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            print(f"\n{name}  (status: {r['status']})")
            for field, v in r["fields"].items():
                mark = " (flagged)" if v["flagged"] and v["verdict"] == "right" else ""
                print(f"  {v['verdict']:<8} {field:<26} got {v['got']!s:<40} want {v['want']}{mark}")
    share = right_flagged / right_total if right_total else 0.0
    print(f"\nright fields flagged anyway (noise): {right_flagged}/{right_total} = {share:.0%}")
    print(f"wrong fields with no finding: {wrong}")
    return 1 if wrong and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
