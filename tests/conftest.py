"""Shared fixtures.

- ``engine``: a migrated, empty database, once on SQLite and once on PostgreSQL.
  PostgreSQL (127.0.0.1:5432, trust auth; override with CLAUSEWISE_TEST_PG_URL) gets a fresh database
  per test, cloned from a migrated template made once per run; all are dropped at the end.
- ``empty_url``: the URL of an empty database no process has migrated yet (SQLite, then PostgreSQL);
  :func:`empty_pg_database` makes one on PostgreSQL for a test's own use.
- ``shared_dir``: ``<repo>/../shared`` (read in place, never copied).
Under ``CI=true`` a missing PostgreSQL server or ../shared fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from pipeline.store.engine import make_engine, upgrade
from tests.scratch_databases import admin_engine, scratch_database

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = os.environ.get("CLAUSEWISE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip the test with ``reason``, or fail it under CI=true (no green by skipping)."""
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def require_shared(*parts: str) -> Path:
    """Path under ../shared, or skip (fail under CI) if it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        unavailable(f"{p} is absent (../shared holds the real corpus and failure cases)")
    return p


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()


def _pg_admin():
    return admin_engine(PG_ADMIN_URL)


@pytest.fixture(scope="session")
def pg_template():
    """Name of a migrated template database, made once per test run and dropped after."""
    try:
        admin = _pg_admin()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    with scratch_database(admin, "cw_tpl") as url:
        eng = make_engine(url)
        upgrade(eng)
        eng.dispose()
        yield admin, make_url(url).database
    admin.dispose()


@contextmanager
def migrated_pg_database(request, prefix: str = "cw_test") -> Iterator[str]:
    """A new migrated PostgreSQL database (a copy of the session's migrated template, ``pg_template``), dropped
    after: yields its URL. ``request``: the test's pytest request (the template is made on first use)."""
    admin, template = request.getfixturevalue("pg_template")
    with scratch_database(admin, prefix, template=template) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated, empty database engine (parametrized: SQLite file with WAL, PostgreSQL)."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'clausewise.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    with migrated_pg_database(request) as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


@pytest.fixture
def db_url(engine) -> str:
    """The URL of the ``engine`` fixture's database, password shown (for CLI tests)."""
    return engine.url.render_as_string(hide_password=False)


@contextmanager
def empty_pg_database(prefix: str = "cw_empty", *, owner: str | None = None) -> Iterator[str]:
    """A new empty PostgreSQL database (no migration run), dropped after: yields its URL (as the admin user of
    ``PG_ADMIN_URL``). ``owner``: a role to own it. Skips (fails under CI) when the server is not reachable."""
    try:
        admin = _pg_admin()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    try:
        with scratch_database(admin, prefix, owner=owner) as url:
            yield url
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty database no process has migrated yet: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with empty_pg_database() as url:
        yield url
