"""The server's own Dask LocalCluster: started by the first job that fans out, stopped with the server."""

from __future__ import annotations

import time

import psutil
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from app import solve_process
from app.db import make_engine
from app.models import Role
from app.services import users as accounts
from tests.api.conftest import flat_budget


def _finance(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            _, token = accounts.add_user(session=session, name="财务科", role=Role.FINANCE)
            session.commit()
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {token}"}


def test_the_local_cluster_starts_for_a_job_and_its_workers_stop_with_the_server(settings):
    own = settings.model_copy(update={"dask_address": None, "dask_workers": 1})
    # the solves' fork server (app/solve_process.py) serves every app of this process and ends with it,
    # not with one server: started before counting, so only the cluster's processes are counted
    solve_process.prepare()
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with TestClient(create_app(own), headers={"Accept-Language": "en"}) as client:
        finance = _finance(own.database_url)
        pid = client.post("/api/portfolios", json={"name": "本地集群"}, headers=finance).json()["id"]
        project = {
            "code": "A",
            "name": "A 学校",
            "category": "义务教育",
            "planned_start": 2022,
            "planned_end": 2023,
            "cost_wan": 300,
            "star": True,
        }
        assert (
            client.post(f"/api/portfolios/{pid}/projects", json=project, headers=finance).status_code == 201
        )
        body = {"name": "s", "first_year": 2022, "last_year": 2025, "budget": flat_budget(2022, 2025, 200)}
        sid = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]
        assert client.app.state.fanout.started is False  # nothing fans out yet: no cluster
        job = client.post(
            f"/api/scenarios/{sid}/least-budget", json={"time_limit": 5}, headers=finance
        ).json()
        while (found := client.get(f"/api/least-budget/{job['id']}", headers=finance).json())[
            "status"
        ] not in (
            "done",
            "failed",
        ):
            time.sleep(0.1)
        assert found["status"] == "done", found["error"]
        # ★ A's 300 by 2025 (the plan period) over 2022–2025: 75 a year, and 74 sums to less than 300
        assert found["amount_wan"] == 75
        assert client.app.state.fanout.started is True
        during = {p.pid for p in psutil.Process().children(recursive=True)}
        assert during - before  # the LocalCluster's worker process
    after = {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}
    assert not (after - before)  # stopped with the server


def test_a_dask_scheduler_that_cannot_be_reached_fails_the_job_naming_its_address(settings):
    # port 9: nobody listens; CAPSCHED_DASK_CONNECT_TIMEOUT 2 s instead of 20 (Dask retries until then)
    nowhere = settings.model_copy(update={"dask_address": "tcp://127.0.0.1:9", "dask_connect_timeout": 2.0})
    with TestClient(create_app(nowhere), headers={"Accept-Language": "en"}) as client:
        finance = _finance(nowhere.database_url)
        pid = client.post("/api/portfolios", json={"name": "无集群"}, headers=finance).json()["id"]
        project = {
            "code": "A",
            "name": "A",
            "category": "义务教育",
            "planned_start": 2022,
            "planned_end": 2023,
            "cost_wan": 300,
        }
        assert (
            client.post(f"/api/portfolios/{pid}/projects", json=project, headers=finance).status_code == 201
        )
        body = {"name": "s", "first_year": 2022, "last_year": 2025, "budget": flat_budget(2022, 2025, 200)}
        sid = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]
        job = client.post(
            f"/api/scenarios/{sid}/sweeps", json={"amounts": [100, 200]}, headers=finance
        ).json()
        while (found := client.get(f"/api/sweeps/{job['id']}", headers=finance).json())["status"] in (
            "queued",
            "running",
        ):
            time.sleep(0.2)
    assert found["status"] == "failed"
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9 (CAPSCHED_DASK_ADDRESS)" in found["error"]
    assert found["error"].endswith("after 2 s")  # the configured timeout, not Dask's 20 s default
