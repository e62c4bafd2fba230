"""Reviewer accounts: names, argon2id password hashes (argon2-cffi, RFC 9106 defaults) and roles.

Roles:
- ``reviewer``: claims documents, decides flagged fields, confirms another reviewer's error decisions, signs off;
- ``admin``: everything a reviewer does, plus assigning documents and managing accounts;
- ``auditor``: read-only; sees the queue, documents and the audit trail.

Passwords are never stored, logged or audited; only the argon2 hash (PHC string) is stored.
Adding an account writes a ``user.added`` audit event (name and role), changing one a ``user.changed`` event
(:mod:`audit.events`); ``by`` names the actor (default ``system``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

import audit
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


def authenticate(engine: Engine, name: str, password: str) -> User:
    """The account if ``password`` matches its argon2 hash; rehashes transparently when parameters changed.

    Raises:
        AuthenticationFailed: unknown name, wrong password or deactivated account (same message).
    """
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
        raise AuthenticationFailed("wrong user name or password")
    try:
        _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthenticationFailed("wrong user name or password") from None
    if not active:
        raise AuthenticationFailed("wrong user name or password")
    if _hasher.check_needs_rehash(digest):
        with transaction(engine, immediate=True) as s:
            s.get(UserRow, name).password_hash = _hasher.hash(password)
    return User(name, Role(role))


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
