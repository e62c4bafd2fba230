"""The ingest's progress view (issue #15, item 5): files read, chunks answered of total, output tokens per second,
time left, the outcome lines above the bar and the closing summary, fed from many threads at once.

Rates are checked with an injected clock (no timing of real work)."""

from __future__ import annotations

import re
import threading

import pytest
from rich.console import Console

from pipeline.cli.progress_bar import IngestProgress, ingest_progress

THREADS = 8
CHUNKS_PER_THREAD = 25


def _drive(bar: IngestProgress) -> None:
    """What an ingest of 8 documents extracted on 8 threads reports: each thread plans 25 chunks and answers
    them (every fifth from the store), then finishes its document."""
    bar.files_found(THREADS)
    barrier = threading.Barrier(THREADS)

    def work(i: int) -> None:
        barrier.wait()
        bar.file_read(f"doc{i}.pdf")
        bar.chunks_planned(CHUNKS_PER_THREAD)
        for k in range(CHUNKS_PER_THREAD):
            bar.chunk_answered(100 + i, 10 + k, cached=(k % 5 == 0))
        status = "needs_review" if i % 2 else ("failed" if i == 0 else "auto_accepted")
        bar.document_done(f"doc{i}.pdf", status, f"doc{i}.pdf: [bold]{status}[/bold] - outcome line {i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


EXPECTED_INPUT = sum((100 + i) * CHUNKS_PER_THREAD for i in range(THREADS))
EXPECTED_OUTPUT = THREADS * sum(10 + k for k in range(CHUNKS_PER_THREAD))


def _summary_lines() -> list[str]:
    return ["Ingest progress",
            f"files: {THREADS} read of {THREADS}",
            "documents: 3 auto_accepted, 1 failed, 4 needs_review",
            "chunks: 200 answered of 200 (40 from the store, 160 by the model)",
            f"tokens: {EXPECTED_INPUT} input, {EXPECTED_OUTPUT} output"]


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "piped"])
def test_many_threads_every_count_and_line_arrives_once(terminal):
    console = Console(record=True, force_terminal=terminal, width=120, color_system=None)
    with IngestProgress(console, refresh_per_second=50) as bar:  # rich's own refresh thread runs meanwhile
        _drive(bar)
        figures = bar.figures()
        bar.refresh()
        drawn = console.export_text(clear=False)

    assert figures.files_total == figures.files_read == THREADS
    assert (figures.chunks_planned, figures.chunks_answered, figures.chunks_from_store) == (200, 200, 40)
    assert (figures.input_tokens, figures.output_tokens) == (EXPECTED_INPUT, EXPECTED_OUTPUT)
    assert figures.documents == {"auto_accepted": 3, "failed": 1, "needs_review": 4}
    assert figures.seconds_left == 0.0

    text = console.export_text()
    for i in range(THREADS):
        # on a terminal a line follows the bar's last frame, which the recording keeps without the erase code
        assert len(re.findall(rf"(?:^|left [-:\d]+)doc{i}\.pdf: \w+ - outcome line {i}$", text, re.M)) == 1, text
    summary = text[text.index("Ingest progress"):].splitlines()
    assert [line.strip() for line in summary[:5]] == _summary_lines()
    assert re.fullmatch(r"\s*wall time: \d+\.\d s", summary[5])
    if terminal:  # the bar itself, with its columns, as last drawn
        assert f"files {THREADS}/{THREADS}" in drawn and "chunks 200/200" in drawn and "left 0:00:00" in drawn
        assert re.search(r"\d+\.\d tok/s", drawn)
    else:  # no live bar off a terminal: only the lines and the summary
        assert "tok/s" not in text and "chunks 200/200" not in text and "files 8/8" not in text
        assert len(text.splitlines()) == THREADS + 6


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rates_use_the_recent_window_of_model_answers_only():
    clock = Clock()
    console = Console(record=True, force_terminal=False, width=100)
    bar = IngestProgress(console, window_seconds=30.0, clock=clock)
    with bar:
        f = bar.figures()
        assert (f.output_tokens_per_second, f.seconds_left) == (None, None)  # nothing answered: unknown
        bar.chunks_planned(20)
        clock.now += 10
        for _ in range(4):
            bar.chunk_answered(500, 50, cached=False)
        for _ in range(6):  # answered from the store: counted as answered, not in the rates
            bar.chunk_answered(500, 80, cached=True)
        f = bar.figures()
        # 4 model answers, 200 output tokens, in the 10 s since work began: 20 tok/s, 0.4 chunks/s
        assert f.output_tokens_per_second == pytest.approx(20.0)
        assert f.seconds_left == pytest.approx((20 - 10) / 0.4)
        assert (f.chunks_answered, f.chunks_from_store, f.output_tokens) == (10, 6, 200 + 480)

        clock.now += 25  # 35 s after the start: the window is the last 30 s, the 4 answers at 10 s are still in
        bar.chunk_answered(500, 100, cached=False)
        f = bar.figures()
        assert f.output_tokens_per_second == pytest.approx(300 / 30)
        assert f.seconds_left == pytest.approx(9 / (5 / 30))

        clock.now += 10  # the answers at 10 s leave the window; the one at 35 s stays
        f = bar.figures()
        assert f.output_tokens_per_second == pytest.approx(100 / 30)
        assert f.seconds_left == pytest.approx(9 / (1 / 30))

        clock.now += 31  # no model answer in the window: rate and time left unknown again
        f = bar.figures()
        assert (f.output_tokens_per_second, f.seconds_left) == (None, None)
        clock.now += 4.0
    assert bar.figures().wall_seconds == pytest.approx(80.0)
    assert "wall time: 80.0 s" in console.export_text()


def test_the_bar_shows_the_figures_while_it_runs():
    clock = Clock()
    console = Console(record=True, force_terminal=True, width=120, color_system=None)
    with IngestProgress(console, clock=clock, auto_refresh=False) as bar:
        bar.files_found(3)
        bar.file_read("a.pdf")
        bar.chunks_planned(10)
        clock.now += 10
        for _ in range(4):
            bar.chunk_answered(100, 50, cached=False)
        bar.chunk_answered(100, 50, cached=True)
        console.export_text()  # forget what was drawn so far
        bar.refresh()
        drawn = console.export_text()
    assert re.search(r"files 1/3 .*chunks 5/10 20\.0 tok/s left 0:00:12", drawn), drawn


def test_an_error_inside_still_prints_the_summary_marked_interrupted():
    console = Console(record=True, force_terminal=False, width=100)
    with pytest.raises(KeyboardInterrupt):
        with ingest_progress(console) as bar:
            bar.files_found(2)
            bar.file_read("a.pdf")
            raise KeyboardInterrupt
    lines = console.export_text().splitlines()
    assert lines[:2] == ["Ingest progress", "  files: 1 read of 2"]  # nothing about documents or chunks: none came
    assert re.fullmatch(r"  wall time: \d+\.\d s \(interrupted\)", lines[2]) and len(lines) == 3


def test_lines_are_markup_and_names_must_come_escaped():
    from rich.markup import escape

    console = Console(record=True, force_terminal=False, width=100)
    with IngestProgress(console) as bar:
        bar.document_done("[draft].pdf", "failed", f"{escape('[draft].pdf')}: [red]failed[/red] (not_pdf)")
    assert console.export_text().splitlines()[0] == "[draft].pdf: failed (not_pdf)"


def test_ingest_prints_the_progress_summary_and_no_bar_when_piped(tmp_path):
    from tests.batch_fixtures import clausewise, contract_text

    folder = tmp_path / "in"
    folder.mkdir()
    for tag in ("a", "b"):
        (folder / f"{tag}.txt").write_text(contract_text(tag))
    (folder / "empty.pdf").write_bytes(b"")
    res = clausewise("ingest", "--no-extract", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}", str(folder))
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    at = lines.index("Ingest progress")
    assert lines[at + 1] == "  files: 3 read of 3"  # the failed file counts as read
    assert re.fullmatch(r"  wall time: \d+\.\d s", lines[at + 2])
    assert "files 3/3" not in res.stdout and " tok/s" not in res.stdout  # the bar's columns
