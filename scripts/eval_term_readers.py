"""How the term and renewal readers (pipeline.extraction.readers.term) agree with CUAD's expert answers on the 174 contracts here
(CUAD's text files, read in place).

Prints, for ``find_initial_term``: contracts with a term clause read, and of those with an ``Expiration Date``
date answer, how many agree with the stated end date or with effective date + term (CUAD's effective or
agreement date as the start; within one day counted apart); for ``find_renewal``: renewal terms and notice
periods against ``Renewal Term`` / ``Notice Period to Terminate Renewal``; for ``find_survival``: how many
contracts it read (CUAD has no column for it: ``--show`` prints the sentences to judge).

Usage: ``.venv/bin/python scripts/eval_term_readers.py [--show]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rules.text import add_duration, decide_date_order  # noqa: E402
from pipeline.extraction.readers import find_initial_term, find_renewal, find_survival  # noqa: E402
from schemas import Duration  # noqa: E402
from scripts.eval_cuad import CUAD  # noqa: E402


def _date(answer: str) -> dt.date | None:
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", answer.split(";")[0])
    return dt.date(int(m[3]), int(m[1]), int(m[2])) if m else None


def _gold_duration(text: str) -> Duration | None:
    m = re.search(r"(\d+)\s*\)?\s*(day|month|year|week)", text.lower())
    return Duration(value=float(m[1]), unit=m[2] + "s") if m else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="print every disagreement and every survival sentence")
    args = ap.parse_args(argv)
    csv.field_size_limit(10**9)
    txt_of = {r["master_clauses_filename"]: r["txt_file"] for r in csv.DictReader((CUAD / "manifest.csv").open())}
    c = {k: 0 for k in ("terms", "exp_answers", "exp_agree", "exp_agree_1d", "exp_disagree", "exp_none",
                        "renewals", "ren_term_agree", "ren_term_disagree", "notice_agree", "notice_disagree",
                        "survival")}
    for r in csv.DictReader((CUAD / "master_clauses.csv").open(encoding="utf-8")):
        if r["Filename"] not in txt_of:
            continue
        text = (CUAD / txt_of[r["Filename"]]).read_text(encoding="utf-8", errors="replace")
        t = find_initial_term(text, decide_date_order(text, r["Governing Law-Answer"] or None))
        if t is not None:
            c["terms"] += 1
            want = _date(r["Expiration Date-Answer"])
            start = _date(r["Effective Date-Answer"]) or _date(r["Agreement Date-Answer"])
            got = t.expiration or (add_duration(start, t.value) if t.value and start and not t.other_start else None)
            if want is not None:
                c["exp_answers"] += 1
                if got is None:
                    c["exp_none"] += 1
                elif got == want:
                    c["exp_agree"] += 1
                elif abs((got - want).days) <= 1:
                    c["exp_agree_1d"] += 1
                else:
                    c["exp_disagree"] += 1
                    if args.show:
                        print(f"TERM {r['Filename'][:60]} got {got} want {want}: {text[t.start:t.end][:200]!r}")
        rn = find_renewal(text)
        if rn is not None:
            c["renewals"] += 1
            for got, answer, name in ((rn.term, r["Renewal Term-Answer"], "ren_term"),
                                      (rn.notice, r["Notice Period to Terminate Renewal-Answer"], "notice")):
                want = _gold_duration(answer) if answer.strip() else None
                if got is None or want is None or got.value is None:
                    continue  # (a renewal "for like periods" has the initial term's length, not read here)
                ok = got.value.canonical() == want.canonical()
                c[f"{name}_{'agree' if ok else 'disagree'}"] += 1
                if not ok and args.show:
                    print(f"RENEWAL {r['Filename'][:60]} {name} got {got.value} want {answer!r}: {rn.text[:200]!r}")
        sv = find_survival(text)
        if sv is not None:
            c["survival"] += 1
            if args.show:
                print(f"SURVIVAL {r['Filename'][:60]} {sv.value}: {text[sv.start:sv.end][:200]!r}")
    print(f"term clauses read: {c['terms']}; with a CUAD expiration date: {c['exp_answers']} -> agree {c['exp_agree']}, "
          f"within a day {c['exp_agree_1d']}, disagree {c['exp_disagree']}, no date derived {c['exp_none']}")
    print(f"renewal clauses read: {c['renewals']}; renewal term agree {c['ren_term_agree']} / disagree "
          f"{c['ren_term_disagree']}; notice agree {c['notice_agree']} / disagree {c['notice_disagree']}")
    print(f"survival periods read: {c['survival']} (no CUAD column; --show prints them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
