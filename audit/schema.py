"""Tables of the audit log and the DDL that makes them append-only.

``audit_events``: one row per event (see :mod:`audit._chain` for what is hashed, :mod:`audit._keys` for the
keyed ``mac`` and its ``key_id``).
``audit_blobs``: large string bodies stored once by SHA-256 of their UTF-8 bytes, referenced from a
payload as ``{"$blob": "<sha256 hex>"}``.

The tables live on their own :data:`metadata` (not the pipeline's ORM ``Base``) because ``audit``
imports nothing of the pipeline. The Alembic migration ``0002_audit_events`` creates them and runs
:func:`append_only_statements`; ``0005_audit_mac`` adds ``mac`` and ``key_id``. :func:`writer_grants` gives a
writer role that owns nothing SELECT and INSERT on them (PostgreSQL).
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
    # Keyed MAC of ``hash`` and the id of the key (audit._keys); NULL for an event written without a key.
    Column("mac", String(64), nullable=True),
    Column("key_id", String(16), nullable=True),
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


def quote_role(role: str) -> str:
    """``role`` as a PostgreSQL identifier in double quotes (embedded quotes doubled). Raises ``ValueError``
    for an empty name or one with a NUL character."""
    if not role or "\x00" in role:
        raise ValueError(f"not a role name: {role!r}")
    return '"' + role.replace('"', '""') + '"'


def writer_grants(role: str) -> list[str]:
    """PostgreSQL statements that let ``role``, which owns neither table, read and append to the audit log
    and do nothing else there: every privilege revoked, then SELECT and INSERT granted on both tables.

    Without UPDATE, DELETE and TRUNCATE the writer cannot change a row even where a trigger is missing, and
    not being the owner it cannot drop or disable the append-only triggers (``ALTER TABLE`` and
    ``DROP TRIGGER`` need ownership: PostgreSQL manual, "ALTER TABLE", "DROP TRIGGER"). Run by the owner.
    """
    q = quote_role(role)
    out: list[str] = []
    for t in TABLES:
        out.append(f"REVOKE ALL ON {t} FROM {q}")
        out.append(f"GRANT SELECT, INSERT ON {t} TO {q}")
    return out
