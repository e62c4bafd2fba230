"""Verification: run the rule engine on a stored extraction, store findings, route to review.

The engine (:mod:`rules`) is pure; this module stores its findings, writes ``rule.evaluated``
(one per rule) and ``finding.created`` (one per finding) audit events, creates one review item
per flagged field, and moves the document ``extracted → verified → auto_accepted | needs_review``.

Only an ``extracted`` document is verified: ``extracted → verified`` is the one move into ``verified`` the state
machine (:mod:`pipeline.store.states`) allows. A document in any other status (``failed`` after an extraction
that read no chunk, ``needs_review`` or ``auto_accepted`` after an earlier verification, ...) is refused with
nothing written: no ``rule.evaluated``, ``finding.created`` or ``document.verified`` event, no finding, no review
item.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

import audit
from pipeline.store import leases, transaction
from pipeline.review import field_rows
from pipeline.store import Document, FindingRow, ReviewItem
from pipeline.settings import Settings
from pipeline.store import DocumentStatus, InvalidTransition, check_transition
from pipeline.store import extraction_of, latest_run, source_document
from rules import catalogue, evaluate
from rules import DEFAULT_PLAYBOOK, Playbook, load_playbook
from rules import review_fields
from schemas import ClausewiseError, Finding


class NothingToVerify(ClausewiseError, LookupError):
    """The document has no extraction to verify: it has no finished extraction run that stored one, or its status
    is not ``extracted`` (its extraction failed, or it was verified already)."""


@dataclass
class VerifyOutcome:
    document_id: str
    status: str
    findings: list[Finding]
    review_items: int


def load_configured_playbook(settings: Settings) -> Playbook:
    """The playbook named in settings, or the shipped default (``rules/playbooks/default.yaml``)."""
    return load_playbook(settings.playbook or DEFAULT_PLAYBOOK)


def verify_document(
    engine: Engine,
    document_id: str,
    settings: Settings,
    *,
    playbook: Playbook | None = None,
    actor: str = "system",
    store: bool = True,
    holder: str | None = None,
) -> VerifyOutcome:
    """Evaluate every rule on the latest extraction of ``document_id``.

    With ``store=False`` nothing is written (``clausewise rules check``), and the rules run on the latest
    extraction whatever the document's status.

    ``holder``: the lease holder (:mod:`pipeline.store.leases`) the caller claimed the document as; findings
    and the status are stored only while that lease still holds (checked in the storing transaction).

    Raises:
        NothingToVerify: the document was never extracted, or (``store=True``) its status is not ``extracted``
            (checked again in the storing transaction); nothing is written.
        LeaseLost: ``holder`` lost the document's lease (nothing stored).
    """
    playbook = playbook if playbook is not None else load_configured_playbook(settings)
    with transaction(engine) as s:
        doc = s.get(Document, document_id)
        run = latest_run(s, document_id)
        extraction = extraction_of(run)
        if doc is None or run is None or extraction is None:
            raise NothingToVerify(f"document {document_id[:12]} has no extraction; run `clausewise ingest` first")
        if store:
            _check_verifiable(doc)
        source = source_document(s, doc)
    findings = evaluate(extraction, source, playbook=playbook)
    flagged = review_fields(findings)
    if not store:
        return VerifyOutcome(document_id, doc.status, findings, len(flagged))

    values = {r.path: r.value for r in field_rows(extraction)}
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    with transaction(engine, immediate=True) as s:
        doc = leases.check_held(s, document_id, holder) if holder is not None else s.get(Document, document_id)
        _check_verifiable(doc)
        for info in catalogue(playbook):
            hits = by_rule.get(info.id, [])
            audit.append(s, type=audit.events.RULE_EVALUATED, actor=actor, document_id=document_id, run_id=run.id,
                         payload={"rule_id": info.id, "passed": not hits, "findings": len(hits),
                                  "severity": str(info.severity)})
        for f in findings:
            s.add(FindingRow(document_id=document_id, run_id=run.id, rule_id=f.rule_id, severity=f.severity.value,
                             field_path=f.field_path, message=f.message,
                             evidence=f.evidence.model_dump(mode="json") if f.evidence else None))
            audit.append(s, type=audit.events.FINDING_CREATED, actor=actor, document_id=document_id, run_id=run.id,
                         payload=f.model_dump(mode="json"))
        existing = {ri.field_path for ri in s.scalars(select(ReviewItem).where(ReviewItem.run_id == run.id))}
        for path, severity in sorted(flagged.items()):
            if path not in existing:
                s.add(ReviewItem(document_id=document_id, run_id=run.id, field_path=path,
                                 severity=severity.value, value=values.get(path)))
        doc.status = check_transition(doc.status, DocumentStatus.VERIFIED).value
        target = DocumentStatus.NEEDS_REVIEW if (flagged or settings.review_all) else DocumentStatus.AUTO_ACCEPTED
        doc.status = check_transition(doc.status, target).value
        status = doc.status
        audit.append(s, type=audit.events.DOCUMENT_VERIFIED, actor=actor, document_id=document_id, run_id=run.id,
                     payload={"status": status, "findings": len(findings), "review_items": len(flagged),
                              "review_all": settings.review_all,
                              "playbook": getattr(playbook, "path", None) and str(playbook.path)})
    return VerifyOutcome(document_id, status, findings, len(flagged))


def _check_verifiable(doc: Document) -> None:
    """Raise :class:`NothingToVerify` unless the state machine lets ``doc`` move to ``verified`` (it is
    ``extracted``); the message gives its status, with its reason and message when it has one."""
    try:
        check_transition(doc.status, DocumentStatus.VERIFIED)
    except InvalidTransition:
        why = f" ({': '.join(filter(None, (doc.status_reason, doc.status_message)))})" if doc.status_reason else ""
        raise NothingToVerify(f"document {doc.id[:12]} is {doc.status}{why}; only an extracted document is "
                              f"verified") from None
