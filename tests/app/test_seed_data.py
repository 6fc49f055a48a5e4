"""The shipped project lists are a faithful transcription of the seed plans (巫溪 专栏4, 万州 专栏2–5)."""

from __future__ import annotations

import csv
import re

import pytest

from app.files.importer import ProjectListError, read_projects, summarize
from app.resources import data_dir, seed_portfolio_csv
from app.rules.portfolio import COLUMNS, ProjectRecord


@pytest.fixture(scope="module")
def seed() -> dict[str, ProjectRecord]:
    return {r.code: r for r in read_projects(seed_portfolio_csv())}


def test_seed_file_is_utf8_with_the_columns_in_order() -> None:
    with seed_portfolio_csv().open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert tuple(header) == COLUMNS


def test_seed_has_19_projects_numbered_like_the_table(seed: dict[str, ProjectRecord]) -> None:
    assert list(seed) == [f"WX-{n:02d}" for n in range(1, 20)]


def test_seed_marks_16_star_projects_all_but_rows_1_9_15(seed: dict[str, ProjectRecord]) -> None:
    assert sum(r.star for r in seed.values()) == 16
    assert {c for c, r in seed.items() if not r.star} == {"WX-01", "WX-09", "WX-15"}


def test_every_star_project_is_planned_to_finish_by_2025(seed: dict[str, ProjectRecord]) -> None:
    assert all(r.planned_end <= 2025 for r in seed.values() if r.star)


@pytest.mark.parametrize(
    ("code", "name", "floor_area", "start", "end"),
    [
        ("WX-01", "巫溪县城区幼儿园建设工程", 34000, 2024, 2027),
        ("WX-04", "巫溪县白马小学校建设项目", 30500, 2020, 2023),
        ("WX-05", "巫溪县先锋小学校建设项目", 25880, 2020, 2023),
        ("WX-09", "巫溪县文峰第二小学建设项目", 10000, 2025, 2026),
        ("WX-11", "巫溪中学学生宿舍及食堂建设项目", 8680, 2022, 2023),
        ("WX-13", "巫溪县城厢中学改扩建项目", 12000, 2021, 2022),
        ("WX-14", "巫溪县城厢中学校运动场建设项目", 9400, 2024, 2025),
        ("WX-15", "巫溪县中学校教学综合楼建设项目", 4000, 2025, 2027),
        ("WX-17", "巫溪县职教中心扩建项目", 26500, 2021, 2022),
        ("WX-18", "巫溪县特殊教育学校迁建项目", 9000, 2022, 2024),
        ("WX-19", "巫溪县老年大学迁建工程", 7000, 2022, 2025),
    ],
)
def test_seed_rows_carry_the_tables_names_areas_and_years(
    seed: dict[str, ProjectRecord], code: str, name: str, floor_area: int, start: int, end: int
) -> None:
    record = seed[code]
    assert (record.name, record.floor_area_m2, record.planned_start, record.planned_end) == (
        name,
        floor_area,
        start,
        end,
    )


def test_row_1_separates_purchased_from_built_area(seed: dict[str, ProjectRecord]) -> None:
    assert (seed["WX-01"].purchase_area_m2, seed["WX-01"].floor_area_m2) == (7245, 34000)
    assert all(r.purchase_area_m2 is None for c, r in seed.items() if c != "WX-01")


def test_total_floor_area_matches_the_table(seed: dict[str, ProjectRecord]) -> None:
    # Sum of the 19 stated (or summed) floor areas of 专栏4.
    assert summarize(seed.values()).floor_area_m2 == 263460


def test_seed_statuses_categories_and_units_are_written_as_in_the_plan(
    seed: dict[str, ProjectRecord],
) -> None:
    assert seed["WX-14"].status == "已完成施工图审查"
    assert seed["WX-17"].status == "施工图审查"
    assert seed["WX-07"].status == "正在进行选址"
    assert seed["WX-11"].status == "完成立项、可研"
    assert [seed[c].category for c in ("WX-01", "WX-04", "WX-07", "WX-17", "WX-18", "WX-19")] == [
        "学前教育",
        "义务教育",
        "普通高中教育",
        "职业教育",
        "特殊教育",
        "继续教育",
    ]
    assert {c for c, r in seed.items() if r.nature == "续建"} == {"WX-04", "WX-05"}
    assert seed["WX-19"].responsible_unit == "县卫生健康委"
    assert seed["WX-03"].location == "朝阳镇、花台乡、蒲莲镇、下堡镇、中梁乡"


def test_land_area_is_given_only_where_the_plan_states_it(seed: dict[str, ProjectRecord]) -> None:
    land = {c: r.land_area_mu for c, r in seed.items() if r.land_area_mu is not None}
    assert land == {"WX-04": 60, "WX-05": 41, "WX-18": 26, "WX-19": 10}


def test_every_cost_is_a_labelled_estimate_with_its_formula(seed: dict[str, ProjectRecord]) -> None:
    for record in seed.values():
        assert record.cost_is_estimate
        assert record.cost_basis.startswith("estimate: ")
        assert "元/m²" in record.cost_basis
        assert record.spent_wan == 0


def test_estimated_costs_follow_the_stated_unit_prices(seed: dict[str, ProjectRecord]) -> None:
    # cost = Σ area × 元/m² ÷ 10,000, each term as written in cost_basis, rounded half up.
    for record in seed.values():
        terms = re.findall(r"(\d+) m² × (\d+) 元/m²", record.cost_basis)
        yuan = sum(int(a) * int(p) for a, p in terms)
        assert record.cost_wan == (yuan + 5000) // 10000, record.code
    assert seed["WX-01"].cost_wan == 16543  # 34000 × 3800 + 7245 × 5000 元


def test_pupil_places_come_from_tables_3_to_6(seed: dict[str, ProjectRecord]) -> None:
    seats = {c: r.seats_added for c, r in seed.items() if r.seats_added is not None}
    assert seats == {
        "WX-04": 2700 - 1305,
        "WX-05": 2160 - 450,
        "WX-06": 1620,
        "WX-07": 1800 + 900,
        "WX-08": 1890 - 1620,
        "WX-09": 1080,
        "WX-17": 4500 - 3093,
    }
    assert all(r.seats_source.startswith("表") for r in seed.values() if r.seats_added is not None)
    assert all(r.seats_source is None for r in seed.values() if r.seats_added is None)


def test_wanzhou_list_names_projects_but_every_figure_is_missing() -> None:
    path = data_dir() / "wanzhou_projects.csv"
    with pytest.raises(ProjectListError) as caught:
        read_projects(path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 46
    assert all(r["name"] and r["category"] and r["nature"] for r in rows)
    figures = ("floor_area_m2", "planned_start", "planned_end", "cost_wan", "spent_wan", "seats_added")
    assert all(not r[c] for r in rows for c in figures)
    missing = {(e.row, e.column) for e in caught.value.errors}
    assert missing == {
        (row, column) for row in range(2, 48) for column in ("planned_start", "planned_end", "cost_wan")
    }
    assert rows[0]["name"] == "万州区上海幼儿园"
    assert {r["category"] for r in rows} >= {"学前教育", "义务教育", "特殊教育", "职业教育", "高等教育"}
