"""The web page in a real Chromium against a live `capsched serve`: what a finance officer and a viewer see and do."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from app.rules.portfolio import COLUMNS
from tests.browser.conftest import Server, sign_in, snap

SEED_PROJECTS = 19
YEARS = range(2020, 2031)


def _scenario(server: Server, name: str, flat: int) -> dict:
    """A scenario over 2020–2030 with the same cap every year, made through the API."""
    with server.client() as api:
        pid = api.get("/api/portfolios").json()[0]["id"]
        budget = {str(y): flat for y in YEARS}
        response = api.post(
            f"/api/portfolios/{pid}/scenarios",
            json={"name": name, "first_year": 2020, "last_year": 2030, "budget": budget},
        )
        assert response.status_code == 201, response.text
        return response.json()


def _finished_run(server: Server, scenario_id: int, time_limit: float = 3) -> dict:
    with server.client() as api:
        run = api.post(f"/api/scenarios/{scenario_id}/runs", json={"time_limit": time_limit}).json()
        for _ in range(600):
            run = api.get(f"/api/runs/{run['id']}").json()
            if run["status"] in ("done", "failed", "cancelled"):
                return run
            time.sleep(0.1)
    raise AssertionError(f"run {run['id']} did not finish")


def _run_in_page(page: Page, scenario_id: int) -> int:
    """Select the scenario in the run view, start a short run, wait for its result; returns the run id."""
    page.select_option("#run-scenario", str(scenario_id))
    page.wait_for_selector("#start-run")
    page.fill("#time-limit", "3")
    page.click("#start-run")
    page.wait_for_selector("#headline, #infeasible", timeout=60_000)
    return int(re.search(r"#/run/(\d+)", page.url).group(1))


@pytest.fixture(scope="module")
def two_runs(server: Server) -> tuple[dict, dict]:
    """A tight-budget run (some projects late) and a generous one (none late)."""
    tight = _finished_run(server, _scenario(server, "紧预算 14500", 14_500)["id"])
    ample = _finished_run(server, _scenario(server, "宽预算 30000", 30_000)["id"])
    assert tight["result"]["objective"] > ample["result"]["objective"] == 0
    return tight, ample


def test_signing_in_with_a_token_shows_who_and_role_and_cleans_the_address(
    page: Page, server: Server
) -> None:
    sign_in(page, server)

    expect(page.locator("#who")).to_have_text("admin")
    expect(page.locator("#role")).to_contain_text("财务")
    assert "token" not in page.url
    page.goto(server.base_url + "/")  # the token is kept: no second sign-in
    expect(page.locator("#who")).to_have_text("admin")


def test_a_wrong_token_asks_to_sign_in_in_plain_words(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/?token=not-a-real-token")

    expect(page.locator(".signin [role=alert]")).to_contain_text("令牌无效")
    expect(page.locator("#who")).to_have_count(0)


def test_the_portfolio_table_lists_the_19_seed_projects_with_estimates_marked(
    page: Page, server: Server
) -> None:
    sign_in(page, server, view="portfolio")

    rows = page.locator("#projects-table tbody tr")
    expect(rows).to_have_count(SEED_PROJECTS)
    expect(page.locator("#projects-table .tag-estimate").first).to_have_text("估算")
    page.fill("#project-filter", "WX-04")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("巫溪县白马小学校建设项目")


def test_sorting_by_cost_puts_the_dearest_project_first(page: Page, server: Server) -> None:
    sign_in(page, server, view="portfolio")
    with server.client() as api:
        projects = api.get("/api/portfolios/1/projects").json()
    dearest = max(projects, key=lambda p: p["cost_wan"] or 0)["code"]

    page.click('[data-sort="cost_wan"]')
    page.click('[data-sort="cost_wan"]')  # second click: descending

    expect(page.locator("#projects-table tbody tr").first).to_have_attribute("data-code", dearest)


def test_importing_a_bad_file_lists_each_row_error_next_to_its_row_and_stores_nothing(
    page: Page, server: Server, tmp_path: Path
) -> None:
    good = dict.fromkeys(COLUMNS, "")
    good.update(
        code="T-01",
        name="测试学校",
        category="义务教育",
        planned_start="2022",
        planned_end="2024",
        cost_wan="1000",
        spent_wan="0",
        star="false",
    )
    bad_cost = {**good, "code": "T-02", "cost_wan": "一千"}
    bad_years = {**good, "code": "T-03", "planned_start": "2026", "planned_end": "2023"}
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in (good, bad_cost, bad_years)]
    bad_file = tmp_path / "坏清单.csv"
    bad_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sign_in(page, server, view="portfolio")

    page.set_input_files("#import-file", str(bad_file))

    panel = page.locator("#import-errors")
    expect(panel).to_be_visible()
    expect(panel.locator('tr[data-row="3"]')).to_contain_text("T-02")
    expect(panel.locator('tr[data-row="3"]')).to_contain_text("cost")
    expect(panel.locator('tr[data-row="4"]')).to_contain_text("T-03")
    expect(panel.locator('tr[data-row="2"]')).to_have_count(0)
    expect(page.locator("#projects-table tbody tr")).to_have_count(SEED_PROJECTS)
    snap(page, "import_errors")


def test_a_stale_edit_says_what_changed_and_offers_the_latest(page: Page, server: Server) -> None:
    sign_in(page, server, view="portfolio")
    row = page.locator('#projects-table tr[data-code="WX-10"]')
    row.locator('[data-action="edit"]').click()
    with server.client() as api:  # someone else saves first
        project = next(p for p in api.get("/api/portfolios/1/projects").json() if p["code"] == "WX-10")
        api.patch(
            f"/api/projects/{project['id']}", json={"version": project["version"], "cost_wan": 1600}
        ).raise_for_status()

    page.fill('tr.editing input[name="seats_added"]', "300")
    page.click('tr.editing [data-action="save"]')

    conflict = page.locator("#edit-conflict")
    expect(conflict).to_contain_text("总投资")
    expect(conflict).to_contain_text("1600")
    page.click("#conflict-reload")
    expect(page.locator('tr.editing input[name="cost_wan"]')).to_have_value("1600")


def test_changing_a_budget_with_the_flat_tool_is_saved(page: Page, server: Server) -> None:
    scenario = _scenario(server, "预算调整测试", 12_000)
    sign_in(page, server, view="budget")
    page.click(f'[data-scenario="{scenario["id"]}"]')

    page.fill("#flat-amount", "15000")
    page.click("#apply-flat")
    page.fill("#scale-pct", "10")
    page.click("#apply-scale")
    expect(page.locator("#dirty")).to_be_visible()
    page.click("#save-budget")

    expect(page.locator(".notice-ok")).to_contain_text("已保存")
    with server.client() as api:
        saved = api.get(f"/api/scenarios/{scenario['id']}").json()
    assert saved["budget"] == {str(y): 16_500 for y in YEARS}
    page.reload()
    expect(page.locator('input[data-year="2023"]')).to_have_value("16500")


def test_a_run_draws_one_gantt_bar_per_scheduled_project(page: Page, server: Server) -> None:
    scenario = _scenario(server, "甘特图测试", 20_000)
    sign_in(page, server, view="run")

    run_id = _run_in_page(page, scenario["id"])

    expect(page.locator("#k-status")).to_contain_text("最优")
    page.wait_for_function("() => document.querySelector('#gantt')?.data?.length > 0")
    bars = page.evaluate(
        """() => document.querySelector('#gantt').data
              .filter(t => t.type === 'bar' && t.meta === 'bar')  // app/charts/gantt.py marks project bars
              .flatMap(t => Array.from(t.customdata))"""
    )
    with server.client() as api:
        result = api.get(f"/api/runs/{run_id}").json()["result"]
    scheduled = sorted(p["id"] for p in result["projects"] if p["scheduled"])
    assert sorted(bars) == scheduled
    assert len(scheduled) == SEED_PROJECTS
    expect(page.locator("#spend-chart .main-svg").first).to_be_visible()


def test_an_infeasible_run_shows_the_shortfall_per_year_and_adds_it_to_the_budget(
    page: Page, server: Server
) -> None:
    scenario = _scenario(server, "缺口测试", 12_000)
    sign_in(page, server, view="run")

    _run_in_page(page, scenario["id"])

    shortfall = page.locator("#shortfall li")
    expect(shortfall.first).to_have_text(re.compile(r"^20\d\d 年缺 [\d,]+ 万元$"))
    expect(page.locator("#infeasible-reasons li").first).to_contain_text("万元")  # the reason, in Chinese
    items = [re.match(r"(\d{4}) 年缺 ([\d,]+) 万元", text).groups() for text in shortfall.all_inner_texts()]
    snap(page, "infeasible")
    page.click("#apply-shortfall")
    expect(page.locator("#shortfall-applied")).to_be_visible()
    with server.client() as api:
        budget = api.get(f"/api/scenarios/{scenario['id']}").json()["budget"]
    for year, amount in items:
        assert budget[year] == 12_000 + int(amount.replace(",", ""))


def test_comparing_two_runs_highlights_the_projects_that_moved(page: Page, server: Server, two_runs) -> None:
    tight, ample = two_runs
    moved = {p["id"] for p in tight["result"]["projects"] if p["slippage"]}
    sign_in(page, server, view=f"compare/{tight['id']}/{ample['id']}")

    headline = page.locator("#compare-headline")
    expect(headline).to_contain_text(str(tight["result"]["objective"]))
    for code in moved:
        row = page.locator(f'#compare-projects tr[data-code="{code}"]')
        expect(row).to_have_class(re.compile("changed"))
        expect(row.locator("td.better")).to_have_count(1)  # less slippage in B
    expect(page.locator("#compare-years tbody tr")).to_have_count(len(YEARS))
    snap(page, "compare")


def test_the_gantt_png_and_the_schedule_xlsx_download(page: Page, server: Server, two_runs) -> None:
    tight, _ = two_runs
    sign_in(page, server, view=f"run/{tight['id']}")
    page.wait_for_selector("#export-gantt-png")

    with page.expect_download(timeout=60_000) as png:
        page.click("#export-gantt-png")
    with page.expect_download() as xlsx:
        page.click("#export-schedule-xlsx")

    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.value.suggested_filename.endswith(".png")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert book.sheetnames


def test_the_run_report_pdf_annual_plan_and_ms_project_download(page: Page, server: Server, two_runs) -> None:
    tight, _ = two_runs
    sign_in(page, server, view=f"run/{tight['id']}")
    page.wait_for_selector("#export-report-a4")
    expect(page.locator("#export-template")).to_have_count(0)  # the template lives on the projects page

    with page.expect_download(timeout=120_000) as report:
        page.click("#export-report-a4")
    page.select_option("#annual-plan-year", "2024")
    with page.expect_download() as plan:
        page.click("#export-annual-plan-xlsx")
    with page.expect_download() as xml:
        page.click("#export-msproject")

    assert Path(report.value.path()).read_bytes()[:5] == b"%PDF-"
    assert plan.value.suggested_filename.endswith("_annual_plan_2024.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(plan.value.path()).read_bytes())).worksheets[0]
    assert sheet["A1"].value.endswith("2024年度投资计划表")
    assert b"schemas.microsoft.com/project" in Path(xml.value.path()).read_bytes()


def test_the_projects_page_offers_the_template(page: Page, server: Server) -> None:
    sign_in(page, server, view="portfolio")
    with page.expect_download() as template:
        page.click("#template-button")
    book = openpyxl.load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
    assert [c.value for c in book.worksheets[0][1]][:2] == ["项目编号", "项目名称"]
    assert book.worksheets[0].data_validations.dataValidation


def test_a_viewer_sees_everything_but_cannot_edit(
    page: Page, server: Server, viewer_token: str, two_runs
) -> None:
    sign_in(page, server, token=viewer_token, view="portfolio")

    expect(page.locator("#role")).to_contain_text("只读")
    expect(page.locator("#projects-table tbody tr")).to_have_count(SEED_PROJECTS)
    expect(page.locator("#read-only")).to_be_visible()
    expect(
        page.locator('[data-action="edit"], [data-action="delete"], #import-button, #add-project')
    ).to_have_count(0)
    page.goto(f"{server.base_url}/#/budget")
    page.wait_for_selector("#budget-grid")
    expect(page.locator("#budget-grid input").first).to_be_disabled()
    expect(page.locator("#save-budget, #apply-flat, #new-scenario, #delete-scenario")).to_have_count(0)
    page.goto(f"{server.base_url}/#/run/{two_runs[0]['id']}")
    page.wait_for_selector("#headline")
    expect(page.locator("#start-run")).to_have_count(0)
    expect(page.locator("#export-gantt-png")).to_be_visible()  # viewers read and export


def test_the_english_switch_translates_the_page(page: Page, server: Server) -> None:
    sign_in(page, server, view="portfolio")

    page.click("#lang")

    expect(page.locator('.tab[data-view="portfolio"]')).to_have_text("Projects")
    expect(page.locator("#projects-table thead")).to_contain_text("Cost")
    page.click("#lang")
    expect(page.locator('.tab[data-view="portfolio"]')).to_have_text("项目库")


def test_the_page_is_usable_at_tablet_width(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, server, view="budget")

    expect(page.locator("#budget-grid")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
