"""The plan of record cannot be bent quietly: an owner changes plan fields only by a change request that
finance approves or rejects; descriptive fields it edits directly; every step is in the history."""

from __future__ import annotations

import pytest

from app.models import PLAN_FIELDS, Role
from tests.api.conftest import projects_by_code

NEW_VALUES = {
    "planned_start": 2023,
    "planned_end": 2026,
    "star": True,
    "cost_wan": 2222,
    "spent_wan": 300,
    "seats_added": 450,
    "code": "T-01B",
    "responsible_unit": "县卫生健康委",
}


def _t01(client, finance, portfolio) -> dict:
    return projects_by_code(client, portfolio["id"], finance)["T-01"]


def test_every_plan_field_has_a_new_value_in_the_matrix() -> None:
    assert set(NEW_VALUES) == set(PLAN_FIELDS)


@pytest.mark.parametrize("field", PLAN_FIELDS)
def test_an_owner_cannot_change_a_plan_field_directly_but_finance_can(
    field, client, owner, finance, portfolio
):
    project = _t01(client, finance, portfolio)
    body = {"version": 1, field: NEW_VALUES[field]}

    refused = client.patch(f"/api/projects/{project['id']}", json=body, headers=owner)
    unchanged = client.get(f"/api/projects/{project['id']}", headers=finance).json()
    accepted = client.patch(f"/api/projects/{project['id']}", json=body, headers=finance)

    assert refused.status_code == 403
    assert field in refused.json()["detail"] and "change request" in refused.json()["detail"]
    assert unchanged[field] == project[field] and unchanged["version"] == 1
    assert accepted.status_code == 200 and accepted.json()[field] == NEW_VALUES[field]


@pytest.mark.parametrize(
    "field,value", [("status", "已开工建设"), ("location", "宁河街道"), ("name", "城区第一幼儿园")]
)
def test_an_owner_edits_descriptive_fields_directly(field, value, client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    response = client.patch(
        f"/api/projects/{project['id']}", json={"version": 1, field: value}, headers=owner
    )
    assert response.status_code == 200 and response.json()[field] == value


def test_sending_a_plan_field_unchanged_is_no_change(client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    body = {"version": 1, "cost_wan": project["cost_wan"], "status": "在建"}
    assert client.patch(f"/api/projects/{project['id']}", json=body, headers=owner).status_code == 200


def test_the_issues_owner_edit_is_refused_naming_every_field(client, make_user, finance, portfolio):
    """An owner of 县卫生健康委 tried to erase its slippage and ★ deadline in one edit."""
    health = make_user("卫健委项目办", Role.OWNER, "县卫生健康委")
    t03 = projects_by_code(client, portfolio["id"], finance)["T-03"]
    client.patch(
        f"/api/projects/{t03['id']}",
        json={"version": 1, "responsible_unit": "县卫生健康委", "star": True},
        headers=finance,
    )
    body = {"version": 2, "star": False, "cost_wan": 100, "planned_end": 2030}

    response = client.patch(f"/api/projects/{t03['id']}", json=body, headers=health)

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert all(name in detail for name in ("star", "cost_wan", "planned_end"))


def test_a_change_request_waits_for_finance_and_approval_applies_it(
    client, owner, finance, portfolio, scenario
):
    project = _t01(client, finance, portfolio)
    url = f"/api/projects/{project['id']}/change-requests"
    body = {"changes": {"planned_end": 2025, "cost_wan": 2600}, "reason": "设计变更，增加教学用房"}

    filed = client.post(url, json=body, headers=owner)
    pending = client.get(
        f"/api/portfolios/{portfolio['id']}/change-requests?state=pending", headers=owner
    ).json()
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 1}, headers=finance).json()
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()

    assert filed.status_code == 201, filed.text
    request = filed.json()
    assert request["state"] == "pending" and request["requested_by"] == "县教委项目办"
    assert request["changes"] == {
        "planned_end": {"old": 2023, "new": 2025},
        "cost_wan": {"old": 2000, "new": 2600},
    }
    assert [r["id"] for r in pending] == [request["id"]]
    # nothing in scheduling changed: the run solved the approved plan
    t01 = next(p for p in problem["projects"] if p["id"] == "T-01")
    assert t01["planned_end"] == 2023 and t01["cost"] == 2000

    approved = client.post(
        f"/api/change-requests/{request['id']}/approve", json={"note": "同意"}, headers=finance
    )

    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["decided_by"] == "财务科" and approved.json()["decision_note"] == "同意"
    after = client.get(f"/api/projects/{project['id']}", headers=finance).json()
    assert (after["planned_end"], after["cost_wan"], after["version"]) == (2025, 2600, 2)
    assert f"变更申请 #{request['id']}" in after["cost_basis"] and not after["cost_is_estimate"]
    history = client.get(f"/api/audit?project={project['id']}", headers=finance).json()
    tied = {(r["action"], r["field"]) for r in history if r["change_request_id"] == request["id"]}
    assert {
        ("request", None),
        ("approved", "state"),
        ("update", "planned_end"),
        ("update", "cost_wan"),
    } <= tied
    again = client.post(f"/api/change-requests/{request['id']}/approve", headers=finance)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]


def test_a_change_request_needs_a_reason_and_a_real_change(client, owner, finance, portfolio):
    url = f"/api/projects/{_t01(client, finance, portfolio)['id']}/change-requests"

    no_reason = client.post(url, json={"changes": {"cost_wan": 1}}, headers=owner)
    same = client.post(url, json={"changes": {"cost_wan": 2000}, "reason": "x"}, headers=owner)
    empty = client.post(url, json={"reason": "x"}, headers=owner)
    not_a_plan_field = client.post(url, json={"changes": {"status": "在建"}, "reason": "x"}, headers=owner)

    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    assert same.status_code == 422 and "already have these values" in same.json()["detail"]
    assert empty.status_code == 422 and "names no plan field" in empty.json()["detail"]
    assert not_a_plan_field.status_code == 422


def test_only_finance_decides_and_a_rejected_request_changes_nothing(
    client, owner, viewer, finance, portfolio
):
    project = _t01(client, finance, portfolio)
    body = {"changes": {"star": True}, "reason": "申请列为重点"}
    request = client.post(f"/api/projects/{project['id']}/change-requests", json=body, headers=owner).json()

    for headers in (owner, viewer):
        assert (
            client.post(f"/api/change-requests/{request['id']}/approve", headers=headers).status_code == 403
        )
    rejected = client.post(
        f"/api/change-requests/{request['id']}/reject", json={"note": "不符合条件"}, headers=finance
    )

    assert rejected.json()["state"] == "rejected"
    assert client.get(f"/api/projects/{project['id']}", headers=finance).json()["star"] is False
    assert client.post(f"/api/change-requests/{request['id']}/approve", headers=finance).status_code == 409


def test_a_request_made_stale_by_a_later_edit_is_not_applied(client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    body = {"changes": {"cost_wan": 2600}, "reason": "增加投资"}
    request = client.post(f"/api/projects/{project['id']}/change-requests", json=body, headers=owner).json()
    client.patch(f"/api/projects/{project['id']}", json={"version": 1, "cost_wan": 2400}, headers=finance)

    response = client.post(f"/api/change-requests/{request['id']}/approve", headers=finance)

    assert response.status_code == 409 and "stale" in response.json()["detail"]
    assert client.get(f"/api/projects/{project['id']}", headers=finance).json()["cost_wan"] == 2400


def test_an_approved_removal_request_removes_the_project(client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    body = {"remove": True, "reason": "项目取消，并入新校区"}
    request = client.post(f"/api/projects/{project['id']}/change-requests", json=body, headers=owner).json()

    approved = client.post(f"/api/change-requests/{request['id']}/approve", headers=finance)

    assert approved.status_code == 200
    assert client.get(f"/api/projects/{project['id']}", headers=finance).status_code == 404
    history = client.get(f"/api/audit?project={project['id']}", headers=finance).json()
    assert any(r["action"] == "delete" and r["change_request_id"] == request["id"] for r in history)


def test_finances_direct_cost_edit_is_no_longer_labelled_an_estimate(client, finance, portfolio):
    project = _t01(client, finance, portfolio)
    client.patch(
        f"/api/projects/{project['id']}",
        json={"version": 1, "cost_basis": "estimate: 5000 m² × 4000"},
        headers=finance,
    )

    edited = client.patch(
        f"/api/projects/{project['id']}", json={"version": 2, "cost_wan": 2100}, headers=finance
    ).json()
    kept = client.patch(
        f"/api/projects/{project['id']}",
        json={"version": 3, "cost_wan": 2200, "cost_basis": "estimate: 5000 m² × 4400"},
        headers=finance,
    ).json()

    assert edited["cost_is_estimate"] is False and edited["cost_basis"].startswith("财务科 ")
    assert kept["cost_is_estimate"] is True  # the user said it is an estimate


def test_a_reason_of_blanks_alone_is_no_reason(client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    body = {"changes": {"cost_wan": 2600}, "reason": "   "}

    response = client.post(f"/api/projects/{project['id']}/change-requests", json=body, headers=owner)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "reason"]
    assert client.get(f"/api/projects/{project['id']}/change-requests", headers=finance).json() == []


def test_one_project_read_or_edited_alone_counts_its_pending_requests(client, owner, finance, portfolio):
    project = _t01(client, finance, portfolio)
    body = {"changes": {"cost_wan": 2600}, "reason": "设计变更"}
    assert (
        client.post(f"/api/projects/{project['id']}/change-requests", json=body, headers=owner).status_code
        == 201
    )

    read = client.get(f"/api/projects/{project['id']}", headers=owner).json()
    edited = client.patch(
        f"/api/projects/{project['id']}", json={"version": 1, "status": "在建"}, headers=owner
    ).json()

    assert read["pending_changes"] == edited["pending_changes"] == 1


def test_an_owner_cannot_pay_a_project_off_to_drop_it_from_the_schedule(client, owner, finance, portfolio):
    """Issue 13's review: `spent_wan` equal to the cost made the next run leave the project out, silently."""
    project = _t01(client, finance, portfolio)

    refused = client.patch(
        f"/api/projects/{project['id']}", json={"version": 1, "spent_wan": project["cost_wan"]}, headers=owner
    )

    assert refused.status_code == 403 and "spent_wan" in refused.json()["detail"]


def test_a_cost_edited_with_its_old_basis_sent_back_unchanged_gets_an_honest_basis(
    client, finance, portfolio
):
    """Issue 13's review: the page sends every field back; 批复概算 stayed on a cost nobody approved."""
    project = _t01(client, finance, portfolio)
    approved = client.patch(
        f"/api/projects/{project['id']}", json={"version": 1, "cost_basis": "批复概算"}, headers=finance
    ).json()

    edited = client.patch(
        f"/api/projects/{project['id']}",
        json={"version": approved["version"], "cost_wan": 2300, "cost_basis": "批复概算"},
        headers=finance,
    ).json()

    assert edited["cost_wan"] == 2300 and edited["cost_basis"].startswith("财务科 ")
