"""How the field readers read clause sets written blind to the CUAD texts (tests/reader_forms.py): per field, the
clauses, how many are read right, read wrongly and left empty, apart for the forms to read and the forms that must
not be read (a term of another thing, a date of another agreement, a renewal of a lease, a notice of termination
for breach).

Each clause is a small document run through the whole reader chain with no model answer
(:func:`pipeline.extraction.normalize.normalize_extraction` of an empty extraction), so a value computed from others
(an expiration date from effective date + initial term) counts too. The clause sets are read from this checkout's
``tests/reader_forms.py``; the code under test is the first ``pipeline`` on the path, so an older checkout is
measured with ``PYTHONPATH=<that checkout> .venv/bin/python scripts/reader_forms.py``.

Usage: ``.venv/bin/python scripts/reader_forms.py [--show]`` (``--show``: every clause not read right).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO))  # after PYTHONPATH: an older checkout's code may be measured on these clause sets


def _forms():
    """tests/reader_forms.py of this checkout, loaded by path (a checkout on PYTHONPATH may not have it)."""
    spec = importlib.util.spec_from_file_location("reader_forms", REPO / "tests" / "reader_forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", action="store_true", help="print every clause not read right")
    args = ap.parse_args(argv)
    forms = _forms()
    print(f"code: {Path(importlib.util.find_spec('pipeline').origin).resolve().parents[1]}")
    print(f"{'field':<16} {'clauses':>7} | {'to read':>7} {'right':>5} {'wrong':>5} {'empty':>5} | "
          f"{'not to read':>11} {'left empty':>10} {'read':>5} | {'right':>6} {'wrong':>6}")
    totals = [0] * 8
    for field, cases in forms.FORMS.items():
        n = [0] * 8  # to read, right, wrong, empty; not to read, left empty, read; all
        for text, want in cases:
            got = forms.value_of(forms.read(text), field)
            o = forms.outcome(got, want)
            if want is None:
                n[4] += 1
                n[5 if o == "right" else 6] += 1
            else:
                n[0] += 1
                n[{"right": 1, "wrong": 2, "empty": 3}[o]] += 1
            n[7] += 1
            if args.show and o != "right":
                print(f"  {field} {o}: got {got!r}, right {want!r}: {' '.join(text.split())[:140]!r}")
        totals = [a + b for a, b in zip(totals, n, strict=True)]
        _row(field, n)
    _row("all", totals)
    return 0


def _row(label: str, n: list[int]) -> None:
    right, wrong = n[1] + n[5], n[2] + n[6]
    print(f"{label:<16} {n[7]:>7} | {n[0]:>7} {n[1]:>5} {n[2]:>5} {n[3]:>5} | {n[4]:>11} {n[5]:>10} {n[6]:>5} | "
          f"{right / max(n[7], 1):>6.0%} {wrong / max(n[7], 1):>6.0%}")


if __name__ == "__main__":
    raise SystemExit(main())
