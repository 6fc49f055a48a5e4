"""A run's slippage report over HTTP: per project and per responsible unit, how late and why."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session

from app.models import Run, RunStatus
from tests.api.conftest import flat_budget, wait_for_run


@pytest.fixture
def tight_run(client, finance, portfolio) -> dict[str, Any]:
    """1500 万元 a year for 8900 万元 of projects planned over 2022–2025, ★ soft: some must slip."""
    body = {
        "name": "每年1500万",
        "first_year": 2022,
        "last_year": 2030,
        "budget": flat_budget(2022, 2030, 1500),
        "star_deadline": None,
        "time_limit": 3,
    }
    scenario = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance).json()
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, {"done"})


def test_report_json_says_how_late_each_project_is_and_why(client, viewer, tight_run):
    response = client.get(f"/api/runs/{tight_run['id']}/slippage.json", headers=viewer)
    assert response.status_code == 200
    report = response.json()
    assert report["has_baseline"] is False
    rows = {row["code"]: row for row in report["projects"]}
    assert set(rows) == {"T-01", "T-02", "T-03", "T-04"}
    ends = {p["id"]: p["end"] for p in tight_run["result"]["projects"]}
    for code, row in rows.items():
        assert row["forecast_end"] == ends[code]
        assert row["years_late"] == max(0, ends[code] - row["planned_end"])
    late = [row for row in rows.values() if row["years_late"]]
    assert late, "1500 a year cannot keep 8900 万元 of projects on plan"
    assert all(row["reason"] == "budget" and row["reason_label"] == "资金约束" for row in late)
    units = {u["unit"]: u for u in report["units"]}
    assert set(units) == {"县教委", "县人社局"}
    assert sum(u["late"] for u in units.values()) == len(late)


def test_report_csv_and_xlsx_are_in_chinese(client, viewer, tight_run):
    text = client.get(f"/api/runs/{tight_run['id']}/slippage.csv", headers=viewer).content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["编号", "项目名称", "责任单位"]
    assert len(rows) == 4
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/runs/{tight_run['id']}/slippage.xlsx", headers=viewer).content)
    )
    assert book.sheetnames == ["项目延期", "责任单位"]


def test_report_compares_with_the_baseline_once_approved(client, finance, tight_run):
    client.post(f"/api/runs/{tight_run['id']}/approve", headers=finance)
    report = client.get(f"/api/runs/{tight_run['id']}/slippage.json?lang=en", headers=finance).json()
    assert report["has_baseline"] is True
    assert all(row["late_vs_baseline"] == 0 for row in report["projects"])  # the run is its own baseline
    assert all(row["baseline_end"] == row["forecast_end"] for row in report["projects"])


def test_a_run_without_a_schedule_has_no_report(client, engine, finance, scenario):
    with Session(engine) as session:
        run = Run(
            scenario_id=scenario["id"], status=RunStatus.QUEUED, time_limit=1, problem={}, started_by="x"
        )
        session.add(run)
        session.commit()
        run_id = run.id
    response = client.get(f"/api/runs/{run_id}/slippage.json", headers=finance)
    assert response.status_code == 409
    assert response.json()["detail"] == f"run {run_id} has no schedule to report on (status queued)"
