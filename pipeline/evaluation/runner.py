"""The evaluation stage: a labelled set through the whole pipeline on a workspace database, scored.

:func:`run_eval` does, for each :class:`~pipeline.evaluation.labels.LabelledDocument`:

1. ingest (read, check, chunk) into a **workspace** database, a fresh SQLite file ``eval-<run id>.db`` under
   ``workdir``, which is kept, so that its extractions can be opened afterwards with
   ``CLAUSEWISE_DATABASE_URL=sqlite:///<file> clausewise show DOC``. Without ``workdir`` the workspace is a new
   temporary folder that is removed when :func:`run_eval` returns or raises (a failed run, Ctrl-C), unless
   ``keep_workspace``; the result's ``workspace`` is then ``None``. The user's own database is untouched
   and a document ingested there before is read again here;
2. extract with the configured backend and verify with the playbook (:func:`pipeline.extract_document`,
   :func:`pipeline.verify_document`), as ``clausewise ingest`` does;
3. score the extraction against the gold values (:func:`~pipeline.evaluation.scoring.score`) and mark each
   scored field flagged or not twice: by the findings with the playbook (as verify stored them) and by the
   built-in rules alone (:func:`rules.evaluate` without a playbook), so that integrity and policy can be
   told apart.

A document that cannot be read or extracted is kept: it is scored as an empty extraction (a labelled value
counts as missing), it has no findings, and it counts as a document to review. Replay misses and backend
set-up errors (model not installed) propagate: the figures of a set with a hole are not figures.

Speed is the model's own latency as the backend reports it (a replay reports the recording's): seconds per
page per document (model seconds ÷ pages) with p50 and p95 across documents (linear interpolation between
the closest ranks), model calls, input and output tokens per page, failed chunks. Cost per 1,000 pages comes
from :mod:`pipeline.evaluation.prices`.

Reading figures (:func:`reading_figures`; tokens counted with the configured model's tokenizer): the values
filled by code per field (found or computed by a reader, not cited by the model) and how many are right;
spans found in the cited sentences (of the model's citations with a span, those whose match is exact,
normalized or fuzzy); chunk tokens including the overlap ÷ document tokens; the prompt overhead tokens per
call, from the prompt text and as measured (input tokens less the numbered chunk text, so it includes the
chat template, and a chunk split again counts its text twice); output tokens per extracted value.

:func:`store_eval_run` stores the result in the configured database (table ``eval_runs``) with an
``eval.run`` audit event in the same transaction.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

import audit
from pipeline.evaluation.labels import FIELD_LABELS, SCORED_FIELDS, LabelledDocument
from pipeline.evaluation.prices import Price, cost_per_1000_pages, load_prices
from pipeline.evaluation.scoring import score, value_text
from pipeline.evaluation.trust import FieldRecord, TrustSummary, field_records, summarize
from pipeline.extract import ExtractionError, extract_document
from pipeline.extraction import PROMPT_VERSION, iter_evidence, numbered_text, prompt_overhead_text
from pipeline.ingest import ingest_file
from pipeline.llm import make_backend
from pipeline.reading import tokenizer_for
from pipeline.review import field_rows
from pipeline.settings import Settings
from pipeline.store import Chunk, Document, EvalRun, make_engine, source_document, transaction, upgrade, utcnow
from pipeline.verify import NothingToVerify, verify_document
from rules import DEFAULT_PLAYBOOK, Playbook, evaluate, load_playbook
from rules.text import split_sentences
from schemas import ContractExtraction, Finding

ROUTING_SEVERITIES = ("warning", "error")
"""Severities that send a field to review (info findings route nothing, as in :func:`rules.review_fields`)."""


@dataclass
class FieldResult:
    """One scored field of one document: the outcome, whether a finding flags it (built-in rules alone, and
    with the playbook), whether a completeness rule flags it, and what was extracted (display value, the
    cited text) next to the gold value. ``computed``: the value was found or computed by code (a reader, or
    e.g. the expiration date from the effective date and the initial term), not cited by the model."""

    outcome: str
    flagged_builtin: bool
    flagged_playbook: bool
    completeness_flagged: bool
    got: str | None
    gold: str | None
    quote: str | None
    page: int | None
    computed: bool = False


@dataclass
class DocumentResult:
    """One document of the set: file, pages, what the pipeline made of it and its scored fields.

    ``status``: the document's state after verification (``auto_accepted`` | ``needs_review``), or ``failed``
    / ``needs_ocr`` / ``needs_password`` with ``reason`` (``duplicate``: the same bytes as an earlier document of
    the set, not read again); ``run_status``: the extraction run's (``complete`` |
    ``partial`` | ``failed``, ``None`` when never extracted). ``model_seconds``: the model's latency summed
    over the calls (seconds); the ``second_pass_*`` counts are the part of the calls, tokens and model seconds
    that went to second-pass questions (:mod:`pipeline.extraction.second_pass`), ``second_pass_answered`` the
    questions answered with a value. Findings are ``{"rule_id", "severity", "field_path", "message"}`` dicts.

    Reading counts (0 for a document not read): ``values``: values extracted (the single-valued fields not
    found or computed by code, and every party, fee, obligation, termination right and key date);
    ``cited_values``: the model's citations with a span; ``spans_found``: of those, the spans found in the
    cited sentences (match exact, normalized or fuzzy); ``document_tokens``: tokens of the document's text;
    ``chunk_tokens``: tokens of its chunks, overlap included; ``chunk_text_tokens``: tokens of the chunks'
    numbered sentences as the prompt holds them.
    """

    name: str
    path: str
    pages: int
    status: str
    run_status: str | None = None
    reason: str | None = None
    document_id: str | None = None
    chunks: int = 0
    failed_chunks: int = 0
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    model_seconds: float = 0.0
    second_pass_calls: int = 0
    second_pass_answered: int = 0
    second_pass_input_tokens: int = 0
    second_pass_output_tokens: int = 0
    second_pass_seconds: float = 0.0
    fields: dict[str, FieldResult] = field(default_factory=dict)
    findings_builtin: list[dict[str, Any]] = field(default_factory=list)
    findings_playbook: list[dict[str, Any]] = field(default_factory=list)
    to_review_builtin: bool = True
    to_review_playbook: bool = True
    values: int = 0
    cited_values: int = 0
    spans_found: int = 0
    document_tokens: int = 0
    chunk_tokens: int = 0
    chunk_text_tokens: int = 0

    @property
    def seconds_per_page(self) -> float | None:
        """Model seconds ÷ pages; ``None`` for a document with no pages."""
        return self.model_seconds / self.pages if self.pages else None


@dataclass
class EvalResult:
    """A whole evaluation run: what was measured with what, per document, and the summaries.

    ``builtin`` and ``playbook`` are the trust summaries (:class:`~pipeline.evaluation.trust.TrustSummary`)
    with the built-in rules alone and with the playbook; ``speed``, ``cost`` and ``reading`` plain dicts (see
    :func:`speed_figures`, :func:`pipeline.evaluation.prices.cost_per_1000_pages`, :func:`reading_figures`);
    ``labels`` the display label of each scored field; ``workspace`` the SQLite file the documents were
    processed in, kept after the run, or ``None`` when it was a temporary folder removed when the run ended.
    """

    id: str
    created_at: datetime
    set_name: str
    selection: dict[str, Any]
    settings: dict[str, Any]
    backend: str
    model: str
    model_sha256: str | None
    prompt_version: str
    playbook: str
    workspace: str | None
    fields: list[str]
    labels: dict[str, str]
    documents: list[DocumentResult]
    builtin: TrustSummary
    playbook_summary: TrustSummary
    speed: dict[str, Any]
    cost: dict[str, Any]
    reading: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-serialisable values (timestamps ISO 8601 UTC)."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "set": self.set_name,
            "selection": self.selection,
            "settings": self.settings,
            "backend": self.backend,
            "model": self.model,
            "model_sha256": self.model_sha256,
            "prompt_version": self.prompt_version,
            "playbook": self.playbook,
            "workspace": self.workspace,
            "fields": self.fields,
            "labels": self.labels,
            "summary": {"builtin": self.builtin.to_dict(), "playbook": self.playbook_summary.to_dict()},
            "speed": self.speed,
            "cost": self.cost,
            "reading": self.reading,
            "documents": [
                {**{k: v for k, v in asdict(d).items() if k != "fields"},
                 "seconds_per_page": d.seconds_per_page,
                 "fields": {f: asdict(r) for f, r in d.fields.items()}}
                for d in self.documents
            ],
        }


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values`` by linear interpolation between the closest ranks (numpy's
    default method); ``None`` for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def speed_figures(documents: list[DocumentResult]) -> dict[str, Any]:
    """Totals and per-page figures over ``documents``: ``documents``, ``pages``, ``model_seconds``,
    ``seconds_per_page`` (all model seconds ÷ all pages), ``seconds_per_page_p50`` / ``_p95`` (across
    documents with pages), ``calls``, ``input_tokens``, ``output_tokens``, ``input_tokens_per_page``,
    ``output_tokens_per_page``, ``chunks``, ``failed_chunks``, ``failed_documents``; ``second_pass``: the
    second-pass questions' ``calls``, ``answered`` (with a value), and per page ``calls_per_page``,
    ``input_tokens_per_page``, ``output_tokens_per_page``, ``seconds_per_page`` (model seconds), all
    included in the totals above."""
    pages = sum(d.pages for d in documents)
    per_doc = [d.seconds_per_page for d in documents if d.seconds_per_page is not None]
    seconds = sum(d.model_seconds for d in documents)
    tin, tout = sum(d.input_tokens for d in documents), sum(d.output_tokens for d in documents)
    return {
        "documents": len(documents),
        "pages": pages,
        "model_seconds": round(seconds, 3),
        "seconds_per_page": seconds / pages if pages else None,
        "seconds_per_page_p50": percentile(per_doc, 0.5),
        "seconds_per_page_p95": percentile(per_doc, 0.95),
        "calls": sum(d.calls for d in documents),
        "input_tokens": tin,
        "output_tokens": tout,
        "input_tokens_per_page": tin / pages if pages else None,
        "output_tokens_per_page": tout / pages if pages else None,
        "chunks": sum(d.chunks for d in documents),
        "failed_chunks": sum(d.failed_chunks for d in documents),
        "failed_documents": sum(1 for d in documents if d.run_status in (None, "failed")),
        "second_pass": {
            "calls": sum(d.second_pass_calls for d in documents),
            "answered": sum(d.second_pass_answered for d in documents),
            "calls_per_page": sum(d.second_pass_calls for d in documents) / pages if pages else None,
            "input_tokens_per_page": sum(d.second_pass_input_tokens for d in documents) / pages if pages else None,
            "output_tokens_per_page": sum(d.second_pass_output_tokens for d in documents) / pages if pages else None,
            "seconds_per_page": sum(d.second_pass_seconds for d in documents) / pages if pages else None,
        },
    }


def reading_figures(documents: list[DocumentResult], *, prompt_overhead_tokens: int | None = None,
                    fields: list[str] | None = None) -> dict[str, Any]:
    """How the documents were read, over ``documents`` (see :class:`DocumentResult` for the counts):

    - ``filled_by_code``: field → ``{"values", "answered", "right"}`` for each field of ``fields`` (default:
      every scored field) with a value found or computed by code: such values, those whose gold has a value
      (right, wrong or missing), and those right;
    - ``values``, ``cited_values``, ``spans_found`` and ``spans_found_share`` (spans found ÷ cited values);
    - ``document_tokens``, ``chunk_tokens`` and ``chunk_overlap_ratio`` (chunk tokens, overlap included, ÷
      document tokens);
    - ``prompt_overhead_tokens``: the tokens of the prompt text around the contract text
      (:func:`pipeline.extraction.prompt_overhead_text`; ``None`` when not counted);
      ``prompt_overhead_tokens_measured``: (input tokens − numbered chunk text tokens) ÷ model calls, the
      chunks' calls only (second-pass questions left out), which includes the chat template, and a chunk
      split again counts its text twice;
    - ``output_tokens_per_value``: output tokens ÷ ``values``.

    Ratios are ``None`` when their denominator is 0."""
    names = fields if fields is not None else list(dict.fromkeys(f for d in documents for f in d.fields))
    by_code: dict[str, dict[str, int]] = {}
    for f in names:
        filled = [d.fields[f] for d in documents if f in d.fields and d.fields[f].computed]
        if filled:
            by_code[f] = {"values": len(filled),
                          "answered": sum(r.outcome in ("right", "wrong", "missing") for r in filled),
                          "right": sum(r.outcome == "right" for r in filled)}
    total = {k: sum(getattr(d, k) for d in documents) for k in (
        "values", "cited_values", "spans_found", "document_tokens", "chunk_tokens", "chunk_text_tokens",
        "calls", "input_tokens", "output_tokens", "second_pass_calls", "second_pass_input_tokens")}
    chunk_calls = total["calls"] - total["second_pass_calls"]
    chunk_input = total["input_tokens"] - total["second_pass_input_tokens"]
    return {
        "filled_by_code": by_code,
        "values": total["values"],
        "cited_values": total["cited_values"],
        "spans_found": total["spans_found"],
        "spans_found_share": total["spans_found"] / total["cited_values"] if total["cited_values"] else None,
        "document_tokens": total["document_tokens"],
        "chunk_tokens": total["chunk_tokens"],
        "chunk_overlap_ratio": (total["chunk_tokens"] / total["document_tokens"]
                                if total["document_tokens"] else None),
        "prompt_overhead_tokens": prompt_overhead_tokens,
        "prompt_overhead_tokens_measured": ((chunk_input - total["chunk_text_tokens"]) / chunk_calls
                                            if chunk_calls else None),
        "output_tokens": total["output_tokens"],
        "output_tokens_per_value": total["output_tokens"] / total["values"] if total["values"] else None,
    }


def _value_counts(x: ContractExtraction) -> tuple[int, int, int]:
    """(values extracted, the model's citations with a span, of those the spans found in the cited
    sentences): see :class:`DocumentResult`; values found or computed by code are not the model's."""
    values = sum(1 for f in x.SINGLE_VALUED
                 if getattr(x, f) is not None and not getattr(getattr(x, f), "computed", False))
    values += len(x.parties) + len(x.fees) + len(x.obligations) + len(x.termination_rights) + len(x.key_dates)
    cited = found = 0
    for holder in iter_evidence(x):
        if getattr(holder, "computed", False):
            continue
        e = holder.evidence
        if e.span:
            cited += 1
            found += int(e.match is not None and e.match.value in ("exact", "normalized", "fuzzy"))
    return values, cited, found


def _computed(x: ContractExtraction, name: str) -> bool:
    """The value of field ``name`` was found or computed by code (parties never are)."""
    claim = getattr(x, name, None)
    return claim is not None and not isinstance(claim, list) and bool(getattr(claim, "computed", False))


def _token_counts(engine: Engine, document_id: str, tokenizer: Any) -> tuple[int, int, int]:
    """(document tokens, chunk tokens with overlap, numbered chunk text tokens) of a stored document."""
    with transaction(engine) as s:
        doc = s.get(Document, document_id)
        chunks = list(s.scalars(select(Chunk).where(Chunk.document_id == document_id).order_by(Chunk.seq)))
        numbered = sum(tokenizer.count(numbered_text(split_sentences(c.text, base=c.start))) for c in chunks)
        return tokenizer.count(doc.text or ""), sum(c.token_count for c in chunks), numbered


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"rule_id": f.rule_id, "severity": f.severity.value, "field_path": f.field_path, "message": f.message}


def _routing(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity.value in ROUTING_SEVERITIES]


def _cited(x: ContractExtraction, name: str) -> tuple[str | None, int | None]:
    """(cited text, page) of field ``name`` as the review screens show them; ``None``s when the extraction
    states no value for it (several values, e.g. parties: their distinct quotes joined by `` | ``)."""
    rows = [r for r in field_rows(x) if r.path == name or r.path.startswith(name + "[")]
    quotes = [r.quote for r in rows if r.quote]
    return (" | ".join(dict.fromkeys(quotes)) or None), (rows[0].page if rows else None)


def _scored_fields(docs: list[LabelledDocument], labels: dict[str, str]) -> list[str]:
    """The fields the gold values name, in the set's display order, then in :data:`SCORED_FIELDS` order."""
    seen = set(f for d in docs for f in d.gold)
    order = [*labels, *(f for f in SCORED_FIELDS if f not in labels)]
    return [f for f in order if f in seen] + sorted(seen - set(order))


def _document(d: LabelledDocument, engine: Engine, backend: Any, settings: Settings, playbook: Playbook,
              tokenizer: Any, run_id: str) -> tuple[DocumentResult, ContractExtraction, list[Finding], list[Finding]]:
    out = ingest_file(engine, d.path, settings, tokenizer=tokenizer, run_id=run_id)
    res = DocumentResult(name=d.name, path=str(d.path), pages=out.pages or (d.pages or 0), status=out.status,
                         reason=out.reason, document_id=out.document_id, chunks=out.chunks)
    x = ContractExtraction()
    builtin: list[Finding] = []
    with_playbook: list[Finding] = []
    if out.already:  # the same bytes as an earlier document of the set: scored as not read
        res.status, res.reason = "duplicate", f"the same bytes as an earlier document ({out.message})"
        return res, x, builtin, with_playbook
    if out.status != "ingested" or out.document_id is None:
        res.reason = out.reason or out.message
        return res, x, builtin, with_playbook
    res.document_tokens, res.chunk_tokens, res.chunk_text_tokens = _token_counts(engine, out.document_id, tokenizer)
    try:
        run = extract_document(engine, out.document_id, backend, settings)
    except ExtractionError as exc:
        res.status, res.reason = "failed", str(exc)
        return res, x, builtin, with_playbook
    outcomes = run.chunk_outcomes or []
    res.run_status = run.status
    res.chunks = len(outcomes)
    res.failed_chunks = sum(1 for o in outcomes if o.get("status") == "failed")
    res.calls = sum(o.get("calls", 0) for o in outcomes)
    res.model_seconds = sum(o.get("model_seconds", 0.0) for o in outcomes)
    res.input_tokens, res.output_tokens = run.input_tokens, run.output_tokens
    asked = [q for o in outcomes for q in o.get("second_pass") or []]
    res.second_pass_calls = len(asked)
    res.second_pass_answered = sum(q.get("status") == "answered" for q in asked)
    res.second_pass_input_tokens = sum(q.get("input_tokens", 0) for q in asked)
    res.second_pass_output_tokens = sum(q.get("output_tokens", 0) for q in asked)
    res.second_pass_seconds = sum(q.get("model_seconds", 0.0) for q in asked)
    if run.status == "failed" or run.extraction is None:  # no chunk was read: nothing to verify
        with transaction(engine) as s:
            doc = s.get(Document, out.document_id)
            res.status, res.reason = doc.status, doc.status_message
        return res, x, builtin, with_playbook
    x = ContractExtraction.model_validate(run.extraction)
    res.values, res.cited_values, res.spans_found = _value_counts(x)
    try:
        verified = verify_document(engine, out.document_id, settings, playbook=playbook)
    except NothingToVerify as exc:  # pragma: no cover - the run above stored an extraction
        res.status, res.reason = "failed", str(exc)
        return res, x, builtin, with_playbook
    with transaction(engine) as s:
        source = source_document(s, s.get(Document, out.document_id))
    with_playbook = verified.findings
    builtin = evaluate(x, source)
    res.status = verified.status
    res.to_review_playbook = verified.status == "needs_review"
    res.to_review_builtin = bool(_routing(builtin)) or settings.review_all
    return res, x, builtin, with_playbook


def run_eval(docs: list[LabelledDocument], settings: Settings, *, set_name: str, playbook: Playbook | None = None,
             workdir: Path | None = None, keep_workspace: bool = False, selection: dict[str, Any] | None = None,
             prices: dict[str, Price] | None = None, labels: dict[str, str] | None = None,
             on_document: Callable[[DocumentResult], None] | None = None) -> EvalResult:
    """Run the pipeline on ``docs`` with the backend ``settings`` configure and score it (see the module doc).

    ``workdir``: the folder of the workspace database (made when missing, kept afterwards); without it a new
    temporary folder (:func:`tempfile.mkdtemp`, prefix ``clausewise-eval-``) that is removed with everything in
    it when this function returns or raises, KeyboardInterrupt included, unless ``keep_workspace``. The
    result's ``workspace`` names the database file when it is kept (or a temporary folder could not be
    removed), else it is ``None``.
    ``playbook``: the playbook verify uses (default: the configured one, ``settings.playbook`` or the shipped
    default); ``selection``: how ``docs`` were chosen, stored with the run; ``prices``: the price table
    (default: the shipped one); ``labels``: a display label per field, in report order (default: the set's,
    :data:`~pipeline.evaluation.labels.FIELD_LABELS`; a field without one shows its name); ``on_document``:
    called after each document (progress output).

    Raises:
        pipeline.llm.ReplayMiss: the replay backend has no recorded answer for a chunk.
        pipeline.llm.ModelRegistryError: the configured model is not installed.
        audit.AuditWriteError: an audit event of the workspace could not be written.
    """
    if workdir is not None:
        folder = Path(workdir)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = False
    else:
        folder = Path(tempfile.mkdtemp(prefix="clausewise-eval-"))
        temporary = not keep_workspace
    try:
        result = _run(docs, settings, set_name=set_name, playbook=playbook, folder=folder, selection=selection,
                      prices=prices, labels=labels, on_document=on_document)
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    if temporary and not folder.exists():  # a folder that could not be removed is still named
        result.workspace = None
    return result


def _run(docs: list[LabelledDocument], settings: Settings, *, set_name: str, playbook: Playbook | None,
         folder: Path, selection: dict[str, Any] | None, prices: dict[str, Price] | None,
         labels: dict[str, str] | None, on_document: Callable[[DocumentResult], None] | None) -> EvalResult:
    """:func:`run_eval` in the workspace folder ``folder``, which exists; the engine of the workspace database
    is disposed of before it returns or raises, so that the folder can be removed."""
    run_id = str(uuid.uuid4())
    created = utcnow()
    playbook_path = Path(settings.playbook or DEFAULT_PLAYBOOK)
    playbook = playbook if playbook is not None else load_playbook(playbook_path)
    if getattr(playbook, "path", None):
        playbook_path = Path(playbook.path)
    workspace = (folder / f"eval-{run_id}.db").resolve()
    work_settings = settings.model_copy(update={"database_url": f"sqlite:///{workspace}"})
    engine = make_engine(work_settings.effective_database_url)
    documents: list[DocumentResult] = []
    records_builtin: list[FieldRecord] = []
    records_playbook: list[FieldRecord] = []
    try:
        upgrade(engine)
        backend = make_backend(work_settings)
        tok = tokenizer_for(work_settings)
        overhead = tok.count(prompt_overhead_text())
        labels = dict(labels if labels is not None else FIELD_LABELS.get(set_name, {}))
        fields = _scored_fields(docs, labels)
        for d in docs:
            res, x, builtin, with_playbook = _document(d, engine, backend, work_settings, playbook, tok, run_id)
            outcomes = score(d.gold, x)
            by_builtin = field_records(d.name, outcomes, builtin)
            by_playbook = field_records(d.name, outcomes, with_playbook)
            for rb, rp in zip(by_builtin, by_playbook, strict=True):
                quote, page = _cited(x, rb.field)
                res.fields[rb.field] = FieldResult(rb.outcome, rb.flagged, rp.flagged, rp.completeness_flagged,
                                                   value_text(x, rb.field), d.gold[rb.field].text, quote, page,
                                                   computed=_computed(x, rb.field))
            records_builtin.extend(by_builtin)
            records_playbook.extend(by_playbook)
            res.findings_builtin = [_finding_dict(f) for f in builtin]
            res.findings_playbook = [_finding_dict(f) for f in with_playbook]
            documents.append(res)
            if on_document is not None:
                on_document(res)
    finally:
        engine.dispose()

    n = len(documents)
    builtin_summary = summarize(records_builtin, n, sum(d.to_review_builtin for d in documents),
                                sum(len(_routing_dicts(d.findings_builtin)) for d in documents))
    playbook_summary = summarize(records_playbook, n, sum(d.to_review_playbook for d in documents),
                                 sum(len(_routing_dicts(d.findings_playbook)) for d in documents))
    speed = speed_figures(documents)
    cost = cost_per_1000_pages(backend.model_id, prices if prices is not None else load_prices(),
                               backend=settings.backend, pages=speed["pages"], input_tokens=speed["input_tokens"],
                               output_tokens=speed["output_tokens"], model_seconds=speed["model_seconds"],
                               n_threads=settings.n_threads)
    return EvalResult(
        id=run_id, created_at=created, set_name=set_name, selection=dict(selection or {}),
        settings=settings.masked(), backend=backend.provider, model=backend.model_id,
        model_sha256=backend.model_sha256, prompt_version=PROMPT_VERSION, playbook=str(playbook_path),
        workspace=str(workspace), fields=fields, labels={f: labels.get(f, f) for f in fields}, documents=documents,
        builtin=builtin_summary, playbook_summary=playbook_summary, speed=speed, cost=cost,
        reading=reading_figures(documents, prompt_overhead_tokens=overhead, fields=fields),
    )


def _routing_dicts(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["severity"] in ROUTING_SEVERITIES]


def store_eval_run(engine: Engine, result: EvalResult, *, actor: str = "system") -> None:
    """Store ``result`` as one ``eval_runs`` row (the whole :meth:`EvalResult.to_dict` as its summary) and
    append an ``eval.run`` audit event (``run_id``: the eval run's id) in the same transaction.

    Raises:
        audit.AuditWriteError: the event could not be written (the row is not stored either).
    """
    summary = result.to_dict()
    with transaction(engine, immediate=True) as s:
        s.add(EvalRun(id=result.id, created_at=result.created_at, set_name=result.set_name,
                      selection=result.selection, settings=result.settings, backend=result.backend,
                      model=result.model, model_sha256=result.model_sha256, prompt_version=result.prompt_version,
                      summary=summary))
        s.flush()
        audit.append(s, type=audit.events.EVAL_RUN, actor=actor, run_id=result.id, payload={
            "set": result.set_name,
            "selection": result.selection,
            "documents": len(result.documents),
            "backend": result.backend,
            "model": result.model,
            "model_sha256": result.model_sha256,
            "prompt_version": result.prompt_version,
            "figures": {"builtin": _headline(summary["summary"]["builtin"]),
                        "playbook": _headline(summary["summary"]["playbook"])},
        })


def _headline(summary: dict[str, Any]) -> dict[str, Any]:
    """The overall counts and the two trust rates of a :meth:`TrustSummary.to_dict`, for the audit event."""
    overall = summary.get("overall", {})
    keep = ("right", "wrong", "missing", "invented", "absent", "unlabelled", "auto_accept_precision", "flag_recall")
    return {k: overall[k] for k in keep if k in overall}
