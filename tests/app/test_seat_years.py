"""Seats as value (学位·年): a scenario that minimises seat-years weighs a year of delay by the pupil places a
project adds, so money goes first where pupils wait; every run counts the seat-years it loses."""

from __future__ import annotations

from dataclasses import replace

from app.rules.problem import ScenarioOptions, build_problem
from app.rules.seats import Objective, seat_count, seat_years
from solver import SolveStatus, solve
from tests.app.records import record as wx_06

YEARS = range(2024, 2026)


def small(code: str, **kw: object):
    """A 1,000 万元 project planned for 2024 alone, small enough (< 3,000 m²) to be built in one year."""
    fields = {
        "planned_start": 2024,
        "planned_end": 2024,
        "cost_wan": 1000,
        "floor_area_m2": 2000.0,
        "star": False,
    }
    return wx_06(code=code, **{**fields, **kw})


# A: 900 places, not ★. B: ★, 100 places. 1,000 万元 a year pays for one of them in 2024; the other slips a year.
A = small("A", seats_added=900)
B = small("B", star=True, seats_added=100)
OPTIONS = ScenarioOptions(2024, 2025, dict.fromkeys(YEARS, 1000), star_deadline=None)


def first_in_2024(objective: Objective) -> str:
    problem = build_problem([A, B], replace(OPTIONS, objective=objective))
    solution = solve(problem, time_limit=10, workers=1)
    assert solution.status is SolveStatus.OPTIMAL
    return next(p.id for p in solution.projects if p.end == 2024)


def test_weighted_slippage_pays_the_star_project_first() -> None:
    # weights: A 1 + 0 + ⌊900/1000⌋ = 1, B 1 + 2·★ + 0 = 3; A slipping costs 1, B slipping costs 3
    assert first_in_2024(Objective.WEIGHTED) == "B"


def test_seat_years_pay_the_project_where_more_pupils_wait_first() -> None:
    # weights are places: A slipping costs 900 seat-years, B slipping 100
    assert first_in_2024(Objective.SEAT_YEARS) == "A"


def test_a_project_stating_no_places_counts_the_scenarios_default() -> None:
    unstated = small("C", seats_added=None)
    zero = small("D", seats_added=0)
    problem = build_problem(
        [A, unstated, zero], replace(OPTIONS, objective=Objective.SEAT_YEARS, default_seats=250)
    )

    assert {p.id: p.weight for p in problem.projects} == {"A": 900, "C": 250, "D": 250}


def test_seat_years_lost_are_places_times_years_late_over_scheduled_projects() -> None:
    count = seat_count([A, B, small("C", seats_added=None)], default=100)
    solution = {
        "projects": [
            {"id": "A", "scheduled": True, "slippage": 2},
            {"id": "B", "scheduled": True, "slippage": 0},
            {"id": "C", "scheduled": True, "slippage": 1},
            {"id": "E", "scheduled": False, "slippage": None},
        ]
    }

    lost = seat_years(solution, count)

    assert lost.by_project == {"A": 1800, "C": 100}
    assert lost.total == 1900
    assert count.assumed == frozenset({"C"})
