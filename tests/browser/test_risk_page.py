"""The 风险分析 view in a real Chromium against `capsched serve` (its own Dask LocalCluster): a finance
officer sets the overrun assumptions, runs the analysis and reads P(on time), the P80 budget and the charts,
always beside the assumptions; the English switch; a viewer reads but cannot start one."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.seeding import STAR_SCENARIO_NAME
from tests.browser.conftest import Server, add_user, sign_in, snap

SEED_PROJECTS = 19


def _star_scenario(server: Server) -> dict:
    """The seeded ★按期完工 scenario (15,000 万元 a year, ★ hard)."""
    with server.client() as api:
        pid = api.get("/api/portfolios").json()[0]["id"]
        scenarios = api.get(f"/api/portfolios/{pid}/scenarios").json()
        return next(s for s in scenarios if s["name"] == STAR_SCENARIO_NAME)


def _open(page: Page, server: Server, scenario_id: int, token: str | None = None) -> None:
    sign_in(page, server, token)
    page.evaluate(f"localStorage.setItem('capsched.scenario', '{scenario_id}')")
    page.goto(f"{server.base_url}/#/risk")
    page.reload()
    page.wait_for_selector('main[data-view="risk"]')


def test_a_finance_officer_runs_a_risk_analysis_and_reads_it_beside_its_assumptions(
    page: Page, server: Server
) -> None:
    scenario = _star_scenario(server)
    _open(page, server, scenario["id"])
    expect(page.locator("#risk-assumption-help")).to_contain_text("假设")
    expect(page.locator("#risk-assumption-help")).to_contain_text("Flyvbjerg")

    page.fill("#risk-samples", "6")
    page.fill("#risk-seed", "7")
    page.fill("#risk-work-limit", "0.5")
    page.locator("#risk-groups summary").click()
    page.fill('tr[data-group="学前教育"] input[id$="-share"]', "90")
    page.fill('tr[data-group="学前教育"] input[id$="-mean"]', "40")
    page.click("#start-risk")

    expect(page.locator("#risk-status")).to_have_text("已完成", timeout=280_000)
    expect(page.locator("#risk-assumptions")).to_contain_text("假设（非本县数据）")
    expect(page.locator("#risk-assumptions")).to_contain_text("另有 1 个类别/性质由用户单独设定")
    expect(page.locator("#risk-p80 .value")).to_contain_text("万元/年")
    expect(page.locator("#risk-all-stars .value")).to_have_text(re.compile(r"^\d+%$"))
    rows = page.locator("#risk-table tbody tr")
    expect(rows).to_have_count(SEED_PROJECTS)
    expect(rows.first).to_contain_text("★")  # ★ projects first
    expect(page.locator("#risk-years tbody tr")).to_have_count(11)
    for chart in ("probability", "slippage", "budget"):
        page.wait_for_function(f"() => document.querySelector('#risk-{chart}-chart')?.data?.length > 0")
    p80 = page.evaluate(
        "() => document.querySelector('#risk-budget-chart').layout.annotations.map(a => a.text).join(' | ')"
    )
    assert "P80 预算" in p80 and "假设" in p80
    snap(page, "risk_view_done")

    page.click("#lang")
    expect(page.locator("#risk-status")).to_have_text("done")
    expect(page.locator("#risk-assumptions")).to_contain_text("1 categories/natures set apart by the user")
    expect(page.locator("#risk-p80 .label")).to_have_text("P80 annual budget")
    page.click("#lang")


def test_a_viewer_reads_risk_analyses_but_cannot_start_one(page: Page, server: Server) -> None:
    scenario = _star_scenario(server)
    _open(page, server, scenario["id"], add_user(server, "风险只读", "viewer"))
    expect(page.locator("#risk-form")).to_have_count(0)
    expect(page.locator("#start-risk")).to_have_count(0)
    header = page.locator(".topbar").bounding_box()
    assert header is not None and header["height"] < 60  # the nine views and the language switch on one line
