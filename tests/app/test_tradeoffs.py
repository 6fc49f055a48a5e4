"""The budget trade-off curve and the least budget (app/rules/sweep.py, app/rules/least_budget.py), on problems argued on paper."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.i18n import render
from app.rules.budgets import BudgetSpecError
from app.rules.least_budget import Outcome, Rule, Verdict, least_budget
from app.rules.sweep import flat_levels, parse_amounts, parse_levels, scaled_levels, sweep
from solver import Problem, Project, SolveStatus, solve


def _flat(first: int, last: int, cap: int) -> dict[int, int]:
    return dict.fromkeys(range(first, last + 1), cap)


# ── levels ────────────────────────────────────────────────────────────────────────────────────────


def test_levels_range_includes_both_ends_without_float_drift() -> None:
    levels = parse_levels("0.5:1.5:0.1")
    assert len(levels) == 11
    assert (levels[0], levels[-1], levels[7]) == (Decimal("0.5"), Decimal("1.5"), Decimal("1.2"))


def test_levels_accept_a_list_of_factors() -> None:
    assert parse_levels("0.8, 1, 1.2") == (Decimal("0.8"), Decimal("1"), Decimal("1.2"))


@pytest.mark.parametrize(
    ("spec", "words"),
    [("1.5:0.5:0.1", "less than FROM"), ("0.5:1.5:0", "step must be more than 0"), ("a:b:c", "not numbers")],
)
def test_bad_levels_are_rejected_in_plain_words(spec: str, words: str) -> None:
    with pytest.raises(BudgetSpecError, match=words):
        parse_levels(spec)


def test_amounts_must_be_whole_numbers() -> None:
    assert parse_amounts("8000,10000") == (8000, 10000)
    with pytest.raises(BudgetSpecError, match=r"'9\.5' is not a whole number"):
        parse_amounts("8000,9.5")


def test_scaled_levels_round_each_cap_down() -> None:
    (level,) = scaled_levels({2021: 12000, 2022: 999}, [Decimal("1.1")])
    # 999 × 1.1 = 1098.9 → 1098 (a cap never rounds up past what was granted)
    assert level.caps == {2021: 13200, 2022: 1098}


# ── sweep ─────────────────────────────────────────────────────────────────────────────────────────


def _two_projects() -> Problem:
    # A (★, deadline 2022) costs 120; B costs 30 and must be drawn whole in 2021. At a cap of c a year A
    # can have c − 30 in 2021 and c in 2022, so A is on time from c = 75; below that nothing is feasible.
    # B has a planned end of 2021; A planned 2021 too, so at c < 120 + 30 A slips one year (weight 3).
    a = Project(id="A", cost=120, planned_end=2021, earliest_start=2021, deadline=2022, weight=3)
    b = Project(id="B", cost=30, planned_end=2021, fixed_start=2021, min_years=1, max_years=1)
    return Problem(2021, 2023, _flat(2021, 2023, 100), (a, b))


def test_sweep_reports_each_level_in_budget_order_with_late_and_star_counts() -> None:
    problem = _two_projects()
    curve = sweep(problem, flat_levels(2021, 2023, [150, 70, 100]), time_limit=10, threads=2)
    got = [(p.level.flat_wan, p.status, p.objective, p.projects_late, p.star_late) for p in curve.points]
    assert got == [
        (70, SolveStatus.INFEASIBLE, None, None, None),  # 70 − 30 + 70 = 110 < 120 for A by 2022
        (100, SolveStatus.OPTIMAL, 3, 1, 1),  # A cannot have 120 in 2021 (cap 100 − 30): one year late
        (150, SolveStatus.OPTIMAL, 0, 0, 0),  # 120 + 30 fit in 2021
    ]
    assert all(p.proven for p in curve.points)
    assert not curve.cancelled


def test_sweep_hints_each_level_with_a_smaller_budgets_schedule() -> None:
    curve = sweep(_two_projects(), flat_levels(2021, 2023, [100, 150]), time_limit=10, threads=1)
    assert [p.hinted for p in curve.points] == [False, True]


def test_sweep_reports_progress_after_every_level() -> None:
    seen: list[tuple[int, int]] = []
    sweep(
        _two_projects(),
        flat_levels(2021, 2023, [80, 100, 150]),
        time_limit=10,
        progress=lambda p: seen.append((p.done, p.total)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_cancelled_sweep_solves_no_further_level() -> None:
    stop = threading.Event()
    stop.set()
    curve = sweep(_two_projects(), flat_levels(2021, 2023, [100, 150]), time_limit=10, stop=stop)
    assert curve.cancelled
    assert curve.points == ()


@st.composite
def _small_problems(draw: st.DrawFn) -> Problem:
    years = draw(st.integers(2, 4))
    projects = []
    for k in range(draw(st.integers(1, 4))):
        cost = draw(st.integers(1, 30))
        start = 2021 + draw(st.integers(0, years - 1))
        projects.append(
            Project(
                id=f"P{k}",
                cost=cost,
                planned_end=start + draw(st.integers(0, 1)),
                earliest_start=start,
                max_annual=draw(st.sampled_from([None, max(1, cost // 2)])),
                weight=draw(st.integers(0, 3)),
                after=("P0",) if k > 0 and draw(st.booleans()) else (),
                deferrable=draw(st.booleans()),
                defer_penalty=draw(st.integers(0, 5)),
            )
        )
    return Problem(2021, 2020 + years, _flat(2021, 2020 + years, 1), tuple(projects))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=_small_problems(), amounts=st.lists(st.integers(0, 40), min_size=2, max_size=5, unique=True))
def test_more_budget_never_increases_the_optimal_slippage(problem: Problem, amounts: list[int]) -> None:
    curve = sweep(problem, flat_levels(2021, problem.last_year, amounts), time_limit=5, threads=2)
    proven = [p for p in curve.points if p.proven]
    assert len(proven) == len(amounts)  # tiny problems: every level is decided
    feasible = [p.status.has_schedule for p in proven]
    assert feasible == sorted(feasible)  # once feasible, feasible at every larger budget
    objectives = [p.objective for p in proven if p.objective is not None]
    assert objectives == sorted(objectives, reverse=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=_small_problems(), amounts=st.lists(st.integers(0, 40), min_size=2, max_size=4, unique=True))
def test_hints_never_change_a_proven_optimum(problem: Problem, amounts: list[int]) -> None:
    levels = flat_levels(2021, problem.last_year, amounts)
    hinted = sweep(problem, levels, time_limit=5, threads=1, hints=True)
    cold = sweep(problem, levels, time_limit=5, threads=1, hints=False)
    assert [(p.status, p.objective) for p in hinted.points] == [(p.status, p.objective) for p in cold.points]


# ── least budget ──────────────────────────────────────────────────────────────────────────────────


def test_least_flat_budget_for_star_projects_is_exact() -> None:
    # A (★) needs 120 by 2022 while B takes 30 of 2021's cap: (c − 30) + c ≥ 120 ⇔ c ≥ 75. At 74 the two
    # years hold 44 + 74 = 118 for A, so 74 is infeasible — proven by the solver, not by counting money
    # (the 150 to fund over three years only needs 50 a year).
    result = least_budget(_two_projects(), rule=Rule.STAR, time_limit=10)
    assert (result.outcome, result.amount_wan, result.answer_text) == (Outcome.FOUND, 75, "75")
    assert (
        solve(Problem(2021, 2023, _flat(2021, 2023, 74), _two_projects().projects)).status
        is SolveStatus.INFEASIBLE
    )
    assert result.solution is not None and result.solution.status.has_schedule
    assert all(s.verdict is not Verdict.UNKNOWN for s in result.steps)


def test_least_flat_budget_for_zero_slippage_is_exact() -> None:
    # Zero slippage needs A (120) and B (30) both in 2021: c ≥ 150. At 149 A must slip into 2022.
    result = least_budget(_two_projects(), rule=Rule.ZERO_SLIPPAGE, time_limit=10)
    assert (result.outcome, result.amount_wan) == (Outcome.FOUND, 150)
    assert result.solution is not None and result.solution.objective == 0
    below = solve(Problem(2021, 2023, _flat(2021, 2023, 149), _two_projects().projects), time_limit=10)
    assert below.objective == 3


def test_least_scale_of_caps_is_exact_to_a_thousandth() -> None:
    # A must be drawn whole in 2022 (cost 150): ⌊k·200/1000⌋ ≥ 150 ⇔ k ≥ 750. At 0.749 the 2022 cap is
    # ⌊149.8⌋ = 149 < 150.
    a = Project(id="A", cost=150, planned_end=2022, fixed_start=2022, min_years=1, max_years=1)
    problem = Problem(2021, 2022, {2021: 100, 2022: 200}, (a,))
    result = least_budget(problem, rule=Rule.STAR, scale_of=problem.budget, time_limit=10)
    assert (result.outcome, result.scale, result.answer_text) == (Outcome.FOUND, 0.75, "0.750")
    assert result.caps == {2021: 75, 2022: 150}


def test_least_budget_says_when_no_amount_of_money_helps() -> None:
    # 100 at most 10 a year takes 10 years; the deadline allows 2.
    a = Project(id="A", cost=100, planned_end=2022, earliest_start=2021, max_annual=10, deadline=2022)
    result = least_budget(Problem(2021, 2030, _flat(2021, 2030, 5), (a,)), time_limit=10)
    assert result.outcome is Outcome.NONE
    assert "no schedule meets the rule 'every ★ on time'" in render(result.message, "en")
    assert "没有排程能满足“★ 项目按期完工”" in render(result.message, "zh")


def test_least_budget_answer_reads_in_both_languages() -> None:
    # A (cost 150) must be drawn whole in 2022: 150 a year is the least flat budget.
    a = Project(id="A", cost=150, planned_end=2022, fixed_start=2022, min_years=1, max_years=1)
    result = least_budget(Problem(2021, 2022, {2021: 100, 2022: 200}, (a,)), rule=Rule.STAR, time_limit=10)
    assert result.outcome is Outcome.FOUND and result.amount_wan == 150
    assert render(result.message, "en").startswith("150 万元 a year meets the rule 'every ★ on time'; 149")
    assert render(result.message, "zh").startswith("每年 150 万元 满足“★ 项目按期完工”；每年 149 万元 不满足")


def test_least_budget_for_star_projects_holds_soft_star_scenarios_to_the_plan_deadline() -> None:
    # The same A with its ★ deadline left soft (none in the problem): the rule puts 2022 back, so 75 again.
    soft = _two_projects()
    soft = Problem(2021, 2023, soft.budget, (replace(soft.project("A"), deadline=None), soft.project("B")))
    result = least_budget(soft, rule=Rule.STAR, stars={"A"}, star_deadline=2022, time_limit=10)
    assert (result.outcome, result.amount_wan) == (Outcome.FOUND, 75)
