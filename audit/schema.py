"""Tables of the audit log and the DDL that makes them append-only.

``audit_events``: one row per event (see :mod:`audit._chain` for what is hashed).
``audit_blobs``: large string bodies stored once by SHA-256 of their UTF-8 bytes, referenced from a
payload as ``{"$blob": "<sha256 hex>"}``.

The tables live on their own :data:`metadata` (not the pipeline's ORM ``Base``) because ``audit``
imports nothing of the pipeline. The Alembic migration ``0002_audit_events`` creates them and runs
:func:`append_only_statements`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

events = Table(
    "audit_events",
    metadata,
    # Integer on SQLite so that the column aliases the rowid; ids are assigned by append (head id + 1).
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False),
    Column("ts", String(27), nullable=False),  # YYYY-MM-DDTHH:MM:SS.ffffffZ, sorts as text
    Column("actor", String(256), nullable=False),
    Column("type", String(64), nullable=False),
    Column("document_id", String(64), nullable=True),
    Column("run_id", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("canonical", Text(), nullable=False),
    Index("ix_audit_events_document_id", "document_id", "id"),
    Index("ix_audit_events_run_id", "run_id", "id"),
    Index("ix_audit_events_type", "type", "id"),
    Index("ix_audit_events_actor", "actor", "id"),
    Index("ix_audit_events_ts", "ts"),
)

blobs = Table(
    "audit_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("body", Text(), nullable=False),
)

TABLES = ("audit_events", "audit_blobs")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def append_only_statements(dialect: str) -> list[str]:
    """SQL that makes both audit tables refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL).

    ``dialect`` is a SQLAlchemy dialect name (``postgresql`` or ``sqlite``); other dialects get ``[]``.
    PostgreSQL: one plpgsql function raising SQLSTATE 23001 and BEFORE UPDATE/DELETE row triggers plus a
    BEFORE TRUNCATE statement trigger. SQLite: BEFORE UPDATE/DELETE triggers with ``RAISE(ABORT)``.
    A superuser (or SQLite file owner) can still bypass them; the hash chain is what detects that.
    """
    out: list[str] = []
    if dialect == "postgresql":
        out.append(_PG_FUNCTION)
        for t in TABLES:
            out.append(
                f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
            )
            out.append(
                f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
            )
    elif dialect == "sqlite":
        for t in TABLES:
            for op in ("UPDATE", "DELETE"):
                out.append(
                    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {op} on {t} refused'); END"
                )
    return out


def drop_append_only_statements(dialect: str) -> list[str]:
    """The inverse of :func:`append_only_statements` (for the migration's downgrade)."""
    out: list[str] = []
    if dialect == "postgresql":
        for t in TABLES:
            out += [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}", f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}"]
        out.append("DROP FUNCTION IF EXISTS audit_refuse_change()")
    elif dialect == "sqlite":
        for t in TABLES:
            out += [f"DROP TRIGGER IF EXISTS {t}_no_update", f"DROP TRIGGER IF EXISTS {t}_no_delete"]
    return out
