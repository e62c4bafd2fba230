"""model answers: every validated model answer, kept as soon as it arrives (the extraction's checkpoint)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:30:00

``model_answers``: one row per distinct model request (its replay key), with the document, chunk and part it
was first asked for and the answer as JSON; see :class:`pipeline.store.tables.ModelAnswer` (frozen here).
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_answers",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("chunk_seq", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=64), nullable=True),
        sa.Column("model_id", sa.String(length=256), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=True),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("response_model", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_model_answers_document_id", "model_answers", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_model_answers_document_id", table_name="model_answers")
    op.drop_table("model_answers")
