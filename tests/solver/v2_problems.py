"""Hypothesis strategies and a brute-force optimum for MODEL.md v2 (funding sources), shared by the v2 tests.

The brute force enumerates, per project, every v1 schedule (tests/solver/test_properties.py `_options`),
keeps the combinations the v1 rules accept, and for those tries every split of every year's draw over the
project's allowed sources until one passes the independent verifier: the least objective of a combination
with a valid split is the optimum. Small enough only for tiny problems.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import strategies as st

from solver import Problem, ProjectSchedule, Solution, SolveStatus, verify
from solver.problem import Funding, Source
from solver.search import source_years_of, years_of
from tests.solver.test_properties import _options, small_problems, tiny_problems

SOURCE_IDS = ("central", "county")


def _funding(draw, cost: int, ids: tuple[str, ...], loose: bool) -> tuple[Funding, ...] | None:
    """None (any source, no limits) or rules over a non-empty subset of the sources (`loose`: seldom a
    min, and maxes of at least half the cost, so that most problems have schedules)."""
    if draw(st.integers(0, 2)) == 0:
        return None
    chosen = [k for k in ids if draw(st.booleans())] or [ids[0]]
    rules = []
    for k in chosen:
        low = draw(st.integers(0, cost // (4 if loose else 1))) if draw(st.booleans()) else 0
        high = (
            draw(st.integers(max(low, cost // 2 if loose else 0), cost + 1)) if draw(st.booleans()) else None
        )
        rules.append(Funding(k, low, high))
    return tuple(rules)


@st.composite
def with_sources(draw, problems: st.SearchStrategy[Problem], most: int, loose: bool) -> Problem:
    """A problem of `problems` with 1..`most` sources (carryover or not) and random funding rules. Caps are
    0..4 a year, or (`loose`) between half and all of the year's total cap plus 10."""
    problem = draw(problems)
    ids = SOURCE_IDS[: draw(st.integers(1, most))]
    sources = tuple(
        Source(
            k,
            {
                t: draw(st.integers(b // 2, b + 10) if loose else st.integers(0, 4))
                for t, b in problem.budget.items()
            },
            draw(st.booleans()),
        )
        for k in ids
    )
    projects = tuple(replace(p, funding=_funding(draw, p.cost, ids, loose)) for p in problem.projects)
    return replace(problem, projects=projects, sources=sources)


def tiny_v2_problems() -> st.SearchStrategy[Problem]:
    """tests/solver/test_properties.py's tiny problems with one or two small sources."""
    return with_sources(tiny_problems(), 2, False)


def small_v2_problems() -> st.SearchStrategy[Problem]:
    """Its small problems (up to 8 projects, 6 years) with one or two sources, caps near the total's."""
    return with_sources(small_problems(), 2, True)


def v1_of(problem: Problem) -> Problem:
    """The same problem without sources or funding rules."""
    return replace(problem, sources=(), projects=tuple(replace(p, funding=None) for p in problem.projects))


def _splits(problem: Problem, sched: ProjectSchedule) -> list[ProjectSchedule]:
    """Every split of the schedule's yearly draws over the project's allowed sources."""
    if not sched.scheduled:
        return [sched]
    allowed = problem.project(sched.id).allowed_sources(problem.sources)
    per_year = []
    for year, amount in sorted(sched.funding.items()):
        ways = [
            dict(zip(allowed, shares, strict=True))
            for shares in itertools.product(range(amount + 1), repeat=len(allowed))
            if sum(shares) == amount
        ]
        per_year.append([(year, way) for way in ways])
    out = []
    for combo in itertools.product(*per_year):
        sources = {year: {k: v for k, v in way.items() if v} for year, way in combo}
        out.append(replace(sched, sources={y: s for y, s in sources.items() if s}))
    return out


def solution_of(problem: Problem, projects: tuple[ProjectSchedule, ...], objective: int) -> Solution:
    return Solution(
        SolveStatus.FEASIBLE,
        objective,
        None,
        0.0,
        projects,
        years_of(problem, projects),
        source_years=source_years_of(problem, projects),
    )


def brute_force_optimum_v2(problem: Problem) -> int | None:
    """The least objective over every schedule and split the verifier accepts (see module docstring)."""
    plain = v1_of(problem)
    best = None
    per_project = [_options(plain, p) for p in plain.projects]
    for combo in itertools.product(*per_project):
        objective = sum(
            problem.project(s.id).weight * s.slippage if s.scheduled else problem.project(s.id).defer_penalty
            for s in combo
        )
        if best is not None and objective >= best:
            continue
        if verify(plain, solution_of(plain, tuple(combo), objective)):
            continue
        for split in itertools.product(*(_splits(problem, s) for s in combo)):
            if not verify(problem, solution_of(problem, tuple(split), objective)):
                best = objective
                break
    return best
