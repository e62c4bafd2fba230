"""The review room: the review workflow the UI and the CLI share, and what they read.

- Actions (:mod:`~pipeline.review.actions`): claim, release, assign, decide, comment, confirm (four-eyes),
  sign off. Each is one short write transaction with its audit event; a refused one raises a
  :class:`ReviewError` (:mod:`~pipeline.review.errors`) and is audited too.
- Queries (:mod:`~pipeline.review.queries`): the queue, one document with its fields, findings and review items,
  the rule ids for the queue's filter; review items and what they say about sign-off in
  :mod:`~pipeline.review.items`.
- Users (:mod:`~pipeline.review.users`): accounts, argon2id password hashes, roles (reviewer, admin, auditor);
  sign-in attempts audited and repeated failures throttled. Every action re-reads the acting account's role and
  active flag from the database.
- Field display rows (:mod:`~pipeline.review.fields`): an extraction flattened to one row per reviewable field;
  the text report of ``clausewise show`` (:mod:`~pipeline.review.report`); counts worded singular or plural
  (:func:`~pipeline.review.wording.counted`).

Use the names below (``from pipeline import review``; ``review.decide(...)``).
"""

from pipeline.review.actions import assign, claim, comment, confirm, decide, release, sign_off
from pipeline.review.errors import (
    ClaimedByOther, Conflict, DocumentFrozen, DocumentMissing, FourEyes, InvalidDecision, ItemNotFound, NotAllowed,
    NotClaimed, NotReviewable, ReviewError, SignOffBlocked,
)
from pipeline.review.fields import FieldRow, field_rows
from pipeline.review.items import DECISIONS, ItemView, blockers_of, final_values
from pipeline.review.queries import (
    DEFAULT_QUEUE_STATUSES, QUEUE_STATUSES, SEVERITY_RANK, DocumentView, FieldView, FindingView, QueueRow,
    load_document, queue, rule_ids,
)
from pipeline.review.report import document_report, print_report
from pipeline.review.wording import counted
from pipeline.review.users import (
    MIN_PASSWORD_CHARS, AuthenticationFailed, InvalidUser, Role, SignInThrottled, UnknownUser, User, UserError,
    UserExists, add_user, authenticate, get_user, list_users, session_ended, set_active, set_password, set_role,
)

__all__ = [
    # actions
    "assign", "claim", "comment", "confirm", "decide", "release", "sign_off",
    # errors
    "ClaimedByOther", "Conflict", "DocumentFrozen", "DocumentMissing", "FourEyes", "InvalidDecision",
    "ItemNotFound", "NotAllowed", "NotClaimed", "NotReviewable", "ReviewError", "SignOffBlocked",
    # queries and review items
    "DECISIONS", "DEFAULT_QUEUE_STATUSES", "QUEUE_STATUSES", "SEVERITY_RANK", "DocumentView", "FieldView",
    "FindingView", "ItemView", "QueueRow", "blockers_of", "final_values", "load_document", "queue", "rule_ids",
    # users
    "MIN_PASSWORD_CHARS", "AuthenticationFailed", "InvalidUser", "Role", "SignInThrottled", "UnknownUser", "User",
    "UserError", "UserExists", "add_user", "authenticate", "get_user", "list_users", "session_ended", "set_active",
    "set_password", "set_role",
    # field display rows and the document report
    "FieldRow", "counted", "document_report", "field_rows", "print_report",
]
