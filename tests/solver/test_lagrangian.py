"""The Lagrangian bound (solver/lagrangian.py): never above any schedule, equal to its LP where the LP is
written out by hand, stopped by its clock and by a cancel."""

from __future__ import annotations

import itertools
import math
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.linear_solver import pywraplp

from solver import Problem, Project, SolveParams, SolveStatus, solve, verify
from solver.bound import draw_caps, lp_bound
from solver.budget import Budget, Stopped
from solver.greedy import warm_start
from solver.lagrangian import Bundle, Relaxation, price_bound
from solver.windows import project_windows
from tests.solver.test_properties import brute_force_optimum, small_problems, tiny_problems

FOREVER = 1e18  # a clock reading no test reaches: the bundle runs to its own stopping rule


def _bound(problem: Problem) -> int | None:
    budget = Budget(0.0, FOREVER)
    found = price_bound(problem, project_windows(problem), budget, FOREVER)
    return None if found is None else found.bound


def _best_value(problem: Problem) -> float:
    """The Lagrangian's best value L(z) (before rounding), the bundle run to its stopping rule."""
    bundle = Bundle(Relaxation(problem, project_windows(problem)))
    bundle.run(Budget(0.0, FOREVER).cpu(FOREVER, FOREVER))
    return max(value for value, _, _ in bundle.cuts)


def _priced_lp(problem: Problem) -> float | None:
    """The LP the Lagrangian dual equals when no project has a predecessor, written out independently:
    per project a share w of each (start, end) pair of its window and its draws x (least annual draw to
    the year's cap, both times w, summing to cost·w), deferral d, Σ w + d = 1; the caps on Σ x."""
    windows = project_windows(problem)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    caps = draw_caps(problem)
    spend = {t: [] for t in problem.years}
    objective, constant = [], 0.0
    for p in problem.projects:
        w = windows[p.id]
        if not w.open:
            constant += p.defer_penalty
            continue
        one = []
        if not w.must:
            d = solver.NumVar(0, 1, "")
            one.append(d)
            objective.append((p.defer_penalty, d))
        pairs = (
            [(s, s + len(p.profile) - 1) for s in range(w.start_lo, w.start_hi + 1)]
            if p.profile is not None
            else [
                (s, e)
                for s, e in itertools.product(
                    range(w.start_lo, w.start_hi + 1), range(w.end_lo, w.end_hi + 1)
                )
                if w.min_dur <= e - s + 1 <= w.max_dur
            ]
        )
        for s, e in pairs:
            if e > w.end_hi:
                continue
            share = solver.NumVar(0, 1, "")
            one.append(share)
            objective.append((p.weight * max(0, e - p.planned_end), share))
            if p.profile is not None:
                for k, amount in enumerate(p.profile):
                    spend[s + k].append((amount, share))
                continue
            lo = p.min_annual_or_default()
            hi = min(p.max_annual_or_default(), p.cost - lo * (w.min_dur - 1))
            total = []
            for t in range(s, e + 1):
                x = solver.NumVar(0, solver.infinity(), "")
                solver.Add(x >= lo * share)
                solver.Add(x <= min(hi, caps[t]) * share)
                spend[t].append((1, x))
                total.append(x)
            solver.Add(sum(total) == p.cost * share)
        solver.Add(sum(one) == 1)
    running = 0
    cumulative: list = []
    for t in problem.years:
        running += problem.budget[t]
        terms = [c * v for c, v in spend[t]]
        if problem.carryover:
            cumulative += terms
            solver.Add(sum(cumulative) <= running)
        else:
            solver.Add(sum(terms) <= problem.budget[t])
    solver.Minimize(sum(c * v for c, v in objective) + constant)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return solver.Objective().Value()


def test_two_projects_due_the_same_year_with_money_for_one_force_one_year_of_slippage():
    # Caps 10 a year; 甲 and 乙 cost 10 each, both planned for 2021. Priced at 1 per 10 in 2021, funding
    # one of them in 2021 costs as much as slipping it a year: L = 0 + 0 + 2 − 1 = 1, the optimum.
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("甲", 10, 2021), Project("乙", 10, 2021)))
    assert _bound(problem) == 1


def test_a_deferred_predecessor_counts_its_successors_penalty_too():
    # 乙 needs 甲 done first; 甲 cannot fit (cost 20, caps 5, one year at most), so both are deferred:
    # 4 + 6. The tree of 甲 → 乙 is solved as one: 乙 cannot run without 甲, so the bound is 10.
    first = Project("甲", 20, 2021, max_years=1, deferrable=True, defer_penalty=4)
    then = Project("乙", 3, 2022, after=("甲",), deferrable=True, defer_penalty=6)
    problem = Problem(2021, 2023, dict.fromkeys(range(2021, 2024), 5), (first, then))
    assert _bound(problem) == 10


def test_a_successor_waits_for_its_predecessors_end_in_the_bound():
    # 甲 (cost 10, at most 5 a year) ends in 2022 at the earliest; 乙 comes after it, so it starts in 2023
    # and ends a year after its plan (2022): weight 3. Without the precedence tree the bound would be 0.
    first = Project("甲", 10, 2022, max_annual=5)
    then = Project("乙", 5, 2022, after=("甲",), weight=3)
    problem = Problem(2021, 2024, dict.fromkeys(range(2021, 2025), 100), (first, then))
    assert _bound(problem) == 3


def test_a_second_predecessor_left_out_of_the_tree_only_weakens_the_bound():
    # 丙 comes after 甲 and 乙; the tree keeps one of them. Both end in 2021 at the earliest on a cap of
    # 100, so 丙 starts in 2022, one year after its plan (2021): the optimum 1, which the bound reaches
    # through the predecessor it kept.
    problem = Problem(
        2021,
        2023,
        dict.fromkeys(range(2021, 2024), 100),
        (Project("甲", 5, 2021), Project("乙", 5, 2021), Project("丙", 5, 2021, after=("甲", "乙"))),
    )
    bound = _bound(problem)
    assert bound == 1 == solve(problem, time_limit=5, workers=1).objective


def test_the_mean_end_years_are_where_the_priced_schedules_put_the_money():
    # 甲 (weight 3) and 乙 (weight 1), 10 each, both planned 2021, caps 10 a year: the bound ends 甲 in 2021
    # and slips the cheap 乙 to 2022; 丙 cannot be funded at all (20 in one year) and has no mean end.
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
    found = price_bound(problem, project_windows(problem), Budget(0.0, FOREVER), FOREVER)
    assert found is not None and found.bound == 1 + 5 and found.source == "lagrangian"
    assert found.mean_end["甲"] == pytest.approx(2021, abs=1e-6)
    assert found.mean_end["乙"] == pytest.approx(2022, abs=1e-6)
    assert "丙" not in found.mean_end


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_the_bound_never_exceeds_the_brute_force_optimum(problem):
    expected = brute_force_optimum(problem)
    bound = _bound(problem)
    if expected is not None and bound is not None:
        assert bound <= expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_bound_never_exceeds_a_verified_schedule(problem):
    bound = _bound(problem)
    for schedule in (warm_start(problem), solve(problem, time_limit=1, workers=1)):
        if schedule.status.has_schedule:
            assert verify(problem, schedule) == []
            assert bound is not None and bound <= schedule.objective


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_without_predecessors_the_bound_is_the_exact_lp_optimum(problem):
    alone = Problem(
        problem.first_year,
        problem.last_year,
        problem.budget,
        tuple(Project(**{**_fields(p), "after": ()}) for p in problem.projects),
        problem.carryover,
    )
    exact = _priced_lp(alone)
    if exact is None:
        return  # no fractional schedule either: nothing to compare
    value = _best_value(alone)
    assert value == pytest.approx(exact, rel=1e-4, abs=1e-4)
    assert _bound(alone) == max(0, math.ceil(exact - 1e-4))


def _fields(p: Project) -> dict:
    return {name: getattr(p, name) for name in Project.__slots__ if not name.startswith("_")}


def test_on_a_synthetic_portfolio_it_matches_the_money_flow_lp():
    # 120 projects with predecessors, profiles, deferrals: both relaxations keep the money rules and the
    # precedence trees, so their bounds agree (on the 2000-project benchmark: 2551 and 1321 both).
    from solver.instances import synthetic

    problem = synthetic(120, 10, 0.7, seed=4)
    lp = lp_bound(problem)
    assert lp is not None and _bound(problem) == lp.bound


def test_a_cancel_stops_it_while_it_builds():
    stop = threading.Event()
    stop.set()
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("甲", 10, 2021),))
    with pytest.raises(Stopped):
        price_bound(problem, project_windows(problem), Budget(0.0, FOREVER, stop), FOREVER)


def test_its_clock_ends_the_search_for_prices_with_a_valid_bound():
    # A clock that has passed `until` at its first reading allows no evaluation: no bound, not a wrong one.
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("甲", 10, 2021), Project("乙", 10, 2021)))
    late = Budget(0.0, 10.0, None, clock=lambda: 5.0)
    assert price_bound(problem, project_windows(problem), late, until=4.0) is None


class Ticks:
    """A clock that moves by `step` at every reading (a thread's CPU time, or the machine's clock)."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        reading = self.now
        self.now += self.step
        return reading


def test_its_cpu_allowance_ends_the_search_for_prices_while_the_wall_clock_stands_still():
    # The CPU clock moves a second at each reading (one as the allowance is set, then one per evaluation)
    # and the wall clock not at all: 4 seconds of CPU allow 3 evaluations, where these 120 projects need
    # dozens to converge.
    from solver.instances import synthetic

    problem = synthetic(120, 10, 0.7, seed=4)
    budget = Budget(0.0, FOREVER, None, clock=lambda: 0.0, cpu_clock=Ticks(1.0))
    bundle = Bundle(Relaxation(problem, project_windows(problem)))
    found = bundle.run(budget.cpu(4.0, until=FOREVER))
    assert len(bundle.cuts) == 3  # readings 1, 2, 3 are under 0 + 4; the one at 4 ends it
    assert found is not None and found.bound <= _bound(problem)  # what it had so far, a valid bound


def test_its_wall_clock_cap_ends_the_search_when_its_thread_gets_no_cpu():
    # A starved thread: its CPU clock never moves, the wall clock a second per reading; `until` ends it.
    from solver.instances import synthetic

    problem = synthetic(120, 10, 0.7, seed=4)
    wall = Ticks(1.0)
    budget = Budget(0.0, FOREVER, None, clock=wall, cpu_clock=lambda: 0.0)
    found = price_bound(problem, project_windows(problem), budget, until=5.0, cpu_seconds=1.0)
    assert found is not None and wall.now <= 6.0


def test_solve_reports_the_lagrangian_as_the_bound_source_of_large_portfolios():
    from solver.instances import synthetic

    problem = synthetic(60, 10, 0.6, seed=3)
    params = SolveParams(lns_min_projects=10, mip_max_projects=0, lagrangian_min_projects=10)
    solution = solve(problem, time_limit=3, workers=2, params=params)
    assert solution.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert verify(problem, solution) == []
    assert solution.search.bound_source == "lagrangian"
    assert solution.bound is not None and solution.bound <= solution.objective
