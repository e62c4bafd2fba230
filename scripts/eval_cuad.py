"""Evaluate extraction on 10 short CUAD contracts against master_clauses.csv (issue 4, acceptance).

Selection: PDFs present in ../shared/corpus/cuad with at most 6 pages whose gold row has an answer
for Governing Law and for Effective Date or Agreement Date; fewest pages first, ties by file size,
then path; the first 10.

Runs ingest (PDF reading, chunking) and extraction with the configured model (default
``qwen2.5-coder-1.5b``). Model answers are recorded under ``tests/recordings/cuad-eval`` (``--record``
calls the local model and records; the default replays the recordings, so the figures can be
recomputed without a model). Prints, counting only fields with a gold answer:

- per-field agreement: Parties, Agreement Date, Effective Date, Expiration Date, Renewal Term,
  Notice Period to Terminate Renewal, Governing Law;
- seconds per page (model latency as recorded, so a replay prints the figures of the recording run);
- share of values whose span was found in the cited sentences (match exact/normalized/fuzzy);
- chunk tokens including overlap / document tokens; prompt overhead tokens per call;
  output tokens per extracted field.

Usage: ``.venv/bin/python scripts/eval_cuad.py [--record] [--model NAME] [--limit N] [--json OUT]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CUAD = REPO.parent / "shared" / "corpus" / "cuad"
RECORDINGS = REPO / "tests" / "recordings" / "cuad-eval"
FIELDS = ["Parties", "Agreement Date", "Effective Date", "Expiration Date", "Renewal Term",
          "Notice Period to Terminate Renewal", "Governing Law"]


def select_contracts(n: int = 10) -> list[dict]:
    """The evaluation set (see module doc): dicts with pdf path, pages, bytes and the gold row."""
    gold = {r["Filename"]: r for r in csv.DictReader((CUAD / "master_clauses.csv").open(encoding="utf-8"))}
    out = []
    for r in csv.DictReader((CUAD / "manifest.csv").open(encoding="utf-8")):
        if r["pdf_included_here"] != "yes" or not r["pdf_pages"] or int(r["pdf_pages"]) > 6:
            continue
        g = gold.get(r["master_clauses_filename"])
        if g is None or not g["Governing Law-Answer"].strip():
            continue
        if not (g["Effective Date-Answer"].strip() or g["Agreement Date-Answer"].strip()):
            continue
        out.append({"pdf": CUAD / r["pdf_file"], "pages": int(r["pdf_pages"]), "bytes": int(r["pdf_bytes"]),
                    "path": r["pdf_file"], "gold": g})
    out.sort(key=lambda d: (d["pages"], d["bytes"], d["path"]))
    return out[:n]


# --- comparison ---------------------------------------------------------------------------

def _words(s: str) -> list[str]:
    s = s.lower().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", s)
    stop = {"inc", "co", "corp", "corporation", "company", "ltd", "limited", "llc", "the", "a", "an", "l", "p"}
    return [w for w in words if w not in stop]


def token_f1(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    common = sum(min(wa.count(w), wb.count(w)) for w in set(wa))
    if not common:
        return 0.0
    p, r = common / len(wa), common / len(wb)
    return 2 * p * r / (p + r)


def gold_parties(answer: str) -> list[str]:
    """Entity names of a ``Parties-Answer`` (aliases in parentheses dropped; blanks "____" and
    sentences such as "Each of the foregoing parties ..." or "(the "Parties" ... referred to collectively)"
    skipped)."""
    names = []
    for part in answer.split(";"):
        part = part.strip().lstrip("(")
        name = re.sub(r"\([^()]*\)|\[[^\]]*\]", "", part).strip(" ,.\n\"'")
        lowered = name.lower()
        if lowered.startswith(("each of", "the ")) or re.search(r"\b(?:individually|collectively|referred to)\b", lowered):
            continue  # a sentence about the parties ("(the "Parties" ... if referred to collectively"), no name
        if name and re.search(r"[A-Za-z]", name):
            names.append(name)
    return names


def parties_agree(answer: str, x) -> bool | None:
    gold = gold_parties(answer)
    if not gold:
        return None
    got = [n for p in x.parties for n in [p.name]]
    return all(any(token_f1(g, n) >= 0.6 for n in got) for g in gold)


def gold_date(answer: str):
    """``m/d/yyyy`` with ``[]`` wildcards → (m, d, year prefix) with None for a wildcard; None if no date.
    The year is a digit prefix ("19" for ``19[]``), compared with ``str(year).startswith``."""
    a = answer.split(";")[0].strip()
    m = re.fullmatch(r"(\d{1,2}|\[\])/(\d{1,2}|\[\])/([0-9\[\]]{2,6})", a)
    if not m:
        return None

    def num(s):
        return int(s) if s.isdigit() else None

    year = m.group(3).split("[")[0] or None
    return num(m.group(1)), num(m.group(2)), year


def _claim_date(c) -> dt.date | None:
    if c is None:
        return None
    return c.parsed or c.value


def date_agrees(answer: str, claim) -> bool | None:
    a = answer.strip()
    if not a:
        return None
    if a.lower() == "perpetual":
        return claim is None or _claim_date(claim) is None
    g = gold_date(a)
    d = _claim_date(claim)
    if g is None:
        return None
    if d is None:
        return False
    gm, gd, gy = g
    return (gm is None or gm == d.month) and (gd is None or gd == d.day) and (gy is None or str(d.year).startswith(gy))


_UNIT_MONTHS = {"day": None, "days": None, "month": 1, "months": 1, "year": 12, "years": 12}


def _dur_key(number: float, unit: str) -> tuple[float, str]:
    unit = unit.lower().rstrip("s")
    if unit == "year":
        return (number * 12, "month")
    if unit == "business_day":
        return (number, "business_day")
    return (number, unit)


def gold_durations(answer: str) -> list[tuple[float, str]]:
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}
    out = []
    for n, u in re.findall(r"(\d+|one|two|three|four|five|six|twelve)\)?\s*(day|month|year|week)s?", answer.lower()):
        out.append(_dur_key(float(words.get(n, n) if not n.isdigit() else n), u))
    return out


def duration_agrees(answer: str, claim) -> bool | None:
    a = answer.strip()
    if not a:
        return None
    if "perpetual" in a.lower():
        return None  # no comparable value in our schema
    gold = gold_durations(a)
    if not gold:
        return None
    if claim is None:
        return False
    vals = [v for v in (claim.parsed, claim.value) if v is not None]
    return any(_dur_key(v.value, v.unit.value) in gold for v in vals)


def law_agrees(answer: str, gl) -> bool | None:
    a = answer.strip()
    if not a:
        return None
    if gl is None or not (gl.jurisdiction or gl.raw_text):
        return False

    def norm(s):
        s = s.lower()
        s = re.sub(r"\b(the|state|commonwealth|of|laws?|province)\b", " ", s)
        return " ".join(re.findall(r"[a-z]+", s))

    g, v = norm(a), norm(gl.jurisdiction or gl.raw_text or "")
    return bool(v) and (g in v or v in g)


def agreements(gold: dict, x) -> dict[str, bool | None]:
    return {
        "Parties": parties_agree(gold["Parties-Answer"], x),
        "Agreement Date": date_agrees(gold["Agreement Date-Answer"], x.agreement_date),
        "Effective Date": date_agrees(gold["Effective Date-Answer"], x.effective_date),
        "Expiration Date": date_agrees(gold["Expiration Date-Answer"], x.expiration_date),
        "Renewal Term": duration_agrees(gold["Renewal Term-Answer"], x.renewal_term),
        "Notice Period to Terminate Renewal": duration_agrees(gold["Notice Period to Terminate Renewal-Answer"],
                                                              x.renewal_notice),
        "Governing Law": law_agrees(gold["Governing Law-Answer"], x.governing_law),
    }


def count_values(x) -> tuple[int, int, int]:
    """(extracted values, values with a span, spans found in the cited sentences); the last two count
    the model's citations only, not values code found or computed."""
    from pipeline.extraction import iter_evidence

    n = sum(1 for f in x.SINGLE_VALUED if getattr(x, f) is not None and not getattr(getattr(x, f), "computed", False))
    n += len(x.parties) + len(x.fees) + len(x.obligations) + len(x.termination_rights) + len(x.key_dates)
    with_span = found = 0
    for h in iter_evidence(x):
        e = h.evidence
        if getattr(h, "computed", False):
            continue  # found or computed by code (e.g. pipeline.extraction.readers.defined_dates), not a model citation
        if e.span:
            with_span += 1
            if e.match is not None and e.match.value in ("exact", "normalized", "fuzzy"):
                found += 1
    return n, with_span, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--record", action="store_true", help="call the local model and record its answers")
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--json", type=Path, help="write per-document results here")
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args(argv)

    if args.record:
        os.environ["CLAUSEWISE_RECORD"] = "1"
    from sqlalchemy import select

    from pipeline import Settings, extract_document, ingest_file
    from pipeline.extraction import numbered_text, prompt_overhead_text
    from pipeline.llm import make_backend
    from pipeline.reading import tokenizer_for
    from pipeline.store import Chunk, Document, make_engine, transaction, upgrade
    from rules.text import split_sentences
    from schemas import ContractExtraction

    work = Path(tempfile.mkdtemp(prefix="cw-eval-"))
    settings = Settings(data_dir=work, backend="replay", model=args.model, replay_dir=RECORDINGS,
                        database_url=args.db)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    backend = make_backend(settings)
    tok = tokenizer_for(settings)
    overhead_static = tok.count(prompt_overhead_text())

    results = []
    by_code = [0, 0]  # effective dates filled by code from the contract's definition: agree, with answer
    totals = {f: [0, 0] for f in FIELDS}
    agg = {"pages": 0, "seconds": 0.0, "chunk_tokens": 0, "doc_tokens": 0, "calls": 0, "input_tokens": 0,
           "output_tokens": 0, "chunk_text_tokens": 0, "values": 0, "with_span": 0, "found": 0}
    for d in select_contracts(args.limit):
        out = ingest_file(engine, d["pdf"], settings)
        if out.status not in ("ingested", "extracted"):
            print(f"{d['path']}: not ingested ({out.status}: {out.message})", file=sys.stderr)
            continue
        run = extract_document(engine, out.document_id, backend, settings)
        x = ContractExtraction.model_validate(run.extraction)
        with transaction(engine) as s:
            doc = s.get(Document, out.document_id)
            chunks = list(s.scalars(select(Chunk).where(Chunk.document_id == doc.id).order_by(Chunk.seq)))
            text, pages = doc.text, doc.page_count
            chunk_tok = sum(c.token_count for c in chunks)
            numbered_tok = sum(tok.count(numbered_text(split_sentences(c.text, base=c.start))) for c in chunks)
        calls = sum(o.get("calls", 0) for o in run.chunk_outcomes)
        model_seconds = sum(o.get("model_seconds", 0.0) for o in run.chunk_outcomes)
        ag = agreements(d["gold"], x)
        if x.effective_date is not None and x.effective_date.computed and ag["Effective Date"] is not None:
            by_code[0] += int(ag["Effective Date"])
            by_code[1] += 1
        for f, v in ag.items():
            if v is not None:
                totals[f][0] += int(v)
                totals[f][1] += 1
        n, ws, fd = count_values(x)
        agg["pages"] += pages
        agg["seconds"] += model_seconds
        agg["chunk_tokens"] += chunk_tok
        agg["doc_tokens"] += tok.count(text)
        agg["calls"] += calls
        agg["input_tokens"] += run.input_tokens
        agg["output_tokens"] += run.output_tokens
        agg["chunk_text_tokens"] += numbered_tok
        agg["values"] += n
        agg["with_span"] += ws
        agg["found"] += fd
        results.append({"path": d["path"], "pages": pages, "status": run.status, "seconds": model_seconds,
                        "agreement": ag, "chunks": len(chunks), "calls": calls,
                        "input_tokens": run.input_tokens, "output_tokens": run.output_tokens,
                        "extracted": {"parties": [p.name for p in x.parties],
                                      "agreement_date": str(_claim_date(x.agreement_date)),
                                      "effective_date": str(_claim_date(x.effective_date)),
                                      "expiration_date": str(_claim_date(x.expiration_date)),
                                      "renewal_term": str(x.renewal_term.value) if x.renewal_term else None,
                                      "renewal_notice": str(x.renewal_notice.value) if x.renewal_notice else None,
                                      "governing_law": x.governing_law.jurisdiction if x.governing_law else None}})
        print(f"{Path(d['path']).name[:60]:60s} {pages}p {run.status:8s} {model_seconds:7.1f}s "
              + " ".join(f"{k[:4]}={'-' if v is None else int(v)}" for k, v in ag.items()), flush=True)

    print()
    print(f"| field | agree / with answer | share |\n|---|---|---|")
    for f in FIELDS:
        ok, n = totals[f]
        print(f"| {f} | {ok} / {n} | {ok / n:.0%} |" if n else f"| {f} | 0 / 0 | - |")
    print(f"of the Effective Date answers, filled by code from the contract's definition (pipeline.extraction.readers.defined_dates): "
          f"{by_code[0]} agree / {by_code[1]}")
    p = agg["pages"] or 1
    print()
    print(f"documents: {len(results)}, pages: {agg['pages']}, model calls: {agg['calls']}")
    print(f"seconds per page (model calls): {agg['seconds'] / p:.1f}")
    print(f"spans found in the cited sentences: {agg['found']} / {agg['with_span']}"
          f" ({agg['found'] / max(agg['with_span'], 1):.0%})")
    print(f"chunk tokens incl. overlap / document tokens: {agg['chunk_tokens'] / max(agg['doc_tokens'], 1):.3f}")
    per_call = (agg["input_tokens"] - agg["chunk_text_tokens"]) / max(agg["calls"], 1)
    print(f"prompt overhead tokens per call: {overhead_static} (prompt text, tokenizer) ; "
          f"{per_call:.0f} measured (input tokens - numbered chunk text, incl. chat template; splits count extra)")
    print(f"output tokens per extracted field: {agg['output_tokens'] / max(agg['values'], 1):.1f} "
          f"({agg['output_tokens']} output tokens, {agg['values']} values)")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "totals": totals, "aggregate": agg}, indent=1,
                                        default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
