"""A restart never leaves a run "running": what the previous process left unfinished is marked failed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.i18n.failures import INTERRUPTED_BY_RESTART
from app.models import Run, RunStatus
from tests.api.conftest import wait_for_run


def test_runs_left_running_by_a_dead_process_are_marked_failed_on_start(client, settings, finance, scenario):
    engine = make_engine(settings.database_url)
    with Session(engine) as session:  # what a killed server leaves behind
        for status in (RunStatus.RUNNING, RunStatus.QUEUED):
            session.add(
                Run(scenario_id=scenario["id"], status=status, time_limit=5, problem={}, started_by="x")
            )
        session.commit()
    engine.dispose()

    with TestClient(create_app(settings)) as restarted:
        url = f"/api/scenarios/{scenario['id']}/runs"
        runs = restarted.get(url, headers={**finance, "Accept-Language": "en"}).json()
        runs_zh = restarted.get(url, headers=finance).json()

    assert [r["status"] for r in runs] == ["failed", "failed"]
    assert {r["error"] for r in runs} == {INTERRUPTED_BY_RESTART}
    assert {r["error"] for r in runs_zh} == {"服务器重启，运行未完成即中断"}


def test_a_run_that_crashes_is_failed_with_the_reason(client, settings, finance, scenario):
    engine = make_engine(settings.database_url)
    with Session(engine) as session:  # a problem the solver refuses: a budget year missing
        problem = {"first_year": 2022, "last_year": 2023, "budget": {"2022": 100}, "projects": []}
        run = Run(scenario_id=scenario["id"], time_limit=1, problem=problem, started_by="财务科")
        session.add(run)
        session.commit()
        run_id = run.id
    engine.dispose()

    client.app.state.pool.submit("run", run_id)
    failed = wait_for_run(client, run_id, finance, {"failed", "done"})

    assert failed["status"] == "failed"
    assert failed["error"].startswith("ProblemError: ")
    zh = client.get(f"/api/runs/{run_id}", headers={**finance, "Accept-Language": "zh"}).json()
    assert zh["error"].startswith("内部错误（请报告）：ProblemError: ")
    assert "2023" in failed["error"]


def test_openapi_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/portfolios/{pid}/import",
        "/api/scenarios/{sid}/runs",
        "/api/runs/{rid}/gantt.{fmt}",
    } <= set(paths)
    assert client.get("/docs").status_code == 200
