"""Shared plumbing of the review UI: the engine, the signed-in user, messages, actions.

Per-user state (who is signed in, which document is open, the version the reviewer saw, the page shown) lives
in ``st.session_state`` under plain (non-widget) keys, since a widget's own state is lost on a page switch
(streamlit/streamlit#5689, #5813); shared state lives only in the database, since ``st.cache_resource``
objects are shared by all sessions and two reviewers would overwrite each other (streamlit/docs#994).

The signed-in user is read again from the database on every script run and before every action
(:func:`current_user`, :func:`act`): a deactivated or removed account ends the session, a changed role takes
effect at once, and a session idle for ``review_idle_minutes`` ends. Widget callbacks run before the script
(with the previous run's variables), so :func:`act` checks the session itself; the review actions check the
account in the database again (:mod:`pipeline.review.actions`).

Untrusted text (contract text, model output, file names, user names, error messages that carry them) is shown
with ``st.text``/``st.code``/``st.dataframe``/``st.json``, or in an alert box through :func:`alert`, which
escapes every Markdown character; never as Markdown or HTML.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from pipeline import Settings
from pipeline.review import ReviewError, Role, UnknownUser, User, get_user, session_ended
from pipeline.store import make_engine, upgrade

HERE = Path(__file__).resolve().parent
SIGNIN_PAGE = "views/signin.py"
QUEUE_PAGE = "views/queue.py"
DOCUMENT_PAGE = "views/document.py"
AUDIT_PAGE = "views/audit.py"
USERS_PAGE = "views/users.py"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    eng = make_engine(url)
    upgrade(eng)
    return eng


def settings() -> Settings:
    """Settings from the environment (``CLAUSEWISE_DATABASE_URL``, ``CLAUSEWISE_DATA_DIR``)."""
    return Settings()


def engine() -> Engine:
    """The database engine (one per URL per server process; migrated on first use)."""
    return _engine(settings().effective_database_url)


def current_user() -> User | None:
    """The signed-in user with the role the database holds now, or ``None``.

    Ends the session (audited as ``user.session_ended``; a message for the sign-in page) when it was idle for
    more than ``review_idle_minutes``, or the account is deactivated or gone; otherwise counts this as
    activity.
    """
    u = st.session_state.get("user")
    if u is None:
        return None
    limit = settings().review_idle_minutes
    now = time.time()
    if now - st.session_state.get("last_active", now) > limit * 60:
        end_session(u["name"], "idle", f"Signed out after {limit:g} minutes without activity; sign in again.",
                    idle_minutes=limit)
        return None
    try:
        account = get_user(engine(), u["name"])
    except UnknownUser:
        end_session(u["name"], "removed", "Signed out: your account no longer exists.")
        return None
    if not account.active:
        end_session(u["name"], "deactivated", "Signed out: your account was deactivated.")
        return None
    st.session_state["user"] = {"name": account.name, "role": account.role.value}
    st.session_state["last_active"] = now
    return User(account.name, account.role)


def sign_in(user: User) -> None:
    """Start ``user``'s session (after :func:`pipeline.review.authenticate` accepted them)."""
    st.session_state["user"] = {"name": user.name, "role": user.role.value}
    st.session_state["last_active"] = time.time()


def end_session(name: str, reason: str, message: str | None = None, *, idle_minutes: float | None = None) -> None:
    """End the session of ``name``: audited (``reason``: ``signed_out`` | ``idle`` | ``deactivated`` |
    ``removed``), every per-session value dropped, ``message`` kept for the sign-in page."""
    session_ended(engine(), name, reason, idle_minutes=idle_minutes)
    st.session_state.clear()
    if message:
        flash("info", message)


def require_user() -> User:
    """The signed-in user; stops the page when nobody is signed in (the app shows only sign-in then)."""
    u = current_user()
    if u is None:
        alert("error", "Sign in first.")
        st.stop()
    return u


_MARKDOWN_CHARS = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and an escaped one is shown as
itself (no link, image, emphasis, code, HTML, entity, math or Streamlit directive can start)."""


def plain(text: str) -> str:
    """``text`` with every Markdown character escaped, for the Markdown body of an alert box."""
    return _MARKDOWN_CHARS.sub(r"\\\1", text)


def alert(kind: str, message: str) -> None:
    """Show ``message`` as plain text in an alert box: ``error`` | ``success`` | ``info`` | ``warning``."""
    getattr(st, kind)(plain(message))


def flash(kind: str, message: str) -> None:
    """Queue a message (``error`` | ``success`` | ``info`` | ``warning``) for the next render."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flash() -> None:
    """Show and clear queued messages (as plain text in alert boxes; no Markdown)."""
    for kind, message in st.session_state.pop("flash", []):
        alert(kind, message)


def seen_versions() -> dict[str, int]:
    return st.session_state.setdefault("seen_version", {})


def open_document(document_id: str, version: int) -> None:
    """Make ``document_id`` the open document, remembering the version the reviewer now sees."""
    st.session_state["doc_id"] = document_id
    seen_versions()[document_id] = version


def act(fn: Callable[..., Any], *args: Any, document_id: str | None = None, done: str | None = None,
        **kwargs: Any) -> Any:
    """Run a review action if the session is still valid (:func:`current_user`); a refusal becomes an error
    message. An int result is the document's new version (remembered as seen). Returns the result, or ``None``
    when refused or the session ended."""
    if current_user() is None:
        return None
    try:
        out = fn(*args, **kwargs)
    except ReviewError as exc:
        flash("error", str(exc))
        return None
    if document_id is not None and isinstance(out, int):
        seen_versions()[document_id] = out
    if done:
        flash("success", done)
    return out
