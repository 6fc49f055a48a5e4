"""Actuals: owners record their own projects' spending and progress; re-planning freezes the past at them."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl

from tests.api.conftest import projects_by_code, wait_for_run


def _put(client, project_id: int, year: int, headers: dict[str, str], spent: int = 500, percent: float = 20):
    body = {"spent_wan": spent, "percent_complete": percent}
    return client.put(f"/api/projects/{project_id}/actuals/{year}", json=body, headers=headers)


def _actuals_csv(rows: list[list[Any]]) -> dict[str, Any]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["code", "year", "spent_wan", "percent_complete"], *rows])
    return {"file": ("actuals.csv", out.getvalue().encode("utf-8"), "text/csv")}


def test_an_owner_records_actuals_of_its_own_units_project(client, finance, owner, portfolio):
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    recorded = _put(client, t01["id"], 2022, owner, spent=600, percent=30)
    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert (body["code"], body["year"], body["spent_wan"], body["percent_complete"]) == (
        "T-01",
        2022,
        600,
        30,
    )
    assert recorded.json()["recorded_by"] == "县教委项目办"
    _put(client, t01["id"], 2022, owner, spent=650, percent=35)  # a correction replaces the year
    listed = client.get(f"/api/projects/{t01['id']}/actuals", headers=owner).json()
    assert [(a["year"], a["spent_wan"], a["percent_complete"]) for a in listed] == [(2022, 650, 35)]


def test_an_owner_may_not_record_another_units_actuals(client, finance, owner, viewer, portfolio):
    t03 = projects_by_code(client, portfolio["id"], finance)["T-03"]  # 县人社局
    refused = _put(client, t03["id"], 2022, owner)
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "owner 县教委项目办 may only change projects of its own unit '县教委', not of '县人社局'"
    )
    assert _put(client, t03["id"], 2022, viewer).status_code == 403
    assert _put(client, t03["id"], 2022, finance).status_code == 200
    assert len(client.get(f"/api/projects/{t03['id']}/actuals", headers=owner).json()) == 1


def test_actuals_out_of_range_are_422(client, finance, portfolio):
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    response = _put(client, t01["id"], 2022, finance, spent=-1, percent=120)
    assert response.status_code == 422
    assert "spent_wan" in response.json()["detail"] and "percent_complete" in response.json()["detail"]


def test_import_lists_every_error_and_stores_nothing(client, finance, portfolio):
    files = _actuals_csv(
        [["T-01", 2022, 600, 30], ["T-99", 2022, 1, 1], ["T-02", "二〇二二", -5, 150], ["T-01", 2022, 1, 1]]
    )
    response = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=finance)
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["errors"]]
    assert messages == [
        "row 3: no project T-99 in this portfolio",
        "row 4: year '二〇二二' is not a year like 2023",
        "row 4: spent_wan '-5' is not a whole number ≥ 0 of 万元",
        "row 4: percent_complete '150' is not between 0 and 100",
        "row 5: T-01 2022 is already given in row 2",
    ]
    assert client.get(f"/api/portfolios/{portfolio['id']}/actuals", headers=finance).json() == []


def test_import_of_an_xlsx_stores_every_row(client, finance, portfolio):
    book = openpyxl.Workbook()
    book.active.append(["项目编号", "年度", "实际支出(万元)", "完成百分比"])
    book.active.append(["T-01", 2022, 600, 30])
    book.active.append(["T-03", 2023, 700, 50])
    data = io.BytesIO()
    book.save(data)
    files = {"file": ("实际支出.xlsx", data.getvalue(), "application/octet-stream")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=finance)
    assert response.status_code == 201, response.text
    assert response.json() == {"rows": 2, "created": 2, "updated": 0}
    listed = client.get(f"/api/portfolios/{portfolio['id']}/actuals", headers=finance).json()
    assert [(a["code"], a["year"], a["spent_wan"]) for a in listed] == [
        ("T-01", 2022, 600),
        ("T-03", 2023, 700),
    ]


def test_an_owners_import_may_not_touch_another_units_project(client, owner, portfolio):
    files = _actuals_csv([["T-01", 2022, 600, 30], ["T-03", 2022, 100, 10]])
    response = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=owner)
    assert response.status_code == 422
    assert [e["msg"] for e in response.json()["errors"]] == [
        "row 3: T-03: owner 县教委项目办 may only change projects of its own unit '县教委', not of '县人社局'"
    ]


def _replan(client, finance, portfolio, scenario, year: int) -> dict[str, Any]:
    codes = projects_by_code(client, portfolio["id"], finance)
    for code, spent in {"T-01": {2022: 600, 2023: 500}, "T-02": {2022: 100, 2023: 100, 2024: 100}}.items():
        for y, v in spent.items():
            assert _put(client, codes[code]["id"], y, finance, spent=v).status_code == 200
    started = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"replan_from": year}, headers=finance
    )
    assert started.status_code == 202, started.text
    assert started.json()["replan_from"] == year
    return wait_for_run(client, started.json()["id"], finance, {"done", "failed"})


def test_replanning_keeps_past_years_exactly_at_the_actuals(client, finance, viewer, portfolio, scenario):
    run = _replan(client, finance, portfolio, scenario, 2025)
    assert run["status"] == "done", run
    projects = {p["id"]: p for p in run["result"]["projects"]}
    past = {code: {y: v for y, v in p["funding"].items() if int(y) < 2025} for code, p in projects.items()}
    assert past["T-01"] == {"2022": 600, "2023": 500}
    assert past["T-02"] == {"2022": 100, "2023": 100, "2024": 100}
    assert past["T-03"] == {} and past["T-04"] == {}
    assert sum(projects["T-02"]["funding"].values()) == 3000  # the remaining 2700 scheduled from 2025
    assert min(int(y) for y in projects["T-02"]["funding"] if int(y) >= 2025) == 2025
    spend = {y["year"]: y["spend"] for y in run["result"]["years"]}
    assert (spend[2022], spend[2023], spend[2024]) == (700, 600, 100)
    table = client.get(f"/api/runs/{run['id']}/schedule.csv", headers=viewer).content.decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(table))}
    header = next(iter(rows.values()))
    t01 = dict(zip(header, rows["T-01"], strict=False))
    assert [t01[h] for h in header if h.startswith("2022")] == ["600"]
    assert [t01[h] for h in header if h.startswith("2023")] == ["500"]


def test_replanning_flags_a_project_whose_pace_cannot_meet_its_deadline(client, finance, portfolio, scenario):
    # T-01 (planned end 2023) still has 900 to go in 2025; T-02 (★, by 2025): 2700 left at most
    # ⌈3000 / 2⌉ = 1500 a year from 2025 takes two years
    run = _replan(client, finance, portfolio, scenario, 2025)
    assert run["result"]["diagnostics"]["messages"][:2] == [
        "T-01: 1100 of 2000 spent by 2024; at most 1000 a year it cannot finish by 2023 (earliest 2025)",
        "T-02: 300 of 3000 spent by 2024; at most 1500 a year it cannot finish by 2025 (earliest 2026); "
        "its deadline is lifted for this re-plan",
    ]


def test_replan_year_outside_the_scenario_is_422(client, finance, scenario):
    response = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"replan_from": 2040}, headers=finance
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "replan_from 2040 is outside the scenario's years 2022–2028"


# ── actuals you can trust (issue 13) ──────────────────────────────────────────────────────────────


def test_an_actual_outside_the_portfolios_years_or_in_the_future_is_refused_naming_project_and_year(
    client, finance, portfolio, scenario
):
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]  # scenario years 2022–2028
    status = {"status_date": "2025-06-30"}  # fixed, so the test does not depend on today's date
    assert client.patch(f"/api/portfolios/{portfolio['id']}", json=status, headers=finance).status_code == 200
    too_early = _put(client, t01["id"], 1990, finance)
    too_late = _put(client, t01["id"], 2031, finance)
    future = _put(client, t01["id"], 2026, finance)  # inside the years, after the status date's year

    assert too_early.status_code == too_late.status_code == future.status_code == 422
    assert too_early.json()["detail"] == "T-01 1990: the year is outside the portfolio's years 2022–2028"
    assert too_early.json()["errors"][0]["loc"] == ["body", "year"]
    assert "after the status date" in future.json()["detail"]
    assert client.get(f"/api/projects/{t01['id']}/actuals", headers=finance).json() == []


def test_the_status_date_lets_finance_record_a_year_still_ahead_of_today(
    client, finance, portfolio, scenario, engine
):
    import sqlalchemy as sa

    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE portfolio SET status_date = '2027-06-30'"))
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]

    assert _put(client, t01["id"], 2027, finance).status_code == 200
    assert _put(client, t01["id"], 2028, finance).status_code == 422


def test_spending_beyond_the_cost_needs_an_explicit_overrun_with_a_reason(client, finance, portfolio):
    t01 = projects_by_code(client, portfolio["id"], finance)[
        "T-01"
    ]  # cost 2000: at most 2200 without overrun
    assert _put(client, t01["id"], 2022, finance, spent=1500, percent=60).status_code == 200

    over = _put(client, t01["id"], 2023, finance, spent=800, percent=100)
    no_reason = client.put(
        f"/api/projects/{t01['id']}/actuals/2023",
        json={"spent_wan": 800, "percent_complete": 100, "overrun": True},
        headers=finance,
    )
    declared = client.put(
        f"/api/projects/{t01['id']}/actuals/2023",
        json={"spent_wan": 800, "percent_complete": 100, "overrun": True, "overrun_reason": "地基处理增加"},
        headers=finance,
    )

    assert over.status_code == 422 and over.json()["detail"] == (
        "T-01 2023: cumulative actual spending 2,300 is more than 110 % of its cost 2,000 (2,200); "
        "if it really overran, say overrun and give the reason"
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == ["body", "overrun_reason"]
    assert declared.status_code == 200 and declared.json()["overrun_reason"] == "地基处理增加"


def test_percent_complete_never_goes_back(client, finance, portfolio):
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]
    _put(client, t01["id"], 2023, finance, spent=100, percent=40)

    earlier_higher = _put(client, t01["id"], 2022, finance, spent=100, percent=50)
    later_lower = _put(client, t01["id"], 2024, finance, spent=100, percent=30)

    assert earlier_higher.status_code == 422
    assert earlier_higher.json()["detail"] == (
        "T-01 2022: percent complete 50 is above 40 in 2023; progress cannot go back"
    )
    assert later_lower.status_code == 422 and "below 40 in 2023" in later_lower.json()["detail"]


def test_an_import_with_one_bad_row_stores_nothing_and_names_each_rule(client, finance, portfolio, scenario):
    files = _actuals_csv([["T-01", 2022, 1000, 50], ["T-01", 2023, 1500, 40], ["T-02", 1990, 10, 1]])
    response = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=finance)

    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["errors"]]
    assert messages == [
        "row 3: T-01 2023: cumulative actual spending 2,500 is more than 110 % of its cost 2,000 (2,200); "
        "if it really overran, say overrun and give the reason",
        "row 3: T-01 2023: percent complete 40 is below 50 in 2022; progress cannot go back",
        "row 4: T-02 1990: the year is outside the portfolio's years 2022–2028",
    ]
    assert client.get(f"/api/portfolios/{portfolio['id']}/actuals", headers=finance).json() == []


def test_a_mistaken_actual_can_be_deleted_with_the_same_rights(client, finance, owner, viewer, portfolio):
    codes = projects_by_code(client, portfolio["id"], finance)
    t01, t03 = codes["T-01"]["id"], codes["T-03"]["id"]
    _put(client, t01, 2022, owner)
    _put(client, t03, 2022, finance)

    assert client.delete(f"/api/projects/{t03}/actuals/2022", headers=owner).status_code == 403
    assert client.delete(f"/api/projects/{t01}/actuals/2022", headers=viewer).status_code == 403
    assert client.delete(f"/api/projects/{t01}/actuals/2022", headers=owner).status_code == 204
    missing = client.delete(f"/api/projects/{t01}/actuals/2022", headers=owner)
    assert missing.status_code == 404 and "T-01 2022" in missing.json()["detail"]
    assert client.get(f"/api/projects/{t01}/actuals", headers=finance).json() == []
    deleted = [
        r for r in client.get(f"/api/audit?project={t01}", headers=finance).json() if r["action"] == "delete"
    ]
    assert deleted and deleted[0]["old"]["spent_wan"] == 500


def test_a_replan_names_a_project_it_no_longer_schedules(client, finance, portfolio, scenario):
    # T-04 (2400) fully spent before 2025 is not scheduled again — and the run says so
    t04 = projects_by_code(client, portfolio["id"], finance)["T-04"]
    for year, spent, percent in ((2023, 1200, 50), (2024, 1200, 100)):
        _put(client, t04["id"], year, finance, spent=spent, percent=percent)

    run = _replan(client, finance, portfolio, scenario, 2025)

    assert (
        "T-04: 2400 spent by the end of 2024 pays its cost 2400 in full; it is not scheduled again"
        in (run["result"]["diagnostics"]["messages"])
    )


def test_a_replan_names_actuals_it_does_not_use_in_either_language(client, finance, portfolio, scenario):
    # regression: a flag listing years was stored as an unserialisable Listing and the run answered 500
    t03 = projects_by_code(client, portfolio["id"], finance)["T-03"]
    assert _put(client, t03["id"], 2024, finance, spent=300).status_code == 200

    run = _replan(client, finance, portfolio, scenario, 2024)  # 2024 is replanned, so its actual is unused

    assert run["status"] == "done"
    english = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "en"}).json()
    chinese = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "zh"}).json()
    assert (
        "T-03: actuals of 2024 are not before the re-plan year 2024; this re-plan does not use them"
        in (english["messages"])
    )
    assert any(m.startswith("T-03：2024 年的实际支出") for m in chinese["messages"]), chinese["messages"]


def test_a_replan_names_actuals_before_the_scenarios_years(client, finance, portfolio, scenario):
    # the portfolio's years are 2022–2028 (the first scenario); a later scenario starts in 2024
    body = {
        "name": "从2024起",
        "first_year": 2024,
        "last_year": 2028,
        "budget": {str(y): 3000 for y in range(2024, 2029)},
    }
    later = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance).json()
    t03 = projects_by_code(client, portfolio["id"], finance)["T-03"]
    assert _put(client, t03["id"], 2022, finance, spent=200).status_code == 200

    run = _replan(client, finance, portfolio, later, 2025)

    assert run["status"] == "done"
    english = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "en"}).json()
    assert (
        "T-03: actuals of 2022 lie before the scenario's years 2024–2028; they count as spent but are not drawn"
        in english["messages"]
    )


def test_removing_a_project_records_the_actuals_that_go_with_it(client, finance, portfolio):
    t03 = projects_by_code(client, portfolio["id"], finance)["T-03"]
    _put(client, t03["id"], 2022, finance, spent=200, percent=10)
    _put(client, t03["id"], 2023, finance, spent=300, percent=30)

    assert client.delete(f"/api/projects/{t03['id']}", headers=finance).status_code == 204

    history = client.get(f"/api/audit?project={t03['id']}", headers=finance).json()
    removal = next(r for r in history if r["entity"] == "project" and r["action"] == "delete")
    assert removal["old"]["code"] == "T-03"
    assert removal["old"]["actuals"] == [
        {"year": 2022, "spent_wan": 200, "percent_complete": 10},
        {"year": 2023, "spent_wan": 300, "percent_complete": 30},
    ]


def test_an_actuals_file_declares_an_overrun_with_its_reason(client, finance, portfolio):
    # T-01 costs 2000: 1500 + 800 = 2300 is more than 110 % of it
    out = io.StringIO()
    rows = [
        ["项目编号", "年度", "实际支出（万元）", "完成百分比", "超概算", "超概算原因"],
        ["T-01", "2022", "1500", "60", "否", ""],
        ["T-01", "2023", "800", "100", "是", "地基处理增加"],
    ]
    csv.writer(out, lineterminator="\n").writerows(rows)
    files = {"file": ("actuals.csv", out.getvalue().encode("gb18030"), "text/csv")}
    t01 = projects_by_code(client, portfolio["id"], finance)["T-01"]

    imported = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=finance)

    assert imported.status_code == 201, imported.text
    stored = {a["year"]: a for a in client.get(f"/api/projects/{t01['id']}/actuals", headers=finance).json()}
    assert stored[2023]["overrun_reason"] == "地基处理增加" and stored[2022]["overrun_reason"] is None


def test_an_actuals_file_with_a_bad_overrun_flag_stores_nothing(client, finance, portfolio):
    out = io.StringIO()
    rows = [
        ["code", "year", "spent_wan", "percent_complete", "overrun"],
        ["T-01", "2022", "1500", "60", "maybe"],
        ["T-03", "2023", "800", "40", ""],
    ]
    csv.writer(out, lineterminator="\n").writerows(rows)
    files = {"file": ("actuals.csv", out.getvalue().encode("utf-8"), "text/csv")}

    refused = client.post(f"/api/portfolios/{portfolio['id']}/actuals/import", files=files, headers=finance)

    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["errors"]] == [["file", 2, "overrun"]]
    assert "overrun must be yes or no" in refused.json()["detail"]
    assert client.get(f"/api/portfolios/{portfolio['id']}/actuals", headers=finance).json() == []
