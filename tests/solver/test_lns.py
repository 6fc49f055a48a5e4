"""Neighbourhood search for large portfolios (solver/lns.py): sub-problems are sound, lanes fit together,
and `solve` takes this path from `lns_min_projects` projects on without ever returning a worse schedule."""

from __future__ import annotations

import random
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import (
    DEFAULT_PARAMS,
    Problem,
    Project,
    ProjectSchedule,
    Solution,
    SolveParams,
    SolveStatus,
    Strategy,
    lns,
    solve,
    verify,
)
from solver.cpsat import solve_neighbourhood
from solver.greedy import warm_start
from solver.instances import synthetic
from solver.search import fits, years_of
from solver.solution import objective_of

FIRST = 2021


def _solution(problem: Problem, projects: tuple[ProjectSchedule, ...]) -> Solution:
    return Solution(
        SolveStatus.FEASIBLE,
        objective_of(problem, projects),
        None,
        0.0,
        projects,
        years_of(problem, projects),
    )


def _re_plan(sub: Problem, current: tuple[ProjectSchedule, ...], seconds: float):
    """One neighbourhood re-planned by CP-SAT, as solve's neighbourhood search does it."""
    return solve_neighbourhood(sub, current, seconds, None, DEFAULT_PARAMS)


# the neighbourhood search alone, from 10 projects on (no HiGHS beside it)
NEIGHBOURHOODS_FROM_10 = SolveParams(lns_min_projects=10, mip_max_projects=0)


@st.composite
def portfolios(draw) -> Problem:
    """4-10 projects over 4-6 years with every rule the sub-problems translate: precedence, deferral,
    profiles, fixed starts, deadlines, caps with and without carryover."""
    years = draw(st.integers(4, 6))
    last = FIRST + years - 1
    projects = []
    for i in range(draw(st.integers(4, 10))):
        cost = draw(st.integers(2, 12))
        planned_end = draw(st.integers(FIRST, last))
        fields: dict = {"weight": draw(st.integers(0, 4))}
        kind = draw(st.integers(0, 3))
        if kind == 0:
            first = draw(st.integers(0, cost))
            fields["profile"] = (first, cost - first)
        elif kind == 1:
            fields["fixed_start"] = FIRST
            fields["max_annual"] = draw(st.integers(max(1, cost // 3), cost))
        else:
            fields["max_annual"] = draw(st.integers(max(1, cost // 4), cost))
            fields["min_years"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            fields["deferrable"] = True
            fields["defer_penalty"] = draw(st.integers(0, 6))
        elif draw(st.integers(0, 3)) == 0:
            fields["deadline"] = last
        if i > 0 and draw(st.integers(0, 2)) == 0:
            fields["after"] = (f"P{draw(st.integers(0, i - 1))}",)
        projects.append(Project(f"P{i}", cost, planned_end, **fields))
    budget = {FIRST + k: draw(st.integers(4, 16)) for k in range(years)}
    return Problem(FIRST, last, budget, tuple(projects), carryover=draw(st.booleans()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios(), st.integers(0, 10**6))
def test_lanes_re_planned_together_still_fit_every_rule(problem: Problem, seed: int) -> None:
    """Two disjoint, unlinked neighbourhoods re-planned at once with their money shares: the merged
    schedule passes the independent verifier, and each sub-problem admits its current schedule."""
    start = warm_start(problem)
    if not start.status.has_schedule:
        return
    schedule = {s.id: s for s in start.projects}
    rng = random.Random(seed)
    first = lns.neighbourhood(problem, schedule, rng, 3)
    second = lns.neighbourhood(problem, schedule, rng, 3, lns._linked(problem, set(first)))
    groups = [ids for ids in (first, second) if ids]
    if not groups:
        assert objective_of(problem, start.projects) == 0  # nothing slips: nothing to re-plan
        return
    if problem.carryover:
        groups = groups[:1]  # improve() runs one lane with carryover
    merged = dict(schedule)
    for ids, reserved in zip(groups, lns._shares(problem, schedule, groups), strict=True):
        sub = lns.sub_problem(problem, schedule, ids, None if problem.carryover else reserved)
        if sub is None:
            continue
        current = tuple(schedule[p.id] for p in sub.projects)
        assert not verify(sub, _solution(sub, current)), "the current schedule must fit its sub-problem"
        new = _re_plan(sub, current, 2.0)
        assert new is not None
        assert objective_of(sub, new) <= objective_of(sub, current)
        merged.update((s.id, s) for s in new)
    combined = tuple(merged[p.id] for p in problem.projects)
    assert not verify(problem, _solution(problem, combined))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolios())
def test_improve_never_returns_a_worse_or_invalid_schedule(problem: Problem) -> None:
    start = warm_start(problem)
    if not start.status.has_schedule:
        return
    improved = lns.improve(problem, start.projects, _re_plan, until=time.monotonic() + 0.4, workers=2)
    assert not verify(problem, _solution(problem, improved))
    assert objective_of(problem, improved) <= objective_of(problem, start.projects)


def test_sub_problem_holds_the_projects_outside_the_set() -> None:
    """A held predecessor moves the earliest start, a held funded successor becomes the deadline and
    forbids deferral, a deferred held predecessor keeps its successors (and theirs) out, and caps lose
    held money."""
    problem = Problem(
        2021,
        2026,
        dict.fromkeys(range(2021, 2027), 10),
        (
            Project("A", 4, 2022),
            Project("B", 4, 2023, after=("A",), deferrable=True, defer_penalty=9),
            Project("C", 4, 2025, after=("B",)),
            Project("D", 2, 2024, deferrable=True),
            Project("E", 2, 2026, after=("D",), deferrable=True),
            Project("F", 2, 2026, after=("E",), deferrable=True),
        ),
    )
    schedule = {
        "A": ProjectSchedule("A", True, 2021, 2022, 0, {2021: 2, 2022: 2}),
        "B": ProjectSchedule("B", True, 2023, 2023, 0, {2023: 4}),
        "C": ProjectSchedule("C", True, 2025, 2025, 0, {2025: 4}),
        "D": ProjectSchedule("D", False, None, None, None, {}),
        "E": ProjectSchedule("E", False, None, None, None, {}),
        "F": ProjectSchedule("F", False, None, None, None, {}),
    }
    sub = lns.sub_problem(problem, schedule, ["B", "E", "F"])
    assert sub is not None
    # E stays deferred (its held predecessor D is), and so does F, which comes after E
    assert [p.id for p in sub.projects] == ["B"]
    (b,) = sub.projects
    assert b.earliest_start == 2023  # A ends 2022
    assert b.deadline == 2024  # C starts 2025
    assert b.deferrable is False  # C is funded and needs B
    assert b.after == ()
    assert sub.budget[2021] == 8 and sub.budget[2023] == 10 and sub.budget[2025] == 6


def test_carryover_room_is_never_more_than_the_cumulative_caps_allow() -> None:
    problem = Problem(
        2021,
        2023,
        {2021: 10, 2022: 0, 2023: 5},
        (Project("A", 10, 2022), Project("B", 5, 2023)),
        carryover=True,
    )
    schedule = {
        "A": ProjectSchedule("A", True, 2022, 2022, 0, {2022: 10}),
        "B": ProjectSchedule("B", True, 2023, 2023, 0, {2023: 5}),
    }
    sub = lns.sub_problem(problem, schedule, ["B"])
    # A spends 2021's money in 2022: B may not take any of it in 2021, only 2023's 5
    assert sub is not None and sub.carryover
    assert sub.budget == {2021: 0, 2022: 0, 2023: 5}


def test_solve_uses_neighbourhoods_for_large_portfolios() -> None:
    """From `lns_min_projects` on, `solve` improves the warm start by neighbourhoods (here lowered to 10)."""
    problem = synthetic(60, 10, 0.6, seed=3)
    start = warm_start(problem)
    assert start.status.has_schedule
    solution = solve(problem, time_limit=4.0, workers=2, params=NEIGHBOURHOODS_FROM_10)
    assert solution.status.has_schedule
    assert not verify(problem, solution)
    assert solution.search.strategy == Strategy.NEIGHBOURHOODS
    assert solution.search.replans > 0, "the neighbourhood search did not run"
    assert solution.objective <= start.objective
    assert solution.bound is not None and solution.bound <= solution.objective


@pytest.mark.timeout(60)
def test_a_cancel_ends_the_neighbourhood_search_long_before_its_limit() -> None:
    problem = synthetic(200, 12, 0.6)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    solution = solve(problem, time_limit=600, workers=2, stop=stop, params=NEIGHBOURHOODS_FROM_10)
    assert solution.search.strategy == Strategy.NEIGHBOURHOODS
    assert not verify(problem, solution)


@pytest.mark.timeout(60)
def test_a_cancel_during_the_lp_bound_ends_a_large_solve_long_before_its_limit() -> None:
    """The money-flow LP of 2000 projects takes seconds and HiGHS cannot be interrupted: a cancel while
    it runs still ends the solve, with the warm start (a verified schedule)."""
    problem = synthetic(2000, 15, 0.6)
    stop = threading.Event()

    def cancel_as_the_bound_starts(phase: str) -> None:
        if phase == "bound":
            stop.set()  # the user cancels just as the LP starts

    lp_at_any_size = SolveParams(lagrangian_min_projects=10**9)  # (by default 2000 gets the Lagrangian)
    solution = solve(
        problem,
        time_limit=600,
        workers=2,
        stop=stop,
        on_phase=cancel_as_the_bound_starts,
        params=lp_at_any_size,
    )
    # it returned without waiting for the LP, which is still running on its own thread
    assert any(t.name == "capsched-lp-bound" and t.is_alive() for t in threading.enumerate())
    assert solution.status.has_schedule
    assert not verify(problem, solution)


def test_lanes_share_the_unused_money_instead_of_both_taking_it() -> None:
    """2021 has 6 unused; A and B (6 each, planned 2021) both slip to 2022. Re-planned in two lanes at
    once, each may take only its half of 2021's money, so neither moves and the caps still hold."""
    problem = Problem(2021, 2022, {2021: 6, 2022: 20}, (Project("A", 6, 2021), Project("B", 6, 2021)))
    schedule = {
        "A": ProjectSchedule("A", True, 2022, 2022, 1, {2022: 6}),
        "B": ProjectSchedule("B", True, 2022, 2022, 1, {2022: 6}),
    }
    groups = [["A"], ["B"]]
    shares = lns._shares(problem, schedule, groups)
    assert [s[2021] for s in shares] == [3, 3]
    merged = dict(schedule)
    for ids, reserved in zip(groups, shares, strict=True):
        sub = lns.sub_problem(problem, schedule, ids, reserved)
        assert sub is not None and sub.budget[2021] == 3
        current = tuple(schedule[p.id] for p in sub.projects)
        new = _re_plan(sub, current, 2.0)
        merged.update((s.id, s) for s in new)
    combined = tuple(merged[p.id] for p in problem.projects)
    assert not verify(problem, _solution(problem, combined))
    # one lane alone gets all of it: A finishes on plan
    sub = lns.sub_problem(problem, schedule, ["A"])
    (a,) = _re_plan(sub, (schedule["A"],), 2.0)
    assert a.end == 2021


def test_a_hint_that_breaks_the_caps_is_not_the_neighbourhood_search_start() -> None:
    """A re-plan hint from a richer scenario does not fit tighter caps: the search starts from the warm
    start instead and still returns a verified schedule."""
    from dataclasses import replace

    rich = synthetic(40, 10, 1.0, seed=2)
    hint = solve(rich, time_limit=1.5, workers=1, params=NEIGHBOURHOODS_FROM_10)
    tight = replace(rich, budget={t: cap * 6 // 10 for t, cap in rich.budget.items()})
    assert not fits(tight, hint.projects)
    solution = solve(tight, time_limit=1.5, workers=1, hint=hint, params=NEIGHBOURHOODS_FROM_10)
    assert solution.status.has_schedule
    assert not verify(tight, solution)


def test_a_re_planned_project_moves_at_most_reach_years() -> None:
    problem = Problem(
        2021, 2030, dict.fromkeys(range(2021, 2031), 10), (Project("A", 4, 2023), Project("B", 4, 2022))
    )
    schedule = {
        "A": ProjectSchedule("A", True, 2024, 2025, 2, {2024: 2, 2025: 2}),
        "B": ProjectSchedule("B", True, 2021, 2021, 0, {2021: 4}),
    }
    sub = lns.sub_problem(problem, schedule, ["A", "B"])
    a, b = sub.projects
    reach = lns.DEFAULT.reach
    assert a.deadline == 2025 + reach and a.earliest_start == 2023 - reach
    assert b.deadline == 2022 + reach and b.earliest_start == 2021


def test_guided_neighbourhoods_start_where_the_lp_would_finish_earlier() -> None:
    """The anchor is a project the LP ends earlier than the schedule does; without one, the plain
    neighbourhood (anchored on slippage) is used."""
    problem = Problem(
        2021,
        2026,
        dict.fromkeys(range(2021, 2027), 10),
        (Project("A", 4, 2022), Project("B", 4, 2022), Project("C", 4, 2023, weight=0)),
    )
    schedule = {
        "A": ProjectSchedule("A", True, 2021, 2022, 0, {2021: 2, 2022: 2}),
        "B": ProjectSchedule("B", True, 2023, 2024, 2, {2023: 2, 2024: 2}),
        "C": ProjectSchedule("C", True, 2021, 2021, 0, {2021: 4}),
    }
    lp_ends = {"A": 2022.0, "B": 2022.5, "C": 2023.0}  # the LP would end B 1.5 years sooner
    for seed in range(20):
        ids = lns.guided_neighbourhood(problem, schedule, random.Random(seed), 3, lp_ends)
        assert ids[0] == "B" and set(ids) == {"A", "B", "C"}
    on_plan = {"A": 2022.0, "B": 2024.0, "C": 2021.0}  # the schedule ends nothing later than the LP
    ids = lns.guided_neighbourhood(problem, schedule, random.Random(0), 3, on_plan)
    assert ids[0] == "B"  # the plain neighbourhood anchors on B, the only project that slips
    # the same rule on arrays (what the search uses on large portfolios)
    guide = lns.Guide.of(lns.Books(problem, schedule), lp_ends)
    for seed in range(20):
        ids = lns.guided_neighbourhood(problem, schedule, random.Random(seed), 3, lp_ends, guide=guide)
        assert ids[0] == "B" and set(ids) == {"A", "B", "C"}
    ids = lns.guided_neighbourhood(problem, schedule, random.Random(0), 2, lp_ends, {"A"}, guide)
    assert ids == ["B", "C"]  # A is excluded
    assert lns.guided_neighbourhood(problem, schedule, random.Random(0), 3, on_plan, exclude={"B"}) == []


def _no_re_plan(sub: Problem, current: tuple[ProjectSchedule, ...], seconds: float):
    """Lanes that never find anything: only what `adopt` hands over can change the schedule."""
    return None


def test_improve_continues_from_a_better_schedule_another_search_found() -> None:
    problem = synthetic(30, 8, 0.6, seed=5)
    start = warm_start(problem).projects
    found = solve(problem, time_limit=5, workers=1).projects
    assert objective_of(problem, found) < objective_of(problem, start)
    asked: list[int] = []

    def adopt(objective: int) -> tuple[ProjectSchedule, ...] | None:
        asked.append(objective)
        return found

    until = time.monotonic() + 0.6
    kept = lns.improve(problem, start, _no_re_plan, until=until, workers=1, adopt=adopt)
    assert objective_of(problem, kept) == objective_of(problem, found)
    assert not verify(problem, _solution(problem, kept))
    assert asked[0] == objective_of(problem, start)  # asked with the lanes' own objective
    alone = lns.improve(problem, start, _no_re_plan, until=time.monotonic() + 0.3, workers=1)
    assert objective_of(problem, alone) == objective_of(problem, start)


def test_improve_shares_each_better_whole_schedule() -> None:
    problem = synthetic(40, 8, 0.6, seed=2)
    start = warm_start(problem).projects
    shared: list[tuple[ProjectSchedule, ...]] = []
    kept = lns.improve(problem, start, _re_plan, until=time.monotonic() + 2, workers=1, share=shared.append)
    assert shared, "the neighbourhoods improved the greedy schedule, so something was shared"
    objectives = [objective_of(problem, s) for s in shared]
    assert objectives == sorted(set(objectives), reverse=True)  # each one better than the last
    assert objectives[0] < objective_of(problem, start)
    assert objectives[-1] == objective_of(problem, kept)
    for schedule in shared:
        assert [s.id for s in schedule] == [p.id for p in problem.projects]
        assert not verify(problem, _solution(problem, schedule))


def test_both_neighbourhood_tables_are_read_from_a_mapping_and_checked() -> None:
    params = SolveParams.from_mapping(
        {"neighbourhoods_with_sources": {"size": 40}, "neighbourhoods": {"size": 90}}
    )
    assert params.neighbourhoods_with_sources.size == 40 and params.neighbourhoods.size == 90
    assert DEFAULT_PARAMS.neighbourhoods_with_sources.size < DEFAULT_PARAMS.neighbourhoods.size
    with pytest.raises(ValueError, match="unknown neighbourhood parameter 'sise'"):
        SolveParams.from_mapping({"neighbourhoods_with_sources": {"sise": 40}})
