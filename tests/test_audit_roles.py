"""PostgreSQL: the application writes the audit log as a role that owns nothing of it (issue #14, item 5).

Real roles in a fresh database of the local cluster (roles are cluster-wide: unique names, dropped after), real
``clausewise`` processes: ``db upgrade`` migrates as the owner and grants the writer; ``ingest`` runs as the
writer with the audit key. The writer cannot change or un-trigger the log; the owner can, and what it rewrites
is caught by the MACs, as is what the writer forges.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import audit
from audit._chain import chain_hash, seal
from audit.events import REVIEW_CONFIRMED
from tests.conftest import PG_ADMIN_URL, REPO, _pg_admin, empty_pg_database, unavailable

CONTRACT = ("MASTER SERVICES AGREEMENT\n\nThis Master Services Agreement is entered into on March 1, 2024 between "
            "Acme Corp., a Delaware corporation, and Beta LLC, a New York limited liability company.\n\n"
            "1. Term. This Agreement begins on March 1, 2024 and continues for two (2) years.\n\n"
            "2. Governing Law. This Agreement is governed by the laws of the State of New York.\n")


@pytest.fixture
def pg_roles():
    """``(owner_url, writer_url, owner, writer)``: two login roles and a database the owner owns."""
    try:
        admin = _pg_admin()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    tag = uuid.uuid4().hex[:10]
    owner, writer = f"cw_owner_{tag}", f"cw_writer_{tag}"
    with admin.connect() as c:
        c.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        c.execute(text(f'CREATE ROLE "{writer}" LOGIN'))
    base = PG_ADMIN_URL.split("://", 1)[1].split("@", 1)[1].rsplit("/", 1)[0]  # host:port
    try:
        with empty_pg_database("cw_roles", owner=owner) as url:
            db = url.rsplit("/", 1)[1]
            yield (f"postgresql+psycopg://{owner}@{base}/{db}", f"postgresql+psycopg://{writer}@{base}/{db}",
                   owner, writer)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP ROLE IF EXISTS "{writer}"'))
            c.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        admin.dispose()


def _clausewise(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          cwd=REPO, env=full, capture_output=True, text=True, timeout=300)


def test_a_role_that_owns_nothing_writes_the_log_and_forgeries_are_caught(pg_roles, tmp_path):
    owner_url, writer_url, owner, writer = pg_roles
    key_file = tmp_path / "keys" / "audit.key"
    env = {"CLAUSEWISE_DATABASE_URL": writer_url, "CLAUSEWISE_DATA_DIR": str(tmp_path / "data"),
           "CLAUSEWISE_AUDIT_KEY_FILE": str(key_file)}
    assert _clausewise("audit", "keygen", env=env).returncode == 0
    key = audit.AuditKey.from_file(key_file)

    # The writer alone may not migrate the empty database: the error says what to do.
    res = _clausewise("db", "upgrade", env=env)
    assert res.returncode != 0 and "CLAUSEWISE_DATABASE_OWNER_URL" in res.stderr
    # The owner migrates and grants; the owner as its own writer is refused.
    res = _clausewise("db", "upgrade", env={**env, "CLAUSEWISE_DATABASE_OWNER_URL": owner_url})
    assert res.returncode == 0, res.stderr
    assert f"writer role {writer} granted" in res.stdout and writer_url not in res.stdout
    res = _clausewise("db", "upgrade", env={**env, "CLAUSEWISE_DATABASE_URL": owner_url,
                                            "CLAUSEWISE_DATABASE_OWNER_URL": owner_url})
    assert res.returncode == 2 and "is the owner" in res.stderr

    # The writer ingests a contract: its events go on the log with their MACs.
    (tmp_path / "msa.txt").write_text(CONTRACT, encoding="utf-8")
    res = _clausewise("ingest", "--no-extract", str(tmp_path / "msa.txt"), env=env)
    assert res.returncode == 0, res.stdout + res.stderr

    admin = create_engine(owner_url.rsplit("/", 1)[0].replace(owner, "postgres") + "/" + owner_url.rsplit("/", 1)[1])
    as_writer, as_owner = create_engine(writer_url), create_engine(owner_url)
    try:
        with admin.connect() as c:
            owners = dict(c.execute(text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'")).all())
            writer_owns = c.execute(text("SELECT count(*) FROM pg_class WHERE relowner = "
                                         "(SELECT oid FROM pg_roles WHERE rolname = :w)"), {"w": writer}).scalar()
            events = c.execute(text("SELECT id, type, mac, key_id FROM audit_events ORDER BY id")).all()
        assert owners["audit_events"] == owners["audit_blobs"] == owners["documents"] == owner
        assert set(owners.values()) == {owner} and writer_owns == 0
        assert [e.type for e in events][:1] == ["document.ingested"] and len(events) >= 2
        assert all(e.key_id == key.key_id and e.mac for e in events)
        r = audit.verify(as_writer, key=key)
        assert (r.ok, r.keyed, r.unkeyed) == (True, len(events), 0), r.detail

        # The writer can neither change the log nor switch its triggers off.
        for sql in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events", "TRUNCATE audit_events",
                    "DELETE FROM audit_blobs", "ALTER TABLE audit_events DISABLE TRIGGER USER",
                    "DROP TRIGGER audit_events_append_only ON audit_events",
                    "SET session_replication_role = replica"):
            with pytest.raises(DBAPIError) as info:
                with as_writer.begin() as c:
                    c.execute(text(sql))
            assert getattr(info.value.orig, "sqlstate", None) == "42501", (sql, info.value.orig)

        # The owner can: it disables the triggers, rewrites the newest event and re-hashes it.
        with as_owner.connect() as c:
            head = dict(c.execute(text("SELECT * FROM audit_events ORDER BY id DESC LIMIT 1")).mappings().one())
        rec = json.loads(head["canonical"])
        rec["actor"] = "mallory"
        canonical = audit.canonical_text(rec)
        with as_owner.begin() as c:
            c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            c.execute(text("UPDATE audit_events SET actor = 'mallory', canonical = :c, hash = :h WHERE id = :i"),
                      {"c": canonical, "h": chain_hash(head["prev_hash"], canonical), "i": head["id"]})
            c.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        res = _clausewise("audit", "verify", env=env)
        assert res.returncode == 1
        assert f"FAILED event {head['id']}: mac_invalid" in res.stdout and "check failed: mac" in res.stdout
        with as_owner.begin() as c:  # the owner puts it back: whole again
            c.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            c.execute(text("UPDATE audit_events SET actor = :a, canonical = :c, hash = :h WHERE id = :i"),
                      {"a": head["actor"], "c": head["canonical"], "h": head["hash"], "i": head["id"]})
            c.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        assert _clausewise("audit", "verify", env=env).returncode == 0

        # The writer appends a forged, correctly chained confirmation: INSERT is allowed, the MAC is not forgeable.
        canonical, h = seal(id=head["id"] + 1, ts=head["ts"], actor="mallory", type=REVIEW_CONFIRMED,
                            document_id=head["document_id"], run_id=None, payload={"item_id": 1, "status": "accepted"},
                            prev_hash=head["hash"])
        with as_writer.begin() as c:
            c.execute(text("INSERT INTO audit_events (id, ts, actor, type, document_id, run_id, prev_hash, hash, "
                           "canonical) VALUES (:i, :ts, 'mallory', :t, :d, NULL, :p, :h, :c)"),
                      {"i": head["id"] + 1, "ts": head["ts"], "t": REVIEW_CONFIRMED, "d": head["document_id"],
                       "p": head["hash"], "h": h, "c": canonical})
        res = _clausewise("audit", "verify", "--expect-head", head["hash"], env=env)
        assert res.returncode == 1
        assert f"FAILED event {head['id'] + 1}: mac_missing" in res.stdout and "check failed: mac" in res.stdout
    finally:
        for e in (admin, as_writer, as_owner):
            e.dispose()
