"""Trade-offs over a problem with funding sources: every quota moves with the total by the same factor, and a
sweep counts the seat-years of each level so its curve can plot either measure."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.charts import curve_figure
from app.rules.budgets import flat_factor, scale_sources
from app.rules.sweep import BudgetLevel, flat_levels, level_problem, scaled_levels, sweep
from solver import Problem, Project
from solver.problem import Source

YEARS = range(2024, 2027)


def v2_problem() -> Problem:
    """Two one-year projects; 专项债 gives 300 a year, 县级自筹 700, the total is 1,000."""
    projects = (
        Project(id="A", cost=1000, planned_end=2024, max_annual=1000, weight=900),
        Project(id="B", cost=1000, planned_end=2024, max_annual=1000, weight=100),
    )
    sources = (Source("bond", dict.fromkeys(YEARS, 300)), Source("county", dict.fromkeys(YEARS, 700), True))
    return Problem(2024, 2026, dict.fromkeys(YEARS, 1000), projects, sources=sources)


def test_a_scaled_level_scales_every_quota_by_its_factor_rounded_down() -> None:
    level = scaled_levels({y: 1000 for y in YEARS}, [0.55])[0]

    at = level_problem(v2_problem(), level)

    assert dict(at.budget) == dict.fromkeys(YEARS, 550)
    assert [dict(s.budget) for s in at.sources] == [dict.fromkeys(YEARS, 165), dict.fromkeys(YEARS, 385)]
    assert at.sources[1].carryover is True


def test_a_flat_level_moves_the_quotas_by_the_amount_over_the_mean_cap() -> None:
    level = flat_levels(2024, 2026, [1500])[0]

    at = level_problem(v2_problem(), level)

    assert flat_factor(v2_problem().budget, 1500) == Fraction(3, 2)
    assert [s.budget[2025] for s in at.sources] == [450, 1050]


def test_scaling_rounds_each_quota_down() -> None:
    assert scale_sources((Source("bond", {2024: 333}),), Fraction(1, 2))[0].budget == {2024: 166}


def test_a_sweep_counts_seat_years_per_level_and_the_curve_plots_either() -> None:
    problem = v2_problem()
    levels = (BudgetLevel(1.0, dict.fromkeys(YEARS, 1000)), BudgetLevel(2.0, dict.fromkeys(YEARS, 2000)))

    curve = sweep(problem, levels, time_limit=10, threads=1, workers=1, seats={"A": 900, "B": 100})
    points = [p.to_json() for p in curve.points]

    # 1,000 a year: one project slips a year, the cheaper one (B: 100 places) → 100 seat-years; at 2,000 none
    assert [p["seat_years"] for p in points] == [100, 0]
    seats = curve_figure(points, measure="seat_years", lang="zh")
    objective = curve_figure(points, measure="objective", lang="zh")
    assert list(seats.data[0].y) == [100, 0] and seats.data[0].meta == "seat_years"
    assert list(objective.data[0].y) == [p["objective"] for p in points]
    assert "学位·年" in seats.layout.yaxis.title.text


def test_a_curve_of_seat_years_needs_a_sweep_that_counted_them() -> None:
    point = {"mean_cap_wan": 1.0, "budget_total_wan": 3, "objective": 1, "status": "OPTIMAL", "proven": True}
    point |= {"projects_late": 1, "star_late": 0, "deferred": 0}
    with pytest.raises(ValueError):
        curve_figure([point], measure="seat_years")
