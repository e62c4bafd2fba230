"""Browser check of untrusted text and the toolbar: headless Chromium against a real Streamlit server.

Usage: ``python scripts/browser_untrusted.py OUT_DIR`` (screenshots 01_queue_refused.png, 02_document.png).

A document whose file name is a Markdown image pointing at a local "beacon" (a TCP listener that counts every
connection, so an https fetch counts too), claimed by a user whose name is another such image: reviewer bob
signs in, sees the queue, tries to claim it (refused: "<file name> is already claimed by <user name>") and
opens it ("Claimed by <user name>: read-only for you."). Prints ``beacon connections: N``, whether each message
shows the names as typed, whether Streamlit's Deploy button is on the page, and whether a control image the
script then loads on the same page reaches the beacon (so that 0 connections means nothing was fetched). The server is started with
the command ``clausewise review`` runs (pipeline.cli.streamlit_command). Exit code 0 when the beacon got no
connection, both messages show the names as typed and there is no Deploy button; 1 otherwise; 2 when
Chromium/chromedriver are missing. Uses Debian's /usr/bin/chromium through /usr/bin/chromedriver (selenium);
no browser is downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("CLAUSEWISE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLAUSEWISE_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1500,1300"]
WAIT_S = 60
SETTLE_S = 3.0
"""Seconds the page is left to load whatever its Markdown would make it fetch before the beacon is read."""


class Beacon:
    """A TCP listener on 127.0.0.1 that counts the connections made to it (HTTP or TLS alike)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def prepare(work: Path, beacon_port: int) -> tuple[str, str, str]:
    """A database with the sample document under a hostile file name, claimed by a user with a hostile name;
    returns (url, file name, user name)."""
    from sqlalchemy import update

    from pipeline.review import Role, add_user, claim, get_user
    from pipeline.store import Document, make_engine, transaction, upgrade
    from tests.review_fixtures import PASSWORD, make_users, reviewable_document

    # A file name cannot hold "/", but a browser reads "https:HOST?QUERY" on an http page as https://HOST/?QUERY.
    file_name = (f"![pixel](https:127.0.0.1:{beacon_port}?from=file) **urgent** <img src=x> :smile: :material/home: "
                 ":red[alert] &amp; $x^2$.pdf")
    user_name = f"eve![u](https:127.0.0.1:{beacon_port}?from=user)"
    url = f"sqlite:///{work / 'browser.db'}"
    eng = make_engine(url)
    upgrade(eng)
    doc = reviewable_document(eng, work)
    make_users(eng)
    add_user(eng, user_name, PASSWORD, Role.REVIEWER)
    with transaction(eng) as s:
        s.execute(update(Document).where(Document.id == doc).values(file_name=file_name))
    claim(eng, doc, get_user(eng, user_name))
    eng.dispose()
    return url, file_name, user_name


def run(out: Path) -> int:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from pipeline.cli import free_port, streamlit_command
    from tests.review_fixtures import PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cw_browser_untrusted_"))
    beacon = Beacon()
    url, file_name, user_name = prepare(work, beacon.port)
    port = free_port()
    env = {**os.environ, "CLAUSEWISE_DATABASE_URL": url, "CLAUSEWISE_DATA_DIR": str(work / "data"),
           "SE_OFFLINE": "true"}
    server = subprocess.Popen(streamlit_command(port), env=env, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    driver = None
    try:
        _wait_http(f"http://127.0.0.1:{port}/_stcore/health", 60)
        opts = Options()
        opts.binary_location = CHROMIUM
        for f in FLAGS + [f"--user-data-dir={work / 'chromium'}"]:
            opts.add_argument(f)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
        wait = WebDriverWait(driver, WAIT_S)

        def alert_texts() -> list[str]:
            return [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]')]

        def button(label: str):
            return wait.until(EC.element_to_be_clickable((By.XPATH, f"//button[normalize-space(.)={label!r}]")))

        def settle() -> None:
            time.sleep(0.4)
            wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))
            time.sleep(SETTLE_S)

        driver.get(f"http://127.0.0.1:{port}/")
        name = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'input[aria-label="User name"]')))
        name.send_keys("bob")
        driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Password"]').send_keys(PASSWORD)
        button("Sign in").click()
        wait.until(EC.presence_of_element_located((By.XPATH, "//h1[normalize-space(.)='Review queue']")))
        settle()
        button("Claim and open").click()
        refused = f"{file_name} is already claimed by {user_name}"
        wait.until(lambda d: any("is already claimed by" in t for t in alert_texts()))
        settle()
        driver.save_screenshot(str(out / "01_queue_refused.png"))
        queue_ok = refused in alert_texts()
        print(f"queue message shows the names as typed: {'yes' if queue_ok else 'NO'} {alert_texts()!r}")
        button("Open").click()
        wait.until(EC.presence_of_element_located((By.XPATH, "//h1[normalize-space(.)='Document']")))
        wait.until(lambda d: any("read-only for you" in t for t in alert_texts()))
        settle()
        driver.save_screenshot(str(out / "02_document.png"))
        claimed = f"Claimed by {user_name}: read-only for you."
        document_ok = claimed in alert_texts()
        print(f"document message shows the user name as typed: {'yes' if document_ok else 'NO'} {alert_texts()!r}")
        deploy = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stAppDeployButton"]')
        print(f"deploy button: {'present' if deploy else 'absent'}")
        fetched = beacon.connections
        print(f"beacon connections: {fetched}")
        # control: the same page CAN reach the beacon, so 0 above means nothing was fetched, not a dead listener
        driver.execute_script(f"new Image().src = 'https:127.0.0.1:{beacon.port}?from=control';")
        end = time.monotonic() + WAIT_S
        while beacon.connections == fetched and time.monotonic() < end:
            time.sleep(0.2)
        control = beacon.connections > fetched
        print(f"beacon control fetch counted: {'yes' if control else 'NO'}")
        return 0 if (queue_ok and document_ok and not deploy and fetched == 0 and control) else 1
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        beacon.close()
        shutil.rmtree(work, ignore_errors=True)


def _wait_http(url: str, timeout: float) -> None:
    import urllib.request

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for the screenshots")
    args = ap.parse_args()
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        print(f"missing {CHROMIUM} or {CHROMEDRIVER} (Debian packages chromium, chromium-driver)", file=sys.stderr)
        return 2
    return run(args.out)


if __name__ == "__main__":
    sys.exit(main())
