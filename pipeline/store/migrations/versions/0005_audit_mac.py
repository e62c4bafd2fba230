"""audit MAC: a keyed MAC and its key id on every audit event

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 12:00:00

``audit_events.mac`` (HMAC-SHA256 of the event's chain hash, 64 hex digits) and ``audit_events.key_id`` (16 hex
digits) as :mod:`audit._keys` defines them; both NULL for events written without an audit key (every event
before this revision). Mirrors :data:`audit.schema.events` (frozen here). Adding columns leaves the
append-only triggers in place.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("mac", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its triggers.
    op.drop_column("audit_events", "key_id")
    op.drop_column("audit_events", "mac")
