"""Hypothesis on MODEL.md v2 (funding sources): OPTIMAL equals brute force on tiny problems, every schedule
verifies, one all-allowing source with the total caps is v1, more quota never hurts — for `solve`, the
MIP, the LP bound, the greedy warm start and the neighbourhood search's sub-problems."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Problem, SolveParams, SolveStatus, cpsat, lns, solve, verify
from solver.bound import lower_bound, lp_bound
from solver.greedy import warm_start
from solver.mip import Mip
from solver.problem import Source
from solver.solution import objective_of
from solver.windows import project_windows, quota_messages, structural_messages
from tests.solver.v2_problems import (
    brute_force_optimum_v2,
    small_v2_problems,
    solution_of,
    tiny_v2_problems,
    v1_of,
)

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@settings(max_examples=50, **SETTINGS)
@given(tiny_v2_problems())
def test_optimal_equals_brute_force_and_infeasible_means_nothing_exists(problem: Problem) -> None:
    solution = solve(problem, time_limit=5, workers=1)
    assert verify(problem, solution) == []
    expected = brute_force_optimum_v2(problem)
    if expected is None:
        assert solution.status == SolveStatus.INFEASIBLE
        assert solution.diagnostics.messages
    else:
        assert solution.status == SolveStatus.OPTIMAL
        assert solution.objective == expected == solution.bound


@settings(max_examples=40, **SETTINGS)
@given(tiny_v2_problems())
def test_the_mip_optimum_is_the_brute_force_optimum(problem: Problem) -> None:
    windows = project_windows(problem)
    expected = brute_force_optimum_v2(problem)
    if structural_messages(problem, windows) or quota_messages(problem, windows):
        assert expected is None
        return
    outcome = Mip(problem, windows).run(time_limit=10, should_stop=lambda: False)
    if expected is None:
        # HiGHS's shares are continuous: it may find a pattern no whole split fits, never a better one
        assert outcome.best is None or cpsat.pattern_schedule(problem, outcome.best, solve_params()) is None
        return
    # continuous shares make the MIP a relaxation: its optimum is at most the true one, and when its
    # pattern has a whole split (CP-SAT finds one with the spans fixed) it is the true optimum
    assert outcome.proven and outcome.bound == outcome.best.objective <= expected
    schedule = cpsat.pattern_schedule(problem, outcome.best, solve_params())
    if schedule is not None:
        assert not verify(problem, solution_of(problem, schedule, objective_of(problem, schedule)))
        assert objective_of(problem, schedule) == outcome.best.objective == expected


def solve_params() -> SolveParams:
    return SolveParams()


@settings(max_examples=40, **SETTINGS)
@given(small_v2_problems())
def test_the_lps_whole_projects_held_at_their_ends_give_a_verified_schedule(problem: Problem) -> None:
    windows = project_windows(problem)
    lp = lp_bound(problem, windows)
    if lp is None:
        return
    schedule = cpsat.held_ends_schedule(
        problem, windows, lp.whole, solve_params(), seconds=5, workers=1, stop=None
    )
    if schedule is None:  # the LP is a relaxation: its ends may admit no schedule
        return
    assert not verify(problem, solution_of(problem, schedule, objective_of(problem, schedule)))
    assert objective_of(problem, schedule) >= lp.bound
    by_id = {s.id: s for s in schedule}
    for pid, end in lp.whole.items():
        if not windows[pid].open:
            continue
        held = by_id[pid]
        if end is None:
            assert not held.scheduled or windows[pid].must
        else:
            assert held.scheduled and held.span[1] == end


@settings(max_examples=40, **SETTINGS)
@given(tiny_v2_problems())
def test_the_lp_bound_and_the_warm_start_bracket_the_optimum(problem: Problem) -> None:
    expected = brute_force_optimum_v2(problem)
    bound = lower_bound(problem)
    warm = warm_start(problem)
    if expected is None:
        assert not warm.status.has_schedule
        return
    assert bound is None or bound <= expected
    if warm.status.has_schedule:
        assert verify(problem, warm) == []
        assert warm.objective >= expected


@settings(max_examples=40, **SETTINGS)
@given(small_v2_problems())
def test_every_returned_schedule_passes_the_verifier(problem: Problem) -> None:
    solution = solve(problem, time_limit=3, workers=2)
    assert verify(problem, solution) == []
    if solution.status == SolveStatus.INFEASIBLE:
        assert solution.diagnostics.messages
        shortfall, by_source = solution.diagnostics.shortfall, solution.diagnostics.source_shortfall
        assert (shortfall is None) == (by_source is None)
        if shortfall is not None:
            assert all(v > 0 for v in shortfall.values())
            assert all(v > 0 for years in by_source.values() for v in years.values())
    else:
        assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        assert len(solution.source_years) == len(problem.sources) * problem.horizon_years


@settings(max_examples=30, **SETTINGS)
@given(small_v2_problems())
def test_one_source_that_allows_everything_with_the_total_caps_is_v1(problem: Problem) -> None:
    plain = v1_of(problem)
    only = Source("county", dict(plain.budget), plain.carryover)
    v2 = replace(plain, sources=(only,))

    one, two = solve(plain, time_limit=5, workers=1), solve(v2, time_limit=5, workers=1)

    assert verify(v2, two) == []
    assert two.status == one.status or SolveStatus.FEASIBLE in (one.status, two.status)
    if one.status == two.status == SolveStatus.OPTIMAL:
        assert two.objective == one.objective
    if two.status.has_schedule:  # all of each year's draw from the one source
        assert all(s.sources == {t: {"county": x} for t, x in s.funding.items() if x} for s in two.projects)


@settings(max_examples=30, **SETTINGS)
@given(small_v2_problems(), st.data())
def test_more_quota_never_hurts(problem: Problem, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(problem.sources))
    year = data.draw(st.sampled_from(list(problem.years)))
    more = data.draw(st.integers(1, 40))
    richer = replace(
        problem,
        sources=tuple(
            replace(s, budget={**s.budget, year: s.budget[year] + more}) if s is source else s
            for s in problem.sources
        ),
    )

    before, after = solve(problem, time_limit=5, workers=1), solve(richer, time_limit=5, workers=1)

    assert verify(richer, after) == []
    if before.status.has_schedule:
        assert after.status.has_schedule
        if before.status == after.status == SolveStatus.OPTIMAL:
            assert after.objective <= before.objective
    if after.status == SolveStatus.INFEASIBLE:
        assert before.status == SolveStatus.INFEASIBLE


@settings(max_examples=25, **SETTINGS)
@given(small_v2_problems(), st.integers(0, 10_000))
def test_neighbourhood_sub_problems_keep_every_source_rule(problem: Problem, seed: int) -> None:
    """Two neighbourhoods re-planned at once, each within its share of every source's unused money, merge
    into a schedule that still verifies."""
    start = warm_start(problem)
    if not start.status.has_schedule:
        return
    schedule = {s.id: s for s in start.projects}
    rng = random.Random(seed)
    ids = [p.id for p in problem.projects]
    rng.shuffle(ids)
    first = ids[: len(ids) // 2 + 1]
    second = sorted(set(ids) - lns._linked(problem, set(first)))
    groups = [g for g in (first, second) if g]
    carried = problem.carryover or any(s.carryover for s in problem.sources)
    if carried:
        groups = groups[:1]  # improve() runs one lane with any carryover
    merged = dict(schedule)
    shares = zip(
        groups,
        lns._shares(problem, schedule, groups),
        lns._source_shares(problem, schedule, groups),
        strict=True,
    )
    for group, reserved, reserved_sources in shares:
        sub = lns.sub_problem(
            problem,
            schedule,
            group,
            None if carried else reserved,
            reserved_sources=None if carried else reserved_sources,
        )
        if sub is None:
            continue
        current = tuple(schedule[p.id] for p in sub.projects)
        assert not verify(sub, solution_of(sub, current, objective_of(sub, current)))
        new = cpsat.solve_neighbourhood(sub, current, 2.0, None, solve_params())
        assert new is not None
        assert objective_of(sub, new) <= objective_of(sub, current)
        merged.update((s.id, s) for s in new)
    combined = tuple(merged[p.id] for p in problem.projects)
    assert not verify(problem, solution_of(problem, combined, objective_of(problem, combined)))
