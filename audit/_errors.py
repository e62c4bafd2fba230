"""Exceptions of the audit log: one class per failure mode, all under :class:`AuditError`."""

from __future__ import annotations

from schemas import ClausewiseError


class AuditError(ClausewiseError):
    """Base class of every error raised by :mod:`audit`."""


class AuditWriteError(AuditError):
    """An event could not be written (database error, lock timeout, closed connection, missing table).

    Raised from the one write path and never swallowed there: the pipeline step that asked for the
    event must fail with it, so that no step goes on unlogged (a swallowed write error is a silent gap in the
    audit log).
    """


class InvalidEvent(AuditError):
    """The event was refused before touching the database: bad type name, empty actor,
    a payload that is not JSON (NaN, non-string keys, unknown objects) or that uses the reserved key ``$blob``."""


class EventNotFound(AuditError):
    """No event has the requested id."""


class AuditKeyError(AuditError):
    """The audit key or a checkpoint file is missing, unreadable or malformed, or a key file would be
    overwritten; the message names the file or variable."""
