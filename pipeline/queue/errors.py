"""Errors of the job queue (all under :class:`schemas.ClausewiseError`)."""

from __future__ import annotations

from schemas import ClausewiseError


class QueueError(ClausewiseError):
    """Base error of the job queue."""


class QueueNeedsPostgres(QueueError):
    """The database is not PostgreSQL: the queue keeps its jobs in PostgreSQL."""


class WorkerStopping(QueueError):
    """The worker was asked to stop while a job waited for another process's lease: the job is tried again."""


class DocumentNotCarried(QueueError):
    """A job's document is still to extract or verify although no other process holds it (see the message)."""
