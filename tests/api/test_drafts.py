"""Names-only lists: drafts kept on import, shown with what they lack, left out of runs (which say so),
the template round trip and the estimator — the Wanzhou list from names to a runnable portfolio."""

from __future__ import annotations

import io
import re

import openpyxl

from app.resources import data_dir
from tests.api.conftest import csv_bytes, flat_budget, project_row, projects_by_code, wait_for_run

WANZHOU = data_dir() / "wanzhou_projects.csv"


def new_portfolio(client, finance, name="万州区教育十四五项目") -> int:
    created = client.post("/api/portfolios", json={"name": name}, headers=finance)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def upload(client, finance, pid, content, name, **query):
    files = {"file": (name, content, "application/octet-stream")}
    return client.post(f"/api/portfolios/{pid}/import", files=files, params=query, headers=finance)


def test_a_names_only_list_is_refused_with_the_offer_to_keep_drafts(client, finance):
    pid = new_portfolio(client, finance)
    response = upload(client, finance, pid, WANZHOU.read_bytes(), "wanzhou.csv")
    assert response.status_code == 422
    offer = [e for e in response.json()["errors"] if e["loc"] == ["query", "drafts"]]
    assert offer and "46 rows lack only their years or cost" in offer[0]["msg"]
    assert projects_by_code(client, pid, finance) == {}


def test_a_bad_cell_still_fails_the_file_even_with_drafts(client, finance):
    pid = new_portfolio(client, finance)
    rows = [project_row("D-01", planned_start="", cost_wan=""), project_row("D-02", planned_start="soon")]
    response = upload(client, finance, pid, csv_bytes(rows), "p.csv", drafts="true")
    assert response.status_code == 422
    assert not any(e["loc"] == ["query", "drafts"] for e in response.json()["errors"])


def test_a_run_leaves_drafts_out_and_names_them(client, finance, portfolio, scenario):
    body = {"code": "T-05", "name": "城南幼儿园", "category": "学前教育"}  # names only, added by hand
    assert (
        client.post(f"/api/portfolios/{portfolio['id']}/projects", json=body, headers=finance).status_code
        == 201
    )
    listed = projects_by_code(client, portfolio["id"], finance)
    assert listed["T-05"]["missing"] == ["planned_start", "planned_end", "cost_wan"]
    assert listed["T-01"]["missing"] == []
    started = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance)
    assert started.status_code == 202, started.text  # the draft does not block the run
    run = wait_for_run(client, started.json()["id"], finance, {"done"})
    assert {p["id"] for p in run["result"]["projects"]} == {"T-01", "T-02", "T-03", "T-04"}
    assert run["drafts_left_out"] == [
        {"code": "T-05", "name": "城南幼儿园", "missing": ["planned_start", "planned_end", "cost_wan"]}
    ]
    assert run["messages"][0] == (
        "1 draft projects were left out of this run (schedule figures missing): "
        "T-05 城南幼儿园 (missing planned_start, planned_end, cost_wan)"
    )
    zh = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "zh"}).json()
    assert zh["messages"][0].startswith("1 个草稿项目未参加本次排程")


def test_a_portfolio_of_drafts_only_cannot_run_and_says_why(client, finance):
    pid = new_portfolio(client, finance)
    assert upload(client, finance, pid, WANZHOU.read_bytes(), "wanzhou.csv", drafts="true").status_code == 201
    body = {
        "name": "每年5亿",
        "first_year": 2022,
        "last_year": 2030,
        "budget": flat_budget(2022, 2030, 50000),
    }
    sid = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]
    response = client.post(f"/api/scenarios/{sid}/runs", headers=finance)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("all 46 projects of the portfolio are drafts")


def test_wanzhou_from_names_to_a_runnable_portfolio(client, finance):
    pid = new_portfolio(client, finance)
    # 1. import: 46 drafts, each lacking its years and cost
    imported = upload(client, finance, pid, WANZHOU.read_bytes(), "wanzhou_projects.csv", drafts="true")
    assert imported.status_code == 201, imported.text
    assert imported.json()["created"] == 46 and imported.json()["drafts"] == 46
    assert all(p["missing"] for p in projects_by_code(client, pid, finance).values())

    # 2. the template: the 46 rows pre-filled, Chinese headers, dropdowns, the missing figures shaded
    template = client.get(f"/api/portfolios/{pid}/template.xlsx", headers=finance)
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["项目编号", "项目名称", "项目细类"]
    assert ws.max_row == 47 and ws["B2"].value == "万州区上海幼儿园"
    lists = {re.match(r"[A-Z]+", str(dv.sqref)).group(): dv for dv in ws.data_validations.dataValidation}
    col = {name: openpyxl.utils.get_column_letter(header.index(name) + 1) for name in header}
    for name in ("项目细类", "建设性质", "项目进展情况", "项目责任单位", "★（十四五期间完工）"):
        assert lists[col[name]].type == "list", name
    assert lists[col["计划开工年份"]].type == "whole"
    assert ws[f"{col['计划开工年份']}2"].fill.fgColor.rgb.endswith("FFF2CC")

    # 3. the planner fills in years (and one floor area) in the template, and imports it back
    for r in range(2, ws.max_row + 1):
        start = 2022 + (r % 3)
        ws[f"{col['计划开工年份']}{r}"] = start
        ws[f"{col['计划完工年份']}{r}"] = start + 2
    ws[f"{col['建筑面积（m²）']}2"] = 5000
    out = io.BytesIO()
    book.save(out)
    back = upload(client, finance, pid, out.getvalue(), "filled.xlsx", drafts="true")
    assert back.status_code == 201, back.text
    assert back.json()["updated"] == 46 and back.json()["drafts"] == 46  # years in, costs still missing

    # 4. the estimator prices every draft, labelled 估算 with its basis
    estimated = client.post(f"/api/portfolios/{pid}/estimate", headers=finance)
    assert estimated.status_code == 200, estimated.text
    items = {e["code"]: e for e in estimated.json()["projects"]}
    assert estimated.json()["estimated"] == 46
    assert items["WZ-01"]["method"] == "area" and items["WZ-01"]["cost_wan"] == 1900  # 5000 m² × 3800
    assert items["WZ-02"]["method"] == "category_median"  # 学前教育: WZ-01's 5000 m² is the median now
    projects = projects_by_code(client, pid, finance)
    assert all(p["missing"] == [] and p["cost_is_estimate"] for p in projects.values())

    # 5. a runnable portfolio: all 46 scheduled, no draft left out
    body = {
        "name": "每年5亿",
        "first_year": 2022,
        "last_year": 2032,
        "budget": flat_budget(2022, 2032, 60000),
        "time_limit": 5,
    }
    sid = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]
    started = client.post(f"/api/scenarios/{sid}/runs", headers=finance)
    assert started.status_code == 202, started.text
    run = wait_for_run(client, started.json()["id"], finance, {"done"})
    assert run["drafts_left_out"] == []
    assert run["result"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert len(run["result"]["projects"]) == 46
