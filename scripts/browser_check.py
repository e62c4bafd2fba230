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
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.review_browser import Browser, chromium_missing, review_app_in_chromium  # noqa: E402


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
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cw_browser_"))
    url, doc = prepare(work)
    try:
        with review_app_in_chromium(url, work) as browser:
            return _drive(browser, out, url, doc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _drive(browser: Browser, out: Path, url: str, doc: str) -> int:
    """Alice signs in, accepts every flagged field, bob confirms the errors, alice signs off; 0 when the
    document ends signed off."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    from pipeline import review
    from pipeline.store import make_engine
    from tests.review_fixtures import PASSWORD, items

    driver, wait, button, settle = browser.driver, browser.wait, browser.button, browser.settle

    def shot(name: str) -> None:
        time.sleep(0.8)  # let Streamlit finish painting
        driver.save_screenshot(str(out / name))
        print(f"screenshot {out / name}")

    def text_present(text: str) -> None:
        wait.until(EC.presence_of_element_located(
            (By.XPATH, f"//*[contains(normalize-space(.), {text!r}) and not(self::script)]")))

    driver.get(browser.base_url)
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
