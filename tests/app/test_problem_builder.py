"""The planning rules that turn a project list into a MODEL.md problem (README documents each)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rules.portfolio import ProjectRecord
from app.rules.problem import (
    PlanningError,
    ScenarioOptions,
    build_problem,
    default_scenario_options,
    star_scenario_options,
)
from tests.app.records import record


def _record(**changes: object) -> ProjectRecord:
    return record(**changes)


def _options(**changes: object) -> ScenarioOptions:
    base = ScenarioOptions(first_year=2020, last_year=2030, budget=dict.fromkeys(range(2020, 2031), 5000))
    return replace(base, **changes)


def _only_project(record: ProjectRecord, options: ScenarioOptions | None = None):
    (project,) = build_problem([record], options or _options()).projects
    return project


def test_star_project_must_finish_by_the_end_of_the_plan_period() -> None:
    assert _only_project(_record(star=True)).deadline == 2025


def test_project_without_star_has_no_deadline() -> None:
    assert _only_project(_record(star=False)).deadline is None


def test_star_deadline_can_be_switched_off_by_the_scenario() -> None:
    assert _only_project(_record(), _options(star_deadline=None)).deadline is None


def test_project_under_construction_starts_fixed_at_its_planned_start() -> None:
    project = _only_project(_record(status="已开工建设", nature="续建", planned_start=2020, planned_end=2023))
    assert project.fixed_start == 2020


def test_project_under_construction_before_the_horizon_starts_in_its_first_year() -> None:
    record = _record(status="已开工建设", nature="续建", planned_start=2020, planned_end=2023)
    assert (
        _only_project(
            record, _options(first_year=2022, budget=dict.fromkeys(range(2022, 2031), 1))
        ).fixed_start
        == 2022
    )


def test_planned_project_may_start_no_earlier_than_planned() -> None:
    project = _only_project(_record())
    assert (project.earliest_start, project.fixed_start) == (2022, None)


def test_remaining_cost_is_cost_minus_what_was_spent() -> None:
    assert _only_project(_record(cost_wan=8000, spent_wan=3000)).cost == 5000


def test_fully_spent_project_is_left_out() -> None:
    assert build_problem([_record(cost_wan=8000, spent_wan=8000)], _options()).projects == ()


def test_a_building_takes_at_least_two_years_and_at_most_three_more_than_planned() -> None:
    # planned 2022–2025 is 4 years: one year faster (3) at the most, three years slower (7) at the most
    project = _only_project(_record())
    assert (project.min_years, project.max_years) == (3, 7)


def test_small_works_planned_over_two_years_may_be_done_in_one() -> None:
    project = _only_project(_record(floor_area_m2=1500.0, planned_start=2024, planned_end=2025))
    assert project.min_years == 1


def test_large_building_planned_over_two_years_still_needs_two() -> None:
    project = _only_project(_record(floor_area_m2=12000.0, planned_start=2021, planned_end=2022))
    assert project.min_years == 2


def test_annual_draws_allow_the_fastest_pace_and_keep_a_site_going() -> None:
    project = _only_project(_record(cost_wan=9000))
    # 9000 over at least 3 years: at most 3000 a year; at least 9000 / (2 × 7) = 642 while active
    assert (project.max_annual, project.min_annual) == (3000, 642)


def test_weight_counts_star_and_pupil_places() -> None:
    assert _only_project(_record(star=True, seats_added=1710)).weight == 1 + 2 + 1
    assert _only_project(_record(star=False, seats_added=None)).weight == 1


def test_override_replaces_a_derived_field() -> None:
    options = _options(overrides={"WX-06": {"deferrable": True, "defer_penalty": 40, "deadline": None}})
    project = _only_project(_record(), options)
    assert (project.deferrable, project.defer_penalty, project.deadline) == (True, 40, None)


def test_override_of_an_unknown_project_names_it() -> None:
    with pytest.raises(PlanningError, match="WX-99: overrides: no project with this code"):
        build_problem([_record()], _options(overrides={"WX-99": {"weight": 2}}))


def test_override_of_an_unknown_field_names_it() -> None:
    with pytest.raises(PlanningError, match="WX-06: colour: not a project field"):
        build_problem([_record()], _options(overrides={"WX-06": {"colour": "red"}}))


def test_project_without_cost_cannot_be_scheduled_and_says_so() -> None:
    with pytest.raises(PlanningError, match="WX-06: cost_wan: missing"):
        build_problem([_record(cost_wan=None)], _options())


def test_default_scenario_is_2020_to_2030_at_a_flat_cap_with_star_soft() -> None:
    options = default_scenario_options()
    assert (options.first_year, options.last_year, options.star_deadline) == (2020, 2030, None)
    assert set(options.budget.values()) == {12000} and sorted(options.budget) == list(range(2020, 2031))


def test_star_scenario_keeps_the_plan_rule_hard() -> None:
    options = star_scenario_options()
    assert options.star_deadline == 2025 and sorted(options.budget) == list(range(2020, 2031))
