"""Solve options a caller sees: cancellation, progress, determinism, hints, the greedy baseline."""

from __future__ import annotations

import random
import threading

import pytest

from solver import (
    Problem,
    Progress,
    Project,
    SolveParams,
    SolveStatus,
    Strategy,
    choose_strategy,
    greedy_schedule,
    solve,
    verify,
)
from solver.greedy import warm_start


def _portfolio(n: int, seed: int = 7) -> Problem:
    """A crowded portfolio: n projects planned over 5 years, caps at 70 % of the planned pace."""
    rng = random.Random(seed)
    projects = []
    for i in range(n):
        cost = rng.randint(50, 900)
        dur = rng.randint(1, 4)
        end = 2021 + rng.randint(dur - 1, 4)
        projects.append(
            Project(
                f"项目-{i}",
                cost,
                end,
                earliest_start=end - dur + 1,
                min_annual=max(1, cost // (3 * dur)),
                max_annual=-(-cost // dur) * 2,
                weight=rng.randint(1, 4),
                deferrable=rng.random() < 0.2,
                defer_penalty=rng.randint(5, 30),
            )
        )
    cap = round(0.7 * sum(p.cost for p in projects) / 5)
    return Problem(2021, 2032, dict.fromkeys(range(2021, 2033), cap), tuple(projects))


@pytest.mark.timeout(40)
def test_stop_ends_a_long_solve_and_returns_the_best_so_far():
    problem = _portfolio(150)
    stop = threading.Event()
    reports: list[Progress] = []

    def progress(report: Progress) -> None:
        reports.append(report)
        stop.set()  # cancel as soon as the first schedule is in

    solution = solve(problem, time_limit=600, workers=2, progress=progress, stop=stop)
    assert solution.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert verify(problem, solution) == []
    assert reports and isinstance(reports[0].objective, int)


@pytest.mark.timeout(40)
def test_stop_set_from_another_thread_without_new_solutions_still_ends_the_solve():
    problem = _portfolio(150)
    stop = threading.Event()
    timer = threading.Timer(1.0, stop.set)
    timer.start()
    solution = solve(problem, time_limit=600, workers=2, stop=stop)
    timer.cancel()
    assert solution.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL, SolveStatus.UNKNOWN)
    assert verify(problem, solution) == []


def test_progress_reports_improving_objectives_with_bounds():
    problem = _portfolio(8)
    reports: list[Progress] = []
    solution = solve(problem, time_limit=10, workers=1, progress=reports.append)
    assert reports
    objectives = [r.objective for r in reports]
    assert objectives == sorted(objectives, reverse=True)
    assert all(r.bound is None or r.bound <= r.objective for r in reports)
    assert solution.objective <= objectives[-1]


def test_same_input_gives_the_same_schedule():
    problem = _portfolio(8)
    first = solve(problem, time_limit=10, workers=1)
    second = solve(problem, time_limit=10, workers=1)
    assert first.status == SolveStatus.OPTIMAL
    assert first.projects == second.projects


def test_parallel_solves_proven_optimal_return_the_same_schedule_every_run():
    # Regression: with 2 workers the parallel portfolio proved the optimum through a different optimal
    # schedule each run; the sequential, work-limited tie-break now picks one schedule deterministically.
    problem = _portfolio(12)
    runs = [solve(problem, time_limit=10, workers=2) for _ in range(4)]
    assert {r.status for r in runs} == {SolveStatus.OPTIMAL}
    assert all(r.projects == runs[0].projects for r in runs)


def test_a_hint_from_a_previous_run_reaches_the_same_optimum():
    problem = _portfolio(8)
    first = solve(problem, time_limit=10, workers=1)
    again = solve(problem, time_limit=10, workers=1, hint=first)
    assert (again.status, again.objective) == (SolveStatus.OPTIMAL, first.objective)


def test_greedy_schedule_is_valid_and_never_better_than_the_optimum():
    problem = _portfolio(8)
    greedy = greedy_schedule(problem)
    optimum = solve(problem, time_limit=10, workers=1)
    assert greedy.status == SolveStatus.FEASIBLE
    assert verify(problem, greedy) == []
    assert optimum.objective <= greedy.objective


def test_optimal_solution_reports_bound_equal_to_objective():
    problem = _portfolio(8)
    solution = solve(problem, time_limit=10, workers=2)
    assert solution.status == SolveStatus.OPTIMAL
    assert solution.bound == solution.objective
    assert [y.year for y in solution.years] == list(problem.years)


def test_warm_start_funds_a_tight_portfolio_the_baseline_order_cannot():
    # Caps 15 a year. The baseline funds 甲 (planned 2021) first and fast: 10 in 2021, leaving 5, so 乙
    # (exactly 10 a year for 2 years) no longer fits. Funding the heavier-per-money 乙 first leaves 5 + 5
    # for 甲, which then ends in 2022: one year late at weight 1, the optimum.
    problem = Problem(
        2021,
        2022,
        {2021: 15, 2022: 15},
        (Project("甲", 10, 2021), Project("乙", 20, 2022, min_annual=10, max_annual=10, weight=3)),
    )
    assert greedy_schedule(problem).status == SolveStatus.UNKNOWN
    warm = warm_start(problem)
    assert (warm.status, warm.objective) == (SolveStatus.FEASIBLE, 1)
    assert verify(problem, warm) == []
    assert solve(problem, time_limit=5, workers=1).objective == 1


def test_a_work_limit_gives_the_same_unproven_schedule_while_another_search_loads_the_cpu() -> None:
    # 40 crowded projects: not proven within 0.3 deterministic seconds, so the answer is whatever the
    # one sequential search held when its work ran out — the same count of work, however busy the machine.
    problem = _portfolio(40, seed=3)
    params = SolveParams(work_limit=0.3)
    quiet = solve(problem, time_limit=120, workers=1, params=params)
    busy = threading.Thread(
        target=solve, args=(_portfolio(60, seed=9),), kwargs={"time_limit": 5, "workers": 2}
    )
    busy.start()
    loaded = solve(problem, time_limit=120, workers=1, params=params)
    busy.join()
    assert quiet.status is SolveStatus.FEASIBLE
    assert quiet.projects == loaded.projects and quiet.objective == loaded.objective


def test_a_work_limit_keeps_medium_portfolios_on_cp_sat_alone() -> None:
    # HiGHS beside CP-SAT is a race whose winner depends on timing: a work-limited solve does not run it
    assert choose_strategy(120, SolveParams(work_limit=1.0), highs=True) is Strategy.CP_SAT
    assert choose_strategy(120, SolveParams(), highs=True) is Strategy.MIP_AND_CP_SAT


def test_an_infeasible_problem_without_the_shortfall_only_says_so() -> None:
    # 30 must be funded by 2021 from a cap of 20: infeasible; the elastic solve for the shortfall is skipped
    problem = Problem(2021, 2022, {2021: 20, 2022: 20}, (Project("A", 30, 2021, deadline=2021),))
    plain = solve(problem, time_limit=10, workers=1, params=SolveParams(shortfall=False))
    explained = solve(problem, time_limit=10, workers=1)
    assert plain.status is explained.status is SolveStatus.INFEASIBLE
    assert plain.diagnostics.shortfall is None
    assert explained.diagnostics.shortfall == {2021: 10}
