"""Alembic environment: runs against the engine passed in ``config.attributes['engine']``.

Migrations run in one transaction under a lock, so that two processes starting on a new store at once do not
both create the tables: on PostgreSQL a transaction-scoped advisory lock (``pg_advisory_xact_lock``, key
:data:`MIGRATION_LOCK_KEY`), on SQLite the write lock taken at ``BEGIN IMMEDIATE``. The second process waits,
then finds the store at head and has nothing to do.
"""

from alembic import context
from sqlalchemy import text

from audit.schema import metadata as audit_metadata
from pipeline.store.tables import Base

#: Advisory-lock key of the migrations (any 64-bit number no other lock of the store uses: "clausewise" in ASCII,
#: first 8 bytes).
MIGRATION_LOCK_KEY = int.from_bytes(b"clausewi", "big") & 0x7FFF_FFFF_FFFF_FFFF

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    connection.execution_options(sqlite_immediate=True)  # BEGIN IMMEDIATE on SQLite (pipeline.store.engine)
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.configure(connection=connection, target_metadata=[Base.metadata, audit_metadata],
                          render_as_batch=True)
        context.run_migrations()
