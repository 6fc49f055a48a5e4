"""Budget sweeps and the least budget over HTTP: background jobs with progress, points, curve files."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import replace
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from app.models import Job, JobKind, RunStatus
from solver import Problem, SolveStatus, solve


def wait_for(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a job until it has finished (the test timeout guards against forever)."""
    while True:
        job = client.get(url, headers=headers)
        assert job.status_code == 200, job.text
        if job.json()["status"] in {"done", "failed", "cancelled"}:
            return job.json()
        time.sleep(0.05)


def test_a_sweep_solves_every_amount_and_reports_each_point(client, finance, viewer, scenario):
    started = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps",
        json={"amounts": [1500, 3000, 6000], "time_limit": 2},
        headers=finance,
    )
    assert started.status_code == 202, started.text
    assert started.json()["progress"] == {"done": 0, "total": 3}
    done = wait_for(client, f"/api/sweeps/{started.json()['id']}", viewer)
    assert done["status"] == "done"
    assert done["progress"] == {"done": 3, "total": 3}
    assert [p["flat_wan"] for p in done["points"]] == [1500, 3000, 6000]
    assert done["current_cap_wan"] == 3000
    for point in done["points"]:
        assert {"objective", "projects_late", "star_late", "deferred", "status", "proven"} <= point.keys()
    solved = [p["objective"] for p in done["points"] if p["objective"] is not None]
    assert solved == sorted(solved, reverse=True)  # more money never adds slippage


def test_sweep_points_match_solving_each_level_alone(client, finance, scenario):
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    problem = Problem.from_json(client.get(f"/api/runs/{run['id']}/problem", headers=finance).json())
    started = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps",
        json={"levels": "1:1.5:0.5", "time_limit": 2},
        headers=finance,
    )
    done = wait_for(client, f"/api/sweeps/{started.json()['id']}", finance)
    for point in done["points"]:
        caps = {int(y): c for y, c in point["caps"].items()}
        alone = solve(replace(problem, budget=caps), time_limit=2, workers=1)
        assert alone.status is SolveStatus.OPTIMAL
        assert point["objective"] == alone.objective


def test_curve_downloads_as_chart_and_tables_in_chinese(client, finance, viewer, scenario):
    started = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps",
        json={"levels": [0.8, 1.2], "time_limit": 2},
        headers=finance,
    )
    sweep_id = wait_for(client, f"/api/sweeps/{started.json()['id']}", finance)["id"]
    chart = client.get(f"/api/sweeps/{sweep_id}/curve.json", headers=viewer)
    assert chart.status_code == 200
    assert "预算与延期权衡曲线" in json.dumps(chart.json(), ensure_ascii=False)
    assert client.get(f"/api/sweeps/{sweep_id}/curve.html", headers=viewer).text.startswith("<!DOCTYPE html>")
    assert client.get(f"/api/sweeps/{sweep_id}/curve.png", headers=viewer).content.startswith(b"\x89PNG")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/api/sweeps/{sweep_id}/curve.csv", headers=viewer).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:4] == ["预算水平", "年均预算(万元)", "预算合计(万元)", "加权延期"]
    assert len(rows) == 3
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/sweeps/{sweep_id}/curve.xlsx", headers=viewer).content)
    )
    assert book.active.max_row == 3


def test_sweep_rejects_bad_levels_in_plain_words(client, finance, scenario):
    response = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps", json={"levels": "1.5:0.5:0.1"}, headers=finance
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "levels '1.5:0.5:0.1': TO (0.5) is less than FROM (1.5)"
    both = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps", json={"levels": "1", "amounts": [1]}, headers=finance
    )
    assert both.status_code == 422
    assert (
        both.json()["detail"] == "give either levels (scale factors) or amounts (flat 万元 a year), not both"
    )


def test_only_finance_starts_a_sweep(client, owner, viewer, scenario):
    for headers in (owner, viewer):
        response = client.post(f"/api/scenarios/{scenario['id']}/sweeps", headers=headers)
        assert response.status_code == 403


def test_a_sweep_id_is_not_a_least_budget_id(client, finance, scenario):
    started = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps", json={"amounts": [3000]}, headers=finance
    )
    response = client.get(f"/api/least-budget/{started.json()['id']}", headers=finance)
    assert response.status_code == 404
    assert response.json()["detail"] == f"least-budget job {started.json()['id']} does not exist"


def test_least_budget_star_gives_the_amount_and_the_schedule_at_it(client, finance, viewer, scenario):
    started = client.post(
        f"/api/scenarios/{scenario['id']}/least-budget",
        json={"rule": "star", "time_limit": 5},
        headers=finance,
    )
    assert started.status_code == 202, started.text
    done = wait_for(client, f"/api/least-budget/{started.json()['id']}", viewer)
    assert done["status"] == "done" and done["outcome"] == "found", done
    amount = done["amount_wan"]
    assert done["mode"] == "flat"
    assert set(done["caps"].values()) == {amount}
    assert [y["budget"] for y in done["result"]["years"]] == [amount] * 7
    t02 = next(p for p in done["result"]["projects"] if p["id"] == "T-02")
    assert t02["scheduled"] and t02["end"] <= 2025
    # one 万元 less is proven to fail: a step failed at amount - 1, or the counting argument says so
    assert (
        any(s["key"] == amount - 1 and s["verdict"] == "fails" for s in done["steps"])
        or "sum to less" in done["message"]
    )
    assert done["message"].startswith(f"{amount:,} 万元 a year meets the rule 'every ★ on time'")
    url = f"/api/least-budget/{started.json()['id']}"
    zh = client.get(url, headers={**viewer, "Accept-Language": "zh"}).json()
    assert zh["message"].startswith(f"每年 {amount:,} 万元 满足“★ 项目按期完工”")


def test_least_budget_zero_slippage_is_at_least_the_star_amount(client, finance, scenario):
    amounts = {}
    for rule in ("star", "zero-slippage"):
        started = client.post(
            f"/api/scenarios/{scenario['id']}/least-budget",
            json={"rule": rule, "time_limit": 5},
            headers=finance,
        )
        amounts[rule] = wait_for(client, f"/api/least-budget/{started.json()['id']}", finance)["amount_wan"]
    assert amounts["zero-slippage"] >= amounts["star"]
    late = client.post(
        f"/api/scenarios/{scenario['id']}/least-budget", json={"rule": "late"}, headers=finance
    )
    assert late.status_code == 422


def test_a_sweep_left_running_by_a_stopped_server_is_marked_failed_on_start(
    client, engine, settings, finance, scenario
):
    with Session(engine) as session:
        job = Job(
            scenario_id=scenario["id"],
            kind=JobKind.SWEEP,
            status=RunStatus.RUNNING,
            params={"levels": [], "current_cap_wan": 3000},
            started_by="财务科",
        )
        session.add(job)
        session.commit()
        job_id = job.id
    with TestClient(create_app(settings)) as restarted:
        sweep = restarted.get(f"/api/sweeps/{job_id}", headers={**finance, "Accept-Language": "en"}).json()
        sweep_zh = restarted.get(f"/api/sweeps/{job_id}", headers=finance).json()
    assert sweep["status"] == "failed"
    assert sweep["error"] == "interrupted by a restart of the server before it finished"
    assert sweep_zh["error"] == "服务器重启，运行未完成即中断"
