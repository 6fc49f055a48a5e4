"""The trade-off view, the slippage report, baselines and actuals in a real Chromium against `capsched serve`."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, add_user, sign_in

SEED_PROJECTS = 19
YEARS = range(2020, 2031)


def _soft_scenario(server: Server, name: str, flat: int) -> dict:
    """A scenario over 2020–2030 at a flat cap with ★ soft (so a tight budget still has a schedule)."""
    with server.client() as api:
        pid = api.get("/api/portfolios").json()[0]["id"]
        body = {
            "name": name,
            "first_year": 2020,
            "last_year": 2030,
            "budget": {str(y): flat for y in YEARS},
            "star_deadline": None,
        }
        response = api.post(f"/api/portfolios/{pid}/scenarios", json=body)
        assert response.status_code == 201, response.text
        return response.json()


def _finished_run(server: Server, scenario_id: int) -> dict:
    with server.client() as api:
        run = api.post(f"/api/scenarios/{scenario_id}/runs", json={"time_limit": 3}).json()
        while run["status"] not in ("done", "failed", "cancelled"):  # the test timeout guards forever
            time.sleep(0.1)
            run = api.get(f"/api/runs/{run['id']}").json()
        return run


def _open_scenario(page: Page, server: Server, view: str, scenario_id: int) -> None:
    sign_in(page, server)
    page.evaluate(f"localStorage.setItem('capsched.scenario', '{scenario_id}')")
    page.goto(f"{server.base_url}/#/{view}")
    page.reload()
    page.wait_for_selector(f'main[data-view="{view.split("/")[0]}"]')


def test_a_sweep_draws_the_curve_with_the_current_budget_and_fills_the_table(
    page: Page, server: Server
) -> None:
    scenario = _soft_scenario(server, "权衡曲线测试", 12_000)
    _open_scenario(page, server, "tradeoffs", scenario["id"])

    page.fill("#sweep-levels", "0.8,1.3")
    page.fill("#sweep-time-limit", "2")
    page.click("#start-sweep")

    expect(page.locator("#sweep-status")).to_have_text("已完成", timeout=60_000)
    expect(page.locator("#curve-table tbody tr")).to_have_count(2)
    expect(page.locator("#sweep-count")).to_have_text("已完成 2 / 2 个预算水平")
    page.wait_for_function("() => document.querySelector('#curve-chart')?.data?.length > 0")
    marked = page.evaluate("() => document.querySelector('#curve-chart').layout.shapes.map(s => s.x0)")
    assert marked == [12_000]  # the scenario's own budget, dashed
    slippage = page.evaluate("() => Array.from(document.querySelector('#curve-chart').data[0].y)")
    assert slippage == sorted(slippage, reverse=True)
    expect(page.locator("#least-star")).to_be_visible()
    expect(page.locator("#least-zero")).to_be_visible()


def test_the_run_view_shows_the_slippage_report_with_reasons_and_units(page: Page, server: Server) -> None:
    scenario = _soft_scenario(server, "延期报告测试", 12_000)
    run = _finished_run(server, scenario["id"])
    late = sorted(p["id"] for p in run["result"]["projects"] if (p["slippage"] or 0) > 0)
    assert late, "1.2亿 a year leaves some projects late"

    _open_scenario(page, server, f"run/{run['id']}", scenario["id"])

    expect(page.locator("#report-table tbody tr")).to_have_count(SEED_PROJECTS)
    first_late = page.locator(f'#report-table tr[data-code="{late[0]}"]')
    expect(first_late).to_contain_text("约束")  # 资金约束 / 进度约束 / 前序项目约束
    expect(page.locator("#report-units tbody tr").first).to_contain_text("县")
    expect(page.locator("#report-table thead")).not_to_contain_text("基准完成")


def test_finance_approves_a_run_as_baseline_and_the_report_compares_with_it(
    page: Page, server: Server
) -> None:
    scenario = _soft_scenario(server, "基准测试", 15_000)
    run = _finished_run(server, scenario["id"])
    _open_scenario(page, server, f"run/{run['id']}", scenario["id"])

    asked: list[str] = []

    def answer(accept: bool):
        def reply(dialog) -> None:
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return reply

    page.once("dialog", answer(False))  # approving asks for confirmation (issue 13): "no" approves nothing
    page.click("#approve-baseline")
    with server.client() as api:
        current = api.get(f"/api/portfolios/{scenario['portfolio_id']}/baseline")
        assert current.status_code == 404 or current.json()["run_id"] != run["id"]

    page.once("dialog", answer(True))
    page.click("#approve-baseline")

    expect(page.locator("#baseline-info")).to_contain_text(f"第 {run['id']} 次运行", timeout=30_000)
    assert len(asked) == 2 and all(f"#{run['id']}" in message for message in asked), asked
    expect(page.locator("#report-table thead")).to_contain_text("基准完成")
    expect(page.locator("#report-table thead")).to_contain_text("较基准延期")
    expect(page.locator('#report-table [data-col="late-vs-baseline"]').first).to_have_text("0")


def test_an_owner_records_an_actual_for_its_own_project(page: Page, server: Server) -> None:
    token = add_user(server, "凤凰镇项目办", "owner", "县卫生健康委")
    sign_in(page, server, token=token, view="actuals")

    with server.client() as api:
        pid = api.get("/api/portfolios").json()[0]["id"]
        own = [
            p
            for p in api.get(f"/api/portfolios/{pid}/projects").json()
            if p["responsible_unit"] == "县卫生健康委"
        ]
    expect(page.locator("#actual-project option")).to_have_count(len(own))  # only its own unit's projects
    page.fill("#actual-year", "2022")
    page.fill("#actual-spent", "321")
    page.fill("#actual-percent", "15")
    page.click("#record-actual")

    row = page.locator('#actuals-table tr[data-year="2022"]').filter(has_text="321")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("县卫生健康委")
