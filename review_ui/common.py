"""Shared plumbing of the review UI: the engine, the signed-in user, messages, actions.

Per-user state (who is signed in, which document is open, the version the reviewer saw, the page shown) lives
in ``st.session_state`` under plain (non-widget) keys, since a widget's own state is lost on a page switch
(streamlit/streamlit#5689, #5813); shared state lives only in the database, since ``st.cache_resource``
objects are shared by all sessions and two reviewers would overwrite each other (streamlit/docs#994).
Contract text and model output are shown with ``st.text``/``st.code``/``st.dataframe``/``st.json``, never as
Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from pipeline import Settings
from pipeline.review import ReviewError, Role, User
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
    u = st.session_state.get("user")
    return None if u is None else User(u["name"], Role(u["role"]))


def require_user() -> User:
    """The signed-in user; stops the page when nobody is signed in (the app shows only sign-in then)."""
    u = current_user()
    if u is None:
        st.error("Sign in first.")
        st.stop()
    return u


def flash(kind: str, message: str) -> None:
    """Queue a message (``error`` | ``success`` | ``info`` | ``warning``) for the next render."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flash() -> None:
    """Show and clear queued messages (as plain text in alert boxes; no Markdown)."""
    for kind, message in st.session_state.pop("flash", []):
        getattr(st, kind)(message.replace("*", "\\*").replace("_", "\\_").replace("`", "\\`"))


def seen_versions() -> dict[str, int]:
    return st.session_state.setdefault("seen_version", {})


def open_document(document_id: str, version: int) -> None:
    """Make ``document_id`` the open document, remembering the version the reviewer now sees."""
    st.session_state["doc_id"] = document_id
    seen_versions()[document_id] = version


def act(fn: Callable[..., Any], *args: Any, document_id: str | None = None, done: str | None = None,
        **kwargs: Any) -> Any:
    """Run a review action; a refusal becomes an error message. An int result is the document's new version
    (remembered as seen). Returns the result, or ``None`` when refused."""
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
