"""The one document state machine of Clausewise.

Every stage moves a document only through :func:`transition`, which refuses moves that
are not in :data:`TRANSITIONS`. Later stages extend this table; nothing forks it.

::

    ingested ──► extracted ──► verified ──► auto_accepted
        │            │             └──────► needs_review ──► in_review ──► signed_off
        │            └─► failed                 ▲               │
        ├─► failed  (reason: corrupt, empty_file, empty_document, not_pdf, gibberish, extraction_failed,
        │            file_unreadable, read_error, too_many_pages, ocr_limit, text_too_large, ...)
        ├─► needs_ocr (reason: no_text_layer; OCR unavailable)
        └─► needs_password (reason: encrypted)

``failed``, ``needs_ocr`` and ``needs_password`` always carry a reason code and message. Only an ``extracted``
document is verified: a document whose extraction failed stays ``failed`` (its history ends with
``document.failed``, never followed by ``document.verified``) until it is ingested again.
A ``needs_password`` or ``needs_ocr`` document may be ingested again (with ``--password``
or once Tesseract is installed), which moves it back to ``ingested``.
"""

from __future__ import annotations

from enum import StrEnum

from schemas import ClausewiseError


class DocumentStatus(StrEnum):
    """Where a document stands. Values are stored as text in ``documents.status``."""

    INGESTED = "ingested"
    EXTRACTED = "extracted"
    VERIFIED = "verified"
    AUTO_ACCEPTED = "auto_accepted"
    NEEDS_REVIEW = "needs_review"
    IN_REVIEW = "in_review"
    SIGNED_OFF = "signed_off"
    FAILED = "failed"
    NEEDS_OCR = "needs_ocr"
    NEEDS_PASSWORD = "needs_password"


class Reason(StrEnum):
    """Reason codes carried by ``failed``, ``needs_ocr`` and ``needs_password``."""

    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    TRUNCATED = "truncated"
    EMPTY_FILE = "empty_file"
    EMPTY_DOCUMENT = "empty_document"
    NOT_PDF = "not_pdf"
    NO_TEXT_LAYER = "no_text_layer"
    GIBBERISH = "gibberish"
    UNREADABLE = "unreadable"
    EXTRACTION_FAILED = "extraction_failed"
    FILE_UNREADABLE = "file_unreadable"
    """The operating system refused the file or folder: no read permission, a symbolic link loop, a dangling
    link, a folder that cannot be listed, an I/O error."""
    READ_ERROR = "read_error"
    """Reading or chunking the file raised an error no other reason names; the message gives it."""
    TOO_MANY_PAGES = "too_many_pages"
    """More pages than the setting ``max_pages_per_file`` allows."""
    OCR_LIMIT = "ocr_limit"
    """More scanned pages than ``max_ocr_pages_per_file`` or ``max_ocr_seconds_per_file`` allow to OCR."""
    TEXT_TOO_LARGE = "text_too_large"
    """More characters of text than ``max_text_chars`` allows."""


S = DocumentStatus

TRANSITIONS: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    S.INGESTED: frozenset({S.EXTRACTED, S.FAILED, S.NEEDS_OCR, S.NEEDS_PASSWORD}),
    S.EXTRACTED: frozenset({S.VERIFIED, S.FAILED, S.EXTRACTED}),
    S.VERIFIED: frozenset({S.AUTO_ACCEPTED, S.NEEDS_REVIEW}),
    S.AUTO_ACCEPTED: frozenset({S.NEEDS_REVIEW, S.EXTRACTED}),
    S.NEEDS_REVIEW: frozenset({S.IN_REVIEW, S.EXTRACTED}),
    S.IN_REVIEW: frozenset({S.NEEDS_REVIEW, S.SIGNED_OFF}),
    S.SIGNED_OFF: frozenset(),
    S.FAILED: frozenset({S.INGESTED}),
    S.NEEDS_OCR: frozenset({S.INGESTED}),
    S.NEEDS_PASSWORD: frozenset({S.INGESTED}),
}

TERMINAL_WITH_REASON = frozenset({S.FAILED, S.NEEDS_OCR, S.NEEDS_PASSWORD})


class InvalidTransition(ClausewiseError, ValueError):
    """A move not in :data:`TRANSITIONS` was asked for."""


def check_transition(current: DocumentStatus | str, new: DocumentStatus | str) -> DocumentStatus:
    """Return ``new`` as a status if ``current → new`` is allowed.

    Raises:
        InvalidTransition: the move is not in :data:`TRANSITIONS` (for example from ``signed_off``,
            which is frozen).
    """
    cur, nxt = DocumentStatus(current), DocumentStatus(new)
    if nxt not in TRANSITIONS[cur]:
        raise InvalidTransition(f"document cannot go from {cur.value} to {nxt.value}")
    return nxt
