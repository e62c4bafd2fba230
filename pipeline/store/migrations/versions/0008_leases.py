"""leases: the process carrying a document on, and the holder of each extraction run

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 12:00:00

``documents.lease_holder`` / ``documents.lease_expires_at``: who carries the document through extraction and
verification, and until when unless renewed; ``extraction_runs.holder``: the lease holder that ran it (see
:mod:`pipeline.store.leases`). Mirrors the ORM classes of :mod:`pipeline.store.tables` (frozen here).
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("extraction_runs") as batch:
        batch.add_column(sa.Column("holder", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extraction_runs") as batch:
        batch.drop_column("holder")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_holder")
