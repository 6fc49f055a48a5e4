"""A run's Gantt chart and schedule table, as files any role may download."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlmodel import Session

from app.db import make_engine
from app.files import figures
from app.models import Run, RunStatus
from tests.api.conftest import wait_for_run


@pytest.fixture
def done_run(client, finance, scenario) -> dict:
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, {"done"})


def test_gantt_json_and_html_name_the_projects_in_chinese(client, viewer, done_run):
    chart = client.get(f"/api/runs/{done_run['id']}/gantt.json", headers=viewer)
    assert chart.status_code == 200
    assert chart.headers["content-type"] == "application/json"
    assert "城区幼儿园" in json.dumps(json.loads(chart.content), ensure_ascii=False)
    page = client.get(f"/api/runs/{done_run['id']}/gantt.html?lang=en", headers=viewer)
    assert page.status_code == 200
    assert page.text.startswith("<!DOCTYPE html>")


def test_gantt_png_is_an_image(client, viewer, done_run):
    image = client.get(f"/api/runs/{done_run['id']}/gantt.png", headers=viewer)
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_schedule_csv_and_xlsx_carry_every_project(client, viewer, done_run):
    table = client.get(f"/api/runs/{done_run['id']}/schedule.csv", headers=viewer)
    assert table.status_code == 200
    text = table.content.decode("utf-8-sig")
    assert all(code in text for code in ("T-01", "T-02", "T-03", "T-04"))
    workbook = client.get(f"/api/runs/{done_run['id']}/schedule.xlsx", headers=viewer)
    assert workbook.status_code == 200
    cells = [c for ws in openpyxl.load_workbook(io.BytesIO(workbook.content)) for r in ws.values for c in r]
    assert "职教中心实训楼" in cells


def test_unknown_format_is_422(client, viewer, done_run):
    response = client.get(f"/api/runs/{done_run['id']}/gantt.gif", headers=viewer)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("invalid input — fmt:")


def test_a_run_without_a_schedule_is_409(client, settings, viewer, scenario):
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        run = Run(
            scenario_id=scenario["id"], status=RunStatus.FAILED, time_limit=1, problem={}, started_by="x"
        )
        session.add(run)
        session.commit()
        run_id = run.id
    engine.dispose()
    response = client.get(f"/api/runs/{run_id}/schedule.csv", headers=viewer)
    assert response.status_code == 409
    assert response.json()["detail"] == f"run {run_id} has no schedule yet (status failed)"


def test_chart_without_a_browser_is_503_with_install_advice(client, viewer, done_run, monkeypatch):
    figures.close_static_renderer()
    monkeypatch.setenv("CAPSCHED_CHROMIUM", "/nonexistent/chromium")
    response = client.get(f"/api/runs/{done_run['id']}/gantt.svg", headers=viewer)
    assert response.status_code == 503
    assert response.json()["detail"] == figures.INSTALL_ADVICE
