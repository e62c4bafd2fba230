"""Why a review action was refused. Every message is meant for the reviewer.

::

    ReviewError (a schemas.ClausewiseError)
    ├── Conflict            the document changed since the reviewer opened it (``seen``, ``now``: versions)
    ├── ClaimedByOther      another reviewer holds the document
    ├── NotClaimed          the reviewer has not claimed the document
    ├── NotAllowed          the user's role does not allow the action
    ├── DocumentFrozen      the document is signed off
    ├── NotReviewable       the document is in no review state
    ├── InvalidDecision     unknown decision, or a correction without a new value
    ├── FourEyes            confirming one's own decision, or an undecided item
    ├── SignOffBlocked      open items or unconfirmed error decisions remain (``reasons``)
    ├── ItemNotFound        (also a LookupError) no review item with that id
    └── DocumentMissing     (also a LookupError) no document with that id
"""

from __future__ import annotations

from schemas import ClausewiseError


class ReviewError(ClausewiseError):
    """Base error of the review workflow; the message is meant for the reviewer."""


class Conflict(ReviewError):
    """The document changed since the reviewer opened it (optimistic lock): ``seen`` and ``now`` are versions."""

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
