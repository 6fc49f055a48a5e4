"""Cost risk over HTTP (issue 17): a background job on the tests' Dask cluster, its figures labelled with
the assumptions they rest on, the fixed plan from the approved baseline, charts, cancel, and bad input."""

from __future__ import annotations

import html
import json
import time
from typing import Any

from fastapi.testclient import TestClient

TIMING = ("wall_seconds", "samples_per_second", "fanout", "cores")
SMALL = {"samples": 8, "seed": 3, "work_limit": 1}


def wait_for(client: TestClient, job_id: int, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a risk analysis until it has finished (the test timeout guards against forever)."""
    while True:
        job = client.get(f"/api/risk/{job_id}", headers=headers)
        assert job.status_code == 200, job.text
        if job.json()["status"] in {"done", "failed", "cancelled"}:
            return job.json()
        time.sleep(0.1)


def start(client: TestClient, scenario: dict[str, Any], headers: dict[str, str], **body: Any):
    return client.post(f"/api/scenarios/{scenario['id']}/risk", json={**SMALL, **body}, headers=headers)


def test_a_risk_analysis_reports_chances_slippage_extra_cost_and_the_p80_budget(
    client, finance, viewer, scenario
):
    started = start(client, scenario, finance)
    assert started.status_code == 202, started.text
    assert started.json()["progress"] == {"phase": "queued", "done": 0, "total": 8}
    done = wait_for(client, started.json()["id"], viewer)
    assert done["status"] == "done", done["error"]
    result = done["result"]
    assert result["samples"] == 8 and result["seed"] == 3
    assert [p["id"] for p in result["projects"]] == ["T-01", "T-02", "T-03", "T-04"]
    star = next(p for p in result["projects"] if p["id"] == "T-02")
    assert star["star"] is True and 0 <= star["p_by_deadline"] <= 1
    assert 0 <= result["p_all_stars"] <= 1 and 0 <= result["p_all_stars_fixed"] <= 1
    slippage = result["slippage"]
    assert slippage["p50"] <= slippage["p80"] <= slippage["p90"]
    assert [y["year"] for y in result["extra_per_year"]] == list(range(2022, 2029))
    assert result["mean_overrun_wan"] > 0  # the default assumptions overrun on average
    budget = result["budget"]
    assert budget["outcome"] == "found" and budget["confidence"] == 0.8
    assert result["deterministic"]["least_budget_wan"] <= budget["amount_wan"]
    assert result["reproducible"] is True
    # the assumptions are labelled as such, with their basis, wherever the figures go
    assert done["assumptions"]["assumption"] is True
    assert "Flyvbjerg" in done["assumptions"]["basis"]
    assert done["assumptions_note"].startswith("Assumption (not this county's data)")
    assert done["fixed_plan"] == {"source": "deterministic", "reason": "no_baseline"}
    assert done["names"]["T-02"] == "第二中学扩建"  # the page's table names each project


def test_the_same_seed_gives_the_same_figures(client, finance, scenario):
    first = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    again = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    assert {k: v for k, v in first["result"].items() if k not in TIMING} == {
        k: v for k, v in again["result"].items() if k not in TIMING
    }
    listed = client.get(f"/api/scenarios/{scenario['id']}/risk", headers=finance).json()
    assert [job["id"] for job in listed] == [again["id"], first["id"]]


def test_the_fixed_plan_keeps_the_approved_baseline(client, finance, scenario):
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    while client.get(f"/api/runs/{run['id']}", headers=finance).json()["status"] != "done":
        time.sleep(0.05)
    assert client.post(f"/api/runs/{run['id']}/approve", headers=finance).status_code in (200, 201)
    done = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    assert done["fixed_plan"]["source"] == "baseline"
    assert done["fixed_plan"]["run_id"] == run["id"]
    assert done["result"]["fixed_plan"]["source"] == "baseline"
    asked = wait_for(
        client, start(client, scenario, finance, fixed_plan="deterministic").json()["id"], finance
    )
    assert asked["fixed_plan"] == {"source": "deterministic", "reason": "asked"}


def test_user_assumptions_per_category_are_used_and_labelled_as_the_users(client, finance, scenario):
    overrun = {
        "default": {"share_over": 0.5, "mean": 0.1},
        "categories": {"学前教育": {"share_over": 0.9, "mean": 0.4, "correlation": 0.8}},
    }
    done = wait_for(client, start(client, scenario, finance, overrun=overrun).json()["id"], finance)
    assert done["status"] == "done"
    assert done["assumptions"]["categories"]["学前教育"]["share_over"] == 0.9
    assert done["assumptions"]["basis"] == "given by the user"
    assert "set by the user" in done["assumptions_note"]
    by_id = {p["id"]: p for p in done["result"]["projects"]}
    assert by_id["T-01"]["mean_extra_wan"] > 0  # 学前教育: 40 % more on average


def test_bad_requests_are_refused_in_plain_words_and_store_nothing(client, finance, scenario):
    sid = scenario["id"]
    cases = [
        ({"overrun": {"default": {"share_over": 1.5, "mean": 0.2}}}, "share_over"),
        ({"overrun": {"categories": {"小学": {"share_over": 0.7, "mean": 0.2}}}}, "'小学'"),
        ({"samples": 0}, "samples"),
        ({"confidence": 1}, "confidence"),
        ({"work_limit": 10_000}, "work limit of 10000 per solve is more than this server's longest solve"),
    ]
    for body, words in cases:
        refused = client.post(f"/api/scenarios/{sid}/risk", json=body, headers=finance)
        assert refused.status_code == 422, body
        assert words in json.dumps(refused.json(), ensure_ascii=False), refused.json()
    assert client.get(f"/api/scenarios/{sid}/risk", headers=finance).json() == []


def test_errors_speak_chinese_to_a_chinese_reader(client, finance, scenario):
    refused = client.post(
        f"/api/scenarios/{scenario['id']}/risk",
        json={"overrun": {"natures": {"改建": {"share_over": 0.7, "mean": 0.2}}}},
        headers={**finance, "Accept-Language": "zh"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "成本超支假设中的建设性质「改建」不在本项目库中；可用：新建"


def test_only_finance_starts_or_cancels_a_risk_analysis(client, finance, viewer, owner, scenario):
    assert start(client, scenario, viewer).status_code == 403
    assert start(client, scenario, owner).status_code == 403
    job = start(client, scenario, finance).json()
    assert client.delete(f"/api/risk/{job['id']}", headers=viewer).status_code == 403
    assert client.get(f"/api/risk/{job['id']}", headers=viewer).status_code == 200
    wait_for(client, job["id"], finance)


def test_cancel_stops_the_batch_and_the_next_job_still_runs(client, finance, scenario):
    big = start(client, scenario, finance, samples=5000, work_limit=5).json()
    while client.get(f"/api/risk/{big['id']}", headers=finance).json()["progress"].get("phase") in (
        "queued",
        "plan",
    ):
        time.sleep(0.05)
    cancelled = client.delete(f"/api/risk/{big['id']}", headers=finance)
    assert cancelled.status_code == 202
    ended = wait_for(client, big["id"], finance)
    assert ended["status"] == "cancelled"
    assert ended["error"] == "cancelled while solving"
    assert ended["result"] is None
    assert ended["progress"]["done"] < 5000
    again = client.delete(f"/api/risk/{big['id']}", headers=finance)
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"risk analysis {big['id']} has already finished (cancelled); there is nothing to cancel"
    )
    after = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    assert after["status"] == "done"  # the cluster is not left busy with the cancelled samples


def test_charts_carry_the_assumptions_and_the_sweep_curve_marks_the_p80_budget(
    client, finance, viewer, scenario
):
    job = start(client, scenario, finance).json()
    early = client.get(f"/api/risk/{job['id']}/probability.json", headers=viewer)
    assert early.status_code in (200, 409)  # 409 while it has no figures yet
    done = wait_for(client, job["id"], finance)
    probability = json.dumps(
        client.get(f"/api/risk/{job['id']}/probability.json", headers=viewer).json(), ensure_ascii=False
    )
    assert "按期完工概率" in probability and "假设（非本县数据）" in probability and "T-02" in probability
    english = json.dumps(
        client.get(f"/api/risk/{job['id']}/budget.json?lang=en", headers=viewer).json(), ensure_ascii=False
    )
    amount = f"{done['result']['budget']['amount_wan']:,}"
    assert f"P80 budget {amount}" in english and "Assumption (not this county's data)" in english
    assert client.get(f"/api/risk/{job['id']}/slippage.png", headers=viewer).content.startswith(b"\x89PNG")
    assert client.get(f"/api/risk/{job['id']}/sideways.json", headers=viewer).status_code == 422
    sweep = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps",
        json={"amounts": [2000, 3000], "time_limit": 2},
        headers=finance,
    ).json()
    while client.get(f"/api/sweeps/{sweep['id']}", headers=finance).json()["status"] != "done":
        time.sleep(0.05)
    curve = json.dumps(
        client.get(f"/api/sweeps/{sweep['id']}/curve.json", headers=viewer).json(), ensure_ascii=False
    )
    assert f"P80 预算 {amount}" in curve


def test_starting_a_risk_analysis_is_audited(client, finance, scenario):
    job = start(client, scenario, finance).json()
    rows = client.get(f"/api/audit?entity=job&id={job['id']}", headers=finance).json()
    assert any(row["action"] == "start:risk" for row in rows), rows
    wait_for(client, job["id"], finance)


def test_the_run_report_carries_the_risk_page_once_the_scenario_has_one(client, finance, viewer, scenario):
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    while client.get(f"/api/runs/{run['id']}", headers=finance).json()["status"] != "done":
        time.sleep(0.05)
    before = client.get(f"/api/runs/{run['id']}/report.html", headers=viewer).text
    assert "成本风险分析" not in before
    job = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    report = client.get(f"/api/runs/{run['id']}/report.html", headers=viewer).text
    assert f"成本风险分析（风险分析 #{job['id']}）" in report
    assert "假设（非本县数据）" in report and "Flyvbjerg" in report
    amount = f"{job['result']['budget']['amount_wan']:,}"
    assert f"每年 {amount} 万元" in report  # the P80 budget
    english = html.unescape(client.get(f"/api/runs/{run['id']}/report.html?lang=en", headers=viewer).text)
    assert (
        f"Cost risk (risk analysis #{job['id']})" in english
        and "Assumption (not this county's data)" in english
    )


def test_with_one_source_that_pays_any_share_the_figures_are_the_ones_without_sources(
    client, finance, portfolio, scenario
):
    """A scenario with funding sources (MODEL.md v2) is analysed with them. One source whose quota is the
    cap and whose rule lets it pay up to 100 % of each project is v1 again — but only if a limit set as a
    share follows a sample's new cost: kept as the amount at the estimate, every overrun could not be
    paid and the figures would differ."""
    without = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    assert without["status"] == "done", without["error"]
    made = client.post(
        f"/api/portfolios/{portfolio['id']}/sources",
        json={"code": "all", "name": "县级自筹", "kind": "county"},
        headers=finance,
    )
    assert made.status_code == 201, made.text
    quota = {"budget": {str(y): c for y, c in scenario["budget"].items()}}
    put = client.put(
        f"/api/scenarios/{scenario['id']}/quotas/{made.json()['id']}", json=quota, headers=finance
    )
    assert put.status_code == 200, put.text
    for code in ("T-01", "T-02", "T-03", "T-04"):
        rule = {"source": "all", "project": code, "max_percent": 100}
        added = client.post(f"/api/portfolios/{portfolio['id']}/funding-rules", json=rule, headers=finance)
        assert added.status_code == 201, added.text
    problem_limits = client.get(f"/api/portfolios/{portfolio['id']}/funding", headers=finance).json()
    assert all(
        p["funding"] == [{"source": "all", "min": 0, "max": p["cost_wan"]}]
        for p in problem_limits["projects"]
    )
    with_sources = wait_for(client, start(client, scenario, finance).json()["id"], finance)
    assert with_sources["status"] == "done", with_sources["error"]
    assert without["result"]["mean_overrun_wan"] > 0  # the samples do overrun
    assert {k: v for k, v in with_sources["result"].items() if k not in TIMING} == {
        k: v for k, v in without["result"].items() if k not in TIMING
    }
