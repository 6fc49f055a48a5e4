"""GET /api/health for a reverse proxy: no sign-in, the database and its migrations, the pool."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.db import MIGRATIONS_DIR, head_revision, make_engine


def test_health_needs_no_token_and_says_the_database_is_migrated(client):
    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["migration"] == body["migration_head"] == head_revision()
    assert body["pool_threads"] >= 2 and body["queued"] == 0  # runs' lane and the jobs' lane


def _migrate(url: str, revision: str, step=command.upgrade) -> None:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)
    engine.dispose()


def test_health_is_503_when_the_database_is_behind_its_migrations(client, settings):
    _migrate(settings.database_url, "0001", command.downgrade)

    response = client.get("/api/health")
    _migrate(settings.database_url, "head")  # the server's shutdown writes to the newer tables

    assert response.status_code == 503
    assert response.json()["migration"] == "0001" != response.json()["migration_head"]


def test_every_response_carries_a_request_id_and_keeps_a_proxys(client):
    made = client.get("/api/health").headers["x-request-id"]
    kept = client.get("/api/health", headers={"X-Request-ID": "proxy-42"}).headers["x-request-id"]
    crafted = client.get("/api/health", headers={"X-Request-ID": "a b\\r\\nc" * 20}).headers["x-request-id"]

    assert len(made) == 16 and kept == "proxy-42"
    assert crafted != "a b\\r\\nc" * 20 and len(crafted) == 16  # not plain and short: replaced
