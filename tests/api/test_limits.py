"""Every limit of README "Limits" is checked at the edge: 422 naming the field, nothing stored (issue 18)."""

from __future__ import annotations

import pytest

from app.rules.limits import MAX_PROJECTS
from app.settings import Settings
from tests.api.conftest import csv_bytes, flat_budget, project_row, projects_by_code


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The server's own upload limit (5 MB): a list of 10,000 projects is ~1 MB."""
    return Settings(database_url=database_url, seed=False, workers=1, solver_threads=1)


def _scenario(**extra):
    return {
        "name": "上限",
        "first_year": 2022,
        "last_year": 2026,
        "budget": flat_budget(2022, 2026, 3000),
        **extra,
    }


def test_a_budget_cap_of_2_to_the_63_is_422_naming_the_budget(client, finance, portfolio):
    body = _scenario(budget={**flat_budget(2022, 2026, 3000), "2024": 2**63})
    response = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "invalid input — budget cap is over 1,000,000,000 万元 for year(s) 2024"
    )
    assert client.get(f"/api/portfolios/{portfolio['id']}/scenarios", headers=finance).json() == []


def test_an_override_weight_that_would_overflow_the_stored_objective_is_422_naming_it(
    client, finance, portfolio
):
    body = _scenario(overrides={"T-01": {"weight": 2**40}})
    response = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance)
    assert response.status_code == 422
    assert (
        "overrides.T-01.weight must be a whole number from 0 to 1,000, not 1099511627776"
        in response.json()["detail"]
    )


def test_a_nul_character_in_a_name_is_422_naming_the_field(client, finance, portfolio):
    body = {"code": "T-09", "name": "学校\x00", "category": "义务教育"}
    response = client.post(f"/api/portfolios/{portfolio['id']}/projects", json=body, headers=finance)
    assert response.status_code == 422
    assert (
        response.json()["detail"]
        == "invalid input — name: holds the control character U+0000, which cannot be stored"
    )
    assert "T-09" not in projects_by_code(client, portfolio["id"], finance)


def test_a_nul_in_an_edit_or_a_query_is_422_too(client, finance, portfolio):
    project = projects_by_code(client, portfolio["id"], finance)["T-01"]
    edit = client.patch(
        f"/api/projects/{project['id']}",
        json={"version": project["version"], "location": "\x00"},
        headers=finance,
    )
    assert edit.status_code == 422
    assert "location: holds the control character U+0000" in edit.json()["detail"]
    files = {"file": ("p.csv", csv_bytes([project_row("N-01")]), "text/csv")}
    named = client.post("/api/portfolios/import", params={"name": "新\x00库"}, files=files, headers=finance)
    assert named.status_code == 422
    assert named.json()["errors"][0]["loc"] == ["query", "name"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("cost_wan", 2**31, "must be at most 1000000000"),
        ("spent_wan", 2**63, "must be at most 1000000000"),
        ("seats_added", 10**7, "must be at most 100000"),
        ("planned_end", 2**40, "must be at most 2200"),
    ],
)
def test_numbers_the_database_cannot_hold_are_422_naming_the_field(
    client, finance, portfolio, field, value, words
):
    body = {"code": "T-09", "name": "学校", "category": "义务教育", field: value}
    response = client.post(f"/api/portfolios/{portfolio['id']}/projects", json=body, headers=finance)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]
    assert words in response.json()["errors"][0]["msg"]


def test_an_infinite_area_is_422(client, finance, portfolio):
    raw = '{"code": "T-09", "name": "学校", "category": "义务教育", "floor_area_m2": Infinity}'
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/projects",
        content=raw,
        headers={**finance, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "floor_area_m2"]


def test_an_id_above_the_database_integer_is_422_naming_it(client, finance):
    response = client.get(f"/api/portfolios/{2**63}", headers=finance)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "pid"]
    audit = client.get(f"/api/audit?project={2**63}", headers=finance)
    assert audit.status_code == 422


def test_a_sweep_of_huge_amounts_or_an_endless_time_limit_is_422(client, finance, portfolio):
    created = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=_scenario(), headers=finance)
    sid = created.json()["id"]
    sweep = client.post(f"/api/scenarios/{sid}/sweeps", json={"amounts": [1000, 2**63]}, headers=finance)
    assert sweep.status_code == 422
    assert sweep.json()["errors"][0]["loc"][:2] == ["body", "amounts"]
    run = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 1e308}, headers=finance)
    assert run.status_code == 422
    assert run.json()["errors"][0]["loc"] == ["body", "time_limit"]


def test_a_portfolio_holds_at_most_the_documented_number_of_projects(client, finance):
    pid = client.post("/api/portfolios", json={"name": "大项目库"}, headers=finance).json()["id"]
    rows = [project_row(f"P-{i:05d}") for i in range(MAX_PROJECTS + 1)]
    too_many = client.post(
        f"/api/portfolios/{pid}/import",
        files={"file": ("p.csv", csv_bytes(rows), "text/csv")},
        headers=finance,
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "a portfolio holds at most 10,000 projects; this would make 10,001"
    full = client.post(
        f"/api/portfolios/{pid}/import",
        files={"file": ("p.csv", csv_bytes(rows[:MAX_PROJECTS]), "text/csv")},
        headers=finance,
    )
    assert full.status_code == 201, full.text
    one_more = client.post(
        f"/api/portfolios/{pid}/projects",
        json={"code": "P-X", "name": "再一个", "category": "义务教育"},
        headers=finance,
    )
    assert one_more.status_code == 422
    assert one_more.json()["detail"] == "a portfolio holds at most 10,000 projects; this would make 10,001"
