"""A new user's mistakes in settings and database URLs end the command with one clear line and exit code 2,
never a traceback; the URL forms libpq and hosts print (``postgresql://``, ``postgres://``) work as written.

Real parts: ``clausewise`` processes, a real PostgreSQL server on 127.0.0.1 (a port with nothing listening for
the unreachable case).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.conftest import REPO, empty_pg_database


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_"))}
    full.update({"PYTHONPATH": str(REPO), "COLUMNS": "200", "CLAUSEWISE_DATA_DIR": str(cwd / "data"), **env})
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=300)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_setting_of_the_wrong_type_names_the_variable(tmp_path):
    res = _run("status", cwd=tmp_path, CLAUSEWISE_CONCURRENCY="abc")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "error: setting concurrency (CLAUSEWISE_CONCURRENCY): Input should be a valid integer" in res.stderr


def test_a_misspelt_key_in_the_settings_file_is_refused_with_the_nearest_name(tmp_path):
    (tmp_path / "clausewise.toml").write_text('databse_url = "sqlite:////tmp/x.db"\n')
    res = _run("status", cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "clausewise.toml: unknown setting 'databse_url' (did you mean 'database_url'?)" in res.stderr
    assert not (tmp_path / "data").exists()  # nothing was created on the way


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path):
    port = _free_port()
    res = _run("status", cwd=tmp_path, CLAUSEWISE_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/x")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f'port {port} failed: Connection refused' in res.stderr and "CLAUSEWISE_DATABASE_URL" in res.stderr
    res = _run("status", cwd=tmp_path, CLAUSEWISE_DATABASE_URL="foo://bar")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "the database URL is not one SQLAlchemy can use" in res.stderr


def test_postgresql_urls_without_a_driver_use_psycopg(tmp_path):
    with empty_pg_database("cw_urls") as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        res = _run("db", "upgrade", cwd=tmp_path, CLAUSEWISE_DATABASE_URL=plain)
        assert res.returncode == 0, res.stdout + res.stderr
        res = _run("status", cwd=tmp_path, CLAUSEWISE_DATABASE_URL=url.replace("postgresql+psycopg://", "postgres://"))
        assert res.returncode == 0, res.stdout + res.stderr
        engine = create_engine(url)
        try:
            assert "documents" in inspect(engine).get_table_names()
        finally:
            engine.dispose()


@pytest.mark.parametrize("command", [
    ("status",), ("show", "nda.pdf"), ("export",), ("audit", "verify"), ("audit", "query"), ("audit", "head"),
    ("eval", "runs"), ("review", "--port", "0"), ("rules", "check", "nda.pdf"), ("users", "list"),
    ("users", "passwd", "carol", "--password", "a-long-password"),
])
def test_read_only_commands_where_nothing_was_ingested_say_so_and_create_no_store(tmp_path, command):
    res = _run(*command, cwd=tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stdout + res.stderr
    assert "no store at" in res.stderr and "clausewise.db" in res.stderr and "--database-url" in res.stderr
    assert not (tmp_path / "data").exists()  # nothing created on the way
