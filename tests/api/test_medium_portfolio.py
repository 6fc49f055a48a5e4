"""A portfolio of more than 50 projects goes through HiGHS beside CP-SAT (solver/mip.py) on the server:
the run finishes with a verified schedule, and the progress stored on the way (reported from HiGHS's
thread as well as CP-SAT's) is never better than the answer."""

from __future__ import annotations

from solver import DEFAULT_PARAMS, Problem, Solution, Strategy, verify
from tests.api.conftest import csv_bytes, flat_budget, project_row, wait_for_run

FINISHED = {"done", "failed", "cancelled"}


def test_a_medium_portfolio_run_is_searched_by_highs_and_stores_a_verified_schedule(client, finance) -> None:
    rows = [
        project_row(
            f"M-{i:02d}",
            name=f"第{i + 1}号学校建设工程",
            planned_start=2022 + i % 3,
            planned_end=2024 + i % 3,
            cost_wan=800 + 37 * i,
        )
        for i in range(DEFAULT_PARAMS.mip_min_projects + 9)
    ]
    pid = client.post("/api/portfolios", json={"name": "中型项目库"}, headers=finance).json()["id"]
    files = {"file": ("projects.csv", csv_bytes(rows), "text/csv")}
    assert client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance).status_code == 201
    body = {
        "name": "每年1.6亿",
        "first_year": 2022,
        "last_year": 2030,
        "budget": flat_budget(2022, 2030, 16000),
    }
    scenario = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()

    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 5}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    assert run["status"] == "done", run["error"]
    result = run["result"]
    assert result["search"]["strategy"] == Strategy.MIP_AND_CP_SAT
    assert "highs" in result["search"]["engines"]
    assert result["status"] in {"OPTIMAL", "FEASIBLE"}
    assert len(result["projects"]) == len(rows)
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()
    assert verify(Problem.from_json(problem), Solution.from_json(result)) == []
    assert result["bound"] is not None and result["bound"] <= result["objective"]
    assert run["progress"]["objective"] >= result["objective"]
