"""Instruction-like text: the blind phrasing set and the CUAD false positives.

    .venv/bin/python benchmarks/bench_injection.py [--verbose] [--no-cuad]

Reads ``benchmarks/injection_blind.yaml`` (sentences written before reading the detection, kept apart
from the tests; ``--set benchmarks/injection_blind_b.yaml``: the second set, written before the new
detection) and prints:

- injected: how many of its instruction-like sentences rule I001 flags (``rules.evaluate`` on a
  short contract carrying the sentence between two ordinary clauses) and how many are withheld from the
  model (``pipeline.extraction.model_sentences``: a withheld span overlaps the sentence), per kind;
- clean: how many of its ordinary contract sentences are flagged or withheld (false flags; should be 0);
- CUAD: over the 174 texts in ../shared/corpus/cuad/full_contract_txt, the texts with an I001 passage, the
  passages, and the withheld sentences, each flagged passage printed (should be 0).

``--verbose`` prints every missed injected sentence. Exit status 0 always: this measures, it does not gate.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.extraction import model_sentences  # noqa: E402
from rules import evaluate  # noqa: E402
from rules.text import scan, scan_form  # noqa: E402
from schemas import ContractExtraction, SourceDocument, SourcePage  # noqa: E402

BLIND = REPO / "benchmarks" / "injection_blind.yaml"
CUAD_TXT = REPO.parent / "shared" / "corpus" / "cuad" / "full_contract_txt"

BEFORE = ("7. Payment. Customer shall pay each invoice within thirty (30) days of receipt.\n\n")
AFTER = ("\n\n12. Governing Law. This Agreement shall be governed by the laws of the State of New York.\n")


def carried(sentence: str) -> tuple[str, int, int]:
    """A short contract with ``sentence`` as its own paragraph; the text and the sentence's span."""
    text = BEFORE + sentence + AFTER
    return text, len(BEFORE), len(BEFORE) + len(sentence)


def i001(text: str) -> bool:
    """Whether rule I001 flags a one-page document of ``text`` (an empty extraction)."""
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    return any(f.rule_id == "I001" for f in evaluate(ContractExtraction(), doc))


def judge(sentence: str) -> tuple[bool, bool]:
    """(flagged by I001, withheld from the model) for ``sentence`` inside :func:`carried`."""
    text, start, end = carried(sentence)
    flagged = i001(text)
    _, spans = model_sentences(text, 0)
    withheld = any(s < end and e > start for s, e in spans)
    return flagged, withheld


def judge_clean(sentence: str) -> tuple[bool, bool]:
    """(flagged, any sentence withheld) for an ordinary sentence inside :func:`carried`."""
    text, _, _ = carried(sentence)
    _, spans = model_sentences(text, 0)
    return i001(text), bool(spans)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="print every missed injected sentence")
    ap.add_argument("--no-cuad", action="store_true", help="skip the 174 CUAD texts")
    ap.add_argument("--set", type=Path, default=BLIND, help="the phrasing set (default: injection_blind.yaml)")
    args = ap.parse_args()
    data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    print(f"set: {args.set.name}")

    inj = data["injected"]
    per_kind: dict[str, Counter] = {}
    missed = []
    flagged_n = withheld_n = both_n = 0
    for item in inj:
        kind = item["kind"].split("-")[0] if item["kind"].startswith(("lang", "role")) else item["kind"]
        f, w = judge(item["text"])
        c = per_kind.setdefault(kind, Counter())
        c["total"] += 1
        c["flagged"] += f
        c["withheld"] += w
        flagged_n += f
        withheld_n += w
        both_n += f and w
        if not (f and w):
            missed.append((item["kind"], f, w, item["text"]))
    print(f"injected: flagged by I001 {flagged_n}/{len(inj)}, withheld from the model {withheld_n}/{len(inj)}, "
          f"both {both_n}/{len(inj)} ({both_n / len(inj):.0%})")
    for kind, c in sorted(per_kind.items()):
        print(f"  {kind:<22} flagged {c['flagged']}/{c['total']}  withheld {c['withheld']}/{c['total']}")
    if args.verbose:
        for kind, f, w, text in missed:
            print(f"  MISSED {kind} (flagged={f}, withheld={w}): {text!r}")

    clean = data["clean"]
    false = []
    for item in clean:
        f, w = judge_clean(item["text"])
        if f or w:
            false.append((item["kind"], f, w, item["text"]))
    print(f"clean: false flags {len(false)}/{len(clean)}")
    for kind, f, w, text in false:
        print(f"  FALSE {kind} (flagged={f}, withheld={w}): {text!r}")

    if args.no_cuad:
        return
    files = sorted(CUAD_TXT.glob("*.txt"))
    docs_flagged = passages = withheld = 0
    for path in files:
        text = path.read_text(errors="replace")
        found = scan(text)  # I001 on a document without hidden text: the scan of its text
        _, spans = model_sentences(text, 0)
        if found or spans:
            docs_flagged += 1
        passages += len(found)
        withheld += len(spans)
        form = scan_form(text) if found else ""
        for pos, signals in found:
            print(f"  CUAD {path.name[:60]}: {signals} {form[max(0, pos - 20):pos + 100]!r}")
        for s, e in spans:
            print(f"  CUAD withheld {path.name[:60]}: {text[s:e][:120]!r}")
    print(f"CUAD: {len(files)} texts, {docs_flagged} with a flagged passage or a withheld sentence, "
          f"{passages} flagged passages, {withheld} withheld sentences")


if __name__ == "__main__":
    main()
