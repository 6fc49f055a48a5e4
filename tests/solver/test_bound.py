"""The money-flow LP bound (solver/bound.py): never above the optimum, and what solve reports."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from solver import Problem, Project, SolveStatus, solve, verify
from solver.bound import lower_bound, lp_bound
from tests.solver.test_properties import brute_force_optimum, small_problems, tiny_problems


def test_two_projects_due_the_same_year_with_money_for_one_force_one_year_of_slippage():
    # Caps 10 a year; 甲 and 乙 cost 10 each, both planned for 2021. By the end of 2021 only 10 can have
    # been drawn, so at most one of them has ended: the other slips at least a year. The LP sees exactly
    # that (cost·ended-by-2021 summed ≤ 10), so its bound is the optimum 1.
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("甲", 10, 2021), Project("乙", 10, 2021)))
    assert lower_bound(problem) == 1
    solution = solve(problem, time_limit=5, workers=1)
    assert (solution.status, solution.objective, solution.bound) == (SolveStatus.OPTIMAL, 1, 1)


def test_a_slow_pace_and_a_late_start_show_in_the_bound():
    # 甲 costs 9 at most 3 a year and cannot start before 2022: it ends in 2024 at the earliest, two years
    # after its plan (weight 2): 4. Deferring it costs 3, which is cheaper: the bound and optimum are 3.
    project = Project(
        "甲", 9, 2022, earliest_start=2022, max_annual=3, weight=2, deferrable=True, defer_penalty=3
    )
    problem = Problem(2021, 2025, dict.fromkeys(range(2021, 2026), 100), (project,))
    assert lower_bound(problem) == 3


def test_carryover_counts_money_saved_from_earlier_years():
    # Caps 5 a year with carryover; 甲 (8, one year only, due 2021) can run in 2022 on 5 + 5, one year
    # late. Without carryover no year holds 8: the LP is infeasible and gives no bound.
    project = Project("甲", 8, 2021, max_years=1)
    with_carryover = Problem(2021, 2022, {2021: 5, 2022: 5}, (project,), carryover=True)
    without = Problem(2021, 2022, {2021: 5, 2022: 5}, (project,))
    assert lower_bound(with_carryover) == 1
    assert lower_bound(without) is None


def test_a_deferred_predecessor_counts_its_successors_penalty_too():
    # 乙 needs 甲 done first; 甲 cannot fit (cost 20, caps 5, one year at most), so both are deferred:
    # 4 + 6. The LP's precedence rows tie 乙's end to 甲's, so its bound is 10 as well.
    first = Project("甲", 20, 2021, max_years=1, deferrable=True, defer_penalty=4)
    then = Project("乙", 3, 2022, after=("甲",), deferrable=True, defer_penalty=6)
    problem = Problem(2021, 2023, dict.fromkeys(range(2021, 2024), 5), (first, then))
    assert lower_bound(problem) == 10


def test_the_lp_names_the_projects_it_gives_whole_with_their_end_year():
    # 甲 (weight 2) and 乙 (weight 1) cost 10 each, in one year, both planned for 2021; 2021 has 15. The
    # LP's only optimum ends 甲 in 2021 whole and half of 乙 (5 of its 10), the other half in 2022: 乙 is
    # split, so not named, and the bound is ⌈0.5⌉ = 1. With 20 in 2021 both end in 2021 whole. A project the
    # LP defers whole is named with None.
    first = Project("甲", 10, 2021, max_years=1, weight=2)
    second = Project("乙", 10, 2021, max_years=1)
    short = lp_bound(Problem(2021, 2022, {2021: 15, 2022: 20}, (first, second)))
    assert (short.bound, short.whole, short.mean_end) == (1, {"甲": 2021}, {"甲": 2021.0, "乙": 2021.5})
    ample = lp_bound(Problem(2021, 2022, {2021: 20, 2022: 20}, (first, second)))
    assert ample.whole == {"甲": 2021, "乙": 2021}
    slow = Project(
        "丙", 9, 2022, earliest_start=2022, max_annual=3, weight=2, deferrable=True, defer_penalty=3
    )
    assert lp_bound(Problem(2021, 2025, dict.fromkeys(range(2021, 2026), 100), (slow,))).whole == {"丙": None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_the_bound_never_exceeds_the_brute_force_optimum(problem):
    expected = brute_force_optimum(problem)
    bound = lower_bound(problem)
    if expected is not None:
        assert bound is not None and bound <= expected
    assert lower_bound(problem, engine="GLOP") == bound


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_solve_reports_at_least_the_lp_bound_and_never_above_its_schedule(problem):
    bound = lower_bound(problem)
    solution = solve(problem, time_limit=2, workers=1)
    assert verify(problem, solution) == []
    if solution.status.has_schedule:
        assert bound is not None and bound <= solution.bound <= solution.objective


def test_the_lp_mean_end_years_are_where_the_lp_puts_the_money():
    # 甲 (weight 3) and 乙 (weight 1), 10 each, both planned 2021, caps 10 a year: the LP ends 甲 in 2021
    # and 乙 in 2022 (slipping the cheap one), so their mean end years are 2021 and 2022; 丙 cannot be
    # funded at all (it needs 20 in one year) and is deferred, so it has none.
    problem = Problem(
        2021,
        2022,
        {2021: 10, 2022: 10},
        (
            Project("甲", 10, 2021, weight=3),
            Project("乙", 10, 2021),
            Project("丙", 20, 2022, min_years=1, max_years=1, deferrable=True, defer_penalty=5),
        ),
    )
    solved = lp_bound(problem)
    assert solved is not None and solved.bound == lower_bound(problem) == 1 + 5
    assert solved.mean_end["甲"] == pytest.approx(2021) and solved.mean_end["乙"] == pytest.approx(2022)
    assert "丙" not in solved.mean_end
