"""The review flow on SQLite and PostgreSQL: claims, decisions with the version check, four-eyes, sign-off, users.

Data: the real services agreement, a fixture extraction with one wrong field, real rules (tests/review_fixtures.py).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

import audit
from pipeline import review
from pipeline.review import AuthenticationFailed, InvalidUser, Role, UserExists, add_user, authenticate
from pipeline.store.tables import Document, SignOffRow, UserRow
from tests.review_fixtures import (  # noqa: F401 - cheap_argon2 is a fixture
    PASSWORD, cheap_argon2, items, make_users, reviewable_document, version,
)


@pytest.fixture
def doc(engine, tmp_path):
    return reviewable_document(engine, tmp_path)


@pytest.fixture
def users(engine, cheap_argon2):
    return make_users(engine)


def _decisions(engine, doc_id):
    return [e for e in audit.query(engine, document=doc_id, type_glob=audit.events.REVIEW_DECISION)]


def test_real_rules_flag_the_wrong_field(engine, doc):
    its = items(engine, doc)
    assert its["renewal_notice"].severity == "error"
    assert its["renewal_notice"].value["value"] == {"value": 90.0, "unit": "days"}
    assert "effective_date" not in its and "governing_law" not in its
    with Session(engine) as s:
        assert s.get(Document, doc).status == "needs_review"


def test_passwords_are_argon2_hashed_and_checked(engine):
    """With the library's default (RFC 9106) parameters, not the cheap test profile."""
    add_user(engine, "alice", PASSWORD, Role.REVIEWER)
    with Session(engine) as s:
        stored = s.get(UserRow, "alice").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(engine, "alice", PASSWORD).role is Role.REVIEWER
    with pytest.raises(AuthenticationFailed):
        authenticate(engine, "alice", PASSWORD + "x")
    with pytest.raises(AuthenticationFailed):
        authenticate(engine, "mallory", PASSWORD)
    with pytest.raises(UserExists):
        add_user(engine, "alice", PASSWORD, Role.ADMIN)
    with pytest.raises(InvalidUser):
        add_user(engine, "eve", PASSWORD, "superuser")
    added = audit.query(engine, type_glob="user.added")
    assert [(e.actor, e.payload) for e in added] == [("system", {"user": "alice", "role": "reviewer"})]
    assert PASSWORD not in added[0].canonical


def test_claim_is_exclusive_and_audited(engine, doc, users):
    review.claim(engine, doc, users["alice"])
    with pytest.raises(review.ClaimedByOther, match="claimed by alice"):
        review.claim(engine, doc, users["bob"])
    with Session(engine) as s:
        d = s.get(Document, doc)
        assert (d.status, d.assignee) == ("in_review", "alice")
    evs = audit.query(engine, document=doc, type_glob="review.*")
    assert [(e.type, e.actor, e.payload["outcome"]) for e in evs] == [
        ("review.claimed", "alice", "saved"), ("review.refused", "bob", "refused")]


def test_f34_two_reviewers_one_document_loser_gets_conflict_and_both_are_audited(engine, doc, users):
    """../shared/failcases/F34: both open at version 1; A approves; B's reject is refused, not last-write-wins."""
    review.claim(engine, doc, users["alice"])
    item = items(engine, doc)["renewal_notice"]
    seen_by_a = seen_by_b = version(engine, doc)
    assert seen_by_a == 1
    review.decide(engine, item.id, users["alice"], "accept", expected_version=seen_by_a)
    with pytest.raises(review.Conflict) as exc:
        review.decide(engine, item.id, users["bob"], "reject", expected_version=seen_by_b)
    name = items(engine, doc) and Session(engine).get(Document, doc).file_name
    assert str(exc.value) == f"{name} changed since you opened it (version 1 -> 2); reload before deciding"
    final = items(engine, doc)["renewal_notice"]
    assert (final.status, final.decided_by) == ("accepted", "alice")
    rows = _decisions(engine, doc)
    assert len(rows) == 2
    assert [(e.actor, e.payload["decision"], e.payload["outcome"]) for e in rows] == [
        ("alice", "accept", "saved"), ("bob", "reject", "conflict")]


def test_decision_needs_the_claim_even_with_a_fresh_version(engine, doc, users):
    review.claim(engine, doc, users["alice"])
    item = items(engine, doc)["renewal_notice"]
    with pytest.raises(review.ClaimedByOther):
        review.decide(engine, item.id, users["bob"], "reject", expected_version=version(engine, doc))
    assert items(engine, doc)["renewal_notice"].status == "open"


def test_auditor_cannot_claim_or_decide(engine, doc, users):
    review.claim(engine, doc, users["alice"])
    item = items(engine, doc)["renewal_notice"]
    with pytest.raises(review.NotAllowed):
        review.claim(engine, doc, users["audra"])
    with pytest.raises(review.NotAllowed):
        review.decide(engine, item.id, users["audra"], "accept", expected_version=version(engine, doc))
    assert items(engine, doc)["renewal_notice"].status == "open"


def test_correction_keeps_the_model_value_and_records_new_value_evidence_and_comment(engine, doc, users):
    review.claim(engine, doc, users["alice"])
    item = items(engine, doc)["renewal_notice"]
    ev = {"quote": "at least sixty (60) days", "page": 3, "start": 5673, "end": 5701, "match": "exact"}
    v = review.decide(engine, item.id, users["alice"], "correct", expected_version=1,
                      value={"value": 60, "unit": "days"}, evidence=ev, comment="contract says sixty")
    got = items(engine, doc)["renewal_notice"]
    assert (got.status, got.corrected_value, got.corrected_evidence, got.comment, v) == (
        "corrected", {"value": 60, "unit": "days"}, ev, "contract says sixty", 2)
    assert got.value["value"] == {"value": 90.0, "unit": "days"}  # model output never overwritten
    with pytest.raises(review.InvalidDecision):
        review.decide(engine, item.id, users["alice"], "correct", expected_version=v, value="  ")


def test_sign_off_blocked_until_items_decided_and_errors_confirmed_by_a_second_reviewer(engine, doc, users):
    alice, bob = users["alice"], users["bob"]
    review.claim(engine, doc, alice)
    with pytest.raises(review.SignOffBlocked) as blocked:
        review.sign_off(engine, doc, alice, expected_version=1)
    assert any("renewal_notice (error) is still open" in r for r in blocked.value.reasons)
    its = items(engine, doc)
    v = 1
    v = review.decide(engine, its["renewal_notice"].id, alice, "correct", expected_version=v,
                      value={"value": 60, "unit": "days"})
    v = review.decide(engine, its["parties"].id, alice, "reject", expected_version=v)
    v = review.decide(engine, its["liability_cap"].id, alice, "accept", expected_version=v, comment="no cap")
    # the completeness warnings (K005 duties, K006 amounts the fixture extraction leaves out) are read and accepted
    for name in ("fees", "obligations"):
        v = review.decide(engine, its[name].id, alice, "accept", expected_version=v, comment="read")
    with pytest.raises(review.SignOffBlocked) as blocked:
        review.sign_off(engine, doc, alice, expected_version=v)
    assert blocked.value.reasons == ["parties (error) needs a second reviewer's confirmation",
                                     "renewal_notice (error) needs a second reviewer's confirmation"]
    with pytest.raises(review.FourEyes):
        review.confirm(engine, its["renewal_notice"].id, alice, expected_version=v)
    v = review.confirm(engine, its["renewal_notice"].id, bob, expected_version=v)
    v = review.confirm(engine, its["parties"].id, bob, expected_version=v)
    with pytest.raises(review.ClaimedByOther):  # the confirmer is not the assignee
        review.sign_off(engine, doc, bob, expected_version=v)
    record = review.sign_off(engine, doc, alice, expected_version=v)
    assert record["signed_off_by"] == "alice"
    assert record["final_values"]["renewal_notice"] == {"value": 60, "unit": "days"}
    assert record["final_values"]["parties"] is None
    assert record["final_values"]["governing_law"]["jurisdiction"] == "New York"
    with Session(engine) as s:
        assert s.get(Document, doc).status == "signed_off"
        assert s.get(SignOffRow, doc).signed_off_by == "alice"
    ev = audit.query(engine, document=doc, type_glob=audit.events.DOCUMENT_SIGNED_OFF)
    assert len(ev) == 1 and ev[0].actor == "alice"
    assert ev[0].payload["final_values"]["renewal_notice"] == {"value": 60, "unit": "days"}
    # frozen: nothing changes any more
    with pytest.raises(review.DocumentFrozen):
        review.decide(engine, its["liability_cap"].id, alice, "reject", expected_version=version(engine, doc))
    with pytest.raises(review.DocumentFrozen):
        review.release(engine, doc, alice)
    assert items(engine, doc)["liability_cap"].status == "accepted"
    assert audit.verify(engine).ok


def test_queue_counts_filters_and_sorts(engine, tmp_path, doc, users):
    rows = review.queue(engine)
    assert len(rows) == 1
    r = rows[0]
    # errors: renewal_notice, parties; warnings: liability_cap (playbook), obligations (K005), fees (K006)
    assert (r.status, r.open_errors, r.open_warnings, r.open_items, r.assignee) == ("needs_review", 2, 3, 5, None)
    assert "S004" in r.rules
    assert review.queue(engine, rules=["S004"])[0].document_id == doc
    assert review.queue(engine, rules=["NOPE"]) == []
    assert review.queue(engine, file_name="SERVICES")[0].document_id == doc
    assert review.queue(engine, file_name="nda") == []
    assert review.queue(engine, severities=["error"])[0].document_id == doc
    review.claim(engine, doc, users["alice"])
    assert review.queue(engine, assignee="alice")[0].status == "in_review"
    assert review.queue(engine, assignee="-") == []
    assert review.queue(engine, statuses=["signed_off"]) == []
    with pytest.raises(ValueError):
        review.queue(engine, sort="newest")


def test_release_and_admin_assign(engine, doc, users):
    review.claim(engine, doc, users["alice"])
    with pytest.raises(review.NotAllowed):
        review.assign(engine, doc, "bob", users["alice"])
    review.assign(engine, doc, "bob", users["root"])
    with Session(engine) as s:
        assert s.get(Document, doc).assignee == "bob"
    with pytest.raises(review.NotAllowed):
        review.assign(engine, doc, "audra", users["root"])
    review.release(engine, doc, users["bob"])
    with Session(engine) as s:
        d = s.get(Document, doc)
        assert (d.status, d.assignee) == ("needs_review", None)
