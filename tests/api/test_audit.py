"""The audit trail: every write route leaves its audit rows (who, when, what, the request's id), in the same
transaction as the write — a write whose audit row cannot be stored is not stored either."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import csv_bytes, flat_budget, project_row, projects_by_code, wait_for_run

WRITE_METHODS = {"post", "put", "patch", "delete"}
FINISHED = {"done", "failed", "cancelled"}


class Ctx:
    """What the recipes share: the client, finance's headers, a portfolio and its scenario."""

    def __init__(self, client: TestClient, finance: dict[str, str], portfolio: dict, scenario: dict) -> None:
        self.client, self.finance, self.portfolio, self.scenario = client, finance, portfolio, scenario
        self.request_id = ""

    def call(self, method: str, url: str, **kwargs: Any):
        self.request_id = uuid.uuid4().hex[:12]
        headers = {**self.finance, "X-Request-ID": self.request_id}
        return self.client.request(method, url, headers=headers, **kwargs)

    @property
    def pid(self) -> int:
        return self.portfolio["id"]

    @property
    def sid(self) -> int:
        return self.scenario["id"]

    def project(self, code: str = "T-01") -> dict:
        return projects_by_code(self.client, self.pid, self.finance)[code]

    def done_run(self) -> int:
        run = self.client.post(
            f"/api/scenarios/{self.sid}/runs", json={"time_limit": 2}, headers=self.finance
        )
        return wait_for_run(self.client, run.json()["id"], self.finance, FINISHED)["id"]

    def queued_run(self) -> int:
        body = {"time_limit": 60}
        return self.client.post(f"/api/scenarios/{self.sid}/runs", json=body, headers=self.finance).json()[
            "id"
        ]


def _new_portfolio(ctx: Ctx):
    return ctx.call("post", "/api/portfolios", json={"name": f"新项目库{uuid.uuid4().hex[:4]}"}), "portfolio"


def _edit_portfolio(ctx: Ctx):
    return ctx.call("patch", f"/api/portfolios/{ctx.pid}", json={"description": "新说明"}), "portfolio"


def _import_new_portfolio(ctx: Ctx):
    files = {"file": ("p.csv", csv_bytes([project_row("Z-01")]), "text/csv")}
    return ctx.call("post", "/api/portfolios/import?name=导入的项目库", files=files), "portfolio+project"


def _delete_portfolio(ctx: Ctx):
    other = ctx.client.post("/api/portfolios", json={"name": "待删除"}, headers=ctx.finance).json()
    return ctx.call("delete", f"/api/portfolios/{other['id']}"), "portfolio"


def _add_project(ctx: Ctx):
    body = {"code": "N-01", "name": "新增学校", "category": "义务教育", "star": False, "spent_wan": 0}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/projects", json=body), "project"


def _estimate_costs(ctx: Ctx):
    body = {"code": "D-01", "name": "规划新建幼儿园", "category": "学前教育", "star": False, "spent_wan": 0}
    ctx.client.post(f"/api/portfolios/{ctx.pid}/projects", json=body, headers=ctx.finance)  # a draft: no cost
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/estimate"), "project"


def _import_projects(ctx: Ctx):
    files = {"file": ("p.csv", csv_bytes([project_row("T-01", cost_wan=2100)]), "text/csv")}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/import", files=files), "project"


def _edit_project(ctx: Ctx):
    project = ctx.project()
    return ctx.call(
        "patch", f"/api/projects/{project['id']}", json={"version": 1, "location": "新址"}
    ), "project"


def _delete_project(ctx: Ctx):
    return ctx.call("delete", f"/api/projects/{ctx.project('T-04')['id']}"), "project"


def _record_actual(ctx: Ctx):
    body = {"spent_wan": 100, "percent_complete": 5}
    return ctx.call("put", f"/api/projects/{ctx.project()['id']}/actuals/2022", json=body), "actual"


def _delete_actual(ctx: Ctx):
    url = f"/api/projects/{ctx.project()['id']}/actuals/2022"
    ctx.client.put(url, json={"spent_wan": 100, "percent_complete": 5}, headers=ctx.finance)
    return ctx.call("delete", url), "actual"


def _import_actuals(ctx: Ctx):
    data = b"code,year,spent_wan,percent_complete\nT-01,2022,120,6\n"
    files = {"file": ("a.csv", data, "text/csv")}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/actuals/import", files=files), "actual"


def _new_scenario(ctx: Ctx):
    body = {
        "name": "另一方案",
        "first_year": 2022,
        "last_year": 2026,
        "budget": flat_budget(2022, 2026, 4000),
    }
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/scenarios", json=body), "scenario"


def _edit_scenario(ctx: Ctx):
    return ctx.call("patch", f"/api/scenarios/{ctx.sid}", json={"version": 1, "carryover": True}), "scenario"


def _delete_scenario(ctx: Ctx):
    body = {"name": "待删方案", "first_year": 2022, "last_year": 2023, "budget": flat_budget(2022, 2023, 1)}
    other = ctx.client.post(f"/api/portfolios/{ctx.pid}/scenarios", json=body, headers=ctx.finance).json()
    return ctx.call("delete", f"/api/scenarios/{other['id']}"), "scenario"


def _start_run(ctx: Ctx):
    return ctx.call("post", f"/api/scenarios/{ctx.sid}/runs", json={"time_limit": 1}), "run"


def _cancel_run(ctx: Ctx):
    return ctx.call("delete", f"/api/runs/{ctx.queued_run()}"), "run"


def _approve(ctx: Ctx):
    return ctx.call("post", f"/api/runs/{ctx.done_run()}/approve"), "baseline"


def _start_sweep(ctx: Ctx):
    return ctx.call("post", f"/api/scenarios/{ctx.sid}/sweeps", json={"levels": "1", "time_limit": 1}), "job"


def _cancel_sweep(ctx: Ctx):
    body = {"levels": "0.5:1.5:0.5", "time_limit": 30}
    job = ctx.client.post(f"/api/scenarios/{ctx.sid}/sweeps", json=body, headers=ctx.finance).json()
    return ctx.call("delete", f"/api/sweeps/{job['id']}"), "job"


def _start_least_budget(ctx: Ctx):
    return ctx.call("post", f"/api/scenarios/{ctx.sid}/least-budget", json={"time_limit": 1}), "job"


def _cancel_least_budget(ctx: Ctx):
    job = ctx.client.post(
        f"/api/scenarios/{ctx.sid}/least-budget", json={"time_limit": 30}, headers=ctx.finance
    )
    return ctx.call("delete", f"/api/least-budget/{job.json()['id']}"), "job"


def _start_risk(ctx: Ctx):
    body = {"samples": 2, "work_limit": 0.5}
    return ctx.call("post", f"/api/scenarios/{ctx.sid}/risk", json=body), "job"


def _cancel_risk(ctx: Ctx):
    body = {"samples": 2000, "work_limit": 5}
    job = ctx.client.post(f"/api/scenarios/{ctx.sid}/risk", json=body, headers=ctx.finance).json()
    return ctx.call("delete", f"/api/risk/{job['id']}"), "job"


def _pending_request(ctx: Ctx) -> int:
    body = {"changes": {"cost_wan": 2345}, "reason": "调整概算"}
    url = f"/api/projects/{ctx.project()['id']}/change-requests"
    return ctx.client.post(url, json=body, headers=ctx.finance).json()["id"]


def _request_change(ctx: Ctx):
    body = {"changes": {"planned_end": 2025}, "reason": "工期顺延"}
    return ctx.call(
        "post", f"/api/projects/{ctx.project()['id']}/change-requests", json=body
    ), "change_request"


def _approve_request(ctx: Ctx):
    return ctx.call("post", f"/api/change-requests/{_pending_request(ctx)}/approve"), "change_request+project"


def _reject_request(ctx: Ctx):
    return ctx.call("post", f"/api/change-requests/{_pending_request(ctx)}/reject"), "change_request"


def _new_user(ctx: Ctx) -> int:
    return ctx.client.post(
        "/api/users", json={"name": uuid.uuid4().hex[:8], "role": "viewer"}, headers=ctx.finance
    ).json()["id"]


def _create_user(ctx: Ctx):
    return ctx.call("post", "/api/users", json={"name": "新用户", "role": "viewer"}), "user"


def _revoke_user(ctx: Ctx):
    return ctx.call("post", f"/api/users/{_new_user(ctx)}/revoke"), "user"


def _rotate_token(ctx: Ctx):
    return ctx.call("post", f"/api/users/{_new_user(ctx)}/rotate"), "user"


def _update_user(ctx: Ctx):
    return ctx.call("patch", f"/api/users/{_new_user(ctx)}", json={"role": "finance"}), "user"


# issue 15: funding sources, quotas and rules
def _source(ctx: Ctx, code: str = "bond") -> dict:
    body = {"code": code, "name": f"{code} 专项债", "kind": "专项债"}
    return ctx.client.post(f"/api/portfolios/{ctx.pid}/sources", json=body, headers=ctx.finance).json()


def _create_source(ctx: Ctx):
    body = {"code": "central", "name": "中央预算内投资", "kind": "central"}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/sources", json=body), "funding_source"


def _edit_source(ctx: Ctx):
    return ctx.call("patch", f"/api/sources/{_source(ctx)['id']}", json={"version": 1, "carryover": True}), (
        "funding_source"
    )


def _delete_source(ctx: Ctx):
    return ctx.call("delete", f"/api/sources/{_source(ctx)['id']}"), "funding_source"


def _put_quota(ctx: Ctx):
    url = f"/api/scenarios/{ctx.sid}/quotas/{_source(ctx)['id']}"
    return ctx.call("put", url, json={"budget": flat_budget(2022, 2028, 900)}), "source_quota"


def _rule(ctx: Ctx) -> dict:
    _source(ctx)
    body = {"source": "bond", "category": "义务教育", "max_percent": 50}
    return ctx.client.post(f"/api/portfolios/{ctx.pid}/funding-rules", json=body, headers=ctx.finance).json()


def _create_rule(ctx: Ctx):
    _source(ctx)
    body = {"source": "bond", "project": "T-01", "min_wan": 100, "max_wan": 100}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/funding-rules", json=body), "funding_rule"


def _replace_rule(ctx: Ctx):
    return ctx.call("put", f"/api/funding-rules/{_rule(ctx)['id']}", json={"max_percent": 40}), "funding_rule"


def _delete_rule(ctx: Ctx):
    return ctx.call("delete", f"/api/funding-rules/{_rule(ctx)['id']}"), "funding_rule"


def _import_sources(ctx: Ctx):
    data = ("code,name,kind," + ",".join(map(str, range(2022, 2029))) + "\n").encode()
    data += ("county,县级自筹,县级自筹," + ",".join(["1000"] * 7) + "\n").encode()
    files = {"file": ("s.csv", data, "text/csv")}
    url = f"/api/portfolios/{ctx.pid}/sources/import?scenario_id={ctx.sid}"
    return ctx.call("post", url, files=files), "funding_source+source_quota"


def _import_rules(ctx: Ctx):
    _source(ctx)
    files = {"file": ("r.csv", "source,category,allowed\nbond,职业教育,否\n".encode(), "text/csv")}
    return ctx.call("post", f"/api/portfolios/{ctx.pid}/funding-rules/import", files=files), "funding_rule"


RECIPES: dict[tuple[str, str], Callable[[Ctx], tuple[Any, str]]] = {
    ("post", "/api/portfolios"): _new_portfolio,
    ("delete", "/api/portfolios/{pid}"): _delete_portfolio,
    ("patch", "/api/portfolios/{pid}"): _edit_portfolio,
    ("post", "/api/portfolios/import"): _import_new_portfolio,
    ("post", "/api/portfolios/{pid}/projects"): _add_project,
    ("post", "/api/portfolios/{pid}/import"): _import_projects,
    ("post", "/api/portfolios/{pid}/estimate"): _estimate_costs,
    ("patch", "/api/projects/{project_id}"): _edit_project,
    ("delete", "/api/projects/{project_id}"): _delete_project,
    ("put", "/api/projects/{project_id}/actuals/{year}"): _record_actual,
    ("delete", "/api/projects/{project_id}/actuals/{year}"): _delete_actual,
    ("post", "/api/portfolios/{pid}/actuals/import"): _import_actuals,
    ("post", "/api/portfolios/{pid}/scenarios"): _new_scenario,
    ("patch", "/api/scenarios/{sid}"): _edit_scenario,
    ("delete", "/api/scenarios/{sid}"): _delete_scenario,
    ("post", "/api/scenarios/{sid}/runs"): _start_run,
    ("delete", "/api/runs/{rid}"): _cancel_run,
    ("post", "/api/runs/{rid}/approve"): _approve,
    ("post", "/api/scenarios/{sid}/sweeps"): _start_sweep,
    ("delete", "/api/sweeps/{job_id}"): _cancel_sweep,
    ("post", "/api/scenarios/{sid}/least-budget"): _start_least_budget,
    ("delete", "/api/least-budget/{job_id}"): _cancel_least_budget,
    ("post", "/api/scenarios/{sid}/risk"): _start_risk,
    ("delete", "/api/risk/{job_id}"): _cancel_risk,
    ("post", "/api/projects/{project_id}/change-requests"): _request_change,
    ("post", "/api/change-requests/{request_id}/approve"): _approve_request,
    ("post", "/api/change-requests/{request_id}/reject"): _reject_request,
    ("post", "/api/users"): _create_user,
    ("post", "/api/users/{user_id}/revoke"): _revoke_user,
    ("post", "/api/users/{user_id}/rotate"): _rotate_token,
    ("patch", "/api/users/{user_id}"): _update_user,
    ("post", "/api/portfolios/{pid}/sources"): _create_source,
    ("patch", "/api/sources/{source_id}"): _edit_source,
    ("delete", "/api/sources/{source_id}"): _delete_source,
    ("put", "/api/scenarios/{sid}/quotas/{source_id}"): _put_quota,
    ("post", "/api/portfolios/{pid}/funding-rules"): _create_rule,
    ("put", "/api/funding-rules/{rule_id}"): _replace_rule,
    ("delete", "/api/funding-rules/{rule_id}"): _delete_rule,
    ("post", "/api/portfolios/{pid}/sources/import"): _import_sources,
    ("post", "/api/portfolios/{pid}/funding-rules/import"): _import_rules,
}


def test_every_write_route_of_the_api_has_an_audit_recipe(client) -> None:
    """A new write route without a recipe here fails: it must show it leaves an audit row."""
    paths = client.get("/openapi.json").json()["paths"]
    writes = {(method, path) for path, ops in paths.items() for method in ops if method in WRITE_METHODS}
    assert writes == set(RECIPES)


@pytest.mark.parametrize("route", sorted(RECIPES), ids=lambda r: f"{r[0].upper()} {r[1]}")
def test_each_write_route_leaves_audit_rows_with_who_and_the_request_id(
    route, client, finance, portfolio, scenario
) -> None:
    ctx = Ctx(client, finance, portfolio, scenario)

    response, entity = RECIPES[route](ctx)

    assert response.status_code < 300, response.text
    rows = [r for r in client.get("/api/audit", headers=finance).json() if r["request_id"] == ctx.request_id]
    assert rows, f"{route}: no audit row"
    assert {r["entity"] for r in rows} == set(entity.split("+"))
    assert {r["actor"] for r in rows} == {"财务科"} and {r["actor_role"] for r in rows} == {"finance"}


def test_an_edit_records_each_changed_field_old_and_new(client, finance, portfolio) -> None:
    project = projects_by_code(client, portfolio["id"], finance)["T-02"]
    body = {"version": 1, "location": "新城区", "status": "已开工建设", "name": project["name"]}

    client.patch(f"/api/projects/{project['id']}", json=body, headers=finance)

    history = client.get(f"/api/audit?project={project['id']}", headers=finance).json()
    edits = {r["field"]: (r["old"], r["new"]) for r in history if r["action"] == "update"}
    assert edits == {
        "location": ("柏杨街道", "新城区"),
        "status": ("规划项目", "已开工建设"),
    }  # name unchanged


def test_an_import_records_one_entry_per_changed_field(client, finance, portfolio) -> None:
    rows = [
        project_row(
            "T-01",
            name="城区幼儿园",
            category="学前教育",
            planned_start=2022,
            planned_end=2024,
            cost_wan=2500,
        )
    ]
    files = {"file": ("p.csv", csv_bytes(rows), "text/csv")}

    client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)

    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    imported = [
        r
        for r in client.get(f"/api/audit?project={t01['id']}", headers=finance).json()
        if r["action"] == "import"
    ]
    changed = sorted((r["field"], r["old"], r["new"]) for r in imported if r["field"])
    assert changed == [("cost_wan", 2000, 2500), ("planned_end", 2023, 2024)]


def test_the_history_exports_as_a_workbook(client, finance, portfolio) -> None:
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    client.patch(f"/api/projects/{t01['id']}", json={"version": 1, "cost_wan": 2100}, headers=finance)
    response = client.get(f"/api/audit.xlsx?portfolio={portfolio['id']}&lang=zh", headers=finance)

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert response.status_code == 200 and sheet.title == "变更记录"
    assert header[:3] == ["时间", "操作人", "角色"]
    assert sheet.max_row > 1  # the portfolio's creation and import
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert all(row["时间"].endswith("+00:00") for row in rows)  # the zone written out
    assert "项目" in {row["对象"] for row in rows}  # entities and fields in words, not keys
    assert "总投资（cost_wan）" in {row["字段"] for row in rows}


def _refuse_audit_rows(engine: sa.Engine) -> None:
    """A database that refuses every new audit row (as a full or broken audit table would)."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_entry BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$ "
                "LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER no_audit BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION no_audit()"
            )


def test_a_write_whose_audit_row_fails_is_rolled_back(client, finance, portfolio, engine) -> None:
    project = projects_by_code(client, portfolio["id"], finance)["T-01"]
    _refuse_audit_rows(engine)

    try:  # the database's refusal surfaces as a server error (the test client re-raises it)
        response = client.patch(
            f"/api/projects/{project['id']}", json={"version": 1, "location": "改了"}, headers=finance
        )
        assert response.status_code >= 500
    except sa.exc.DBAPIError as err:
        assert "audit refused" in str(err)

    after = client.get(f"/api/projects/{project['id']}", headers=finance).json()
    assert after["location"] == "柏杨街道" and after["version"] == 1
