"""How often the effective date read by code from a contract's own definition (pipeline.extraction.readers.defined_dates)
agrees with CUAD's expert answer, on the 174 CUAD contracts here (CUAD's text files, read in place).

Prints: contracts where a definition was found; of those with an ``Effective Date`` answer, how many
agree (same comparison as scripts/eval_cuad.py: m/d/yyyy with ``[]`` wildcards); how many answers were
found at all (recall); and the disagreements, for reading. A definition by reference ("the date of
this agreement") is compared through CUAD's ``Agreement Date`` answer, as the pipeline would use the
agreement date.

Usage: ``.venv/bin/python scripts/eval_defined_dates.py [--show]``
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rules.text import decide_date_order  # noqa: E402
from pipeline.extraction.readers import find_effective_date  # noqa: E402
from scripts.eval_cuad import CUAD, gold_date  # noqa: E402


def _agrees(answer: str, d) -> bool | None:
    g = gold_date(answer.strip()) if answer.strip() else None
    if g is None:
        return None
    gm, gd, gy = g
    return d is not None and (gm is None or gm == d.month) and (gd is None or gd == d.day) and (
        gy is None or str(d.year).startswith(gy))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="print every disagreement")
    args = ap.parse_args(argv)
    gold = {r["Filename"]: r for r in csv.DictReader((CUAD / "master_clauses.csv").open(encoding="utf-8"))}
    n = found = with_answer = agree = answers = 0
    wrong = []
    for r in csv.DictReader((CUAD / "manifest.csv").open(encoding="utf-8")):
        g = gold.get(r["master_clauses_filename"])
        if g is None:
            continue
        text = (CUAD / r["txt_file"]).read_text(encoding="utf-8", errors="replace")
        n += 1
        answers += bool(g["Effective Date-Answer"].strip())
        hit = find_effective_date(text, decide_date_order(text))
        if hit is None:
            continue
        found += 1
        answer = g["Agreement Date-Answer"] if hit.via_agreement_date else g["Effective Date-Answer"]
        value = hit.value
        if hit.via_agreement_date or value is None:
            # needs the agreement date, or the last signature's date could not be read (no value is given)
            ok = None
        else:
            ok = _agrees(answer, value)
        if ok is None:
            continue
        with_answer += 1
        agree += int(ok)
        if not ok:
            wrong.append((r["txt_file"], hit.text, str(value), answer))
    print(f"contracts: {n}; effective-date definition found by code: {found}")
    print(f"found and CUAD has an answer: {with_answer}; agree: {agree} ({agree / max(with_answer, 1):.0%})")
    print(f"CUAD Effective Date answers: {answers}; of them given by code and right: {agree} "
          f"({agree / max(answers, 1):.0%})")
    if args.show:
        for w in wrong:
            print(" | ".join(w))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
