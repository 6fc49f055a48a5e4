"""The seeded portfolio's funding sources (data/sources.csv, data/funding_rules.csv): labelled illustrative,
their numbers exactly those of the files, quotas in both seeded scenarios, and both scenarios still solve."""

from __future__ import annotations

import csv

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.models import Role
from app.resources import seed_funding_rules_csv, seed_sources_csv
from app.services import users as accounts
from app.services.seeding import DEFAULT_SCENARIO_NAME, STAR_SCENARIO_NAME
from tests.api.conftest import wait_for_run

FINISHED = {"done", "failed", "cancelled"}


@pytest.fixture
def seeded(settings):
    """The app on a database seeded as at first start, and finance's headers."""
    with TestClient(
        create_app(settings.model_copy(update={"seed": True})), headers={"Accept-Language": "en"}
    ) as c:
        engine = make_engine(settings.database_url)
        with Session(engine) as session:
            _, token = accounts.add_user(session=session, name="财务科", role=Role.FINANCE)
            session.commit()
        engine.dispose()
        yield c, {"Authorization": f"Bearer {token}"}


def test_the_seed_gets_the_illustrative_sources_and_quotas_of_data_sources_csv(seeded) -> None:
    client, finance = seeded
    pid = client.get("/api/portfolios", headers=finance).json()[0]["id"]
    funding = client.get(f"/api/portfolios/{pid}/funding", headers=finance).json()
    scenarios = {
        s["id"]: s["name"] for s in client.get(f"/api/portfolios/{pid}/scenarios", headers=finance).json()
    }
    with seed_sources_csv().open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))

    assert funding["illustrative"] is True
    assert all(s["illustrative"] and "illustrative" in s["basis"] for s in funding["sources"])
    assert [s["code"] for s in funding["sources"]] == ["central", "city", "bond", "county"]
    stored = {(scenarios[q["scenario_id"]], q["source_code"]): q["budget"] for q in funding["quotas"]}
    assert stored == {
        (r["scenario"], r["code"]): {y: int(r[y]) for y in map(str, range(2020, 2031))} for r in rows
    }
    # the quotas of each scenario add up to its annual cap, year by year
    for sid, name in scenarios.items():
        cap = client.get(f"/api/scenarios/{sid}", headers=finance).json()["budget"]
        assert all(
            sum(stored[name, k][y] for k in ("central", "city", "bond", "county")) == cap[y] for y in cap
        )
    with seed_funding_rules_csv().open(encoding="utf-8") as f:
        assert len(funding["rules"]) == len(list(csv.DictReader(f)))


@pytest.mark.parametrize("name", [DEFAULT_SCENARIO_NAME, STAR_SCENARIO_NAME])
def test_each_seeded_scenario_still_solves_with_its_sources(seeded, name) -> None:
    client, finance = seeded
    pid = client.get("/api/portfolios", headers=finance).json()[0]["id"]
    scenario = next(
        s for s in client.get(f"/api/portfolios/{pid}/scenarios", headers=finance).json() if s["name"] == name
    )

    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 10}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    assert run["status"] == "done" and run["result"]["status"] in {"OPTIMAL", "FEASIBLE"}
    assert {e["source"] for e in run["result"]["source_years"]} == {"central", "city", "bond", "county"}
    wx19 = next(p for p in run["result"]["projects"] if p["id"] == "WX-19")  # 继续教育: no 专项债
    assert all("bond" not in split for split in wx19["sources"].values())
    wx07 = next(p for p in run["result"]["projects"] if p["id"] == "WX-07")  # the 3,000 central grant
    assert sum(split.get("central", 0) for split in wx07["sources"].values()) == 3000
