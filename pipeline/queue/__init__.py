"""A PostgreSQL job queue of documents to extract and verify, and the workers that run it (procrastinate).

``clausewise ingest --queue`` reads, checks and chunks files as ``ingest`` does (original bytes, text, pages and
chunks stored), then :func:`defer_documents` queues one job per stored document still to extract or verify.
``clausewise worker`` (:func:`run_worker`) runs those jobs on any machine that reaches the database: a job reads
everything from the store (text, chunks; the original bytes are in table ``blobs``), never a path of the machine
that ran ``ingest``. The jobs, their locks and the workers' heartbeats live in the same database (procrastinate's
tables, migration 0009), so no broker timeout cuts a long model call.

- One job per document: a job is deferred with ``queueing_lock`` and ``lock`` set to the document id, and not at
  all while one for that document waits or runs.
- A job is :func:`pipeline.run.process_documents` on its one document (lease, extraction, verification), run in a
  worker thread; ``--concurrency N`` runs up to N jobs at once, each one model call at a time. Every stage is
  idempotent: a document past verification is left as it is, a stored extraction is verified and not made again,
  a stored chunk answer is not asked again.
- A worker lost mid-job (killed, machine gone) stops writing its heartbeat; after ``worker_stalled_seconds`` a
  live worker puts its jobs back in the queue (:func:`recover_stalled`), each return counting as one attempt.
  A job that raises is tried again after ``queue_retry_seconds``. After ``queue_max_attempts`` attempts the
  document ends ``failed`` (reason ``extraction_failed``, the message says how many attempts and why) and the job
  ``failed``. A job stopped with its worker while it waited for a lease did no work: it is queued again and not
  counted as an attempt.
- A document whose lease another process holds (a lost worker's, until it lapses; a live ``ingest``'s) is waited
  for, not skipped: the job ends only when the document is past verification or failed.

Workers print one line per document with its outcome (:class:`Log`). Times are seconds; database times UTC.
"""

from pipeline.queue.errors import DocumentNotCarried, QueueError, QueueNeedsPostgres, WorkerStopping
from pipeline.queue._queue import (
    JobRunner,
    Log,
    QUEUE,
    TASK,
    WorkersResult,
    conninfo,
    defer_documents,
    fail_document,
    make_app,
    pending_jobs,
    queue_counts,
    recover_stalled,
    require_postgres,
    run_worker,
    run_workers,
    start_workers,
    worker_command,
)

__all__ = [
    "DocumentNotCarried",
    "JobRunner",
    "Log",
    "QUEUE",
    "QueueError",
    "QueueNeedsPostgres",
    "TASK",
    "WorkerStopping",
    "WorkersResult",
    "conninfo",
    "defer_documents",
    "fail_document",
    "make_app",
    "pending_jobs",
    "queue_counts",
    "recover_stalled",
    "require_postgres",
    "run_worker",
    "run_workers",
    "start_workers",
    "worker_command",
]
