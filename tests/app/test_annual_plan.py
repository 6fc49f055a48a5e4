"""The annual investment plan table: its figures against the schedule, its sources, and the files."""

from __future__ import annotations

import copy
import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from app.cli.main import cli
from app.files import annual_plan as plan_files
from app.files.importer import read_projects
from app.rules.annual_plan import UNSPLIT, annual_plan, source_column

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"


@pytest.fixture(scope="module")
def records():
    return read_projects(FIXTURES / "wuxi_projects.csv")


@pytest.fixture(scope="module")
def solution():
    return json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))


def draws(solution, year):
    return {p["id"]: p["funding"].get(str(year), 0) for p in solution["projects"] if p["scheduled"]}


def test_the_years_total_is_the_schedules_spend_that_year(solution, records):
    plan = annual_plan(solution, records, year=2024)
    spend = next(y["spend"] for y in solution["years"] if y["year"] == 2024)
    assert plan.total.year_wan == spend == sum(draws(solution, 2024).values())
    assert sum(g.subtotal.year_wan for g in plan.groups) == spend
    listed = {r.code for g in plan.groups for r in g.rows}
    assert listed == {code for code, amount in draws(solution, 2024).items() if amount > 0}


def test_done_is_the_earlier_draws_and_remaining_the_rest(solution, records):
    plan = annual_plan(solution, records, year=2024)
    by_code = {r.code: r for r in records}
    for row in (r for g in plan.groups for r in g.rows):
        funding = next(p["funding"] for p in solution["projects"] if p["id"] == row.code)
        earlier = sum(v for y, v in funding.items() if int(y) < 2024)
        assert row.money.done_wan == by_code[row.code].spent_wan + earlier
        assert row.money.remaining_wan == by_code[row.code].cost_wan - row.money.done_wan - row.money.year_wan


def test_recorded_actuals_replace_the_schedule_in_earlier_years(solution, records):
    plan = annual_plan(solution, records, year=2024, actuals={"WX-08": {2023: 150}})
    row = next(r for g in plan.groups for r in g.rows if r.code == "WX-08")
    assert row.money.done_wan == 150  # the schedule had 181 in 2023; the actual is what counts
    assert row.actuals_used


def test_without_sources_the_year_is_unsplit(solution, records):
    plan = annual_plan(solution, records, year=2024)
    assert not plan.has_sources and plan.unsplit
    assert plan.total.sources == {UNSPLIT: plan.total.year_wan}


def test_sources_fill_their_columns_and_only_the_rest_is_unsplit(solution, records):
    v2 = copy.deepcopy(solution)
    for item in v2["projects"]:
        amount = item["funding"].get("2024", 0)
        if amount:  # MODEL.md v2: y[i,k,t] by source id; 2 wan of each stays with a source named "donation"
            item["sources"] = {
                "2024": {"central": amount // 2, "special_bond": amount - amount // 2 - 2, "捐赠": 2}
            }
    plan = annual_plan(v2, records, year=2024)
    year = plan.total.year_wan
    assert plan.has_sources and not plan.unsplit
    assert plan.total.sources["central"] + plan.total.sources["bond"] + plan.total.sources["other"] == year
    assert source_column("县级") == "county" and source_column("central") == "central"


def test_a_year_outside_the_horizon_is_refused(solution, records):
    with pytest.raises(ValueError, match="outside"):
        annual_plan(solution, records, year=2040)


def test_xlsx_prints_on_a3_landscape_with_frozen_header_and_wan_formats(solution, records):
    plan = annual_plan(solution, records, year=2024)
    book = load_workbook(
        io.BytesIO(plan_files.plan_xlsx(plan, facts=plan_files.PlanFacts(portfolio="巫溪县")))
    )
    ws = book.worksheets[0]
    assert ws["A1"].value == "巫溪县2024年度投资计划表"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A3 and ws.page_setup.orientation == "landscape"
    assert ws.freeze_panes == "C5" and ws.print_title_rows == "$3:$4"
    headers = [c.value for c in ws[3]] + [c.value for c in ws[4]]
    for word in (
        "序号",
        "项目名称",
        "建设性质",
        "建设规模（m²）",
        "建设年限",
        "总投资",
        "截至2023年底累计完成投资",
    ):
        assert word in headers
    for word in (
        "本年计划投资（2024年）",
        "中央",
        "市级",
        "县级",
        "专项债",
        "其他",
        "未分来源",
        "剩余投资",
        "责任单位",
        "备注",
    ):
        assert word in headers
    total = [c.value for c in ws[5]]
    assert total[1] == "合计" and total[7] == plan.total.year_wan
    assert ws.cell(5, 8).number_format == "#,##0"
    projects = [r for r in range(6, ws.max_row) if isinstance(ws.cell(r, 1).value, int)]
    assert projects and all(ws.cell(r, 6).number_format == '#,##0" (估算)"' for r in projects)  # 4,560 (估算)
    names = {ws.cell(r, 2).value for r in range(6, ws.max_row + 1)}
    assert "义务教育小计" in names and "巫溪县凤凰中学校建设项目" in names


def test_pdf_is_a3_landscape_and_searchable(solution, records, tmp_path):
    plan = annual_plan(solution, records, year=2024)
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(plan_files.plan_pdf(plan, facts=plan_files.PlanFacts(portfolio="巫溪县")))
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "1190.55 x 841.89" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "巫溪县2024年度投资计划表" in text and "未分来源" in text
    for row in (r for g in plan.groups for r in g.rows):
        assert row.name in text.replace("\n", ""), row.name


def test_cli_writes_the_annual_plan(tmp_path):
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "export",
            str(FIXTURES / "wuxi_feasible.json"),
            "--projects",
            str(FIXTURES / "wuxi_projects.csv"),
            "--annual-plan",
            str(out),
            "--year",
            "2024",
        ],
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).worksheets[0]["A1"].value == "2024年度投资计划表"
