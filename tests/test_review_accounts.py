"""Accounts in the review workflow (issue #14, items 7 and 10), on SQLite and PostgreSQL: every action reads the
acting account's role and active flag from the database (a ``User`` the caller holds from an earlier sign-in
carries no rights); every sign-in attempt is audited; repeated failures on a name are throttled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import audit
from pipeline import review
from pipeline.review import AuthenticationFailed, Role, SignInThrottled, User, authenticate, set_active, set_role
from tests.review_fixtures import (  # noqa: F401 - cheap_argon2 is a fixture
    PASSWORD, cheap_argon2, items, make_users, reviewable_document, version,
)


@pytest.fixture
def doc(engine, tmp_path, cheap_argon2):
    make_users(engine)
    return reviewable_document(engine, tmp_path)


def _item(engine, doc, path="renewal_notice"):
    return items(engine, doc)[path]


def test_a_deactivated_reviewer_cannot_act_with_the_user_object_of_an_earlier_sign_in(engine, doc):
    alice = authenticate(engine, "alice", PASSWORD)
    review.claim(engine, doc, alice)
    set_active(engine, "alice", False, by="root")
    with pytest.raises(review.NotAllowed, match="alice may not decide: the account is deactivated"):
        review.decide(engine, _item(engine, doc).id, alice, "accept", expected_version=version(engine, doc))
    assert _item(engine, doc).status == "open"
    with pytest.raises(review.NotAllowed, match="deactivated"):
        review.release(engine, doc, alice)
    refused = audit.query(engine, document=doc, type_glob=audit.events.REVIEW_DECISION)
    assert [(e.actor, e.payload["outcome"], e.payload["error"]) for e in refused] == [
        ("alice", "refused", "NotAllowed")]


def test_a_demoted_user_acts_with_the_role_stored_now(engine, doc):
    alice, root = authenticate(engine, "alice", PASSWORD), authenticate(engine, "root", PASSWORD)
    review.claim(engine, doc, alice)
    set_role(engine, "alice", Role.AUDITOR, by="root")
    with pytest.raises(review.NotAllowed, match=r"alice \(auditor\) may not decide: read-only role"):
        review.decide(engine, _item(engine, doc).id, alice, "accept", expected_version=version(engine, doc))
    set_role(engine, "root", Role.REVIEWER, by="system")
    assert root.role is Role.ADMIN  # what the caller still holds
    with pytest.raises(review.NotAllowed, match="root .reviewer. may not assign documents: admins only"):
        review.assign(engine, doc, "bob", root)
    # promoted back: the same stale object works again, because the database says so
    set_role(engine, "alice", Role.REVIEWER, by="root")
    review.decide(engine, _item(engine, doc).id, alice, "accept", expected_version=version(engine, doc))
    assert _item(engine, doc).status == "accepted"


def test_an_account_that_does_not_exist_cannot_act(engine, doc):
    ghost = User("ghost", Role.ADMIN)
    with pytest.raises(review.NotAllowed, match="ghost may not claim documents: no such account"):
        review.claim(engine, doc, ghost)


def _sign_ins(engine, name):
    return [(e.payload["outcome"], e.payload.get("reason")) for e in
            audit.query(engine, type_glob=audit.events.USER_SIGN_IN, actor=name)]


def test_every_sign_in_attempt_is_audited_without_the_password(engine, cheap_argon2):
    make_users(engine)
    with pytest.raises(AuthenticationFailed):
        authenticate(engine, "alice", "not the password", client="203.0.113.7")
    authenticate(engine, "alice", PASSWORD, client="203.0.113.7")
    with pytest.raises(AuthenticationFailed):
        authenticate(engine, "mallory", PASSWORD)
    set_active(engine, "bob", False)
    with pytest.raises(AuthenticationFailed, match="^wrong user name or password$"):
        authenticate(engine, "bob", PASSWORD)
    assert _sign_ins(engine, "alice") == [("failed", "wrong_password"), ("succeeded", None)]
    assert _sign_ins(engine, "mallory") == [("failed", "unknown_user")]
    assert _sign_ins(engine, "bob") == [("failed", "deactivated")]
    events = audit.query(engine, type_glob=audit.events.USER_SIGN_IN)
    assert events[1].payload == {"user": "alice", "client": "203.0.113.7", "outcome": "succeeded",
                                 "role": "reviewer"}
    assert not any(PASSWORD in e.canonical or "not the password" in e.canonical for e in events)
    assert audit.verify(engine).ok


def test_repeated_failures_are_throttled_per_name_until_the_window_passes(engine, cheap_argon2):
    make_users(engine)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            authenticate(engine, "alice", "guess", max_failures=3, throttle_minutes=15)
    with pytest.raises(SignInThrottled, match="too many failed sign-ins as alice: try again after") as exc:
        authenticate(engine, "alice", PASSWORD, max_failures=3, throttle_minutes=15)  # the right password, unchecked
    now = datetime.now(UTC)
    assert now + timedelta(minutes=14) < exc.value.retry_at <= now + timedelta(minutes=15)
    assert _sign_ins(engine, "alice")[-1] == ("throttled", None)
    # other names are not affected; an unknown name is throttled like a known one
    assert authenticate(engine, "bob", PASSWORD, max_failures=3).name == "bob"
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            authenticate(engine, "nobody", "guess", max_failures=3)
    with pytest.raises(SignInThrottled):
        authenticate(engine, "nobody", "guess", max_failures=3)
    # once the failures are older than the window, the password is checked again
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert authenticate(engine, "alice", PASSWORD, max_failures=3, throttle_minutes=15, now=later).name == "alice"


def test_a_success_resets_the_count(engine, cheap_argon2):
    make_users(engine)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            authenticate(engine, "alice", "guess", max_failures=3)
    authenticate(engine, "alice", PASSWORD, max_failures=3)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            authenticate(engine, "alice", "guess", max_failures=3)
    assert authenticate(engine, "alice", PASSWORD, max_failures=3).name == "alice"
