"""The cost estimator against the documented unit costs of data/README.md (shared/seeds/README.md)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.files.importer import read_projects
from app.resources import data_dir, seed_portfolio_csv
from app.rules.estimator import (
    ESTIMATOR_MARK,
    UNIT_COSTS,
    Method,
    estimate,
    estimate_costs,
    needs_estimate,
    rate_of,
)


@pytest.fixture(scope="module")
def reference():
    return read_projects(seed_portfolio_csv())


@pytest.fixture(scope="module")
def wanzhou():
    return read_projects(data_dir() / "wanzhou_projects.csv", drafts=True)


def test_unit_costs_are_the_documented_ones():
    # data/README.md "Unit prices used": whole campus 3,800; building on an existing campus 3,100;
    # special school 4,600 (元 per m² of floor area)
    assert UNIT_COSTS == {"whole_campus": 3800, "existing_campus": 3100, "special_school": 4600}
    assert rate_of("义务教育", "新建") == ("whole_campus", False)
    assert rate_of("学前教育", "改扩建") == ("existing_campus", False)
    assert rate_of("特殊教育", "设立") == ("special_school", False)
    assert rate_of("高等教育", "建设") == ("whole_campus", True)  # nature not in the table: assumed


def test_an_area_is_priced_at_the_rate_of_its_nature(wanzhou, reference):
    draft = replace(wanzhou[0], floor_area_m2=5000.0)  # WZ-01 万州区上海幼儿园, 新建
    result = estimate(draft, reference=reference)
    assert result.cost_wan == 1900  # 5000 m² × 3800 元/m² = 1,900 万元
    assert result.method is Method.AREA
    assert result.basis.startswith(ESTIMATOR_MARK) and result.basis.startswith("estimate")
    assert "5000 m² × 3800 元/m²" in result.basis and "= 1900 万元" in result.basis


def test_without_an_area_the_category_median_of_the_reference_is_used_and_said(wanzhou, reference):
    kindergarten = wanzhou[3]  # WZ-04 凉水井还房小区幼儿园, 学前教育, 改扩建
    result = estimate(kindergarten, reference=reference)
    # the Wuxi list's 学前教育 areas 1500 · 12000 · 34000 → median 12000 m², × 3100 (existing campus)
    assert result.method is Method.CATEGORY_MEDIAN
    assert result.cost_wan == 3720
    assert "median 学前教育 floor area of the Wuxi list" in result.basis and "12000 m² (n=3)" in result.basis


def test_a_category_the_reference_lacks_takes_the_median_of_all(wanzhou, reference):
    college = next(r for r in wanzhou if r.category == "高等教育" and r.nature == "新建")
    result = estimate(college, reference=reference)
    assert result.method is Method.ALL_MEDIAN
    assert result.cost_wan == 3572  # median of the 19 Wuxi areas 9400 m² × 3800 = 3,572 万元
    assert "median of all data/projects.csv areas 9400 m² (n=19)" in result.basis


def test_own_areas_come_before_the_reference(wanzhou, reference):
    records = [replace(r, floor_area_m2=2000.0) if r.code == "WZ-01" else r for r in wanzhou]
    result = {e.code: e for e in estimate_costs(records, reference=reference)}
    assert "of this portfolio 2000 m² (n=1)" in result["WZ-02"].basis  # 学前教育 like WZ-01


def test_every_wanzhou_draft_gets_a_labelled_estimate_that_fits_the_basis_column(wanzhou, reference):
    estimates = estimate_costs(wanzhou, reference=reference)
    assert len(estimates) == 46
    assert all(e.cost_wan > 0 and len(e.basis) <= 300 for e in estimates)


def test_a_cost_someone_entered_is_never_estimated(reference):
    given = replace(reference[0], cost_basis="批复概算")
    assert not needs_estimate(given)
    assert needs_estimate(replace(given, cost_basis=f"{ESTIMATOR_MARK}): …"))
