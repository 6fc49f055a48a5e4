"""The charts of a run: what each figure shows, checked on the figure data (no browser needed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.charts import category_color, funding_gantt, gantt_pages, slippage_chart, spend_vs_cap
from app.files.importer import read_projects
from app.i18n import t

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"


@pytest.fixture(scope="module")
def records():
    return read_projects(FIXTURES / "wuxi_projects.csv")


@pytest.fixture(scope="module")
def solution():
    return json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))


def traces(fig, meta):
    return [tr for tr in fig.data if tr.meta == meta]


def bars_by_code(fig, meta="bar"):
    """{code: (base, span, y)} over every bar trace tagged `meta`."""
    out = {}
    for tr in traces(fig, meta):
        for code, base, span, y in zip(tr.customdata, tr.base, tr.x, tr.y, strict=True):
            assert code not in out, f"{code} drawn twice"
            out[code] = (base, span, y)
    return out


def row_of(fig, y):
    return fig.layout.yaxis.ticktext[y]


def scheduled(solution):
    return {p["id"]: p for p in solution["projects"] if p["scheduled"]}


def test_gantt_draws_one_bar_per_scheduled_project_over_its_funded_years(solution, records):
    fig = funding_gantt(solution, records)
    bars = bars_by_code(fig)
    assert set(bars) == set(scheduled(solution))
    for code, p in scheduled(solution).items():
        base, span, _ = bars[code]
        assert (base, base + span - 1) == (p["start"], p["end"])  # bar = [start, end + 1)


def test_gantt_ghost_bars_sit_at_the_planned_years(solution, records):
    fig = funding_gantt(solution, records)
    ghosts = bars_by_code(fig, "ghost")
    assert set(ghosts) == {r.code for r in records}  # deferred WX-19 keeps its planned ghost too
    for r in records:
        base, span, _ = ghosts[r.code]
        assert (base, base + span - 1) == (r.planned_start, r.planned_end)


def test_gantt_with_a_baseline_keeps_the_plan_and_its_lateness_and_outlines_the_baseline(solution, records):
    """Issue 13: approving a baseline used to replace the grey plan bars and hide the red overrun."""
    baseline = json.loads((FIXTURES / "wuxi_baseline.json").read_text(encoding="utf-8"))
    without = funding_gantt(solution, records)
    fig = funding_gantt(solution, records, baseline=baseline)

    assert [tr.name for tr in traces(fig, "ghost")] == [t("planned", "zh")]
    assert [tr.name for tr in traces(fig, "baseline")] == [t("baseline", "zh")]
    assert bars_by_code(fig, "ghost") == bars_by_code(without, "ghost")  # still the plan
    assert bars_by_code(fig, "late") == bars_by_code(without, "late")  # lateness against the plan
    outlines = bars_by_code(fig, "baseline")
    assert set(outlines) == set(scheduled(baseline))
    for code, p in scheduled(baseline).items():
        base, span, _ = outlines[code]
        assert (base, base + span - 1) == (p["start"], p["end"])


def test_gantt_draws_the_status_date_as_a_line(solution, records):
    from datetime import date

    fig = funding_gantt(solution, records, status_date=date(2024, 7, 2))
    (line,) = [shape for shape in fig.layout.shapes if shape.name == "status_date"]
    assert 2024.49 < line.x0 < 2024.51  # early July: half way through 2024's cell
    assert any("2024-07-02" in (a.text or "") for a in fig.layout.annotations)


def test_gantt_colours_bars_by_category_with_one_legend_entry_each(solution, records):
    fig = funding_gantt(solution, records)
    categories = {r.code: r.category for r in records}
    for tr in traces(fig, "bar"):
        cats = {categories[c] for c in tr.customdata}
        assert len(cats) == 1
        (category,) = cats
        assert tr.name == category
        assert tr.marker.color == category_color(category)
    assert len({tr.marker.color for tr in traces(fig, "bar")}) == len(traces(fig, "bar"))


def test_gantt_marks_star_projects_in_their_labels(solution, records):
    fig = funding_gantt(solution, records)
    bars = bars_by_code(fig)
    for r in records:
        if r.code in bars:
            label = row_of(fig, bars[r.code][2])
            assert label == (f"★ {r.name}" if r.star else r.name)


def test_gantt_draws_the_late_part_in_red_with_plus_years(solution, records):
    planned_end = {r.code: r.planned_end for r in records}
    fig = funding_gantt(solution, records)
    late = bars_by_code(fig, "late")
    expected = {c: p for c, p in scheduled(solution).items() if p["end"] > planned_end[c]}
    assert set(late) == set(expected)
    # WX-08 镇泉小学: planned to end 2025, funded 2023–2028 → red over 2026–2028, "+3年".
    assert late["WX-08"][:2] == (2026, 3)
    labels = traces(fig, "late_labels")[0]
    y08 = late["WX-08"][2]
    assert labels.text[list(labels.y).index(y08)] == "+3年"
    assert traces(fig, "late")[0].marker.color == "#D1362F"


def test_gantt_speaks_english_on_request(solution, records):
    fig = funding_gantt(solution, records, lang="en")
    assert "Project funding schedule" in fig.layout.title.text
    assert "+3 yr" in traces(fig, "late_labels")[0].text
    assert {tr.name for tr in traces(fig, "bar")} >= {"Compulsory education", "Pre-school"}


def test_gantt_lists_deferred_projects_apart_without_a_bar(solution, records):
    fig = funding_gantt(solution, records)
    ticks = list(fig.layout.yaxis.ticktext)
    header = next(i for i, tick in enumerate(ticks) if t("deferred_group", "zh") in tick)
    assert ticks[header + 1 :] == ["★ 巫溪县老年大学迁建工程"]
    assert "WX-19" not in bars_by_code(fig)
    assert traces(fig, "deferred_marks")[0].text == ("暂缓",)


def test_gantt_puts_year_ticks_mid_cell_and_a_line_at_the_end_of_2025(solution, records):
    fig = funding_gantt(solution, records)
    axis = fig.layout.xaxis
    assert list(axis.ticktext) == [str(y) for y in range(2020, 2031)]
    assert list(axis.tickvals) == [y + 0.5 for y in range(2020, 2031)]
    dashed = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert [(s.x0, s.x1) for s in dashed] == [(2026, 2026)]
    assert any("规划期末 2025" in a.text for a in fig.layout.annotations)


def test_gantt_shows_each_year_draw_as_text_and_hover(solution, records):
    fig = funding_gantt(solution, records)
    draws = traces(fig, "year_draws")[0]
    bars = bars_by_code(fig)
    cells = {
        (x, y): (text, hover)
        for x, y, text, hover in zip(draws.x, draws.y, draws.text, draws.hovertext, strict=True)
    }
    y04 = bars["WX-04"][2]
    # WX-04 白马小学 draws 3864, 3863, 3863 in 2021–2023.
    assert cells[(2021.5, y04)][0] == "3,864"
    assert "2023: 3,863 万元" in cells[(2023.5, y04)][1]
    assert len(cells) == sum(len(p["funding"]) for p in scheduled(solution).values())


def test_gantt_hover_labels_estimated_costs_as_estimates(solution, records):
    fig = funding_gantt(solution, records)
    hovers = [h for tr in traces(fig, "bar") for h in tr.hovertext]
    assert all("（估算）" in h for h in hovers)  # every seed cost is an estimate


def test_gantt_sorted_by_slippage_puts_the_latest_first_in_each_category(solution, records):
    fig = funding_gantt(solution, records, sort="slippage", group="none")
    bars = bars_by_code(fig)
    order = sorted(bars, key=lambda c: bars[c][2])
    slips = [scheduled(solution)[c]["slippage"] for c in order]
    assert slips == sorted(slips, reverse=True)


def test_gantt_rejects_an_unknown_sort_in_plain_words(solution, records):
    with pytest.raises(ValueError, match="unknown sort 'name'"):
        funding_gantt(solution, records, sort="name")


def test_gantt_draws_projects_missing_from_the_portfolio_by_code(solution, records):
    extra = copy.deepcopy(solution)
    extra["projects"].append(
        {
            "id": "NEW-1",
            "scheduled": True,
            "start": 2026,
            "end": 2027,
            "slippage": 0,
            "funding": {"2026": 100, "2027": 100},
        }
    )
    fig = funding_gantt(extra, records)
    bars = bars_by_code(fig)
    assert row_of(fig, bars["NEW-1"][2]) == "NEW-1"


def big_solution(n: int) -> tuple[dict, list]:
    """n synthetic projects, 4 categories, every fifth late by a year."""
    from app.rules.portfolio import ProjectRecord

    recs, items = [], []
    for i in range(n):
        start = 2021 + i % 6
        code = f"P{i:04d}"
        recs.append(
            ProjectRecord(
                code,
                f"项目{i:04d}",
                f"类别{i % 4}",
                None,
                None,
                None,
                None,
                None,
                start,
                start + 2,
                i % 3 == 0,
                None,
                None,
                300,
                None,
                0,
                None,
                None,
            )
        )
        end = start + 2 + (i % 5 == 0)
        items.append(
            {
                "id": code,
                "scheduled": True,
                "start": start,
                "end": end,
                "slippage": int(i % 5 == 0),
                "funding": {str(y): 100 for y in range(start, end + 1)},
            }
        )
    years = [{"year": y, "budget": 10**6, "spend": 0} for y in range(2021, 2031)]
    return {
        "status": "FEASIBLE",
        "objective": 0,
        "bound": 0,
        "projects": items,
        "years": years,
        "diagnostics": {"messages": [], "shortfall": None},
    }, recs


def test_a_large_gantt_is_drawn_in_pages_that_together_hold_every_project():
    solution, recs = big_solution(300)
    assert gantt_pages(300, 120) == 3
    seen = []
    for page in (1, 2, 3):
        fig = funding_gantt(solution, recs, page=page, page_size=120)
        seen += list(bars_by_code(fig))
        assert f"第 {page}/3 页" in fig.layout.title.subtitle.text
    assert sorted(seen) == sorted(p["id"] for p in solution["projects"])
    with pytest.raises(ValueError, match="page 4 does not exist"):
        funding_gantt(solution, recs, page=4, page_size=120)


def test_spend_vs_cap_stacks_spend_by_category_under_the_cap_line(solution, records):
    fig = spend_vs_cap(solution, records)
    years = [y["year"] for y in solution["years"]]
    stacked = [sum(tr.y[i] for tr in traces(fig, "spend")) for i in range(len(years))]
    assert stacked == [y["spend"] for y in solution["years"]]
    for tr in traces(fig, "spend"):
        assert tr.marker.color == category_color(tr.name)
    cap = traces(fig, "cap")[0]
    assert list(cap.y[:-1]) == [y["budget"] for y in solution["years"]]
    assert list(cap.x[:-1]) == [y - 0.5 for y in years]  # a step over each year's bar
    texts = [a.text for a in fig.layout.annotations]
    assert any("余 641" in text for text in texts)  # 2021: 13000 − 12359


def test_spend_vs_cap_marks_the_shortfall_of_an_infeasible_run(records):
    infeasible = json.loads((FIXTURES / "wuxi_infeasible.json").read_text(encoding="utf-8"))
    fig = spend_vs_cap(infeasible, records)
    gap = traces(fig, "shortfall")[0]
    assert dict(zip(gap.x, gap.y, strict=True)) == {2021: 0, 2022: 0, 2023: 1500, 2024: 2600, 2025: 900}
    assert list(gap.base) == [8000] * 5  # drawn on top of the cap
    assert any("缺口 2,600" in a.text for a in fig.layout.annotations)


def test_slippage_chart_lists_star_projects_first_then_the_latest(solution, records):
    fig = slippage_chart(solution, records)
    star = {r.code: r.star for r in records}
    rows = sorted(
        (
            (y, code, x)
            for tr in traces(fig, "slippage")
            for y, code, x in zip(tr.y, tr.customdata, tr.x, strict=True)
        ),
    )
    codes = [code for _, code, _ in rows]
    late = {c for c, p in scheduled(solution).items() if p["slippage"]}
    assert set(codes) == late
    flags = [star[c] for c in codes]
    assert flags == sorted(flags, reverse=True)  # ★ first
    stars = [x for _, c, x in rows if star[c]]
    assert stars == sorted(stars, reverse=True)
    assert rows[0][1:] in {("WX-08", 3), ("WX-11", 3)}
    assert fig.layout.yaxis.ticktext[0].startswith("★ ")


@pytest.mark.parametrize("chart", [funding_gantt, spend_vs_cap, slippage_chart])
def test_every_chart_labels_estimated_amounts_as_estimates(solution, records, chart):
    assert any(r.cost_is_estimate for r in records)
    assert "估算" in chart(solution, records).layout.title.subtitle.text
    assert "estimates" in chart(solution, records, lang="en").layout.title.subtitle.text


# ── issue 14: groups, folds, zoom, label columns, one plan for every page ─────────────────────────────────


def test_gantt_label_columns_show_each_projects_code_name_and_unit(solution, records):
    from app.charts import label_of

    fig = funding_gantt(solution, records)

    for r in records:
        if r.code in scheduled(solution):
            assert label_of(fig, r.code, "code") == r.code
            assert label_of(fig, r.code, "name") == (f"★ {r.name}" if r.star else r.name)
            assert label_of(fig, r.code, "unit") == (r.responsible_unit or "—")
    assert fig.layout.yaxis.showticklabels is False  # the columns replace the axis labels


def test_gantt_grouped_by_unit_has_a_header_per_unit_with_its_project_count(solution, records):
    fig = funding_gantt(solution, records, group="unit")

    groups = {g["key"]: g["count"] for g in fig.layout.meta["groups"]}
    units = [r.responsible_unit or "" for r in records if r.code in scheduled(solution)]
    assert {k: v for k, v in groups.items() if k != "__deferred__"} == {u: units.count(u) for u in set(units)}
    assert fig.layout.meta["group"] == "unit"


def test_a_folded_group_is_its_header_alone_and_its_projects_leave_the_chart(solution, records):
    category = records[0].category
    folded_codes = {r.code for r in records if r.category == category and r.code in scheduled(solution)}

    fig = funding_gantt(solution, records, collapsed=[category])

    assert folded_codes and not folded_codes & set(bars_by_code(fig))
    assert set(bars_by_code(fig)) == set(scheduled(solution)) - folded_codes
    folded = next(g for g in fig.layout.meta["groups"] if g["key"] == category)
    assert folded["collapsed"] and folded["count"] == len(folded_codes)
    header = next(a for a in fig.layout.annotations if a.name == f"group:{category}")
    assert header.text.startswith("<b><span") and "▸" in header.text


def test_folding_groups_shortens_the_pages_of_a_large_gantt():
    solution, recs = big_solution(300)
    categories = sorted({r.category for r in recs})

    fig = funding_gantt(solution, recs, page_size=120, collapsed=categories[1:])

    remaining = sum(1 for r in recs if r.category == categories[0])
    assert fig.layout.meta["pages"] == gantt_pages(remaining + len(categories) - 1, 120)


def test_zooming_the_gantt_shows_only_the_years_asked_for_and_rejects_years_outside(solution, records):
    fig = funding_gantt(solution, records, years=(2023, 2026))

    assert list(fig.layout.xaxis.range) == [2023, 2027]
    assert fig.layout.meta["shown_years"] == [2023, 2026]
    with pytest.raises(ValueError, match="the chart spans"):
        funding_gantt(solution, records, years=(1990, 2026))
    with pytest.raises(ValueError, match="after the last"):
        funding_gantt(solution, records, years=(2027, 2026))


def test_an_unknown_grouping_is_refused_naming_the_choices(solution, records):
    with pytest.raises(ValueError, match="category, unit, status, none"):
        funding_gantt(solution, records, group="colour")


def test_every_page_drawn_from_one_plan_equals_the_page_drawn_alone():
    from app.charts import gantt_figures

    solution, recs = big_solution(300)

    pages = gantt_figures(solution, recs, page_size=120, group="status")

    for number, fig in enumerate(pages, start=1):
        alone = funding_gantt(solution, recs, page=number, page_size=120, group="status")
        assert bars_by_code(fig) == bars_by_code(alone)
        assert fig.layout.meta == alone.layout.meta
