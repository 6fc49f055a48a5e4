"""The database upgrades itself on start: a database made by an older release keeps its data."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from api.main import create_app
from app.db import MIGRATIONS_DIR, make_engine
from app.settings import Settings


def _upgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def _head() -> str:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_a_0001_database_upgrades_on_start_and_keeps_its_projects(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO portfolio (id, name, created_at) VALUES (1, '旧项目库', '2024-01-01 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO project (id, portfolio_id, code, name, category, star, spent_wan, version, "
                "changed_in, updated_at) VALUES (1, 1, 'OLD-1', '老城区小学', '义务教育', 0, 0, 1, '{}', "
                "'2024-01-01 00:00:00')"
            )
        )
    assert "job" not in sa.inspect(engine).get_table_names()
    engine.dispose()

    with TestClient(create_app(Settings(database_url=url, seed=False))):
        pass

    engine = make_engine(url)
    inspector = sa.inspect(engine)
    assert {"job", "baseline", "actual"} <= set(inspector.get_table_names())
    assert "replan" in {c["name"] for c in inspector.get_columns("run")}
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == _head()
        assert connection.execute(sa.text("SELECT name FROM project")).scalar() == "老城区小学"
    engine.dispose()


def _autogenerate_diff(url: str) -> list:
    """What Alembic's autogenerate would write for a database migrated to head: empty when the migrations
    and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import app.models  # noqa: F401  (the tables)

    _upgrade(url, "head")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_tables_the_models_describe(database_url):
    assert _autogenerate_diff(database_url) == []


def test_upgrading_an_0008_database_rebuilds_its_tables_and_keeps_every_row(tmp_path):
    """Migration 0009 rebuilds SQLite tables for AUTOINCREMENT: the drop inside it must cascade nothing."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO portfolio (id, name, created_at) VALUES (1, '旧项目库', '2024-01-01 00:00:00')",
            "INSERT INTO project (id, portfolio_id, code, name, category, star, spent_wan, version, changed_in, "
            "updated_at) VALUES (1, 1, 'OLD-1', '老城区小学', '义务教育', 0, 0, 1, '{}', '2024-01-01 00:00:00')",
            "INSERT INTO actual (id, project_id, year, spent_wan, percent_complete, recorded_at, recorded_by) "
            "VALUES (1, 1, 2024, 300, 20, '2024-12-31 00:00:00', '财务科')",
        ):
            connection.execute(sa.text(statement))
    engine.dispose()

    with TestClient(create_app(Settings(database_url=url, seed=False))):
        pass

    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == _head()
        assert (
            connection.execute(sa.text("SELECT spent_wan FROM actual WHERE project_id = 1")).scalar() == 300
        )
        for table in (
            "project",
            "run",
            "scenario",
            "actual",
            "funding_source",
            "source_quota",
            "funding_rule",
        ):
            schema = connection.execute(
                sa.text(f"SELECT sql FROM sqlite_master WHERE name = '{table}'")
            ).scalar()
            assert "AUTOINCREMENT" in schema, table  # later migrations that alter a table keep it
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1  # back on for the app
    engine.dispose()


def test_a_deleted_projects_id_is_never_given_again_so_histories_do_not_mix(client, finance, portfolio):
    """Issue 13's review: SQLite gave a deleted project's id to the next one, and the new project's history
    began with the old one's creation and removal."""
    pid = portfolio["id"]
    first = {"code": "N-01", "name": "新增一", "category": "义务教育"}
    old = client.post(f"/api/portfolios/{pid}/projects", json=first, headers=finance).json()
    assert client.delete(f"/api/projects/{old['id']}", headers=finance).status_code == 204

    new = client.post(
        f"/api/portfolios/{pid}/projects", json={**first, "code": "N-02", "name": "新增二"}, headers=finance
    ).json()
    history = client.get(f"/api/audit?project={new['id']}", headers=finance).json()

    assert new["id"] != old["id"]
    assert [row["action"] for row in history] == ["create"]
