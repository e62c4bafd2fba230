"""Rule C002 on the 174 CUAD texts: how often another sentence states a different value, and which sentences.

    .venv/bin/python benchmarks/bench_conflicts.py [--verbose]

For each contract of ../shared/corpus/cuad/full_contract_txt (its gold values from master_clauses.csv, joined by
``pipeline.evaluation.cuad_set``) three counts per field, each a count of contracts:

- ``text``: the sentences that state the field (``rules.text.field_statements``) disagree among themselves,
  so that C002 fires whatever value the field holds (no value agrees with every one of them);
- ``gold``: C002 fires on the gold value (CUAD's answer: governing law, effective date, renewal term, notice
  period; no evidence, so every stating sentence is compared). A right value that fires is a false alarm or
  a contract that really states two values;
- ``readers``: C002 fires on the values the code readers fill into an empty extraction
  (``pipeline.extraction.READERS``; a value's own sentence is not compared with itself).

``--verbose`` prints each firing with the sentences that disagree. ``--eval FILE ...``: instead, the C002 findings
of ``clausewise eval --json`` outputs (replayed recordings), each with the outcome of the field it sits on (right,
wrong, missing, ...) and the sentences that disagree. Exit status 0 always: this measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.evaluation import GoldDate, GoldDurations, GoldJurisdiction, cuad_set  # noqa: E402
from pipeline.extraction.readers import READERS, apply_readers  # noqa: E402
from rules import evaluate  # noqa: E402
from rules.text import decide_date_order, jurisdiction_of, split_sentences  # noqa: E402
from rules.text import STATED_FIELDS, agrees, field_statements  # noqa: E402
from schemas import ContractExtraction, DateClaim, DurationClaim, GoverningLaw, SourceDocument  # noqa: E402

CUAD = REPO.parent / "shared" / "corpus" / "cuad"


def c002(x: ContractExtraction, doc: SourceDocument) -> list:
    """The C002 findings of ``x`` on ``doc``."""
    return [f for f in evaluate(x, doc) if f.rule_id == "C002"]


def gold_extraction(gold: dict) -> ContractExtraction:
    """An extraction holding the CUAD gold values C002 reads (no evidence)."""
    x = ContractExtraction()
    g = gold.get("governing_law")
    if isinstance(g, GoldJurisdiction) and g.label.strip():
        x.governing_law = GoverningLaw(jurisdiction=g.label)
    g = gold.get("effective_date")
    if isinstance(g, GoldDate) and g.year and len(g.year) == 4 and g.month and g.day:
        d = dt.date(int(g.year), g.month, g.day)
        x.effective_date = DateClaim(value=d, parsed=d)
    for f in ("renewal_term", "renewal_notice"):
        g = gold.get(f)
        if isinstance(g, GoldDurations) and len(g.accepted) == 1:
            setattr(x, f, DurationClaim(value=g.accepted[0], parsed=g.accepted[0]))
    return x


def text_disagrees(text: str, field: str, order, sentences) -> bool:
    """Whether no value written by a stating sentence agrees with every stating sentence."""
    found = field_statements(text, field, order, sentences)
    if len(found) < 2:
        return False
    cands: list = []
    for s in found:
        cands += list(s.jurisdictions) + list(s.dates) + list(s.durations)
        if field == "liability_cap":
            return False  # amounts are compared in the sentence's text: counted with the readers only
    return not any(all(agrees(s, v) for s in found) for v in cands)


def eval_findings(paths: list[Path]) -> None:
    """Print the C002 findings of ``clausewise eval --json`` files with the outcome of their field."""
    total = Counter()
    for p in paths:
        data = json.loads(Path(p).read_text())
        for d in data["documents"]:
            total["documents"] += 1
            for f in d.get("findings_builtin") or []:
                if f["rule_id"] != "C002":
                    continue
                outcome = (d.get("fields") or {}).get(f["field_path"], {}).get("outcome", "not scored")
                total[outcome] += 1
                print(f"{Path(p).name}: {d['name'][:60]} {f['field_path']} ({outcome}): {f['message'][:160]}")
                for s in (f.get("details") or {}).get("sentences", []):
                    print(f"    {s['values']}: {s['sentence'][:200]!r}")
    print(f"C002 in {', '.join(Path(p).name for p in paths)}: {total['documents']} documents; findings by the "
          f"outcome of their field: {dict((k, v) for k, v in total.items() if k != 'documents') or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="print every firing and the sentences that disagree")
    ap.add_argument("--eval", nargs="+", type=Path, help="clausewise eval --json outputs to list C002 findings of")
    args = ap.parse_args()
    if args.eval:
        eval_findings(args.eval)
        return
    docs = cuad_set(CUAD / "master_clauses.csv", CUAD / "full_contract_txt")
    counts = {k: Counter() for k in ("text", "gold", "gold_total", "readers", "readers_total")}
    for d in docs:
        text = d.path.read_text(errors="replace")
        doc = SourceDocument(text=text)
        order = decide_date_order(text)
        sentences = split_sentences(text)
        for f in STATED_FIELDS:
            if text_disagrees(text, f, order, sentences):
                counts["text"][f] += 1
                if args.verbose:
                    print(f"TEXT {f} {d.name[:70]}")
                    for s in field_statements(text, f, order, sentences):
                        print(f"    {s.values}: {s.text[:200]!r}")
        gx = gold_extraction(d.gold)
        gx.date_order = order
        for f in STATED_FIELDS:
            if getattr(gx, f) is not None:
                counts["gold_total"][f] += 1
        for hit in c002(gx, doc):
            counts["gold"][hit.field_path] += 1
            if args.verbose:
                print(f"GOLD {hit.field_path} {d.name[:70]} gold={d.gold[hit.field_path].label!r}")
                for s in hit.details["sentences"]:
                    print(f"    {s['values']}: {s['sentence'][:200]!r}")
        rx = apply_readers(ContractExtraction(date_order=order), doc, READERS)
        for f in STATED_FIELDS:
            v = getattr(rx, f)
            if v is not None and (f != "governing_law" or jurisdiction_of(v.jurisdiction)):
                counts["readers_total"][f] += 1
        for hit in c002(rx, doc):
            counts["readers"][hit.field_path] += 1
            if args.verbose:
                print(f"READERS {hit.field_path} {d.name[:70]}: {hit.message[:200]}")
                for s in hit.details["sentences"]:
                    print(f"    {s['values']}: {s['sentence'][:200]!r}")
    print(f"CUAD: {len(docs)} contracts; per field, contracts where C002 fires")
    print(f"{'field':<16} {'text disagrees':>15} {'on gold value':>15} {'on readers value':>17}")
    for f in STATED_FIELDS:
        print(f"{f:<16} {counts['text'][f]:>15} {counts['gold'][f]:>8}/{counts['gold_total'][f]:<6} "
              f"{counts['readers'][f]:>9}/{counts['readers_total'][f]:<6}")
    print(f"{'all':<16} {sum(counts['text'].values()):>15} {sum(counts['gold'].values()):>8}/"
          f"{sum(counts['gold_total'].values()):<6} {sum(counts['readers'].values()):>9}/"
          f"{sum(counts['readers_total'].values()):<6}")


if __name__ == "__main__":
    main()
