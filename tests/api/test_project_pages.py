"""The project list a page at a time (issue 14): filter, sort and slice by the database, the total count in
`X-Total-Count`, the portfolio's figures and filter values from `…/projects/summary`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import csv_bytes, project_row

CATEGORIES = ("学前教育", "义务教育", "普通高中教育")
UNITS = ("县教委", "县住建委")


def _row(i: int) -> dict[str, Any]:
    """Project i of 60: category i % 3, unit i % 2, ★ every 5th, cost 1000 + 10·i, every 12th a draft."""
    fields: dict[str, Any] = {
        "name": f"第{i}号学校" if i % 4 else f"第{i}号幼儿园",
        "category": CATEGORIES[i % 3],
        "responsible_unit": UNITS[i % 2],
        "star": "true" if i % 5 == 0 else "false",
        "cost_wan": 1000 + 10 * i,
        "cost_basis": "estimate: 面积×单价" if i % 3 == 0 else "批复概算",
        "status": "在建" if i % 7 == 0 else "规划项目",
        "nature": "续建" if i % 6 == 1 else "新建",
    }
    if i % 12 == 11:
        fields["cost_wan"] = ""
        fields["cost_basis"] = ""
    return project_row(f"P-{i:03d}", **fields)


ROWS = [_row(i) for i in range(60)]


@pytest.fixture
def big(client: TestClient, finance: dict[str, str]) -> int:
    pid = client.post("/api/portfolios", json={"name": "分页项目库"}, headers=finance).json()["id"]
    files = {"file": ("p.csv", csv_bytes(ROWS), "text/csv")}
    done = client.post(f"/api/portfolios/{pid}/import?drafts=true", files=files, headers=finance)
    assert done.status_code == 201, done.text
    return pid


def _get(client: TestClient, pid: int, headers: dict[str, str], **params: Any) -> tuple[list[str], int]:
    response = client.get(f"/api/portfolios/{pid}/projects", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [p["code"] for p in response.json()], int(response.headers["X-Total-Count"])


def test_without_paging_the_list_is_every_project_in_file_order(client, finance, big) -> None:
    codes, total = _get(client, big, finance)

    assert codes == [r["code"] for r in ROWS]
    assert total == 60


def test_a_page_is_a_slice_of_the_sorted_list_and_says_how_many_match(client, finance, big) -> None:
    by_cost = sorted((r for r in ROWS if r["cost_wan"]), key=lambda r: -int(r["cost_wan"]))
    drafts = sorted(r["code"] for r in ROWS if not r["cost_wan"])  # no cost: last, by code

    first, total = _get(client, big, finance, sort="cost_wan", order="desc", limit=20)
    third, _ = _get(client, big, finance, sort="cost_wan", order="desc", offset=40, limit=20)

    assert total == 60
    assert first == [r["code"] for r in by_cost[:20]]
    assert third == [r["code"] for r in by_cost[40:]] + drafts


def test_filters_combine_and_the_count_is_of_the_matches(client, finance, big) -> None:
    wanted = [
        r["code"]
        for r in ROWS
        if r["category"] == "学前教育" and r["responsible_unit"] == "县教委" and r["star"] == "true"
    ]

    codes, total = _get(client, big, finance, category="学前教育", unit="县教委", star="true", limit=5)

    assert total == len(wanted) and codes == wanted[:5]


def test_text_is_found_in_the_name_and_the_code(client, finance, big) -> None:
    kindergartens = [r["code"] for r in ROWS if "幼儿园" in r["name"]]

    by_name, total = _get(client, big, finance, q="幼儿园")
    by_code, one = _get(client, big, finance, q="p-007")

    assert (by_name, total) == (kindergartens, len(kindergartens))
    assert (by_code, one) == (["P-007"], 1)


def test_a_percent_sign_is_searched_for_itself_not_as_a_wildcard(client, finance, big) -> None:
    codes, total = _get(client, big, finance, q="%")

    assert (codes, total) == ([], 0)


def test_drafts_filter_keeps_only_projects_lacking_a_figure(client, finance, big) -> None:
    codes, total = _get(client, big, finance, drafts="true")

    assert codes == [r["code"] for r in ROWS if not r["cost_wan"]] and total == 5


def test_an_unknown_sort_or_a_page_too_large_is_422_naming_the_parameter(client, finance, big) -> None:
    unknown = client.get(f"/api/portfolios/{big}/projects?sort=price", headers=finance)
    too_many = client.get(f"/api/portfolios/{big}/projects?limit=100000", headers=finance)

    assert unknown.status_code == 422 and "sort" in unknown.text
    assert too_many.status_code == 422 and "limit" in too_many.text


def test_the_summary_counts_the_whole_portfolio_and_lists_the_filter_values(client, viewer, big) -> None:
    costs = [int(r["cost_wan"]) for r in ROWS if r["cost_wan"]]
    estimated = [int(r["cost_wan"]) for r in ROWS if r["cost_wan"] and r["cost_basis"].startswith("estimate")]

    summary = client.get(f"/api/portfolios/{big}/projects/summary", headers=viewer)

    assert summary.status_code == 200, summary.text
    assert summary.json() == {
        "projects": 60,
        "cost_wan": sum(costs),
        "estimated_wan": sum(estimated),
        "stars": 12,
        "drafts": 5,
        "without_cost": 5,
        "categories": list(CATEGORIES),
        "units": sorted(UNITS),
        "statuses": ["在建", "规划项目"],
        "natures": ["新建", "续建"],  # file order: P-000 is 新建, P-001 续建
    }


def test_a_portfolio_that_does_not_exist_is_404(client, finance) -> None:
    assert client.get("/api/portfolios/999/projects?limit=10", headers=finance).status_code == 404
    assert client.get("/api/portfolios/999/projects/summary", headers=finance).status_code == 404
