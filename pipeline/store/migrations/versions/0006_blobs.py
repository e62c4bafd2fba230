"""blobs: the original bytes of every document, content-addressed by SHA-256

Revision ID: 0006
Revises: 0004
Create Date: 2027-01-10 12:00:00

``blobs``: one row per distinct file content (``sha256`` primary key, ``size_bytes``, ``data``, ``created_at``),
see :mod:`pipeline.store.blobs`; ``documents.blob_sha256`` references it. Mirrors the ORM classes of
:mod:`pipeline.store.tables` (frozen here).

Documents stored before this migration get their bytes from the file at their ``source_path`` when that file
is still there and still hashes to the document's id (the SHA-256 of the bytes first ingested); any other
keeps ``blob_sha256`` NULL (ingesting the same file again stores its bytes).
"""
import hashlib
from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite allows a REFERENCES clause on an added column whose default is NULL); a batch copy of
        # documents would drop the old table, and the foreign keys' ON DELETE CASCADE would empty pages and chunks.
        op.execute("ALTER TABLE documents ADD COLUMN blob_sha256 VARCHAR(64) REFERENCES blobs (sha256)")
    else:
        op.add_column("documents", sa.Column("blob_sha256", sa.String(length=64), nullable=True))
        op.create_foreign_key("fk_documents_blob_sha256", "documents", "blobs", ["blob_sha256"], ["sha256"])
    op.create_index("ix_documents_blob_sha256", "documents", ["blob_sha256"])
    _backfill()


def _backfill() -> None:
    conn = op.get_bind()
    docs = sa.table("documents", sa.column("id", sa.String), sa.column("source_path", sa.Text),
                    sa.column("blob_sha256", sa.String))
    blobs = sa.table("blobs", sa.column("sha256", sa.String), sa.column("size_bytes", sa.Integer),
                     sa.column("data", sa.LargeBinary), sa.column("created_at", sa.DateTime(timezone=True)))
    rows = conn.execute(sa.select(docs.c.id, docs.c.source_path)).all()
    for doc_id, source_path in rows:
        try:
            data = Path(source_path).read_bytes()
        except (OSError, ValueError):
            continue
        if hashlib.sha256(data).hexdigest() != doc_id:
            continue
        if conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == doc_id)).first() is None:
            conn.execute(blobs.insert().values(sha256=doc_id, size_bytes=len(data), data=data,
                                               created_at=sa.func.current_timestamp()))
        conn.execute(docs.update().where(docs.c.id == doc_id).values(blob_sha256=doc_id))


def downgrade() -> None:
    op.drop_index("ix_documents_blob_sha256", table_name="documents")
    op.execute("UPDATE documents SET blob_sha256 = NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_documents_blob_sha256", "documents", type_="foreignkey")
        op.drop_column("documents", "blob_sha256")
    # SQLite keeps the (now empty) column: it cannot drop a column with a REFERENCES clause without copying the
    # table, and dropping the old table would cascade-delete every document's pages and chunks.
    op.drop_table("blobs")
