"""The extraction stage: one LLM call per stored chunk → merged, normalized, grounded ContractExtraction.

This module holds the stage (database in, database out, the model calls and their audit); what it
does with the text and the answers is pure and lives in :mod:`pipeline.extraction`.

Flow of :func:`extract_document`:

1. Read the document, its pages and chunks (one short read transaction).
2. For every chunk: split its text into sentences (ids 1..n, chunk-local), send them numbered
   inside ``<contract>`` in the user message (:mod:`pipeline.extraction.prompts`), get a
   :class:`schemas.chunk_output.ChunkExtraction`. The chunks' calls run together through the caller's
   :class:`pipeline.llm.CallPool` (at most its size in flight, shared with other documents), one after the
   other without one; the answers are merged in chunk order either way.

   - Every attempt is audited: ``llm.request`` (full messages, GenAI attributes) before the call,
     then per attempt its transport retries (``llm.retry``: HTTP status, ``Retry-After``, seconds waited,
     try number; :data:`LLM_RETRY`), ``llm.response`` (raw text, parsed object, tokens, finish reason,
     latency, attempt number) and ``llm.error`` on failure; each in its own short transaction, never one
     held across a model call.
   - Output cut off at the token limit (:class:`pipeline.llm.base.TruncatedOutput`) is never parsed and
     never re-asked with the cut JSON: the chunk's sentences are split in two halves, each
     extracted on its own (recursively, at most ``MAX_SPLIT_DEPTH`` levels). Sentence ids keep their
     chunk-local numbers in the halves.
   - A chunk that still fails becomes a :class:`schemas.ChunkFailure` (kind ``truncated``,
     ``retries_exhausted``, ``timeout``, ``rate_limited``, ``unavailable``, ``malformed`` or ``failed``, with its reason and
     pages): nothing is
     dropped silently. Where a split half failed, the chunk counts as failed and the other half's
     values are kept (the run is then ``partial``): a list from a chunk that was not fully read is
     never stored as complete.
   - Sentences that read as instructions to a model, and the sentences continuing them in the same
     paragraph, are withheld from the model (:mod:`pipeline.extraction.withhold`): the model's input,
     and so its answer, is the same as for the document without them. The withheld spans (document
     offsets) are in the ``llm.request`` audit event and the chunk outcome; the rule engine still
     flags the passage (rule I001), so the document goes to a reviewer, who sees any value stated
     only there.
3. Values the answer copied from the prompt's worked example and the contract does not state are
   dropped as no answer and listed in the chunk outcome (:mod:`pipeline.extraction.example_leak`).
   Each answer becomes a partial extraction whose evidence is grounded in the document (quote,
   page, offsets, rectangles, match status of the span; :mod:`pipeline.extraction.partial`).
4. The partials are merged (:func:`pipeline.extraction.merge.merge_partials`) and normalized
   (:func:`pipeline.extraction.normalize_extraction`): dates and durations read from the evidence
   spans, then the field readers (:mod:`pipeline.extraction.readers`: the parties by their legal
   names, and the effective date, payment terms, fee-table rows, initial term, expiration, renewal
   and confidentiality survival the model left out and the text states), then the expiration date
   computed from effective date + initial term when none is stated.
5. The second pass (:mod:`pipeline.extraction.second_pass`, setting ``second_pass``): for each field the
   merged extraction leaves empty although a sentence seems to state it (the sentences rule K004
   reports), one small call asks the model about that sentence alone; each call is audited like a
   chunk's (``clausewise.pass`` = ``second``), recorded for replay and counted in the chunk's tokens and
   seconds (its outcome's ``second_pass`` list). The answers are merged after the chunks' (they only fill
   what is empty) and normalized again; the rule engine checks them like any value. With setting
   ``second_pass_lists``, the sentences rules K005 and K006 report are asked about too (duties and fees, at
   most one question a page).
6. A new :class:`pipeline.store.tables.ExtractionRun` is stored (status ``complete`` | ``partial`` |
   ``failed``, tokens, seconds, the extraction as JSON, chunk outcomes) and the document moves to
   ``extracted``, or to ``failed`` with reason ``extraction_failed`` when every chunk failed.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

import audit
from audit import events as ev
from pipeline.extraction import (
    PROMPT_VERSION,
    build_messages,
    chunk_to_partial,
    drop_example_values,
    ground_partial,
    merge_partials,
    model_sentences,
    normalize_extraction,
)
from pipeline.extraction import second_pass
from pipeline.llm import (
    AttemptRecord,
    Backend,
    CallPool,
    LLMError,
    LLMRequest,
    LLMResult,
    LLMTimeout,
    MalformedAnswer,
    NoProgress,
    Progress,
    RateLimited,
    ReplayMiss,
    ServiceUnavailable,
    TruncatedOutput,
    ValidationFailed,
    request_key,
)
from pipeline.settings import Settings
from pipeline.store import leases, store_answer, stored_answer, transaction
from pipeline.store import source_document
from pipeline.store import DocumentStatus, Reason, check_transition
from pipeline.store import Chunk, Document, ExtractionRun, utcnow
from rules.text import Sentence
from schemas import ChunkFailure, ClausewiseError, ContractExtraction, SourceDocument
from schemas import ChunkExtraction

#: Splits of a truncated chunk: depth 3 = at most 8 parts per chunk (source: a recorded failure, 60
#: obligations in one chunk against 8 obligations per answer).
MAX_SPLIT_DEPTH = 3

DOCUMENT_EXTRACTED = ev.DOCUMENT_EXTRACTED

LLM_RETRY = "llm.retry"
"""Audit event: one try of a model call that failed in transport and was tried again (before the attempt's
``llm.response``). Payload: the GenAI attributes of the call, ``attempt``, ``error.message``,
``http.response.status_code`` (``None`` when the connection dropped), ``clausewise.retry.try`` (1-based),
``clausewise.retry.wait_s`` (seconds waited), ``clausewise.retry.retry_after`` (the header as sent), and the
chunk and part."""


class ExtractionError(ClausewiseError):
    """Base error of the extraction stage."""


class DocumentNotExtractable(ExtractionError):
    """The document does not exist or is not in a state that may be extracted."""


@dataclass
class ChunkOutcome:
    """What happened to one chunk: ``status`` ok | failed; ``parts`` how many calls answered it
    (1, or more after splits); ``calls`` the model calls made in this run; ``cached`` the answers taken from
    the store instead (asked before, :meth:`_Ctx.complete`: they add no call, token or second here); ``failures`` the parts that failed (kind, reason); ``seconds`` wall
    time of its calls here; ``model_seconds`` the model's own latency as the backend reports it
    (a replay reports the recorded latency); ``example_values`` the answer values dropped as copies
    of the prompt's worked example (:func:`pipeline.extraction.drop_example_values`); ``second_pass`` one
    dict per second-pass question about a sentence of this chunk (field, sentence offsets, status
    ``answered`` | ``not_stated`` | ``not_in_sentence`` (an answer whose words the sentence does not hold,
    dropped) | ``failed``, reason, attempts, tokens, seconds), whose calls, attempts, tokens and seconds
    the chunk's totals include."""

    chunk_seq: int
    pages: list[int]
    status: str = "ok"
    parts: int = 0
    calls: int = 0
    cached: int = 0
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    model_seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)
    withheld: list[list[int]] = field(default_factory=list)
    example_values: list[dict[str, Any]] = field(default_factory=list)
    second_pass: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        reason = "; ".join(f"{f['kind']}: {f['reason']}" for f in self.failures) or None
        return {"chunk_seq": self.chunk_seq, "status": self.status, "reason": reason, "attempts": self.attempts,
                "calls": self.calls, "cached": self.cached, "parts": self.parts, "pages": self.pages,
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens, "seconds": round(self.seconds, 3),
                "model_seconds": round(self.model_seconds, 3), "failures": self.failures,
                "withheld_spans": self.withheld, "example_values_dropped": self.example_values,
                "second_pass": self.second_pass}


def _error_text(exc: BaseException) -> str:
    """The text of an error as it is stored, printed and audited: the configured secrets and secret-shaped text
    (a server may echo the API key in its error body) replaced by ``[REDACTED]`` (:func:`audit.redact_text`)."""
    return audit.redact_text(str(exc))


def _failure_kind(exc: LLMError) -> str:
    if isinstance(exc, TruncatedOutput):
        return "truncated"
    if isinstance(exc, ValidationFailed):
        return "retries_exhausted"
    if isinstance(exc, LLMTimeout):
        return "timeout"
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, ServiceUnavailable):
        return "unavailable"
    if isinstance(exc, MalformedAnswer):
        return "malformed"
    return "failed"


class _Ctx:
    """What every call of one run shares."""

    def __init__(self, engine: Engine, backend: Backend, settings: Settings, doc: SourceDocument,
                 run_id: str, actor: str, calls: CallPool, progress: Progress):
        self.engine, self.backend, self.settings, self.doc = engine, backend, settings, doc
        self.run_id, self.actor, self.calls, self.progress = run_id, actor, calls, progress

    def _payload(self, **kw: Any) -> dict[str, Any]:
        return ev.llm_payload(
            provider=self.backend.provider, request_model=self.backend.model_id,
            temperature=0.0, max_tokens=self.settings.max_output_tokens,
            **{"clausewise.prompt_version": PROMPT_VERSION, "clausewise.model_sha256": self.backend.model_sha256},
            **kw,
        )

    def audit(self, events: list[dict[str, Any]]) -> None:
        """Append events in one short transaction (never held across a model call; SQLite's write lock taken
        at its start, as several calls of a batch append at once)."""
        if not events:
            return
        with transaction(self.engine, immediate=True) as s:
            for e in events:
                audit.append(s, type=e["type"], actor=self.actor if e["type"] != ev.LLM_RESPONSE else
                             self.backend.model_id, document_id=self.doc.document_id, run_id=self.run_id,
                             payload=e["payload"])

    def complete(self, req: LLMRequest, chunk_seq: int, part: str) -> tuple[LLMResult, bool]:
        """The answer to ``req`` and whether it came from the store: the answer stored for the same request
        (:func:`pipeline.llm.request_key`; setting ``answer_cache``), else the backend's, stored the moment it
        arrives (:func:`pipeline.store.store_answer`), so a killed run resumes without asking again. A stored
        answer is audited as one ``llm.response`` with ``clausewise.cached`` true and its key. Raises what
        ``backend.complete`` raises (failed calls are not stored)."""
        key = request_key(req, self.backend.model_id, self.backend.model_sha256)
        hit = stored_answer(self.engine, key) if self.settings.answer_cache else None
        if hit is not None:
            result = LLMResult(parsed=req.response_model.model_validate(hit["parsed"]), raw_text=hit["raw_text"],
                               finish_reason=hit["finish_reason"], input_tokens=hit["input_tokens"],
                               output_tokens=hit["output_tokens"], latency_ms=hit["latency_ms"],
                               attempts=[AttemptRecord(**a) for a in hit["attempts"]])
            self.audit([{"type": ev.LLM_RESPONSE, "payload": self._payload(
                response_text=result.raw_text, parsed=hit["parsed"], attempt=len(result.attempts),
                **{"clausewise.chunk_seq": chunk_seq, "clausewise.part": part, "clausewise.cached": True,
                   "clausewise.answer_key": key})}])
            return result, True
        with self.calls.slot():
            result = self.backend.complete(req)
        store_answer(self.engine, key, result.to_dict(), document_id=self.doc.document_id, chunk_seq=chunk_seq,
                     part=part, model_id=self.backend.model_id, model_sha256=self.backend.model_sha256,
                     prompt_version=req.prompt_version, response_model=req.response_model.__name__)
        return result, False

    def attempt_events(self, attempts: list[AttemptRecord], chunk_seq: int, part: str,
                       parsed: Any = None) -> list[dict[str, Any]]:
        """The audit events of one call's attempts (:func:`audit.events.llm_attempt_events`), each attempt's
        ``llm.retry`` events (:data:`LLM_RETRY`) before its response, each payload naming the chunk and the
        split part."""
        where = {"clausewise.chunk_seq": chunk_seq, "clausewise.part": part}
        out: list[dict[str, Any]] = []
        for a in attempts:
            for r in a.retries:
                out.append({"type": LLM_RETRY, "payload": self._payload(
                    attempt=a.number, error_message=r["error"], **where,
                    **{"http.response.status_code": r["status"], "clausewise.retry.try": r["try_number"],
                       "clausewise.retry.wait_s": r["wait_s"], "clausewise.retry.retry_after": r["retry_after"]})})
            out += ev.llm_attempt_events([a], lambda **kw: self._payload(**kw, **where),
                                         parsed if a is attempts[-1] else None)
        return out


def _extract_part(ctx: _Ctx, sentences: list[Sentence], pages: list[int], chunk_seq: int, outcome: ChunkOutcome,
                  depth: int, part: str) -> list[ContractExtraction]:
    """Extract ``sentences`` (a chunk or a split part of it, ids as shown to the model); returns the
    partials that answered. Failures go to ``outcome.failures``."""
    messages = build_messages(sentences, pages)
    ctx.audit([{"type": ev.LLM_REQUEST, "payload": ctx._payload(
        messages=messages, attempt=1, **{"clausewise.chunk_seq": chunk_seq, "clausewise.part": part,
                                         "clausewise.sentences": len(sentences),
                                         "clausewise.withheld_spans": outcome.withheld})}])
    req = LLMRequest(messages=messages, response_model=ChunkExtraction, max_tokens=ctx.settings.max_output_tokens,
                     prompt_version=PROMPT_VERSION, max_attempts=ctx.settings.llm_max_attempts)
    t0 = time.perf_counter()
    try:
        result, cached = ctx.complete(req, chunk_seq, part)
    except LLMError as exc:
        outcome.calls += 1
        outcome.seconds += time.perf_counter() - t0
        outcome.model_seconds += sum(a.latency_ms for a in exc.attempts) / 1000.0
        outcome.attempts += len(exc.attempts)
        outcome.input_tokens += sum(a.input_tokens for a in exc.attempts)
        outcome.output_tokens += sum(a.output_tokens for a in exc.attempts)
        kind = _failure_kind(exc)
        split = kind == "truncated" and depth < MAX_SPLIT_DEPTH and len(sentences) > 1
        ctx.progress.chunk_answered(sum(a.input_tokens for a in exc.attempts),
                                    sum(a.output_tokens for a in exc.attempts), False, failed=not split)
        events = ctx.attempt_events(exc.attempts, chunk_seq, part)
        events.append({"type": ev.LLM_ERROR, "payload": ctx._payload(
            error_type=type(exc).__name__, error_message=_error_text(exc),
            **{"clausewise.chunk_seq": chunk_seq, "clausewise.part": part, "clausewise.failure_kind": kind,
               "clausewise.action": ("split" if kind == "truncated" and depth < MAX_SPLIT_DEPTH and
                                     len(sentences) > 1 else "record_failure")})})
        ctx.audit(events)
        if isinstance(exc, ReplayMiss):
            raise
        if kind == "truncated" and depth < MAX_SPLIT_DEPTH and len(sentences) > 1:
            mid = len(sentences) // 2
            ctx.progress.chunks_planned(2)
            return (_extract_part(ctx, sentences[:mid], pages, chunk_seq, outcome, depth + 1, part + "a")
                    + _extract_part(ctx, sentences[mid:], pages, chunk_seq, outcome, depth + 1, part + "b"))
        outcome.failures.append({"part": part, "kind": kind, "reason": _error_text(exc),
                                 "first_sentence": str(sentences[0].id), "last_sentence": str(sentences[-1].id)})
        return []
    outcome.parts += 1
    parsed = result.parsed
    if cached:
        outcome.cached += 1  # answered before: no call, no tokens, no model time in this run
        ctx.progress.chunk_answered(0, 0, True)
    else:
        outcome.calls += 1
        outcome.seconds += time.perf_counter() - t0
        outcome.model_seconds += result.latency_ms / 1000.0
        outcome.attempts += len(result.attempts)
        outcome.input_tokens += result.input_tokens
        outcome.output_tokens += result.output_tokens
        ctx.progress.chunk_answered(result.input_tokens, result.output_tokens, False)
        ctx.audit(ctx.attempt_events(result.attempts, chunk_seq, part,
                                     parsed=parsed.model_dump(mode="json") if parsed is not None else None))
    answer, dropped = drop_example_values(parsed, sentences)
    outcome.example_values.extend(dropped)
    partial = chunk_to_partial(answer, chunk_seq)
    ground_partial(partial, sentences, ctx.doc)
    return [partial]


def _ask_again(ctx: _Ctx, x: ContractExtraction, chunks: list[Chunk],
               outcomes: dict[int, ChunkOutcome]) -> list[ContractExtraction]:
    """The second pass (:mod:`pipeline.extraction.second_pass`): one call per field that ``x`` leaves empty
    although a sentence seems to state it, audited like a chunk's call (``clausewise.pass`` = ``second``);
    returns the partials that answered. A failed call leaves the field empty (rule K004 still reports it).
    The calls run through ``ctx.calls`` together; their figures go to their chunks' outcomes in question order."""
    questions = list(second_pass.questions_for(x, ctx.doc, [(c.seq, c.start) for c in chunks],
                                               lists=ctx.settings.second_pass_lists))
    ctx.progress.chunks_planned(len(questions), second_pass=True)
    asked: list[ContractExtraction] = []
    for q, (record, cached, attempts, latency, tokens, partial) in zip(
            questions, ctx.calls.map_ordered(lambda q: _ask_one(ctx, q), questions), strict=True):
        outcome = outcomes[q.chunk_seq]
        outcome.second_pass.append(record)
        if cached:
            outcome.cached += 1
        else:
            outcome.calls += 1
        outcome.seconds += record["seconds"]
        outcome.model_seconds += latency / 1000.0
        outcome.attempts += attempts
        outcome.input_tokens += tokens[0]
        outcome.output_tokens += tokens[1]
        if partial is not None:
            asked.append(partial)
    return asked


def _ask_one(ctx: _Ctx, q: Any) -> tuple[dict[str, Any], bool, int, float, tuple[int, int], ContractExtraction | None]:
    """One second-pass question, asked and audited: (its record for the chunk outcome, cached, attempts,
    model latency in ms, (input, output) tokens, the partial it answered or ``None``). Raises ReplayMiss."""
    where = {"clausewise.pass": "second", "clausewise.field": q.field,
             "clausewise.sentence_span": [q.sentence.start, q.sentence.end]}
    messages = second_pass.build_messages(q)
    ctx.audit([{"type": ev.LLM_REQUEST, "payload": ctx._payload(
        messages=messages, attempt=1, **{"clausewise.chunk_seq": q.chunk_seq, **where})}])
    req = LLMRequest(messages=messages, response_model=second_pass.answer_model(q.field),
                     max_tokens=min(ctx.settings.max_output_tokens, second_pass.MAX_TOKENS),
                     prompt_version=second_pass.SECOND_PASS_VERSION, max_attempts=ctx.settings.llm_max_attempts)
    record: dict[str, Any] = {"field": q.field, "sentence": [q.sentence.start, q.sentence.end]}
    t0 = time.perf_counter()
    cached = False
    try:
        result, cached = ctx.complete(req, q.chunk_seq, f"second:{q.field}")
    except LLMError as exc:
        attempts = exc.attempts
        events = ctx.attempt_events(attempts, q.chunk_seq, "second")
        events.append({"type": ev.LLM_ERROR, "payload": ctx._payload(
            error_type=type(exc).__name__, error_message=_error_text(exc),
            **{"clausewise.chunk_seq": q.chunk_seq, "clausewise.failure_kind": _failure_kind(exc), **where})})
        ctx.audit(events)
        if isinstance(exc, ReplayMiss):
            raise
        record.update(status="failed", reason=f"{_failure_kind(exc)}: {_error_text(exc)}")
        latency = sum(a.latency_ms for a in attempts)
        tokens = (sum(a.input_tokens for a in attempts), sum(a.output_tokens for a in attempts))
        partial = None
    else:
        attempts, latency = result.attempts, result.latency_ms
        tokens = (result.input_tokens, result.output_tokens)
        if cached:  # answered before: no call, no tokens, no model time in this run
            attempts, latency, tokens = [], 0.0, (0, 0)
        else:
            ctx.audit(ctx.attempt_events(attempts, q.chunk_seq, "second",
                                         parsed=result.parsed.model_dump(mode="json")))
        partial = second_pass.answer_to_partial(q, result.parsed, ctx.doc)
        stated = bool(getattr(result.parsed, q.field, None))  # null or [] is "not stated"
        record.update(status="answered" if partial is not None else ("not_in_sentence" if stated else "not_stated"),
                      reason=None)
    ctx.progress.chunk_answered(tokens[0], tokens[1], cached, failed=record["status"] == "failed",
                                second_pass=True)
    seconds = 0.0 if cached else time.perf_counter() - t0
    record.update(attempts=len(attempts), input_tokens=tokens[0], output_tokens=tokens[1], seconds=round(seconds, 3),
                  model_seconds=round(latency / 1000.0, 3), cached=cached)
    return record, cached, len(attempts), latency, tokens, partial


def _load(engine: Engine, document_id: str) -> tuple[SourceDocument, list[Chunk], int, str]:
    with transaction(engine) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise DocumentNotExtractable(f"no document {document_id}")
        try:
            check_transition(doc.status, DocumentStatus.EXTRACTED)
        except ValueError as exc:
            raise DocumentNotExtractable(f"document {document_id[:12]} is {doc.status}: {exc}") from None
        chunks = list(s.scalars(select(Chunk).where(Chunk.document_id == document_id).order_by(Chunk.seq)))
        for c in chunks:
            s.expunge(c)
        pages = doc.page_count or len({p for c in chunks for p in range(c.page_start, c.page_end + 1)})
        return source_document(s, doc), chunks, pages, doc.status


def extract_document(engine: Engine, document_id: str, backend: Backend, settings: Settings, *,
                     actor: str = "system", holder: str | None = None, calls: CallPool | None = None,
                     progress: Progress | None = None) -> ExtractionRun:
    """Extract every chunk of ``document_id`` with ``backend`` and store a new ExtractionRun.

    ``calls``: the pool the model calls run through (:class:`pipeline.llm.CallPool`; shared by the documents
    of a batch, so its size bounds the calls in flight); ``None``: one call at a time in this thread.
    ``progress`` (:class:`pipeline.llm.Progress`) hears of the calls planned and ended.

    Returns the stored run (detached) with ``status`` complete | partial | failed, ``input_tokens`` /
    ``output_tokens`` (summed over every attempt), ``seconds`` (wall time of the model calls),
    ``extraction`` (``ContractExtraction.model_dump(mode="json")``), ``chunk_outcomes`` (one dict per
    chunk, see :class:`ChunkOutcome`) and a transient attribute ``pages`` (page count).

    ``holder``: the lease holder (:mod:`pipeline.store.leases`) the caller claimed the document as; the run
    records it, and the run's result is stored only while that lease still holds (checked in the storing
    transaction).

    Raises:
        DocumentNotExtractable: no such document, or its state does not allow extraction.
        LeaseLost: ``holder`` lost the document's lease before the result was stored (nothing stored; the
            process that claimed it closed this run as interrupted).
        ReplayMiss: the replay backend has no recorded answer (the run is stored as failed first).
        audit.AuditWriteError: an audit event could not be written (nothing is hidden).
    """
    source, chunks, page_count, _status = _load(engine, document_id)
    run_id = str(uuid.uuid4())
    started = utcnow()
    with transaction(engine) as s:
        s.add(ExtractionRun(id=run_id, document_id=document_id, backend=backend.provider, model=backend.model_id,
                            model_sha256=backend.model_sha256, prompt_version=PROMPT_VERSION, status="running",
                            started_at=started, holder=holder))
    ctx = _Ctx(engine, backend, settings, source, run_id, actor, calls or CallPool(1), progress or NoProgress())
    partials: list[ContractExtraction] = []
    outcomes: list[ChunkOutcome] = []
    failures: list[ChunkFailure] = []
    asked: list[tuple[Chunk, list[int], ChunkOutcome, list[Sentence]]] = []
    for c in chunks:
        pages = list(range(c.page_start, c.page_end + 1))
        outcome = ChunkOutcome(chunk_seq=c.seq, pages=pages)
        outcomes.append(outcome)
        sentences, outcome.withheld = model_sentences(c.text, c.start)
        if sentences:
            asked.append((c, pages, outcome, sentences))
    ctx.progress.chunks_planned(len(asked))
    t0 = time.perf_counter()
    try:
        answers = ctx.calls.map_ordered(
            lambda a: _extract_part(ctx, a[3], a[1], a[0].seq, a[2], 0, "1"), asked)
        for (c, pages, outcome, _sentences), answered in zip(asked, answers, strict=True):
            partials.extend(answered)
            if outcome.failures:
                outcome.status = "failed"
                kinds = {f["kind"] for f in outcome.failures}
                failures.append(ChunkFailure(
                    chunk_seq=c.seq, pages=pages, kind=kinds.pop() if len(kinds) == 1 else "failed",
                    reason=("part of the chunk was read (split after truncation); " if outcome.parts else "")
                    + "; ".join(f"{f['kind']} (sentences {f['first_sentence']}-{f['last_sentence']}): {f['reason']}"
                                for f in outcome.failures)))
    except ReplayMiss as exc:
        _store(engine, run_id, document_id, "failed", outcomes, None, time.perf_counter() - t0, actor,
               reason=_error_text(exc), move=False, holder=holder)
        raise
    merged = normalize_extraction(merge_partials(partials), source)
    merged.chunk_failures = failures
    if settings.second_pass and partials:
        try:
            asked = _ask_again(ctx, merged, chunks, {o.chunk_seq: o for o in outcomes})
        except ReplayMiss as exc:
            _store(engine, run_id, document_id, "failed", outcomes, None, time.perf_counter() - t0, actor,
                   reason=_error_text(exc), move=False, holder=holder)
            raise
        if asked:
            merged = normalize_extraction(merge_partials(partials + asked), source)
    seconds = time.perf_counter() - t0
    merged.document_id, merged.run_id = document_id, run_id
    merged.model, merged.prompt_version = backend.model_id, PROMPT_VERSION
    merged.chunk_ids = [c.seq for c in chunks]
    merged.chunk_failures = failures
    n_failed = sum(1 for o in outcomes if o.status == "failed")
    if not chunks or n_failed == len(chunks):
        status = "failed"
    elif n_failed:
        status = "partial"
    else:
        status = "complete"
    run = _store(engine, run_id, document_id, status, outcomes, merged, seconds, actor,
                 reason="no chunk was extracted" if status == "failed" else None, holder=holder)
    run.pages = page_count  # type: ignore[attr-defined]  # transient, for per-run figures
    return run


def _store(engine: Engine, run_id: str, document_id: str, status: str, outcomes: list[ChunkOutcome],
           extraction: ContractExtraction | None, seconds: float, actor: str, *, reason: str | None,
           move: bool = True, holder: str | None = None) -> ExtractionRun:
    with transaction(engine, immediate=True) as s:
        if holder is not None:
            leases.check_held(s, document_id, holder)
        run = s.get(ExtractionRun, run_id, populate_existing=True)
        if run.status != "running":  # closed as interrupted by a process that took the document over
            raise leases.LeaseLost(f"run {run_id} of document {document_id[:12]} was closed as {run.status}")
        run.status = status
        run.input_tokens = sum(o.input_tokens for o in outcomes)
        run.output_tokens = sum(o.output_tokens for o in outcomes)
        run.seconds = round(seconds, 3)
        run.extraction = extraction.model_dump(mode="json") if extraction is not None else None
        run.chunk_outcomes = [o.to_dict() for o in outcomes]
        run.finished_at = utcnow()
        if move:
            doc = s.get(Document, document_id)
            if status == "failed":
                doc.status = check_transition(doc.status, DocumentStatus.FAILED).value
                doc.status_reason = Reason.EXTRACTION_FAILED.value
                doc.status_message = reason
                etype = ev.DOCUMENT_FAILED
            else:
                doc.status = check_transition(doc.status, DocumentStatus.EXTRACTED).value
                doc.status_reason = doc.status_message = None
                etype = DOCUMENT_EXTRACTED
            audit.append(s, type=etype, actor=actor, document_id=document_id, run_id=run_id, payload={
                "status": doc.status, "reason": doc.status_reason, "run_status": status,
                "input_tokens": run.input_tokens, "output_tokens": run.output_tokens, "seconds": run.seconds,
                "chunks": len(outcomes), "chunks_failed": sum(1 for o in outcomes if o.status == "failed"),
            })
        s.flush()
        s.expunge(run)
    return run
