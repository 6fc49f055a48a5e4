"""Regression: a scenario created with ★ soft (`star_deadline: null`) was stored with the 2025 default."""

from __future__ import annotations

from tests.api.conftest import flat_budget


def test_scenario_created_with_null_star_deadline_keeps_star_soft(client, finance, portfolio):
    body = {"name": "★可延期", "first_year": 2022, "last_year": 2026, "budget": flat_budget(2022, 2026, 100)}
    created = client.post(
        f"/api/portfolios/{portfolio['id']}/scenarios", json={**body, "star_deadline": None}, headers=finance
    )
    assert created.status_code == 201, created.text
    assert created.json()["star_deadline"] is None
    stored = client.get(f"/api/scenarios/{created.json()['id']}", headers=finance).json()
    assert stored["star_deadline"] is None
    run = client.post(f"/api/scenarios/{created.json()['id']}/runs", headers=finance).json()
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()
    assert all(p["deadline"] is None for p in problem["projects"])  # T-02 is ★: soft, no hard deadline
