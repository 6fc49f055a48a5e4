"""The Gantt a reader can move through (issue 14): gantt.json's page, groups, folds and years through the
API; gantt.pdf as the run report's tiles, one a page with the year header and 第 N 页 / 共 M 页; the run
list without schedules."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import csv_bytes, flat_budget, project_row, wait_for_run

N = 40  # three tiles of 16 on A4
UNITS = ("县教委", "县住建委", "县发改委")


@pytest.fixture
def forty(client: TestClient, finance: dict[str, str]) -> dict[str, Any]:
    rows = [
        project_row(
            f"G-{i:02d}",
            responsible_unit=UNITS[i % 3],
            cost_wan=500 + 10 * i,
            planned_start=2022 + i % 3,
            planned_end=2024 + i % 3,
        )
        for i in range(N)
    ]
    pid = client.post("/api/portfolios", json={"name": "甘特图测试"}, headers=finance).json()["id"]
    files = {"file": ("p.csv", csv_bytes(rows), "text/csv")}
    assert client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance).status_code == 201
    body = {"name": "充足", "first_year": 2022, "last_year": 2030, "budget": flat_budget(2022, 2030, 100_000)}
    scenario = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 5}, headers=finance).json()
    done = wait_for_run(client, run["id"], finance, {"done", "failed"})
    assert done["status"] == "done", done
    return {"run": done, "scenario": scenario, "rows": rows}


def _meta(client: TestClient, headers: dict[str, str], run_id: int, query: str) -> dict[str, Any]:
    answer = client.get(f"/api/runs/{run_id}/gantt.json?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["layout"]["meta"]


def test_gantt_json_groups_by_unit_folds_a_unit_and_zooms_to_years(client, viewer, forty) -> None:
    run_id = forty["run"]["id"]

    grouped = _meta(client, viewer, run_id, "group=unit")
    folded = _meta(
        client, viewer, run_id, "group=unit&collapsed=县教委&collapsed=县发改委&from_year=2023&to_year=2025"
    )

    # project i belongs to UNITS[i % 3]: 14, 13 and 13 of the 40
    assert {g["key"]: g["count"] for g in grouped["groups"]} == {"县教委": 14, "县住建委": 13, "县发改委": 13}
    assert [g["key"] for g in folded["groups"] if g["collapsed"]] == ["县教委", "县发改委"]
    assert folded["shown_years"] == [2023, 2025]


def test_gantt_years_outside_the_run_are_422_in_plain_words(client, viewer, forty) -> None:
    answer = client.get(f"/api/runs/{forty['run']['id']}/gantt.json?from_year=1990", headers=viewer)

    assert answer.status_code == 422
    assert "the chart spans" in answer.json()["detail"]


def test_gantt_pdf_is_tiled_with_the_year_header_and_page_numbers_on_every_page(
    client, viewer, forty, tmp_path: Path
) -> None:
    answer = client.get(f"/api/runs/{forty['run']['id']}/gantt.pdf", headers=viewer)

    assert answer.status_code == 200
    pdf = tmp_path / "gantt.pdf"
    pdf.write_bytes(answer.content)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == 3  # 40 projects, 16 a tile
    codes = set()
    for number in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert re.search(rf"第\s*{number}\s*页\s*/\s*共\s*{pages}\s*页", text), text
        assert all(str(year) in text for year in range(2022, 2027))  # the year header of this tile
        assert "甘特图测试·充足" in re.sub(r"\s", "", text)  # the running header, on the first page too
        codes |= {row["code"] for row in forty["rows"] if row["code"] in text}
    assert codes == {row["code"] for row in forty["rows"]}


def test_the_run_list_without_schedules_keeps_each_runs_status(client, viewer, forty) -> None:
    sid = forty["scenario"]["id"]

    full = client.get(f"/api/scenarios/{sid}/runs", headers=viewer).json()
    brief = client.get(f"/api/scenarios/{sid}/runs?result=false", headers=viewer).json()

    assert full[0]["result"] is not None and brief[0]["result"] is None
    assert brief[0]["solver_status"] == full[0]["result"]["status"]
    assert brief[0]["objective"] == full[0]["result"]["objective"]
