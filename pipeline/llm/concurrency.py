"""Model calls in flight at once: how many (:func:`concurrency_for`) and a bounded pool that runs them
(:class:`CallPool`).

One process keeps at most ``concurrency`` model calls in flight: the chunks of a document are sent together,
and several documents are extracted together, all through one shared :class:`CallPool`, so the bound holds for
the process whatever the number of documents. Only the calls wait on the network; the pool's tasks keep their
database writes short (one transaction per audit step or stored answer, never one held across a call).

Defaults by backend (:data:`DEFAULT_CONCURRENCY`) come from measurement: ``local`` 1, because
llama-cpp-python decodes one sequence at a time per model instance (a second call would only queue behind the
first, and the model already uses every core); ``openai`` 16, from ``benchmarks/bench_batch.py`` against a
fixed-latency OpenAI-compatible server (2 s per answer, 64 chunks in 16 documents, SQLite, on 2 shared cores):
the model phase reached 0.967, 0.970 and 0.948 of the ideal ``ceil(N / C) * L`` at C = 1, 4 and 16, so 16 calls
in flight cost the process little beyond the server's own time (its CPU, about 30-40 ms a chunk, is what is
lost); a real server's own limit is then the bound, and its 429 answers are retried; ``replay`` 1
(recorded answers come back at once; one at a time keeps a replayed run in the order it was recorded).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pipeline.settings import Settings

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY: dict[str, int] = {"local": 1, "replay": 1, "openai": 16}
"""Model calls in flight by backend when the setting ``concurrency`` is not set (module docstring: why)."""


def concurrency_for(settings: Settings, backend: Any = None, requested: int | None = None) -> int:
    """How many model calls to keep in flight: ``requested``, else ``settings.concurrency``, else the default of
    ``settings.backend`` (:data:`DEFAULT_CONCURRENCY`; 1 for a backend not listed), never more than the
    backend's own ``max_concurrency`` when it sets one, and at least 1."""
    n = requested or settings.concurrency or DEFAULT_CONCURRENCY.get(settings.backend, 1)
    cap = getattr(backend, "max_concurrency", None)
    if cap:
        n = min(n, int(cap))
    return max(1, int(n))


class CallPool:
    """Runs model-call tasks, at most ``size`` model calls in flight at once, shared by every document of a batch.

    A task is the work around one call (building and auditing the request, the call, auditing and grounding the
    answer); the call itself is made inside :meth:`slot`, which holds one of ``size`` slots. ``size`` 1 runs
    each task in the caller's thread (no thread at all: a batch at concurrency 1 runs exactly as a plain loop);
    above 1, tasks run on ``2 * size`` threads named ``model-call-N``, so that while ``size`` calls wait on the
    model, other tasks prepare their request or store their answer, and a slot freed is taken at once by a
    request already built. Use as a context manager, or :meth:`close` it. Thread-safe: several documents'
    threads submit to one pool.
    """

    def __init__(self, size: int, *, name: str = "model-call") -> None:
        if size < 1:
            raise ValueError(f"a call pool needs a size of at least 1, not {size}")
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._executor = ThreadPoolExecutor(max_workers=2 * size, thread_name_prefix=name) if size > 1 else None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``size`` call slots for the duration of a model call (waits while all are held)."""
        with self._slots:
            yield

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(item) for item in items]``, the calls run at most ``size`` at once; results in the order of
        ``items``. When a call raises, the calls not started yet are cancelled, the running ones are waited
        for (none goes on writing after this returns), and the first error in the order of ``items`` is
        raised."""
        items = list(items)
        if self._executor is None:
            return [fn(item) for item in items]
        futures: list[Future[R]] = [self._executor.submit(fn, item) for item in items]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
        except BaseException:  # interrupted while waiting: stop the rest, as for an error
            _stop(futures)
            raise
        if any(f.done() and not f.cancelled() and f.exception() is not None for f in futures):
            _stop(futures)
        return [f.result() for f in futures]  # raises the first error in order

    def close(self) -> None:
        """Wait for the running tasks and stop the threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CallPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(futures: list[Future]) -> None:
    """Cancel the futures not started yet and wait for the running ones."""
    for f in futures:
        f.cancel()
    wait(futures)
