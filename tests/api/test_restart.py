"""A restart never leaves a run "running": what the previous process left unfinished is marked failed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.models import Run, RunStatus
from app.runs import INTERRUPTED_BY_RESTART


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
        runs = restarted.get(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()

    assert [r["status"] for r in runs] == ["failed", "failed"]
    assert {r["error"] for r in runs} == {INTERRUPTED_BY_RESTART}
