"""Document: the page image with evidence highlighted (left), the fields with decisions (right), sign-off.

Every decision is written to the database by the widget's callback the moment it is made; the widgets are
then rebuilt from the database (their keys carry the item's version), so a rerun or a page switch loses nothing.

Page images are drawn from the original bytes in the store (never from the file's path) and only after the
fields and the sign-off are on the page; a page that cannot be drawn shows why, in its place, and nothing else
changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from pipeline import review
from pipeline.extraction import locate_quote, rects_for
from pipeline.reading import DEFAULT_ZOOM, Highlight, cache_dir_for, draw_highlights, page_png
from pipeline.review import Role
from pipeline.store import Document, get_bytes, source_document
from review_ui import common
from schemas import Evidence, MatchStatus

ZOOM = DEFAULT_ZOOM
ALL_PAGES_MAX = 30

user = common.require_user()
eng = common.engine()
st.title("Document")
doc_id = st.session_state.get("doc_id")
if not doc_id:
    common.alert("info", "Open a document from the queue.")
    st.stop()
try:
    view = review.load_document(eng, doc_id)
except review.DocumentMissing as exc:
    common.alert("error", str(exc))
    st.stop()

seen = common.seen_versions().setdefault(doc_id, view.version)
frozen = view.status == "signed_off"
is_assignee = view.assignee == user.name
can_decide = user.role.can_decide and is_assignee and not frozen
pages_state: dict[str, int] = st.session_state.setdefault("page_no", {})
nonce: dict[int, int] = st.session_state.setdefault("widget_nonce", {})


# ------------------------------------------------------------------------------------------- callbacks
def _seen() -> int:
    return common.seen_versions()[doc_id]


def _parse_value(text: str) -> Any:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _evidence_for(quote: str) -> Evidence | None:
    with Session(eng) as s:
        src = source_document(s, s.get(Document, doc_id))
    m = locate_quote(quote, src)
    if m.start is None or m.match == MatchStatus.NOT_FOUND:
        return None
    page = next((p.number for p in src.pages if p.start <= m.start < p.end), None)
    return Evidence(quote=src.text[m.start:m.end], page=page, start=m.start, end=m.end,
                    rects=rects_for(src, m.start, m.end), match=m.match)


def _on_decision(item_id: int, key: str, val_key: str, ev_key: str, path: str) -> None:
    choice = st.session_state.get(key)
    if choice is None:
        return
    value = evidence = None
    if choice == "correct":
        value = _parse_value(st.session_state.get(val_key, ""))
        quote = (st.session_state.get(ev_key) or "").strip()
        if quote:
            evidence = _evidence_for(quote)
            if evidence is None:
                common.flash("error", f"{path}: the new evidence is not in the document text; copy it from the page")
                nonce[item_id] = nonce.get(item_id, 0) + 1
                return
    done = common.act(review.decide, eng, item_id, user, choice, expected_version=_seen(), value=value,
                      evidence=evidence, document_id=doc_id, done=f"{path}: {choice} saved")
    if done is None:
        nonce[item_id] = nonce.get(item_id, 0) + 1  # rebuild the widget from the database


def _on_comment(item_id: int, key: str, path: str) -> None:
    if common.act(review.comment, eng, item_id, user, st.session_state.get(key) or "", expected_version=_seen(),
                  document_id=doc_id, done=f"{path}: comment saved") is None:
        nonce[item_id] = nonce.get(item_id, 0) + 1


def _on_confirm(item_id: int, path: str) -> None:
    common.act(review.confirm, eng, item_id, user, expected_version=_seen(), document_id=doc_id,
               done=f"{path}: decision confirmed")


def _on_sign_off() -> None:
    if common.act(review.sign_off, eng, doc_id, user, expected_version=_seen(), done="signed off") is not None:
        _reload()


def _on_claim() -> None:
    common.act(review.claim, eng, doc_id, user, done="claimed")


def _on_release() -> None:
    common.act(review.release, eng, doc_id, user, done="released to the queue")


def _reload() -> None:
    common.seen_versions()[doc_id] = review.load_document(eng, doc_id).version


def _go(page: int) -> None:
    pages_state[doc_id] = page


# ------------------------------------------------------------------------------------------- header
st.text(view.file_name)
st.text(f"status {view.status} · version {view.version} · assignee {view.assignee or '-'} · "
        f"{view.page_count} page(s) · id {view.id[:12]}")
common.show_flash()
if seen != view.version:
    common.alert("warning", f"This document changed since you opened it (version {seen} -> {view.version}); "
                            "reload before deciding.")
    st.button("Reload", key="doc_reload", on_click=_reload)
if user.role.can_decide and not frozen:
    if view.assignee is None:
        st.button("Claim", key="doc_claim", on_click=_on_claim)
    elif is_assignee:
        st.button("Release to the queue", key="doc_release", on_click=_on_release)
    else:
        common.alert("info", f"Claimed by {view.assignee}: read-only for you.")
if user.role is Role.AUDITOR:
    common.alert("info", "Read-only: auditors see decisions but cannot make them.")

left, right = st.columns([3, 2])


# ------------------------------------------------------------------------------------------- fields
def _field(fv: review.FieldView) -> None:
    box = st.container(border=True)
    box.text(f"{fv.path}  [{fv.severity}]")
    box.text(f"Value: {fv.display}")
    if fv.evidence is not None and fv.evidence.quote:
        box.text(f"Quote (page {fv.evidence.page}, {fv.evidence.match.value if fv.evidence.match else '-'}):")
        box.code(fv.evidence.quote, language=None, wrap_lines=True)
        if fv.evidence.page:
            box.button(f"Show evidence on page {fv.evidence.page}", key=f"jump_{fv.path}", on_click=_go,
                       args=(fv.evidence.page,))
    for f in fv.findings:
        box.text(f"{f.rule_id} {f.severity}: {f.message}")
    it = fv.item
    if it is None:
        return
    state = f"Review: {it.status}"
    if it.decided_by:
        state += f" by {it.decided_by}"
    if it.confirmed_by:
        state += f", confirmed by {it.confirmed_by}"
    elif it.needs_confirmation:
        state += " (needs a second reviewer's confirmation)"
    box.text(state)
    if it.status == "corrected":
        box.text("Corrected value: " + json.dumps(it.corrected_value, ensure_ascii=False))
    if it.comment:
        box.text("Comment: " + it.comment)
    if can_decide:
        suffix = f"{it.id}_{it.version}_{nonce.get(it.id, 0)}"
        key, val_key, ev_key, com_key = (f"{p}_{suffix}" for p in ("dec", "val", "evq", "com"))
        box.text_input("Corrected value (for correct; JSON or text)", key=val_key,
                       value="" if it.corrected_value is None else json.dumps(it.corrected_value, ensure_ascii=False))
        box.text_input("New evidence: a quote copied from the page text (optional)", key=ev_key,
                       value=(it.corrected_evidence or {}).get("quote") or "")
        options = list(review.DECISIONS)
        box.radio(f"Decision on {fv.path}", options, index=options.index(it.decision) if it.decision else None,
                  key=key, horizontal=True, on_change=_on_decision, args=(it.id, key, val_key, ev_key, fv.path))
        box.text_area(f"Comment on {fv.path}", key=com_key, value=it.comment or "", height=68,
                      on_change=_on_comment, args=(it.id, com_key, fv.path))
    if (it.needs_confirmation and user.role.can_decide and it.decided_by != user.name and not frozen):
        box.button(f"Confirm decision on {fv.path} (second reviewer)", key=f"confirm_{it.id}_{it.version}",
                   on_click=_on_confirm, args=(it.id, fv.path))


with right:
    if view.run_id is None:
        st.text("No extraction yet.")
    flagged = [f for f in view.fields if f.item is not None]
    others = [f for f in view.fields if f.item is None]
    st.subheader(f"Flagged fields ({len(flagged)})")
    for fv in flagged:
        _field(fv)
    st.subheader(f"Other fields ({len(others)})")
    for fv in others:
        _field(fv)
    for f in view.document_findings:
        st.text(f"{f.rule_id} {f.severity} ({f.field_path}): {f.message}")

    st.subheader("Sign-off")
    if view.sign_off:
        common.alert("success",
                     f"Signed off by {view.sign_off['signed_off_by']} at {view.sign_off['signed_off_at']}; frozen.")
        st.json(view.sign_off["final_values"], expanded=False)
    else:
        for b in view.blockers:
            st.text("Blocked: " + b)
        if user.role.can_decide and is_assignee:
            st.button("Sign off", key="sign_off", on_click=_on_sign_off, type="primary")


# ------------------------------------------------------------------------------------------- page image
@st.cache_data(max_entries=4, show_spinner=False)
def _original(sha256: str) -> bytes:
    """The document's original bytes from the store (content-addressed, so safe to share between sessions)."""
    with Session(eng) as s:
        return get_bytes(s, sha256)


@st.cache_data(max_entries=64, show_spinner=False)
def _image(sha256: str, page: int, highlights: tuple[Highlight, ...], cache_dir: str) -> bytes:
    png = page_png(lambda: _original(sha256), sha256, page, cache_dir=Path(cache_dir), zoom=ZOOM)
    return draw_highlights(png, highlights, zoom=ZOOM)


def _highlights(page: int) -> tuple[Highlight, ...]:
    out = []
    for f in view.fields:
        sev = f.severity
        if f.evidence is not None:
            out += [Highlight(r.x0, r.y0, r.x1, r.y1, sev) for r in f.evidence.rects if r.page == page]
        if f.item is not None and f.item.corrected_evidence:
            out += [Highlight(r["x0"], r["y0"], r["x1"], r["y1"], "ok")
                    for r in f.item.corrected_evidence.get("rects", []) if r.get("page") == page]
    return tuple(out)


def _show_page(page: int) -> None:
    if view.media_type != "application/pdf":
        st.text("(text document: no page image)")
        return
    if view.blob_sha256 is None:
        common.alert("error", "Cannot draw this page: the store has no original bytes of this document (stored "
                              "before they were kept); ingest the file again to add them.")
        return
    try:
        data = _image(view.blob_sha256, page, _highlights(page), str(cache_dir_for(common.settings().data_dir)))
        st.image(data, width="stretch")
    except Exception as exc:  # noqa: BLE001 - any failure to draw one page must leave the rest of the page usable
        common.alert("error", f"Cannot draw this page: {exc or exc.__class__.__name__}")


with left:
    n = max(view.page_count, 1)
    page = min(max(pages_state.get(doc_id, 1), 1), n)
    nav = st.columns([1, 2, 1])
    nav[0].button("◀ Previous", key="page_prev", on_click=_go, args=(page - 1,), disabled=page <= 1)
    nav[1].text(f"Page {page} of {n}")
    nav[2].button("Next ▶", key="page_next", on_click=_go, args=(page + 1,), disabled=page >= n)
    st.text("highlights: red = error, orange = warning, green = no finding")
    if st.toggle("Show all pages", key=f"all_pages_{doc_id}"):
        for p in range(1, min(n, ALL_PAGES_MAX) + 1):
            st.text(f"Page {p}")
            _show_page(p)
        if n > ALL_PAGES_MAX:
            st.text(f"(first {ALL_PAGES_MAX} of {n} pages; use the page buttons for the rest)")
    else:
        _show_page(page)
