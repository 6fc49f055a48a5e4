"""An office server under pressure (issue 18): readers never wait for a writer's lock, a wrong token costs no
database work, too many requests at once or too many queued runs get 503 with Retry-After in plain words,
and a database that cannot store anything (disk full, read-only) answers 503 in plain words, not a 500."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.services import users as accounts
from app.settings import Settings
from tests.api.conftest import UPLOAD_LIMIT, wait_for_run
from tests.api.test_concurrency import _hard_portfolio


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another connection holding the write lock, as a long write elsewhere does: on SQLite the database's
    one write lock (BEGIN IMMEDIATE), on PostgreSQL the portfolio table in EXCLUSIVE mode (plain SELECTs
    still read it, every INSERT/UPDATE/DELETE waits)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("LOCK TABLE portfolio IN EXCLUSIVE MODE")
            else:
                connection.exec_driver_sql("SELECT 1")  # the engine's BEGIN IMMEDIATE takes the lock
            yield
            connection.rollback()
    finally:
        engine.dispose()


@contextmanager
def app_with(settings: Settings, **changes: Any) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update=changes)), headers={"Accept-Language": "en"}) as c:
        yield c


def test_reads_are_answered_while_another_connection_holds_the_write_lock(settings, make_user):
    with app_with(settings, database_wait_seconds=0.5) as client:
        finance = make_user("财务科", "finance")
        created = client.post("/api/portfolios", json={"name": "甲"}, headers=finance)

        with write_lock_held(settings.database_url):
            listed = client.get("/api/portfolios", headers=finance)
            one = client.get(f"/api/portfolios/{created.json()['id']}", headers=finance)
            health = client.get("/api/health")
            blocked = client.post("/api/portfolios", json={"name": "乙"}, headers=finance)

        after = client.get("/api/portfolios", headers=finance)

    assert [p["name"] for p in listed.json()] == ["甲"] and one.status_code == 200
    assert health.status_code == 200
    assert blocked.status_code == 503 and blocked.headers["retry-after"] == "2"
    assert blocked.json()["detail"] == (
        "the database is busy with another change, so nothing was done; try again in 2 s"
    )
    assert [p["name"] for p in after.json()] == ["甲"]  # the refused write stored nothing


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_missing_or_wrong_token_is_refused_without_touching_the_projects_or_any_lock(client, finance):
    assert client.get("/api/portfolios", headers=finance).status_code == 200  # the users are read once
    seen = _statements(client.app.state.engine)

    missing = [client.get("/api/portfolios") for _ in range(20)]
    wrong = [client.get("/api/portfolios", headers={"Authorization": f"Bearer wrong-{i}"}) for i in range(20)]
    query = client.get("/api/portfolios?token=not-a-token")

    assert {r.status_code for r in missing + wrong + [query]} == {401}
    assert wrong[0].json()["detail"] == (
        "the token is not valid (mistyped, or replaced by a newer one); ask for a new one"
    )
    # no request went further than the sign-in check: the only reads are of the users' token hashes
    # (re-read at most every quarter second, in a read-only transaction), never the portfolios
    assert seen and all(
        "app_user" in sql or sql.startswith(("PRAGMA", "BEGIN", "SET TRANSACTION READ ONLY")) for sql in seen
    ), seen
    assert not any("BEGIN IMMEDIATE" in sql or "portfolio" in sql for sql in seen)


def test_a_new_token_signs_in_at_once_and_a_revoked_one_is_refused_at_once(client, finance):
    assert client.get("/api/me", headers=finance).status_code == 200  # the users' hashes are now in memory
    made = client.post("/api/users", json={"name": "新同事", "role": "viewer"}, headers=finance).json()
    new = {"Authorization": f"Bearer {made['token']}"}

    signed_in = client.get("/api/me", headers=new)
    client.post(f"/api/users/{made['id']}/revoke", headers=finance)
    refused = client.get("/api/me", headers=new)

    assert signed_in.status_code == 200 and signed_in.json()["name"] == "新同事"
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_too_many_requests_at_once_get_503_with_retry_after_in_the_readers_language(settings, make_user):
    with app_with(settings, max_requests_in_flight=1, database_wait_seconds=30) as client:
        finance = make_user("财务科", "finance")
        client.get("/api/me", headers=finance)
        answers: dict[str, Any] = {}
        with write_lock_held(settings.database_url):

            def write() -> None:  # once admitted, it waits for the lock: the one request being answered
                while (
                    answer := client.post("/api/portfolios", json={"name": "甲"}, headers=finance)
                ).status_code == 503:
                    time.sleep(0.01)
                answers["write"] = answer

            writer = threading.Thread(target=write)
            writer.start()
            while True:  # until the write is in flight (the test timeout guards against forever)
                busy = client.get("/api/portfolios", headers=finance)
                if busy.status_code == 503:
                    break
                time.sleep(0.01)
            busy_zh = client.get("/api/portfolios", headers={**finance, "Accept-Language": "zh"})
        writer.join()
        after = client.get("/api/portfolios", headers=finance)

    assert busy.headers["retry-after"] == "2"
    assert busy.json()["detail"] == (
        "the server is busy (it is answering as many requests as it can at once); try again in 2 s"
    )
    assert busy_zh.status_code == 503
    assert busy_zh.json()["detail"] == "服务器正忙（同时处理的请求已达上限）；请 2 秒后重试"
    assert answers["write"].status_code == 201  # the admitted request was answered, not dropped
    assert [p["name"] for p in after.json()] == ["甲"]


def test_runs_beyond_the_queue_limit_get_503_and_nothing_is_stored(settings, make_user):
    with app_with(settings, max_queued=1) as client:
        finance = make_user("财务科", "finance")
        sid = _hard_portfolio(client, finance)
        url = f"/api/scenarios/{sid}/runs"
        running = client.post(url, json={"time_limit": 120}, headers=finance).json()
        wait_for_run(client, running["id"], finance, {"running"})
        queued = client.post(url, json={"time_limit": 120}, headers=finance)

        refused = client.post(url, json={"time_limit": 120}, headers=finance)
        refused_zh = client.post(url, json={"time_limit": 120}, headers={**finance, "Accept-Language": "zh"})
        sweep = client.post(f"/api/scenarios/{sid}/sweeps", json={"amounts": "8000,9000"}, headers=finance)
        risk = client.post(f"/api/scenarios/{sid}/risk", json={"samples": 2}, headers=finance)
        risks = client.get(f"/api/scenarios/{sid}/risk", headers=finance).json()
        listed = client.get(url, headers=finance).json()

        client.delete(f"/api/runs/{queued.json()['id']}", headers=finance)
        room_again = client.post(url, json={"time_limit": 120}, headers=finance)
        for run in (running["id"], room_again.json()["id"]):
            client.delete(f"/api/runs/{run}", headers=finance)

    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
    assert refused.json()["detail"] == (
        "1 runs and searches are already waiting to start (the limit is 1, CAPSCHED_MAX_QUEUED); "
        "wait for one to finish or cancel one, then try again"
    )
    assert refused_zh.json()["detail"] == (
        "等待开始的运算已有 1 个（上限 1，CAPSCHED_MAX_QUEUED）；请等其中一个完成，或取消一个，再提交"
    )
    assert sweep.status_code == 503
    assert risk.status_code == 503 and risk.headers["retry-after"] == "30"  # a risk analysis waits too
    assert risks == []
    assert len(listed) == 2  # the refused runs were not stored
    assert room_again.status_code == 202  # cancelling the queued run made room


def _read_only_url(url: str) -> str:
    """The same database opened read-only: SQLite's read-only mode, PostgreSQL read-only transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = parsed.query.get("options", "")
    return parsed.update_query_dict(
        {"options": f"{options} -cdefault_transaction_read_only=on".strip()}
    ).render_as_string(hide_password=False)


def test_a_read_only_database_serves_reads_and_answers_writes_with_503_in_plain_words(settings, make_user):
    with app_with(settings) as client:
        finance = make_user("财务科", "finance")
        client.post("/api/portfolios", json={"name": "甲"}, headers=finance)

    with app_with(settings, database_url=_read_only_url(settings.database_url)) as read_only:
        listed = read_only.get("/api/portfolios", headers=finance)
        refused = read_only.post("/api/portfolios", json={"name": "乙"}, headers=finance)
        refused_zh = read_only.post(
            "/api/portfolios", json={"name": "乙"}, headers={**finance, "Accept-Language": "zh"}
        )

    assert [p["name"] for p in listed.json()] == ["甲"]
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["detail"] == (
        "the database is read-only just now (a read-only file or disk, or a read-only server), "
        "so nothing was saved; tell the administrator"
    )
    assert refused_zh.json()["detail"].startswith("数据库目前只读")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 8 MB filesystem (tmpfs; mounting needs root, as CI runs) to fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(disk: Path) -> Path:
    """Write a file until the disk has not one byte left; the file."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError:
                pass
    return filler


def test_a_full_disk_answers_writes_with_503_in_plain_words_and_recovers(tiny_disk):
    url = f"sqlite:///{tiny_disk / 'capsched.db'}"
    settings = Settings(
        database_url=url, seed=False, workers=1, solver_threads=1, max_upload_bytes=UPLOAD_LIMIT
    )
    with app_with(settings) as client:
        engine = make_engine(url)
        with Session(engine) as session:
            _, token = accounts.add_user(session=session, name="财务科", role="finance")
            session.commit()
        raw = engine.raw_connection()  # outside a transaction, as a checkpoint must be
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log back to 0 bytes: a write grows it
        raw.close()
        engine.dispose()
        finance = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/portfolios", headers=finance).json() == []  # the server's connection is open
        filler = _fill(tiny_disk)

        refused = client.post("/api/portfolios", json={"name": "甲"}, headers=finance)
        refused_zh = client.post(
            "/api/portfolios", json={"name": "甲"}, headers={**finance, "Accept-Language": "zh"}
        )
        read = client.get("/api/portfolios", headers=finance)
        filler.unlink()
        again = client.post("/api/portfolios", json={"name": "乙"}, headers=finance)
        after = client.get("/api/portfolios", headers=finance)

    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["detail"] == (
        "the disk holding the database is full, so nothing was saved; "
        "ask the administrator to free some space, then try again"
    )
    assert refused_zh.json()["detail"] == "数据库所在的磁盘已满，本次修改没有保存；请管理员腾出磁盘空间后再试"
    assert read.status_code == 200 and read.json() == []
    assert again.status_code == 201 and [p["name"] for p in after.json()] == ["乙"]


def test_the_database_pool_is_sized_to_the_request_threads(settings):
    with app_with(settings, request_threads=12, workers=2) as client:
        pool = client.app.state.engine.pool
        limiter_tokens = client.portal.call(_default_thread_tokens)

    assert limiter_tokens == 12
    assert pool.size() == 12 + 2 + 1 + 2  # requests, runs, the jobs lane, the sign-in cache and health


async def _default_thread_tokens() -> float:
    import anyio.to_thread

    return anyio.to_thread.current_default_thread_limiter().total_tokens


def test_a_read_only_session_refuses_a_write(client):
    """The mechanism behind "reads never take the write lock": GET routes get a read-only session, so a
    route that wrote through one would fail in the tests instead of quietly taking the lock."""
    with sa.orm.Session(client.app.state.reader) as session, pytest.raises(sa.exc.DBAPIError) as refused:
        session.execute(sa.text("UPDATE portfolio SET name = name"))
    assert "read" in str(refused.value.orig).lower()
