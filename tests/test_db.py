from sqlalchemy import inspect, select

from pipeline.store.engine import transaction, upgrade
from pipeline.store.tables import Document, Page
from pipeline.store.states import DocumentStatus, InvalidTransition, check_transition

import pytest


def test_migrations_create_core_tables_and_are_idempotent(engine):
    upgrade(engine)  # second time: nothing to do, no error
    names = set(inspect(engine).get_table_names())
    assert {"documents", "pages", "chunks", "extraction_runs", "findings", "review_items"} <= names


def test_document_roundtrip_with_pages(engine):
    with transaction(engine) as s:
        d = Document(id="a" * 64, file_name="x.pdf", source_path="/x.pdf", size_bytes=10,
                     page_count=1, status=DocumentStatus.INGESTED, text="Hello world")
        d.pages.append(Page(number=1, text="Hello world", start=0, end=11,
                            layout=[[0, 5, 1.0, 2.0, 3.0, 4.0]]))
        s.add(d)
    with transaction(engine) as s:
        got = s.scalars(select(Document)).one()
        assert got.status == "ingested"
        assert got.pages[0].layout == [[0, 5, 1.0, 2.0, 3.0, 4.0]]
        assert got.created_at.tzinfo is not None or engine.dialect.name == "sqlite"


def test_state_machine_refuses_moves_not_in_table():
    assert check_transition("verified", "needs_review") is DocumentStatus.NEEDS_REVIEW
    with pytest.raises(InvalidTransition):
        check_transition("signed_off", "needs_review")
    with pytest.raises(InvalidTransition):
        check_transition("ingested", "signed_off")


def test_migrations_match_the_orm_models(engine):
    """Alembic's autogenerate finds nothing to add or drop: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from audit.schema import metadata as audit_metadata
    from pipeline.store.tables import Base

    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), [Base.metadata, audit_metadata])
    queue = {"remove_table"}  # procrastinate's tables (migration 0009): the queue's own schema, not our models
    assert [d for d in diff if d[0] in {"add_table", "remove_table", "add_column", "remove_column"}
            and not (d[0] in queue and d[1].name.startswith("procrastinate_"))] == []


def test_db_upgrade_migrates_the_database_named_on_the_command_line(tmp_path, monkeypatch):
    from sqlalchemy import create_engine
    from typer.testing import CliRunner

    import pipeline.cli.config_cmd  # noqa: F401  (registers `db upgrade`)
    from pipeline.cli import app

    monkeypatch.delenv("CLAUSEWISE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLAUSEWISE_DATA_DIR", str(tmp_path / "default"))
    url = f"sqlite:///{tmp_path / 'named.db'}"
    res = CliRunner().invoke(app, ["db", "upgrade", "--database-url", url])
    assert res.exit_code == 0, res.output
    assert "named.db is up to date (migrated from empty to " in res.output
    again = CliRunner().invoke(app, ["db", "upgrade", "--database-url", url])
    assert again.exit_code == 0 and "is up to date (already at " in again.output
    assert "documents" in inspect(create_engine(url)).get_table_names()
    assert not (tmp_path / "default").exists() or not any((tmp_path / "default").iterdir())
