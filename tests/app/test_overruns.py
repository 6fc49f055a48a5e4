"""The overrun assumptions (app/rules/overruns.py): the lognormal from its stated figures, the CLI's spec,
draws that depend only on (seed, sample), correlation within a category, the sample's problem."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.rules.funding import FundingRule
from app.rules.overruns import (
    DEFAULT_OVERRUN,
    Assumptions,
    Overrun,
    OverrunError,
    ProjectOverruns,
    funding_rules_from_json,
    funding_rules_json,
    overrun_problem,
    overrun_project,
    parse_overrun_spec,
)
from solver import Funding, Problem, Project, Source


def test_the_default_is_three_in_four_over_with_a_mean_overrun_of_a_quarter() -> None:
    o = DEFAULT_OVERRUN
    # P(M > 1) = Φ(mu / sigma) and E[M] = exp(mu + sigma² / 2): the stated reference-class figures
    assert o.share_over == pytest.approx(0.75, abs=1e-9)
    assert o.mean == pytest.approx(0.25, abs=1e-9)
    assert (round(o.mu, 3), round(o.sigma, 3), o.correlation) == (0.185, 0.275, 0.5)
    assert Assumptions().to_json()["assumption"] is True
    assert "Flyvbjerg" in Assumptions().to_json()["basis"]


def test_draws_match_the_stated_distribution() -> None:
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("A", 10, 2022),))
    overruns = ProjectOverruns.compile(problem, Assumptions())
    drawn = np.array([overruns.multipliers(7, k)["A"] for k in range(4000)])
    assert (drawn > 1).mean() == pytest.approx(0.75, abs=0.03)
    assert drawn.mean() == pytest.approx(1.25, abs=0.03)


def test_a_sample_depends_only_on_seed_and_index() -> None:
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, tuple(Project(p, 10, 2022) for p in "ABC"))
    overruns = ProjectOverruns.compile(problem, Assumptions())
    forward = [overruns.multipliers(3, k) for k in range(5)]
    backward = [overruns.multipliers(3, k) for k in reversed(range(5))][::-1]
    assert forward == backward
    assert overruns.multipliers(3, 0) != overruns.multipliers(4, 0)
    assert overruns.multipliers(3, 0) != overruns.multipliers(3, 1)


def test_full_correlation_gives_a_category_one_multiplier() -> None:
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, tuple(Project(p, 10, 2022) for p in "ABCD"))
    together = Assumptions(Overrun(0.1, 0.3, correlation=1.0))
    overruns = ProjectOverruns.compile(
        problem, together, {"A": "小学", "B": "小学", "C": "高中", "D": "高中"}
    )
    m = overruns.multipliers(1, 0)
    assert m["A"] == m["B"] and m["C"] == m["D"] and m["A"] != m["C"]


def test_a_category_overrides_a_nature_which_overrides_the_default() -> None:
    school, rebuild = Overrun(0.2, 0.1), Overrun(0.05, 0.1)
    assumptions = Assumptions(DEFAULT_OVERRUN, {"学前教育": school}, {"续建": rebuild})
    assert assumptions.of("学前教育", "续建") is school
    assert assumptions.of("义务教育", "续建") is rebuild
    assert assumptions.of("义务教育", "新建") is DEFAULT_OVERRUN


def test_share_zero_and_mean_zero_mean_no_overrun() -> None:
    none = Overrun.from_share_mean(0, 0)
    assert none.none
    problem = Problem(2021, 2022, {2021: 10, 2022: 10}, (Project("A", 10, 2022),))
    assert ProjectOverruns.compile(problem, Assumptions(none)).multipliers(1, 0) == {"A": 1.0}


@pytest.mark.parametrize(
    ("share", "mean", "words"),
    [
        (1.2, 0.25, "share_over .* less than 1"),
        (0.75, -0.1, "mean must be more than"),
        (0.0, 0.3, "share_over .* more than 0"),
    ],
)
def test_impossible_figures_are_refused_in_plain_words(share: float, mean: float, words: str) -> None:
    with pytest.raises(OverrunError, match=words):
        Overrun.from_share_mean(share, mean)


def test_the_cli_spec_sets_default_category_and_nature() -> None:
    assumptions = parse_overrun_spec(
        ["default=60%,15%", "学前教育=80%,30%,0.6", "续建=0.7,0.2"],
        ["学前教育", "义务教育"],
        ["新建", "续建"],
    )
    assert assumptions.default.share_over == pytest.approx(0.6)
    assert assumptions.categories["学前教育"].mean == pytest.approx(0.3)
    assert assumptions.categories["学前教育"].correlation == 0.6
    assert assumptions.natures["续建"].share_over == pytest.approx(0.7)
    assert parse_overrun_spec(["none"], [], []).none


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("default", "expected KEY=SHARE,MEAN"),
        ("default=75%", "give SHARE,MEAN"),
        ("小学=75%,25%", "'小学' is no category or nature of the list; use default, 义务教育, 新建"),
        ("default=lots,25%", "'lots' is not a number"),
    ],
)
def test_a_bad_cli_spec_says_what_is_wrong(spec: str, words: str) -> None:
    with pytest.raises(OverrunError, match=words):
        parse_overrun_spec([spec], ["义务教育"], ["新建"])


def test_the_api_form_reads_back_what_it_shows() -> None:
    given = {
        "default": {"share_over": 0.6, "mean": 0.2},
        "natures": {"续建": {"share_over": 0.5, "mean": 0.1}},
    }
    assumptions = Assumptions.from_json(given)
    again = Assumptions.from_json(assumptions.to_json())
    assert again.default.mu == pytest.approx(assumptions.default.mu, abs=1e-5)
    assert again.natures["续建"].sigma == pytest.approx(assumptions.natures["续建"].sigma, abs=1e-5)
    with pytest.raises(OverrunError, match=r"overrun.default needs share_over and mean"):
        Assumptions.from_json({"default": {"share_over": 0.6}})
    with pytest.raises(OverrunError, match="unknown field 'defualt'"):
        Assumptions.from_json({"defualt": {}})


def test_an_overrun_scales_cost_pace_and_profile_but_not_years() -> None:
    project = Project("A", 1000, 2024, min_years=2, max_years=4, min_annual=100, max_annual=500)
    grown = overrun_project(project, 1.234)
    assert (grown.cost, grown.min_annual, grown.max_annual) == (1234, 123, 617)
    assert (grown.min_years, grown.max_years) == (2, 4)
    profiled = overrun_project(Project("B", 100, 2023, profile=(30, 30, 40)), 1.5)
    assert profiled.profile == (45, 45, 60) and sum(profiled.profile) == profiled.cost == 150
    odd = overrun_project(Project("C", 3, 2023, profile=(1, 1, 1)), 1.4)  # 4.2 → 4, drawn on running totals
    assert sum(odd.profile) == odd.cost == 4
    problem = Problem(2021, 2024, dict.fromkeys(range(2021, 2025), 900), (project,))
    assert overrun_problem(problem, {"A": 1.0}) == problem
    assert math.isclose(overrun_problem(problem, {"A": 2.0}).projects[0].cost, 2000)


def _funded(cost: int) -> Project:
    """A project funded by a 60 % bond cap, a 20 % county floor and a fixed central grant of 300."""
    funding = (
        Funding("bond", 0, cost * 60 // 100),
        Funding("county", cost // 5),
        Funding("central", 300, 300),
    )
    return Project("A", cost, 2024, funding=funding)


RULES = {
    "A": {
        "bond": FundingRule("bond", project="A", max_percent=60),
        "county": FundingRule("county", project="A", min_percent=20),
        "central": FundingRule("central", project="A", min_wan=300, max_wan=300),
    }
}


def test_a_share_of_the_cost_follows_the_overrun_and_an_amount_stays() -> None:
    grown = overrun_project(_funded(1000), 1.5, RULES["A"])
    assert grown.cost == 1500
    assert grown.funding == (Funding("bond", 0, 900), Funding("county", 300), Funding("central", 300, 300))
    # a problem.json has no rules: its limits are amounts, and they stay
    kept = overrun_project(_funded(1000), 1.5)
    assert kept.funding == _funded(1000).funding


def test_a_saving_below_the_fixed_floors_cuts_them_pro_rata() -> None:
    cheaper = overrun_project(_funded(1000), 0.25, RULES["A"])  # 250: grant 300 + county 50 > 250
    assert cheaper.cost == 250
    assert [(f.source, f.min) for f in cheaper.funding] == [("bond", 0), ("county", 35), ("central", 214)]
    assert sum(f.min for f in cheaper.funding) <= cheaper.cost


def test_the_rules_a_job_stores_read_back_the_same() -> None:
    assert funding_rules_from_json(funding_rules_json(RULES)) == RULES
    caps = dict.fromkeys(range(2021, 2025), 900)
    sources = tuple(Source(k, caps) for k in ("bond", "county", "central"))
    problem = Problem(2021, 2024, caps, (_funded(1000),), sources=sources)
    overruns = ProjectOverruns.compile(problem, Assumptions(), funding_rules=RULES)
    sample = overruns.sample(problem, 7, 0)
    m = overruns.multipliers(7, 0)["A"]
    assert sample.projects[0] == overrun_project(problem.projects[0], m, RULES["A"])
