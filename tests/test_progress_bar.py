"""The ingest's progress view (issue #15, item 5): files read, chunks answered of total, output tokens per second,
time left, the outcome lines above the bar and the run's one closing summary, fed from many threads at once.

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
        bar.file_read(f"doc{i}.pdf", pages=i + 1)
        bar.chunks_planned(CHUNKS_PER_THREAD)
        for k in range(CHUNKS_PER_THREAD):
            bar.chunk_answered(100 + i, 10 + k, cached=(k % 5 == 0))
        status = "needs_review" if i % 2 else ("failed" if i == 0 else "auto_accepted")
        extracted = {} if status == "failed" else {"pages": i + 1, "model_seconds": 10.0 * (i + 1)}
        bar.document_done(f"doc{i}.pdf", status, f"doc{i}.pdf: [bold]{status}[/bold] - outcome line {i}",
                          **extracted)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


EXPECTED_INPUT = sum((100 + i) * CHUNKS_PER_THREAD for i in range(THREADS))
EXPECTED_OUTPUT = THREADS * sum(10 + k for k in range(CHUNKS_PER_THREAD))


PAGES_READ = sum(i + 1 for i in range(THREADS))  # 36
PAGES_EXTRACTED = PAGES_READ - 1  # doc0 failed: no extraction, its page not counted


def _summary_lines() -> list[str]:
    """The summary after the lines for the files read (which the wall clock sets) and before the wall time."""
    return ["documents done: 3 auto_accepted, 1 failed, 4 needs_review",
            f"extraction: 7 documents, {PAGES_EXTRACTED} pages; model {10.0 * PAGES_EXTRACTED:.1f} s (10.0 s/page)",
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
    assert (figures.pages_read, figures.documents_extracted, figures.pages_extracted) == (PAGES_READ, 7, 35)
    assert figures.model_seconds == pytest.approx(350.0)

    text = console.export_text()
    for i in range(THREADS):
        # on a terminal a line follows the bar's last frame, which the recording keeps without the erase code
        assert len(re.findall(rf"(?:^|left [-:\d]+)doc{i}\.pdf: \w+ - outcome line {i}$", text, re.M)) == 1, text
    assert text.count("Ingest summary") == 1
    summary = text[text.index("Ingest summary"):].splitlines()
    assert re.fullmatch(rf"  files: {THREADS} read of {THREADS}, {PAGES_READ} pages in \d+\.\d s \(\d+\.\d pages/s\)",
                        summary[1]), summary
    assert [line.strip() for line in summary[2:6]] == _summary_lines()
    assert re.fullmatch(r"\s*wall time: \d+\.\d s", summary[6]) and len(summary) == 7
    if terminal:  # the bar itself, with its columns, as last drawn
        assert f"files {THREADS}/{THREADS}" in drawn and "chunks 200/200" in drawn and "left 0:00:00" in drawn
        assert re.search(r"\d+\.\d tok/s", drawn)
    else:  # no live bar off a terminal: only the lines and the summary
        assert "tok/s" not in text and "chunks 200/200" not in text and "files 8/8" not in text
        assert len(text.splitlines()) == THREADS + 7


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
            bar.file_read("a.pdf", pages=3)
            raise KeyboardInterrupt
    lines = console.export_text().splitlines()
    assert lines[0] == "Ingest summary"  # nothing about documents or chunks: none came
    assert re.fullmatch(r"  files: 1 read of 2, 3 pages in \d+\.\d s \(\d+\.\d pages/s\)", lines[1]), lines
    assert re.fullmatch(r"  wall time: \d+\.\d s \(interrupted\)", lines[2]) and len(lines) == 3


def test_lines_are_markup_and_names_must_come_escaped():
    from rich.markup import escape

    console = Console(record=True, force_terminal=False, width=100)
    with IngestProgress(console) as bar:
        bar.document_done("[draft].pdf", "failed", f"{escape('[draft].pdf')}: [red]failed[/red] (not_pdf)")
    assert console.export_text().splitlines()[0] == "[draft].pdf: failed (not_pdf)"


def test_the_summary_says_each_figure_once_with_the_files_by_status():
    """The figures an ingest ends with, as one summary: files and pages read and how fast, the files by their status
    now (set by the command, instead of the documents reported done), the model's time, chunks, tokens, wall time."""
    clock = Clock()
    console = Console(record=True, force_terminal=False, width=200)
    with IngestProgress(console, clock=clock) as bar:
        bar.files_found(3)
        clock.now += 4
        bar.file_read("a.pdf", pages=5)
        bar.file_read("b.pdf")  # failed: no pages
        clock.now += 2
        bar.file_read("c.pdf", pages=7)  # the last file read, 6 s in: 12 pages in 6 s
        bar.chunks_planned(3)
        clock.now += 30
        for _ in range(3):
            bar.chunk_answered(1000, 100, cached=False)
        bar.document_done("a.pdf", "needs_review", "a.pdf: needs_review", pages=5, model_seconds=61.0)
        bar.document_done("c.pdf", "auto_accepted", "c.pdf: auto_accepted", pages=7, model_seconds=23.0)
        bar.set_statuses({"needs_review": 1, "failed (not_pdf)": 1, "auto_accepted": 1})
        clock.now += 1
    assert console.export_text().splitlines()[2:] == [
        "Ingest summary",
        "  files: 3 read of 3, 12 pages in 6.0 s (2.0 pages/s)",
        "  status: 1 auto_accepted, 1 failed (not_pdf), 1 needs_review",
        "  extraction: 2 documents, 12 pages; model 84.0 s (7.0 s/page)",
        "  chunks: 3 answered of 3 (0 from the store, 3 by the model)",
        "  tokens: 3000 input, 300 output",
        "  wall time: 37.0 s"]


def test_ingest_prints_one_summary_and_no_bar_when_piped(tmp_path):
    from tests.batch_fixtures import clausewise, contract_text

    folder = tmp_path / "in"
    folder.mkdir()
    for tag in ("a", "b"):
        (folder / f"{tag}.txt").write_text(contract_text(tag))
    (folder / "empty.pdf").write_bytes(b"")
    res = clausewise("ingest", "--no-extract", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}", str(folder))
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    at = lines.index("Ingest summary")
    # the failed file counts as read; a text file is one page
    assert re.fullmatch(r"  files: 3 read of 3, 2 pages in \d+\.\d s \(\d+\.\d pages/s\)", lines[at + 1]), lines
    assert lines[at + 2] == "  status: 1 failed (empty_file), 2 ingested"
    assert re.fullmatch(r"  wall time: \d+\.\d s", lines[at + 3])
    assert len(lines) == at + 4 and res.stdout.count("Ingest summary") == 1  # the summary ends the run, once
    assert "files 3/3" not in res.stdout and " tok/s" not in res.stdout  # the bar's columns


def test_second_pass_questions_are_counted_apart_from_chunks_and_answers_named_by_backend():
    """Second-pass questions are not chunks: the summary counts them on their own line; on the replay backend
    the answers not from the store are "from recorded answers", never "by the model"; counts of one are
    singular."""
    console = Console(record=True, width=200, force_terminal=False)
    with ingest_progress(console, "replay") as bar:
        bar.files_found(1)
        bar.file_read("a.pdf", pages=1)
        bar.chunks_planned(1)
        bar.chunk_answered(10, 5, False)
        bar.chunks_planned(2, second_pass=True)
        bar.chunk_answered(3, 1, False, second_pass=True)
        bar.chunk_answered(3, 1, False, failed=True, second_pass=True)
        lines = bar.summary_lines()
    assert lines[0].startswith("files: 1 read of 1, 1 page in ")
    assert "chunks: 1 answered of 1 (0 from the store, 1 from recorded answers)" in lines
    assert "second pass: 2 questions, 1 answered (0 from the store, 1 from recorded answers), 1 failed" in lines
    assert "tokens: 16 input, 7 output" in lines
    assert ingest_progress(Console(), "local").answered_by == "by the model"


def test_counted_writes_one_singular_and_others_plural():
    from pipeline.review import counted

    assert [counted(n, "page") for n in (0, 1, 2)] == ["0 pages", "1 page", "2 pages"]
    assert counted(1, "year") == "1 year" and counted(3, "query") == "3 queries"


def test_a_duration_of_one_is_shown_singular_in_field_values():
    """``show``, the export and the review screens show a field's duration with the unit singular for one."""
    from pipeline.review.fields import _display
    from schemas import Duration

    shown = [_display(Duration(value=v, unit=u)) for v, u in
             [(1, "years"), (2, "years"), (1, "business_days"), (1.5, "months"), (0, "days")]]
    assert shown == ["1 year", "2 years", "1 business day", "1.5 months", "0 days"]
