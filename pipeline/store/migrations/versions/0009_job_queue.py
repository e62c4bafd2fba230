"""job queue: procrastinate's tables, functions and triggers (PostgreSQL only)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-11 12:00:00

The queue of ``clausewise ingest --queue`` and ``clausewise worker`` (:mod:`pipeline.queue`) keeps its jobs,
locks and worker heartbeats in the same PostgreSQL database as the documents: the schema of the installed
procrastinate (``procrastinate/sql/schema.sql``; pyproject pins the minor version whose schema this applies).
On SQLite this migration does nothing (the queue needs PostgreSQL). Downgrade drops every ``procrastinate_``
table, function and type.
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # the DB-API cursor, without parameters: the schema's text has % signs that are not placeholders
    with bind.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                  "procrastinate_workers"):
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    functions = bind.execute(sa.text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND starts_with(p.proname, 'procrastinate_')")).scalars().all()
    for signature in functions:
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for type_ in ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"):
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS {type_} CASCADE")
