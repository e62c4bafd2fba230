"""Mutation check: how many wrong answers the rule engine catches (issue 5, acceptance).

For every date (agreement / effective / expiration), duration (initial term, renewal term, renewal
notice, confidentiality survival), governing law and party of a real extraction that has no warning
or error finding (pre-existing findings are not catches), two kinds of wrong answer are made:

- (a) the value changed alone, evidence untouched: a date shifted (+1 year, +37 days), a duration's
  number changed (value + 30, value x 2, same unit), the jurisdiction swapped for another US state or
  country not in the cited text, a party renamed to a plausible company name not in the document.
  ``parsed`` (what the pipeline read from the evidence) stays, as the evidence did not change.
- (b) value and evidence changed together to another sentence of the same contract holding a value
  of the same type (a date, a duration, "laws of X", a company name): the value is that sentence's
  value, the evidence cites that sentence (grounded by :func:`pipeline.extraction.grounding.ground_evidence`,
  so quote, offsets and match status are faithful) and ``parsed`` is read from the new span as the
  pipeline does. This is the model citing the wrong clause faithfully. At most ``--per-field``
  sentences per field, drawn with a seeded generator from the sorted candidates.

A mutation is caught when the rule engine (built-in rules; with ``--playbook`` also a playbook)
returns a warning or error finding whose field path is the mutated field (or starts with it,
e.g. ``parties[1].name``). A computed expiration date (effective date + initial term) is
recomputed after a mutation of its inputs, as the pipeline would.

Extractions come from replaying recorded model answers (``--cuad``: the 10 contracts of
``scripts/eval_cuad.py`` with ``tests/recordings/cuad-eval``; ``--samples``: ``samples/*.pdf`` with
``tests/recordings/samples``), each ingested into a temporary SQLite database, or from the latest
runs stored in a database (``--db URL``). For the three samples it also prints the share of clean
fields (right against ``samples/*.expected.json``, via ``scripts/compare_samples.compare``) that
have a warning or error finding (noise).

Usage:
  .venv/bin/python scripts/mutation_check.py --cuad --samples [--playbook default|FILE] [--per-field 3]
      [--seed 5] [--db URL ...] [--json OUT] [--show-missed]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from pipeline.extraction import ground_evidence
from rules import DATE_FIELDS, DEFAULT_PLAYBOOK, DURATION_FIELDS, Playbook, evaluate, load_playbook, quote_of
from rules.text import (
    ENTITY_SUFFIX,
    LAWS_OF,
    NOT_NAME_WORDS,
    POLITIES,
    Sentence,
    add_duration,
    find_dates,
    find_durations,
    name_key,
    norm,
    parse_date,
    parse_duration,
    phrase,
    split_sentences,
)
from schemas import (
    ContractExtraction,
    Duration,
    Evidence,
    Finding,
    SourceDocument,
)

FIELD_TYPES = ("date", "duration", "governing_law", "party")
KINDS = ("a", "b")
SAMPLES_RECORDINGS = REPO / "tests" / "recordings" / "samples"

#: Jurisdictions a governing law may be swapped to (kind a): US states and countries.
JURISDICTIONS = (
    "Delaware", "New York", "California", "Texas", "Florida", "Illinois", "Nevada", "Washington", "Ohio",
    "Georgia", "Massachusetts", "Pennsylvania", "Colorado", "Oregon", "England and Wales", "Ontario",
    "Germany", "France", "Singapore", "Japan", "Switzerland", "Ireland",
)
#: Invented company names a party may be renamed to (kind a).
COMPANY_NAMES = (
    "Northwind Traders Inc.", "Bluestone Logistics LLC", "Cedar Ridge Holdings, Inc.", "Meridian Data Systems Corp.",
    "Halcyon Biotech Ltd.", "Ironbridge Capital Partners LP", "Silverline Software GmbH",
    "Oakmont Industrial Supply Co.", "Vantage Point Media Corporation", "Redwater Energy Limited",
)
#: A company name as written: capitalized words ending in a corporate suffix (the grammar's, so "a Delaware
#: company" is none); the words that stand before it without being part of it are
#: :data:`rules.text.NOT_NAME_WORDS`.
_COMPANY = re.compile(
    rf"\b[A-Z][\w&'.-]*,?\s+(?:(?:[A-Z][\w&'.-]*|&|of|de|du|van|von),?\s+){{0,6}}{ENTITY_SUFFIX}(?![\w])")
#: "laws of <Place>" (the grammar's :data:`rules.text.LAWS_OF` and :data:`rules.text.POLITIES`), the place
#: in capitalized words.
_LAW = re.compile(
    rf"\b(?:{phrase(LAWS_OF)})\s+(?:the\s+)?(?:(?:{'|'.join(w.title() for w in POLITIES)}|Federal Republic)\s+of\s+)?"
    r"(?P<place>[A-Z][A-Za-z]+(?:\s+(?:and\s+|of\s+)?[A-Z][A-Za-z]+){0,3})")
_LAW_SKIP = frozenset({"any", "such", "all", "each", "other"})


@dataclass(frozen=True)
class Document:
    """One contract: a name, its extraction and its source text."""

    name: str
    extraction: ContractExtraction
    source: SourceDocument


@dataclass(frozen=True)
class Mutation:
    """One wrong answer: ``path`` (e.g. ``"effective_date"``, ``"parties[1]"``), ``field_type`` (date |
    duration | governing_law | party), ``kind`` (a | b), what was done (``label``) and the mutated extraction."""

    document: str
    path: str
    field_type: str
    kind: str
    label: str
    extraction: ContractExtraction


# --- fields ------------------------------------------------------------------------------------

def stated_fields(x: ContractExtraction) -> list[tuple[str, str]]:
    """``(path, field_type)`` of every stated, model-given value of the four types, in schema order.

    Computed values (e.g. an expiration date derived by code) are left out: they are not model answers."""
    out: list[tuple[str, str]] = []
    for name in DATE_FIELDS:
        c = getattr(x, name)
        if c is not None and c.value is not None and not c.computed:
            out.append((name, "date"))
    for name in DURATION_FIELDS:
        c = getattr(x, name)
        if c is not None and c.value is not None and not c.computed:
            out.append((name, "duration"))
    if x.governing_law is not None and x.governing_law.jurisdiction:
        out.append(("governing_law", "governing_law"))
    out.extend((f"parties[{i}]", "party") for i, p in enumerate(x.parties) if p.name)
    return out


def on_path(finding: Finding, path: str) -> bool:
    """The finding is filed under ``path`` or a sub-path of it (``parties[1].name``)."""
    fp = finding.field_path
    return fp == path or fp.startswith((path + ".", path + "["))


def flagged(findings: Iterable[Finding], path: str) -> list[Finding]:
    """Warning and error findings on ``path`` (info findings route nothing)."""
    return [f for f in findings if f.severity in ("warning", "error") and on_path(f, path)]


def _holder(x: ContractExtraction, path: str):
    m = re.fullmatch(r"parties\[(\d+)\]", path)
    return x.parties[int(m.group(1))] if m else getattr(x, path)


def _rng(seed: int, *parts: str) -> random.Random:
    """A generator seeded by ``seed`` and the mutation's identity (stable across runs and Python versions)."""
    h = hashlib.sha256(":".join((str(seed), *parts)).encode()).digest()
    return random.Random(int.from_bytes(h[:8], "big"))


def _recompute_expiration(x: ContractExtraction) -> None:
    """Recompute a computed expiration date from the effective date and initial term (as pipeline.extraction.readers.base.computed_expiration)."""
    exp, eff, term = x.expiration_date, x.effective_date, x.initial_term
    if exp is None or not exp.computed or eff is None or term is None:
        return
    start, length = eff.parsed or eff.value, term.parsed or term.value
    if start is not None and length is not None:
        exp.value = add_duration(start, length)
        exp.evidence = term.evidence


# --- kind (a): the value alone ---------------------------------------------------------------------

def _plus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def value_mutations(x: ContractExtraction, path: str, field_type: str, doc: SourceDocument,
                    seed: int = 0) -> list[tuple[str, ContractExtraction]]:
    """Kind (a): ``[(label, mutated copy)]`` with only the value at ``path`` changed (evidence, raw text
    and ``parsed`` untouched). Dates +1 year and +37 days; durations + 30 and x 2 (same unit); the
    jurisdiction swapped for one of :data:`JURISDICTIONS` not in the cited text; a party renamed to one of
    :data:`COMPANY_NAMES` not in the document. Deterministic for a given ``seed``."""
    rng = _rng(seed, doc.file_name or "", path, "a")
    src = _holder(x, path)
    changes: list[tuple[str, object]] = []
    if field_type == "date":
        changes = [("+1 year", _plus_year(src.value)), ("+37 days", src.value + dt.timedelta(days=37))]
    elif field_type == "duration":
        v = src.value
        seen = {(v.value, v.unit)}
        for label, n in (("+30", v.value + 30), ("x2", v.value * 2)):
            if (n, v.unit) not in seen:
                seen.add((n, v.unit))
                changes.append((f"{label} ({_num(n)} {v.unit.value})", Duration(value=n, unit=v.unit)))
    elif field_type == "governing_law":
        q, cur = norm(quote_of(src.evidence)), norm(src.jurisdiction)
        pool = [j for j in JURISDICTIONS if norm(j) not in q and norm(j) not in cur and cur not in norm(j)]
        if pool:
            j = rng.choice(pool)
            changes = [(f"-> {j}", j)]
    elif field_type == "party":
        words = set(name_key(doc.text).split())
        pool = [n for n in COMPANY_NAMES if name_key(n).split()[0] not in words]
        if pool:
            n = rng.choice(pool)
            changes = [(f"-> {n}", n)]
    out = []
    for label, new in changes:
        y = x.model_copy(deep=True)
        h = _holder(y, path)
        if field_type == "governing_law":
            h.jurisdiction = new
        elif field_type == "party":
            h.name = new
        else:
            h.value = new
        _recompute_expiration(y)
        out.append((label, y))
    return out


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


# --- kind (b): value and evidence from another sentence ------------------------------------------------

def _overlaps(s: Sentence, ev: Evidence | None) -> bool:
    if ev is None or ev.start is None or ev.end is None:
        return False
    return s.start < ev.end and ev.start < s.end


def _company_names(text: str) -> list[str]:
    """Company names (capitalized words ending in a corporate suffix) written in ``text``."""
    out = []
    for m in _COMPANY.finditer(text):
        words = m.group(0).split()
        while words and words[0].strip(",:").lower() in NOT_NAME_WORDS:
            words = words[1:]
        name = re.split(r",?\s+(?:AND|And)\s+", " ".join(words))[-1].strip(" ,")
        words = name.split()
        if len(words) >= 2 and re.search(r"[A-Za-z]{2}", words[0]):
            out.append(name)
    return out


_ALIAS = re.compile(r"""\s*,?\s*\((?:the\s+|hereinafter\s+(?:called\s+|referred\s+to\s+as\s+)?)?["“]([^"”]{1,40})["”]""")


def company_aliases(text: str) -> dict[str, set[str]]:
    """``{name_key(company name): {name_key(alias)}}`` for every company name followed by a defined term,
    e.g. 'American Champion Media, Inc. ("ACM")' -> {"american champion media inc": {"acm"}}."""
    out: dict[str, set[str]] = defaultdict(set)
    for m in _COMPANY.finditer(text):
        a = _ALIAS.match(text, m.end())
        names = _company_names(m.group(0))
        if a and names:
            out[name_key(names[-1])].add(name_key(a.group(1)))
    return out


def same_entity(party, name: str, aliases: dict[str, set[str]]) -> bool:
    """``name`` is the party under another spelling: its legal name or one of its names is a defined term
    of ``name`` in the document (then a citation of ``name`` may be a correction, not a wrong answer)."""
    own = {name_key(n) for n in party.all_names()}
    return name_key(name) in own or bool(aliases.get(name_key(name), set()) & own)


def _law_places(text: str) -> list[tuple[str, str]]:
    """``(span, place)`` for every "laws of <Place>" in ``text``."""
    return [(m.group(0), m.group("place")) for m in _LAW.finditer(text)
            if m.group("place").split()[0].lower() not in _LAW_SKIP]


_PLACE_WORDS = frozenset(["the", "of", "law", "laws", *POLITIES])


def _place_key(s: str | None) -> str:
    return " ".join(w for w in name_key(s).split() if w not in _PLACE_WORDS)


def _same_place(a: str | None, b: str | None) -> bool:
    """The same jurisdiction, or one inside the other ("Virginia" / "West Virginia": kept apart from swaps)."""
    ka, kb = _place_key(a), _place_key(b)
    return bool(ka and kb) and (ka == kb or f" {ka} " in f" {kb} " or f" {kb} " in f" {ka} ")


def citation_candidates(x: ContractExtraction, path: str, field_type: str, sentences: list[Sentence],
                        text: str = "") -> list[tuple[Sentence, str, object]]:
    """Kind (b) candidates ``(sentence, span, value)``: another sentence (not overlapping the current
    evidence) writing a value of the same type that differs from the current value; sorted. A company
    name that is the same entity as the party (by :func:`same_entity` over the document ``text``'s
    defined terms, e.g. 'American Champion Media, Inc. ("ACM")' for a party named "ACM") is left out."""
    src = _holder(x, path)
    ev = src.evidence
    aliases = company_aliases(text) if field_type == "party" and text else {}
    out: list[tuple[Sentence, str, object]] = []
    seen: set[tuple[int, str]] = set()
    for s in sentences:
        if _overlaps(s, ev):
            continue
        found: list[tuple[str, object]] = []
        if field_type == "date":
            found = [(f.text, f.value) for f in find_dates(s.text, order=x.date_order)
                     if f.kind == "absolute" and f.value is not None and f.value != src.value]
        elif field_type == "duration":
            found = [(f.text, f.value) for f in find_durations(s.text)
                     if f.value is not None and f.value.canonical() != src.value.canonical()]
        elif field_type == "governing_law":
            found = [(span, place) for span, place in _law_places(s.text) if not _same_place(place, src.jurisdiction)]
        elif field_type == "party":
            found = [(n, n) for n in _company_names(s.text) if not same_entity(src, n, aliases)]
        for span, value in found:
            if (s.id, str(value)) not in seen:
                seen.add((s.id, str(value)))
                out.append((s, span, value))
    return out


def citation_mutations(x: ContractExtraction, path: str, field_type: str, doc: SourceDocument,
                       sentences: list[Sentence], *, per_field: int = 3, seed: int = 0
                       ) -> list[tuple[str, ContractExtraction]]:
    """Kind (b): ``[(label, mutated copy)]`` where the value at ``path`` and its evidence both come from
    another sentence (at most ``per_field``, seeded draw from :func:`citation_candidates`).

    The evidence cites that sentence (``sentences`` are the document's, ids as given) with the value's
    span, grounded in ``doc`` (quote, offsets, page, match status); ``raw_text`` is the span; dates and
    durations get ``parsed`` from the span as ``pipeline.extraction.merge.normalize_values`` reads it."""
    cands = citation_candidates(x, path, field_type, sentences, doc.text)
    rng = _rng(seed, doc.file_name or "", path, "b")
    picked = sorted(rng.sample(range(len(cands)), min(per_field, len(cands))))
    out = []
    for i in picked:
        s, span, value = cands[i]
        y = x.model_copy(deep=True)
        h = _holder(y, path)
        old = h.evidence
        ev = ground_evidence(Evidence(sentence_ids=[s.id], span=span, chunk_seq=old.chunk_seq if old else None),
                             sentences, doc)
        h.evidence = ev
        if field_type == "party":
            h.name = value
        elif field_type == "governing_law":
            h.jurisdiction, h.raw_text = value, span
        elif field_type == "date":
            h.value, h.raw_text = value, span
            eff = y.effective_date
            anchor = (eff.parsed or eff.value) if path == "expiration_date" and eff is not None else None
            r = parse_date(span, order=y.date_order, anchor=anchor)
            h.parsed, h.ambiguous_order = r.value, bool(r.ambiguous)
            h.alternatives = [a for a in (r.alternatives or []) if a != r.value]
        else:
            h.value, h.raw_text, h.parsed = value, span, parse_duration(span)
        _recompute_expiration(y)
        out.append((f"sentence {s.id}: {span!r}", y))
    return out


def mutations(d: Document, *, per_field: int = 3, seed: int = 0,
              sentences: list[Sentence] | None = None) -> list[Mutation]:
    """Every mutation of kinds (a) and (b) of every stated field of ``d`` (clean or not: filter with
    :func:`clean_paths`), in schema order."""
    sentences = sentences if sentences is not None else split_sentences(d.source.text)
    out = []
    for path, ftype in stated_fields(d.extraction):
        for label, y in value_mutations(d.extraction, path, ftype, d.source, seed):
            out.append(Mutation(d.name, path, ftype, "a", label, y))
        for label, y in citation_mutations(d.extraction, path, ftype, d.source, sentences,
                                           per_field=per_field, seed=seed):
            out.append(Mutation(d.name, path, ftype, "b", label, y))
    return out


def clean_paths(x: ContractExtraction, findings: list[Finding]) -> set[str]:
    """Paths of stated fields with no warning or error finding."""
    return {p for p, _ in stated_fields(x) if not flagged(findings, p)}


# --- the check ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts per (field type, kind): mutations, caught; the rules that caught them; the misses; and
    ``elsewhere``: misses that still raised a new warning/error on another field path (e.g. P002 files a
    duplicate party under the later entry), so the document still goes to a reviewer."""

    mutations: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    rules: dict = field(default_factory=lambda: defaultdict(Counter))
    missed: list = field(default_factory=list)
    elsewhere: Counter = field(default_factory=Counter)
    fields: int = 0
    clean: int = 0


def check(docs: list[Document], *, playbook: Playbook | None = None, per_field: int = 3, seed: int = 0) -> Tally:
    """Run every mutation of every clean field through the rule engine; see the module docstring."""
    t = Tally()
    for d in sorted(docs, key=lambda d: d.name):
        base = evaluate(d.extraction, d.source, playbook=playbook)
        clean = clean_paths(d.extraction, base)
        t.fields += len(stated_fields(d.extraction))
        t.clean += len(clean)
        for m in mutations(d, per_field=per_field, seed=seed):
            if m.path not in clean:
                continue
            key = (m.field_type, m.kind)
            t.mutations[key] += 1
            after = evaluate(m.extraction, d.source, playbook=playbook)
            hits = flagged(after, m.path)
            if hits:
                t.caught[key] += 1
                for rid in sorted({f.rule_id for f in hits}):
                    t.rules[key][rid] += 1
                continue
            new = sorted({f"{f.rule_id}@{f.field_path}" for f in after if f.severity in ("warning", "error")}
                         - {f"{f.rule_id}@{f.field_path}" for f in base})
            t.elsewhere[key] += bool(new)
            t.missed.append((m.document, m.path, m.kind, m.label, new))
    return t


def _share(a: int, b: int) -> str:
    return f"{a / b:.0%}" if b else "-"


def print_tally(title: str, t: Tally, show_missed: bool = False) -> None:
    print(f"\n## {title}\n")
    print(f"stated fields: {t.fields}, clean (no warning/error before mutation): {t.clean}\n")
    print("| field | kind | mutations | caught | share | catching rules | missed, flagged elsewhere |\n"
          "|---|---|---|---|---|---|---|")
    for ft in FIELD_TYPES:
        for k in KINDS:
            n, c = t.mutations[(ft, k)], t.caught[(ft, k)]
            rules = ", ".join(f"{r} {n_}" for r, n_ in sorted(t.rules[(ft, k)].items()))
            print(f"| {ft} | ({k}) | {n} | {c} | {_share(c, n)} | {rules} | {t.elsewhere[(ft, k)]} |")
    for k in KINDS:
        n = sum(v for (ft, kk), v in t.mutations.items() if kk == k)
        c = sum(v for (ft, kk), v in t.caught.items() if kk == k)
        e = sum(v for (ft, kk), v in t.elsewhere.items() if kk == k)
        print(f"| **all** | ({k}) | {n} | {c} | **{_share(c, n)}** | | {e} |")
    if show_missed and t.missed:
        print("\nmissed (new findings on other paths):")
        for doc, path, kind, label, new in t.missed:
            print(f"  ({kind}) {doc[:40]:40s} {path:24s} {label[:90]}  {' '.join(new)}")


# --- noise on the samples ---------------------------------------------------------------------------

def sample_noise(docs: list[Document], playbook: Playbook | None = None) -> tuple[int, int, int, int, list[str]]:
    """On the samples (documents named like ``samples/*.expected.json``'s ``file``): ``(right fields,
    right fields flagged, right stated fields, right stated fields flagged, flagged list)``. A field is
    right by ``scripts/compare_samples.compare``; flagged when a warning/error finding is on its path."""
    from compare_samples import compare

    want = {}
    for p in sorted((REPO / "samples").glob("*.expected.json")):
        w = json.loads(p.read_text())
        want[w["file"]] = w
    right = right_flagged = stated = stated_flagged = 0
    names: list[str] = []
    for d in sorted(docs, key=lambda d: d.name):
        w = want.get(Path(d.name).name)
        if w is None:
            continue
        findings = evaluate(d.extraction, d.source, playbook=playbook)
        paths = {f.field_path.split("[")[0].split(".")[0] for f in findings if f.severity in ("warning", "error")}
        for fld, (ok, got, exp) in compare(d.extraction, w).items():
            if not ok and not (exp in ("None", "null") and got in ("None", "null")):
                continue
            right += 1
            hit = fld in paths
            right_flagged += hit
            if got not in ("None", "null", ""):
                stated += 1
                stated_flagged += hit
            if hit:
                names.append(f"{Path(d.name).name}:{fld} " + "; ".join(
                    f"{f.rule_id} {f.message[:90]}" for f in findings
                    if f.field_path.split("[")[0].split(".")[0] == fld and f.severity in ("warning", "error")))
    return right, right_flagged, stated, stated_flagged, names


# --- loading extractions ---------------------------------------------------------------------------

def replay_documents(pdfs: list[Path], replay_dir: Path, model: str) -> list[Document]:
    """Ingest ``pdfs`` into a fresh temporary SQLite database and extract them by replaying the answers
    recorded in ``replay_dir`` (as ``scripts/eval_cuad.py``). A document whose answers are not recorded
    is skipped with a message on stderr."""
    from pipeline import Settings, extract_document, ingest_file
    from pipeline.llm import ReplayMiss, make_backend
    from pipeline.store import Document as DocRow
    from pipeline.store import make_engine, source_document, transaction, upgrade

    work = Path(tempfile.mkdtemp(prefix="cw-mutation-"))
    settings = Settings(data_dir=work, backend="replay", model=model, replay_dir=replay_dir)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    backend = make_backend(settings)
    out = []
    for pdf in pdfs:
        res = ingest_file(engine, pdf, settings)
        if res.status not in ("ingested", "extracted"):
            print(f"{pdf.name}: not ingested ({res.status}: {res.message})", file=sys.stderr)
            continue
        try:
            run = extract_document(engine, res.document_id, backend, settings)
        except ReplayMiss:
            print(f"{pdf.name}: answers not recorded in {replay_dir}; skipped", file=sys.stderr)
            continue
        if run.extraction is None:
            print(f"{pdf.name}: extraction {run.status}; skipped", file=sys.stderr)
            continue
        with transaction(engine) as s:
            src = source_document(s, s.get(DocRow, res.document_id))
        out.append(Document(pdf.name, ContractExtraction.model_validate(run.extraction), src))
    engine.dispose()
    return out


def db_documents(url: str) -> list[Document]:
    """The latest extraction of every document stored at ``url`` (documents never extracted are skipped)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.store import Document as DocRow
    from pipeline.store import latest_extraction, make_engine, source_document

    engine = make_engine(url)
    out = []
    with Session(engine) as s:
        for row in s.scalars(select(DocRow).order_by(DocRow.file_name, DocRow.id)):
            x = latest_extraction(s, row.id)
            if x is not None:
                out.append(Document(row.file_name, x, source_document(s, row)))
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cuad", action="store_true", help="replay the 10 CUAD contracts of scripts/eval_cuad.py")
    ap.add_argument("--samples", action="store_true", help="replay samples/*.pdf from tests/recordings/samples")
    ap.add_argument("--db", action="append", default=[], help="database URL with stored extraction runs")
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--playbook", help="also evaluate with a playbook: 'default' or a YAML file")
    ap.add_argument("--per-field", type=int, default=3, help="kind (b) mutations per field (default 3)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--show-missed", action="store_true")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    if not (args.cuad or args.samples or args.db):
        args.cuad = args.samples = True

    groups: dict[str, list[Document]] = {}
    if args.cuad:
        from eval_cuad import RECORDINGS, select_contracts

        groups["CUAD (10 contracts, replayed)"] = replay_documents(
            [c["pdf"] for c in select_contracts(10)], RECORDINGS, args.model)
    if args.samples:
        groups["samples (replayed)"] = replay_documents(sorted((REPO / "samples").glob("*.pdf")),
                                                        SAMPLES_RECORDINGS, args.model)
    for url in args.db:
        groups[f"db {url}"] = db_documents(url)

    playbooks: list[tuple[str, Playbook | None]] = [("built-in rules", None)]
    if args.playbook:
        path = DEFAULT_PLAYBOOK if args.playbook == "default" else Path(args.playbook)
        playbooks.append((f"built-in rules + playbook {path.name}", load_playbook(path)))

    report: dict = {}
    all_docs: list[Document] = []
    for docs in groups.values():  # a document replayed and also read from a database counts once
        all_docs.extend(d for d in docs if d.name not in {a.name for a in all_docs})
    for pb_name, pb in playbooks:
        for g, docs in [*groups.items(), ("all documents", all_docs)]:
            if not docs or (g == "all documents" and len(groups) < 2):
                continue
            t = check(docs, playbook=pb, per_field=args.per_field, seed=args.seed)
            print_tally(f"{g}: {len(docs)} documents; {pb_name}", t, args.show_missed)
            report[f"{g} | {pb_name}"] = {
                "documents": [d.name for d in docs], "fields": t.fields, "clean": t.clean,
                "rows": {f"{ft} ({k})": {"mutations": t.mutations[(ft, k)], "caught": t.caught[(ft, k)],
                                         "rules": dict(t.rules[(ft, k)])} for ft in FIELD_TYPES for k in KINDS},
                "missed": t.missed}
        sample_docs = [d for d in all_docs if (REPO / "samples" / Path(d.name).name).with_suffix(".expected.json")
                       .exists()]
        seen: set[str] = set()
        sample_docs = [d for d in sample_docs if not (Path(d.name).name in seen or seen.add(Path(d.name).name))]
        if sample_docs:
            r, rf, st, sf, names = sample_noise(sample_docs, pb)
            print(f"\nclean fields flagged on the samples ({len(sample_docs)} documents; {pb_name}): "
                  f"{rf}/{r} = {_share(rf, r)} of right fields; {sf}/{st} = {_share(sf, st)} of right stated fields")
            for n in names:
                print(f"  {n}")
            report[f"samples noise | {pb_name}"] = {"right": r, "right_flagged": rf, "stated": st,
                                                   "stated_flagged": sf, "flagged": names}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
