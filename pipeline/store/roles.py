"""The two PostgreSQL roles: the owner, who migrates, and the writer, the role the application runs as.

- **owner** (``CLAUSEWISE_DATABASE_OWNER_URL``): owns the database's tables, because it creates them in the
  migrations (``clausewise db upgrade``). An owner can alter and drop its tables and disable their triggers, so
  the application never connects as the owner.
- **writer** (``CLAUSEWISE_DATABASE_URL``): owns nothing. SELECT, INSERT, UPDATE and DELETE on the pipeline's
  tables and the job queue's (:data:`QUEUE_TABLES`), SELECT on ``alembic_version``, and SELECT and INSERT alone on the audit tables
  (:func:`audit.schema.writer_grants`): it appends events but cannot change one, nor drop or disable the
  append-only triggers (``ALTER TABLE`` and ``DROP TRIGGER`` need ownership: PostgreSQL manual, "ALTER TABLE",
  "DROP TRIGGER"). Its automatic first-use upgrade finds the schema current and changes nothing.

:func:`upgrade_as_owner` migrates with the owner's URL and then grants the writer (the user of the
application's URL) exactly that; it runs after every upgrade, so tables added by a later migration are
granted too. Making the two login roles and the database is the cluster administrator's step
(``make pg-roles``, README "Database roles"). The key that makes the log tamper-evident even against the
owner is :mod:`audit._keys`.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from audit.schema import quote_role, writer_grants as audit_writer_grants
from pipeline.store.engine import make_engine, upgrade
from pipeline.store.tables import Base
from schemas import ClausewiseError

ALEMBIC_TABLE = "alembic_version"
QUEUE_TABLES = ("procrastinate_workers", "procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers")
"""The job queue's tables (migration 0009, PostgreSQL): the writer defers, fetches and finishes jobs and writes
worker heartbeats (procrastinate's functions run with the caller's privileges; EXECUTE is PUBLIC's)."""


class RoleError(ClausewiseError):
    """The database roles are not as :mod:`pipeline.store.roles` requires: an owner URL that is not
    PostgreSQL, a writer that is the owner or owns a table, or a URL without a user name."""


def writer_grants(role: str, schema: str) -> list[str]:
    """The statements (run by the owner) that give ``role`` the writer's privileges in ``schema`` (see the
    module docstring): every earlier privilege on our tables revoked, then granted again as listed."""
    q, s = quote_role(role), quote_role(schema)
    out = [f"GRANT USAGE ON SCHEMA {s} TO {q}"]
    for name in [t.name for t in Base.metadata.sorted_tables] + list(QUEUE_TABLES):
        out += [f"REVOKE ALL ON {name} FROM {q}", f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {q}"]
    out += [f"REVOKE ALL ON {ALEMBIC_TABLE} FROM {q}", f"GRANT SELECT ON {ALEMBIC_TABLE} TO {q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {q}"]
    return out + audit_writer_grants(role)


def grant_writer(owner: Engine, role: str) -> None:
    """Give ``role`` the writer's privileges, connected as the owner (one transaction). Raises
    :class:`RoleError` when ``role`` is the owner's own role or owns a table of the schema."""
    with owner.begin() as conn:
        me, schema = conn.execute(text("SELECT current_user, current_schema()")).one()
        if role == me:
            raise RoleError(f"the writer role {role!r} is the owner: the application must connect as a role that "
                            "owns nothing (CLAUSEWISE_DATABASE_URL) and migrate as the owner "
                            "(CLAUSEWISE_DATABASE_OWNER_URL)")
        owned = conn.execute(text("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                  "WHERE n.nspname = :s AND pg_get_userbyid(c.relowner) = :r ORDER BY 1"),
                             {"s": schema, "r": role}).scalars().all()
        if owned:
            raise RoleError(f"the writer role {role!r} owns {', '.join(owned)}: it could disable the audit log's "
                            f"triggers; make the owner own them (ALTER TABLE ... OWNER TO {me})")
        for stmt in writer_grants(role, schema):
            conn.execute(text(stmt))


def upgrade_as_owner(owner_url: str, writer_url: str) -> tuple[str, str]:
    """Migrate with ``owner_url`` and grant the user of ``writer_url`` the writer's privileges; returns
    ``(owner role, writer role)``. Raises :class:`RoleError` when either URL is not PostgreSQL or names no
    user, or as :func:`grant_writer`."""
    o, w = make_url(owner_url), make_url(writer_url)
    for name, u in (("CLAUSEWISE_DATABASE_OWNER_URL", o), ("CLAUSEWISE_DATABASE_URL", w)):
        if u.get_backend_name() != "postgresql":
            raise RoleError(f"{name} must be a PostgreSQL URL with two roles (owner and writer), not "
                            f"{u.render_as_string(hide_password=True)}")
        if not u.username:
            raise RoleError(f"{name} names no user: {u.render_as_string(hide_password=True)}")
    owner = make_engine(owner_url)
    try:
        upgrade(owner)
        grant_writer(owner, w.username)
    finally:
        owner.dispose()
    return o.username, w.username
