"""Hypothesis: every returned schedule verifies, and OPTIMAL equals a brute-force optimum on tiny problems."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import (
    Problem,
    Project,
    ProjectSchedule,
    Solution,
    SolveStatus,
    YearSpend,
    greedy_schedule,
    solve,
    verify,
)
from solver.greedy import warm_start

FIRST = 2021


@st.composite
def tiny_problems(draw) -> Problem:
    """1-3 projects over 2-3 years, costs up to 3: small enough to enumerate every schedule."""
    years = draw(st.integers(2, 3))
    last = FIRST + years - 1
    n = draw(st.integers(1, 3))
    projects = []
    for i in range(n):
        cost = draw(st.integers(1, 3))
        fields = {"weight": draw(st.integers(0, 3))}
        if draw(st.booleans()):
            split = draw(st.integers(0, cost))
            fields["profile"] = (split, cost - split) if draw(st.booleans()) else (cost,)
        else:
            if draw(st.booleans()):
                fields["max_annual"] = draw(st.integers(1, cost))
            if draw(st.booleans()):
                fields["min_years"] = draw(st.integers(1, 2))
        if draw(st.integers(0, 3)) == 0:
            fields["fixed_start"] = draw(st.integers(FIRST, last))
        elif draw(st.booleans()):
            fields["earliest_start"] = draw(st.integers(FIRST, last))
        if draw(st.integers(0, 3)) == 0:
            fields["deadline"] = draw(st.integers(FIRST, last))
        if draw(st.booleans()):
            fields["deferrable"] = True
            fields["defer_penalty"] = draw(st.integers(0, 4))
        if i > 0 and draw(st.integers(0, 2)) == 0:
            fields["after"] = (f"P{draw(st.integers(0, i - 1))}",)
        projects.append(Project(f"P{i}", cost, draw(st.integers(FIRST, last)), **fields))
    budget = {FIRST + k: draw(st.integers(0, 4)) for k in range(years)}
    return Problem(FIRST, last, budget, tuple(projects), carryover=draw(st.booleans()))


def _options(problem: Problem, project: Project) -> list[ProjectSchedule]:
    """Every way to schedule one project inside the horizon (rules checked later by verify)."""
    options = []
    if project.deferrable:
        options.append(ProjectSchedule(project.id, False, None, None, None, {}))
    years = list(problem.years)
    for start in years:
        for end in years:
            if end < start:
                continue
            span = range(start, end + 1)
            for draws in itertools.product(range(project.cost + 1), repeat=len(span)):
                if sum(draws) == project.cost:
                    funding = dict(zip(span, draws, strict=True))
                    slip = max(0, end - project.planned_end)
                    options.append(ProjectSchedule(project.id, True, start, end, slip, funding))
    return options


def brute_force_optimum(problem: Problem) -> int | None:
    """The least objective over every combination of per-project options that verify() accepts."""
    best = None
    per_project = [_options(problem, p) for p in problem.projects]
    for combo in itertools.product(*per_project):
        objective = sum(
            problem.project(s.id).weight * s.slippage if s.scheduled else problem.project(s.id).defer_penalty
            for s in combo
        )
        if best is not None and objective >= best:
            continue
        spend = {t: sum(s.funding.get(t, 0) for s in combo) for t in problem.years}
        years = tuple(YearSpend(t, problem.budget[t], spend[t]) for t in problem.years)
        candidate = Solution(SolveStatus.FEASIBLE, objective, None, 0.0, tuple(combo), years)
        if not verify(problem, candidate):
            best = objective
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_optimal_equals_brute_force_and_infeasible_means_nothing_exists(problem):
    solution = solve(problem, time_limit=5, workers=1)
    assert verify(problem, solution) == []
    expected = brute_force_optimum(problem)
    if expected is None:
        assert solution.status == SolveStatus.INFEASIBLE
    else:
        assert solution.status == SolveStatus.OPTIMAL
        assert solution.objective == expected == solution.bound


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_warm_start_verifies_never_beats_the_optimum_and_never_loses_to_the_baseline(problem):
    warm, baseline = warm_start(problem), greedy_schedule(problem)
    if baseline.status.has_schedule:
        assert warm.status.has_schedule and warm.objective <= baseline.objective
    if warm.status.has_schedule:
        assert verify(problem, warm) == []
        assert brute_force_optimum(problem) <= warm.objective


@st.composite
def small_problems(draw) -> Problem:
    """Up to 8 projects over up to 6 years with every kind of rule mixed in."""
    years = draw(st.integers(2, 6))
    last = FIRST + years - 1
    projects = []
    for i in range(draw(st.integers(1, 8))):
        cost = draw(st.integers(1, 40))
        fields = {"weight": draw(st.integers(0, 5))}
        kind = draw(st.integers(0, 2))
        if kind == 0:
            n = draw(st.integers(1, 3))
            parts = [cost // n] * n
            parts[-1] += cost - sum(parts)
            fields["profile"] = tuple(parts)
        elif kind == 1:
            lo = draw(st.integers(1, max(1, cost // 3)))
            fields["min_annual"] = lo
            fields["max_annual"] = draw(st.integers(lo, cost))
            fields["max_years"] = draw(st.integers(1, years))
        if draw(st.integers(0, 4)) == 0:
            fields["fixed_start"] = draw(st.integers(FIRST, last))
        if draw(st.integers(0, 4)) == 0:
            fields["deadline"] = draw(st.integers(FIRST, last))
        if draw(st.booleans()):
            fields["deferrable"] = True
            fields["defer_penalty"] = draw(st.integers(0, 20))
        if i > 0 and draw(st.integers(0, 3)) == 0:
            fields["after"] = (f"P{draw(st.integers(0, i - 1))}",)
        projects.append(Project(f"P{i}", cost, draw(st.integers(FIRST, last)), **fields))
    budget = {FIRST + k: draw(st.integers(0, 60)) for k in range(years)}
    return Problem(FIRST, last, budget, tuple(projects), carryover=draw(st.booleans()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_returned_schedule_passes_the_verifier(problem):
    solution = solve(problem, time_limit=3, workers=2)
    assert verify(problem, solution) == []
    if solution.status == SolveStatus.INFEASIBLE:
        shortfall = solution.diagnostics.shortfall
        assert solution.diagnostics.messages
        assert shortfall is None or all(v > 0 for v in shortfall.values())
    else:
        assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
