"""The slippage report (app/rules/slippage.py, tables app/files/report_tables.py): years late and why, per project and per responsible unit."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from app.files.report_tables import slippage_csv as report_csv
from app.files.report_tables import slippage_xlsx as report_xlsx
from app.rules.slippage import Reason, slippage_report
from solver import Problem, Project, Solution, SolveStatus, solve


def _problem() -> Problem:
    # Caps 150 a year, 2021–2026.
    # P: 300 at most 100 a year from 2021 → three years, ends 2023 at the earliest (planned 2022): pace-bound.
    # R: after P, so starts 2024 at the earliest and ends 2024 (planned 2023): predecessor-bound.
    # Q: 200, no draw limit, planned 2022. P (weight 10) takes 100 of each 150 in 2021–2023, leaving Q
    #    50 + 50 + 50 = 150 < 200, so Q ends 2024 — it could end in 2021 with enough money: budget-bound.
    # S: small, planned 2026, starts 2025: on time. T: deferrable, costs more than all the caps: deferred.
    projects = (
        Project(id="P", cost=300, planned_end=2022, earliest_start=2021, max_annual=100, weight=10),
        Project(id="Q", cost=200, planned_end=2022, earliest_start=2021, weight=1),
        Project(id="R", cost=50, planned_end=2023, earliest_start=2021, after=("P",), weight=10),
        Project(id="S", cost=10, planned_end=2026, earliest_start=2025),
        Project(id="T", cost=10_000, planned_end=2026, earliest_start=2021, deferrable=True),
    )
    return Problem(2021, 2026, dict.fromkeys(range(2021, 2027), 150), projects)


def _records() -> list[SimpleNamespace]:
    units = {"P": "县教委", "Q": "县教委", "R": "县发改委", "S": "县发改委", "T": "县教委"}
    return [
        SimpleNamespace(code=code, name=f"项目{code}", responsible_unit=unit, star=code == "P")
        for code, unit in units.items()
    ]


@pytest.fixture(scope="module")
def forecast() -> Solution:
    solution = solve(_problem(), time_limit=10, workers=2)
    assert solution.status is SolveStatus.OPTIMAL
    return solution


def _row(report, code: str):
    return next(r for r in report.projects if r.code == code)


def test_a_project_held_by_its_own_draw_limit_is_pace_bound(forecast: Solution) -> None:
    row = _row(slippage_report(_problem(), forecast, records=_records()), "P")
    assert (row.forecast_end, row.years_late, row.reason, row.pace_end) == (2023, 1, Reason.PACE, 2023)
    assert "2023" in row.why("zh") and "more money would not help" in row.why("en")


def test_a_project_that_money_would_speed_up_is_budget_bound(forecast: Solution) -> None:
    row = _row(slippage_report(_problem(), forecast, records=_records()), "Q")
    assert (row.forecast_end, row.years_late, row.reason, row.earliest_end) == (2024, 2, Reason.BUDGET, 2021)


def test_a_project_waiting_for_its_predecessor_is_predecessor_bound(forecast: Solution) -> None:
    row = _row(slippage_report(_problem(), forecast, records=_records()), "R")
    assert (row.forecast_end, row.reason, row.held_by) == (2024, Reason.PREDECESSOR, ("P",))
    assert "P" in row.why("zh")


def test_on_time_and_deferred_projects_are_named_so(forecast: Solution) -> None:
    report = slippage_report(_problem(), forecast, records=_records())
    assert (_row(report, "S").reason, _row(report, "S").years_late) == (Reason.ON_TIME, 0)
    assert (_row(report, "T").reason, _row(report, "T").years_late) == (Reason.DEFERRED, None)


def test_units_add_up_their_projects(forecast: Solution) -> None:
    units = {u.unit: u for u in slippage_report(_problem(), forecast, records=_records()).units}
    edu = units["县教委"]  # P (★, 1 year × weight 10), Q (2 years × 1), T deferred
    assert (edu.projects, edu.late, edu.star_late, edu.deferred) == (3, 2, 1, 1)
    assert (edu.years_late, edu.weighted_slippage, edu.budget_bound, edu.pace_bound) == (3, 12, 1, 1)
    assert (units["县发改委"].late, units["县发改委"].predecessor_bound) == (1, 1)


def test_baseline_end_and_lateness_against_it(forecast: Solution) -> None:
    q = forecast.schedule("Q")
    baseline = replace(forecast, projects=(replace(q, end=2023),))
    row = _row(slippage_report(_problem(), forecast, records=_records(), baseline=baseline), "Q")
    assert (row.baseline_end, row.late_vs_baseline) == (2023, 1)


def test_report_exports_keep_the_chinese(forecast: Solution) -> None:
    report = slippage_report(_problem(), forecast, records=_records())
    text = report_csv(report).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,项目名称,责任单位")
    assert "项目Q,县教委" in text and "资金约束" in text
    assert report_xlsx(report, "en")[:2] == b"PK"


def test_a_forecast_without_a_schedule_is_refused() -> None:
    nothing = Solution(status=SolveStatus.INFEASIBLE, objective=None, bound=None, solve_seconds=0.0)
    with pytest.raises(ValueError, match="no schedule"):
        slippage_report(_problem(), nothing)
