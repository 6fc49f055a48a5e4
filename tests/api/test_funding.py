"""Funding sources over HTTP (issue 15): finance enters sources, their quotas per scenario and the rules on
what each may fund; everyone reads them, expanded per project; imports check every row and store nothing
on any error; every write leaves its audit row; a run with sources solves MODEL.md v2 and shows the split."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook, load_workbook

from tests.api.conftest import flat_budget, projects_by_code, wait_for_run

FINISHED = {"done", "failed", "cancelled"}
YEARS = range(2022, 2029)  # the `scenario` fixture's years


def add_source(client, finance, pid: int, code: str, kind: str, **kw) -> dict:
    body = {"code": code, "name": kw.pop("name", code), "kind": kind, **kw}
    response = client.post(f"/api/portfolios/{pid}/sources", json=body, headers=finance)
    assert response.status_code == 201, response.text
    return response.json()


def put_quota(client, finance, sid: int, source_id: int, amount: int):
    return client.put(
        f"/api/scenarios/{sid}/quotas/{source_id}",
        json={"budget": flat_budget(2022, 2028, amount)},
        headers=finance,
    )


def funding_of(client, headers, pid: int) -> dict:
    response = client.get(f"/api/portfolios/{pid}/funding", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def csv_upload(text: str, encoding: str = "utf-8", name: str = "f.csv") -> dict:
    return {"file": (name, text.encode(encoding), "text/csv")}


def test_finance_adds_a_source_with_its_chinese_kind_and_a_viewer_reads_but_cannot_add(
    client, finance, viewer, portfolio
) -> None:
    pid = portfolio["id"]
    created = add_source(client, finance, pid, "bond", "专项债", name="地方政府专项债券")

    refused = client.post(
        f"/api/portfolios/{pid}/sources", json={"code": "x", "name": "x", "kind": "other"}, headers=viewer
    )
    listed = client.get(f"/api/portfolios/{pid}/sources", headers=viewer)

    assert created["kind"] == "bond" and created["version"] == 1
    assert refused.status_code == 403
    assert [s["code"] for s in listed.json()] == ["bond"]


def test_a_source_code_is_unique_in_the_portfolio(client, finance, portfolio) -> None:
    add_source(client, finance, portfolio["id"], "bond", "bond")
    again = client.post(
        f"/api/portfolios/{portfolio['id']}/sources",
        json={"code": "bond", "name": "b", "kind": "bond"},
        headers=finance,
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "the portfolio already has a funding source with code bond"


def test_a_quota_is_per_scenario_and_must_cover_exactly_its_years(
    client, finance, portfolio, scenario
) -> None:
    bond = add_source(client, finance, portfolio["id"], "bond", "bond")
    other = client.post(
        f"/api/portfolios/{portfolio['id']}/scenarios",
        json={"name": "短期", "first_year": 2022, "last_year": 2024, "budget": flat_budget(2022, 2024, 3000)},
        headers=finance,
    ).json()

    ok = put_quota(client, finance, scenario["id"], bond["id"], 800)
    short = client.put(
        f"/api/scenarios/{other['id']}/quotas/{bond['id']}",
        json={"budget": {"2022": 100, "2023": 100}},
        headers=finance,
    )

    assert ok.status_code == 200 and ok.json()["budget"] == flat_budget(2022, 2028, 800)
    assert short.status_code == 422
    assert short.json()["detail"] == "source bond lacks a quota for 2024 in scenario '短期'"
    quotas = funding_of(client, finance, portfolio["id"])["quotas"]
    assert [(q["scenario_id"], q["source_code"]) for q in quotas] == [(scenario["id"], "bond")]


def test_a_source_without_a_quota_is_limited_by_the_total_cap_alone_and_the_run_says_so(
    client, finance, portfolio, scenario
) -> None:
    add_source(client, finance, portfolio["id"], "county", "county", name="县级自筹")

    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 3}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()

    assert run["status"] == "done", run["error"]
    assert problem["sources"] == [{"id": "county", "budget": scenario["budget"], "carryover": False}]
    assert any(
        "the funding source(s) 县级自筹 have no quota in this scenario for 2022–2028" in m
        and "total cap alone" in m
        for m in run["messages"]
    )


def test_a_category_rule_expands_to_each_project_of_the_category_and_a_projects_rule_replaces_it(
    client, finance, viewer, portfolio
) -> None:
    pid = portfolio["id"]
    for code, kind in (("central", "central"), ("bond", "bond"), ("county", "county")):
        add_source(client, finance, pid, code, kind)
    rules = [
        {"source": "bond", "category": "职业教育", "allowed": False},
        {"source": "county", "category": "义务教育", "min_percent": 20},
        {"source": "central", "project": "T-02", "min_wan": 1000, "max_wan": 1000},
        {"source": "county", "project": "T-04", "min_wan": 100},
    ]
    for rule in rules:
        response = client.post(f"/api/portfolios/{pid}/funding-rules", json=rule, headers=finance)
        assert response.status_code == 201, response.text

    limits = {p["code"]: p["funding"] for p in funding_of(client, viewer, pid)["projects"]}

    def of(code: str) -> dict:
        return {f["source"]: (f["min"], f["max"]) for f in limits[code]}

    assert limits["T-01"] is None  # 学前教育: no rule, any source
    assert of("T-03") == {"central": (0, None), "county": (0, None)}  # 职业教育: no bonds
    assert of("T-02") == {"central": (1000, 1000), "bond": (0, None), "county": (600, None)}  # 20 % of 3000
    assert of("T-04")["county"] == (100, None)  # its own rule, not the category's 20 % (480)


def test_a_matching_floor_rounds_up_to_whole_wan(client, finance, portfolio) -> None:
    pid = portfolio["id"]
    add_source(client, finance, pid, "county", "county")
    t04 = projects_by_code(client, pid, finance)["T-04"]
    client.patch(
        f"/api/projects/{t04['id']}", json={"version": t04["version"], "cost_wan": 2401}, headers=finance
    )
    client.post(
        f"/api/portfolios/{pid}/funding-rules",
        json={"source": "county", "project": "T-04", "min_percent": 15},
        headers=finance,
    )

    limits = {p["code"]: p["funding"] for p in funding_of(client, finance, pid)["projects"]}

    assert limits["T-04"] == [{"source": "county", "min": 361, "max": None}]  # 15 % of 2401 = 360.15 → 361


@pytest.mark.parametrize(
    ("rule", "status", "words"),
    [
        ({"source": "nope", "category": "义务教育"}, 422, "the portfolio has no funding source nope"),
        ({"source": "bond", "project": "X-99"}, 422, "the portfolio has no project X-99"),
        (
            {"source": "bond", "category": "高等教育"},
            422,
            "no project of the portfolio has the category '高等教育'",
        ),
        (
            {"source": "bond", "project": "T-01", "allowed": False, "max_wan": 5},
            422,
            "a source that is not allowed",
        ),
        ({"source": "bond", "project": "T-01", "category": "义务教育"}, 422, "exactly one of a project"),
    ],
)
def test_a_rule_that_names_nothing_here_or_cannot_hold_is_refused(
    client, finance, portfolio, rule, status, words
):
    add_source(client, finance, portfolio["id"], "bond", "bond")
    response = client.post(f"/api/portfolios/{portfolio['id']}/funding-rules", json=rule, headers=finance)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_sources_and_quotas_import_from_a_gbk_csv_with_chinese_headers(
    client, finance, portfolio, scenario
) -> None:
    years = ",".join(f"{y}年" for y in YEARS)
    text = (
        f"预算方案,来源编号,来源名称,来源类别,可结转,示意,{years}\n"
        f"每年3000万,central,中央预算内投资,中央预算内投资,否,是,{','.join(['800'] * 7)}\n"
        f"每年3000万,county,县级自筹,县级自筹,是,是,{','.join(['2200'] * 7)}\n"
    )

    response = client.post(
        f"/api/portfolios/{portfolio['id']}/sources/import", files=csv_upload(text, "gbk"), headers=finance
    )

    assert response.status_code == 201, response.text
    assert response.json() | {} == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "quotas": 2,
    }
    funding = funding_of(client, finance, portfolio["id"])
    assert [(s["code"], s["kind"], s["carryover"], s["illustrative"]) for s in funding["sources"]] == [
        ("central", "central", False, True),
        ("county", "county", True, True),
    ]
    assert funding["illustrative"] is True
    assert {q["source_code"]: q["budget"]["2025"] for q in funding["quotas"]} == {
        "central": 800,
        "county": 2200,
    }


def test_a_sources_import_with_errors_names_every_row_and_column_and_stores_nothing(
    client, finance, portfolio, scenario
) -> None:
    years = ",".join(str(y) for y in YEARS)
    text = (
        f"scenario,code,name,kind,{years}\n"
        f"每年3000万,bond,专项债,专项债,{','.join(['800'] * 7)}\n"
        f"每年3000万,city,市级补助,市里给的,{','.join(['100'] * 7)}\n"
        f"每年3000万,county,县级自筹,县级自筹,100,-5,100,100,100,abc,100\n"
        f"没有这个方案,central,中央,中央,{','.join(['1'] * 7)}\n"
    )

    response = client.post(
        f"/api/portfolios/{portfolio['id']}/sources/import", files=csv_upload(text), headers=finance
    )

    assert response.status_code == 422
    places = {(e["loc"][1], e["loc"][2]) for e in response.json()["errors"] if len(e["loc"]) == 3}
    assert places == {(3, "kind"), (4, "2023"), (4, "2027"), (5, "scenario")}
    words = " ".join(e["msg"] for e in response.json()["errors"])
    assert "source kind '市里给的' is not one of" in words
    assert "the portfolio has no scenario '没有这个方案'" in words
    assert funding_of(client, finance, portfolio["id"])["sources"] == []


def test_a_quota_for_a_scenario_the_portfolio_lacks_is_a_row_error(
    client, finance, portfolio, scenario
) -> None:
    years = ",".join(str(y) for y in YEARS)
    text = f"scenario,code,name,kind,{years}\n没有这个方案,central,中央,中央,{','.join(['1'] * 7)}\n"

    response = client.post(
        f"/api/portfolios/{portfolio['id']}/sources/import", files=csv_upload(text), headers=finance
    )

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == ["file", 2, "scenario"]
    assert "the portfolio has no scenario '没有这个方案' (it has: 每年3000万)" in error["msg"]
    assert funding_of(client, finance, portfolio["id"])["sources"] == []


def test_rules_import_from_xlsx_merges_and_a_bad_row_stores_nothing(client, finance, portfolio) -> None:
    pid = portfolio["id"]
    for code in ("bond", "county"):
        add_source(client, finance, pid, code, code)
    book = Workbook()
    sheet = book.active
    sheet.append(["资金来源", "项目编号", "项目细类", "允许", "定额补助", "上限比例", "配套比例", "备注"])
    sheet.append(["bond", None, "职业教育", "否", None, None, None, "职教不用专项债"])
    sheet.append(["county", "T-02", None, "是", None, None, "20%", "县级配套"])
    sheet.append(["bond", "T-01", None, "是", 300, None, None, None])
    good = io.BytesIO()
    book.save(good)
    sheet.append(["bond", "T-04", "义务教育", "是", None, 150, None, None])  # both scopes, share over 100 %
    bad = io.BytesIO()
    book.save(bad)

    refused = client.post(
        f"/api/portfolios/{pid}/funding-rules/import",
        files={"file": ("r.xlsx", bad.getvalue())},
        headers=finance,
    )
    imported = client.post(
        f"/api/portfolios/{pid}/funding-rules/import",
        files={"file": ("r.xlsx", good.getvalue())},
        headers=finance,
    )

    assert refused.status_code == 422
    assert {tuple(e["loc"][1:]) for e in refused.json()["errors"]} == {(5, "project"), (5, "max_percent")}
    assert imported.status_code == 201 and imported.json()["created"] == 3
    rules = {
        (r["source"], r["project"] or r["category"]): r for r in funding_of(client, finance, pid)["rules"]
    }
    assert (
        rules["bond", "职业教育"]["allowed"] is False
        and rules["bond", "职业教育"]["note"] == "职教不用专项债"
    )
    assert rules["county", "T-02"]["min_percent"] == 20
    assert (rules["bond", "T-01"]["min_wan"], rules["bond", "T-01"]["max_wan"]) == (300, 300)


def test_every_funding_write_is_in_the_audit_trail_with_old_and_new(
    client, finance, portfolio, scenario
) -> None:
    bond = add_source(client, finance, portfolio["id"], "bond", "bond")
    put_quota(client, finance, scenario["id"], bond["id"], 500)
    put_quota(client, finance, scenario["id"], bond["id"], 600)

    rows = client.get(f"/api/audit?entity=source_quota&portfolio={portfolio['id']}", headers=finance).json()

    assert [r["action"] for r in rows] == ["update", "create"]
    assert rows[0]["old"]["2022"] == 500 and rows[0]["new"]["2022"] == 600
    assert rows[0]["actor"] == "财务科"


def test_a_run_with_sources_solves_v2_and_shows_the_split_chart_and_workbook(
    client, finance, portfolio, scenario
):
    pid, sid = portfolio["id"], scenario["id"]
    bond = add_source(client, finance, pid, "bond", "bond", name="专项债", illustrative=True)
    county = add_source(client, finance, pid, "county", "county", name="县级自筹")
    put_quota(client, finance, sid, bond["id"], 1000)
    put_quota(client, finance, sid, county["id"], 2000)
    client.post(
        f"/api/portfolios/{pid}/funding-rules",
        json={"source": "bond", "category": "职业教育", "allowed": False},
        headers=finance,
    )

    started = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 5}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    assert run["status"] == "done", run["error"]
    result = run["result"]
    assert {e["source"] for e in result["source_years"]} == {"bond", "county"}
    assert all(e["spend"] <= e["budget"] for e in result["source_years"])
    t03 = next(p for p in result["projects"] if p["id"] == "T-03")
    assert all("bond" not in split for split in t03["sources"].values())  # 职业教育 takes no bonds
    assert [s["id"] for s in run["sources"]] == ["bond", "county"] and run["sources"][0]["illustrative"]
    problem = client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()
    assert [s["id"] for s in problem["sources"]] == ["bond", "county"]

    chart = client.get(f"/api/runs/{run['id']}/sources.json?lang=zh", headers=finance).json()
    metas = {trace.get("meta") for trace in chart["data"]}
    assert {"source_spend:bond", "source_quota:bond", "source_spend:county", "source_quota:county"} <= metas
    book = load_workbook(
        io.BytesIO(client.get(f"/api/runs/{run['id']}/schedule.xlsx?lang=zh", headers=finance).content)
    )
    assert {"专项债", "县级自筹", "项目×来源×年度"} <= set(book.sheetnames)


def test_a_v1_run_has_no_source_chart(client, finance, scenario) -> None:
    started = client.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": 3}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    chart = client.get(f"/api/runs/{run['id']}/sources.json", headers=finance)

    assert run["sources"] == [] and "source_years" not in run["result"]
    assert chart.status_code == 422


def test_an_infeasible_run_names_the_shortfall_per_source_and_year(
    client, finance, portfolio, scenario
) -> None:
    pid, sid = portfolio["id"], scenario["id"]
    zh = {**finance, "Accept-Language": "zh"}
    central = add_source(client, finance, pid, "central", "central", name="中央预算内投资")
    county = add_source(client, finance, pid, "county", "county", name="县级自筹")
    put_quota(client, finance, sid, central["id"], 100)
    put_quota(client, finance, sid, county["id"], 3000)
    rule = {"source": "central", "project": "T-02", "min_wan": 2000}
    client.post(f"/api/portfolios/{pid}/funding-rules", json=rule, headers=finance)
    # T-02 (★, from 2022, done by 2025) must get a 2,000 central grant; central gives 100 a year, so at most
    # 400 in its years: 1,600 more central money is the least that helps (the total and 县级自筹 have room)

    started = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 5}, headers=zh)
    run = wait_for_run(client, started.json()["id"], zh, FINISHED)

    short = run["result"]["diagnostics"]["source_shortfall"]
    assert run["result"]["status"] == "INFEASIBLE"
    assert set(short) == {"central"} and sum(short["central"].values()) == 1600
    assert run["source_shortfall"] == [
        f"中央预算内投资 {year} 年缺 {amount:,} 万元"
        for year, amount in sorted(short["central"].items())
        if amount
    ]


def test_a_seat_years_scenario_runs_with_places_as_weights_and_reports_seat_years(
    client, finance, portfolio, scenario
):
    pid, sid = portfolio["id"], scenario["id"]
    t02 = projects_by_code(client, pid, finance)["T-02"]
    client.patch(
        f"/api/projects/{t02['id']}", json={"version": t02["version"], "seats_added": 900}, headers=finance
    )
    changed = client.patch(
        f"/api/scenarios/{sid}",
        json={"version": scenario["version"], "objective": "seat_years", "default_seats": 40},
        headers=finance,
    )
    assert changed.status_code == 200 and changed.json()["objective"] == "seat_years"

    started = client.post(f"/api/scenarios/{sid}/runs", json={"time_limit": 5}, headers=finance)
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    weights = {
        p["id"]: p["weight"]
        for p in client.get(f"/api/runs/{run['id']}/problem", headers=finance).json()["projects"]
    }
    assert weights == {"T-01": 40, "T-02": 900, "T-03": 40, "T-04": 40}
    seats = run["seat_years"]
    assert run["objective_kind"] == "seat_years"
    assert seats["default"] == 40 and seats["assumed"] == ["T-01", "T-03", "T-04"]
    late = {p["id"]: p["slippage"] for p in run["result"]["projects"] if p["slippage"]}
    assert seats["by_project"] == {code: years * weights[code] for code, years in late.items()}
    assert seats["total"] == run["result"]["objective"]


def test_removing_a_source_removes_its_quotas_and_rules_each_with_an_audit_row(
    client, finance, portfolio, scenario
) -> None:
    pid = portfolio["id"]
    bond = add_source(client, finance, pid, "bond", "bond")
    put_quota(client, finance, scenario["id"], bond["id"], 500)
    rule = {"source": "bond", "category": "职业教育", "allowed": False}
    client.post(f"/api/portfolios/{pid}/funding-rules", json=rule, headers=finance)

    removed = client.delete(f"/api/sources/{bond['id']}", headers=finance)

    assert removed.status_code == 204
    funding = funding_of(client, finance, pid)
    assert (funding["sources"], funding["quotas"], funding["rules"]) == ([], [], [])
    deletes = [
        r
        for r in client.get(f"/api/audit?portfolio={pid}", headers=finance).json()
        if r["action"] == "delete"
    ]
    assert {r["entity"] for r in deletes} == {"funding_source", "source_quota", "funding_rule"}
    assert next(r for r in deletes if r["entity"] == "source_quota")["old"]["2022"] == 500


def test_a_sweep_over_a_scenario_with_sources_counts_seat_years_and_its_curve_plots_them(
    client, finance, portfolio, scenario
) -> None:
    bond = add_source(client, finance, portfolio["id"], "bond", "bond")
    put_quota(client, finance, scenario["id"], bond["id"], 3000)
    started = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps", json={"levels": "0.5,1", "time_limit": 3}, headers=finance
    )
    sweep_id = started.json()["id"]
    while (done := client.get(f"/api/sweeps/{sweep_id}", headers=finance).json())["status"] not in FINISHED:
        time.sleep(0.05)

    curve = client.get(f"/api/sweeps/{sweep_id}/curve.json?measure=seat_years", headers=finance).json()
    table = client.get(f"/api/sweeps/{sweep_id}/curve.csv?lang=en", headers=finance).text

    assert done["status"] == "done" and all(p["seat_years"] is not None for p in done["points"])
    assert curve["data"][0]["meta"] == "seat_years"
    assert list(curve["data"][0]["y"]) == [
        p["seat_years"] for p in done["points"] if p["objective"] is not None
    ]
    assert "Seat-years" in table.splitlines()[0]


def test_a_quota_beyond_any_county_budget_is_refused_not_stored(client, finance, portfolio, scenario) -> None:
    bond = add_source(client, finance, portfolio["id"], "bond", "bond")
    budget = flat_budget(2022, 2028, 500) | {"2025": 10**20}

    response = client.put(
        f"/api/scenarios/{scenario['id']}/quotas/{bond['id']}", json={"budget": budget}, headers=finance
    )

    assert response.status_code == 422
    assert (
        response.json()["detail"]
        == "source bond: the quota for 2025 is over 10 trillion yuan, not a plausible amount"
    )
    assert funding_of(client, finance, portfolio["id"])["quotas"] == []
