"""Every error answers JSON {"detail": plain words, "errors": [{loc, msg}]} with the right status."""

from __future__ import annotations

from tests.api.conftest import UPLOAD_LIMIT, csv_bytes, flat_budget, project_row, projects_by_code


def test_no_token_is_401_saying_how_to_send_one(client):
    response = client.get("/api/portfolios")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response.json()["errors"] == []


def test_wrong_token_is_401(client, finance):
    response = client.get("/api/portfolios", headers={"Authorization": "Bearer not-a-real-token-at-all"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("the token is not valid")


def test_token_in_the_query_string_works_for_links(client, finance):
    token = finance["Authorization"].removeprefix("Bearer ")
    assert client.get(f"/api/me?token={token}").json()["name"] == "财务科"


def test_unknown_items_are_404_naming_them(client, finance):
    for path, words in (
        ("/api/portfolios/999", "portfolio 999 does not exist"),
        ("/api/projects/999", "project 999 does not exist"),
        ("/api/scenarios/999", "scenario 999 does not exist"),
        ("/api/runs/999", "run 999 does not exist"),
        ("/api/portfolios/999/projects", "portfolio 999 does not exist"),
    ):
        response = client.get(path, headers=finance)
        assert response.status_code == 404, path
        assert response.json()["detail"] == words


def test_import_with_bad_rows_is_422_listing_every_row_and_stores_nothing(client, finance, portfolio):
    rows = [
        project_row("T-01", cost_wan=9999),
        project_row("T-10", planned_start=2025, planned_end=2023),
        project_row("T-11", cost_wan="很多"),
    ]
    files = {"file": ("projects.csv", csv_bytes(rows), "text/csv")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("the file has 2 errors; nothing was imported")
    assert {e["loc"][1] for e in body["errors"]} == {3, 4}
    assert all(e["loc"][0] == "file" for e in body["errors"])
    projects = projects_by_code(client, portfolio["id"], finance)
    assert projects["T-01"]["cost_wan"] == 2000
    assert "T-10" not in projects


def test_import_of_a_file_that_is_not_a_table_is_422(client, finance, portfolio):
    files = {"file": ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("cannot read the file:")


def test_import_counts_created_updated_and_unchanged(client, finance, portfolio):
    rows = [
        project_row(
            "T-01",
            name="城区幼儿园",
            category="学前教育",
            planned_start=2022,
            planned_end=2023,
            cost_wan=2100,
        ),
        project_row("T-09"),
    ]
    files = {"file": ("projects.csv", csv_bytes(rows), "text/csv")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)
    assert response.status_code == 201
    assert response.json() == {
        "rows": 2,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "deleted": 0,
        "drafts": 0,
        "removed_codes": [],
        "dry_run": False,
        "portfolio_id": portfolio["id"],
    }
    assert projects_by_code(client, portfolio["id"], finance)["T-01"]["version"] == 2


def test_upload_over_the_limit_is_413(client, finance, portfolio):
    big = csv_bytes([project_row(f"B-{i:04d}") for i in range(UPLOAD_LIMIT // 100)])
    assert len(big) > UPLOAD_LIMIT
    files = {"file": ("big.csv", big, "text/csv")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("the upload is larger than this server accepts")


def test_scenario_missing_a_budget_year_is_422_in_plain_words(client, finance, portfolio):
    budget = flat_budget(2022, 2026, 3000)
    del budget["2024"]
    body = {"name": "缺年", "first_year": 2022, "last_year": 2026, "budget": budget}
    response = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance)
    assert response.status_code == 422
    assert response.json()["detail"] == "invalid input — budget has no cap for year(s) 2024"


def test_missing_fields_and_bad_json_are_422(client, finance, portfolio):
    missing = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json={"name": "x"}, headers=finance)
    assert missing.status_code == 422
    assert "first_year: is required" in missing.json()["detail"]
    assert ["body", "budget"] in [e["loc"] for e in missing.json()["errors"]]
    broken = client.post(
        "/api/portfolios", content=b"{not json", headers={**finance, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert "is not valid JSON" in broken.json()["detail"]


def test_edit_putting_end_before_start_is_422(client, finance, portfolio):
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    response = client.patch(
        f"/api/projects/{t01['id']}", json={"version": 1, "planned_end": 2020}, headers=finance
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "planned_end 2020 is before planned_start 2022"


def test_unknown_override_code_is_422_at_run_time(client, finance, portfolio):
    body = {
        "name": "错代码",
        "first_year": 2022,
        "last_year": 2028,
        "budget": flat_budget(2022, 2028, 3000),
        "overrides": {"NO-SUCH": {"deferrable": True}},
    }
    scenario = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance).json()
    response = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance)
    assert response.status_code == 422
    assert "NO-SUCH" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["project", "NO-SUCH", "overrides"]


def test_duplicate_names_and_codes_are_409(client, finance, portfolio, scenario):
    again = client.post("/api/portfolios", json={"name": "测试项目库"}, headers=finance)
    assert again.status_code == 409
    assert again.json()["detail"] == "a portfolio named '测试项目库' already exists"
    code = client.post(
        f"/api/portfolios/{portfolio['id']}/projects",
        json={"code": "T-01", "name": "重复", "category": "义务教育"},
        headers=finance,
    )
    assert code.status_code == 409
    assert "already has a project with code 'T-01'" in code.json()["detail"]


def test_stale_version_is_409_naming_the_fields_changed_since(client, finance, portfolio):
    t02 = projects_by_code(client, portfolio["id"], finance)["T-02"]
    url = f"/api/projects/{t02['id']}"
    assert client.patch(url, json={"version": 1, "cost_wan": 3300}, headers=finance).status_code == 200
    assert client.patch(url, json={"version": 2, "planned_end": 2025}, headers=finance).status_code == 200

    stale = client.patch(url, json={"version": 2, "name": "第二中学扩建（调整）"}, headers=finance)

    assert stale.status_code == 409
    assert stale.json()["detail"] == (
        "project T-02 was changed by someone else since version 2 (now version 3); changed since: "
        "planned_end. Reload it and make your edit again."
    )
    assert stale.json()["errors"] == [{"loc": ["body", "planned_end"], "msg": "changed since version 2"}]


def test_stale_scenario_edit_is_409(client, finance, scenario):
    url = f"/api/scenarios/{scenario['id']}"
    assert client.patch(url, json={"version": 1, "carryover": True}, headers=finance).status_code == 200
    stale = client.patch(url, json={"version": 1, "budget": flat_budget(2022, 2028, 4000)}, headers=finance)
    assert stale.status_code == 409
    assert "changed since: carryover." in stale.json()["detail"]


def test_cancelling_a_finished_run_is_409(client, finance, scenario):
    from tests.api.conftest import wait_for_run

    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    wait_for_run(client, run["id"], finance, {"done"})
    response = client.delete(f"/api/runs/{run['id']}", headers=finance)
    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == f"run {run['id']} has already finished (done); there is nothing to cancel"
    )


def test_time_limit_over_the_server_maximum_is_422(client, finance, scenario):
    response = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 10_000}, headers=finance
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "time_limit 10000 s is more than this server allows (600 s)"
