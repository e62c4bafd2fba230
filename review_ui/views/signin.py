"""Sign-in: name and password checked against the argon2 hash in the database."""

from __future__ import annotations

import streamlit as st

from pipeline.review import AuthenticationFailed, authenticate
from review_ui import common

st.title("Clausewise review")
st.subheader("Sign in")
with st.form("signin"):
    name = st.text_input("User name", key="signin_name")
    password = st.text_input("Password", type="password", key="signin_password")
    submitted = st.form_submit_button("Sign in", key="signin_submit")
if submitted:
    try:
        user = authenticate(common.engine(), name.strip(), password)
    except AuthenticationFailed as exc:
        st.error(str(exc))
    else:
        st.session_state["user"] = {"name": user.name, "role": user.role.value}
        st.rerun()
