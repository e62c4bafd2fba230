"""Clausewise review UI (Streamlit multipage app): ``clausewise review`` or ``streamlit run review_ui/app.py``.

Nothing but the sign-in page exists until a user signs in; then the pages their role allows now (the role is
read from the database on every run): queue, document, audit trail (everyone), users (admins).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script by Streamlit: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from review_ui import common

st.set_page_config(page_title="Clausewise review", layout="wide")

user = common.current_user()
if user is None:
    pages = [st.Page(common.SIGNIN_PAGE, title="Sign in", url_path="signin", default=True)]
else:
    pages = [
        st.Page(common.QUEUE_PAGE, title="Queue", url_path="queue", default=True),
        st.Page(common.DOCUMENT_PAGE, title="Document", url_path="document"),
        st.Page(common.AUDIT_PAGE, title="Audit trail", url_path="audit"),
    ]
    if user.role.can_admin:
        pages.append(st.Page(common.USERS_PAGE, title="Users", url_path="users"))
    with st.sidebar:
        st.text(f"Signed in as {user.name} ({user.role.value})")
        if st.button("Sign out", key="signout"):
            common.end_session(user.name, "signed_out")
            st.rerun()

st.navigation(pages).run()
