"""Compare stored extractions of samples/*.pdf with their right values (samples/*.expected.json).

For each field: ``right``, ``flagged`` (wrong or missing, and a finding routes it to review),
or ``WRONG`` (wrong or missing with no finding: the failure the design must not allow).
Also prints the share of right fields that were flagged anyway (noise).

Usage: python scripts/compare_samples.py [--database-url URL] [--json] [--strict]
With ``--strict`` the exit code is 1 when any field is WRONG (wrong or missing, and no finding).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import Settings  # noqa: E402
from pipeline.store import Document, FindingRow, latest_extraction, latest_run, make_engine, upgrade  # noqa: E402
from schemas import ContractExtraction  # noqa: E402


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9&]+", " ", (s or "").lower()).strip()


def _dur(d) -> tuple | None:
    if d is None:
        return None
    unit = d["unit"] if isinstance(d, dict) else d.unit.value
    value = d["value"] if isinstance(d, dict) else d.value
    if unit == "months" and float(value) % 12 == 0:
        return (float(value) / 12, "years")
    return (float(value), unit)


def compare(x: ContractExtraction, want: dict) -> dict[str, tuple[bool, str, str]]:
    """Field → (right?, got, want) for the fields the samples state."""
    out: dict[str, tuple[bool, str, str]] = {}
    got_names = sorted(_norm(p.name) for p in x.parties)
    want_names = sorted(_norm(p["name"]) for p in want["parties"])
    out["parties"] = (got_names == want_names, "; ".join(p.name for p in x.parties),
                      "; ".join(p["name"] for p in want["parties"]))
    for f in ("agreement_date", "effective_date", "expiration_date"):
        claim = getattr(x, f)
        got = claim.value.isoformat() if claim and claim.value else None
        out[f] = (got == want.get(f), str(got), str(want.get(f)))
    for f in ("initial_term", "renewal_term", "renewal_notice", "confidentiality_survival"):
        claim = getattr(x, f)
        got = _dur(claim.value) if claim and claim.value else None
        out[f] = (got == _dur(want.get(f)), str(got), str(_dur(want.get(f))))
    gl = x.governing_law.jurisdiction if x.governing_law else None
    wl = want.get("governing_law")
    out["governing_law"] = (bool(gl) and (_norm(wl) in _norm(gl) or _norm(gl) in _norm(wl)), str(gl), str(wl))
    pt = x.payment_terms.days if x.payment_terms else None
    wpt = (want.get("payment_terms") or {}).get("days")
    out["payment_terms"] = (pt == wpt, str(pt), str(wpt))
    return out


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
        for exp in sorted((REPO / "samples").glob("*.expected.json")):
            want = json.loads(exp.read_text())
            doc = s.scalars(select(Document).where(Document.file_name == want["file"])).first()
            if doc is None:
                print(f"{want['file']}: not ingested", file=sys.stderr)
                wrong += 1
                continue
            x = latest_extraction(s, doc.id)
            run = latest_run(s, doc.id)
            if x is None:
                print(f"{want['file']}: no extraction (status {doc.status})", file=sys.stderr)
                wrong += 1
                continue
            flagged_paths = {f.field_path.split("[")[0].split(".")[0] for f in s.scalars(
                select(FindingRow).where(FindingRow.run_id == run.id))
                if f.severity in ("warning", "error")}
            rows = {}
            for field, (ok, got, exp_v) in compare(x, want).items():
                flagged = field in flagged_paths
                verdict = "right" if ok else ("flagged" if flagged else "WRONG")
                if not ok and exp_v in ("None", "null") and got in ("None", "null"):
                    verdict = "right"
                if verdict == "right":
                    right_total += 1
                    right_flagged += int(flagged)
                wrong += verdict == "WRONG"
                rows[field] = {"verdict": verdict, "got": got, "want": exp_v, "flagged": flagged}
            results[want["file"]] = {"status": doc.status, "fields": rows}
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
