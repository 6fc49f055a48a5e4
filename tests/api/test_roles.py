"""Who may do what: viewer reads; owner edits its own unit's projects; finance does everything."""

from __future__ import annotations

import pytest

from tests.api.conftest import csv_bytes, flat_budget, project_row, projects_by_code

NEW_SCENARIO = {
    "name": "新情景",
    "first_year": 2022,
    "last_year": 2026,
    "budget": flat_budget(2022, 2026, 3000),
}


def _requests(portfolio, scenario, own_id, other_id):
    """(name, method, path, body) for every kind of write, plus reads."""
    pid, sid = portfolio["id"], scenario["id"]
    return {
        "read portfolios": ("GET", "/api/portfolios", None),
        "read projects": ("GET", f"/api/portfolios/{pid}/projects", None),
        "read scenario": ("GET", f"/api/scenarios/{sid}", None),
        "create portfolio": ("POST", "/api/portfolios", {"name": "另一个项目库"}),
        "create scenario": ("POST", f"/api/portfolios/{pid}/scenarios", NEW_SCENARIO),
        "edit scenario": ("PATCH", f"/api/scenarios/{sid}", {"version": 1, "carryover": True}),
        "start run": ("POST", f"/api/scenarios/{sid}/runs", None),
        "edit own-unit project": ("PATCH", f"/api/projects/{own_id}", {"version": 1, "status": "在建"}),
        "edit other-unit project": ("PATCH", f"/api/projects/{other_id}", {"version": 1, "status": "在建"}),
    }


ALLOWED = {
    "viewer": {"read portfolios", "read projects", "read scenario"},
    "owner": {"read portfolios", "read projects", "read scenario", "edit own-unit project"},
    "finance": {
        "read portfolios", "read projects", "read scenario", "create portfolio", "create scenario",
        "edit scenario", "start run", "edit own-unit project", "edit other-unit project",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", ["viewer", "owner", "finance"])
def test_role_matrix(request, client, portfolio, scenario, role):
    headers = request.getfixturevalue(role)
    finance = request.getfixturevalue("finance")
    projects = projects_by_code(client, portfolio["id"], finance)
    own, other = projects["T-01"]["id"], projects["T-03"]["id"]  # 县教委 / 县人社局

    for action, (method, path, body) in _requests(portfolio, scenario, own, other).items():
        response = client.request(method, path, json=body, headers=headers)
        if action in ALLOWED[role]:
            assert response.status_code < 300, (action, response.text)
        else:
            assert response.status_code == 403, (action, response.text)
            assert response.json()["detail"]


def test_viewer_is_told_which_roles_may_act(client, viewer, portfolio):
    response = client.post("/api/portfolios", json={"name": "x"}, headers=viewer)
    assert response.json()["detail"] == "user 审计 has role viewer; only finance may do this"


def test_owner_may_not_edit_another_units_project(client, owner, finance, portfolio):
    other = projects_by_code(client, portfolio["id"], finance)["T-03"]
    response = client.patch(f"/api/projects/{other['id']}", json={"version": 1, "cost_wan": 1}, headers=owner)
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "owner 县教委项目办 may only change projects of its own unit '县教委', not of '县人社局'"
    )


def test_owner_may_not_hand_its_project_to_another_unit(client, owner, finance, portfolio):
    own = projects_by_code(client, portfolio["id"], finance)["T-01"]
    response = client.patch(
        f"/api/projects/{own['id']}", json={"version": 1, "responsible_unit": "县人社局"}, headers=owner
    )
    assert response.status_code == 403
    assert projects_by_code(client, portfolio["id"], finance)["T-01"]["responsible_unit"] == "县教委"


def test_an_owner_may_neither_add_nor_remove_a_project_of_the_approved_plan(
    client, owner, finance, portfolio
):
    """A new or removed project changes the approved plan: finance adds it; an owner asks for a removal by
    a change request (issue 13: an owner added a ★ project of 99,999 万元 straight into the plan)."""
    pid = portfolio["id"]
    mine = {"code": "T-20", "name": "新建食堂", "category": "义务教育", "responsible_unit": "县教委"}
    refused_add = client.post(f"/api/portfolios/{pid}/projects", json=mine, headers=owner)
    assert refused_add.status_code == 403
    assert refused_add.json()["detail"].startswith("adding a project changes the approved plan")
    assert "T-20" not in projects_by_code(client, pid, finance)
    added = client.post(f"/api/portfolios/{pid}/projects", json=mine, headers=finance)
    assert added.status_code == 201
    refused = client.delete(f"/api/projects/{added.json()['id']}", headers=owner)
    assert refused.status_code == 403 and "change request" in refused.json()["detail"]
    assert client.delete(f"/api/projects/{added.json()['id']}", headers=finance).status_code == 204


def test_only_finance_imports(client, owner, viewer, portfolio):
    files = {"file": ("p.csv", csv_bytes([project_row("T-30")]), "text/csv")}
    for headers in (owner, viewer):
        response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=headers)
        assert response.status_code == 403
