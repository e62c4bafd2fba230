"""Database engine, sessions and migrations.

SQLite gets WAL journal mode, ``synchronous=NORMAL``, foreign keys on and a 30 s busy timeout,
set on every new connection. Source of the WAL + busy_timeout choice: a measurement of 8 threads × 200
audit inserts through SQLAlchemy into one SQLite file, where the default rollback journal failed 1,512 of
the 1,600 writes with ``database is locked`` and WAL + busy_timeout stored all 1,600.
PostgreSQL is reached through ``postgresql+psycopg://``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL), creating the SQLite folder if needed.

    No migrations are run; see :func:`upgrade`.
    """
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            # Let SQLAlchemy, not pysqlite, emit BEGIN so that BEGIN IMMEDIATE works.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # pragma: no cover - trivial
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations and at ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` (idempotent).

    Raises :class:`pipeline.store.roles.RoleError` when the database refuses for want of privilege
    (SQLSTATE 42501): the engine's role is the writer, which may not change the schema; migrate with the
    owner's URL (``clausewise db upgrade`` with ``CLAUSEWISE_DATABASE_OWNER_URL``)."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":
            raise
        from pipeline.store.roles import RoleError

        raise RoleError(f"the database role {engine.url.username!r} may not migrate the schema "
                        f"({str(exc.orig).strip().splitlines()[0]}): run `clausewise db upgrade` with "
                        "CLAUSEWISE_DATABASE_OWNER_URL set to the owner's URL") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A ``sessionmaker`` bound to ``engine`` with ``expire_on_commit=False``."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """One short write transaction: commit on success, roll back and re-raise on error.

    ``immediate=True`` takes SQLite's write lock at BEGIN (``BEGIN IMMEDIATE``) so that
    read-then-write sequences cannot deadlock; it has no effect on PostgreSQL.
    """
    with Session(engine, expire_on_commit=False) as session:
        if immediate:
            session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
