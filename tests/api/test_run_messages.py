"""A run's `messages`: the solver's diagnostics and the re-plan's flags in the reader's language, while
`result` stays the MODEL.md JSON in English."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import flat_budget, projects_by_code, wait_for_run

FINISHED = {"done", "failed", "cancelled"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _infeasible_run(client, finance, portfolio) -> dict[str, Any]:
    # the four projects cost 8900; three years at 500 a year hold 1500
    body = {"name": "太少", "first_year": 2022, "last_year": 2024, "budget": flat_budget(2022, 2024, 500)}
    scenario = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance).json()
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, FINISHED)


def test_an_infeasible_runs_messages_are_chinese_by_default(client, finance, portfolio):
    run = _infeasible_run(client, finance, portfolio)

    zh = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "zh-CN,zh;q=0.9"})

    assert zh.status_code == 200
    body = zh.json()
    assert body["result"] == run["result"]  # MODEL.md JSON, English, unchanged
    assert body["result"]["status"] == "INFEASIBLE"
    english = body["result"]["diagnostics"]["messages"]
    assert len(body["messages"]) == len(english) >= 2
    assert body["messages"][0] == (
        "不可暂缓的项目总投资共 8,900 万元，但 2022–2024 年的预算上限合计只有 1,500 万元。"
    ), english
    shortfall = body["result"]["diagnostics"]["shortfall"]
    years = "、".join(f"{year} 年 {amount:,} 万元" for year, amount in shortfall.items())
    assert body["messages"][1] == (
        f"在预算上限内排不出方案。至少还需增加 {sum(shortfall.values()):,} 万元（{years}），不能再少。"
    ), english


def test_an_infeasible_runs_messages_are_the_solvers_english_on_request(client, finance, portfolio):
    run = _infeasible_run(client, finance, portfolio)

    en = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "en"}).json()

    assert en["messages"] == en["result"]["diagnostics"]["messages"]
    assert en["messages"][0] == (
        "The projects that cannot be deferred cost 8900 in total, but the caps of 2022-2024 add up to 1500."
    )


def test_a_replan_flag_reads_in_chinese(client, finance, portfolio, scenario):
    # T-02 (★, by 2025) has 2700 left in 2025 and at most ⌈3000 / 2⌉ = 1500 a year: it ends in 2026
    codes = projects_by_code(client, portfolio["id"], finance)
    for year in (2022, 2023, 2024):
        body = {"spent_wan": 100, "percent_complete": 10}
        client.put(f"/api/projects/{codes['T-02']['id']}/actuals/{year}", json=body, headers=finance)
    started = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"replan_from": 2025}, headers=finance
    )
    run = wait_for_run(client, started.json()["id"], finance, FINISHED)

    zh = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "zh"}).json()
    en = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "en"}).json()

    flag = "T-02: 300 of 3000 spent by 2024; at most 1500 a year it cannot finish by 2025 (earliest 2026)"
    english = zh["result"]["diagnostics"]["messages"]
    at = next(i for i, message in enumerate(english) if message.startswith(flag))
    assert zh["messages"][at] == (
        "T-02：到 2024 年底已支出 300 万元（总投资 3000 万元）；每年最多投入 1500 万元，无法在 2025 年前完工"
        "（最早 2026 年）；本次重新排程不再要求其按期完工"
    )
    assert en["messages"] == en["result"]["diagnostics"]["messages"]
    assert all(CJK.search(m) for m in zh["messages"])


def test_the_run_list_carries_messages_in_the_readers_language(client, finance, portfolio):
    run = _infeasible_run(client, finance, portfolio)

    listed = client.get(
        f"/api/scenarios/{run['scenario_id']}/runs", headers={**finance, "Accept-Language": "zh"}
    )

    assert listed.status_code == 200
    assert listed.json()[0]["messages"][0].startswith("不可暂缓的项目总投资共 8,900 万元")


def test_a_run_names_a_project_it_leaves_out_because_it_is_paid_in_full(client, finance, portfolio, scenario):
    """Issue 13's review: a project whose spent_wan reached its cost vanished from the run, unexplained."""
    t04 = projects_by_code(client, portfolio["id"], finance)["T-04"]
    paid = {"version": t04["version"], "spent_wan": t04["cost_wan"]}
    assert client.patch(f"/api/projects/{t04['id']}", json=paid, headers=finance).status_code == 200

    started = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    run = wait_for_run(client, started["id"], finance, FINISHED)
    zh = client.get(f"/api/runs/{run['id']}", headers={**finance, "Accept-Language": "zh"}).json()

    assert "T-04" not in {p["id"] for p in run["result"]["projects"]}
    assert (
        "T-04: 2400 already spent pays its cost 2400 in full; this run does not schedule it"
        in run["messages"]
    )
    assert "T-04：已支出 2400 万元，达到总投资 2400 万元，本次不排程" in zh["messages"]
