"""The review UI in headless Chromium, for the browser scripts (``browser_check.py``, ``browser_untrusted.py``).

:func:`review_app_in_chromium` starts ``streamlit run review_ui/app.py`` on 127.0.0.1 (a free port) against a
database URL and drives Debian's /usr/bin/chromium through /usr/bin/chromedriver (selenium; no browser is ever
downloaded; ``CLAUSEWISE_CHROMIUM`` / ``CLAUSEWISE_CHROMEDRIVER`` override the paths). Both are stopped when
the ``with`` block ends, whatever happens in it.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CLAUSEWISE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLAUSEWISE_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1500,1300"]
WAIT_S = 60
"""Seconds a page element (or the server's health check) is waited for."""


def chromium_missing() -> str | None:
    """Why the browser cannot run (Chromium or chromedriver absent), or None."""
    if Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file():
        return None
    return f"missing {CHROMIUM} or {CHROMEDRIVER} (Debian packages chromium, chromium-driver)"


def wait_http(url: str, timeout: float) -> None:
    """Return once ``url`` answers 200; raises TimeoutError after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Browser:
    """A Chromium session on the review app: ``driver`` (selenium WebDriver), ``wait`` (WebDriverWait of
    :data:`WAIT_S`), ``base_url`` (``http://127.0.0.1:PORT/``)."""

    driver: Any
    wait: Any
    base_url: str

    def button(self, label: str):
        """The clickable button whose text is ``label``."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC

        return self.wait.until(EC.element_to_be_clickable((By.XPATH, f"//button[normalize-space(.)={label!r}]")))

    def settle(self, extra_s: float = 0.0) -> None:
        """Wait until Streamlit has finished running the page (its status widget gone), then ``extra_s``."""
        from selenium.webdriver.common.by import By

        time.sleep(0.4)
        self.wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))
        time.sleep(extra_s)


@contextmanager
def review_app_in_chromium(database_url: str, work: Path) -> Iterator[Browser]:
    """The review app on ``database_url`` (data folder and Chromium profile under ``work``) in headless
    Chromium; raises TimeoutError when the app does not answer within :data:`WAIT_S` seconds."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    from pipeline.cli import free_port, streamlit_command

    port = free_port()
    env = {**os.environ, "CLAUSEWISE_DATABASE_URL": database_url, "CLAUSEWISE_DATA_DIR": str(work / "data"),
           "SE_OFFLINE": "true"}
    server = subprocess.Popen(streamlit_command(port), env=env, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    driver = None
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", WAIT_S)
        opts = Options()
        opts.binary_location = CHROMIUM
        for f in FLAGS + [f"--user-data-dir={work / 'chromium'}"]:
            opts.add_argument(f)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
        yield Browser(driver, WebDriverWait(driver, WAIT_S), f"http://127.0.0.1:{port}/")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
