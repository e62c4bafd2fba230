"""The queue's jobs and workers: see :mod:`pipeline.queue` for what they guarantee."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import audit
from pipeline.llm import concurrency_for
from pipeline.reading import printable
from pipeline.settings import Settings, mask_url
from pipeline.store import Document, DocumentStatus, ExtractionRun, Reason, TRANSITIONS, check_transition, leases
from pipeline.store import make_engine, transaction, upgrade
from pipeline.queue.errors import DocumentNotCarried, QueueNeedsPostgres, WorkerStopping

QUEUE = "clausewise"
"""The procrastinate queue the document jobs go to."""

TASK = "clausewise.process_document"
"""The task name of a document job; its one argument is ``document_id``."""

TO_DO = (DocumentStatus.INGESTED.value, DocumentStatus.EXTRACTED.value)
"""Document states a job carries on from; every other state is final for a job."""

RECOVERY_LOCK_KEY = int.from_bytes(b"cw-stall", "big") & 0x7FFF_FFFF_FFFF_FFFF
"""PostgreSQL advisory-lock key held while one worker puts lost workers' jobs back (one worker at a time)."""


def require_postgres(database_url: str) -> None:
    """Raise :class:`QueueNeedsPostgres` (one line naming the URL, password masked) unless ``database_url`` is
    PostgreSQL."""
    if make_url(database_url).get_backend_name() != "postgresql":
        raise QueueNeedsPostgres(
            f"the job queue needs PostgreSQL, and the database is {mask_url(database_url)}; set "
            "CLAUSEWISE_DATABASE_URL (or --database-url) to postgresql+psycopg://USER@HOST/DB")


def conninfo(database_url: str) -> str:
    """The libpq connection string (``postgresql://...``) of a SQLAlchemy PostgreSQL URL, password kept."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------


class Log:
    """One line per event on ``stream`` (default stdout), flushed, from any thread."""

    def __init__(self, stream=None) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def line(self, text_: str) -> None:
        with self._lock:
            print(text_, file=self.stream or sys.stdout, flush=True)


def _name(engine: Engine, document_id: str) -> str:
    with Session(engine) as s:
        doc = s.get(Document, document_id)
    return f"{printable(doc.file_name) if doc is not None else '?'} ({document_id[:12]})"


def _attempts(n: int) -> str:
    return f"{n} attempt{'' if n == 1 else 's'}"


def _doc_state(engine: Engine, document_id: str) -> tuple[str | None, str | None]:
    with Session(engine) as s:
        doc = s.get(Document, document_id)
        return (doc.status, doc.status_reason) if doc is not None else (None, None)


# ---------------------------------------------------------------------------------------------------------------
# Deferring
# ---------------------------------------------------------------------------------------------------------------


def pending_jobs(engine: Engine, document_ids: list[str] | None = None) -> dict[str, str]:
    """Document id -> status (``todo`` | ``doing``) of the document jobs waiting or running, all of them or of
    ``document_ids``."""
    sql = ("SELECT args->>'document_id', status::text FROM procrastinate_jobs WHERE task_name = :task "
           "AND status IN ('todo', 'doing')")
    with engine.connect() as c:
        rows = c.execute(text(sql), {"task": TASK}).all()
    wanted = None if document_ids is None else set(document_ids)
    return {d: st for d, st in rows if wanted is None or d in wanted}


def queue_counts(engine: Engine) -> dict[str, int]:
    """Document jobs by procrastinate status (``todo``, ``doing``, ``succeeded``, ``failed``, ...)."""
    with engine.connect() as c:
        rows = c.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs WHERE task_name = :task "
                              "GROUP BY status"), {"task": TASK}).all()
    return {st: n for st, n in rows}


def defer_documents(settings: Settings, document_ids: list[str], *, engine: Engine | None = None) -> dict[str, str]:
    """Queue one job per document of ``document_ids`` that is still to extract or verify (``ingested`` or
    ``extracted``) and has no job waiting or running.

    Returns document id -> ``"queued"`` | ``"already queued"`` (a job for it waits or runs) | its status when it
    is past extraction (no job). Raises :class:`QueueNeedsPostgres` on another database, and what the database
    raises when it cannot be reached.
    """
    url = settings.effective_database_url
    require_postgres(url)
    engine = engine or make_engine(url)
    from procrastinate import exceptions as pexc

    out: dict[str, str] = {}
    pending = pending_jobs(engine, document_ids)
    app = make_app(settings, engine=engine)
    task = app.tasks[TASK]
    with app.open():
        for doc_id in dict.fromkeys(document_ids):
            status, _ = _doc_state(engine, doc_id)
            if status not in TO_DO:
                out[doc_id] = status or "missing"
            elif doc_id in pending:
                out[doc_id] = "already queued"
            else:
                try:
                    task.configure(lock=doc_id, queueing_lock=doc_id).defer(document_id=doc_id)
                    out[doc_id] = "queued"
                except pexc.AlreadyEnqueued:  # another process queued it since the check above
                    out[doc_id] = "already queued"
    return out


# ---------------------------------------------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------------------------------------------


def _retry_strategy(max_attempts: int, wait: float):
    """procrastinate retry strategy: a job that raised is tried again after ``wait`` seconds until it has made
    ``max_attempts`` attempts (attempts lost with their worker counted); one stopped by its worker's shutdown
    (:class:`WorkerStopping`) always."""
    from procrastinate.retry import BaseRetryStrategy, RetryDecision

    class Retry(BaseRetryStrategy):
        def get_retry_decision(self, *, exception: BaseException, job) -> RetryDecision | None:
            if isinstance(exception, WorkerStopping):
                return RetryDecision(retry_in={"seconds": 0})
            if job.attempts + 1 >= max_attempts:
                return None
            return RetryDecision(retry_in={"seconds": wait})

    return Retry()


@dataclass
class JobRunner:
    """Runs document jobs in one worker process: ``engine`` of the store, ``settings`` in force, ``log`` for the
    one line per document, ``stopping`` set when the worker shuts down (a job waiting for a lease gives up)."""

    engine: Engine
    settings: Settings
    log: Log = field(default_factory=Log)
    stopping: threading.Event = field(default_factory=threading.Event)
    _backend: Any = None
    _backend_lock: threading.Lock = field(default_factory=threading.Lock)
    ran: Counter = field(default_factory=Counter)
    """This worker's jobs by how they ended: the document's status, or ``stopped`` (to be tried again)."""

    def backend(self):
        """The model backend of this worker, made on first use and shared by its jobs (a local model is loaded
        once per worker, not once per job)."""
        with self._backend_lock:
            if self._backend is None:
                from pipeline.llm import make_backend

                self._backend = make_backend(self.settings)
            return self._backend

    def run(self, document_id: str, *, attempt: int, job_id: int | None = None) -> str:
        """Carry ``document_id`` to a final state (attempt ``attempt`` of ``settings.queue_max_attempts``);
        returns its status then. On an error the document is left as it was for the next attempt, and after the
        last attempt moved to ``failed`` (:func:`fail_document`); the error is raised again for procrastinate.
        A job its worker stopped while it waited for another process's lease (:class:`WorkerStopping`) did no
        work: its procrastinate job ``job_id`` gets one attempt back (:func:`_not_an_attempt`), so the stop is
        not counted."""
        most = self.settings.queue_max_attempts
        t0 = time.perf_counter()
        try:
            status = self._carry(document_id)
        except WorkerStopping as exc:
            self.ran["stopped"] += 1
            if job_id is not None:
                _not_an_attempt(self.engine, job_id)
            self.log.line(f"{_name(self.engine, document_id)}: {printable(str(exc))}; queued again (not counted "
                          f"as an attempt)")
            raise
        except BaseException as exc:
            why = f"{type(exc).__name__}: {printable(str(exc))}"[:500]
            self.ran["failed" if attempt >= most else "stopped"] += 1
            if attempt >= most:
                fail_document(self.engine, document_id, f"{_attempts(attempt)} of the queue failed; the last: {why}")
                self.log.line(f"{_name(self.engine, document_id)}: failed (extraction_failed) after "
                              f"{_attempts(attempt)} - {why}")
            else:
                self.log.line(f"{_name(self.engine, document_id)}: attempt {attempt} of {most} stopped - {why}; "
                              f"queued again in {self.settings.queue_retry_seconds:g} s")
            raise
        status, reason = _doc_state(self.engine, document_id)
        self.ran[status or "missing"] += 1
        self.log.line(f"{_name(self.engine, document_id)}: {status}{f' ({reason})' if reason else ''} - attempt "
                      f"{attempt} of {most}, {time.perf_counter() - t0:.1f} s")
        return status or "missing"

    def _carry(self, document_id: str) -> str:
        from pipeline.run import process_documents  # the model backend is loaded with it

        while True:
            status, _ = _doc_state(self.engine, document_id)
            if status not in TO_DO:
                return status or "missing"
            # one call at a time per job: the worker's concurrency is its jobs at once
            totals = process_documents(self.engine, [document_id], self.settings, concurrency=1,
                                       backend=self.backend())
            status, _ = _doc_state(self.engine, document_id)
            if status not in TO_DO:
                return status or "missing"
            lease = leases.lease_of(self.engine, document_id)
            if not totals["skipped"] and lease.holder is None:
                raise DocumentNotCarried(f"document {document_id[:12]} is still {status} after extraction and "
                                         "verification (see its audit events)")
            # another process holds its lease: a lost worker's lapses at its expiry, a live process finishes
            self._wait_for(document_id, lease)

    def _wait_for(self, document_id: str, lease: leases.LeaseInfo) -> None:
        from pipeline.store import utcnow

        left = (lease.expires_at - utcnow()).total_seconds() if lease.expires_at else 0.0
        pause = min(max(left, 0.2), self.settings.worker_poll_seconds)
        if self.stopping.wait(pause):
            raise WorkerStopping(f"the worker stopped while document {document_id[:12]} was held by "
                                 f"{lease.holder}")


def _not_an_attempt(engine: Engine, job_id: int) -> None:
    """Give the running procrastinate job ``job_id`` one attempt back before it is retried: procrastinate adds one
    to a job's ``attempts`` on every retry (``procrastinate_retry_job``), and a job stopped before doing any work
    must not use one of ``queue_max_attempts`` up. The count is lowered only while the job is ``doing``."""
    with engine.begin() as c:
        c.execute(text("UPDATE procrastinate_jobs SET attempts = attempts - 1 WHERE id = :id AND status = 'doing'"),
                  {"id": job_id})


def fail_document(engine: Engine, document_id: str, message: str, *, actor: str = "system") -> bool:
    """Move ``document_id`` to ``failed`` (reason ``extraction_failed``, ``message``) with a ``document.failed``
    audit event, closing the extraction runs left ``running`` as ``interrupted`` (taking the document's lease
    first, :func:`pipeline.store.leases.claim`). Returns ``False`` and changes nothing when another process holds
    a live lease on it (that process carries it on) or it is past extraction and verification already."""
    holder = leases.new_holder()
    if not leases.claim(engine, document_id, holder, seconds=60):
        return False
    try:
        with transaction(engine, immediate=True) as s:
            doc = leases.check_held(s, document_id, holder)
            if doc.status not in TO_DO or DocumentStatus.FAILED not in TRANSITIONS[DocumentStatus(doc.status)]:
                return False
            doc.status = check_transition(doc.status, DocumentStatus.FAILED).value
            doc.status_reason, doc.status_message = Reason.EXTRACTION_FAILED.value, message
            runs = list(s.query(ExtractionRun.id).filter(ExtractionRun.document_id == document_id)
                        .order_by(ExtractionRun.started_at))
            audit.append(s, type=audit.events.DOCUMENT_FAILED, actor=actor, document_id=document_id,
                         run_id=runs[-1][0] if runs else None,
                         payload={"status": doc.status, "reason": doc.status_reason, "message": message})
        return True
    finally:
        leases.release(engine, document_id, holder)


def make_app(settings: Settings, *, engine: Engine | None = None, runner: JobRunner | None = None):
    """The procrastinate ``App`` on ``settings``' database with the document task registered (queue
    :data:`QUEUE`, name :data:`TASK`, retries as ``queue_max_attempts`` / ``queue_retry_seconds`` say). The
    task runs ``runner`` (default one on ``engine``). Not opened: ``with app.open():`` to defer,
    :func:`run_worker` to work. Raises :class:`QueueNeedsPostgres` on another database."""
    import procrastinate

    url = settings.effective_database_url
    require_postgres(url)
    if runner is None:
        runner = JobRunner(engine or make_engine(url), settings)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))

    @app.task(name=TASK, queue=QUEUE, pass_context=True,
              retry=_retry_strategy(settings.queue_max_attempts, settings.queue_retry_seconds))
    def process_document(context, document_id: str) -> str:
        return runner.run(document_id, attempt=context.job.attempts + 1, job_id=context.job.id)

    return app


# ---------------------------------------------------------------------------------------------------------------
# Lost workers
# ---------------------------------------------------------------------------------------------------------------


async def recover_stalled(app, runner: JobRunner) -> list[tuple[int, str, str]]:
    """Put back in the queue the document jobs left ``doing`` by workers whose heartbeat is older than
    ``worker_stalled_seconds`` (or gone); a job whose lost attempt was its last ends ``failed`` and its document
    ``failed`` (:func:`fail_document`). One worker at a time (a PostgreSQL advisory lock; a worker that does not
    get it does nothing this round). Returns ``(job id, document id, "queued again" | "failed")`` per job."""
    from procrastinate import jobs as pjobs

    settings, engine = runner.settings, runner.engine
    out: list[tuple[int, str, str]] = []
    conn = await asyncio.to_thread(engine.connect)
    try:
        got = await asyncio.to_thread(
            lambda: conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RECOVERY_LOCK_KEY}).scalar())
        await asyncio.to_thread(conn.commit)
        if not got:
            return out
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, task_name=TASK, seconds_since_heartbeat=settings.worker_stalled_seconds)
            for job in stalled:
                doc_id = job.task_kwargs.get("document_id", "?")
                attempt = job.attempts + 1  # the attempt its worker was making
                most = settings.queue_max_attempts
                name = await asyncio.to_thread(_name, engine, doc_id)
                if attempt >= most:
                    message = (f"{_attempts(attempt)} of the queue failed; the last: its worker was lost (no "
                               f"heartbeat for {settings.worker_stalled_seconds:g} s)")
                    await asyncio.to_thread(fail_document, engine, doc_id, message)
                    await app.job_manager.finish_job(job, status=pjobs.Status.FAILED, delete_job=False)
                    runner.log.line(f"{name}: failed (extraction_failed) - {message}")
                    out.append((job.id, doc_id, "failed"))
                else:
                    await app.job_manager.retry_job(job)
                    runner.log.line(f"{name}: its worker was lost on attempt {attempt} of {most} (no heartbeat for "
                                    f"{settings.worker_stalled_seconds:g} s); queued again")
                    out.append((job.id, doc_id, "queued again"))
        finally:
            await asyncio.to_thread(
                lambda: (conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RECOVERY_LOCK_KEY}),
                         conn.commit()))
    finally:
        await asyncio.to_thread(conn.close)
    return out


# ---------------------------------------------------------------------------------------------------------------
# The worker
# ---------------------------------------------------------------------------------------------------------------


class _ProcrastinateLines(logging.Handler):
    """procrastinate's warnings and errors as one line each (no traceback); job outcomes are the runner's."""

    def __init__(self, log: Log) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "action", "").startswith("job_"):
            return
        self.log.line(f"procrastinate: {record.getMessage()}")


def run_worker(settings: Settings, *, concurrency: int | None = None, until_empty: bool = False, log: Log | None = None,
               name: str | None = None) -> dict[str, int]:
    """Run document jobs until stopped (SIGINT / SIGTERM: running jobs finish first) or, with ``until_empty``,
    until no document job waits or runs on any worker. Up to ``concurrency`` jobs at once (``None``: the setting
    ``concurrency``, else the backend's default, :func:`pipeline.llm.concurrency_for`), each in its own thread,
    each one model call at a time, all sharing one model backend made before the first job; ``concurrency`` is
    lowered to the backend's own ``max_concurrency`` where it sets one (the local backend: 1). Every ``worker_poll_seconds`` it also puts lost workers' jobs back (:func:`recover_stalled`).

    Returns the document jobs by status when it stopped (:func:`queue_counts`). Raises
    :class:`QueueNeedsPostgres` on another database, and the backend's set-up errors
    (:class:`pipeline.llm.ModelRegistryError`, :class:`pipeline.llm.LLMError`) before any job is taken.
    """
    url = settings.effective_database_url
    require_postgres(url)
    log = log or Log()
    from pipeline.llm import make_backend

    backend = make_backend(settings)  # a backend that cannot run (model not installed) stops the worker here
    size = concurrency_for(settings, backend, concurrency)
    if concurrency and size < concurrency:  # e.g. one local model instance decodes one sequence at a time
        log.line(f"worker: backend {settings.backend} takes {size} call(s) at a time: concurrency {concurrency} "
                 f"-> {size}")
    concurrency = size
    # each running job holds up to two connections at once (its work, its lease's heartbeat thread)
    engine = create_engine(url, pool_pre_ping=True, pool_size=2 * concurrency + 2, max_overflow=10)
    upgrade(engine)
    runner = JobRunner(engine, settings, log, _backend=backend)
    app = make_app(settings, runner=runner)
    plog = logging.getLogger("procrastinate")
    handler = _ProcrastinateLines(log)
    plog.addHandler(handler)
    plog.propagate = False
    name = name or leases.new_holder().rsplit(":", 1)[0]
    log.line(f"worker {name}: {mask_url(url)}, queue {QUEUE}, concurrency {concurrency}, backend "
             f"{settings.backend}, model {settings.model}")

    async def main() -> None:
        # procrastinate runs a sync job in the loop's default executor, whose size follows the CPU count (6 on
        # 2 cores): a pool of one thread per job slot lets every slot run
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=concurrency + 2, thread_name_prefix="job"))
        async with app.open_async():
            work = asyncio.create_task(app.run_worker_async(
                queues=[QUEUE], name=name, concurrency=concurrency, wait=True, install_signal_handlers=False,
                fetch_job_polling_interval=settings.worker_poll_seconds,
                update_heartbeat_interval=settings.worker_heartbeat_seconds,
                stalled_worker_timeout=settings.worker_stalled_seconds, delete_jobs="never"))
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            stopped = asyncio.create_task(stop.wait())
            try:
                while not work.done() and not stop.is_set():
                    await asyncio.wait([work, stopped], timeout=settings.worker_poll_seconds,
                                       return_when=asyncio.FIRST_COMPLETED)
                    if work.done() or stop.is_set():
                        break
                    try:
                        await recover_stalled(app, runner)
                        if until_empty and not await asyncio.to_thread(pending_jobs, engine):
                            break
                    except Exception as exc:  # noqa: BLE001 - the database briefly unreachable: next round
                        log.line(f"worker {name}: recovering lost jobs failed ({type(exc).__name__}: {exc})")
            finally:
                stopped.cancel()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
                if stop.is_set():
                    log.line(f"worker {name}: stopping; the jobs running finish first")
                runner.stopping.set()  # a job waiting for another process's lease is tried again later
                if not work.done():
                    work.cancel()  # procrastinate stops gracefully: running jobs finish
                try:
                    await work
                except asyncio.CancelledError:
                    pass

    try:
        asyncio.run(main())
    finally:
        plog.removeHandler(handler)
    counts = queue_counts(engine)
    mine = ", ".join(f"{k} {v}" for k, v in sorted(runner.ran.items())) or "none"
    log.line(f"worker {name}: stopped; its jobs ended: {mine}; the queue's document jobs so far (all workers): "
             + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))
    engine.dispose()
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Several worker processes (benchmarks, tests)
# ---------------------------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def worker_command(concurrency: int, *, until_empty: bool = True) -> list[str]:
    """The command line of one ``clausewise worker`` process with this Python."""
    return [sys.executable, "-c", "from pipeline.cli import main; main()", "worker", "--concurrency",
            str(concurrency), *(["--until-empty"] if until_empty else [])]


def start_workers(database_url: str, n: int, concurrency: int, *, env: dict[str, str] | None = None,
                  cwd: Path | None = None, until_empty: bool = True) -> list[subprocess.Popen]:
    """Start ``n`` ``clausewise worker --concurrency C [--until-empty]`` processes on ``database_url`` (the
    environment: this one, then ``env``; this checkout first on ``PYTHONPATH``) and return them at once, their
    stdout and stderr together on ``stdout`` as text."""
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "COLUMNS": "250", "NO_COLOR": "1", **(env or {}), "CLAUSEWISE_DATABASE_URL": database_url}
    return [subprocess.Popen(worker_command(concurrency, until_empty=until_empty), env=full, cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(n)]


@dataclass
class WorkersResult:
    """What :func:`run_workers` saw: ``seconds`` (wall, from start to the last exit), each process's return code
    and output, and the document jobs by status at the end."""

    seconds: float
    returncodes: list[int]
    outputs: list[str]
    counts: dict[str, int]


def run_workers(database_url: str, n: int, concurrency: int, *, env: dict[str, str] | None = None,
                cwd: Path | None = None, timeout: float | None = None,
                on_start: Callable[[list[subprocess.Popen]], None] | None = None) -> WorkersResult:
    """Run ``n`` worker processes with ``--concurrency concurrency --until-empty`` on ``database_url`` until the
    queue is empty and every one has exited (``timeout`` seconds at most for all: then they are killed and
    :class:`subprocess.TimeoutExpired` is raised). ``on_start`` is called with the processes once started."""
    t0 = time.perf_counter()
    procs = start_workers(database_url, n, concurrency, env=env, cwd=cwd)
    if on_start is not None:
        on_start(procs)
    outputs = []
    try:
        for p in procs:
            left = None if timeout is None else max(0.1, timeout - (time.perf_counter() - t0))
            outputs.append(p.communicate(timeout=left)[0])
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
            p.wait()
        raise
    seconds = time.perf_counter() - t0
    engine = make_engine(database_url)
    try:
        counts = queue_counts(engine)
    finally:
        engine.dispose()
    return WorkersResult(seconds, [p.returncode for p in procs], outputs, counts)
