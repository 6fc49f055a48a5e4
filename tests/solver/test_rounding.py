"""The relaxation's pattern made a schedule (solver/rounding.py): always a verified schedule or None,
as close to the pattern as the caps allow."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from solver import Problem, Project, Solution, SolveStatus, verify
from solver.budget import Budget
from solver.lagrangian import price_bound
from solver.rounding import round_pattern
from solver.search import years_of
from solver.solution import objective_of
from solver.windows import project_windows
from tests.solver.test_properties import small_problems
from tests.solver.v2_problems import small_v2_problems, solution_of

FOREVER = 1e18


def _checked(problem: Problem, schedule) -> list[str]:
    solution = Solution(
        SolveStatus.FEASIBLE,
        objective_of(problem, schedule),
        None,
        0.0,
        schedule,
        years_of(problem, schedule),
    )
    return verify(problem, solution)


def test_a_pattern_that_fits_is_kept_with_whole_draws_as_early_as_they_may_come():
    # 甲 over 2021–2022 (10, at most 6 a year) and 乙 in 2022 (4): 6 + 4 in 2021–2022 front-loaded, caps 10.
    problem = Problem(
        2021,
        2023,
        dict.fromkeys(range(2021, 2024), 10),
        (Project("甲", 10, 2022, max_annual=6), Project("乙", 4, 2022)),
    )
    schedule = round_pattern(problem, project_windows(problem), {"甲": (2021, 2022), "乙": (2022, 2022)})
    assert schedule is not None and _checked(problem, schedule) == []
    first, second = schedule
    assert (first.start, first.end, first.funding) == (2021, 2022, {2021: 6, 2022: 4})
    assert (second.start, second.end, second.funding) == (2022, 2022, {2022: 4})


def test_an_over_full_year_loses_the_project_with_the_least_weight_per_money():
    # Both want 2021 (cap 10, each costs 10): 乙 (weight 1 per 10) leaves before 甲 (weight 3 per 10) and
    # the greedy funds it in 2022, a year late: the optimum 1.
    problem = Problem(
        2021,
        2022,
        {2021: 10, 2022: 10},
        (Project("甲", 10, 2021, weight=3), Project("乙", 10, 2021)),
    )
    schedule = round_pattern(problem, project_windows(problem), {"甲": (2021, 2021), "乙": (2021, 2021)})
    assert schedule is not None and _checked(problem, schedule) == []
    assert [s.end for s in schedule] == [2021, 2022]
    assert objective_of(problem, schedule) == 1


def test_a_successor_starting_before_its_predecessor_ends_is_funded_after_it():
    # The pattern starts 乙 in 2022 while 甲 ends then: 乙 leaves the pattern and is funded from 2023.
    problem = Problem(
        2021,
        2024,
        dict.fromkeys(range(2021, 2025), 100),
        (Project("甲", 10, 2022, max_annual=5), Project("乙", 5, 2022, after=("甲",))),
    )
    schedule = round_pattern(problem, project_windows(problem), {"甲": (2021, 2022), "乙": (2022, 2022)})
    assert schedule is not None and _checked(problem, schedule) == []
    assert schedule[1].start == 2023


def test_a_project_that_must_run_and_finds_no_room_outside_the_pattern_keeps_its_place():
    # Caps 10 in 2021 only. 乙 (must run, weight 0, only 2021) and 甲 (deferrable, weight 5 per 10) both
    # want it; 乙 has the least weight per money and leaves first, but nothing else can take it: on the
    # second attempt it keeps its place and 甲 leaves instead (deferred, penalty 1).
    problem = Problem(
        2021,
        2022,
        {2021: 10, 2022: 0},
        (
            Project("甲", 10, 2021, weight=5, deferrable=True, defer_penalty=1),
            Project("乙", 10, 2021, weight=0, deadline=2021),
        ),
    )
    schedule = round_pattern(problem, project_windows(problem), {"甲": (2021, 2021), "乙": (2021, 2021)})
    assert schedule is not None and _checked(problem, schedule) == []
    assert [s.scheduled for s in schedule] == [False, True]


def test_a_pattern_nothing_can_fit_gives_none():
    # 乙 must run in 2021 and cannot: the caps leave no room for it anywhere, in or out of the pattern.
    problem = Problem(
        2021,
        2022,
        {2021: 5, 2022: 0},
        (Project("甲", 5, 2021, weight=9, deadline=2021), Project("乙", 5, 2021, deadline=2021)),
    )
    assert round_pattern(problem, project_windows(problem), {"甲": (2021, 2021), "乙": (2021, 2021)}) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_rounded_pattern_of_the_relaxation_is_a_verified_schedule_no_better_than_its_bound(problem):
    windows = project_windows(problem)
    if any(w.must and not w.open for w in windows.values()):
        return  # structurally infeasible: solve reports it before any bound
    relaxed = price_bound(problem, windows, Budget(0.0, FOREVER), FOREVER)
    if relaxed is None:
        return
    schedule = round_pattern(problem, windows, relaxed.pattern)
    if schedule is not None:
        assert _checked(problem, schedule) == []
        assert relaxed.bound <= objective_of(problem, schedule)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_v2_problems())
def test_with_funding_sources_the_rounded_pattern_keeps_every_source_rule(problem):
    # the relaxation leaves the sources out (a weaker bound, still a bound); the rounding funds each
    # project at its pattern's place with the greedy's split, so the schedule keeps the sources' rules
    windows = project_windows(problem)
    if any(w.must and not w.open for w in windows.values()):
        return
    relaxed = price_bound(problem, windows, Budget(0.0, FOREVER), FOREVER)
    if relaxed is None:
        return
    schedule = round_pattern(problem, windows, relaxed.pattern)
    if schedule is not None:
        solution = solution_of(problem, schedule, objective_of(problem, schedule))
        assert verify(problem, solution) == []
        assert relaxed.bound <= solution.objective


def test_large_v2_portfolios_get_the_rounded_start_and_a_verified_schedule():
    from solver import SolveParams, solve
    from solver.instances import synthetic

    problem = synthetic(80, 10, 0.7, seed=2, sources=4)
    params = SolveParams(
        lns_min_projects=40, mip_max_projects=0, lagrangian_min_projects=40, lp_shares_max_projects=0
    )
    heard: list[str] = []
    solution = solve(problem, time_limit=4, workers=2, params=params, on_phase=heard.append)
    assert "rounding" in heard
    assert solution.status.has_schedule and verify(problem, solution) == []
