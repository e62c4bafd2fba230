"""The live view of an ``ingest``: files read of total, chunks answered of total, output tokens per second over a
recent window and the time left, drawn with ``rich.progress``; each document's outcome line printed above the
bar; the run's one closing summary ("Ingest summary": files and pages read, the files by status, the model's time,
chunks, tokens and wall time), printed also when the run is interrupted.

:class:`IngestProgress` takes the ingest's progress calls (``files_found``, ``file_read``, ``chunks_planned``,
``chunk_answered``, ``document_done``) from any number of threads at once, and from the command, at the end, the
files' statuses (:meth:`IngestProgress.set_statuses`). On a console that is not a terminal (CI, output piped to a
file) there is no live bar: only the outcome lines and the summary are printed.

Rates: output tokens per second are the output tokens of the chunks the model answered in the last
``window_seconds`` (default 30) divided by that window, or by the time since the first chunks were planned when
that is shorter. The time left is the chunks still to answer divided by the rate of chunks the model answered
over the same window. Chunks answered from the store (a stored answer to the same request) count as answered but
not in the rates: they take no model time. Calls that ended without a usable answer (timeout, rate limited,
malformed, ...) are counted apart as failed, never as answered; they are done for the bar and the time left.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task
from rich.text import Text

from pipeline.review import counted

WINDOW_SECONDS = 30.0
"""The recent window the token and chunk rates are measured over (seconds)."""


@dataclass(frozen=True)
class IngestFigures:
    """A snapshot of an ingest's progress. ``pages_read``: pages read and stored from the files (``file_read``);
    ``read_seconds``: from entering the view to the last file read (``0.0`` before); ``documents``: final status →
    documents (from ``document_done``); ``documents_extracted``, ``pages_extracted``, ``model_seconds``: the
    documents reported done with an extraction made in this run, their pages and the model's seconds for them;
    ``statuses``: the files by their status now, as :meth:`IngestProgress.set_statuses` set it (empty before);
    ``chunks_from_store``: chunks answered from stored answers (part of ``chunks_answered``); ``chunks_failed``:
    calls that ended without a usable answer (not part of ``chunks_answered``); ``questions_*``: the same four
    figures for the second pass's questions, counted apart from the chunks (the bar's figures add both); tokens:
    as the
    model reported them (stored answers included); ``output_tokens_per_second``: over the recent window, ``None``
    before the model answered anything in it; ``seconds_left``: estimated, ``None`` while unknown (``0.0`` when
    nothing is left); ``wall_seconds``: since the view was entered (``0.0`` before)."""

    files_total: int
    files_read: int
    chunks_planned: int
    chunks_answered: int
    chunks_from_store: int
    input_tokens: int
    output_tokens: int
    documents: dict[str, int] = field(default_factory=dict)
    chunks_failed: int = 0
    output_tokens_per_second: float | None = None
    seconds_left: float | None = None
    wall_seconds: float = 0.0
    pages_read: int = 0
    read_seconds: float = 0.0
    documents_extracted: int = 0
    pages_extracted: int = 0
    model_seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    questions_planned: int = 0
    questions_answered: int = 0
    questions_from_store: int = 0
    questions_failed: int = 0


def _clock_text(seconds: float | None) -> str:
    """``H:MM:SS``, or ``-:--:--`` when unknown."""
    if seconds is None:
        return "-:--:--"
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class _Figure(ProgressColumn):
    """A column showing one text made from the current :class:`IngestFigures`."""

    def __init__(self, text: Callable[[IngestFigures], str], figures: Callable[[], IngestFigures]) -> None:
        super().__init__()
        self._text, self._figures = text, figures

    def render(self, task: Task) -> Text:
        return Text(self._text(self._figures()))


class IngestProgress:
    """The ingest's progress view; a context manager (``with IngestProgress(console) as bar: ...``).

    ``console``: where lines, the bar and the summary go (a terminal gets the live bar, anything else only lines
    and the summary); ``window_seconds``: the rate window; ``clock``: monotonic seconds (``time.monotonic``);
    ``auto_refresh``: redraw the bar from rich's thread (``refresh_per_second`` times a second) or only on
    :meth:`refresh`; ``answered_by``: who answers the calls not served from the store, as the summary names it
    (``by the model``; ``from recorded answers`` on the replay backend). Every method may be called from any
    thread.
    """

    def __init__(self, console: Console, *, window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, auto_refresh: bool = True,
                 refresh_per_second: float = 4.0, answered_by: str = "by the model") -> None:
        self.console = console
        self.answered_by = answered_by
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._bar_lock = threading.Lock()  # a snapshot and its update of the bar go together (never a stale one last)
        self._files_total = self._files_read = self._pages_read = 0
        self._last_read: float | None = None
        self._extracted = self._pages_extracted = 0
        self._model_seconds = 0.0
        self._statuses: dict[str, int] = {}
        self._planned = self._answered = self._from_store = self._failed = 0
        self._q_planned = self._q_answered = self._q_from_store = self._q_failed = 0
        self._input_tokens = self._output_tokens = 0
        self._documents: Counter[str] = Counter()
        self._answers: deque[tuple[float, int]] = deque()  # (clock, output tokens) of model answers in the window
        self._work_started: float | None = None
        self._entered: float | None = None
        self._left: float | None = None
        self._progress: Progress | None = None
        self._task = None
        if console.is_terminal:
            self._progress = Progress(
                _Figure(lambda f: f"files {f.files_read}/{f.files_total}", self.figures),
                BarColumn(),
                _Figure(lambda f: f"chunks {f.chunks_answered}/{f.chunks_planned}"
                        + (f" ({f.chunks_failed} failed)" if f.chunks_failed else "")
                        + (f", second pass {f.questions_answered}/{f.questions_planned}"
                           if f.questions_planned else ""), self.figures),
                _Figure(lambda f: "- tok/s" if f.output_tokens_per_second is None
                        else f"{f.output_tokens_per_second:.1f} tok/s", self.figures),
                _Figure(lambda f: f"left {_clock_text(f.seconds_left)}", self.figures),
                console=console, transient=True, auto_refresh=auto_refresh, refresh_per_second=refresh_per_second)
            self._task = self._progress.add_task("ingest", total=None)

    # ------------------------------------------------------------------ the progress protocol

    def files_found(self, n: int) -> None:
        """``n`` input files will be read (added to the files total)."""
        with self._lock:
            self._files_total += n
        self._update()

    def file_read(self, name: str, pages: int = 0) -> None:
        """One file was read and stored, or failed (``name``: its name, for the record only; ``pages``: the pages
        read and stored from it, 0 when it failed or its bytes were stored already)."""
        with self._lock:
            self._files_read += 1
            self._pages_read += pages
            self._last_read = self._clock()
        self._update()

    def chunks_planned(self, n: int, second_pass: bool = False) -> None:
        """``n`` more chunks (with ``second_pass``: second-pass questions) will be sent to the model (added to
        their total)."""
        with self._lock:
            if second_pass:
                self._q_planned += n
            else:
                self._planned += n
            if self._work_started is None:
                self._work_started = self._clock()
        self._update()

    def chunk_answered(self, input_tokens: int, output_tokens: int, cached: bool, failed: bool = False,
                       second_pass: bool = False) -> None:
        """One chunk (with ``second_pass``: one second-pass question) answered, by the model or (``cached``) from
        a stored answer, or (``failed``) ended without a usable answer; tokens as the model reported."""
        with self._lock:
            if failed and second_pass:
                self._q_failed += 1
            elif failed:
                self._failed += 1
            elif second_pass:
                self._q_answered += 1
            else:
                self._answered += 1
            if self._work_started is None:
                self._work_started = self._clock()
            self._input_tokens += input_tokens
            self._output_tokens += output_tokens
            if cached:
                if second_pass:
                    self._q_from_store += 1
                else:
                    self._from_store += 1
            else:
                self._answers.append((self._clock(), output_tokens))
        self._update()

    def document_done(self, name: str, status: str, line: str, pages: int = 0, model_seconds: float = 0.0) -> None:
        """A document reached its final ``status`` in this run; ``line`` (Rich markup, file names escaped) is
        printed above the bar; ``pages`` and ``model_seconds``: those of the extraction made for it in this run
        (0 when none was)."""
        with self._lock:
            self._documents[status] += 1
            if pages:
                self._extracted += 1
                self._pages_extracted += pages
                self._model_seconds += model_seconds
        self.console.print(line, highlight=False, soft_wrap=True)
        self._update()

    def set_statuses(self, statuses: dict[str, int]) -> None:
        """The batch's files by their status now (what ``clausewise status`` would show for them: a label such as
        ``needs_review`` or ``failed (not_pdf)`` → files), told by the command once the run is over; the summary
        shows them instead of the documents reported done."""
        with self._lock:
            self._statuses = dict(sorted(statuses.items()))

    # ------------------------------------------------------------------ figures

    def _rates(self, now: float) -> tuple[float | None, float | None]:
        """(output tokens per second, chunks per second) of model answers over the window; caller holds the lock."""
        while self._answers and self._answers[0][0] < now - self.window_seconds:
            self._answers.popleft()
        if not self._answers or self._work_started is None:
            return None, None
        span = min(self.window_seconds, now - self._work_started)
        if span <= 0:
            return None, None
        return sum(t for _, t in self._answers) / span, len(self._answers) / span

    def figures(self) -> IngestFigures:
        """The current :class:`IngestFigures`."""
        with self._lock:
            now = self._clock()
            tok_s, chunk_s = self._rates(now)
            remaining = (self._planned + self._q_planned - self._answered - self._q_answered - self._failed
                         - self._q_failed)
            if remaining <= 0 and self._planned + self._q_planned:
                left: float | None = 0.0
            elif chunk_s:
                left = remaining / chunk_s
            else:
                left = None
            end = self._left if self._left is not None else now
            return IngestFigures(
                files_total=self._files_total, files_read=self._files_read, chunks_planned=self._planned,
                chunks_answered=self._answered, chunks_from_store=self._from_store, chunks_failed=self._failed,
                input_tokens=self._input_tokens, output_tokens=self._output_tokens,
                documents=dict(sorted(self._documents.items())), output_tokens_per_second=tok_s,
                seconds_left=left, wall_seconds=end - self._entered if self._entered is not None else 0.0,
                pages_read=self._pages_read,
                read_seconds=(self._last_read - self._entered
                              if self._last_read is not None and self._entered is not None else 0.0),
                documents_extracted=self._extracted, pages_extracted=self._pages_extracted,
                model_seconds=self._model_seconds, statuses=dict(self._statuses),
                questions_planned=self._q_planned, questions_answered=self._q_answered,
                questions_from_store=self._q_from_store, questions_failed=self._q_failed)

    def _update(self) -> None:
        if self._progress is not None:
            with self._bar_lock:
                with self._lock:
                    total = self._planned + self._q_planned
                    done = self._answered + self._failed + self._q_answered + self._q_failed
                self._progress.update(self._task, total=total or None, completed=done)

    def refresh(self) -> None:
        """Redraw the bar now (no-op without one)."""
        if self._progress is not None:
            self._progress.refresh()

    # ------------------------------------------------------------------ context manager and summary

    def __enter__(self) -> IngestProgress:
        with self._lock:
            self._entered = self._clock()
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._left = self._clock()
        if self._progress is not None:
            self._progress.stop()
        self.print_summary(interrupted=exc_type is not None)

    def summary_lines(self, interrupted: bool = False) -> list[str]:
        """The run's closing summary as plain lines, each figure once:

        - ``files``: files read of those found, the pages read from them, the seconds that took and pages per
          second;
        - ``status``: the files by their status now (:meth:`set_statuses`); before the command set them (a run
          interrupted) ``documents done`` instead: the documents reported done, by status (left out when none was);
        - ``extraction``: the documents extracted in this run, their pages, the model's seconds for them and per
          page (left out when nothing was extracted);
        - ``chunks``: the documents' chunks answered of those planned, from the store and by whom else
          (``answered_by``), and those failed; ``second pass``: the second pass's questions, counted the same way
          (left out when none was asked); ``tokens``: of all the calls (all three left out when nothing was
          planned or answered, e.g. ``ingest --no-extract``);
        - ``wall time``: since the view was entered, marked ``(interrupted)`` when it was left by an exception.
        """
        f = self.figures()
        rate = f.pages_read / f.read_seconds if f.read_seconds > 0 else 0.0
        lines = [f"files: {f.files_read} read of {f.files_total}, {counted(f.pages_read, 'page')} in {f.read_seconds:.1f} s "
                 f"({rate:.1f} pages/s)"]
        if f.statuses:
            lines.append("status: " + ", ".join(f"{n} {label}" for label, n in f.statuses.items()))
        elif f.documents:
            lines.append("documents done: " + ", ".join(f"{n} {status}" for status, n in f.documents.items()))
        if f.documents_extracted:
            lines.append(f"extraction: {counted(f.documents_extracted, 'document')}, "
                         f"{counted(f.pages_extracted, 'page')}; model "
                         f"{f.model_seconds:.1f} s ({f.model_seconds / f.pages_extracted:.1f} s/page)")
        if f.chunks_planned or f.chunks_answered or f.chunks_failed or f.questions_planned:
            lines.append(f"chunks: {f.chunks_answered} answered of {f.chunks_planned} ({f.chunks_from_store} from the "
                         f"store, {f.chunks_answered - f.chunks_from_store} {self.answered_by})"
                         + (f", {f.chunks_failed} failed" if f.chunks_failed else ""))
            if f.questions_planned or f.questions_answered or f.questions_failed:
                lines.append(f"second pass: {counted(f.questions_planned, 'question')}, {f.questions_answered} "
                             f"answered ({f.questions_from_store} from the store, "
                             f"{f.questions_answered - f.questions_from_store} {self.answered_by})"
                             + (f", {f.questions_failed} failed" if f.questions_failed else ""))
            lines.append(f"tokens: {f.input_tokens} input, {f.output_tokens} output")
        lines.append(f"wall time: {f.wall_seconds:.1f} s" + (" (interrupted)" if interrupted else ""))
        return lines

    def print_summary(self, interrupted: bool = False) -> None:
        """Print :meth:`summary_lines` under the heading "Ingest summary"."""
        self.console.print("[bold]Ingest summary[/bold]", highlight=False)
        for line in self.summary_lines(interrupted):
            self.console.print("  " + escape(line), highlight=False, soft_wrap=True)


ANSWERED_BY = {"replay": "from recorded answers"}
"""How the summary names the answers of a backend (its name) that are not served from the store; any other
backend's are ``by the model``."""


def ingest_progress(console: Console, backend: str = "local") -> IngestProgress:
    """The progress view ``clausewise ingest`` uses: an :class:`IngestProgress` on ``console`` with the default
    window and rich's refresh thread (use it as a context manager), naming the answers as ``backend``'s
    (:data:`ANSWERED_BY`)."""
    return IngestProgress(console, answered_by=ANSWERED_BY.get(backend, "by the model"))
