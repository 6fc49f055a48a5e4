"""What a run with funding sources shows: the draw by source in the Gantt hover and the schedule workbook,
the stacked chart of spending by source against each quota, "source-bound" in the slippage report when a
quota (not the total) holds a project, the shortfall per source and year in words, and the 年度投资计划表's
by-source columns."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from app.charts import funding_gantt
from app.charts.sources import source_spend_chart
from app.files.run_report import RunFacts, report_html
from app.files.schedule import schedule_xlsx
from app.rules.annual_plan import annual_plan
from app.rules.funding import FundingRule, SourcePlan
from app.rules.problem import ScenarioOptions, build_problem
from app.rules.run_context import RunContext, SourceInfo
from app.rules.slippage import Reason, slippage_report
from app.services.runs import source_shortfall_words
from solver import SolveStatus, solve
from tests.app.records import record as wx_06

YEARS = range(2024, 2027)
CONTEXT = RunContext(
    sources=(
        SourceInfo("bond", "专项债", "bond", illustrative=True),
        SourceInfo("county", "县级自筹", "county", carryover=True),
    )
)
NAMES = {s.id: s.name for s in CONTEXT.sources}


def small(code: str, cost: int, **kw: object):
    """A project planned for 2024 alone that one year could build (< 3,000 m²)."""
    fields = {
        "planned_start": 2024,
        "planned_end": 2024,
        "cost_wan": cost,
        "floor_area_m2": 2000.0,
        "star": False,
    }
    return wx_06(code=code, **{**fields, **kw})


# P may only draw on 专项债 (县级自筹 is forbidden for it); Q on anything.
P, Q = small("P", 1500), small("Q", 3000)
ONLY_BONDS = (FundingRule("county", project="P", allowed=False),)


def solved(total: int, bond: int, county: int, records=(P, Q), rules=ONLY_BONDS, **kw: object):
    sources = (
        SourcePlan("bond", dict.fromkeys(YEARS, bond)),
        SourcePlan("county", dict.fromkeys(YEARS, county), True),
    )
    options = ScenarioOptions(2024, 2026, dict.fromkeys(YEARS, total), star_deadline=None)
    problem = build_problem(list(records), replace(options, sources=sources, funding_rules=rules, **kw))
    return problem, solve(problem, time_limit=10, workers=1)


@pytest.fixture(scope="module")
def bond_bound():
    """Total 5,000 a year, 专项债 500: P takes 500 a year for three years (2024–2026) though the total has room."""
    return solved(5000, 500, 5000)


def test_the_bond_quota_not_the_total_makes_p_source_bound_naming_the_source_and_years(bond_bound) -> None:
    problem, solution = bond_bound
    assert solution.status is SolveStatus.OPTIMAL
    # alone P could end in 2024 (1,500 in one year); its only source gives 500 a year, so 2026
    report = slippage_report(problem, solution, records=[P, Q], source_names=NAMES)
    row = next(r for r in report.projects if r.code == "P")

    assert (row.forecast_end, row.reason) == (2026, Reason.SOURCE)
    assert row.bound_sources == ("专项债",) and row.bound_years == (2024, 2025, 2026)
    assert "专项债" in row.why("zh") and "2024–2026" in row.why("zh")
    assert report.has_sources and report.units[0].source_bound == 1


def test_when_the_total_is_used_up_the_project_is_budget_bound_not_source_bound() -> None:
    # the total, 500 a year, is what runs out; each source alone would give 5,000
    problem, solution = solved(500, 5000, 5000, records=(P,), rules=())
    report = slippage_report(problem, solution, records=[P], source_names=NAMES)

    assert report.projects[0].reason is Reason.BUDGET and report.projects[0].forecast_end == 2026


def test_the_stacked_chart_draws_each_sources_spend_on_its_quota(bond_bound) -> None:
    _, solution = bond_bound
    figure = source_spend_chart(solution.to_json(), context=CONTEXT, lang="zh")
    traces = {trace.meta: trace for trace in figure.data}
    by_source = {(e.source, e.year): e for e in solution.source_years}

    assert list(traces["source_quota:bond"].y) == [500, 500, 500]
    assert list(traces["source_spend:bond"].y) == [by_source["bond", y].spend for y in YEARS] == [500] * 3
    assert list(traces["source_spend:county"].y) == [by_source["county", y].spend for y in YEARS]
    # stacked: 县级自筹 sits on 专项债, in spend and in quota
    assert list(traces["source_spend:county"].base) == [500, 500, 500]
    assert list(traces["source_quota:county"].base) == [500, 500, 500]
    assert traces["source_spend:bond"].name == "专项债"
    # 专项债 is used up every year, 县级自筹 (5,000 a year, carried over) never
    assert [c[1] for c in traces["source_spend:bond"].customdata] == ["额度已用满"] * 3
    assert [c[1] for c in traces["source_spend:county"].customdata] == [""] * 3
    assert "示意" in figure.layout.title.subtitle.text  # illustrative quotas are labelled so


def test_a_run_without_sources_has_no_source_chart() -> None:
    with pytest.raises(ValueError):
        source_spend_chart({"projects": [], "years": [{"year": 2024, "budget": 1, "spend": 0}]}, lang="zh")


def test_the_gantt_hover_splits_each_years_draw_by_source(bond_bound) -> None:
    _, solution = bond_bound
    figure = funding_gantt(solution.to_json(), [P, Q], lang="zh", context=CONTEXT)
    hovers = [text for trace in figure.data if trace.meta == "bar" for text in trace.hovertext]

    p_hover = next(text for text in hovers if "(P)" in text)
    assert "2025: 500 万元（专项债 500）" in p_hover


def test_the_schedule_workbook_has_a_sheet_per_source_and_the_project_source_year_table(bond_bound) -> None:
    _, solution = bond_bound
    book = load_workbook(io.BytesIO(schedule_xlsx(solution.to_json(), [P, Q], lang="zh", context=CONTEXT)))

    assert {"专项债", "县级自筹", "项目×来源×年度", "来源年度额度"} <= set(book.sheetnames)
    bond = [row for row in book["专项债"].iter_rows(min_row=2, values_only=True) if row[0] == "P"]
    assert bond and list(bond[0][4:7]) == [500, 500, 500] and bond[0][7] == 1500
    table = [r for r in book["项目×来源×年度"].iter_rows(min_row=2, values_only=True) if r[0]]
    drawn = {(r[0], r[3], r[4]): r[5] for r in table if isinstance(r[5], int)}
    expected = {
        (p.id, k, y): v for p in solution.projects for y, split in p.sources.items() for k, v in split.items()
    }
    assert drawn == expected
    notes = [c.value for row in book["专项债"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("示意" in text for text in notes)


def test_the_annual_plan_puts_each_sources_money_under_its_kinds_column(bond_bound) -> None:
    _, solution = bond_bound
    kinds = {s.id: s.kind for s in CONTEXT.sources}
    plan = annual_plan(solution.to_json(), [P, Q], year=2024, source_kinds=kinds, sources_illustrative=True)

    assert plan.has_sources and not plan.unsplit and plan.sources_illustrative
    assert plan.total.sources.get("bond") == solution.source_years[0].spend == 500
    county_2024 = next(e.spend for e in solution.source_years if (e.source, e.year) == ("county", 2024))
    assert plan.total.sources.get("county") == county_2024


def test_an_infeasible_run_says_how_much_each_source_lacks_in_which_year() -> None:
    # P must finish by 2025 (★ deadline) but 专项债 gives 500 a year: 500 more 专项债 is the least that helps
    star_p = replace(P, star=True)
    _, solution = solved(5000, 500, 5000, records=(star_p,), star_deadline=2025)
    assert solution.status is SolveStatus.INFEASIBLE
    short = solution.diagnostics.source_shortfall

    words = source_shortfall_words(
        solution.to_json(), [{"id": s.id, "name": s.name} for s in CONTEXT.sources]
    )

    assert sum(v for by_year in short.values() for v in by_year.values()) == 500
    assert set(short) == {"bond"}
    assert words == [
        f"专项债 {year} 年缺 {amount} 万元" for year, amount in sorted(short["bond"].items()) if amount
    ]


def test_the_run_report_has_a_page_of_spending_by_source_labelled_illustrative(bond_bound) -> None:
    _, solution = bond_bound
    html = report_html(
        solution.to_json(), [P, Q], facts=RunFacts(), slippage=None, lang="zh", context=CONTEXT
    )

    assert "专项债：支出 1,500 万元 / 额度 1,500 万元" in html
    assert "资金来源及年度额度为示意数据" in html
