"""Browser check: scripts/browser_check.py drives headless Chromium through sign-in → queue → document →
accept → sign-off against a real Streamlit server; screenshots land in tmp_path."""

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


@pytest.mark.slow
def test_browser_sign_in_to_sign_off(tmp_path):
    if not (Path("/usr/bin/chromium").is_file() and Path("/usr/bin/chromedriver").is_file()):
        unavailable("Chromium and chromedriver are not installed (make system-deps)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium is not installed (pip install -e '.[dev]')")
    res = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "shots")], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "document status: signed_off" in res.stdout
    for name in SHOTS:
        png = tmp_path / "shots" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000, name
