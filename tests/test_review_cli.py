"""``clausewise users`` and ``clausewise review`` (the command line it would run; the server itself is
exercised by tests/test_browser.py)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import _register, app
from pipeline.cli.review_cmd import app_script, streamlit_command
from pipeline.review import Role, authenticate

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
