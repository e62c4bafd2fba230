"""``clausewise review``: start the review UI (Streamlit) and print its URL; 127.0.0.1 unless ``--address``."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import socket
import signal
import subprocess
import sys
from pathlib import Path

import typer

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, existing_engine_for, fail, settings

LOOPBACK = "127.0.0.1"


def app_script() -> Path:
    """Path of ``review_ui/app.py``, found without importing the UI package (pipeline never imports it)."""
    spec = importlib.util.find_spec("review_ui")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the review_ui package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "app.py"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def streamlit_command(port: int, host: str = LOOPBACK) -> list[str]:
    """The command line that serves the review UI headless on ``host:port``: no usage statistics, the
    toolbar in viewer mode (no Deploy button, no rerun or clear-cache entries: Streamlit's
    ``client.toolbarMode = "viewer"``), XSRF protection and CORS checks on (Streamlit's defaults, stated)."""
    return [sys.executable, "-m", "streamlit", "run", str(app_script()), "--server.address", host,
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer", "--server.enableXsrfProtection", "true",
            "--server.enableCORS", "true"]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@app.command("review")
def review_cmd(
    port: int = typer.Option(8501, "--port", help="TCP port (0 = any free port)."),
    address: str = typer.Option(
        LOOPBACK, "--address",
        help="Address to listen on: 127.0.0.1 (default, this machine only), or e.g. 0.0.0.0 to serve a reverse "
             "proxy that terminates TLS on another machine (README: Serving the review UI)."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Start the review UI on 127.0.0.1 (or --address) and print its URL; stops with Ctrl-C."""
    cfg = settings(database_url=database_url)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        if address != "localhost":
            fail(f"--address {address!r} is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)")
    existing_engine_for(cfg.effective_database_url)  # migrate before the first page view; no empty store
    try:
        cmd = streamlit_command(port or free_port(), address)
    except FileNotFoundError as exc:
        fail(str(exc))
    env = {**os.environ, "CLAUSEWISE_DATABASE_URL": cfg.effective_database_url,
           "CLAUSEWISE_DATA_DIR": str(cfg.data_dir)}
    shown = f"[{address}]" if ":" in address else address
    typer.echo(f"Clausewise review UI: http://{shown}:{cmd[cmd.index('--server.port') + 1]}")
    if not _is_loopback(address):
        typer.echo("Plain HTTP on a network address: serve it to users only through a reverse proxy that "
                   "terminates TLS (README: Serving the review UI).", err=True)
    raise typer.Exit(_run_until_stopped(cmd, env))


STOP_GRACE_S = 10.0
"""Seconds the Streamlit server is given to stop after SIGTERM before it is killed."""


def _run_until_stopped(cmd: list[str], env: dict[str, str]) -> int:
    """Run ``cmd`` and wait for it; SIGTERM or SIGHUP to this process, or Ctrl-C, stop it too (SIGTERM, then
    SIGKILL after :data:`STOP_GRACE_S`), so no server outlives the command. Returns its exit code (0 when
    stopped by Ctrl-C or a signal)."""
    proc = subprocess.Popen(cmd, env=env)
    stopped = False

    def _stop(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
        nonlocal stopped
        stopped = True
        if proc.poll() is None:
            proc.terminate()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        stopped = True
        code = 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if stopped else code
