"""Sessions of the review UI driven by Streamlit's AppTest (issue #14, items 7 and 10): a user deactivated or
demoted while signed in loses the rights at the next action; an idle session ends; sign-in attempts are
audited and repeated failures throttled; text that carries a file name or a user name is shown as text.

Each AppTest is one browser session on a shared SQLite database (see tests/test_ui_app.py)."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

from markdown_it import MarkdownIt
from sqlalchemy import update

import audit
from pipeline.review import Role, add_user, claim, get_user, set_active, set_role
from pipeline.store import Document, transaction
from tests.review_fixtures import PASSWORD, cheap_argon2, items  # noqa: F401 - cheap_argon2 is a fixture
from tests.test_ui_app import (  # noqa: F401 - env and doc are fixtures
    claim_and_open, doc, env, errors, radio, session, shown, switch, title,
)

REPO = Path(__file__).resolve().parents[1]


def _ended(eng) -> list[tuple[str, str]]:
    return [(e.actor, e.payload["reason"]) for e in audit.query(eng, type_glob=audit.events.USER_SESSION_ENDED)]


def test_a_reviewer_deactivated_while_signed_in_is_signed_out_at_the_next_action(env, doc):
    a = session("alice")
    claim_and_open(a)
    set_active(env, "alice", False, by="root")
    radio(a, "renewal_notice").set_value("accept").run()
    assert title(a) == "Clausewise review"
    assert "Signed out: your account was deactivated." in shown(a.info)
    assert items(env, doc)["renewal_notice"].status == "open"
    assert not audit.query(env, type_glob=audit.events.REVIEW_DECISION)  # the action never ran
    assert _ended(env) == [("alice", "deactivated")]


def test_a_reviewer_demoted_while_signed_in_has_only_the_new_role(env, doc):
    a = session("alice")
    claim_and_open(a)
    set_role(env, "alice", Role.AUDITOR, by="root")
    radio(a, "renewal_notice").set_value("accept").run()
    assert title(a) == "Document"
    assert "alice (auditor) may not decide: read-only role" in errors(a)
    assert items(env, doc)["renewal_notice"].status == "open"
    assert not a.radio and not a.text_area
    assert "Read-only: auditors see decisions but cannot make them." in shown(a.info)


def test_an_admin_demoted_while_signed_in_loses_the_users_page(env, doc):
    r = session("root")
    switch(r, "views/users.py", "Users")
    assert [t.key for t in r.text_input] == ["u_name", "u_password"]
    set_role(env, "root", Role.REVIEWER, by="system")
    r.run()
    assert not [t for t in r.text_input if t.key in ("u_name", "u_password")]
    assert title(r) == "Review queue"


def test_an_idle_session_ends_after_the_configured_minutes(env, doc, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_REVIEW_IDLE_MINUTES", "5")
    a = session("alice")
    claim_and_open(a)
    a.session_state["last_active"] = time.time() - 4 * 60  # within the limit: still signed in
    radio(a, "renewal_notice").set_value("accept").run()
    assert title(a) == "Document" and items(env, doc)["renewal_notice"].status == "accepted"
    a.session_state["last_active"] = time.time() - 6 * 60
    radio(a, "renewal_notice").set_value("reject").run()
    assert title(a) == "Clausewise review"
    assert "Signed out after 5 minutes without activity; sign in again." in shown(a.info)
    assert items(env, doc)["renewal_notice"].status == "accepted"  # the late click did nothing
    ended = audit.query(env, type_glob=audit.events.USER_SESSION_ENDED)
    assert [(e.actor, e.payload) for e in ended] == [("alice", {"reason": "idle", "idle_minutes": 5.0})]


def test_sign_out_is_audited(env, doc):
    a = session("alice")
    a.button(key="signout").click().run()
    assert title(a) == "Clausewise review"
    assert _ended(env) == [("alice", "signed_out")]


def test_sign_ins_are_audited_and_repeated_failures_throttled(env, doc, monkeypatch):
    monkeypatch.setenv("CLAUSEWISE_SIGNIN_MAX_FAILURES", "2")
    at = session()
    for password in ("guess one", "guess two", PASSWORD):
        at.text_input(key="signin_name").input("alice")
        at.text_input(key="signin_password").input(password)
        at.button(key="signin_submit").click().run()
    assert title(at) == "Clausewise review"  # the right password, but not checked any more
    assert errors(at)[0].startswith("too many failed sign-ins as alice: try again after ")
    session("bob")  # another name signs in
    attempts = audit.query(env, type_glob=audit.events.USER_SIGN_IN)
    assert [(e.actor, e.payload["outcome"], e.payload.get("reason")) for e in attempts] == [
        ("alice", "failed", "wrong_password"), ("alice", "failed", "wrong_password"), ("alice", "throttled", None),
        ("bob", "succeeded", None)]


# ------------------------------------------------------------------------------------------- untrusted text
# An image in Markdown makes the browser fetch its address as soon as the message is drawn. A file name cannot
# hold "/", but a browser reads "https:HOST?QUERY" on an http page as https://HOST/?QUERY.
FILE_NAME = "![pixel](https:attacker.example?from=file) **urgent** <img src=x> :red[alert] $x^2$.pdf"
USER_NAME = "eve![u](https:attacker.example?from=user)"


def _as_browser_reads(markdown: str) -> tuple[str, str]:
    """(HTML, text) of ``markdown`` as CommonMark renders it (Streamlit's alerts render CommonMark + GFM)."""
    out = MarkdownIt("commonmark").enable("strikethrough").render(markdown)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


def test_messages_that_carry_a_file_or_user_name_show_it_as_typed(env, doc):
    add_user(env, USER_NAME, PASSWORD, Role.REVIEWER)
    with transaction(env) as s:
        s.execute(update(Document).where(Document.id == doc).values(file_name=FILE_NAME))
    claim(env, doc, get_user(env, USER_NAME))
    b = session("bob")
    b.button(key="q_claim").click().run()
    expected = f"{FILE_NAME} is already claimed by {USER_NAME}"
    assert errors(b) == [expected]
    rendered, text_shown = _as_browser_reads(b.error[0].value)
    assert "<img" not in rendered and "<a " not in rendered and "<strong>" not in rendered, rendered
    assert text_shown == expected
    b.button(key="q_open").click().run()
    assert title(b) == "Document"
    info = [i.value for i in b.info if "Claimed by" in i.value]
    rendered, text_shown = _as_browser_reads(info[0])
    assert "<img" not in rendered and text_shown == f"Claimed by {USER_NAME}: read-only for you."


def test_no_view_renders_text_as_markdown_except_through_the_escaping_alert():
    """Every alert box of the UI goes through ``common.alert`` (which escapes), and no view writes Markdown."""
    markdown_calls = re.compile(r"\bst\.(error|warning|info|success|markdown|write|caption|toast|exception|"
                                r"latex|help)\(")
    found = []
    for path in sorted((REPO / "review_ui").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if markdown_calls.search(line) and "getattr(st, kind)(plain(" not in line:
                found.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert found == []
