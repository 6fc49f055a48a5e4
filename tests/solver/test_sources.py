"""MODEL.md v2 (funding sources): hand-made cases whose optimum is argued on paper, the checks before
search, the least shortfall per source, the verifier's v2 rules, input validation and the JSON forms."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from solver import (
    DEFAULT_PARAMS,
    Diagnostics,
    Funding,
    Problem,
    ProblemError,
    Project,
    ProjectSchedule,
    Solution,
    SolveParams,
    SolveStatus,
    Source,
    SourceYearSpend,
    Strategy,
    choose_strategy,
    solve,
    verify,
)
from solver.bound import lp_bound
from solver.greedy import warm_start
from solver.instances import synthetic
from solver.search import source_years_of, total_caps_only, years_of
from solver.solution import objective_of
from solver.windows import project_windows

YEARS = range(2021, 2024)


def _solve(problem: Problem, time_limit: float = 10) -> Solution:
    solution = solve(problem, time_limit=time_limit, workers=1)
    assert verify(problem, solution) == []
    return solution


def _problem(budget, projects, sources, years: range = YEARS, carryover: bool = False) -> Problem:
    budget = budget if isinstance(budget, dict) else dict.fromkeys(years, budget)
    return Problem(years.start, years.stop - 1, budget, tuple(projects), carryover, tuple(sources))


def _source(id_: str, caps, years: range = YEARS, carryover: bool = False) -> Source:
    return Source(id_, caps if isinstance(caps, dict) else dict.fromkeys(years, caps), carryover)


def _keys(solution: Solution) -> list[str]:
    return [p.key for p in solution.diagnostics.phrases]


# ---------------------------------------------------------------- optimum argued on paper


def test_a_fixed_grant_forces_its_project_to_start_when_the_grant_money_is_there():
    # Central money exists only in 2021 (6, no carryover) and G's grant is exactly 6: G must draw in 2021,
    # so it starts in 2021 and, lasting at most 2 years, ends by 2022 with all its 12. H (10, county only,
    # due 2022) then finds 20 − 12 = 8 < 10 in the caps of 2021–2022 and ends in 2023: objective 1. It
    # cannot be 0: G's 12 and H's 10 by 2022 need 22 of the 20 the total caps give. Without the grant
    # rule G would run 2022–2023 (on plan) leaving 2021–2022 to H: objective 0.
    g = Project("G", 12, 2023, max_years=2, funding=(Funding("central", 6, 6), Funding("county")))
    h = Project("H", 10, 2022, funding=(Funding("county"),))
    sources = (_source("central", {2021: 6, 2022: 0, 2023: 0}), _source("county", 10))
    problem = _problem(10, (g, h), sources)

    solution = _solve(problem)

    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 1)
    grant = solution.schedule("G")
    assert (grant.start, grant.end) == (2021, 2022)
    assert grant.sources[2021]["central"] == 6
    assert sum(split.get("central", 0) for split in grant.sources.values()) == 6
    assert solution.schedule("H").end == 2023
    without_grant = replace(problem, projects=(replace(g, funding=None), h))
    assert _solve(without_grant).objective == 0


def test_a_matching_floor_the_county_cannot_pay_makes_the_project_infeasible_before_search():
    # M (10, by 2022) may take at most 6 from central, so the county's floor of 5 (配套) is what binds:
    # the county's caps give 2 + 2 = 4 in the years M can be funded in. No schedule exists; the least
    # extra money is 1 on the county's cap (no other amount fixes it, and the total caps have room),
    # asked for as late as possible: 2022.
    m = Project("M", 10, 2022, deadline=2022, funding=(Funding("central", 0, 6), Funding("county", 5)))
    sources = (_source("central", 6, range(2021, 2023)), _source("county", 2, range(2021, 2023)))
    problem = _problem(10, (m,), sources, range(2021, 2023))

    solution = _solve(problem)

    assert solution.status == SolveStatus.INFEASIBLE and solution.search is None  # never searched
    assert solution.diagnostics.messages[0] == (
        "M: it must draw at least 5 from county, but county can give at most 4 in 2021-2022, "
        "the years it can be funded in"
    )
    assert solution.diagnostics.shortfall == {}
    assert solution.diagnostics.source_shortfall == {"county": {2022: 1}}
    assert _keys(solution)[1:] == ["shortfall_sources_least", "shortfall_on_sources"]


def test_a_deferrable_project_whose_floor_cannot_be_met_is_deferred_at_its_penalty():
    # The same M, deferrable at penalty 3: no schedule of M exists, so it is deferred; N fits. Objective 3.
    m = Project(
        "M",
        10,
        2022,
        deadline=2022,
        deferrable=True,
        defer_penalty=3,
        funding=(Funding("central", 0, 6), Funding("county", 5)),
    )
    n = Project("N", 4, 2022)
    sources = (_source("central", 6, range(2021, 2023)), _source("county", 2, range(2021, 2023)))

    solution = _solve(_problem(10, (m, n), sources, range(2021, 2023)))

    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 3)
    assert solution.schedule("M").scheduled is False and solution.schedule("M").sources == {}


def test_a_bond_quota_is_the_binding_cause_of_a_slip():
    # A (6, weight 2) may only use bonds; B (6, weight 1) bonds or county money. Both are due in 2021; the
    # total cap (20) has room, but 2021's bonds (6) and county money (3) give 9 < 12: one slips. A
    # slipping costs 2, B slipping 1: B ends 2022, objective 1. With 3 more bonds in 2021 both fit: 0.
    a = Project("A", 6, 2021, weight=2, funding=(Funding("bond"),))
    b = Project("B", 6, 2021, funding=(Funding("bond"), Funding("county")))
    years = range(2021, 2023)
    bonds = _source("bond", 6, years)
    county = _source("county", {2021: 3, 2022: 10})
    problem = _problem(20, (a, b), (bonds, county), years)

    solution = _solve(problem)

    assert (solution.status, solution.objective) == (SolveStatus.OPTIMAL, 1)
    assert solution.schedule("A").sources == {2021: {"bond": 6}}
    assert solution.schedule("B").end == 2022
    bond_2021 = next(y for y in solution.source_years if (y.source, y.year) == ("bond", 2021))
    assert bond_2021.spend == bond_2021.budget == 6  # the quota that binds
    more_bonds = replace(problem, sources=(_source("bond", {2021: 9, 2022: 6}), county))
    assert _solve(more_bonds).objective == 0


def test_a_source_with_carryover_funds_a_one_year_project_from_two_years_of_quota():
    # C (8, in one year, due 2021) may only use central money, 4 a year. With the source's carryover,
    # 2022 has 4 + 4 = 8: C runs in 2022, one year late (objective 1). Without it no year has 8: the
    # least extra money is 4 on central's cap, as late as possible (2022); the total caps (10) have room.
    c = Project("C", 8, 2021, max_years=1, funding=(Funding("central"),))
    years = range(2021, 2023)
    carried = _problem(10, (c,), (_source("central", 4, years, carryover=True),), years)
    yearly = _problem(10, (c,), (_source("central", 4, years),), years)

    with_carryover, without = _solve(carried), _solve(yearly)

    assert (with_carryover.status, with_carryover.objective) == (SolveStatus.OPTIMAL, 1)
    assert with_carryover.schedule("C").sources == {2022: {"central": 8}}
    assert without.status == SolveStatus.INFEASIBLE
    assert (without.diagnostics.shortfall, without.diagnostics.source_shortfall) == (
        {},
        {"central": {2022: 4}},
    )


def test_the_shortfall_with_sources_counts_the_total_caps_and_each_source_once_each():
    # One year; P (10) may take at most 4 from central (cap 4) and the rest from the county (cap 3); the
    # total cap is 6. The county must give at least 6 (3 short) and the year's total needs 10 (4 short):
    # each extra is forced, so the least sum is 7 = 4 on the total cap + 3 on the county's.
    p = Project("P", 10, 2021, funding=(Funding("central", 0, 4), Funding("county")))
    years = range(2021, 2022)
    problem = _problem(6, (p,), (_source("central", 4, years), _source("county", 3, years)), years)

    solution = _solve(problem)

    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.diagnostics.shortfall == {2021: 4}
    assert solution.diagnostics.source_shortfall == {"county": {2021: 3}}
    assert solution.diagnostics.messages[-3:] == (
        "No schedule fits the caps. At least 7 more is needed, counting the total caps and the sources' "
        "caps together; no less will do.",
        "On the total caps: 2021: 4.",
        "On the sources' caps: county 2021: 3.",
    )


def test_a_project_without_funding_rules_may_use_every_source():
    # Q (9, due 2021) lists no funding: any source, no limits. Each source has 3 in 2021: all three needed.
    q = Project("Q", 9, 2021)
    years = range(2021, 2022)
    sources = tuple(_source(k, 3, years) for k in ("central", "city", "county"))

    solution = _solve(_problem(9, (q,), sources, years))

    assert solution.objective == 0
    assert solution.schedule("Q").sources == {2021: {"central": 3, "city": 3, "county": 3}}


def test_a_project_with_a_profile_splits_each_draw_of_its_profile():
    # R's profile (4, 4) from 2021; bonds give 2 a year, the county 2 a year: each year's draw is 2 + 2.
    r = Project("R", 8, 2022, profile=(4, 4), funding=(Funding("bond"), Funding("county")))
    years = range(2021, 2023)

    solution = _solve(_problem(8, (r,), (_source("bond", 2, years), _source("county", 2, years)), years))

    assert solution.objective == 0
    assert solution.schedule("R").sources == {2021: {"bond": 2, "county": 2}, 2022: {"bond": 2, "county": 2}}


# ---------------------------------------------------------------- impossibilities found before search


@pytest.mark.parametrize(
    ("funding", "reason"),
    [
        (
            (Funding("central", 6), Funding("county", 5)),
            "its funding minimums add up to 11, more than its cost 10",
        ),
        (
            (Funding("central", 0, 3), Funding("county", 0, 4)),
            "its funding maximums add up to 7, less than its cost 10",
        ),
        ((), "its funding list names no source, so nothing may fund it"),
    ],
)
def test_funding_rules_that_cannot_hold_are_reported_by_name_and_no_money_helps(funding, reason):
    p = Project("WX-09", 10, 2022, funding=funding)
    problem = _problem(100, (p,), (_source("central", 100), _source("county", 100)))

    solution = _solve(problem)

    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.diagnostics.messages[0] == f"WX-09: {reason}"
    assert _keys(solution)[-1] == "no_money_helps"
    assert solution.diagnostics.shortfall is None and solution.diagnostics.source_shortfall is None


def test_a_grant_larger_than_the_whole_quota_of_its_source_is_reported_before_search():
    # Two grants of 5 from central, whose caps add up to 2 + 2 + 2 = 6 over the horizon: the projects
    # that must be funded need 10. Each alone fits (5 ≤ 6), so the sum is the reason. The least extra
    # money is 4 on central's cap.
    a = Project("A", 5, 2023, funding=(Funding("central", 5, 5),))
    b = Project("B", 5, 2023, funding=(Funding("central", 5, 5),))
    problem = _problem(100, (a, b), (_source("central", 2),))

    solution = _solve(problem)

    assert solution.status == SolveStatus.INFEASIBLE and solution.search is None
    assert solution.diagnostics.messages[0] == (
        "The projects that cannot be deferred must draw at least 10 from central, but its caps of "
        "2021-2023 add up to 6."
    )
    assert sum(solution.diagnostics.source_shortfall["central"].values()) == 4


def test_the_sources_allowed_to_a_project_must_cover_its_cost_in_its_years():
    # S (9, due 2021 at the latest) may use the city (2 in 2021) and the county (3 in 2021): 5 < 9.
    s = Project("S", 9, 2021, deadline=2021, funding=(Funding("city"), Funding("county")))
    problem = _problem(100, (s,), (_source("city", 2), _source("county", 3), _source("bond", 50)))

    solution = _solve(problem)

    assert solution.diagnostics.messages[0] == (
        "S: its cost is 9, but the sources allowed to fund it can give at most 5 in 2021-2021, "
        "the years it can be funded in"
    )
    assert solution.diagnostics.source_shortfall is not None


# ---------------------------------------------------------------- the verifier's v2 rules


def _checked(problem: Problem, *projects: ProjectSchedule) -> list[str]:
    solution = Solution(
        SolveStatus.FEASIBLE,
        objective_of(problem, projects),
        None,
        0.0,
        projects,
        years_of(problem, projects),
        source_years=source_years_of(problem, projects),
    )
    return verify(problem, solution)


TWO = range(2021, 2023)
RULED = Project("A", 6, 2022, funding=(Funding("bond", 0, 4), Funding("county", 1)))
RULES = _problem(10, (RULED,), (_source("bond", 3, TWO), _source("county", 5, TWO)), TWO)


def _a(funding: dict, sources: dict, scheduled: bool = True) -> ProjectSchedule:
    if not scheduled:
        return ProjectSchedule("A", False, None, None, None, funding, sources)
    return ProjectSchedule("A", True, min(funding), max(funding), 0, funding, sources)


def test_the_verifier_accepts_a_split_that_keeps_every_rule():
    assert _checked(RULES, _a({2021: 3, 2022: 3}, {2021: {"bond": 3}, 2022: {"bond": 1, "county": 2}})) == []


@pytest.mark.parametrize(
    ("funding", "sources", "violation"),
    [
        (
            {2021: 3, 2022: 3},
            {2021: {"bond": 2}, 2022: {"county": 3}},
            "A: draws 3 in 2021 but its sources add up to 2",
        ),
        (
            {2021: 6},
            {2021: {"bond": 3, "county": 2, "city": 1}},
            "A: draws 1 from city in 2021, not a source of the problem",
        ),
        ({2021: 4, 2022: 2}, {2021: {"bond": 4}, 2022: {"county": 2}}, "bond 2021: drawn 4, its cap is 3"),
        (
            {2021: 3, 2022: 3},
            {2021: {"bond": 3}, 2022: {"bond": 2, "county": 1}},
            "A: draws 5 from bond in all, its maximum is 4",
        ),
        (
            {2021: 3, 2022: 3},
            {2021: {"bond": 3}, 2022: {"bond": 3, "county": 0}},
            "A: draws 0 from county in all, its minimum is 1",
        ),
        (
            {2021: 3, 2022: 3},
            {2021: {"bond": 4, "county": -1}, 2022: {"county": 3}},
            "A: draws -1 from county in 2021, less than 0",
        ),
    ],
)
def test_the_verifier_names_each_broken_source_rule(funding, sources, violation):
    assert violation in _checked(RULES, _a(funding, sources))


def test_the_verifier_rejects_a_source_the_project_may_not_use():
    bonds_only = replace(RULES, projects=(replace(RULED, funding=(Funding("bond"),)),))
    assert "A: draws 2 from county in 2021, a source it may not use" in _checked(
        bonds_only, _a({2021: 5}, {2021: {"bond": 3, "county": 2}})
    )


def test_the_verifier_checks_a_sources_carryover_cumulatively():
    carried = replace(RULES, sources=(_source("bond", 3, TWO, carryover=True), RULES.sources[1]))
    schedule = _a({2022: 6}, {2022: {"bond": 4, "county": 2}})  # 4 > 3 in 2022, but 3 + 3 by then
    assert _checked(carried, replace(schedule, start=2022)) == []
    assert _checked(RULES, replace(schedule, start=2022)) == ["bond 2022: drawn 4, its cap is 3"]


def test_the_verifier_rejects_a_deferred_project_that_draws_from_a_source():
    deferrable = replace(RULES, projects=(replace(RULED, deferrable=True),))
    assert "A: deferred but draws from a source" in _checked(
        deferrable, _a({}, {2021: {"bond": 1}}, scheduled=False)
    )


def test_the_verifier_rejects_a_split_in_a_v1_problem_and_wrong_source_years():
    v1 = Problem(2021, 2021, {2021: 5}, (Project("A", 5, 2021),))
    split = ProjectSchedule("A", True, 2021, 2021, 0, {2021: 5}, {2021: {"county": 5}})
    assert "A: split over sources in a problem without sources" in _checked(v1, split)
    good = _a({2021: 3, 2022: 3}, {2021: {"bond": 3}, 2022: {"bond": 1, "county": 2}})
    wrong = Solution(
        SolveStatus.FEASIBLE,
        0,
        None,
        0.0,
        (good,),
        years_of(RULES, (good,)),
        source_years=(SourceYearSpend("bond", 2021, 3, 2),),
    )
    violations = verify(RULES, wrong)
    assert "bond 2021: reported spend 2/budget 3, actual 3/3" in violations
    assert "county 2022: missing from source_years" in violations


# ---------------------------------------------------------------- input validation


@pytest.mark.parametrize(
    ("change", "project_id", "field", "words"),
    [
        (
            {"sources": [{"id": "c", "budget": {"2021": 1}}]},
            None,
            "sources[c].budget",
            "no cap for year 2022",
        ),
        (
            {"sources": [{"id": "c", "budget": {"2021": 1, "2022": 1, "2030": 1}}]},
            None,
            "sources[c].budget",
            "outside the horizon",
        ),
        (
            {"sources": [{"id": "c", "budget": {"2021": -1, "2022": 1}}]},
            None,
            "sources[c].budget[2021]",
            "at least 0",
        ),
        (
            {"sources": [{"id": "c", "budget": {"2021": 1, "2022": 1}}] * 2},
            None,
            "sources.id",
            "used by two sources",
        ),
        ({"sources": [{"budget": {"2021": 1, "2022": 1}}]}, None, "id", "required"),
        ({"sources": None, "funding": [{"source": "c"}]}, "A", "funding", "has no sources"),
        ({"funding": [{"source": "x"}]}, "A", "funding[0].source", "not a source of this problem"),
        ({"funding": [{"source": "c"}, {"source": "c"}]}, "A", "funding[1].source", "listed twice"),
        ({"funding": [{"source": "c", "min": 5, "max": 4}]}, "A", "funding[0].min", "more than max"),
        ({"funding": [{"source": "c", "min": -1}]}, "A", "funding[0].min", "at least 0"),
        ({"funding": [{"source": "c", "max": 2.5}]}, "A", "funding[0].max", "whole number"),
        ({"funding": [{"source": "c", "maximum": 3}]}, "A", "funding[0].maximum", "not a field"),
        ({"funding": {"source": "c"}}, "A", "funding", "must be a list"),
    ],
)
def test_invalid_v2_input_names_the_project_and_field(change, project_id, field, words):
    data = {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": 5, "2022": 5},
        "sources": [{"id": "c", "budget": {"2021": 3, "2022": 3}}],
        "projects": [{"id": "A", "cost": 4, "planned_end": 2022}],
    }
    funding = change.pop("funding", None)
    data.update(change)
    if data["sources"] is None:
        del data["sources"]
    if funding is not None:
        data["projects"][0]["funding"] = funding

    with pytest.raises(ProblemError) as raised:
        Problem.from_json(data)

    assert (raised.value.project_id, raised.value.field) == (project_id, field)
    assert words in raised.value.message


def test_funding_built_in_python_is_checked_too():
    with pytest.raises(ProblemError) as raised:
        Funding("central", 5, 3)
    assert raised.value.field == "funding.min"
    with pytest.raises(ProblemError) as raised:
        Project("A", 4, 2022, funding=(Funding("c", 1), Funding("c")))
    assert (raised.value.project_id, raised.value.field) == ("A", "funding[1].source")


# ---------------------------------------------------------------- JSON


def test_a_v2_problem_and_its_solution_round_trip_through_json():
    g = Project("G", 12, 2023, max_years=2, funding=(Funding("central", 6, 6), Funding("county")))
    h = Project("H", 10, 2022)
    sources = (_source("central", {2021: 6, 2022: 0, 2023: 0}), _source("county", 10, carryover=True))
    problem = _problem(10, (g, h), sources)
    solution = _solve(problem)

    problem_json = json.loads(json.dumps(problem.to_json()))
    solution_json = json.loads(json.dumps(solution.to_json()))

    assert Problem.from_json(problem_json) == problem
    assert problem_json["sources"][1] == {
        "id": "county",
        "budget": {"2021": 10, "2022": 10, "2023": 10},
        "carryover": True,
    }
    assert problem_json["projects"][0]["funding"] == [
        {"source": "central", "min": 6, "max": 6},
        {"source": "county", "min": 0, "max": None},
    ]
    assert "funding" not in problem_json["projects"][1]  # absent: any source, no limits
    assert Solution.from_json(solution_json) == replace(
        solution, solve_seconds=solution_json["solve_seconds"]
    )
    assert [row["source"] for row in solution_json["source_years"]] == ["central"] * 3 + ["county"] * 3
    first = solution_json["projects"][0]
    assert sum(first["sources"]["2021"].values()) == first["funding"]["2021"]
    assert solution_json["diagnostics"]["source_shortfall"] is None


def test_an_infeasible_v2_solution_carries_its_source_shortfall_in_json():
    p = Project("P", 10, 2021, funding=(Funding("central", 0, 4), Funding("county")))
    years = range(2021, 2022)
    problem = _problem(6, (p,), (_source("central", 4, years), _source("county", 3, years)), years)

    data = _solve(problem).to_json()

    assert data["diagnostics"]["shortfall"] == {"2021": 4}
    assert data["diagnostics"]["source_shortfall"] == {"county": {"2021": 3}}
    assert data["projects"] == [] and len(data["source_years"]) == 2
    assert Solution.from_json(data).diagnostics.source_shortfall == {"county": {2021: 3}}


def test_diagnostics_of_v1_keep_no_source_shortfall():
    assert Diagnostics().source_shortfall is None
    assert "source_shortfall" not in Solution(SolveStatus.UNKNOWN, None, None, 0.0).to_json()["diagnostics"]


# ---------------------------------------------------------------- the greedy warm start and the generator


def test_the_warm_start_splits_draws_to_meet_a_floor_and_a_cap_together():
    # W (9, in 2021–2022) must take at least 5 from the county, whose caps are 0 in 2021 and 5 in 2022, and
    # at most 4 from bonds (4 a year). Front-loaded, 2021's draw can only be bonds (4), 2022's is the
    # county's 5: the one split that keeps every rule, which the min-cost flow finds.
    w = Project("W", 9, 2022, max_years=2, funding=(Funding("bond", 0, 4), Funding("county", 5)))
    years = range(2021, 2023)
    problem = _problem(10, (w,), (_source("bond", 4, years), _source("county", {2021: 0, 2022: 5})), years)

    warm = warm_start(problem)

    assert warm.status == SolveStatus.FEASIBLE and verify(problem, warm) == []
    assert warm.schedule("W").sources == {2021: {"bond": 4}, 2022: {"county": 5}}


@pytest.mark.parametrize("tightness", [0.6, 1.0])
def test_the_generators_portfolio_with_four_sources_gets_a_verified_warm_start(tightness):
    problem = synthetic(60, 10, tightness, 3, sources=4)

    warm = warm_start(problem)

    assert [s.id for s in problem.sources] == ["central", "bond", "city", "county"]
    assert all(p.funding for p in problem.projects)
    assert all(sum(rule.min for rule in p.funding) <= p.cost for p in problem.projects)
    assert warm.status == SolveStatus.FEASIBLE and verify(problem, warm) == []
    assert any(len(split) > 1 for p in warm.projects for split in p.sources.values())


# ---------------------------------------------------------------- which search runs


def test_a_medium_portfolio_with_sources_is_searched_by_highs_beside_the_neighbourhoods():
    # CP-SAT on the whole v2 model could not improve a 200-project warm start: from 51 projects the
    # dispatcher puts the neighbourhood search beside HiGHS instead (solver/params.py).
    problem = synthetic(60, 12, 1.0, 1, sources=4)

    solution = solve(problem, time_limit=20, workers=2)

    assert solution.search.strategy == Strategy.MIP_AND_NEIGHBOURHOODS
    assert solution.search.engines == ("highs", "lp", "neighbourhoods")
    assert solution.status.has_schedule and not verify(problem, solution)
    assert choose_strategy(60, DEFAULT_PARAMS, highs=True) == Strategy.MIP_AND_CP_SAT  # the same size in v1


@pytest.mark.parametrize("use_highs", [True, False])
def test_the_lps_whole_projects_held_at_their_ends_start_the_neighbourhoods(use_highs: bool) -> None:
    # With sources the greedy start is far from the optimum; the LP (with shares) gives most projects
    # whole, and CP-SAT holding them at their LP end years finds the rest (`held_ends_schedule`): the
    # "rounding" phase, then the search, beside HiGHS or not.
    problem = synthetic(60, 12, 0.6, 1, sources=4)
    windows = project_windows(problem)
    lp = lp_bound(problem, windows)
    assert lp is not None and len(lp.whole) >= len(problem.projects) // 2
    phases: list[str] = []

    solution = solve(
        problem, time_limit=6, workers=2, params=SolveParams(use_highs=use_highs), on_phase=phases.append
    )

    assert phases.index("bound") < phases.index("rounding") < phases.index("search")
    assert solution.status.has_schedule and not verify(problem, solution)
    assert solution.objective <= warm_start(problem, windows).objective


def test_without_highspy_a_medium_portfolio_with_sources_gets_the_neighbourhoods_alone():
    problem = synthetic(60, 12, 1.0, 1, sources=4)

    solution = solve(problem, time_limit=5, workers=2, params=SolveParams(use_highs=False))

    assert solution.search.strategy == Strategy.NEIGHBOURHOODS
    assert solution.status.has_schedule and not verify(problem, solution)


def test_a_small_portfolio_with_sources_is_proven_by_cp_sat():
    # The seed-sized synthetic portfolio at 1.0 (20 projects): CP-SAT's first stage proves it.
    problem = synthetic(20, 10, 1.0, 1, sources=4)

    solution = solve(problem, time_limit=60, workers=2)

    assert solution.search.strategy == Strategy.CP_SAT
    assert solution.status == SolveStatus.OPTIMAL and not verify(problem, solution)


# ---------------------------------------------------------------- the problem without its sources


def test_holding_a_schedules_end_years_leaves_a_model_whose_optimum_is_that_schedules_objective():
    from solver import cpmodel, cpsat
    from solver.budget import Budget
    from solver.windows import project_windows

    problem = synthetic(12, 8, 0.8, 3, sources=4)
    start = warm_start(problem)
    assert start.status.has_schedule
    m = cpmodel.build(problem, project_windows(problem))
    m.model.minimize(m.slippage + m.deferral)

    assert cpmodel.hold_ends(m, start.projects)
    budget = Budget(time.monotonic(), 10.0)
    callback = cpsat.Callback(budget, None, None)
    found = cpsat.search_whole_model(
        m, DEFAULT_PARAMS, budget=budget, workers=1, stop=None, callback=callback
    )
    assert found.status == SolveStatus.OPTIMAL
    assert found.objective == objective_of(problem, start.projects)


def test_an_end_year_outside_the_windows_cannot_be_held():
    from solver import cpmodel
    from solver.windows import project_windows

    problem = _problem(10, [Project("A", 6, 2021, min_years=1, max_years=1)], [_source("bond", 10)])
    m = cpmodel.build(problem, project_windows(problem))
    beyond = ProjectSchedule("A", True, 2024, 2024, 3, {2024: 6}, {2024: {"bond": 6}})

    assert not cpmodel.hold_ends(m, (beyond,))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bound_from_the_problem_without_sources_is_a_bound_of_the_problem_with_them(seed: int):
    # the same small v2 problems solved with and without that relaxation: each answer's bound is at most
    # the other's objective, and two proven optima agree
    problem = synthetic(10, 8, 0.7, seed, sources=4)
    relaxed_first = solve(
        problem, time_limit=10, workers=1, params=SolveParams(relaxation_when_sources_bind=True)
    )
    assert verify(problem, relaxed_first) == []
    model_only = solve(problem, time_limit=10, workers=1, params=SolveParams(relaxation_max_projects=0))
    assert verify(problem, model_only) == []

    assert relaxed_first.bound is not None and model_only.objective is not None
    assert relaxed_first.bound <= model_only.objective
    assert (
        model_only.bound is None
        or relaxed_first.objective is None
        or model_only.bound <= relaxed_first.objective
    )
    if relaxed_first.status == model_only.status == SolveStatus.OPTIMAL:
        assert relaxed_first.objective == model_only.objective
    assert "without sources" in relaxed_first.search.engines
    assert "without sources" not in model_only.search.engines


def test_the_problem_without_sources_is_skipped_when_the_sources_bind_already_in_the_lp():
    # 20 projects, four sources: the money-flow LP gives 23 with the sources and 22 without them, so the
    # relaxation (proven 25 here, the optimum is 26) is not solved; the answer is the same optimum
    problem = synthetic(20, 10, 0.6, seed=1, sources=4)
    alone = total_caps_only(problem)
    assert lp_bound(problem).bound > lp_bound(alone, project_windows(alone)).bound
    phases: list[str] = []
    skipped = solve(problem, time_limit=30, workers=2, on_phase=phases.append)
    assert verify(problem, skipped) == [] and "relaxation" not in phases
    assert "without sources" not in skipped.search.engines
    relaxed = solve(problem, time_limit=30, workers=2, params=SolveParams(relaxation_when_sources_bind=True))
    assert "without sources" in relaxed.search.engines
    assert skipped.status == relaxed.status == SolveStatus.OPTIMAL
    assert skipped.objective == relaxed.objective
