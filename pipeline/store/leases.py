"""Leases: which process carries a document through extraction and verification, and until when.

A process claims a document before working on it (:func:`claim`): its holder id and an expiry go on the
document row (``documents.lease_holder``, ``documents.lease_expires_at``). While it works, it renews the lease
(:func:`renew`; :class:`Heartbeat` does it from a thread), and it releases the lease when done (:func:`release`).
A claim succeeds when the document has no holder, the same holder, or a holder whose lease has lapsed: expired,
or held by a process of this machine that no longer runs (a killed ``ingest`` is carried on at once, not after
the expiry). Taking a document over closes every extraction run of it still ``running`` as ``interrupted``, with
an ``extraction.interrupted`` audit event; :func:`expire` does the same for every lapsed lease of the store. A
stage that stores a result checks in the same transaction that its lease is still held (:func:`check_held`), so
a process that lost its lease (frozen past the expiry) stores nothing: a document has at most one complete run
per extraction, beside any interrupted ones.

A holder id is ``<host>[~<PID namespace>]:<pid>:<random>`` (:func:`new_holder`). Times are timezone-aware UTC; lease lengths are
seconds (the setting ``lease_seconds``).

Every function takes the engine (or, for :func:`check_held`, the session of the caller's transaction) and is a
plain function of the database: a job queue can call them as the ``ingest`` command does.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import audit
from pipeline.store.engine import transaction
from pipeline.store.tables import Document, ExtractionRun, utcnow
from schemas import ClausewiseError

RUN_INTERRUPTED = "extraction.interrupted"
"""Audit event: a ``running`` extraction run closed as ``interrupted`` because its holder's lease lapsed.
Payload: ``run_id``, ``holder`` (the lapsed one), ``lease_expires_at`` (ISO 8601), ``why`` (``expired`` |
``process ended`` | ``no lease``), ``claimed_by`` (the new holder, or ``None`` from :func:`expire`)."""


class LeaseLost(ClausewiseError):
    """The document's lease is no longer held by this holder (it lapsed and another process claimed it):
    nothing was stored."""


@dataclass(frozen=True)
class LeaseInfo:
    """A document's lease as stored: ``holder`` and ``expires_at`` (UTC), both ``None`` when free."""

    document_id: str
    holder: str | None
    expires_at: datetime | None


def _machine() -> str:
    """This machine as process ids see it: the host name, and on Linux the PID namespace (two containers that
    share a host name see different processes under the same ids)."""
    try:
        namespace = f"~{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        namespace = ""
    return socket.gethostname() + namespace


def new_holder() -> str:
    """A holder id for this process: ``"<host name>[~<PID namespace>]:<pid>:<8 hex digits>"``."""
    return f"{_machine()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _aware(t: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def holder_process_ended(holder: str) -> bool:
    """Whether ``holder`` names a process of this machine (same host name and PID namespace) that no longer runs.

    ``False`` for another machine's holder or an id not in :func:`new_holder`'s form (its lease then lapses only
    at its expiry). A process id reused by another process keeps the lease until its expiry (never ends one
    early)."""
    machine, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if machine != _machine() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A process that ended but whose parent has not collected it yet (Linux ``/proc``; ``False`` elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _lapse(doc: Document, now: datetime) -> str | None:
    """Why ``doc``'s lease no longer holds (``expired`` | ``process ended``), or ``None`` while it holds or when
    there is none."""
    if doc.lease_holder is None:
        return None
    expires = _aware(doc.lease_expires_at)
    if expires is None or expires <= now:
        return "expired"
    if holder_process_ended(doc.lease_holder):
        return "process ended"
    return None


def _locked(session: Session, document_id: str) -> Document | None:
    """The document row, locked for this transaction on PostgreSQL (SQLite's write lock is the transaction's)."""
    return session.get(Document, document_id, with_for_update=True, populate_existing=True)


def _interrupt_runs(session: Session, doc: Document, *, why: str, claimed_by: str | None,
                    keep_holder: str | None = None) -> list[str]:
    """Close the document's ``running`` runs (but those of ``keep_holder``) as ``interrupted``, one audit event
    each; returns their ids."""
    runs = list(session.scalars(select(ExtractionRun).where(ExtractionRun.document_id == doc.id,
                                                            ExtractionRun.status == "running")))
    closed = []
    for run in runs:
        if keep_holder is not None and run.holder == keep_holder:
            continue
        run.status, run.finished_at = "interrupted", utcnow()
        expires = _aware(doc.lease_expires_at)
        audit.append(session, type=RUN_INTERRUPTED, actor="system", document_id=doc.id, run_id=run.id, payload={
            "run_id": run.id, "holder": run.holder, "lease_expires_at": expires.isoformat() if expires else None,
            "why": why if run.holder is not None else "no lease", "claimed_by": claimed_by})
        closed.append(run.id)
    return closed


def claim(engine: Engine, document_id: str, holder: str, *, seconds: float, now: datetime | None = None) -> bool:
    """Take ``document_id``'s lease for ``holder`` until ``now + seconds`` (``now``: UTC, default the clock).

    Returns ``True`` when the document had no holder, ``holder`` itself (the lease is renewed), or a holder
    whose lease lapsed (expired, or its process on this machine ended): the document's runs still ``running``
    are then closed as ``interrupted`` (an ``extraction.interrupted`` event each). Returns ``False`` while
    another holder's lease holds, or when there is no such document.
    """
    now = now or utcnow()
    with transaction(engine, immediate=True) as s:
        doc = _locked(s, document_id)
        if doc is None:
            return False
        if doc.lease_holder not in (None, holder):
            why = _lapse(doc, now)
            if why is None:
                return False
            _interrupt_runs(s, doc, why=why, claimed_by=holder)
        elif doc.lease_holder is None:
            _interrupt_runs(s, doc, why="no lease", claimed_by=holder)
        doc.lease_holder, doc.lease_expires_at = holder, now + timedelta(seconds=seconds)
        return True


def renew(engine: Engine, document_id: str, holder: str, *, seconds: float, now: datetime | None = None) -> bool:
    """Extend ``holder``'s lease to ``now + seconds``; ``False`` (nothing changed) when ``holder`` no longer holds
    it."""
    now = now or utcnow()
    with transaction(engine, immediate=True) as s:
        doc = _locked(s, document_id)
        if doc is None or doc.lease_holder != holder:
            return False
        doc.lease_expires_at = now + timedelta(seconds=seconds)
        return True


def release(engine: Engine, document_id: str, holder: str) -> bool:
    """Give the lease up; ``False`` when ``holder`` did not hold it (then nothing changes)."""
    with transaction(engine, immediate=True) as s:
        doc = _locked(s, document_id)
        if doc is None or doc.lease_holder != holder:
            return False
        doc.lease_holder = doc.lease_expires_at = None
        return True


def expire(engine: Engine, *, now: datetime | None = None) -> list[str]:
    """Clear every lapsed lease of the store and close the runs its holder left ``running`` as ``interrupted``
    (an ``extraction.interrupted`` event each, ``claimed_by`` ``None``); returns the ids of the runs closed.
    Documents keep their status: the next claim carries them on."""
    now = now or utcnow()
    closed: list[str] = []
    with transaction(engine, immediate=True) as s:
        held = list(s.scalars(select(Document).where(Document.lease_holder.is_not(None))
                              .with_for_update().execution_options(populate_existing=True)))
        for doc in held:
            why = _lapse(doc, now)
            if why is None:
                continue
            closed += _interrupt_runs(s, doc, why=why, claimed_by=None)
            doc.lease_holder = doc.lease_expires_at = None
    return closed


def lease_of(engine: Engine, document_id: str) -> LeaseInfo:
    """The document's lease as stored (holder and expiry, ``None`` when free or no such document)."""
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        if doc is None:
            return LeaseInfo(document_id, None, None)
        return LeaseInfo(document_id, doc.lease_holder, _aware(doc.lease_expires_at))


def check_held(session: Session, document_id: str, holder: str) -> Document:
    """In the caller's write transaction: the document row, locked, if ``holder`` holds its lease.

    Raises:
        LeaseLost: another holder has it, or none does (it lapsed and was expired or claimed).
    """
    doc = _locked(session, document_id)
    if doc is None or doc.lease_holder != holder:
        raise LeaseLost(f"document {document_id[:12]}: the lease of {holder} was lost"
                        + (f" to {doc.lease_holder}" if doc is not None and doc.lease_holder else ""))
    return doc


class Heartbeat:
    """Renews ``holder``'s lease on ``document_id`` every ``seconds / 3`` from a daemon thread until
    :meth:`stop`; ``lost`` turns ``True`` when a renewal finds the lease gone. A renewal that fails (the database
    briefly unreachable) is tried again at the next beat. Use as a context manager around the work."""

    def __init__(self, engine: Engine, document_id: str, holder: str, *, seconds: float) -> None:
        self.engine, self.document_id, self.holder, self.seconds = engine, document_id, holder, seconds
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{document_id[:12]}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                if not renew(self.engine, self.document_id, self.holder, seconds=self.seconds):
                    self.lost = True
                    return
            except Exception:  # noqa: BLE001 - a failed renewal is retried; the lease check at storing decides
                continue

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing (the lease itself is kept until :func:`release` or its expiry)."""
        self._stop.set()
        self._thread.join()

    def __exit__(self, *exc: object) -> None:
        self.stop()

