"""eval runs: one row per `clausewise eval` run

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 12:00:00

``eval_runs``: the labelled set, the selection, the settings in force (secrets masked), backend, model, model
file SHA-256, prompt version and the result as JSON, see :mod:`pipeline.evaluation.runner`. Mirrors the ORM
class :class:`pipeline.store.tables.EvalRun` (frozen here).
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_name", sa.String(length=64), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=256), nullable=False),
        sa.Column("model_sha256", sa.String(length=64), nullable=True),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_eval_runs_created_at", "eval_runs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_eval_runs_created_at", table_name="eval_runs")
    op.drop_table("eval_runs")
