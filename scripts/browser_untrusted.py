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
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.review_browser import WAIT_S, Browser, chromium_missing, review_app_in_chromium  # noqa: E402
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
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cw_browser_untrusted_"))
    beacon = Beacon()
    url, file_name, user_name = prepare(work, beacon.port)
    try:
        with review_app_in_chromium(url, work) as browser:
            return _drive(browser, out, beacon, file_name, user_name)
    finally:
        beacon.close()
        shutil.rmtree(work, ignore_errors=True)


def _drive(browser: Browser, out: Path, beacon: Beacon, file_name: str, user_name: str) -> int:
    """Bob signs in, is refused the claim, opens the document read-only; 0 when nothing reached the beacon,
    both messages show the names as typed and there is no Deploy button."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    from tests.review_fixtures import PASSWORD

    driver, wait, button = browser.driver, browser.wait, browser.button

    def alert_texts() -> list[str]:
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]')]

    def settle() -> None:
        browser.settle(SETTLE_S)

    driver.get(browser.base_url)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for the screenshots")
    args = ap.parse_args()
    if missing := chromium_missing():
        print(missing, file=sys.stderr)
        return 2
    return run(args.out)


if __name__ == "__main__":
    sys.exit(main())
