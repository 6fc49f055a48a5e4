"""Baselines: finance approves a finished run as its portfolio's plan of record; the Gantt compares to it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.models import Run, RunStatus
from tests.api.conftest import wait_for_run


@pytest.fixture
def done_run(client, finance, scenario) -> dict[str, Any]:
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, {"done"})


def _trace_names(client, run_id: int, headers: dict[str, str]) -> dict[str, str]:
    """The Gantt's layers: the plan (ghost), lateness against it (late) and the baseline, by name."""
    chart = client.get(f"/api/runs/{run_id}/gantt.json", headers=headers).json()
    layers = ("ghost", "late", "baseline")
    return {trace["meta"]: trace["name"] for trace in chart["data"] if trace.get("meta") in layers}


def test_finance_approves_a_run_as_the_baseline_with_who_and_when(
    client, finance, viewer, portfolio, done_run
):
    approved = client.post(f"/api/runs/{done_run['id']}/approve", headers=finance)
    assert approved.status_code == 201, approved.text
    assert approved.json()["approved_by"] == "财务科"
    baseline = client.get(f"/api/portfolios/{portfolio['id']}/baseline", headers=viewer)
    assert baseline.status_code == 200
    assert baseline.json()["run_id"] == done_run["id"]
    assert baseline.json()["approved_at"]


def test_the_newest_approval_is_the_baseline(client, finance, portfolio, scenario, done_run):
    second = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    wait_for_run(client, second["id"], finance, {"done"})
    client.post(f"/api/runs/{done_run['id']}/approve", headers=finance)
    client.post(f"/api/runs/{second['id']}/approve", headers=finance)
    assert (
        client.get(f"/api/portfolios/{portfolio['id']}/baseline", headers=finance).json()["run_id"]
        == second["id"]
    )


def test_a_portfolio_without_a_baseline_is_404(client, viewer, portfolio):
    response = client.get(f"/api/portfolios/{portfolio['id']}/baseline", headers=viewer)
    assert response.status_code == 404
    assert response.json()["detail"] == f"baseline of portfolio {portfolio['id']} does not exist"


def test_owners_and_viewers_may_not_approve(client, owner, viewer, done_run):
    for headers in (owner, viewer):
        assert client.post(f"/api/runs/{done_run['id']}/approve", headers=headers).status_code == 403


def test_a_failed_run_cannot_be_the_baseline(client, engine, finance, scenario):
    with Session(engine) as session:
        run = Run(
            scenario_id=scenario["id"], status=RunStatus.FAILED, time_limit=1, problem={}, started_by="x"
        )
        session.add(run)
        session.commit()
        run_id = run.id
    response = client.post(f"/api/runs/{run_id}/approve", headers=finance)
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"run {run_id} cannot be the baseline: only a finished run with a schedule can "
        "(this one is failed, solver status none)"
    )


def test_the_gantt_keeps_the_plan_and_adds_the_baseline_once_approved(client, finance, viewer, done_run):
    """Issue 13: plan (grey), lateness against it (red) and the baseline (outline) in gantt.json."""
    assert _trace_names(client, done_run["id"], viewer) == {"ghost": "计划期", "late": "延期部分"}
    client.post(f"/api/runs/{done_run['id']}/approve", headers=finance)
    assert _trace_names(client, done_run["id"], viewer) == {
        "ghost": "计划期",
        "late": "延期部分",
        "baseline": "基准计划",
    }
