"""The review actions: claim, release, assign, decide, comment, confirm (four-eyes), sign off.

Plain functions shared by the UI and the CLI. Two reviewers never overwrite each other:

- **Claim**: a reviewer claims a document (``documents.assignee``); only the assignee decides and signs off.
  A claim of a document someone else holds is refused (:class:`~pipeline.review.errors.ClaimedByOther`).
- **Version check** (optimistic locking): ``documents.version`` counts changes to the review's content
  (decisions, comments, confirmations, sign-off; claims do not count). Every write names the version the
  reviewer saw (``expected_version``); if the document changed since, it is refused with
  :class:`~pipeline.review.errors.Conflict` ("DOC changed since you opened it (version 1 -> 2); reload before
  deciding").

Every action is on the audit log with the reviewer's name as actor, refused ones included (a refused decision
is a ``review.decision`` event with ``outcome`` ``conflict`` or ``refused``), so a lost race shows as two
decision events, one saved and one refused. Decisions are written the moment they are made, in one short
transaction with their audit event: nothing lives only in the UI. Event types and payloads:
:mod:`audit.events`.

Four-eyes: an ``error``-severity item, once decided, needs a confirmation by a different reviewer before the
document can be signed off. Sign-off records who, when and the final values (``document.signed_off``) and
freezes the document (state ``signed_off`` has no way out, :mod:`pipeline.store.states`).

Every action runs inside :func:`_action`, which holds what they share. In one write transaction, in this
order: lock the review item (item actions) and its document, or the document; read the user's account from the
database (a deactivated or removed account is refused, and the role stored NOW is the one checked, not the
role the caller's ``User`` carries, so a user demoted or deactivated during an open UI session loses the
rights at their next action); check the user's role; check the
document is not signed off; check the version the reviewer saw; check the claim (where the action needs it).
The action's own checks and changes follow, and it audits its saved event in the same transaction. A
:class:`~pipeline.review.errors.ReviewError` rolls the transaction back, is audited in a transaction of its
own, and is raised again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

import audit
from pipeline.review.errors import (
    ClaimedByOther, Conflict, DocumentFrozen, DocumentMissing, FourEyes, InvalidDecision, ItemNotFound, NotAllowed,
    NotClaimed, NotReviewable, ReviewError, SignOffBlocked,
)
from pipeline.review.items import DECISIONS, blockers_of, final_values, run_items
from pipeline.review.users import Role, User
from pipeline.store import transaction
from pipeline.store import latest_run
from pipeline.store import DocumentStatus, check_transition
from pipeline.store import Document, ReviewItem, SignOffRow, UserRow
from schemas import ContractExtraction, Evidence

# ---------------------------------------------------------------------------------------------- the shared steps


@dataclass
class _Action:
    """What an action's body works on: its session, the locked document (and review item), the user and the
    request (the keys every audit event of the action carries)."""

    session: Session
    user: User
    request: dict[str, Any]
    doc: Document | None = None
    item: ReviewItem | None = None

    def saved(self, type: str, payload: dict[str, Any], *, run_id: str | None = None,
              with_request: bool = True) -> None:
        """Audit the saved action in its transaction, as the user, on the document: the request's keys (unless
        ``with_request`` is false), ``payload`` and ``outcome`` ``saved``. ``run_id``: default the item's run."""
        if run_id is None and self.item is not None:
            run_id = self.item.run_id
        audit.append(self.session, type=type, actor=self.user.name, document_id=self.doc.id, run_id=run_id,
                     payload={**(self.request if with_request else {}), **payload, "outcome": "saved"})


@contextmanager
def _action(engine: Engine, user: User, *, verb: str, refusal: str, request: dict[str, Any],
            document_id: str | None = None, item_id: int | None = None, expected_version: int | None = None,
            claimed: bool = False, admins_only: bool = False) -> Iterator[_Action]:
    """One review action's transaction with the checks every action makes first and the audit of a refusal.

    Locks review item ``item_id`` (recording its ``field_path`` in ``request``) and its document, or document
    ``document_id``; then checks, in order: the account (it exists and is active; ``act.user`` is ``user``
    with the role stored now), the role stored now (``verb`` completes "may not ..." in the refusal; a
    reviewer or admin, only an admin with ``admins_only``), not signed off, ``expected_version`` (``None``: no
    check), the user's claim (with ``claimed``). Yields the :class:`_Action` for the body, whose changes and
    saved event commit together when the block ends.

    A :class:`ReviewError` from the checks or the body rolls the transaction back and is audited as a
    ``refusal`` event: ``request`` with ``outcome`` (``conflict`` for :class:`Conflict`, else ``refused``),
    ``error`` (the class name) and ``message``, on the item's document and run (none when the item or its
    document is missing), or on ``document_id``; then it is raised again. Other errors pass unaudited.

    Raises:
        ItemNotFound, DocumentMissing, NotAllowed, DocumentFrozen, Conflict, NotClaimed, ClaimedByOther, and
        whatever the body raises.
    """
    refused_document, refused_run = document_id, None
    try:
        with transaction(engine, immediate=True) as s:
            act = _Action(s, user, request)
            if item_id is not None:
                act.item = s.get(ReviewItem, item_id, with_for_update=True)
                if act.item is None:
                    raise ItemNotFound(f"no review item {item_id}")
                request["field_path"] = act.item.field_path
                act.doc = _locked_doc(s, act.item.document_id)
                refused_document, refused_run = act.item.document_id, act.item.run_id
            else:
                act.doc = _locked_doc(s, document_id)
            act.user = _current_account(s, user, verb)
            _require_role(act.user, verb, admins_only=admins_only)
            _require_open(act.doc)
            _require_version(act.doc, expected_version)
            if claimed:
                _require_claim(act.doc, user)
            yield act
    except ReviewError as exc:
        outcome = "conflict" if isinstance(exc, Conflict) else "refused"
        audit.append(engine, type=refusal, actor=user.name, document_id=refused_document, run_id=refused_run,
                     payload={**request, "outcome": outcome, "error": exc.__class__.__name__, "message": str(exc)})
        raise


def _locked_doc(s: Session, document_id: str) -> Document:
    """The document, locked for update. Raises :class:`DocumentMissing`."""
    doc = s.get(Document, document_id, with_for_update=True)
    if doc is None:
        raise DocumentMissing(f"no document {document_id[:12]}")
    return doc


def _current_account(s: Session, user: User, verb: str) -> User:
    """``user`` as the database has the account now (its stored role). Raises :class:`NotAllowed` when the
    account is deactivated or gone."""
    row = s.get(UserRow, user.name)
    if row is None:
        raise NotAllowed(f"{user.name} may not {verb}: no such account")
    if not row.active:
        raise NotAllowed(f"{user.name} may not {verb}: the account is deactivated")
    return User(row.name, Role(row.role), row.active)


def _require_role(user: User, verb: str, *, admins_only: bool = False) -> None:
    if admins_only and not Role(user.role).can_admin:
        raise NotAllowed(f"{user.name} ({user.role}) may not {verb}: admins only")
    if not Role(user.role).can_decide:
        raise NotAllowed(f"{user.name} ({Role(user.role).value}) may not {verb}: read-only role")


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


def _enter_review(doc: Document) -> None:
    """``needs_review → in_review``; a document in review stays. Raises :class:`NotReviewable` otherwise."""
    if doc.status == DocumentStatus.NEEDS_REVIEW.value:
        doc.status = check_transition(doc.status, DocumentStatus.IN_REVIEW).value
    elif doc.status != DocumentStatus.IN_REVIEW.value:
        raise NotReviewable(f"{doc.file_name} is {doc.status}, not waiting for review")


def _bump(doc: Document, item: ReviewItem | None = None) -> int:
    """Count one change of the review's content on the document (and the item); returns the new version."""
    doc.version += 1
    if item is not None:
        item.version += 1
    return doc.version


# ---------------------------------------------------------------------------------------------- claims


def claim(engine: Engine, document_id: str, user: User) -> int:
    """Claim a document for ``user`` (``needs_review → in_review``); claiming one's own claim again is a no-op.

    Returns the document's version. Audited as ``review.claimed`` (refusals as ``review.refused``).

    Raises:
        NotAllowed: the account is an auditor's, deactivated or gone.
        DocumentFrozen: signed off.
        ClaimedByOther: another reviewer holds it.
        NotReviewable: the document is not waiting for review.
        DocumentMissing: no such document.
    """
    with _action(engine, user, verb="claim documents", document_id=document_id,
                 refusal=audit.events.REVIEW_REFUSED, request={"action": "claim"}) as act:
        doc = act.doc
        if doc.assignee not in (None, user.name):
            raise ClaimedByOther(f"{doc.file_name} is already claimed by {doc.assignee}")
        _enter_review(doc)
        if doc.assignee != user.name:
            doc.assignee = user.name
            act.saved(audit.events.REVIEW_CLAIMED, {"assignee": user.name, "version": doc.version})
        return doc.version


def release(engine: Engine, document_id: str, user: User) -> None:
    """Give a claimed document back to the queue (``in_review → needs_review``). The assignee or an admin.

    Audited as ``review.released`` (refusals as ``review.refused``).

    Raises :class:`NotAllowed`, :class:`DocumentFrozen`, :class:`NotClaimed`, :class:`ClaimedByOther`,
    :class:`DocumentMissing`.
    """
    with _action(engine, user, verb="release documents", document_id=document_id,
                 refusal=audit.events.REVIEW_REFUSED, request={"action": "release"}) as act:
        doc = act.doc
        if not act.user.role.can_admin:
            _require_claim(doc, user)
        if doc.status == DocumentStatus.IN_REVIEW.value:
            doc.status = check_transition(doc.status, DocumentStatus.NEEDS_REVIEW).value
        previous, doc.assignee = doc.assignee, None
        act.saved(audit.events.REVIEW_RELEASED, {"previous_assignee": previous})


def assign(engine: Engine, document_id: str, assignee: str, by: User) -> None:
    """An admin assigns a document to a reviewer (or admin), replacing any claim (``needs_review → in_review``).

    Audited as ``review.assigned`` (refusals as ``review.refused``).

    Raises :class:`NotAllowed` (not an admin, or the assignee is not an active reviewer or admin),
    :class:`DocumentFrozen`, :class:`NotReviewable`, :class:`DocumentMissing`.
    """
    with _action(engine, by, verb="assign documents", admins_only=True, document_id=document_id,
                 refusal=audit.events.REVIEW_REFUSED, request={"action": "assign", "assignee": assignee}) as act:
        doc = act.doc
        target = act.session.get(UserRow, assignee)
        if target is None or not target.active or not Role(target.role).can_decide:
            raise NotAllowed(f"{assignee} is not an active reviewer or admin")
        _enter_review(doc)
        previous, doc.assignee = doc.assignee, assignee
        act.saved(audit.events.REVIEW_ASSIGNED, {"previous_assignee": previous})


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
        NotAllowed, DocumentFrozen, Conflict, NotClaimed, ClaimedByOther, InvalidDecision, ItemNotFound,
        DocumentMissing.
    """
    request = {"decision": decision, "item_id": item_id, "expected_version": expected_version}
    with _action(engine, user, verb="decide", item_id=item_id, expected_version=expected_version, claimed=True,
                 refusal=audit.events.REVIEW_DECISION, request=request) as act:
        item, doc = act.item, act.doc
        if decision not in DECISIONS:
            raise InvalidDecision(f"unknown decision {decision!r}: use accept, correct or reject")
        if decision == "correct" and (value is None or (isinstance(value, str) and not value.strip())):
            raise InvalidDecision(f"a correction of {item.field_path} needs a new value")
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
        act.saved(audit.events.REVIEW_DECISION,
                  {"status": item.status, "severity": item.severity, "value": item.value,
                   "corrected_value": item.corrected_value, "corrected_evidence": item.corrected_evidence,
                   "comment": item.comment, "previous": before, "version": version})
        return version


def comment(engine: Engine, item_id: int, user: User, text: str, *, expected_version: int | None) -> int:
    """Set (or clear, with blank text) an item's comment without changing its decision; returns the new version.

    Same checks and auditing as :func:`decide` (event ``review.commented``).
    """
    with _action(engine, user, verb="comment", item_id=item_id, expected_version=expected_version, claimed=True,
                 refusal=audit.events.REVIEW_COMMENTED,
                 request={"item_id": item_id, "expected_version": expected_version}) as act:
        act.item.comment = text.strip() or None
        version = _bump(act.doc, act.item)
        act.saved(audit.events.REVIEW_COMMENTED, {"comment": act.item.comment, "version": version})
        return version


def confirm(engine: Engine, item_id: int, user: User, *, expected_version: int | None) -> int:
    """Second reviewer's confirmation (four-eyes) of a decided item; returns the new document version.

    The confirming reviewer must differ from the one who decided; no claim is needed. Audited as
    ``review.confirmed`` (refusals too).

    Raises:
        NotAllowed, DocumentFrozen, Conflict, FourEyes (own decision, or the item is still open), ItemNotFound,
        DocumentMissing.
    """
    with _action(engine, user, verb="confirm decisions", item_id=item_id, expected_version=expected_version,
                 refusal=audit.events.REVIEW_CONFIRMED,
                 request={"item_id": item_id, "expected_version": expected_version}) as act:
        item = act.item
        if item.status == "open":
            raise FourEyes(f"{item.field_path} has no decision to confirm yet")
        if item.decided_by == user.name:
            raise FourEyes(f"{item.field_path}: a second reviewer must confirm {user.name}'s decision")
        item.confirmed_by, item.confirmed_at = user.name, datetime.now(UTC)
        version = _bump(act.doc, item)
        act.saved(audit.events.REVIEW_CONFIRMED,
                  {"status": item.status, "decided_by": item.decided_by, "version": version})
        return version


# ---------------------------------------------------------------------------------------------- sign-off


def sign_off(engine: Engine, document_id: str, user: User, *, expected_version: int | None) -> dict[str, Any]:
    """Sign a document off (``in_review → signed_off``) and freeze it; returns the stored record
    ``{document_id, run_id, signed_off_by, signed_off_at (ISO 8601 UTC), final_values}``.

    Allowed to the assignee when no flagged item of the latest run is open and every error-severity decision is
    confirmed by a second reviewer. Audited as ``document.signed_off`` with the final values and every item's
    decision (refusals as ``review.refused``).

    Raises:
        NotAllowed, DocumentFrozen, Conflict, NotClaimed, ClaimedByOther, NotReviewable, DocumentMissing,
        SignOffBlocked (``reasons`` lists the open and unconfirmed items).
    """
    with _action(engine, user, verb="sign off", document_id=document_id, expected_version=expected_version,
                 claimed=True, refusal=audit.events.REVIEW_REFUSED,
                 request={"action": "sign_off", "expected_version": expected_version}) as act:
        doc = act.doc
        if doc.status != DocumentStatus.IN_REVIEW.value:
            raise NotReviewable(f"{doc.file_name} is {doc.status}, not in review")
        run = latest_run(act.session, doc.id)
        run_id = run.id if run else None
        items = run_items(act.session, doc.id, run_id)
        reasons = blockers_of(items)
        if reasons:
            raise SignOffBlocked(doc.file_name, reasons)
        extraction = ContractExtraction.model_validate(run.extraction) if run and run.extraction else None
        values = final_values(extraction, items)
        when = datetime.now(UTC)
        act.session.add(SignOffRow(document_id=doc.id, run_id=run_id, signed_off_by=user.name, signed_off_at=when,
                                   final_values=values))
        doc.status = check_transition(doc.status, DocumentStatus.SIGNED_OFF).value
        version = _bump(doc)
        record = {"document_id": doc.id, "run_id": run_id, "signed_off_by": user.name,
                  "signed_off_at": when.isoformat(), "final_values": values}
        act.saved(audit.events.DOCUMENT_SIGNED_OFF,
                  {**record, "version": version,
                   "decisions": [{"field_path": i.field_path, "status": i.status, "decided_by": i.decided_by,
                                  "confirmed_by": i.confirmed_by} for i in items]},
                  run_id=run_id, with_request=False)
        return record
