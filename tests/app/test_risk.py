"""Cost risk (app/rules/risk.py) on a four-project portfolio that solves in milliseconds: zero overrun is the
deterministic schedule, more overrun never raises P(on time), the P80 budget is the right order statistic of
the samples' own least budgets, and the fixed plan pays overruns as the caps allow."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.fanout import LocalThreads
from app.rules.budgets import flat_budget
from app.rules.least_budget import Outcome, Rule, least_budget
from app.rules.overruns import Assumptions, Overrun, ProjectOverruns
from app.rules.risk import analyse, fixed_plan, quantile
from solver import Problem, Project, ProjectSchedule, Solution, SolveParams, SolveStatus, YearSpend

CATEGORIES = {"S1": "义务教育", "N1": "义务教育", "S2": "学前教育", "N2": "学前教育"}
STARS = frozenset({"S1", "S2"})
TIMING = ("wall_seconds", "samples_per_second", "fanout", "cores")


def small_portfolio(cap: int = 300) -> Problem:
    """Two ★ (deadline 2025) and two other projects, 1,400 to fund over 2021–2026."""
    projects = (
        Project(
            "S1",
            400,
            2023,
            earliest_start=2021,
            min_years=2,
            max_years=5,
            max_annual=200,
            deadline=2025,
            weight=3,
        ),
        Project(
            "S2",
            300,
            2024,
            earliest_start=2022,
            min_years=2,
            max_years=4,
            max_annual=150,
            deadline=2025,
            weight=3,
        ),
        Project("N1", 500, 2024, earliest_start=2021, min_years=2, max_years=5, max_annual=250),
        Project("N2", 200, 2022, earliest_start=2021, min_years=1, max_years=4, max_annual=200),
    )
    return Problem(2021, 2026, flat_budget(2021, 2026, cap), projects)


def run(problem: Problem, overrun: Overrun, *, samples: int, seed: int, confidence: float | None = None):
    overruns = ProjectOverruns.compile(problem, Assumptions(overrun), CATEGORIES)
    return analyse(
        problem,
        overruns=overruns,
        samples=samples,
        seed=seed,
        stars=STARS,
        confidence=confidence,
        work_limit=2.0,
        fanout=LocalThreads(2),
    )


def without_timing(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in TIMING}


def test_with_zero_overrun_every_sample_is_the_deterministic_schedule() -> None:
    result = run(small_portfolio(), Overrun(0.0, 0.0), samples=5, seed=11)
    plan = result.setup.plan
    assert plan.status is SolveStatus.OPTIMAL
    ends = tuple(s.end for s in sorted(plan.projects, key=lambda s: ["S1", "S2", "N1", "N2"].index(s.id)))
    spend = tuple(y.spend for y in plan.years)
    for outcome in result.outcomes:
        assert outcome.ends == ends
        assert outcome.spend == spend
        assert outcome.fixed_ends == ends
        assert outcome.objective == outcome.fixed_objective == plan.objective
        assert outcome.fixed_extra == (0,) * 6 and outcome.fixed_unpaid == 0
    figures = result.figures()
    assert figures["mean_overrun_wan"] == 0
    assert {f["rescheduled_wan"] for f in figures["extra_per_year"]} == {0.0}
    assert figures["slippage"]["p50"] == figures["slippage"]["p90"] == plan.objective
    for row in figures["projects"]:
        on_plan = 1.0 if row["plan_end"] <= row["planned_end"] else 0.0
        assert row["p_on_time"] == row["p_on_time_fixed"] == on_plan


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), shift=st.floats(0.05, 0.6))
def test_more_overrun_never_raises_the_chance_of_finishing_on_time(seed: int, shift: float) -> None:
    # The same draws moved right (every multiplier × e^shift): costs only grow, sample by sample, so every
    # ★ that could be kept by its deadline before may not be any more, and the fixed plan pays more later.
    base = Overrun(0.1, 0.25)
    before = run(small_portfolio(), base, samples=6, seed=seed).figures()
    after = run(small_portfolio(), base.shifted(shift), samples=6, seed=seed).figures()
    assert after["p_all_stars"] <= before["p_all_stars"]
    assert after["p_all_stars_fixed"] <= before["p_all_stars_fixed"]
    for b, a in zip(before["projects"], after["projects"], strict=True):
        assert a["p_on_time_fixed"] <= b["p_on_time_fixed"], a["id"]
    assert after["mean_overrun_wan"] > before["mean_overrun_wan"]


def test_the_p80_budget_is_the_eighth_smallest_of_ten_samples_own_least_budgets() -> None:
    problem = small_portfolio()
    result = run(problem, Overrun.from_share_mean(0.75, 0.25), samples=10, seed=5, confidence=0.8)
    budget = result.budget
    assert budget is not None and budget.outcome is Outcome.FOUND
    # each sample alone, by the exact least-budget bisection of app/rules/least_budget.py
    own = []
    params = SolveParams(work_limit=2.0, shortfall=False)
    for k in range(10):
        alone = least_budget(result.setup.sample_problem(k), rule=Rule.STAR, stars=STARS, params=params)
        assert alone.outcome is Outcome.FOUND
        own.append(alone.amount_wan)
    # at B, sample k meets the rule iff B ≥ own[k]: 8 of 10 samples meet from the 8th smallest on
    assert budget.amount_wan == sorted(own)[math.ceil(0.8 * 10) - 1]
    deterministic = least_budget(problem, rule=Rule.STAR, stars=STARS, params=params).amount_wan
    assert result.deterministic_least_wan == deterministic
    # this seed draws at least 3 of 10 samples costlier than the estimates for the ★ (checked above
    # through `own`), so the P80 budget is above the deterministic one and never above the worst sample's
    assert deterministic <= budget.amount_wan <= max(own)
    levels = {lv.flat_wan: lv for lv in budget.levels}
    assert levels[budget.amount_wan].meets >= 8
    assert levels[budget.low].meets < 8 if budget.low in levels else True


def test_the_same_seed_gives_the_same_figures_and_another_seed_others() -> None:
    overrun = Overrun.from_share_mean(0.75, 0.25)
    first = without_timing(run(small_portfolio(), overrun, samples=8, seed=3, confidence=0.8).figures())
    again = without_timing(run(small_portfolio(), overrun, samples=8, seed=3, confidence=0.8).figures())
    other = without_timing(run(small_portfolio(), overrun, samples=8, seed=4, confidence=0.8).figures())
    assert first == again
    assert first["reproducible"] is True
    assert first["slippage_samples"] != other["slippage_samples"]


def test_quantiles_are_nearest_rank() -> None:
    values = [5, 1, 4, 2, 3, 9, 7, 8, 6, 10]
    assert (quantile(values, 0.5), quantile(values, 0.8), quantile(values, 0.9)) == (5, 8, 9)


# ── the fixed plan, by hand ──────────────────────────────────────────────────────────────────────


def _plan(problem: Problem, funding: dict[str, dict[int, int]]) -> Solution:
    projects = tuple(
        ProjectSchedule(pid, True, min(f), max(f), max(0, max(f) - problem.project(pid).planned_end), f)
        for pid, f in funding.items()
    )
    spend = {t: sum(f.get(t, 0) for f in funding.values()) for t in problem.years}
    years = tuple(YearSpend(t, problem.budget[t], spend[t]) for t in problem.years)
    return Solution(SolveStatus.OPTIMAL, 0, 0, 0.0, projects, years)


def test_the_fixed_plan_pays_each_years_overrun_when_the_cap_has_room_star_first() -> None:
    # Caps 100 a year. Plan: A (★) 30 + 30 in 2021–22, B 40 in 2021 → room 30, 70, 100.
    # Sample: A costs ×2 (30 more due in 2021 and in 2022), B ×1.5 (20 more due in 2021).
    # 2021: room 30 pays A's 30 (★ first), B's 20 waits; 2022: A's 30 and B's 20 paid, B ends a year late.
    a = Project("A", 60, 2022, weight=3, deadline=2025)
    b = Project("B", 40, 2021)
    problem = Problem(2021, 2023, flat_budget(2021, 2023, 100), (a, b))
    plan = _plan(problem, {"A": {2021: 30, 2022: 30}, "B": {2021: 40}})
    sample = Problem(2021, 2023, problem.budget, (Project("A", 120, 2022), Project("B", 60, 2021)))
    fixed = fixed_plan(problem, plan, sample, {"A"})
    assert fixed.ends == (2022, 2022)
    assert fixed.extra == (30, 50, 0)
    assert fixed.unpaid == 0
    assert fixed.objective == 1  # B one year late, weight 1


def test_an_overrun_the_caps_cannot_absorb_leaves_the_project_unfinished() -> None:
    # Cap 50 a year, the plan spends it all: A's extra 100 due in 2022 finds room only in 2023 (50 free):
    # 50 stays unpaid after the horizon, so A is not finished by 2023 (counted as ending in 2024).
    a = Project("A", 100, 2022, weight=2)
    problem = Problem(2021, 2023, flat_budget(2021, 2023, 50), (a,))
    plan = _plan(problem, {"A": {2021: 50, 2022: 50}})
    fixed = fixed_plan(problem, plan, Problem(2021, 2023, problem.budget, (Project("A", 200, 2022),)), set())
    assert fixed.ends == (None,)
    assert fixed.extra == (0, 0, 50)
    assert fixed.unpaid == 50
    assert fixed.objective == 2 * (2024 - 2022)


def test_a_saving_frees_room_for_others() -> None:
    # B comes in at half its cost: its 2021 draw falls from 40 to 20, which pays A's 20 extra that year.
    a, b = Project("A", 60, 2021), Project("B", 40, 2021)
    problem = Problem(2021, 2022, flat_budget(2021, 2022, 100), (a, b))
    plan = _plan(problem, {"A": {2021: 60}, "B": {2021: 40}})
    sample = Problem(2021, 2022, problem.budget, (Project("A", 80, 2021), Project("B", 20, 2021)))
    fixed = fixed_plan(problem, plan, sample, set())
    assert fixed.ends == (2021, 2021)
    assert fixed.extra == (0, 0)


def test_without_star_projects_there_is_no_every_star_figure_nor_budget() -> None:
    problem = Problem(
        2021, 2023, flat_budget(2021, 2023, 100), (Project("A", 150, 2022), Project("B", 60, 2023))
    )
    overruns = ProjectOverruns.compile(problem, Assumptions())
    result = analyse(problem, overruns=overruns, samples=3, seed=1, work_limit=1.0, fanout=LocalThreads(2))
    figures = result.figures()
    assert figures["p_all_stars"] is None and figures["p_all_stars_fixed"] is None
    assert figures["budget"] is None and result.deterministic_least_wan is None
    assert [p["id"] for p in figures["projects"]] == ["A", "B"]
