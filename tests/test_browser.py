"""Browser checks against a real Streamlit server in headless Chromium; screenshots land in tmp_path.

- scripts/browser_check.py: sign-in → queue → document → accept → sign-off.
- scripts/browser_untrusted.py (issue #14, items 10 and 11): a file name and a user name that are Markdown
  images pointing at a local listener are shown as typed and make the browser fetch nothing; the server that
  ``clausewise review`` starts shows no Deploy button.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import unavailable

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "browser_check.py"
SHOTS = ["01_signin.png", "02_queue.png", "03_document.png", "04_accepted.png", "05_confirmed.png",
         "06_signed_off.png"]


def _require_browser() -> None:
    if not (Path("/usr/bin/chromium").is_file() and Path("/usr/bin/chromedriver").is_file()):
        unavailable("Chromium and chromedriver are not installed (make system-deps)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium is not installed (pip install -e '.[dev]')")


@pytest.mark.slow
def test_browser_sign_in_to_sign_off(tmp_path):
    _require_browser()
    res = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "shots")], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "document status: signed_off" in res.stdout
    for name in SHOTS:
        png = tmp_path / "shots" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000, name


@pytest.mark.slow
def test_browser_fetches_nothing_a_file_or_user_name_names_and_shows_no_deploy_button(tmp_path):
    _require_browser()
    res = subprocess.run([sys.executable, str(REPO / "scripts" / "browser_untrusted.py"), str(tmp_path / "shots")],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    lines = res.stdout.splitlines()
    assert "beacon connections: 0" in lines, res.stdout[-3000:] + res.stderr[-3000:]
    assert "beacon control fetch counted: yes" in lines  # the listener was reachable from the page
    assert "deploy button: absent" in lines
    assert any(x.startswith("queue message shows the names as typed: yes") for x in lines)
    assert any(x.startswith("document message shows the user name as typed: yes") for x in lines)
    assert res.returncode == 0
    for name in ("01_queue_refused.png", "02_document.png"):
        assert (tmp_path / "shots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
