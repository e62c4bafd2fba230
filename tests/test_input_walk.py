"""Issue #14, item 4: paths the walk cannot read get a line and a status, not silence, and a file name cannot
forge an output line. The command runs as a real process (without root's capabilities where a permission
must hold) on SQLite and PostgreSQL."""

from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from pipeline.ingest import UnreadablePath, iter_input_files
from pipeline.reading import printable
from pipeline.store import Document
from tests.batch_fixtures import clausewise, contract_text


def _names(engine) -> dict[str, str]:
    with Session(engine) as s:
        return {d.file_name: d.status for d in s.scalars(select(Document))}


def _ingest(db_url, *paths, **kw) -> str:
    res = clausewise("ingest", "--no-extract", "--database-url", db_url, *map(str, paths), **kw)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def test_symbolic_link_loops_and_dangling_links_get_a_line_each(engine, db_url, tmp_path):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "loop_a.pdf").symlink_to("loop_b.pdf")
    (folder / "loop_b.pdf").symlink_to("loop_a.pdf")
    (folder / "dangling.txt").symlink_to("moved_away.txt")
    (folder / "sub" / "up").symlink_to("..")  # a link to a folder that contains it
    (folder / "sub" / "z_good.txt").write_text(contract_text("walk"))
    out = _ingest(db_url, folder)
    lines = out.splitlines()
    for name, problem in [("loop_a.pdf", "symbolic link loop"), ("loop_b.pdf", "symbolic link loop"),
                          ("dangling.txt", "dangling symbolic link (its target moved_away.txt does not exist)"),
                          ("sub/up", "symbolic link loop (a link to a folder that contains it)")]:
        line = [ln for ln in lines if ln.startswith(f"{folder / name}: ")]
        assert len(line) == 1 and "failed (file_unreadable)" in line[0] and problem in line[0], (name, out)
    assert _names(engine) == {"z_good.txt": "ingested"}  # walked once, not again through sub/up
    reasons = [e.payload["reason"] for e in audit.query(engine, type_glob="document.failed")]
    assert reasons == ["file_unreadable"] * 4


def test_a_folder_that_cannot_be_listed_gets_a_line_and_the_walk_goes_on(engine, db_url, tmp_path):
    folder = tmp_path / "batch"
    (folder / "a_locked").mkdir(parents=True)
    (folder / "a_locked" / "inside.txt").write_text(contract_text("inside"))
    (folder / "z_good.txt").write_text(contract_text("outside"))
    (folder / "a_locked").chmod(0)
    try:
        out = _ingest(db_url, folder, as_unprivileged=True)
    finally:
        (folder / "a_locked").chmod(0o755)
    assert f"{folder / 'a_locked'}: failed (file_unreadable) - a_locked: folder cannot be listed (Permission denied)" \
        in out
    assert _names(engine) == {"z_good.txt": "ingested"}


def test_a_named_path_that_does_not_exist_is_a_line_not_the_end_of_the_batch(engine, db_url, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(contract_text("named"))
    out = _ingest(db_url, tmp_path / "typo.pdf", good)
    assert f"{tmp_path / 'typo.pdf'}: failed (file_unreadable) - typo.pdf: no such file or folder" in out
    assert _names(engine) == {"good.txt": "ingested"}


def test_a_newline_or_terminal_markup_in_a_file_name_cannot_forge_an_output_line(engine, db_url, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    evil = "evil\nz_good.txt: ingested - 1 pages, 9 chunks\x1b[2K\r[bold]x.txt"
    (folder / evil).write_text(contract_text("evil"))
    (folder / "z_good.txt").write_text(contract_text("good"))
    out = _ingest(db_url, folder)
    lines = out.splitlines()
    shown = "evil\\nz_good.txt: ingested - 1 pages, 9 chunks\\x1b[2K\\r[bold]x.txt"
    assert f"{folder}/{shown}: ingested - 1 page, 1 chunk" in lines
    # every report line of a file starts with the folder's path: none was forged by the name
    assert [ln for ln in lines if ": ingested" in ln and not ln.startswith(str(folder))] == []
    assert "\x1b" not in out and "\r" not in out
    status = clausewise("status", "--database-url", db_url).stdout
    assert shown in status and "\x1b" not in status
    assert set(_names(engine)) == {evil, "z_good.txt"}  # the name is stored as it is


def test_printable_escapes_every_unprintable_character_and_keeps_names_apart():
    assert printable("Vertrag Müller – 東京.pdf") == "Vertrag Müller – 東京.pdf"
    assert printable("a\nb\tc\rd\x1b[31m\u202eexe.pdf") == "a\\nb\\tc\\rd\\x1b[31m\\u202eexe.pdf"
    assert printable(os.fsdecode(b"caf\xe9.pdf")) == "caf\\udce9.pdf"  # not UTF-8: a lone surrogate, shown
    assert printable("a\\nb") != printable("a\nb")  # a backslash is doubled, so the two stay apart


def test_the_walk_yields_each_unreadable_path_in_order(tmp_path):
    (tmp_path / "b.pdf").symlink_to("nowhere.pdf")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "c.md").symlink_to("nowhere.md")  # not a contract's suffix: ignored as before
    got = list(iter_input_files([tmp_path]))
    assert got[0] == tmp_path / "a.txt"
    assert isinstance(got[1], UnreadablePath) and got[1].path == tmp_path / "b.pdf"
    assert len(got) == 2
