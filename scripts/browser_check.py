"""Browser check of the review UI: sign-in → queue → document → accept → sign-off in headless Chromium.

Usage: ``python scripts/browser_check.py OUT_DIR`` (screenshots 01_signin.png ... 06_signed_off.png land there).

Starts the app with ``streamlit run review_ui/app.py`` on 127.0.0.1 (a free port) against a fresh SQLite
database holding the real services agreement with a fixture extraction verified by the real rules
(tests/review_fixtures.py), and drives Debian's /usr/bin/chromium through /usr/bin/chromedriver (selenium;
no browser is ever downloaded). Reviewer alice decides every flagged field; the error-severity decisions are
confirmed by a second reviewer, bob, through the same review API the UI uses (four-eyes); alice signs off.
Exit code 0 when the document ends signed off, 1 otherwise, 2 when Chromium/chromedriver are missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("CLAUSEWISE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLAUSEWISE_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1500,1300"]
WAIT_S = 60


def _wait_http(url: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def prepare(work: Path) -> tuple[str, str]:
    """A database with the sample document waiting for review and users alice, bob; returns (url, doc id)."""
    from pipeline.store import make_engine, upgrade
    from tests.review_fixtures import make_users, reviewable_document

    url = f"sqlite:///{work / 'browser.db'}"
    eng = make_engine(url)
    upgrade(eng)
    doc = reviewable_document(eng, work)
    make_users(eng)
    eng.dispose()
    return url, doc


def run(out: Path) -> int:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from pipeline import review
    from pipeline.cli import free_port, streamlit_command
    from pipeline.store import make_engine
    from tests.review_fixtures import PASSWORD, items

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cw_browser_"))
    url, doc = prepare(work)
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

        def shot(name: str) -> None:
            time.sleep(0.8)  # let Streamlit finish painting
            driver.save_screenshot(str(out / name))
            print(f"screenshot {out / name}")

        def text_present(text: str) -> None:
            wait.until(EC.presence_of_element_located(
                (By.XPATH, f"//*[contains(normalize-space(.), {text!r}) and not(self::script)]")))

        def button(label: str):
            return wait.until(EC.element_to_be_clickable((By.XPATH, f"//button[normalize-space(.)={label!r}]")))

        def settle() -> None:
            time.sleep(0.4)
            wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]'))

        driver.get(f"http://127.0.0.1:{port}/")
        name = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'input[aria-label="User name"]')))
        shot("01_signin.png")
        name.send_keys("alice")
        driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Password"]').send_keys(PASSWORD)
        button("Sign in").click()
        text_present("Review queue")
        text_present("services_agreement.pdf")
        settle()
        shot("02_queue.png")
        button("Claim and open").click()
        text_present("Flagged fields (5)")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-testid="stImage"] img')))
        settle()
        shot("03_document.png")
        for path in ("renewal_notice", "liability_cap", "parties", "fees", "obligations"):
            group = wait.until(EC.presence_of_element_located(
                (By.CSS_SELECTOR, f'[role="radiogroup"][aria-label="Decision on {path}"]')))
            option = group.find_element(By.XPATH, ".//label[.//*[normalize-space(text())='accept']]")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", option)
            option.click()
            text_present(f"{path}: accept saved")
            settle()
        text_present("Review: accepted by alice")
        shot("04_accepted.png")
        # four-eyes: bob, a second reviewer, confirms the error-severity decisions
        eng = make_engine(url)
        bob = review.get_user(eng, "bob")
        for it in items(eng, doc).values():
            if it.severity == "error":
                v = review.load_document(eng, doc).version
                review.confirm(eng, it.id, bob, expected_version=v)
        eng.dispose()
        # back to the queue and open the document again: the page now shows bob's confirmations
        driver.find_element(By.XPATH, "//a[normalize-space(.)='Queue']").click()
        text_present("Review queue")
        settle()
        button("Open").click()
        text_present("confirmed by bob")
        settle()
        shot("05_confirmed.png")
        sign = button("Sign off")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", sign)
        sign.click()
        text_present("Signed off by alice at")
        settle()
        shot("06_signed_off.png")
        eng = make_engine(url)
        status = review.load_document(eng, doc).status
        eng.dispose()
        print(f"document status: {status}")
        return 0 if status == "signed_off" else 1
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


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
