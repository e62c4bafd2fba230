"""Where the work stands: document counts by status, the job queue, the documents being worked on now, and per
document the latest extraction's progress (what ``clausewise status`` shows).

Every function reads only (one short read transaction each) and works on SQLite and PostgreSQL. Times are
timezone-aware UTC.

The job queue is procrastinate's table ``procrastinate_jobs`` on PostgreSQL (columns ``status``: ``todo`` |
``doing`` | ``succeeded`` | ``failed`` | ``cancelled`` | ``aborted``, and ``attempts``: the attempts that
ended, incremented by procrastinate when a job is retried or finishes). When that table does not exist (SQLite,
or a database no worker queue ever used) :func:`queue_counts` returns ``None``.

Chunks answered of a document come from its latest extraction run: for a finished run, the chunks whose outcome
(``extraction_runs.chunk_outcomes``) is not ``failed``; for a run still ``running`` (its outcomes are stored only
at its end), the distinct chunks of the document with a stored model answer (table ``model_answers``, written as
each answer arrives) for the run's model and prompt version, second-pass questions excluded. The total is the
document's stored chunks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

import audit
from pipeline.store.states import DocumentStatus
from pipeline.store.tables import Chunk, Document, ExtractionRun, FindingRow, ModelAnswer, utcnow

QUEUE_TABLE = "procrastinate_jobs"
"""procrastinate's job table; its presence means the job queue is in use."""

HISTORY_EVENT_TYPES = ("document.*", "extraction.*", "review.claimed", "review.released", "review.assigned")
"""Audit event types that make a document's status history (``--document`` detail): every ``document.*`` event
(ingested, extracted, verified, failed, signed off), every ``extraction.*`` event (interrupted runs) and the
claims, releases and assignments of review."""


@dataclass(frozen=True)
class QueueCounts:
    """Jobs of procrastinate's queue by state. ``queued``: ``todo``; ``running``: ``doing``; ``done``:
    ``succeeded``; ``failed``: ``failed``; ``cancelled``: ``cancelled`` and ``aborted``; ``retried``: jobs
    that ended at least one attempt and were tried again (``attempts`` > 1, or ``attempts`` > 0 while ``todo``
    or ``doing``), whatever their state now; ``total``: every job."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    retried: int = 0
    total: int = 0


@dataclass(frozen=True)
class LeaseRow:
    """A document being worked on now: its lease ``holder`` (``<host>:<pid>:<random>``), ``since`` (the start of
    the holder's running extraction run, ``None`` when it has none: verifying, or between stages) and
    ``expires_at`` (UTC)."""

    document_id: str
    file_name: str
    status: str
    holder: str
    since: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class DocumentRow:
    """One document's state. ``chunks_answered`` / ``chunks_total``: see the module docstring (``0`` answered
    when never extracted); ``run_status``: the latest extraction run's status (``running`` | ``complete`` |
    ``partial`` | ``failed`` | ``interrupted``) or ``None``; ``findings``: the findings stored for the latest
    finished run; ``updated_at``: the document row's last change (UTC)."""

    id: str
    file_name: str
    status: str
    reason: str | None
    message: str | None
    pages: int
    chunks_answered: int
    chunks_total: int
    run_status: str | None
    findings: int
    assignee: str | None
    updated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``updated_at`` as ISO 8601 text; ``chunks`` repeats ``chunks_total``."""
        d = asdict(self)
        d["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        d["chunks"] = self.chunks_total
        return d


@dataclass(frozen=True)
class Overview:
    """The whole store at ``taken_at``: ``by_status`` (every :class:`DocumentStatus` value, zero included, in
    the enum's order), ``documents`` (their sum), ``queue`` (``None``: no job queue in use), ``working`` (live
    leases, oldest first) and ``recent`` (the most recently changed documents, newest first)."""

    taken_at: datetime
    by_status: dict[str, int]
    documents: int
    queue: QueueCounts | None
    working: list[LeaseRow] = field(default_factory=list)
    recent: list[DocumentRow] = field(default_factory=list)


@dataclass(frozen=True)
class RunRow:
    """An extraction run of a document: times UTC, ``seconds`` the model calls' wall time, tokens summed over
    every attempt, ``chunk_outcomes`` as stored (``[{chunk_seq, status, reason, attempts, pages, ...}]``; empty
    while running). :attr:`model_seconds` is the model's time as the backend reports it (what ``ingest``
    prints; a replay reports the recorded time), ``seconds`` the wall time of the calls in that run."""

    id: str
    status: str
    backend: str
    model: str
    holder: str | None
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float
    input_tokens: int
    output_tokens: int
    chunk_outcomes: list[dict[str, Any]]

    @property
    def model_seconds(self) -> float:
        """The model's seconds for the run as the backend reports them (:func:`model_seconds`), 0 while it runs."""
        return model_seconds(self.chunk_outcomes)


def model_seconds(chunk_outcomes: list[dict[str, Any]] | None) -> float:
    """Seconds of model time of an extraction run as the backend reports them (a replay: the recorded ones): the
    ``model_seconds`` of its stored chunk outcomes summed, second-pass questions included; 0 for none."""
    return sum(float(o.get("model_seconds") or 0.0) for o in chunk_outcomes or [])


@dataclass(frozen=True)
class HistoryRow:
    """One audit event of a document's status history: ``ts`` (UTC text of the chain), ``type``, ``actor``
    and ``status`` (the payload's ``status`` or ``to``, else ``None``)."""

    id: int
    ts: str
    type: str
    actor: str
    status: str | None
    reason: str | None


@dataclass(frozen=True)
class DocumentDetail:
    """One document in full: its row, its runs (oldest first) and its status history (oldest first)."""

    row: DocumentRow
    runs: list[RunRow]
    history: list[HistoryRow]


def _aware(t: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def document_counts(session: Session) -> dict[str, int]:
    """Documents by status: every :class:`DocumentStatus` value (zero included, enum order), then any other
    status text found in the table."""
    found = dict(session.execute(select(Document.status, func.count()).group_by(Document.status)).all())
    counts = {s.value: int(found.pop(s.value, 0)) for s in DocumentStatus}
    counts.update({k: int(v) for k, v in sorted(found.items())})
    return counts


def queue_counts(session: Session) -> QueueCounts | None:
    """procrastinate's jobs by state (:class:`QueueCounts`), or ``None`` when the database has no
    ``procrastinate_jobs`` table (SQLite, or no job queue in use)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if session.execute(text("SELECT to_regclass(:t)"), {"t": QUEUE_TABLE}).scalar() is None:
        return None
    rows = session.execute(text(
        f"SELECT status::text, count(*), "  # noqa: S608 - constant table name
        f"count(*) FILTER (WHERE attempts > 1 OR (attempts > 0 AND status::text IN ('todo', 'doing'))) "
        f"FROM {QUEUE_TABLE} GROUP BY status")).all()
    by = {status: int(n) for status, n, _ in rows}
    return QueueCounts(queued=by.get("todo", 0), running=by.get("doing", 0), done=by.get("succeeded", 0),
                       failed=by.get("failed", 0), cancelled=by.get("cancelled", 0) + by.get("aborted", 0),
                       retried=sum(int(r) for _, _, r in rows), total=sum(by.values()))


def live_leases(session: Session, now: datetime | None = None) -> list[LeaseRow]:
    """Documents whose lease has not expired at ``now`` (UTC, default the clock), oldest holder first. A lease
    whose process ended but whose expiry is still ahead is listed until the next claim or expiry clears it."""
    now = now or utcnow()
    docs = list(session.scalars(select(Document).where(Document.lease_holder.is_not(None))))
    rows = []
    for d in docs:
        expires = _aware(d.lease_expires_at)
        if expires is None or expires <= now:
            continue
        since = session.scalars(
            select(ExtractionRun.started_at).where(ExtractionRun.document_id == d.id,
                                                   ExtractionRun.holder == d.lease_holder,
                                                   ExtractionRun.status == "running")
            .order_by(ExtractionRun.started_at.desc()).limit(1)).first()
        rows.append(LeaseRow(d.id, d.file_name, d.status, d.lease_holder, _aware(since), expires))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(rows, key=lambda r: (r.since or far, r.file_name))


def _latest_runs(session: Session, ids: list[str], *, finished: bool) -> dict[str, ExtractionRun]:
    """The latest extraction run of each document of ``ids`` (``finished``: of those not ``running`` or
    ``interrupted``), by document id; one query (a window function, SQLite 3.25+ and PostgreSQL)."""
    stmt = select(ExtractionRun.id, func.row_number().over(
        partition_by=ExtractionRun.document_id,
        order_by=(ExtractionRun.started_at.desc(), ExtractionRun.id.desc())).label("n")).where(
        ExtractionRun.document_id.in_(ids))
    if finished:
        stmt = stmt.where(ExtractionRun.status.not_in(("running", "interrupted")))
    ranked = stmt.subquery()
    runs = session.scalars(select(ExtractionRun).join(ranked, ranked.c.id == ExtractionRun.id).where(ranked.c.n == 1))
    return {r.document_id: r for r in runs}


def _chunks_answered(session: Session, run: ExtractionRun | None) -> int:
    if run is None:
        return 0
    if run.status != "running":
        return sum(1 for o in run.chunk_outcomes or [] if o.get("status") != "failed")
    return int(session.scalar(
        select(func.count(func.distinct(ModelAnswer.chunk_seq))).where(
            ModelAnswer.document_id == run.document_id, ModelAnswer.model_id == run.model,
            ModelAnswer.prompt_version == run.prompt_version, ModelAnswer.chunk_seq.is_not(None),
            (ModelAnswer.part.is_(None)) | (ModelAnswer.part.not_like("second:%")))) or 0)


def document_rows(session: Session, docs: list[Document]) -> list[DocumentRow]:
    """The :class:`DocumentRow` of each of ``docs``, in their order (a fixed number of queries, plus one per
    document whose latest run is still running)."""
    out: list[DocumentRow] = []
    for start in range(0, len(docs), 500):  # bounded IN lists
        batch = docs[start:start + 500]
        ids = [d.id for d in batch]
        totals = dict(session.execute(select(Chunk.document_id, func.count()).where(Chunk.document_id.in_(ids))
                                      .group_by(Chunk.document_id)).all())
        latest = _latest_runs(session, ids, finished=False)
        finished = _latest_runs(session, ids, finished=True)
        findings = dict(session.execute(
            select(FindingRow.run_id, func.count()).where(FindingRow.run_id.in_([r.id for r in finished.values()]))
            .group_by(FindingRow.run_id)).all()) if finished else {}
        for doc in batch:
            run, done = latest.get(doc.id), finished.get(doc.id)
            out.append(DocumentRow(
                id=doc.id, file_name=doc.file_name, status=doc.status, reason=doc.status_reason,
                message=doc.status_message, pages=doc.page_count or 0,
                chunks_answered=_chunks_answered(session, run), chunks_total=int(totals.get(doc.id, 0)),
                run_status=run.status if run is not None else None,
                findings=int(findings.get(done.id, 0)) if done is not None else 0,
                assignee=doc.assignee, updated_at=_aware(doc.updated_at)))
    return out


def document_row(session: Session, doc: Document) -> DocumentRow:
    """The :class:`DocumentRow` of ``doc``."""
    return document_rows(session, [doc])[0]


def recent_documents(session: Session, limit: int | None = 20) -> list[DocumentRow]:
    """The ``limit`` most recently changed documents (all with ``None``), newest first (ties by file name)."""
    stmt = select(Document).order_by(Document.updated_at.desc(), Document.file_name)
    if limit is not None:
        stmt = stmt.limit(limit)
    return document_rows(session, list(session.scalars(stmt)))


def overview(engine: Engine, *, limit: int | None = 20, now: datetime | None = None) -> Overview:
    """Everything ``clausewise status`` shows, read in one transaction at ``now`` (UTC, default the clock):
    counts by status, the queue, live leases, and the ``limit`` most recently changed documents."""
    now = now or utcnow()
    with Session(engine) as s:
        counts = document_counts(s)
        return Overview(taken_at=now, by_status=counts, documents=sum(counts.values()), queue=queue_counts(s),
                        working=live_leases(s, now), recent=recent_documents(s, limit))


def _history(engine: Engine, document_id: str) -> list[HistoryRow]:
    rows = []
    for glob in HISTORY_EVENT_TYPES:
        for e in audit.query(engine, document=document_id, type_glob=glob):
            p = e.payload or {}
            status = p.get("status") if isinstance(p.get("status"), str) else None
            rows.append(HistoryRow(e.id, e.ts, e.type, e.actor, status,
                                   p.get("reason") if isinstance(p.get("reason"), str) else None))
    return sorted(rows, key=lambda r: r.id)


def document_detail(engine: Engine, document: Document) -> DocumentDetail:
    """``document``'s row, its extraction runs (oldest first) and its status history from the audit log
    (events of :data:`HISTORY_EVENT_TYPES`, oldest first)."""
    with Session(engine) as s:
        doc = s.get(Document, document.id)
        row = document_row(s, doc)
        runs = [RunRow(r.id, r.status, r.backend, r.model, r.holder, _aware(r.started_at), _aware(r.finished_at),
                       float(r.seconds or 0.0), int(r.input_tokens or 0), int(r.output_tokens or 0),
                       list(r.chunk_outcomes or []))
                for r in s.scalars(select(ExtractionRun).where(ExtractionRun.document_id == doc.id)
                                   .order_by(ExtractionRun.started_at, ExtractionRun.id))]
    return DocumentDetail(row=row, runs=runs, history=_history(engine, document.id))
