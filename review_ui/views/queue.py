"""Queue: documents needing review, open items by severity, filters, sorting, claim, open, assign (admins)."""

from __future__ import annotations

import streamlit as st

from pipeline import review
from review_ui import common

user = common.require_user()
eng = common.engine()
st.title("Review queue")
common.show_flash()

reviewers = [u.name for u in review.list_users(eng) if u.role.can_decide and u.active]
c1, c2, c3 = st.columns(3)
statuses = c1.multiselect("Status", review.QUEUE_STATUSES, default=list(review.DEFAULT_QUEUE_STATUSES),
                          key="q_status")
severities = c2.multiselect("Open items of severity", ["error", "warning"], key="q_severity")
rules = c3.multiselect("Rule", review.rule_ids(eng), key="q_rule")
c4, c5, c6 = st.columns(3)
assignee = c4.selectbox("Assignee", ["anyone", "unassigned", *reviewers], key="q_assignee")
file_name = c5.text_input("File name contains", key="q_file")
sort = c6.radio("Sort", ["oldest first", "by severity"], horizontal=True, key="q_sort")

rows = review.queue(eng, statuses=statuses or None, severities=severities, rules=rules,
                    assignee={"anyone": None, "unassigned": "-"}.get(assignee, assignee), file_name=file_name or None,
                    sort="severity" if sort == "by severity" else "oldest")
st.text(f"{len(rows)} document(s)")
if not rows:
    st.stop()
st.dataframe(
    [{"file": r.file_name, "status": r.status, "errors": r.open_errors, "warnings": r.open_warnings,
      "open items": r.open_items, "assignee": r.assignee or "", "age (days)": r.age_days,
      "rules": ", ".join(r.rules), "id": r.document_id[:12], "version": r.version} for r in rows],
    hide_index=True, width="stretch",
)

by_id = {r.document_id: r for r in rows}
choice = st.selectbox("Document", list(by_id), format_func=lambda d: f"{by_id[d].file_name} ({d[:8]})",
                      key="q_doc")
row = by_id[choice]
b1, b2, b3 = st.columns(3)
if user.role.can_decide and row.status in ("needs_review", "in_review"):
    if b1.button("Claim and open", key="q_claim"):
        if common.act(review.claim, eng, choice, user) is not None:
            common.open_document(choice, row.version)
            st.switch_page(common.DOCUMENT_PAGE)
        st.rerun()
if b2.button("Open", key="q_open"):
    common.open_document(choice, row.version)
    st.switch_page(common.DOCUMENT_PAGE)
if user.role.can_admin and row.status in ("needs_review", "in_review") and reviewers:
    with b3:
        who = st.selectbox("Assign to", reviewers, key="q_assign_to")
        if st.button("Assign", key="q_assign"):
            common.act(review.assign, eng, choice, who, user, done=f"assigned to {who}")
            st.rerun()
