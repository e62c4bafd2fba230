"""The review flow: claim, decide, confirm (four-eyes), sign off. Plain functions shared by the UI and the CLI.

Two reviewers never overwrite each other (../shared/failcases/F34):

- **Claim**: a reviewer claims a document (``documents.assignee``); only the assignee decides and signs off.
  A claim of a document someone else holds is refused (:class:`ClaimedByOther`).
- **Version check** (optimistic locking): ``documents.version`` counts changes to the review's content
  (decisions, comments, confirmations, sign-off; claims do not count). Every write names the version the
  reviewer saw (``expected_version``); if the document changed since, it is refused with :class:`Conflict`
  ("DOC changed since you opened it (version 1 -> 2); reload before deciding").

Every action is on the audit log with the reviewer's name as actor, refused ones included
(a refused decision is a ``review.decision`` event with ``outcome`` ``conflict`` or ``refused``), so a
lost race shows as two decision events, one saved and one refused. Decisions are written the moment they are
made, in one short transaction with their audit event (../shared/failcases/F33: nothing lives only in the UI).

Four-eyes: an ``error``-severity item, once decided, needs a confirmation by a different reviewer before the
document can be signed off. Sign-off records who, when and the final values (``document.signed_off``) and
freezes the document (state ``signed_off`` has no way out, :mod:`pipeline.store.states`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import audit
from pipeline.store.engine import transaction
from pipeline.review.fields import field_rows
from pipeline.store.tables import Document, ExtractionRun, FindingRow, Page, ReviewItem, SignOffRow
from pipeline.store.states import DocumentStatus, check_transition
from pipeline.store.queries import latest_run
from pipeline.review.users import Role, User, UserRow
from schemas import ContractExtraction, Evidence

REVIEW_COMMENTED = "review.commented"
REVIEW_CONFIRMED = "review.confirmed"
REVIEW_RELEASED = "review.released"
REVIEW_ASSIGNED = "review.assigned"
REVIEW_REFUSED = "review.refused"

DECISIONS: dict[str, str] = {"accept": "accepted", "correct": "corrected", "reject": "rejected"}
"""Decision verb → review item status. accept: the value is right; correct: a new value (and optionally new
evidence) replaces it; reject: the value is wrong and no right value is in the contract (final value null)."""

QUEUE_STATUSES = ("needs_review", "in_review", "signed_off", "failed")
DEFAULT_QUEUE_STATUSES = ("needs_review", "in_review")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


# ---------------------------------------------------------------------------------------------- errors


class ReviewError(Exception):
    """Base error of the review flow; the message is meant for the reviewer."""


class Conflict(ReviewError):
    """The document changed since the reviewer opened it (optimistic lock)."""

    def __init__(self, name: str, seen: int, now: int) -> None:
        super().__init__(f"{name} changed since you opened it (version {seen} -> {now}); reload before deciding")
        self.seen, self.now = seen, now


class ClaimedByOther(ReviewError):
    """Another reviewer holds the document."""


class NotClaimed(ReviewError):
    """The reviewer has not claimed the document (claim it first)."""


class NotAllowed(ReviewError):
    """The user's role does not allow the action (e.g. an auditor deciding)."""


class DocumentFrozen(ReviewError):
    """The document is signed off: nothing changes any more."""


class NotReviewable(ReviewError):
    """The document is in no review state (e.g. still ingested, failed or auto-accepted)."""


class InvalidDecision(ReviewError):
    """Unknown decision, or a correction without a new value."""


class FourEyes(ReviewError):
    """A reviewer tried to confirm their own decision, or to confirm an undecided item."""


class SignOffBlocked(ReviewError):
    """Sign-off refused: open items or unconfirmed error decisions remain (``reasons`` lists them)."""

    def __init__(self, name: str, reasons: list[str]) -> None:
        super().__init__(f"{name} cannot be signed off: " + "; ".join(reasons))
        self.reasons = reasons


class ItemNotFound(ReviewError, LookupError):
    """No review item with that id."""


class DocumentMissing(ReviewError, LookupError):
    """No document with that id."""


# ---------------------------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ItemView:
    """A review item as the reviewer sees it."""

    id: int
    document_id: str
    run_id: str
    field_path: str
    severity: str
    status: str
    value: Any
    corrected_value: Any
    corrected_evidence: dict[str, Any] | None
    comment: str | None
    decided_by: str | None
    decided_at: datetime | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    version: int

    @property
    def decision(self) -> str | None:
        """``accept`` | ``correct`` | ``reject``, or ``None`` while open."""
        return {v: k for k, v in DECISIONS.items()}.get(self.status)

    @property
    def needs_confirmation(self) -> bool:
        """An error-severity item decided but not yet confirmed by a second reviewer."""
        return self.severity == "error" and self.status != "open" and self.confirmed_by is None

    @property
    def final_value(self) -> Any:
        """The value after review: accepted → the model's, corrected → the new one, rejected → ``None``."""
        if self.status == "corrected":
            return self.corrected_value
        if self.status == "rejected":
            return None
        return self.value

    @classmethod
    def of(cls, r: ReviewItem) -> ItemView:
        return cls(r.id, r.document_id, r.run_id, r.field_path, r.severity, r.status, r.value, r.corrected_value,
                   r.corrected_evidence, r.comment, r.decided_by, r.decided_at, r.confirmed_by, r.confirmed_at,
                   r.version)


@dataclass(frozen=True)
class FindingView:
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
    """Everything the document page shows; read in one go."""

    id: str
    file_name: str
    source_path: str
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
    """One document in the queue. ``age_days``: days since ingestion (UTC, fractional)."""

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


# ---------------------------------------------------------------------------------------------- helpers


def _aware(t: datetime | None) -> datetime | None:
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t


def _locked_item(s: Session, item_id: int, payload: dict[str, Any]) -> tuple[ReviewItem, Document]:
    """The review item and its document, both locked for update; records the field path in ``payload``."""
    item = s.get(ReviewItem, item_id, with_for_update=True)
    if item is None:
        raise ItemNotFound(f"no review item {item_id}")
    payload["field_path"] = item.field_path
    return item, _locked_doc(s, item.document_id)


def _locked_doc(s: Session, document_id: str) -> Document:
    doc = s.get(Document, document_id, with_for_update=True)
    if doc is None:
        raise DocumentMissing(f"no document {document_id[:12]}")
    return doc


def _require_role(user: User, action: str) -> None:
    if not Role(user.role).can_decide:
        raise NotAllowed(f"{user.name} ({Role(user.role).value}) may not {action}: read-only role")


def _require_open(doc: Document) -> None:
    if doc.status == DocumentStatus.SIGNED_OFF.value:
        raise DocumentFrozen(f"{doc.file_name} is signed off and frozen")


def _require_version(doc: Document, expected_version: int | None) -> None:
    if expected_version is not None and doc.version != expected_version:
        raise Conflict(doc.file_name, expected_version, doc.version)


def _require_claim(doc: Document, user: User) -> None:
    if doc.assignee is None:
        raise NotClaimed(f"claim {doc.file_name} before deciding")
    if doc.assignee != user.name:
        raise ClaimedByOther(f"{doc.file_name} is claimed by {doc.assignee}")


def _refused(engine: Engine, exc: ReviewError, *, type: str, user: User, document_id: str | None,
             run_id: str | None, payload: dict[str, Any]) -> None:
    """Audit a refused attempt in its own transaction (the attempt itself was rolled back)."""
    outcome = "conflict" if isinstance(exc, Conflict) else "refused"
    audit.append(engine, type=type, actor=user.name, document_id=document_id, run_id=run_id,
                 payload={**payload, "outcome": outcome, "error": type_name(exc), "message": str(exc)})


def type_name(exc: BaseException) -> str:
    return exc.__class__.__name__


def _bump(doc: Document, item: ReviewItem | None = None) -> int:
    doc.version += 1
    if item is not None:
        item.version += 1
    return doc.version


# ---------------------------------------------------------------------------------------------- claims


def claim(engine: Engine, document_id: str, user: User) -> int:
    """Claim a document for ``user`` (``needs_review → in_review``); claiming one's own claim again is a no-op.

    Returns the document's version. Audited as ``review.claimed`` (refusals as ``review.refused``).

    Raises:
        NotAllowed: the user is an auditor.
        DocumentFrozen: signed off.
        ClaimedByOther: another reviewer holds it.
        NotReviewable: the document is not waiting for review.
    """
    try:
        with transaction(engine, immediate=True) as s:
            doc = _locked_doc(s, document_id)
            _require_role(user, "claim documents")
            _require_open(doc)
            if doc.assignee not in (None, user.name):
                raise ClaimedByOther(f"{doc.file_name} is already claimed by {doc.assignee}")
            if doc.status == DocumentStatus.NEEDS_REVIEW.value:
                doc.status = check_transition(doc.status, DocumentStatus.IN_REVIEW).value
            elif doc.status != DocumentStatus.IN_REVIEW.value:
                raise NotReviewable(f"{doc.file_name} is {doc.status}, not waiting for review")
            if doc.assignee != user.name:
                doc.assignee = user.name
                audit.append(s, type=audit.events.REVIEW_CLAIMED, actor=user.name, document_id=doc.id,
                             payload={"action": "claim", "assignee": user.name, "version": doc.version,
                                      "outcome": "saved"})
            return doc.version
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_REFUSED, user=user, document_id=document_id, run_id=None,
                 payload={"action": "claim"})
        raise


def release(engine: Engine, document_id: str, user: User) -> None:
    """Give a claimed document back to the queue (``in_review → needs_review``). The assignee or an admin.

    Raises :class:`NotAllowed`, :class:`DocumentFrozen`, :class:`NotClaimed`, :class:`ClaimedByOther`.
    """
    try:
        with transaction(engine, immediate=True) as s:
            doc = _locked_doc(s, document_id)
            _require_role(user, "release documents")
            _require_open(doc)
            if not Role(user.role).can_admin:
                _require_claim(doc, user)
            if doc.status == DocumentStatus.IN_REVIEW.value:
                doc.status = check_transition(doc.status, DocumentStatus.NEEDS_REVIEW).value
            previous, doc.assignee = doc.assignee, None
            audit.append(s, type=REVIEW_RELEASED, actor=user.name, document_id=doc.id,
                         payload={"action": "release", "previous_assignee": previous, "outcome": "saved"})
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_REFUSED, user=user, document_id=document_id, run_id=None,
                 payload={"action": "release"})
        raise


def assign(engine: Engine, document_id: str, assignee: str, by: User) -> None:
    """An admin assigns a document to a reviewer (or admin), replacing any claim. Audited as ``review.assigned``.

    Raises :class:`NotAllowed` (not an admin, or the assignee cannot decide), :class:`DocumentFrozen`,
    :class:`NotReviewable`.
    """
    try:
        with transaction(engine, immediate=True) as s:
            doc = _locked_doc(s, document_id)
            if not Role(by.role).can_admin:
                raise NotAllowed(f"{by.name} ({by.role}) may not assign documents: admins only")
            _require_open(doc)
            target = s.get(UserRow, assignee)
            if target is None or not target.active or not Role(target.role).can_decide:
                raise NotAllowed(f"{assignee} is not an active reviewer or admin")
            if doc.status == DocumentStatus.NEEDS_REVIEW.value:
                doc.status = check_transition(doc.status, DocumentStatus.IN_REVIEW).value
            elif doc.status != DocumentStatus.IN_REVIEW.value:
                raise NotReviewable(f"{doc.file_name} is {doc.status}, not waiting for review")
            previous, doc.assignee = doc.assignee, assignee
            audit.append(s, type=REVIEW_ASSIGNED, actor=by.name, document_id=doc.id,
                         payload={"action": "assign", "assignee": assignee, "previous_assignee": previous,
                                  "outcome": "saved"})
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_REFUSED, user=by, document_id=document_id, run_id=None,
                 payload={"action": "assign", "assignee": assignee})
        raise


# ---------------------------------------------------------------------------------------------- decisions


def decide(engine: Engine, item_id: int, user: User, decision: str, *, expected_version: int | None,
           value: Any = None, evidence: Evidence | dict[str, Any] | None = None,
           comment: str | None = None) -> int:
    """Record ``decision`` (``accept`` | ``correct`` | ``reject``) on a review item; returns the new document version.

    ``value``/``evidence``: the corrected value and (optionally) its new evidence, for ``correct`` only.
    ``comment``: optional; ``None`` keeps the stored one. A new decision replaces an earlier one and clears
    its confirmation. Checks, in order: role, frozen, version, claim. The decision and its ``review.decision``
    audit event commit together; a refused one is audited too (``outcome`` ``conflict`` or ``refused``).

    Raises:
        NotAllowed, DocumentFrozen, Conflict, NotClaimed, ClaimedByOther, InvalidDecision, ItemNotFound.
    """
    doc_id = run_id = path = None
    payload: dict[str, Any] = {"decision": decision, "item_id": item_id, "expected_version": expected_version}
    try:
        with transaction(engine, immediate=True) as s:
            item, doc = _locked_item(s, item_id, payload)
            doc_id, run_id, path = item.document_id, item.run_id, item.field_path
            _require_role(user, "decide")
            _require_open(doc)
            _require_version(doc, expected_version)
            _require_claim(doc, user)
            if decision not in DECISIONS:
                raise InvalidDecision(f"unknown decision {decision!r}: use accept, correct or reject")
            if decision == "correct" and (value is None or (isinstance(value, str) and not value.strip())):
                raise InvalidDecision(f"a correction of {path} needs a new value")
            ev = evidence.model_dump(mode="json") if isinstance(evidence, Evidence) else evidence
            before = {"status": item.status, "corrected_value": item.corrected_value}
            item.status = DECISIONS[decision]
            item.corrected_value = value if decision == "correct" else None
            item.corrected_evidence = ev if decision == "correct" else None
            if comment is not None:
                item.comment = comment.strip() or None
            item.decided_by, item.decided_at = user.name, datetime.now(UTC)
            item.confirmed_by = item.confirmed_at = None
            version = _bump(doc, item)
            audit.append(s, type=audit.events.REVIEW_DECISION, actor=user.name, document_id=doc.id, run_id=run_id,
                         payload={**payload, "outcome": "saved", "status": item.status, "severity": item.severity,
                                  "value": item.value, "corrected_value": item.corrected_value,
                                  "corrected_evidence": item.corrected_evidence, "comment": item.comment,
                                  "previous": before, "version": version})
            return version
    except ReviewError as exc:
        _refused(engine, exc, type=audit.events.REVIEW_DECISION, user=user, document_id=doc_id, run_id=run_id,
                 payload=payload)
        raise


def comment(engine: Engine, item_id: int, user: User, text: str, *, expected_version: int | None) -> int:
    """Set (or clear, with blank text) an item's comment without changing its decision; returns the new version.

    Same checks and auditing as :func:`decide` (event ``review.commented``).
    """
    doc_id = run_id = None
    payload: dict[str, Any] = {"item_id": item_id, "expected_version": expected_version}
    try:
        with transaction(engine, immediate=True) as s:
            item, doc = _locked_item(s, item_id, payload)
            doc_id, run_id = item.document_id, item.run_id
            _require_role(user, "comment")
            _require_open(doc)
            _require_version(doc, expected_version)
            _require_claim(doc, user)
            item.comment = text.strip() or None
            version = _bump(doc, item)
            audit.append(s, type=REVIEW_COMMENTED, actor=user.name, document_id=doc.id, run_id=run_id,
                         payload={**payload, "outcome": "saved", "comment": item.comment, "version": version})
            return version
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_COMMENTED, user=user, document_id=doc_id, run_id=run_id, payload=payload)
        raise


def confirm(engine: Engine, item_id: int, user: User, *, expected_version: int | None) -> int:
    """Second reviewer's confirmation (four-eyes) of a decided item; returns the new document version.

    The confirming reviewer must differ from the one who decided; no claim is needed. Audited as
    ``review.confirmed``.

    Raises:
        NotAllowed, DocumentFrozen, Conflict, FourEyes (own decision, or the item is still open), ItemNotFound.
    """
    doc_id = run_id = None
    payload: dict[str, Any] = {"item_id": item_id, "expected_version": expected_version}
    try:
        with transaction(engine, immediate=True) as s:
            item, doc = _locked_item(s, item_id, payload)
            doc_id, run_id = item.document_id, item.run_id
            _require_role(user, "confirm decisions")
            _require_open(doc)
            _require_version(doc, expected_version)
            if item.status == "open":
                raise FourEyes(f"{item.field_path} has no decision to confirm yet")
            if item.decided_by == user.name:
                raise FourEyes(f"{item.field_path}: a second reviewer must confirm {user.name}'s decision")
            item.confirmed_by, item.confirmed_at = user.name, datetime.now(UTC)
            version = _bump(doc, item)
            audit.append(s, type=REVIEW_CONFIRMED, actor=user.name, document_id=doc.id, run_id=run_id,
                         payload={**payload, "outcome": "saved", "status": item.status,
                                  "decided_by": item.decided_by, "version": version})
            return version
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_CONFIRMED, user=user, document_id=doc_id, run_id=run_id, payload=payload)
        raise


# ---------------------------------------------------------------------------------------------- sign-off


def _items(s: Session, document_id: str, run_id: str | None) -> list[ReviewItem]:
    if run_id is None:
        return []
    return list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == document_id,
                                                   ReviewItem.run_id == run_id).order_by(ReviewItem.id)))


def blockers_of(items: Iterable[ItemView]) -> list[str]:
    """Why a document cannot be signed off yet: open items, then unconfirmed error decisions (empty: it can)."""
    items = list(items)
    out = [f"{i.field_path} ({i.severity}) is still open" for i in items if i.status == "open"]
    out += [f"{i.field_path} (error) needs a second reviewer's confirmation" for i in items if i.needs_confirmation]
    return out


def final_values(extraction: ContractExtraction | None, items: Iterable[ItemView]) -> dict[str, Any]:
    """``{field path: value}`` after review: the extraction's values with every decided item applied."""
    out: dict[str, Any] = {}
    if extraction is not None:
        out = {r.path: r.value for r in field_rows(extraction)}
    for i in items:
        out[i.field_path] = i.final_value
    return out


def sign_off(engine: Engine, document_id: str, user: User, *, expected_version: int | None) -> dict[str, Any]:
    """Sign a document off (``in_review → signed_off``) and freeze it; returns the stored record
    ``{document_id, run_id, signed_off_by, signed_off_at (ISO 8601 UTC), final_values}``.

    Allowed to the assignee when no flagged item is open and every error-severity decision is confirmed by a
    second reviewer. Audited as ``document.signed_off`` with the final values.

    Raises:
        NotAllowed, DocumentFrozen, Conflict, NotClaimed, ClaimedByOther, NotReviewable,
        SignOffBlocked (``reasons`` lists the open and unconfirmed items).
    """
    try:
        with transaction(engine, immediate=True) as s:
            doc = _locked_doc(s, document_id)
            _require_role(user, "sign off")
            _require_open(doc)
            _require_version(doc, expected_version)
            _require_claim(doc, user)
            if doc.status != DocumentStatus.IN_REVIEW.value:
                raise NotReviewable(f"{doc.file_name} is {doc.status}, not in review")
            run = latest_run(s, doc.id)
            items = [ItemView.of(r) for r in _items(s, doc.id, run.id if run else None)]
            reasons = blockers_of(items)
            if reasons:
                raise SignOffBlocked(doc.file_name, reasons)
            extraction = ContractExtraction.model_validate(run.extraction) if run and run.extraction else None
            values = final_values(extraction, items)
            when = datetime.now(UTC)
            s.add(SignOffRow(document_id=doc.id, run_id=run.id if run else None, signed_off_by=user.name,
                             signed_off_at=when, final_values=values))
            doc.status = check_transition(doc.status, DocumentStatus.SIGNED_OFF).value
            version = _bump(doc)
            record = {"document_id": doc.id, "run_id": run.id if run else None, "signed_off_by": user.name,
                      "signed_off_at": when.isoformat(), "final_values": values}
            audit.append(s, type=audit.events.DOCUMENT_SIGNED_OFF, actor=user.name, document_id=doc.id,
                         run_id=record["run_id"],
                         payload={**record, "version": version, "outcome": "saved",
                                  "decisions": [{"field_path": i.field_path, "status": i.status,
                                                 "decided_by": i.decided_by, "confirmed_by": i.confirmed_by}
                                                for i in items]})
            return record
    except ReviewError as exc:
        _refused(engine, exc, type=REVIEW_REFUSED, user=user, document_id=document_id, run_id=None,
                 payload={"action": "sign_off", "expected_version": expected_version})
        raise


# ---------------------------------------------------------------------------------------------- reading


def load_document(engine: Engine, document_id: str) -> DocumentView:
    """The document page's data: fields of the latest run with findings and items, blockers, sign-off.

    Raises :class:`DocumentMissing`.
    """
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise DocumentMissing(f"no document {document_id[:12]}")
        run = latest_run(s, doc.id)
        run_id = run.id if run else None
        extraction = ContractExtraction.model_validate(run.extraction) if run and run.extraction else None
        items = [ItemView.of(r) for r in _items(s, doc.id, run_id)]
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
        return DocumentView(doc.id, doc.file_name, doc.source_path, doc.media_type, doc.status, doc.version,
                            doc.assignee, doc.page_count, sizes, run_id, fields, items, doc_findings,
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
    then warnings, then oldest). Raises ``ValueError`` for another sort.
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
