"""The review UI driven by Streamlit's AppTest: sign-in, claim, decide, rerun, page switch (F33), two sessions
(F34), four-eyes sign-off, auditor read-only, text never rendered as Markdown, scanned PDF page by page (F35).

Each AppTest is one browser session; they share the database (SQLite file). After a page switch the test
asserts the page's title, since a failed switch lands silently on the default page.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

import audit
from pipeline.store.engine import make_engine, transaction, upgrade
from pipeline.store.tables import Document, ExtractionRun, ReviewItem
from pipeline.store.states import DocumentStatus
from tests.conftest import require_shared
from tests.review_fixtures import (  # noqa: F401 - cheap_argon2 is a fixture
    PASSWORD, cheap_argon2, fixture_extraction_with_wrong_renewal_notice, ingest_sample, items, make_users,
    reviewable_document,
)

APP = str(Path(__file__).resolve().parents[1] / "review_ui" / "app.py")
TIMEOUT = 60
XSS = "<script>alert(1)</script> **bold**"


@pytest.fixture
def env(tmp_path, monkeypatch, cheap_argon2):
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    monkeypatch.setenv("CLAUSEWISE_DATABASE_URL", url)
    monkeypatch.setenv("CLAUSEWISE_DATA_DIR", str(tmp_path / "data"))
    eng = make_engine(url)
    upgrade(eng)
    make_users(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def doc(env, tmp_path):
    return reviewable_document(env, tmp_path)


def session(name: str | None = None) -> AppTest:
    """A new browser session, signed in as ``name`` when given (landing on the queue)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if name:
        at.text_input(key="signin_name").input(name)
        at.text_input(key="signin_password").input(PASSWORD)
        at.button(key="signin_submit").click().run()
        assert title(at) == "Review queue", texts(at)
    return at


def title(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return at.title[0].value


def shown(elements) -> list[str]:
    """Alert messages as the reader sees them (the app backslash-escapes every Markdown character in them)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def errors(at: AppTest) -> list[str]:
    return shown(at.error)


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def radio(at: AppTest, path: str):
    found = [r for r in at.radio if r.label == f"Decision on {path}"]
    assert len(found) == 1, [r.label for r in at.radio]
    return found[0]


def comment_box(at: AppTest, path: str):
    found = [t for t in at.text_area if t.label == f"Comment on {path}"]
    assert len(found) == 1
    return found[0]


def claim_and_open(at: AppTest) -> None:
    at.button(key="q_claim").click().run()
    assert title(at) == "Document", [e.value for e in at.error]


def switch(at: AppTest, page: str, expect: str) -> None:
    at.switch_page(page).run()
    assert title(at) == expect


def test_sign_in_is_required_and_wrong_passwords_are_refused(env, doc):
    at = session()
    assert title(at) == "Clausewise review"
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.dataframe and "services_agreement.pdf" not in str(at)
    with pytest.raises(ValueError, match="Known pages: .*signin.py'\\]"):  # only sign-in is registered
        at.switch_page("views/queue.py")
    at.text_input(key="signin_name").input("alice")
    at.text_input(key="signin_password").input("not the password")
    at.button(key="signin_submit").click().run()
    assert errors(at) == ["wrong user name or password"]
    assert title(at) == "Clausewise review"
    ok = session("alice")
    assert ok.dataframe[0].value["file"].tolist() == ["services_agreement.pdf"]


def test_f33_decision_and_comment_survive_rerun_and_page_switch(env, doc):
    at = session("alice")
    claim_and_open(at)
    radio(at, "renewal_notice").set_value("accept").run()
    comment_box(at, "renewal_notice").input("fee verified p.3").run()
    # in the database at once, not only in widget state
    got = items(env, doc)["renewal_notice"]
    assert (got.status, got.comment, got.decided_by) == ("accepted", "fee verified p.3", "alice")
    at.run()
    switch(at, "views/queue.py", "Review queue")
    switch(at, "views/document.py", "Document")
    assert radio(at, "renewal_notice").value == "accept"
    assert comment_box(at, "renewal_notice").value == "fee verified p.3"
    assert "Review: accepted by alice (needs a second reviewer's confirmation)" in texts(at)
    decisions = audit.query(env, document=doc, type_glob=audit.events.REVIEW_DECISION)
    assert [(e.actor, e.payload["decision"], e.payload["outcome"]) for e in decisions] == [
        ("alice", "accept", "saved")]


def test_f34_second_session_cannot_claim_and_a_stale_session_gets_a_conflict(env, doc):
    a, b = session("alice"), session("bob")
    claim_and_open(a)
    b.button(key="q_claim").click().run()
    assert title(b) == "Review queue"
    assert errors(b) == ["services_agreement.pdf is already claimed by alice"]
    # alice in a second tab, opened at the same version: the first decision wins, the second is refused
    a2 = session("alice")
    a2.button(key="q_open").click().run()
    assert title(a2) == "Document"
    radio(a, "renewal_notice").set_value("accept").run()
    radio(a2, "renewal_notice").set_value("reject").run()
    assert ("services_agreement.pdf changed since you opened it (version 1 -> 2); reload before deciding"
            in errors(a2))
    assert radio(a2, "renewal_notice").value == "accept"  # rebuilt from the database, not the lost choice
    got = items(env, doc)["renewal_notice"]
    assert (got.status, got.decided_by) == ("accepted", "alice")
    decisions = audit.query(env, document=doc, type_glob=audit.events.REVIEW_DECISION)
    assert [(e.payload["decision"], e.payload["outcome"]) for e in decisions] == [("accept", "saved"),
                                                                                   ("reject", "conflict")]
    refused = audit.query(env, document=doc, type_glob="review.refused")
    assert [(e.actor, e.payload["action"]) for e in refused] == [("bob", "claim")]


def test_sign_off_blocked_while_open_and_until_a_second_reviewer_confirms(env, doc):
    a = session("alice")
    claim_and_open(a)
    assert "Blocked: renewal_notice (error) is still open" in texts(a)
    a.button(key="sign_off").click().run()
    assert any("cannot be signed off" in e for e in errors(a))
    for path, choice in [("renewal_notice", "accept"), ("parties", "reject"), ("liability_cap", "accept"),
                         ("fees", "accept"), ("obligations", "accept")]:
        radio(a, path).set_value(choice).run()
    assert "Blocked: renewal_notice (error) needs a second reviewer's confirmation" in texts(a)
    a.button(key="sign_off").click().run()
    assert any("needs a second reviewer's confirmation" in e for e in errors(a))
    with Session(env) as s:
        assert s.get(Document, doc).status == "in_review"
    # alice sees no confirm button for her own decisions; bob confirms both errors
    assert not [x for x in a.button if x.key and x.key.startswith("confirm_")]
    b = session("bob")
    b.button(key="q_open").click().run()
    assert title(b) == "Document"
    for key in [x.key for x in b.button if x.key and x.key.startswith("confirm_")]:
        b.button(key=key).click().run()
    assert not [x.key for x in b.button if x.key and x.key.startswith("confirm_")]
    a.run()
    assert "This document changed since you opened it (version 6 -> 8); reload before deciding." in shown(a.warning)
    a.button(key="doc_reload").click().run()
    a.button(key="sign_off").click().run()
    assert any(s.startswith("Signed off by alice at ") for s in shown(a.success)), errors(a)
    with Session(env) as s:
        assert s.get(Document, doc).status == "signed_off"
    assert not a.radio  # frozen: no decision widgets any more


def test_auditor_cannot_decide_and_sees_the_audit_trail(env, doc):
    a = session("alice")
    claim_and_open(a)
    radio(a, "renewal_notice").set_value("accept").run()
    au = session("audra")
    assert not [x for x in au.button if x.key == "q_claim"]
    au.button(key="q_open").click().run()
    assert title(au) == "Document"
    assert not au.radio and not au.text_area
    assert "Read-only: auditors see decisions but cannot make them." in shown(au.info)
    assert "Review: accepted by alice (needs a second reviewer's confirmation)" in texts(au)
    switch(au, "views/audit.py", "Audit trail")
    assert shown(au.success)[0].startswith("Chain OK:")
    types = au.dataframe[0].value["type"].tolist()
    assert [t for t in types if t.startswith("review.")] == ["review.claimed", "review.decision"]
    assert "rule.evaluated" in types and "finding.created" in types  # the whole history, not only decisions
    au.text_input(key="aq_type").input("review.*")
    au.button(key="aq_go").click().run()
    assert au.dataframe[1].value["type"].tolist() == ["review.claimed", "review.decision"]


def _extraction_with_markup(source):
    x = fixture_extraction_with_wrong_renewal_notice(source)
    x.governing_law.jurisdiction = XSS
    return x


def test_contract_text_and_model_output_are_never_rendered_as_markdown(env, tmp_path):
    reviewable_document(env, tmp_path, extraction_builder=_extraction_with_markup)
    a = session("alice")
    claim_and_open(a)
    assert f"Value: {XSS}" in texts(a)
    rendered = [m.value for m in a.markdown] + [e.value for e in a.error] + [e.value for e in a.success]
    assert not any("<script>" in m or "**bold**" in m for m in rendered)


def test_f35_scanned_pdf_is_shown_page_by_page_as_images(env, tmp_path):
    pdf = require_shared("failcases", "F35", "contract_with_scans.pdf")
    doc_id = ingest_sample(env, tmp_path, pdf)
    with transaction(env) as s:
        s.get(Document, doc_id).status = DocumentStatus.NEEDS_REVIEW.value
    a = session("alice")
    a.button(key="q_open").click().run()
    assert title(a) == "Document"
    assert "Page 1 of 2" in texts(a) and len(a.image) == 1
    a.button(key="page_next").click().run()
    assert "Page 2 of 2" in texts(a) and len(a.image) == 1
    a.toggle(key=f"all_pages_{doc_id}").set_value(True).run()
    assert len(a.image) == 2
    assert not a.get("iframe") and "data:application/pdf" not in str(a)
    cached = sorted(p.name for p in (tmp_path / "data" / "cache" / "pages" / doc_id).iterdir())
    assert cached == ["p00001_z1.50.png", "p00002_z1.50.png"]
