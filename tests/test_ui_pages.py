"""Page images of the document view driven by Streamlit's AppTest (issue #14, items 8 and 9): a page the
renderer cannot draw leaves the fields, decisions and sign-off usable; pages are drawn from the original bytes
in the store, so a file replaced, moved or deleted on disk changes nothing."""

from __future__ import annotations

import hashlib
import shutil

import pymupdf
import streamlit as st

from pipeline.reading import render
from tests.review_fixtures import SAMPLE, cheap_argon2, items, reviewable_document  # noqa: F401 - a fixture
from tests.test_ui_app import claim_and_open, env, errors, radio, session, texts, title  # noqa: F401 - env

OTHER = SAMPLE.parent / "mutual_nda.pdf"


def test_a_page_too_large_to_draw_leaves_fields_decisions_and_sign_off_usable(env, tmp_path):
    pdf = pymupdf.open(SAMPLE)
    pdf[0].set_mediabox(pymupdf.Rect(0, 0, 14_400, 14_400))  # the largest page PDF allows, the same text
    big = tmp_path / "poster_page.pdf"
    pdf.save(big)
    doc = reviewable_document(env, tmp_path, pdf=big)
    a = session("alice")
    claim_and_open(a)
    assert "Page 1 of 5" in texts(a) and not a.image
    assert ("Cannot draw this page: page 1 is 14,400 × 14,400 pt: 21,600 × 21,600 px at zoom 1.5, over the "
            "limit of 40,000,000 pixels") in errors(a)
    for path in ("renewal_notice", "parties", "liability_cap", "fees", "obligations"):
        radio(a, path).set_value("accept").run()
    assert {i.status for i in items(env, doc).values()} == {"accepted"}
    assert a.button(key="sign_off").value is False  # the sign-off is there to press
    a.button(key="sign_off").click().run()
    assert any("needs a second reviewer's confirmation" in e for e in errors(a))  # the workflow, not a crash
    a.button(key="page_next").click().run()
    assert "Page 2 of 5" in texts(a) and len(a.image) == 1


def test_pages_are_drawn_from_the_stored_bytes_whatever_sits_at_the_path(env, tmp_path):
    contract = tmp_path / "inbox" / "services_agreement.pdf"
    contract.parent.mkdir()
    shutil.copy(SAMPLE, contract)
    doc = reviewable_document(env, tmp_path, pdf=contract)
    sha = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    expected = render.page_png(SAMPLE.read_bytes(), sha, 1, cache_dir=tmp_path / "expected")
    cached = render.cached_page_path(tmp_path / "data" / "cache" / "pages", sha, 1)

    shutil.copy(OTHER, contract)  # another contract now sits at the stored path
    a = session("alice")
    a.button(key="q_open").click().run()
    assert title(a) == "Document" and len(a.image) == 1 and not errors(a)
    assert cached.read_bytes() == expected  # page 1 of the services agreement, not of the NDA

    contract.unlink()  # moved or deleted, and nothing cached: the store alone draws the page
    shutil.rmtree(tmp_path / "data" / "cache")
    st.cache_data.clear()
    b = session("bob")
    b.button(key="q_open").click().run()
    assert title(b) == "Document" and len(b.image) == 1 and not errors(b)
    assert cached.read_bytes() == expected
    assert doc == sha
