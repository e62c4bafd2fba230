"""audit events: append-only, hash-chained log and its blob table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00

The tables mirror ``audit.schema`` (frozen here); the append-only triggers come from
``audit.schema.append_only_statements`` (PostgreSQL: refuse UPDATE, DELETE, TRUNCATE; SQLite: UPDATE, DELETE).
"""
from alembic import op
import sqlalchemy as sa

from audit.schema import append_only_statements, drop_append_only_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("ts", sa.String(length=27), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_document_id", "audit_events", ["document_id", "id"])
    op.create_index("ix_audit_events_run_id", "audit_events", ["run_id", "id"])
    op.create_index("ix_audit_events_type", "audit_events", ["type", "id"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor", "id"])
    op.create_index("ix_audit_events_ts", "audit_events", ["ts"])
    op.create_table(
        "audit_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    for stmt in append_only_statements(op.get_bind().dialect.name):
        op.execute(stmt)


def downgrade() -> None:
    for stmt in drop_append_only_statements(op.get_bind().dialect.name):
        op.execute(stmt)
    op.drop_table("audit_blobs")
    op.drop_index("ix_audit_events_ts", table_name="audit_events")
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_audit_events_type", table_name="audit_events")
    op.drop_index("ix_audit_events_run_id", table_name="audit_events")
    op.drop_index("ix_audit_events_document_id", table_name="audit_events")
    op.drop_table("audit_events")
