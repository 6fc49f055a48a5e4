"""The whole path a finance officer takes: import → scenario → background run → verified schedule."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.main import create_app
from app.db import make_engine, migrate
from app.services.seeding import DEFAULT_SCENARIO_NAME, SEED_PORTFOLIO_NAME, STAR_SCENARIO_NAME
from solver import Problem, Solution, verify
from tests.api.conftest import SMALL_PORTFOLIO, flat_budget, projects_by_code, wait_for_run

FINISHED = {"done", "failed", "cancelled"}


def test_import_scenario_run_gives_a_verified_schedule(client, finance, portfolio):
    pid = portfolio["id"]
    scenario = client.post(
        f"/api/portfolios/{pid}/scenarios",
        json={
            "name": "紧预算",
            "first_year": 2022,
            "last_year": 2028,
            "budget": flat_budget(2022, 2028, 3500),
        },
        headers=finance,
    ).json()

    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 3}, headers=finance)
    assert started.status_code == 202
    assert started.json()["status"] in {"queued", "running"}
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    assert run["status"] == "done", run["error"]
    assert run["started_by"] == "财务科"
    result = run["result"]
    assert result["status"] in {"OPTIMAL", "FEASIBLE"}
    assert {p["id"] for p in result["projects"]} == {row["code"] for row in SMALL_PORTFOLIO}
    assert [y["year"] for y in result["years"]] == list(range(2022, 2029))
    assert all(y["spend"] <= y["budget"] == 3500 for y in result["years"])
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()
    assert verify(Problem.from_json(problem), Solution.from_json(result)) == []
    assert run["progress"]["objective"] == result["objective"] == run["objective"]


def test_two_runs_of_the_same_scenario_give_the_same_schedule(client, finance, scenario):
    first, second = (
        client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()["id"] for _ in range(2)
    )
    a = wait_for_run(client, first, finance, FINISHED)["result"]
    b = wait_for_run(client, second, finance, FINISHED)["result"]
    assert a["status"] == b["status"] == "OPTIMAL"
    assert (a["objective"], a["projects"], a["years"]) == (b["objective"], b["projects"], b["years"])


def test_a_run_keeps_the_problem_it_solved_when_projects_change_later(client, finance, portfolio, scenario):
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    wait_for_run(client, run["id"], finance, FINISHED)
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    client.patch(f"/api/projects/{t01['id']}", json={"version": 1, "cost_wan": 2500}, headers=finance)

    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()
    assert next(p for p in problem["projects"] if p["id"] == "T-01")["cost"] == 2000


def test_infeasible_scenario_is_a_finished_run_that_explains_why(client, finance, portfolio):
    body = {"name": "太少", "first_year": 2022, "last_year": 2024, "budget": flat_budget(2022, 2024, 500)}
    scenario = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance).json()
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    run = wait_for_run(client, run["id"], finance, FINISHED)
    assert run["status"] == "done"
    assert run["result"]["status"] == "INFEASIBLE"
    assert run["result"]["diagnostics"]["messages"]


def test_first_start_seeds_the_portfolio_and_default_scenario_once(settings):
    seeded = settings.model_copy(update={"seed": True})
    for _ in range(2):  # a second start must not load it again
        with TestClient(create_app(seeded)):
            pass
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT name FROM portfolio")).scalars().all()
        scenarios = connection.execute(
            sa.text("SELECT name, first_year, last_year FROM scenario ORDER BY id")
        ).all()
        projects = connection.execute(sa.text("SELECT count(*) FROM project")).scalar_one()
    engine.dispose()
    assert names == [SEED_PORTFOLIO_NAME]
    assert [tuple(s) for s in scenarios] == [
        (DEFAULT_SCENARIO_NAME, 2020, 2030),
        (STAR_SCENARIO_NAME, 2020, 2030),
    ]
    assert projects == 19


def test_migration_creates_the_schema_on_an_empty_database(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"portfolio", "project", "scenario", "run", "app_user", "alembic_version"} <= tables


def test_chinese_text_survives_import_and_read_back(client, finance, portfolio):
    projects = projects_by_code(client, portfolio["id"], finance)
    assert projects["T-03"]["name"] == "职教中心实训楼"
    assert projects["T-03"]["responsible_unit"] == "县人社局"
    assert projects["T-01"]["category"] == "学前教育"
