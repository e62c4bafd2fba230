"""Alembic environment: runs against the engine passed in ``config.attributes['engine']``."""

from alembic import context

from audit.schema import metadata as audit_metadata
from pipeline.store.tables import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=[Base.metadata, audit_metadata], render_as_batch=True)
    context.run_migrations()
