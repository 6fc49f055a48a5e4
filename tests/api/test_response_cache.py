"""Answers kept per data version (api/cache.py) are never served after a write: one made through the API,
by the background pool, or by another process straight into the database (the command line, a second
server). Each test reads an answer twice (so that it is kept), writes, and reads again."""

from __future__ import annotations

import time

import orjson
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel

from api.cache import ResponseCache
from app.db import data_version, missing_version_triggers, versions
from app.models import Project, Role
from tests.api.conftest import wait_for_run
from tests.api.test_concurrency import _hard_portfolio


def _read_twice(client, url: str, headers: dict[str, str]):
    first = client.get(url, headers=headers)
    second = client.get(url, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert first.content == second.content  # the second is the kept answer: the same bytes
    assert second.headers["X-Frame-Options"] == "DENY" and second.headers["X-Request-ID"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    return second


def test_every_table_has_triggers_that_raise_the_data_version(client, engine: Engine, make_user):
    with engine.connect() as connection:
        assert missing_version_triggers(connection) == []
        present = set(inspect(connection).get_table_names())
        before = data_version(connection)
    assert present == set(SQLModel.metadata.tables) | {"alembic_version"}
    make_user("新用户", Role.VIEWER)  # a write in another transaction, from another engine
    with engine.connect() as connection:
        assert data_version(connection) > before


def _write(engine: Engine, statement: str) -> None:
    with Session(engine) as session:
        session.execute(text(statement))
        session.commit()


def _versions(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return versions(connection)


def test_a_runs_progress_raises_only_the_work_version_and_a_project_edit_only_the_data_version(
    client, engine: Engine, finance, scenario
):
    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 2}, headers=finance)
    rid = started.json()["id"]
    wait_for_run(client, rid, finance, {"done", "failed"})
    data, work = _versions(engine)
    _write(engine, f"UPDATE run SET progress = NULL WHERE id = {rid}")  # as a solve's progress is written
    assert _versions(engine) == (data, work + 1)
    _write(engine, "UPDATE project SET name = name || '·' WHERE code = 'T-01'")
    assert _versions(engine) == (data + 1, work + 1)


def test_kept_answers_follow_the_versions_they_read(client, engine: Engine, finance, scenario):
    """An answer that reads no run (work=False) stays kept through a run's progress writes; one that reads
    runs is built again after each; a project edit makes both stale."""
    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 2}, headers=finance)
    rid = started.json()["id"]
    wait_for_run(client, rid, finance, {"done", "failed"})
    cache = ResponseCache()
    built: list[str] = []

    def ask(path: str, work: bool) -> bytes:
        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}

        def build() -> Response:
            built.append(path)
            return Response(f"{path} #{len(built)}".encode(), media_type="text/plain")

        with Session(engine) as session:
            return cache.answer(Request(scope), session, build, work=work).body

    assert ask("/projects", False) == ask("/projects", False) == b"/projects #1"
    assert ask("/run", True) == ask("/run", True) == b"/run #2"
    _write(engine, f"UPDATE run SET progress = NULL WHERE id = {rid}")
    assert ask("/projects", False) == b"/projects #1"  # still kept
    assert ask("/run", True) == b"/run #3"  # built again
    _write(engine, "UPDATE project SET name = name || '·' WHERE code = 'T-01'")
    assert ask("/projects", False) == b"/projects #4"
    assert ask("/run", True) == b"/run #5"
    assert built == ["/projects", "/run", "/run", "/projects", "/run"]


def test_a_portfolios_active_runs_follow_a_run_that_ends(client, finance, viewer):
    """A run ending writes only its own row (the WORK version): the portfolio's kept answer, which counts
    active runs, must not outlive it."""
    sid = _hard_portfolio(client, finance)
    pid = client.get(f"/api/scenarios/{sid}", headers=viewer).json()["portfolio_id"]
    run = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 3}, headers=finance).json()
    assert wait_for_run(client, run["id"], viewer, {"running", "done", "failed"})["status"] == "running"
    assert _read_twice(client, f"/api/portfolios/{pid}", viewer).json()["active_runs"] == 1
    assert wait_for_run(client, run["id"], viewer, {"done", "failed"})["status"] == "done"
    assert client.get(f"/api/portfolios/{pid}", headers=viewer).json()["active_runs"] == 0


def test_a_renamed_portfolio_is_read_with_its_new_name(client, finance, viewer, portfolio):
    url = f"/api/portfolios/{portfolio['id']}"
    assert _read_twice(client, url, viewer).json()["name"] == "测试项目库"
    renamed = client.patch(url, json={"name": "改名后的项目库"}, headers=finance)
    assert renamed.status_code == 200, renamed.text
    assert client.get(url, headers=viewer).json()["name"] == "改名后的项目库"


def test_a_write_by_another_process_is_seen_at_once(client, engine: Engine, viewer, portfolio):
    """Another process (here: its own engine, as `capsched` commands and other server processes have)
    changes a project and a portfolio behind this server's back."""
    pid = portfolio["id"]
    projects_url = f"/api/portfolios/{pid}/projects"
    listed = _read_twice(client, projects_url, viewer).json()
    assert {p["name"] for p in listed} >= {"城区幼儿园"}
    with Session(engine) as session:
        project = session.execute(text("SELECT id FROM project WHERE code = 'T-01'")).scalar_one()
        row = session.get(Project, project)
        row.name = "城区幼儿园（另一进程改名）"
        session.add(row)
        session.commit()
    names = {p["code"]: p["name"] for p in client.get(projects_url, headers=viewer).json()}
    assert names["T-01"] == "城区幼儿园（另一进程改名）"
    _read_twice(client, f"/api/portfolios/{pid}", viewer)
    with Session(engine) as session:
        session.execute(text("UPDATE portfolio SET description = 'from elsewhere'"))
        session.commit()
    assert client.get(f"/api/portfolios/{pid}", headers=viewer).json()["description"] == "from elsewhere"


def test_an_added_project_changes_the_list_and_its_total(client, finance, viewer, portfolio):
    url = f"/api/portfolios/{portfolio['id']}/projects?limit=2"
    kept = _read_twice(client, url, viewer)
    assert kept.headers["X-Total-Count"] == "4"
    body = {"code": "T-05", "name": "新增学校", "category": "义务教育", "planned_start": 2023,
            "planned_end": 2024, "cost_wan": 1000}  # fmt: skip
    added = client.post(f"/api/portfolios/{portfolio['id']}/projects", json=body, headers=finance)
    assert added.status_code == 201, added.text
    again = client.get(url, headers=viewer)
    assert again.headers["X-Total-Count"] == "5"


def test_a_run_is_read_queued_then_done_and_its_gantt_follows_a_project_edit(
    client, finance, viewer, portfolio, scenario
):
    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 2}, headers=finance)
    assert started.status_code == 202, started.text
    rid = started.json()["id"]
    done = wait_for_run(client, rid, viewer, {"done", "failed"})  # polled: a kept 'queued' would never end
    assert done["status"] == "done", done
    assert _read_twice(client, f"/api/runs/{rid}", viewer).json()["status"] == "done"
    gantt_url = f"/api/runs/{rid}/gantt.json"
    assert "城区小学新建" in _read_twice(client, gantt_url, viewer).text
    t04 = next(p for p in client.get(f"/api/portfolios/{portfolio['id']}/projects", headers=viewer).json()
               if p["code"] == "T-04")  # fmt: skip
    edited = client.patch(
        f"/api/projects/{t04['id']}",
        json={"version": t04["version"], "name": "城区小学（改名）"},
        headers=finance,
    )
    assert edited.status_code == 200, edited.text
    redrawn = client.get(gantt_url, headers=viewer).text
    assert "城区小学（改名）" in redrawn and "城区小学新建" not in redrawn


def test_a_kept_answer_still_needs_a_valid_token(client, viewer, portfolio):
    url = f"/api/portfolios/{portfolio['id']}/projects"
    _read_twice(client, url, viewer)
    assert client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get(url).status_code == 401


def test_a_kept_answer_is_refused_to_a_revoked_token_and_sent_for_a_query_token(client, finance, portfolio):
    made = client.post("/api/users", json={"name": "临时读者", "role": "viewer"}, headers=finance).json()
    url = f"/api/portfolios/{portfolio['id']}"
    _read_twice(client, url, {"Authorization": f"Bearer {made['token']}"})
    by_query = client.get(f"{url}?token={made['token']}")
    assert by_query.status_code == 200 and by_query.json()["name"] == "测试项目库"
    revoked = client.post(f"/api/users/{made['id']}/revoke", headers=finance)
    assert revoked.status_code == 200, revoked.text
    again = client.get(url, headers={"Authorization": f"Bearer {made['token']}"})
    assert again.status_code == 401 and "revoked" in again.json()["detail"]


def test_a_running_runs_elapsed_counts_on_between_reads(client, finance, viewer):
    sid = _hard_portfolio(client, finance)
    run = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 120}, headers=finance).json()
    first = wait_for_run(client, run["id"], viewer, {"running", "done", "failed"})
    assert first["status"] == "running"
    time.sleep(0.3)
    second = client.get(f"/api/runs/{run['id']}", headers=viewer)
    assert second.status_code == 200 and second.json()["status"] == "running"
    assert second.json()["progress"]["elapsed"] >= first["progress"]["elapsed"] + 0.3
    assert orjson.dumps(second.json()) == second.content  # the bytes the route itself sends
    assert int(second.headers["Content-Length"]) == len(second.content)
    assert client.delete(f"/api/runs/{run['id']}", headers=finance).status_code == 202
    assert wait_for_run(client, run["id"], viewer, {"cancelled", "done", "failed"})["status"] == "cancelled"
