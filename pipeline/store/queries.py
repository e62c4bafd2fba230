"""Reading documents back from the store: lookup by reference, and the SourceDocument view."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pipeline.store.tables import Document, ExtractionRun, Page
from schemas import ClausewiseError, ContractExtraction, HiddenText, SourceDocument, SourcePage


class DocumentNotFound(ClausewiseError, LookupError):
    """No document matches the reference."""


class AmbiguousDocument(ClausewiseError, LookupError):
    """Several documents match the reference (an id prefix or a file name)."""


def find_document(session: Session, ref: str) -> Document:
    """Document whose id starts with ``ref`` (at least 4 hex characters) or whose file name is ``ref``.

    Raises:
        DocumentNotFound: nothing matches.
        AmbiguousDocument: more than one document matches; the message lists them.
    """
    ref = ref.strip()
    conds = [Document.file_name == ref]
    if len(ref) >= 4 and all(c in "0123456789abcdef" for c in ref.lower()):
        conds.append(Document.id.startswith(ref.lower()))
    found = list(session.scalars(select(Document).where(or_(*conds))))
    if not found:
        raise DocumentNotFound(f"no document matches {ref!r} (use an id prefix of at least 4 characters or a file name; "
                               "see `clausewise status`)")
    if len(found) > 1:
        names = ", ".join(f"{d.id[:12]} {d.file_name}" for d in found[:10])
        raise AmbiguousDocument(f"{len(found)} documents match {ref!r}: {names}")
    return found[0]


def source_document(session: Session, document: Document) -> SourceDocument:
    """The document's stored text and pages as a :class:`schemas.SourceDocument`."""
    pages = session.scalars(select(Page).where(Page.document_id == document.id).order_by(Page.number))
    return SourceDocument(
        document_id=document.id,
        file_name=document.file_name,
        text=document.text or "",
        pages=[
            SourcePage(
                number=p.number,
                start=p.start,
                end=p.end,
                quality=p.quality,
                hidden_text=[HiddenText(**h) for h in (p.hidden_text or [])],
                layout=p.layout or [],
            )
            for p in pages
        ],
    )


#: Run statuses of a run that ended without storing its outcome: one still going or one whose process stopped.
UNFINISHED_RUNS = ("running", "interrupted")


def latest_run(session: Session, document_id: str) -> ExtractionRun | None:
    """The most recent finished extraction run of a document (``complete``, ``partial`` or ``failed``; a run
    still ``running`` or ``interrupted`` has stored no extraction), or ``None``."""
    return session.scalars(
        select(ExtractionRun)
        .where(ExtractionRun.document_id == document_id, ExtractionRun.status.not_in(UNFINISHED_RUNS))
        .order_by(ExtractionRun.started_at.desc(), ExtractionRun.id.desc())
        .limit(1)
    ).first()


def extraction_of(run: ExtractionRun | None) -> ContractExtraction | None:
    """The run's :class:`schemas.ContractExtraction`, or ``None`` for no run or a run that stored none."""
    if run is None or run.extraction is None:
        return None
    return ContractExtraction.model_validate(run.extraction)


def latest_extraction(session: Session, document_id: str) -> ContractExtraction | None:
    """The latest run's :class:`schemas.ContractExtraction`, or ``None`` when never extracted."""
    return extraction_of(latest_run(session, document_id))
