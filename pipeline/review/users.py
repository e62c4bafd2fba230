"""Reviewer accounts: names, argon2id password hashes (argon2-cffi, RFC 9106 defaults) and roles.

Roles:
- ``reviewer``: claims documents, decides flagged fields, confirms another reviewer's error decisions, signs off;
- ``admin``: everything a reviewer does, plus assigning documents and managing accounts;
- ``auditor``: read-only; sees the queue, documents and the audit trail.

Passwords are never stored, logged or audited; only the argon2 hash (PHC string) is stored.
Adding an account writes a ``user.added`` audit event (name and role), changing one a ``user.changed`` event
(:mod:`audit.events`); ``by`` names the actor (default ``system``).

Every sign-in attempt, failed or successful, is a ``user.sign_in`` event whose actor is the name typed.
Repeated failures are throttled per name (NIST SP 800-63B §5.2.2, rate limiting; OWASP Authentication Cheat
Sheet, account lockout): once ``max_failures`` attempts failed within the last ``throttle_minutes`` minutes
with no success in between, further attempts on that name are refused unchecked until the oldest of them
leaves the window. The count is read from the audit log itself, so it holds for every server process on the
database; unknown names are throttled like known ones, so that the refusal tells nothing about which exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import audit
from pipeline.settings import Settings
from pipeline.store import transaction
from pipeline.store import UserRow
from schemas import ClausewiseError

MIN_PASSWORD_CHARS = 8

_hasher = PasswordHasher()


class Role(StrEnum):
    """What an account may do (see the module docstring)."""

    REVIEWER = "reviewer"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def can_decide(self) -> bool:
        """Claims, decides, confirms and signs off: reviewers and admins."""
        return self in (Role.REVIEWER, Role.ADMIN)

    @property
    def can_admin(self) -> bool:
        """Assigns documents and manages accounts: admins."""
        return self is Role.ADMIN


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) account: ``name`` and ``role``."""

    name: str
    role: Role
    active: bool = True


class UserError(ClausewiseError):
    """Base error of account management."""


class UserExists(UserError):
    """An account with that name exists already."""


class UnknownUser(UserError):
    """No account with that name."""


class InvalidUser(UserError):
    """Bad name, role or password (the message says which)."""


class AuthenticationFailed(UserError):
    """Wrong name or password, or the account is deactivated (one message for all, on purpose)."""


class SignInThrottled(AuthenticationFailed):
    """Too many failed sign-ins on this name lately; ``retry_at``: when the next attempt is checked (UTC)."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


def _check(name: str, role: str | None = None, password: str | None = None) -> None:
    if not name or len(name) > 128 or name != name.strip() or any(c.isspace() for c in name):
        raise InvalidUser(f"invalid user name {name!r}: 1-128 characters, no spaces")
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidUser(f"invalid role {role!r}: use one of {', '.join(r.value for r in Role)}")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise InvalidUser(f"password too short: at least {MIN_PASSWORD_CHARS} characters")


def add_user(engine: Engine, name: str, password: str, role: Role | str, *, by: str = "system") -> User:
    """Create an account; the password is hashed with argon2id. Audited as ``user.added`` (no password).

    Raises:
        InvalidUser: bad name, role or a password under 8 characters.
        UserExists: the name is taken.
    """
    _check(name, str(role), password)
    digest = _hasher.hash(password)
    with transaction(engine, immediate=True) as s:
        if s.get(UserRow, name) is not None:
            raise UserExists(f"user {name!r} exists already")
        s.add(UserRow(name=name, password_hash=digest, role=str(role), active=True))
        s.flush()
        audit.append(s, type=audit.events.USER_ADDED, actor=by, payload={"user": name, "role": str(role)})
    return User(name, Role(role))


def set_password(engine: Engine, name: str, password: str, *, by: str = "system") -> None:
    """Replace an account's password. Raises :class:`UnknownUser`, :class:`InvalidUser`."""
    _check(name, password=password)
    digest = _hasher.hash(password)
    with transaction(engine, immediate=True) as s:
        row = s.get(UserRow, name)
        if row is None:
            raise UnknownUser(f"no user {name!r}")
        row.password_hash = digest
        audit.append(s, type=audit.events.USER_CHANGED, actor=by, payload={"user": name, "change": "password"})


def set_role(engine: Engine, name: str, role: Role | str, *, by: str = "system") -> None:
    """Change an account's role. Raises :class:`UnknownUser`, :class:`InvalidUser`."""
    _check(name, str(role))
    with transaction(engine, immediate=True) as s:
        row = s.get(UserRow, name)
        if row is None:
            raise UnknownUser(f"no user {name!r}")
        old, row.role = row.role, str(role)
        audit.append(s, type=audit.events.USER_CHANGED, actor=by,
                     payload={"user": name, "change": "role", "from": old, "to": str(role)})


def set_active(engine: Engine, name: str, active: bool, *, by: str = "system") -> None:
    """Activate or deactivate an account (a deactivated one cannot sign in). Raises :class:`UnknownUser`."""
    with transaction(engine, immediate=True) as s:
        row = s.get(UserRow, name)
        if row is None:
            raise UnknownUser(f"no user {name!r}")
        row.active = active
        audit.append(s, type=audit.events.USER_CHANGED, actor=by,
                     payload={"user": name, "change": "active", "to": active})


def authenticate(engine: Engine, name: str, password: str, *, max_failures: int | None = None,
                 throttle_minutes: float | None = None, client: str | None = None,
                 now: datetime | None = None) -> User:
    """The account if ``password`` matches its argon2 hash; rehashes transparently when parameters changed.

    Every attempt is audited as ``user.sign_in`` (actor: the name typed, at most 128 characters) with
    ``outcome`` ``succeeded``, ``failed`` (``reason``: ``unknown_user`` | ``wrong_password`` | ``deactivated``)
    or ``throttled``, and ``client`` (the caller's address when given). ``max_failures`` and
    ``throttle_minutes``: the throttle (see the module docstring); default the settings
    ``signin_max_failures`` and ``signin_throttle_minutes``. ``now``: the time of the attempt (UTC; default now).

    Raises:
        SignInThrottled: ``max_failures`` failures on this name within ``throttle_minutes``; the password
            was not checked.
        AuthenticationFailed: unknown name, wrong password or deactivated account (same message).
    """
    fields = Settings.model_fields
    max_failures = fields["signin_max_failures"].default if max_failures is None else max_failures
    window = timedelta(minutes=fields["signin_throttle_minutes"].default if throttle_minutes is None
                       else throttle_minutes)
    now = now or datetime.now(UTC)
    actor = name[:128] if name.strip() else "(no name)"
    base = {"user": actor, "client": client}

    def audited(outcome: str, **extra: object) -> None:
        audit.append(engine, type=audit.events.USER_SIGN_IN, actor=actor,
                     payload={**base, "outcome": outcome, **extra})

    failures = _recent_failures(engine, actor, now - window)
    if max_failures > 0 and len(failures) >= max_failures:
        retry_at = failures[-max_failures] + window
        audited("throttled", failures=len(failures), retry_at=retry_at.isoformat())
        raise SignInThrottled(f"too many failed sign-ins as {actor}: try again after "
                              f"{retry_at:%Y-%m-%d %H:%M:%S} UTC", retry_at)
    with Session(engine) as s:
        row = s.get(UserRow, name)
        digest = row.password_hash if row else None
        active = row.active if row else False
        role = row.role if row else None
    if digest is None:
        # spend the same time as a real check, so that timing does not tell which names exist
        try:
            _hasher.verify(_DUMMY_HASH, password or " ")
        except VerificationError:
            pass
        audited("failed", reason="unknown_user")
        raise AuthenticationFailed("wrong user name or password")
    try:
        _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        audited("failed", reason="wrong_password")
        raise AuthenticationFailed("wrong user name or password") from None
    if not active:
        audited("failed", reason="deactivated")
        raise AuthenticationFailed("wrong user name or password")
    if _hasher.check_needs_rehash(digest):
        with transaction(engine, immediate=True) as s:
            s.get(UserRow, name).password_hash = _hasher.hash(password)
    audited("succeeded", role=role)
    return User(name, Role(role))


def _recent_failures(engine: Engine, actor: str, since: datetime) -> list[datetime]:
    """Times (UTC, oldest first) of the failed sign-ins as ``actor`` since ``since`` after its last success."""
    out: list[datetime] = []
    for e in audit.query(engine, type_glob=audit.events.USER_SIGN_IN, actor=actor, since=since):
        outcome = e.payload.get("outcome")
        if outcome == "succeeded":
            out = []
        elif outcome == "failed":
            out.append(datetime.fromisoformat(e.ts.replace("Z", "+00:00")))
    return out


def session_ended(engine: Engine, name: str, reason: str, *, idle_minutes: float | None = None) -> None:
    """Audit the end of ``name``'s review UI session as ``user.session_ended``: ``reason`` ``signed_out`` |
    ``idle`` (with ``idle_minutes``, the limit in force) | ``deactivated`` | ``removed``."""
    payload: dict[str, object] = {"reason": reason}
    if idle_minutes is not None:
        payload["idle_minutes"] = idle_minutes
    audit.append(engine, type=audit.events.USER_SESSION_ENDED, actor=name, payload=payload)


def get_user(engine: Engine, name: str) -> User:
    """The account named ``name``. Raises :class:`UnknownUser`."""
    with Session(engine) as s:
        row = s.get(UserRow, name)
        if row is None:
            raise UnknownUser(f"no user {name!r}")
        return User(row.name, Role(row.role), row.active)


def list_users(engine: Engine) -> list[User]:
    """All accounts, by name."""
    with Session(engine) as s:
        return [User(r.name, Role(r.role), r.active) for r in s.scalars(select(UserRow).order_by(UserRow.name))]


_DUMMY_HASH = _hasher.hash("clausewise-no-such-user")
