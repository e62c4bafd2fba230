"""Sign-in: name and password checked against the argon2 hash in the database; every attempt audited, repeated
failures on a name throttled (:func:`pipeline.review.authenticate`)."""

from __future__ import annotations

import streamlit as st

from pipeline.review import AuthenticationFailed, authenticate
from review_ui import common

st.title("Clausewise review")
st.subheader("Sign in")
common.show_flash()
with st.form("signin"):
    name = st.text_input("User name", key="signin_name")
    password = st.text_input("Password", type="password", key="signin_password")
    submitted = st.form_submit_button("Sign in", key="signin_submit")
if submitted:
    cfg = common.settings()
    try:
        user = authenticate(common.engine(), name.strip(), password, max_failures=cfg.signin_max_failures,
                            throttle_minutes=cfg.signin_throttle_minutes, client=st.context.ip_address)
    except AuthenticationFailed as exc:
        common.alert("error", str(exc))
    else:
        common.sign_in(user)
        st.rerun()
