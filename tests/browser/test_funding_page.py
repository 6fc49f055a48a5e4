"""The funding page (issue 15) in a real Chromium: finance enters a funding source and its annual quota, runs
the scenario, and reads the stacked chart of spending by source against the quota."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import SMALL_PORTFOLIO, csv_bytes, flat_budget
from tests.browser.conftest import Server, sign_in, snap

YEARS = range(2022, 2029)


@pytest.fixture
def fresh_portfolio(server: Server) -> dict:
    """A portfolio of its own (the seed's is shared by the other browser tests) with one scenario."""
    with server.client() as api:
        portfolio = api.post("/api/portfolios", json={"name": f"资金来源测试 {uuid.uuid4().hex[:6]}"}).json()
        files = {"file": ("p.csv", csv_bytes(SMALL_PORTFOLIO), "text/csv")}
        assert api.post(f"/api/portfolios/{portfolio['id']}/import", files=files).status_code == 201
        body = {
            "name": "每年3000万",
            "first_year": 2022,
            "last_year": 2028,
            "budget": flat_budget(2022, 2028, 3000),
        }
        scenario = api.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body).json()
    return {"portfolio": portfolio, "scenario": scenario}


def test_finance_enters_a_source_and_its_quota_and_sees_the_by_source_chart(
    page: Page, server: Server, fresh_portfolio: dict
) -> None:
    portfolio, scenario = fresh_portfolio["portfolio"], fresh_portfolio["scenario"]
    sign_in(page, server)
    page.select_option("#portfolio-select", str(portfolio["id"]))
    page.goto(f"{server.base_url}/#/funding")
    page.wait_for_selector("#no-sources")

    page.fill("#source-code", "county")
    page.fill("#source-name", "县级自筹")
    page.select_option("#source-kind", "county")
    page.click("#add-source")
    page.wait_for_selector('#sources-table tr[data-source="county"]')
    for year in YEARS:
        cell = page.locator(f'#quota-grid input[data-source="county"][data-year="{year}"]')
        cell.fill("2000")
        cell.dispatch_event("change")
    page.click("#save-quotas")
    expect(page.locator(".notice-ok").last).to_contain_text("已保存 1 个来源")
    snap(page, "funding_source_and_quota")

    with server.client() as api:
        quotas = api.get(f"/api/scenarios/{scenario['id']}/quotas").json()
    assert [(q["source_code"], q["budget"]) for q in quotas] == [("county", flat_budget(2022, 2028, 2000))]

    page.goto(f"{server.base_url}/#/run")
    page.select_option("#run-scenario", str(scenario["id"]))
    page.wait_for_selector("#start-run")
    page.fill("#time-limit", "3")
    page.click("#start-run")
    page.wait_for_selector("#headline", timeout=60_000)
    page.wait_for_selector("#sources-chart .main-svg", timeout=30_000)

    metas = page.evaluate("() => document.querySelector('#sources-chart').data.map((trace) => trace.meta)")
    quota = page.evaluate(
        "() => document.querySelector('#sources-chart').data.find((t) => t.meta === 'source_quota:county').y"
    )
    assert {"source_spend:county", "source_quota:county", "cap"} <= set(metas)
    assert quota == [2000] * len(YEARS)
    expect(page.locator("#sources-panel h2")).to_have_text("分来源年度支出与额度")
    snap(page, "funding_by_source_chart")
