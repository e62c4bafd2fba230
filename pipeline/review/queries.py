"""What the review pages read: the queue, one document with its fields, findings and items, the rule filter.

Reads only; each function reads in one session and returns plain dataclasses, so nothing a page shows
depends on an open session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from pipeline.review.errors import DocumentMissing
from pipeline.review.fields import field_rows
from pipeline.review.items import ItemView, blockers_of, run_items
from pipeline.store import latest_run
from pipeline.store import Document, ExtractionRun, FindingRow, Page, ReviewItem, SignOffRow
from schemas import ContractExtraction, Evidence

QUEUE_STATUSES = ("needs_review", "in_review", "signed_off", "failed")
"""Document statuses the queue can show."""
DEFAULT_QUEUE_STATUSES = ("needs_review", "in_review")
"""Document statuses the queue shows unless told otherwise."""
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
"""Finding and item severities, least severe first."""


@dataclass(frozen=True)
class FindingView:
    """A rule's finding on a field (``field_path``) or on the whole document; ``evidence`` as stored."""

    rule_id: str
    severity: str
    field_path: str
    message: str
    evidence: dict[str, Any] | None


@dataclass
class FieldView:
    """One extracted field with its evidence, findings and (if flagged) review item.

    ``severity``: the highest severity of its findings, ``ok`` when none.
    """

    path: str
    display: str
    value: Any
    evidence: Evidence | None
    findings: list[FindingView] = field(default_factory=list)
    item: ItemView | None = None

    @property
    def severity(self) -> str:
        sev = [f.severity for f in self.findings if f.severity in ("warning", "error")]
        if self.item is not None:
            sev.append(self.item.severity)
        return max(sev, key=SEVERITY_RANK.__getitem__) if sev else "ok"


@dataclass
class DocumentView:
    """Everything the document page shows; read in one go.

    ``blob_sha256``: the SHA-256 of the original bytes in the store (:func:`pipeline.store.get_bytes`; ``None``
    when the store has none), what page images are drawn from; ``source_path``: where the file was read from
    (informative only).
    ``page_sizes``: ``{page number (1-based): (width, height)}`` in points (``None`` when not known); ``run_id``: the
    latest extraction run, whose fields and items are shown; ``document_findings``: findings on no shown field;
    ``blockers``: as :func:`~pipeline.review.items.blockers_of`; ``sign_off``: ``{signed_off_by,
    signed_off_at (ISO 8601 UTC), final_values}`` once signed off.
    """

    id: str
    file_name: str
    source_path: str
    blob_sha256: str | None
    media_type: str
    status: str
    version: int
    assignee: str | None
    page_count: int
    page_sizes: dict[int, tuple[float | None, float | None]]
    run_id: str | None
    fields: list[FieldView]
    items: list[ItemView]
    document_findings: list[FindingView]
    blockers: list[str]
    sign_off: dict[str, Any] | None


@dataclass(frozen=True)
class QueueRow:
    """One document in the queue. ``age_days``: days since ingestion (UTC, fractional, 2 decimals); the counts
    are of the latest run's review items; ``rules``: the rule ids of its findings, sorted."""

    document_id: str
    file_name: str
    status: str
    assignee: str | None
    version: int
    created_at: datetime
    age_days: float
    open_errors: int
    open_warnings: int
    open_items: int
    items: int
    rules: tuple[str, ...]


def _aware(t: datetime | None) -> datetime | None:
    """``t`` as UTC-aware (SQLite returns naive datetimes)."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t


def load_document(engine: Engine, document_id: str) -> DocumentView:
    """The document page's data: fields of the latest run with findings and items, blockers, sign-off.

    Raises :class:`~pipeline.review.errors.DocumentMissing`.
    """
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise DocumentMissing(f"no document {document_id[:12]}")
        run = latest_run(s, doc.id)
        run_id = run.id if run else None
        extraction = ContractExtraction.model_validate(run.extraction) if run and run.extraction else None
        items = run_items(s, doc.id, run_id)
        frows = list(s.scalars(select(FindingRow).where(FindingRow.document_id == doc.id,
                                                        FindingRow.run_id == run_id).order_by(FindingRow.id))) \
            if run_id else []
        findings = [FindingView(f.rule_id, f.severity, f.field_path, f.message, f.evidence) for f in frows]
        sizes = {p.number: (p.width, p.height) for p in s.scalars(select(Page).where(Page.document_id == doc.id))}
        so = s.get(SignOffRow, doc.id)
        sign = None if so is None else {"signed_off_by": so.signed_off_by,
                                        "signed_off_at": _aware(so.signed_off_at).isoformat(),
                                        "final_values": so.final_values}
        by_path = {i.field_path: i for i in items}
        fields: list[FieldView] = []
        seen: set[str] = set()
        for r in field_rows(extraction) if extraction else []:
            fv = FieldView(r.path, r.display, r.value, r.evidence, item=by_path.get(r.path))
            fv.findings = [f for f in findings if f.field_path == r.path or f.field_path.startswith(r.path + ".")]
            fields.append(fv)
            seen.add(r.path)
        for i in items:  # flagged fields with no stated value (e.g. a missing party, "document")
            if i.field_path not in seen:
                fv = FieldView(i.field_path, "" if i.value is None else str(i.value), i.value, None, item=i)
                fv.findings = [f for f in findings if f.field_path == i.field_path]
                fields.append(fv)
                seen.add(i.field_path)
        doc_findings = [f for f in findings if not any(f in fv.findings for fv in fields)]
        return DocumentView(doc.id, doc.file_name, doc.source_path, doc.blob_sha256, doc.media_type, doc.status,
                            doc.version, doc.assignee, doc.page_count, sizes, run_id, fields, items, doc_findings,
                            blockers_of(items), sign)


def queue(engine: Engine, *, statuses: Iterable[str] | None = DEFAULT_QUEUE_STATUSES,
          severities: Iterable[str] | None = None, rules: Iterable[str] | None = None,
          assignee: str | None = None, file_name: str | None = None, sort: str = "oldest",
          now: datetime | None = None) -> list[QueueRow]:
    """Documents for the queue page with counts of open items of their latest run.

    Filters (all optional, combined with AND): ``statuses`` (default needs_review and in_review; ``None`` = the
    four of :data:`QUEUE_STATUSES`); ``severities``: has an open item of one of these; ``rules``: has a
    finding of one of these rule ids; ``assignee``: exact name, or ``"-"`` for unassigned; ``file_name``:
    case-insensitive substring. ``sort``: ``oldest`` (ingested first) or ``severity`` (most open errors,
    then warnings, then oldest). ``now``: the time ages are counted to (default: now, UTC).
    Raises ``ValueError`` for another sort.
    """
    if sort not in ("oldest", "severity"):
        raise ValueError(f"unknown sort {sort!r}: use oldest or severity")
    now = now or datetime.now(UTC)
    statuses = tuple(statuses) if statuses else QUEUE_STATUSES
    with Session(engine) as s:
        stmt = select(Document).where(Document.status.in_(statuses))
        if assignee == "-":
            stmt = stmt.where(Document.assignee.is_(None))
        elif assignee:
            stmt = stmt.where(Document.assignee == assignee)
        if file_name:
            stmt = stmt.where(func.lower(Document.file_name).contains(file_name.lower(), autoescape=True))
        docs = list(s.scalars(stmt))
        if not docs:
            return []
        ids = [d.id for d in docs]
        runs = s.execute(select(ExtractionRun.document_id, ExtractionRun.id, ExtractionRun.started_at)
                         .where(ExtractionRun.document_id.in_(ids))).all()
        latest: dict[str, tuple[datetime, str]] = {}
        for doc_id, run_id, started in runs:
            key = (_aware(started), run_id)
            if doc_id not in latest or key > latest[doc_id]:
                latest[doc_id] = key
        run_ids = [v[1] for v in latest.values()]
        items = s.execute(select(ReviewItem.run_id, ReviewItem.severity, ReviewItem.status)
                          .where(ReviewItem.run_id.in_(run_ids))).all() if run_ids else []
        found = s.execute(select(FindingRow.run_id, FindingRow.rule_id)
                          .where(FindingRow.run_id.in_(run_ids))).all() if run_ids else []
    counts: dict[str, dict[str, int]] = {}
    for run_id, sev, status in items:
        c = counts.setdefault(run_id, {"error": 0, "warning": 0, "open": 0, "all": 0})
        c["all"] += 1
        if status == "open":
            c["open"] += 1
            if sev in ("error", "warning"):
                c[sev] += 1
    rules_by_run: dict[str, set[str]] = {}
    for run_id, rule_id in found:
        rules_by_run.setdefault(run_id, set()).add(rule_id)
    rows = []
    want_sev = set(severities or ())
    want_rules = set(rules or ())
    for d in docs:
        run_id = latest.get(d.id, (None, None))[1]
        c = counts.get(run_id, {"error": 0, "warning": 0, "open": 0, "all": 0})
        rs = tuple(sorted(rules_by_run.get(run_id, ())))
        if want_sev and not any(c.get(sv, 0) for sv in want_sev):
            continue
        if want_rules and not want_rules & set(rs):
            continue
        created = _aware(d.created_at)
        rows.append(QueueRow(d.id, d.file_name, d.status, d.assignee, d.version, created,
                             round((now - created).total_seconds() / 86400, 2), c["error"], c["warning"], c["open"],
                             c["all"], rs))
    if sort == "severity":
        rows.sort(key=lambda r: (-r.open_errors, -r.open_warnings, r.created_at, r.file_name))
    else:
        rows.sort(key=lambda r: (r.created_at, r.file_name))
    return rows


def rule_ids(engine: Engine) -> list[str]:
    """Every rule id with a stored finding (choices of the queue's rule filter)."""
    with Session(engine) as s:
        return sorted(s.scalars(select(FindingRow.rule_id).distinct()))
