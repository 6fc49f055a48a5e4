"""The seed portfolio with its illustrative funding sources (data/sources.csv, data/funding_rules.csv) as
the app builds it (issue 15): the sources do not bind at its optimum, so the problem without them proves
it — the dispatcher's relaxation for small v2 problems."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from app.models import Scenario
from app.services import scenarios, seeding
from solver import Problem, SolveStatus, solve, verify


@pytest.fixture(scope="module")
def seeded() -> dict[str, Problem]:
    """Each seeded scenario's problem, sources and rules included, built as a run builds it."""
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seeding.seed_if_empty(session=session)
        return {
            s.name: scenarios.problem_of(session=session, scenario_id=s.id)
            for s in session.exec(select(Scenario)).all()
        }


def test_the_seeded_scenarios_carry_the_four_illustrative_sources(seeded: dict[str, Problem]) -> None:
    assert {k.id for k in seeded[seeding.DEFAULT_SCENARIO_NAME].sources} == {
        "central",
        "city",
        "bond",
        "county",
    }
    assert {k.id for k in seeded[seeding.STAR_SCENARIO_NAME].sources} == {"central", "city", "bond", "county"}


@pytest.mark.parametrize("name", [seeding.DEFAULT_SCENARIO_NAME, seeding.STAR_SCENARIO_NAME])
def test_the_seed_with_sources_is_proven_optimal_by_the_problem_without_them(
    seeded: dict[str, Problem], name: str
) -> None:
    problem = seeded[name]
    without = replace(problem, sources=(), projects=tuple(replace(p, funding=None) for p in problem.projects))

    solution = solve(problem, time_limit=60, workers=2)
    relaxed = solve(without, time_limit=60, workers=2)

    assert verify(problem, solution) == []
    assert solution.status == relaxed.status == SolveStatus.OPTIMAL
    assert solution.objective == solution.bound == relaxed.objective
    assert solution.search is not None and solution.search.bound_source == "without sources"


@pytest.mark.parametrize("name", [seeding.DEFAULT_SCENARIO_NAME, seeding.STAR_SCENARIO_NAME])
def test_a_split_that_meets_the_relaxations_bound_ends_the_solve_without_a_v2_search(
    seeded: dict[str, Problem], name: str
) -> None:
    """The schedule without sources, split over them, meets its own bound: it is a v2 optimum, so the
    solve goes from the relaxation straight to the tie-break (no "search" phase)."""
    phases: list[str] = []
    solution = solve(seeded[name], time_limit=60, workers=2, on_phase=phases.append)
    assert solution.status == SolveStatus.OPTIMAL
    assert verify(seeded[name], solution) == []
    assert "relaxation" in phases and "search" not in phases
    assert phases[-1] == "tie-break"
