"""Portfolios as an office manages them: import a file as a new portfolio or into one (merge, or replace
after a preview of what goes), rename, set the status date, delete — not while a run of it is active."""

from __future__ import annotations

from tests.api.conftest import SMALL_PORTFOLIO, csv_bytes, project_row, projects_by_code, wait_for_run


def _file(rows) -> dict:
    return {"file": ("projects.csv", csv_bytes(rows), "text/csv")}


def test_a_file_becomes_a_new_portfolio_in_one_step(client, finance):
    response = client.post(
        "/api/portfolios/import?name=新区项目库", files=_file(SMALL_PORTFOLIO), headers=finance
    )

    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["created"] == 4 and summary["portfolio_id"]
    listed = {p["name"]: p for p in client.get("/api/portfolios", headers=finance).json()}
    assert listed["新区项目库"]["project_count"] == 4


def test_an_invalid_file_creates_no_portfolio_either(client, finance):
    bad = [project_row("X-01", cost_wan="很多")]
    response = client.post("/api/portfolios/import?name=坏文件", files=_file(bad), headers=finance)

    assert response.status_code == 422
    assert "坏文件" not in {p["name"] for p in client.get("/api/portfolios", headers=finance).json()}


def test_a_replace_preview_names_what_would_go_and_stores_nothing(client, finance, portfolio):
    url = f"/api/portfolios/{portfolio['id']}/import?replace=true"
    kept = [row for row in SMALL_PORTFOLIO if row["code"] in ("T-01", "T-02")]

    preview = client.post(url + "&dry_run=true", files=_file(kept), headers=finance)

    assert preview.status_code == 201 and preview.json()["dry_run"] is True
    assert sorted(preview.json()["removed_codes"]) == ["T-03", "T-04"]
    assert len(projects_by_code(client, portfolio["id"], finance)) == 4  # nothing stored
    done = client.post(url, files=_file(kept), headers=finance)
    assert sorted(done.json()["removed_codes"]) == ["T-03", "T-04"] and done.json()["dry_run"] is False
    assert sorted(projects_by_code(client, portfolio["id"], finance)) == ["T-01", "T-02"]


def test_finance_renames_a_portfolio_and_sets_its_status_date(client, finance, owner, portfolio):
    url = f"/api/portfolios/{portfolio['id']}"
    client.post("/api/portfolios", json={"name": "已有的名字"}, headers=finance)

    renamed = client.patch(url, json={"name": "改名后的项目库", "status_date": "2024-12-31"}, headers=finance)
    taken = client.patch(url, json={"name": "已有的名字"}, headers=finance)
    refused = client.patch(url, json={"name": "x"}, headers=owner)

    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["status_date"]) == ("改名后的项目库", "2024-12-31")
    assert taken.status_code == 409 and refused.status_code == 403
    history = client.get(f"/api/audit?entity=portfolio&id={portfolio['id']}", headers=finance).json()
    assert {r["field"] for r in history if r["action"] == "update"} == {"name", "status_date"}


def test_a_status_date_in_the_past_refuses_actuals_after_its_year(client, finance, portfolio, scenario):
    client.patch(f"/api/portfolios/{portfolio['id']}", json={"status_date": "2023-06-30"}, headers=finance)
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    body = {"spent_wan": 100, "percent_complete": 5}

    assert (
        client.put(f"/api/projects/{t01['id']}/actuals/2023", json=body, headers=finance).status_code == 200
    )
    late = client.put(f"/api/projects/{t01['id']}/actuals/2024", json=body, headers=finance)
    assert late.status_code == 422 and "after the status date 2023-06-30" in late.json()["detail"]


def test_a_portfolio_with_an_active_run_is_not_deleted(client, finance, portfolio, scenario):
    run = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 60}, headers=finance
    ).json()

    refused = client.delete(f"/api/portfolios/{portfolio['id']}", headers=finance)
    client.delete(f"/api/runs/{run['id']}", headers=finance)
    wait_for_run(client, run["id"], finance, {"done", "cancelled", "failed"})
    deleted = client.delete(f"/api/portfolios/{portfolio['id']}", headers=finance)

    assert refused.status_code == 409 and "queued or running" in refused.json()["detail"]
    assert deleted.status_code == 204
    assert client.get(f"/api/portfolios/{portfolio['id']}", headers=finance).status_code == 404
