"""review: reviewer accounts and sign-offs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:00:00

``users``: accounts of the review UI (argon2id hashes, roles reviewer | admin | auditor), see
:mod:`pipeline.review.users`. ``sign_offs``: one row per signed-off document (who, when, final values), see
:mod:`pipeline.review.actions`. Mirrors the ORM classes of :mod:`pipeline.store.tables` (frozen here).
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sign_offs",
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("signed_off_by", sa.String(length=128), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )


def downgrade() -> None:
    op.drop_table("sign_offs")
    op.drop_table("users")
