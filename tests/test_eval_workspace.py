"""Where ``clausewise eval`` leaves its workspace database, on replayed answers (``tests/recordings/samples``).

- Without ``--workdir`` the workspace is a temporary folder that exists while the documents are processed and
  is gone when the command ends: after a run that succeeds, one that stops part-way (a replay miss on the
  second document), one interrupted by Ctrl-C and one stopped by SIGTERM. Nothing printed, written (JSON,
  HTML) or stored (``eval_runs``) names it.
- ``--keep-workspace`` keeps that folder and ``--workdir DIR`` keeps the user's: the folder is printed before
  the run and the database file after it, the JSON, the HTML page and the stored run name that file, it opens
  as a store holding the documents of the run, and a stopped run says where it is.
- ``eval report`` of a stored run whose kept workspace was deleted since says so instead of naming it bare.
- SIGTERM and SIGHUP interrupt the run as Ctrl-C does, but a signal the process ignores (``nohup``) stays
  ignored, and the handlers are put back afterwards.

The temporary folders of the process are made in a folder of the test (``tempfile.tempdir``), so that what
the command leaves there is what it would leave in /tmp.
"""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import pipeline.cli.eval_cmd as eval_cmd
from pipeline.cli import _register, app
from pipeline.llm import is_installed
from pipeline.settings import Settings
from pipeline.store import Document, EvalRun, make_engine
from tests.conftest import REPO, unavailable

_register()
runner = CliRunner()
MODEL = "qwen2.5-coder-1.5b"
NDA = REPO / "samples" / "mutual_nda.pdf"
REMOVED = "workspace: a temporary folder, removed when the run ended"


@pytest.fixture(autouse=True)
def _model_installed():
    if not is_installed(MODEL, Settings().cache_dir):
        unavailable(f"{MODEL} is not installed: its tokenizer sets the chunks the recordings were made for "
                    f"(`clausewise model install {MODEL}`)")


@pytest.fixture
def tmp(tmp_path, monkeypatch) -> Path:
    """The folder :mod:`tempfile` makes temporary folders in for this test (empty at the start)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def seen(monkeypatch) -> list[tuple[str, list[str]]]:
    """(document, the database files of the ``clausewise-eval-*`` folders under the temporary folder) after each
    document of a run, as the progress line is printed."""
    got: list[tuple[str, list[str]]] = []
    progress = eval_cmd._progress

    def spy(d):
        folders = sorted(Path(tempfile.gettempdir()).glob("clausewise-eval-*"))
        got.append((d.name, [f"{p.name}/{f.name}" for p in folders for f in sorted(p.glob("*.db"))]))
        progress(d)

    monkeypatch.setattr(eval_cmd, "_progress", spy)
    return got


def _env(tmp_path: Path) -> dict[str, str]:
    return {"COLUMNS": "200", "CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": MODEL,
            "CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / "samples"),
            "CLAUSEWISE_DATA_DIR": str(tmp_path / "data")}


def _flat(output: str) -> str:
    """``output`` with the console's line breaks taken out (a long path is folded at the console width)."""
    return output.replace("\n", "")


def _stored_summaries(url: str) -> list[dict]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = [r.summary for r in s.scalars(select(EvalRun))]
    engine.dispose()
    return rows


def _files(db: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        names = sorted(d.file_name for d in s.scalars(select(Document)))
    engine.dispose()
    return names


def _gold_with_a_miss(tmp_path: Path) -> Path:
    """A gold file of two documents: the NDA (recorded) and a contract the recordings have no answer for."""
    other = tmp_path / "unrecorded.txt"
    other.write_text("SERVICES AGREEMENT\n\nThis Services Agreement is made on 4 March 2021 between Alder "
                     "Works Ltd and Birch Supply LLC. This agreement is governed by the laws of Ontario. Either "
                     "party may terminate it on 60 days' written notice to the other party.\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"path": str(NDA), "fields": {"governing_law": "Delaware"}}) + "\n"
                    + json.dumps({"path": other.name, "fields": {"governing_law": "Ontario"}}) + "\n")
    return gold


def test_without_workdir_the_workspace_is_removed_and_nothing_names_it(tmp_path, tmp, seen):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    html = tmp_path / "run.html"
    res = runner.invoke(app, ["eval", "samples", str(REPO / "samples"), "--limit", "1", "--json",
                              str(tmp_path / "run.json"), "--html", str(html), "--database-url", url],
                        env=_env(tmp_path))
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "run.json").read_text())
    # while the document was processed its workspace database was in a temporary folder ...
    ((name, files),) = seen
    assert name == "mutual_nda.pdf"
    assert len(files) == 1 and re.fullmatch(rf"clausewise-eval-[^/]+/eval-{data['id']}\.db", files[0]), files
    # ... which is gone now, with everything in it
    assert list(tmp.iterdir()) == []
    assert REMOVED in res.output and "workspace folder" not in res.output and "open it with" not in res.output
    assert data["workspace"] is None
    (summary,) = _stored_summaries(url)
    assert summary["id"] == data["id"] and summary["workspace"] is None
    page = html.read_text(encoding="utf-8")
    assert "<td>workspace</td><td>a temporary folder, removed when the run ended</td>" in page
    assert "clausewise-eval-" not in page


@pytest.mark.parametrize("how", ["keep-workspace", "workdir"])
def test_a_kept_workspace_is_printed_written_and_stored_and_opens(tmp_path, tmp, seen, how):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    extra = ["--keep-workspace"] if how == "keep-workspace" else ["--workdir", str(tmp_path / "mine")]
    res = runner.invoke(app, ["eval", "samples", str(REPO / "samples"), "--limit", "2", *extra, "--json",
                              str(tmp_path / "run.json"), "--html", str(tmp_path / "run.html"),
                              "--database-url", url], env=_env(tmp_path))
    assert res.exit_code == 0, res.output
    out = _flat(res.output)
    data = json.loads((tmp_path / "run.json").read_text())
    if how == "keep-workspace":
        (folder,) = tmp.iterdir()
        assert folder.name.startswith("clausewise-eval-")
        assert [n for n, _ in seen] == ["mutual_nda.pdf", "services_agreement.pdf"]
    else:
        folder = tmp_path / "mine"
        assert list(tmp.iterdir()) == [] and all(files == [] for _, files in seen)
    db = folder / f"eval-{data['id']}.db"
    assert sorted(p.name for p in folder.iterdir()) == [db.name]  # the SQLite database closed: no -wal, -shm
    assert f"workspace folder: {folder} (kept after the run)" in out
    assert out.index("workspace folder:") < out.index("mutual_nda.pdf")  # said before the run starts
    assert f"workspace: {db}" in out and f"CLAUSEWISE_DATABASE_URL=sqlite:///{db} clausewise show DOC" in out
    assert REMOVED not in out
    assert data["workspace"] == str(db)
    (summary,) = _stored_summaries(url)
    assert summary["workspace"] == str(db)
    assert f"<td>workspace</td><td>{db}</td>" in (tmp_path / "run.html").read_text(encoding="utf-8")
    assert _files(db) == ["mutual_nda.pdf", "services_agreement.pdf"]

    # the kept workspace deleted later: the page drawn again from the store says it is no longer there
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    res = runner.invoke(app, ["eval", "report", data["id"], "--html", str(tmp_path / "again.html"),
                              "--database-url", url], env=_env(tmp_path))
    assert res.exit_code == 0, res.output
    assert f"<td>workspace</td><td>{db} (no longer there)</td>" in (tmp_path / "again.html").read_text("utf-8")


def test_a_run_that_stops_part_way_removes_its_temporary_workspace(tmp_path, tmp, seen):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    res = runner.invoke(app, ["eval", "gold", str(_gold_with_a_miss(tmp_path)), "--database-url", url],
                        env=_env(tmp_path))
    assert res.exit_code == 1, res.output
    out = _flat(res.output)
    assert "evaluation stopped:" in out and "the temporary workspace was removed" in out
    # the first document was processed in the workspace before the second one stopped the run
    ((name, files),) = seen
    assert name == "mutual_nda.pdf" and len(files) == 1 and files[0].startswith("clausewise-eval-")
    assert list(tmp.iterdir()) == []
    assert _stored_summaries(url) == []


def test_a_run_that_stops_part_way_keeps_a_workspace_asked_for_and_says_where(tmp_path, tmp, seen):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    res = runner.invoke(app, ["eval", "gold", str(_gold_with_a_miss(tmp_path)), "--keep-workspace",
                              "--database-url", url], env=_env(tmp_path))
    assert res.exit_code == 1, res.output
    (folder,) = tmp.iterdir()
    assert "evaluation stopped:" in _flat(res.output)
    assert f"the workspace folder {folder} is kept" in _flat(res.output)
    (db,) = folder.glob("eval-*.db")
    assert _files(db) == ["mutual_nda.pdf", "unrecorded.txt"]  # the second was read; its chunk had no answer
    assert _stored_summaries(url) == []


def _interrupt(_d) -> None:
    raise KeyboardInterrupt


def _sigterm(_d) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


@pytest.fixture
def own_sigterm():
    """A SIGTERM handler of the process that fails the run if it is reached (the command must put its own in
    while it runs, and this one back after); the handler found before is put back at the end."""
    def unhandled(signum, frame):
        raise RuntimeError("SIGTERM reached the handler the command found")

    before = signal.signal(signal.SIGTERM, unhandled)
    yield unhandled
    signal.signal(signal.SIGTERM, before)


@pytest.mark.parametrize("stop", [_interrupt, _sigterm], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_removes_its_temporary_workspace(tmp_path, tmp, monkeypatch, own_sigterm, stop):
    seen: list[list[str]] = []

    def progress(d):
        seen.append([p.name for p in tmp.iterdir()])
        stop(d)

    monkeypatch.setattr(eval_cmd, "_progress", progress)
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    res = runner.invoke(app, ["eval", "samples", str(REPO / "samples"), "--database-url", url],
                        env=_env(tmp_path))
    assert res.exit_code == 130, res.output
    assert "evaluation interrupted; the temporary workspace was removed" in _flat(res.output)
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].startswith("clausewise-eval-")  # stopped at the first
    assert list(tmp.iterdir()) == []
    assert _stored_summaries(url) == []
    assert signal.getsignal(signal.SIGTERM) is own_sigterm


def test_a_signal_the_process_ignores_stays_ignored_while_the_command_runs():
    """``nohup clausewise eval ...`` ignores SIGHUP: the command must not turn it into an interrupt."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with eval_cmd._stop_signals_interrupt():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)
