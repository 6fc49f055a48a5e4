"""Re-planning from a year: the past frozen at the actuals, only the remaining cost scheduled, and the
projects whose actual pace cannot meet their deadline flagged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rules.portfolio import ProjectRecord
from app.rules.problem import PlanningError, ScenarioOptions, build_problem, merge_past, replan
from solver import SolveStatus, solve, verify
from tests.app.records import record


def _record(**changes: object) -> ProjectRecord:
    return record(**{"cost_wan": 6080, **changes})


def _options(**changes: object) -> ScenarioOptions:
    base = ScenarioOptions(
        first_year=2021, last_year=2030, budget=dict.fromkeys(range(2021, 2031), 5000), replan_from=2025
    )
    return replace(base, **changes)


SLOW = {"WX-06": {2023: 700, 2024: 500}}


CONTINUED = (
    "projects with actual spending by the end of 2024 continue as under way from 2025, only what is left to "
    "fund scheduled: "
)


def test_replan_schedules_only_the_remaining_cost_from_the_replan_year() -> None:
    plan = replan([_record()], _options(), SLOW)
    assert plan.problem.first_year == 2025
    assert sorted(plan.problem.budget) == list(range(2025, 2031))
    (project,) = plan.problem.projects
    assert project.cost == 6080 - 1200
    assert project.fixed_start == 2025  # money was spent before 2025: it is under way


def test_a_project_too_slow_for_its_deadline_is_flagged_and_its_deadline_lifted() -> None:
    # 4880 left at most ⌈6080 / 3⌉ = 2027 a year takes 3 years from 2025: it ends 2027 at the earliest
    plan = replan([_record()], _options(), SLOW)
    assert plan.messages == (
        "WX-06: 1200 of 6080 spent by 2024; at most 2027 a year it cannot finish by 2025 (earliest 2027); "
        "its deadline is lifted for this re-plan",
        CONTINUED + "WX-06 (1200 spent, 4880 left)",
    )
    assert plan.problem.projects[0].deadline is None


def test_a_project_on_pace_is_not_flagged_and_keeps_its_deadline() -> None:
    # 800 left at ≤ ⌈2400 / 3⌉ = 800 a year: one year, 2025
    plan = replan([_record(cost_wan=2400)], _options(), {"WX-06": {2023: 800, 2024: 800}})
    assert plan.messages == (CONTINUED + "WX-06 (1600 spent, 800 left)",)  # named as changed, not flagged
    assert plan.problem.projects[0].deadline == 2025


def test_without_actuals_the_recorded_spent_wan_counts() -> None:
    plan = replan([_record(spent_wan=1000, planned_end=2027)], _options(), {})
    assert plan.problem.projects[0].cost == 5080
    assert plan.problem.projects[0].fixed_start is None


def test_replan_year_outside_the_scenario_is_an_error_naming_it() -> None:
    with pytest.raises(PlanningError, match="2035 is outside the scenario's years 2021–2030"):
        replan([_record()], _options(replan_from=2035), {})


def test_build_problem_replans_only_when_asked() -> None:
    assert build_problem([_record()], _options(), SLOW) == replan([_record()], _options(), SLOW).problem
    plain = build_problem([_record()], _options(replan_from=None), SLOW)
    assert plain.first_year == 2021 and plain.projects[0].cost == 6080


def test_merged_schedule_keeps_the_past_years_exactly_at_the_actuals() -> None:
    records = [_record(), _record(code="WX-07", cost_wan=900, star=False, planned_end=2024)]
    actuals = {**SLOW, "WX-07": {2023: 400, 2024: 500}}  # WX-07 is paid in full before 2025
    plan = replan(records, _options(), actuals)
    solution = solve(plan.problem, time_limit=5, workers=1)
    assert solution.status is SolveStatus.OPTIMAL and not verify(plan.problem, solution)
    merged = merge_past(solution.to_json(), plan, dict.fromkeys(range(2021, 2025), 5000))
    by_id = {p["id"]: p for p in merged["projects"]}
    assert {y: v for y, v in by_id["WX-06"]["funding"].items() if int(y) < 2025} == {"2023": 700, "2024": 500}
    assert sum(by_id["WX-06"]["funding"].values()) == 6080
    assert by_id["WX-06"]["start"] == 2023
    assert by_id["WX-07"] == {
        "id": "WX-07",
        "scheduled": True,
        "start": 2023,
        "end": 2024,
        "slippage": 0,
        "funding": {"2023": 400, "2024": 500},
    }
    past_years = [y for y in merged["years"] if y["year"] < 2025]
    assert past_years == [
        {"year": 2021, "budget": 5000, "spend": 0},
        {"year": 2022, "budget": 5000, "spend": 0},
        {"year": 2023, "budget": 5000, "spend": 1100},
        {"year": 2024, "budget": 5000, "spend": 1000},
    ]
    assert merged["diagnostics"]["messages"][0].startswith("WX-06: 1200 of 6080 spent by 2024")
