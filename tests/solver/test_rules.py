"""Hand-made cases, one per MODEL.md rule, each with an optimum argued on paper."""

from __future__ import annotations

from solver import Problem, Project, SolveStatus, solve, verify


def _problem(years: range, caps, *projects: Project, carryover: bool = False) -> Problem:
    caps = caps if isinstance(caps, dict) else dict.fromkeys(years, caps)
    return Problem(years.start, years.stop - 1, caps, tuple(projects), carryover=carryover)


def _solve(problem: Problem):
    solution = solve(problem, time_limit=5, workers=1)
    assert verify(problem, solution) == []
    return solution


def test_carryover_lets_unspent_money_fund_a_one_year_project_later():
    # A needs 8 in a single year; each cap is 5. Without carryover no year can hold it; with carryover
    # 2022 has 5 + 5 = 10 available, so A runs in 2022, one year late: objective 1, the least possible
    # because 2021 alone holds only 5.
    a = Project("A", 8, 2021, min_years=1, max_years=1)
    with_carryover = _solve(_problem(range(2021, 2023), 5, a, carryover=True))
    assert (with_carryover.status, with_carryover.objective) == (SolveStatus.OPTIMAL, 1)
    assert with_carryover.schedule("A").funding == {2022: 8}
    without = _solve(_problem(range(2021, 2023), 5, a))
    assert without.status == SolveStatus.INFEASIBLE
    # 3 more in one year (either) is the least extra money
    assert sum(without.diagnostics.shortfall.values()) == 3


def test_profile_fixes_the_draws_from_the_start():
    # Caps 4 a year. A's profile (3, 3) and B (2, due 2021) cannot both end on plan: 2021 would need 5.
    # Delaying A costs 2 (weight 2), spreading B over 2021-2022 costs 1: the optimum is 1, A on plan.
    a = Project("A", 6, 2022, profile=(3, 3), weight=2)
    b = Project("B", 2, 2021)
    solution = _solve(_problem(range(2021, 2024), 4, a, b))
    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 1)
    assert solution.schedule("A").funding == {2021: 3, 2022: 3}
    assert solution.schedule("B").end == 2022


def test_profile_with_a_zero_year_still_counts_that_year():
    # The profile (0, 4) lasts two years even though the first draw is 0: starting 2021 it ends 2022,
    # on plan, so the objective is 0; its start is the first year of the profile, not the first draw.
    a = Project("A", 4, 2022, profile=(0, 4))
    solution = _solve(_problem(range(2021, 2024), 4, a))
    assert solution.objective == 0
    assert (solution.schedule("A").start, solution.schedule("A").end) == (2021, 2022)


def test_deferral_pays_the_cheapest_penalty_and_defers_successors():
    # 2021 holds 10: A (6, penalty 5) and B (6, penalty 3) cannot both run; 2022 has no money. Deferring B
    # (3) beats deferring A (5). C comes after B, so it is deferred too (penalty 1) although money is left:
    # objective 3 + 1 = 4.
    a = Project("A", 6, 2022, deferrable=True, defer_penalty=5)
    b = Project("B", 6, 2022, deferrable=True, defer_penalty=3)
    c = Project("C", 1, 2022, deferrable=True, defer_penalty=1, after=("B",))
    solution = _solve(_problem(range(2021, 2023), {2021: 10, 2022: 0}, a, b, c))
    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 4)
    assert [p.scheduled for p in solution.projects] == [True, False, False]
    assert solution.schedule("B").funding == {} and solution.schedule("B").start is None


def test_deferral_is_free_when_slippage_would_cost_more():
    # A must slip 3 years (no money until 2024) at weight 2 = 6; deferring costs 5: the optimum is 5.
    a = Project("A", 2, 2021, deferrable=True, defer_penalty=5, weight=2)
    solution = _solve(_problem(range(2021, 2025), {2021: 0, 2022: 0, 2023: 0, 2024: 9}, a))
    assert (solution.objective, solution.schedule("A").scheduled) == (5, False)


def test_precedence_starts_a_successor_after_its_predecessor_ends():
    # A (2, at most 1 a year) takes 2021-2022; B after A starts 2023 at the earliest: one year late.
    a = Project("A", 2, 2022, max_annual=1)
    b = Project("B", 1, 2022, after=("A",))
    solution = _solve(_problem(range(2021, 2025), 100, a, b))
    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 1)
    assert solution.schedule("B").start == 2023


def test_fixed_start_binds_even_when_earlier_money_is_free():
    # A may only start in 2022 (fixed), so it ends 2022 at the earliest: one year late.
    a = Project("A", 1, 2021, fixed_start=2022)
    solution = _solve(_problem(range(2021, 2024), 100, a))
    assert (solution.objective, solution.schedule("A").start) == (1, 2022)


def test_min_years_stretch_a_project():
    # A must last 3 years from 2021, so it ends 2023: one year after its plan of 2022.
    a = Project("A", 6, 2022, min_years=3)
    solution = _solve(_problem(range(2021, 2025), 100, a))
    assert solution.objective == 1
    assert len(solution.schedule("A").funding) == 3


def test_max_years_and_caps_that_cannot_meet_it_give_the_exact_shortfall():
    # A (6) in at most 2 years with caps of 2: it needs 6 in two years but two years hold 4, so the least
    # extra money is 2 in total; no other project competes.
    a = Project("A", 6, 2024, max_years=2)
    solution = _solve(_problem(range(2021, 2024), 2, a))
    assert solution.status == SolveStatus.INFEASIBLE
    assert sum(solution.diagnostics.shortfall.values()) == 2


def test_annual_bounds_limit_how_fast_money_is_drawn():
    # A (10) draws at most 6 a year, so it needs 2 years: one late. B (3) needs at least 2 a year and
    # can last up to 2 years: its draws are 2..3 each year.
    a = Project("A", 10, 2021, min_annual=4, max_annual=6)
    b = Project("B", 3, 2022, min_annual=2, max_years=2)
    solution = _solve(_problem(range(2021, 2024), 20, a, b))
    assert solution.objective == 1
    assert all(4 <= x <= 6 for x in solution.schedule("A").funding.values())
    assert all(x >= 2 for x in solution.schedule("B").funding.values())


def test_deadline_is_hard_and_weighted_slippage_is_the_objective():
    # Caps 2 a year: A (4, due 2022, weight 3) must take 2021-2022; B (2, weight 1, plan 2021) then waits
    # until 2023: objective 2 (B two years late) rather than A late at weight 3.
    a = Project("A", 4, 2021, deadline=2022, weight=3)
    b = Project("B", 2, 2021)
    solution = _solve(_problem(range(2021, 2024), 2, a, b))
    assert solution.schedule("A").end == 2022
    # A ends 2022 (1 late, weight 3 = 3) + B ends 2023 (2 late) = 5; any other order breaks A's deadline
    assert solution.objective == 5


def test_deadline_infeasible_reports_the_exact_shortfall():
    # A (6) must end by 2022 with caps of 2: 2021-2022 hold 4, so 2 more (in 2021 or 2022) is the least.
    a = Project("A", 6, 2022, deadline=2022)
    solution = _solve(_problem(range(2021, 2024), 2, a))
    assert solution.status == SolveStatus.INFEASIBLE and solution.objective is None
    assert sum(solution.diagnostics.shortfall.values()) == 2
    assert set(solution.diagnostics.shortfall) <= {2021, 2022}
    assert any("2" in m and "least" in m for m in solution.diagnostics.messages)


def test_shortfall_asks_for_the_money_as_late_as_possible_and_the_same_every_run():
    # A (6) must end by 2022 with caps of 2: 2 more is the least, in 2021 or 2022 alike; as late as
    # possible is all of it in 2022. Parallel workers used to return either split.
    a = Project("A", 6, 2022, deadline=2022)
    problem = _problem(range(2021, 2024), 2, a)
    shortfalls = [solve(problem, time_limit=5, workers=2).diagnostics.shortfall for _ in range(3)]
    assert shortfalls == [{2022: 2}] * 3


def test_structural_impossibility_says_no_money_helps():
    # A needs at least 3 years from 2021 but is due in 2022: no budget can fix a date.
    a = Project("WX-07", 6, 2022, deadline=2022, min_years=3)
    solution = _solve(_problem(range(2021, 2025), 100, a))
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.diagnostics.shortfall is None
    assert any(m.startswith("WX-07:") and "deadline 2022" in m for m in solution.diagnostics.messages)
    assert any("No amount of money helps" in m for m in solution.diagnostics.messages)


def test_cost_that_cannot_be_drawn_in_the_allowed_years_is_explained():
    a = Project("WX-07", 9000, 2023, max_years=3, max_annual=2500)
    solution = _solve(_problem(range(2021, 2030), 100000, a))
    assert solution.status == SolveStatus.INFEASIBLE
    assert (
        "WX-07: cost 9000 cannot be drawn in at most 3 years at ≤ 2500 a year"
        in solution.diagnostics.messages
    )


def test_more_budget_never_hurts():
    a = Project("A", 7, 2022, max_annual=4)
    b = Project("B", 5, 2021, weight=2)
    tight = _solve(_problem(range(2021, 2025), 5, a, b))
    loose = _solve(_problem(range(2021, 2025), 8, a, b))
    assert loose.objective <= tight.objective
