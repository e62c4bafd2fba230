"""``clausewise review``: start the review UI (Streamlit) on 127.0.0.1 and print its URL."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import typer

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, engine_for, fail, settings


def app_script() -> Path:
    """Path of ``review_ui/app.py``, found without importing the UI package (pipeline never imports it)."""
    spec = importlib.util.find_spec("review_ui")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the review_ui package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "app.py"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def streamlit_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line that serves the review UI headless on ``host:port``."""
    return [sys.executable, "-m", "streamlit", "run", str(app_script()), "--server.address", host,
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]


@app.command("review")
def review_cmd(
    port: int = typer.Option(8501, "--port", help="TCP port (0 = any free port)."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Start the review UI on 127.0.0.1 and print its URL; stops with Ctrl-C."""
    cfg = settings(database_url=database_url)
    engine_for(cfg.effective_database_url)  # migrate before the first page view
    try:
        cmd = streamlit_command(port or free_port())
    except FileNotFoundError as exc:
        fail(str(exc))
    env = {**os.environ, "CLAUSEWISE_DATABASE_URL": cfg.effective_database_url,
           "CLAUSEWISE_DATA_DIR": str(cfg.data_dir)}
    typer.echo(f"Clausewise review UI: http://127.0.0.1:{cmd[cmd.index('--server.port') + 1]}")
    try:
        raise typer.Exit(subprocess.call(cmd, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
