"""Audit trail: a document's whole history with the chain status; for auditors and admins the query form."""

from __future__ import annotations

import json

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from pipeline.store import Document
from review_ui import common

user = common.require_user()
eng = common.engine()
st.title("Audit trail")

r = audit.verify(eng)
if r.ok:
    common.alert("success", f"Chain OK: {r.count} events verified, head {r.head_hash[:16]}")
else:
    common.alert("error",
                 f"Chain BROKEN at event {r.first_bad_id}: {r.problem}; {r.count} events verified before it")


def _table(events) -> None:
    st.dataframe([{"id": e.id, "time (UTC)": e.ts, "actor": e.actor, "type": e.type,
                   "document": (e.document_id or "")[:12], "payload": json.dumps(e.payload, ensure_ascii=False)}
                  for e in events], hide_index=True, width="stretch")


with Session(eng) as s:
    docs = {d.id: d.file_name for d in s.scalars(select(Document).order_by(Document.file_name))}
if docs:
    current = st.session_state.get("doc_id")
    ids = list(docs)
    doc = st.selectbox("Document", ids, index=ids.index(current) if current in docs else 0,
                       format_func=lambda d: f"{docs[d]} ({d[:8]})", key="audit_doc")
    events = audit.query(eng, document=doc)
    st.text(f"{len(events)} event(s) for this document")
    _table(events)

if user.role.value in ("auditor", "admin"):
    st.subheader("Query")
    with st.form("audit_query"):
        c1, c2, c3 = st.columns(3)
        q_doc = c1.text_input("Document id", key="aq_doc")
        q_type = c2.text_input("Type or glob (e.g. review.*)", key="aq_type")
        q_actor = c3.text_input("Actor", key="aq_actor")
        c4, c5, c6 = st.columns(3)
        q_since = c4.text_input("Since (ISO 8601, UTC)", key="aq_since")
        q_until = c5.text_input("Until (ISO 8601, UTC)", key="aq_until")
        q_limit = c6.number_input("Newest N (0 = all)", min_value=0, value=0, step=1, key="aq_limit")
        go = st.form_submit_button("Query", key="aq_go")
    if go:
        try:
            found = audit.query(eng, document=q_doc.strip() or None, type_glob=q_type.strip() or None,
                                actor=q_actor.strip() or None, since=q_since.strip() or None,
                                until=q_until.strip() or None, limit=int(q_limit) or None)
        except ValueError as exc:
            common.alert("error", str(exc))
        else:
            st.text(f"{len(found)} matching event(s)")
            _table(found)
