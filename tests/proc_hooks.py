"""Run ``clausewise`` in this process with one hook set, for the tests that need a real process stopped at an
exact moment: ``python -m tests.proc_hooks HOOK -- ARGS...``.

Hooks:

- ``kill:MOMENT``: the process kills itself with SIGKILL (nothing runs after: no ``finally``, no lease release,
  no rollback but the database's own) at MOMENT, one of :data:`KILL_MOMENTS`.
- ``pause:MOMENT``: at MOMENT (one of :data:`PAUSE_MOMENTS`), the process creates the file named by
  ``CLAUSEWISE_TEST_REACHED`` and waits until the file named by ``CLAUSEWISE_TEST_GO`` exists, then goes on.
- ``signal:MOMENT``: at MOMENT, the process creates the file named by ``CLAUSEWISE_TEST_REACHED`` and goes on.

Only the test suite uses this; the hooks wrap functions from outside, the pipeline has no test switch.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import time
from pathlib import Path

WAIT_LIMIT_S = 600.0
"""A paused process gives up waiting after this long (a test that died leaves no process behind for ever)."""


def _kill() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _pause() -> None:
    Path(os.environ["CLAUSEWISE_TEST_REACHED"]).touch()
    go = Path(os.environ["CLAUSEWISE_TEST_GO"])
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("proc_hooks: never told to go on")
        time.sleep(0.02)


def _signal() -> None:
    Path(os.environ["CLAUSEWISE_TEST_REACHED"]).touch()


def _before(owner, name: str, action, *, nth: int = 1, when=None) -> None:
    """Run ``action`` before the ``nth`` call of ``owner.name`` for which ``when(*args, **kwargs)`` holds."""
    real = getattr(owner, name)
    calls = [0]

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        if when is None or when(*args, **kwargs):
            calls[0] += 1
            if calls[0] == nth:
                action()
        return real(*args, **kwargs)

    setattr(owner, name, wrapper)


def _after(owner, name: str, action) -> None:
    """Run ``action`` after the first call of ``owner.name`` returns."""
    real = getattr(owner, name)
    done = [False]

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        out = real(*args, **kwargs)
        if not done[0]:
            done[0] = True
            action()
        return out

    setattr(owner, name, wrapper)


def _at(moment: str, action) -> None:
    import audit
    import pipeline.ingest
    import pipeline.run
    import pipeline.store.engine
    from pipeline.llm.replay import ReplayBackend

    if moment == "after_reading":  # every file stored, before any document is claimed for extraction
        _before(pipeline.run, "process_documents", action)
    elif moment == "after_claim":  # the first document claimed (lease held), before its extraction run exists
        _before(pipeline.run, "extract_document", action)
    elif moment == "mid_extraction":  # the first model call answered, the second not made (a run is running)
        _before(ReplayBackend, "complete", action, nth=2)
    elif moment == "first_model_call":  # a run is running, before its first model call
        _before(ReplayBackend, "complete", action)
    elif moment == "after_extraction":  # an extraction stored (document extracted), before its verification
        _before(pipeline.run, "verify_document", action)
    elif moment == "mid_verification":  # inside verification's write transaction, before it commits
        _before(audit, "append", action, when=lambda *a, **k: k.get("type") == audit.events.DOCUMENT_VERIFIED)
    elif moment == "before_storing":  # a file read and chunked, before its document is stored
        _after(pipeline.ingest, "chunk_text", action)
    elif moment in ("mid_migration", "migration_start"):
        # mid_migration: the first migration's tables created, its transaction not committed;
        # migration_start: before the first statement the process sends (its migrations come first)
        real = pipeline.store.engine.make_engine

        def make_engine(url):
            from sqlalchemy import event

            eng = real(url)
            fired = [False]
            when = "after_cursor_execute" if moment == "mid_migration" else "before_cursor_execute"

            @event.listens_for(eng, when)
            def _seen(conn, cursor, statement, *args):
                if fired[0]:
                    return
                if moment == "migration_start" or statement.lstrip().upper().startswith("CREATE TABLE DOCUMENTS"):
                    fired[0] = True
                    action()

            return eng

        import pipeline.cli._common
        import pipeline.store

        pipeline.store.engine.make_engine = pipeline.store.make_engine = make_engine
        pipeline.cli._common.make_engine = make_engine
    else:
        raise SystemExit(f"proc_hooks: unknown moment {moment!r}")


KILL_MOMENTS = ("after_reading", "after_claim", "mid_extraction", "after_extraction", "mid_verification")
PAUSE_MOMENTS = ("first_model_call", "before_storing", "mid_migration", "migration_start")


def main(argv: list[str]) -> None:
    hook, sep, *args = argv
    assert sep == "--", "usage: python -m tests.proc_hooks HOOK -- ARGS..."
    kind, _, moment = hook.partition(":")
    _at(moment, {"kill": _kill, "pause": _pause, "signal": _signal}[kind])
    from pipeline.cli import main as cli

    sys.argv = ["clausewise", *args]
    cli()


if __name__ == "__main__":
    main(sys.argv[1:])
