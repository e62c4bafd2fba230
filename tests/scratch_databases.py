"""Throwaway PostgreSQL databases for tests and benchmarks: made on the server of an admin URL, dropped after.

No pytest here, so benchmark scripts use it too (``benchmarks/bench_batch.py``); the fixtures built on it are in
``tests/conftest.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text


def admin_engine(admin_url: str) -> Engine:
    """An AUTOCOMMIT engine on ``admin_url`` (CREATE/DROP DATABASE run outside a transaction), checked with one
    query. Raises the driver's error when the server cannot be reached."""
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("select 1"))
    return eng


@contextmanager
def scratch_database(admin: Engine, prefix: str, *, template: str | None = None,
                     owner: str | None = None) -> Iterator[str]:
    """A new database named ``<prefix>_<10 hex digits>`` on ``admin``'s server (a copy of ``template`` when given,
    else empty; owned by ``owner`` when given), dropped (``WITH (FORCE)``) when the block ends: yields its URL,
    with ``admin``'s user and password."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    clauses = (f' TEMPLATE "{template}"' if template else "") + (f' OWNER "{owner}"' if owner else "")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"{clauses}'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
