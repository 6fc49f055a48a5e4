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
