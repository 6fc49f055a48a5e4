"""Funding rules become MODEL.md v2 `funding` limits (app/rules/funding.py) and the problem builder emits v2
exactly when a scenario has sources: shares rounded so a matching floor is never under-met and a cap never
exceeded, category rules expanded per project, a project's own rule first."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rules.funding import (
    FundingRule,
    FundingRuleError,
    SourcePlan,
    project_funding,
    share_bounds,
    share_cap,
    share_floor,
)
from app.rules.problem import PlanningError, ScenarioOptions, build_problem
from solver.problem import Funding
from tests.app.records import record as wx_06

SOURCES = ["central", "bond", "county"]
YEARS = range(2024, 2028)


def record(code: str, **kw: object):
    """A 2024–2025 project like WX-06 under another code."""
    return wx_06(code=code, planned_start=2024, planned_end=2025, **kw)


def options(**kw) -> ScenarioOptions:
    base = ScenarioOptions(2024, 2027, dict.fromkeys(YEARS, 5000), star_deadline=None)
    return replace(base, **kw)


def plans(*codes: str, amount: int = 2000) -> tuple[SourcePlan, ...]:
    return tuple(SourcePlan(code, dict.fromkeys(YEARS, amount)) for code in codes)


def test_a_matching_floor_rounds_up_and_a_cap_rounds_down_to_whole_wan() -> None:
    # 20 % of 4561 is 912.2: a floor of 912 would under-meet 20 %, a cap of 913 would exceed it
    assert share_floor(20, 4561) == 913
    assert share_cap(20, 4561) == 912
    # exact shares stay exact, and a decimal share is exact too (12.5 % of 8000 = 1000)
    assert share_floor(12.5, 8000) == share_cap(12.5, 8000) == 1000


def test_the_same_share_as_floor_and_cap_becomes_the_nearest_whole_amount() -> None:
    # 33 % of 1001 is 330.33: ⌈⌉ = 331 > ⌊⌋ = 330, no whole amount between, so both are the nearest, 330
    rule = FundingRule("county", project="P", min_percent=33, max_percent=33)
    assert share_bounds(rule, 1001) == (330, 330)


def test_a_category_rule_reaches_every_project_of_the_category_and_a_projects_own_rule_replaces_it() -> None:
    rules = [
        FundingRule("bond", category="继续教育", allowed=False),
        FundingRule("county", category="义务教育", min_percent=20),
        FundingRule("county", project="A-2", min_wan=500, max_wan=500),
    ]

    a1 = project_funding("A-1", "义务教育", 3000, SOURCES, rules)
    a2 = project_funding("A-2", "义务教育", 3000, SOURCES, rules)
    c1 = project_funding("C-1", "继续教育", 3000, SOURCES, rules)
    h1 = project_funding("H-1", "普通高中教育", 3000, SOURCES, rules)

    assert a1 == (Funding("central"), Funding("bond"), Funding("county", min=600))
    assert a2 == (Funding("central"), Funding("bond"), Funding("county", min=500, max=500))
    assert c1 == (Funding("central"), Funding("county"))  # 专项债 not for 继续教育: not listed
    assert h1 is None  # no rule: any source, no limits (MODEL.md's "absent")


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"allowed": False, "max_wan": 10}, "allowed"),
        ({"min_wan": 10, "min_percent": 5}, "min_percent"),
        ({"min_wan": 500, "max_wan": 100}, "min_wan"),
        ({"max_percent": 120}, "max_percent"),
        ({"min_percent": 60, "max_percent": 50}, "min_percent"),
    ],
)
def test_a_rule_that_cannot_hold_is_refused_naming_its_field(kw: dict, field: str) -> None:
    with pytest.raises(FundingRuleError) as caught:
        FundingRule("bond", project="P", **kw)
    assert caught.value.field == field


def test_a_rule_names_one_project_or_one_category() -> None:
    with pytest.raises(FundingRuleError):
        FundingRule("bond")
    with pytest.raises(FundingRuleError):
        FundingRule("bond", project="P", category="义务教育")


def test_without_sources_the_problem_is_v1_and_with_them_v2_with_each_projects_limits() -> None:
    records = [
        record("P-1", cost_wan=3000, category="义务教育"),
        record("P-2", cost_wan=2000, category="继续教育"),
    ]
    rules = (
        FundingRule("bond", category="继续教育", allowed=False),
        FundingRule("county", category="义务教育", min_percent=20),
    )

    v1 = build_problem(records, options(funding_rules=rules))
    v2 = build_problem(records, options(sources=plans("central", "bond", "county"), funding_rules=rules))

    assert v1.sources == () and all(p.funding is None for p in v1.projects)
    assert "sources" not in v1.to_json()
    assert [s.id for s in v2.sources] == ["central", "bond", "county"]
    assert dict(v2.sources[0].budget) == dict.fromkeys(YEARS, 2000)
    funding = {p.id: p.funding for p in v2.projects}
    assert funding["P-1"] == (Funding("central"), Funding("bond"), Funding("county", min=600))
    assert funding["P-2"] == (Funding("central"), Funding("county"))


def test_a_share_is_taken_of_the_cost_still_to_schedule() -> None:
    # 1000 of 5000 already spent: the 20 % floor is of the 4000 still to fund
    records = [record("P-1", cost_wan=5000, spent_wan=1000)]
    rules = (FundingRule("county", project="P-1", min_percent=20),)

    problem = build_problem(records, options(sources=plans("county"), funding_rules=rules))

    assert problem.projects[0].cost == 4000
    assert problem.projects[0].funding == (Funding("county", min=800),)


def test_a_grant_larger_than_a_share_cap_names_the_project_and_field() -> None:
    records = [record("P-1", cost_wan=1000)]
    rules = (FundingRule("bond", project="P-1", min_wan=800, max_percent=50),)

    with pytest.raises(PlanningError) as caught:
        build_problem(records, options(sources=plans("bond"), funding_rules=rules))

    assert caught.value.code == "P-1" and caught.value.field == "min_wan"
    assert "800" in str(caught.value) and "500" in str(caught.value)


def test_a_scenario_override_can_set_a_projects_funding_in_model_md_json() -> None:
    records = [record("P-1", cost_wan=3000)]
    overrides = {"P-1": {"funding": [{"source": "bond", "min": 100, "max": 200}]}}

    problem = build_problem(records, options(sources=plans("bond", "county"), overrides=overrides))

    assert problem.projects[0].funding == (Funding("bond", min=100, max=200),)


def test_a_funding_override_of_the_wrong_shape_names_the_project_and_field() -> None:
    overrides = {"P-1": {"funding": [{"source": "bond", "share": 5}]}}
    with pytest.raises(PlanningError) as caught:
        build_problem([record("P-1")], options(sources=plans("bond"), overrides=overrides))
    assert (caught.value.code, caught.value.field) == ("P-1", "funding")
