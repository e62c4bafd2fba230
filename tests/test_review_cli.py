"""``clausewise users`` and ``clausewise review``: the command line it runs, and a real server on 127.0.0.1 or,
with ``--address`` (issue #14, item 11), on a network address (the pages themselves: tests/test_browser.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import _register, app
from pipeline.cli.review_cmd import app_script, free_port, streamlit_command
from pipeline.review import Role, authenticate
from pipeline.store import make_engine, upgrade
from tests.conftest import REPO, unavailable

_register()
runner = CliRunner()


def test_users_add_list_and_sign_in_with_the_stored_hash(engine, db_url):
    res = runner.invoke(app, ["users", "add", "carol", "--role", "auditor", "--password", "s3cret-pass",
                              "--database-url", db_url])
    assert res.exit_code == 0, res.output
    assert "added carol (auditor)" in res.output
    assert authenticate(engine, "carol", "s3cret-pass").role is Role.AUDITOR
    dup = runner.invoke(app, ["users", "add", "carol", "--password", "s3cret-pass", "--database-url", db_url])
    assert dup.exit_code == 1 and "exists already" in dup.output
    short = runner.invoke(app, ["users", "add", "dan", "--password", "short", "--database-url", db_url])
    assert short.exit_code == 1 and "too short" in short.output
    prompted = runner.invoke(app, ["users", "add", "erin", "--database-url", db_url], input="pw-erin-123\npw-erin-123\n")
    assert prompted.exit_code == 0, prompted.output
    assert authenticate(engine, "erin", "pw-erin-123").role is Role.REVIEWER
    listed = runner.invoke(app, ["users", "list", "--database-url", db_url])
    assert "carol" in listed.output and "auditor" in listed.output and "erin" in listed.output


def test_review_serves_the_app_on_localhost():
    script = app_script()
    assert script == Path(__file__).resolve().parents[1] / "review_ui" / "app.py"
    cmd = streamlit_command(8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(script)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8765"


def test_review_address_reaches_the_command_line_and_the_default_stays_local(db_url, monkeypatch):
    import pipeline.cli.review_cmd as review_cmd

    calls = []
    monkeypatch.setattr(review_cmd, "_run_until_stopped", lambda cmd, env: calls.append(cmd) or 0)
    res = runner.invoke(app, ["review", "--address", "0.0.0.0", "--port", "8765", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    assert "Clausewise review UI: http://0.0.0.0:8765" in res.output
    assert "reverse proxy that terminates TLS" in res.output
    assert calls[0][calls[0].index("--server.address") + 1] == "0.0.0.0"
    assert calls[0][calls[0].index("--client.toolbarMode") + 1] == "viewer"  # no Deploy button
    local = runner.invoke(app, ["review", "--port", "8765", "--database-url", db_url])
    assert local.exit_code == 0 and "reverse proxy" not in local.output
    assert calls[1][calls[1].index("--server.address") + 1] == "127.0.0.1"
    bad = runner.invoke(app, ["review", "--address", "example.org", "--database-url", db_url])
    assert bad.exit_code == 1 and "--address 'example.org' is not an IP address" in bad.output


def _own_address() -> str:
    """A non-loopback IPv4 address of this machine (the one a route out would use; no packet is sent)."""
    for probe in ("192.0.2.1", "198.51.100.1", "10.255.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
            except OSError:
                continue
            ip = s.getsockname()[0]
            if not ip.startswith("127."):
                return ip
    unavailable("this machine has no non-loopback IPv4 address")


def _serve(args: list[str], tmp_path: Path) -> subprocess.Popen:
    """``clausewise review ARGS`` on a migrated store in ``tmp_path`` (the command refuses a store that does not
    exist)."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(make_engine(url))
    env = {**os.environ, "CLAUSEWISE_DATA_DIR": str(tmp_path / "data"), "CLAUSEWISE_DATABASE_URL": url,
           "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "review", *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _health(host: str, port: int, until_s: float = 60) -> int | str:
    """HTTP status of /_stcore/health on host:port, retried while the server starts; or the last error."""
    end, last = time.monotonic() + until_s, ""
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2) as r:
                return r.status
        except OSError as exc:
            last = f"{exc.__class__.__name__}: {exc}"
            time.sleep(0.3)
    return last


def _stop(proc: subprocess.Popen) -> str:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out


def test_review_serves_on_a_network_address_only_when_asked(tmp_path):
    ip = _own_address()
    port = free_port()
    proc = _serve(["--address", "0.0.0.0", "--port", str(port)], tmp_path)
    try:
        assert _health(ip, port) == 200
    finally:
        out = _stop(proc)
    assert f"Clausewise review UI: http://0.0.0.0:{port}" in out
    port = free_port()
    proc = _serve(["--port", str(port)], tmp_path)
    try:
        assert _health("127.0.0.1", port) == 200
        assert "Connection refused" in str(_health(ip, port, until_s=1))  # not on the network address
    finally:
        _stop(proc)


def _children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_to_the_review_command_stops_its_streamlit_server(tmp_path):
    port = free_port()
    proc = _serve(["--port", str(port)], tmp_path)
    try:
        assert _health("127.0.0.1", port) == 200
        servers = _children(proc.pid)
        assert len(servers) == 1
        proc.send_signal(signal.SIGTERM)  # the command only, not its process group
        assert proc.wait(timeout=20) == 0
        end = time.monotonic() + 15
        while _alive(servers[0]) and time.monotonic() < end:
            time.sleep(0.2)
        assert not _alive(servers[0])
        assert "Connection refused" in str(_health("127.0.0.1", port, until_s=1))
    finally:
        if proc.poll() is None:
            _stop(proc)
