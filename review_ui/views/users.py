"""Users (admins only): list accounts, add one."""

from __future__ import annotations

import streamlit as st

from pipeline.review import Role, UserError, add_user, list_users
from review_ui import common

user = common.require_user()
if not user.role.can_admin:
    common.alert("error", "Admins only.")
    st.stop()
eng = common.engine()
st.title("Users")
st.dataframe([{"name": u.name, "role": u.role.value, "active": u.active} for u in list_users(eng)],
             hide_index=True)
with st.form("add_user", clear_on_submit=True):
    name = st.text_input("Name", key="u_name")
    role = st.selectbox("Role", [r.value for r in Role], key="u_role")
    password = st.text_input("Password (8+ characters)", type="password", key="u_password")
    if st.form_submit_button("Add user", key="u_add"):
        try:
            add_user(eng, name.strip(), password, role, by=user.name)
        except UserError as exc:
            common.alert("error", str(exc))
        else:
            common.alert("success", f"added {name.strip()} ({role})")
