"""What the CLI prints when its output goes to a pipe or a file: tables keep long values on one line (Rich's
own default there is 80 columns, which folds them), and ``config`` shows the concurrency a run would use.

Real parts: ``clausewise`` processes with their output captured (not a terminal), ``COLUMNS`` unset.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _config(cwd: Path, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEWISE_", "OPENAI_")) and k != "COLUMNS"}
    full.update({"PYTHONPATH": str(REPO), **env})
    res = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "config"], cwd=cwd, env=full,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def test_piped_settings_table_keeps_a_long_path_on_one_line(tmp_path):
    deep = tmp_path / ("a-folder-with-a-long-name-" * 2) / "data"
    assert 110 < len(str(deep)) < 150
    out = _config(tmp_path, CLAUSEWISE_DATA_DIR=str(deep))
    row = next(line for line in out.splitlines() if "CLAUSEWISE_DATA_DIR" in line)
    assert str(deep) in row


def test_piped_settings_table_loses_no_character_of_a_value_wider_than_the_table(tmp_path):
    deep = tmp_path / ("a-folder-with-a-long-name-" * 8) / "data"
    out = _config(tmp_path, CLAUSEWISE_DATA_DIR=str(deep))
    assert "…" not in out
    folded = "".join(line.split("│")[2].strip() for line in out.splitlines()
                     if line.count("│") == 3 and line.split("│")[1].strip() in ("CLAUSEWISE_DATA_DIR", ""))
    assert str(deep) in folded


def test_config_shows_the_concurrency_of_the_backend_when_none_is_set(tmp_path):
    def row(out: str) -> str:
        return next(line for line in out.splitlines() if "CLAUSEWISE_CONCURRENCY" in line)

    assert "1 (the local backend's default)" in row(_config(tmp_path, CLAUSEWISE_BACKEND="local"))
    assert "16 (the openai backend's default)" in row(_config(tmp_path, CLAUSEWISE_BACKEND="openai"))
    set_row = row(_config(tmp_path, CLAUSEWISE_BACKEND="openai", CLAUSEWISE_CONCURRENCY="3"))
    assert "3" in set_row and "default" not in set_row


def test_config_shows_the_pdf_password_masked_when_it_is_set(tmp_path):
    def row(out: str) -> str:
        return next(line for line in out.splitlines() if "CLAUSEWISE_PDF_PASSWORD" in line)

    shown = row(_config(tmp_path, CLAUSEWISE_PDF_PASSWORD="open-sesame-42"))
    assert "***" in shown and "open-sesame-42" not in shown
    assert "***" not in row(_config(tmp_path))


def test_ingest_help_at_80_columns_keeps_every_env_var_name_whole():
    """``ingest --help`` on an 80-column terminal names each option's env var whole, never cut with an ellipsis
    (the options column must leave the help column room for the longest name)."""
    import typer.main
    from typer.testing import CliRunner

    from pipeline.cli import _register, app

    _register()
    command = typer.main.get_command(app).commands["ingest"]
    names = sorted({p.envvar for p in command.params if isinstance(p.envvar, str)})
    assert "CLAUSEWISE_PDF_PASSWORD" in names and "CLAUSEWISE_CONCURRENCY" in names, names
    res = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
    assert res.exit_code == 0, res.output
    assert "…" not in res.output and all(len(line) <= 80 for line in res.output.splitlines())
    for name in names:
        assert f"{name}]" in res.output, (name, res.output)
