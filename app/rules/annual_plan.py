"""The annual investment plan (年度投资计划表) of one year, in figures: the projects funded that year,
grouped by category (项目细类) with subtotals and a grand total.

Per project: total cost, money done by the end of the year before (spent before the schedule, then each
earlier year's recorded actual where there is one, else the schedule's draw), this year's draw split by
funding source, and what remains after this year. The sources are MODEL.md v2's `projects[i].sources`
({"2024": {"central": 3000}}); a source goes under 中央 / 市级 / 县级 / 专项债 / 其他 by its kind when the run
knows it (`source_kinds`, from the app's funding sources: 社会资金 and other kinds are 其他), else by its id
(central, 中央, bond, 专项债 …) and under 其他 otherwise; money of a solution without sources is "unsplit"
(未分来源). Pure: plain data in and out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.i18n import UNCATEGORISED

SOURCE_COLUMNS: tuple[str, ...] = ("central", "city", "county", "bond", "other")
UNSPLIT = "unsplit"  # this year's money a solution does not split by source (未分来源)

# Source ids (lower case) read as one of the plan's columns; any other id is "other".
_SOURCE_ALIASES: dict[str, str] = {
    "central": "central",
    "中央": "central",
    "中央预算内投资": "central",
    "national": "central",
    "city": "city",
    "municipal": "city",
    "prefecture": "city",
    "市级": "city",
    "市级补助": "city",
    "county": "county",
    "县级": "county",
    "县级自筹": "county",
    "local": "county",
    "bond": "bond",
    "bonds": "bond",
    "special_bond": "bond",
    "special_bonds": "bond",
    "专项债": "bond",
    "专项债券": "bond",
}


def source_column(source_id: str, kind: str | None = None) -> str:
    """The plan column of a funding source: by its kind when known (central, city, county, bond; social and
    other kinds → other), else by its id."""
    if kind is not None:
        return kind if kind in SOURCE_COLUMNS else "other"
    return _SOURCE_ALIASES.get(source_id.strip().lower(), "other")


@dataclass(frozen=True, slots=True)
class Money:
    """The money columns of a row, subtotal or total (万元)."""

    cost_wan: int = 0
    done_wan: int = 0  # done by the end of the year before
    year_wan: int = 0  # this year's plan
    sources: Mapping[str, int] = field(default_factory=dict)  # SOURCE_COLUMNS + UNSPLIT → 万元
    remaining_wan: int = 0  # after this year

    def plus(self, other: Money) -> Money:
        keys = set(self.sources) | set(other.sources)
        return Money(
            self.cost_wan + other.cost_wan,
            self.done_wan + other.done_wan,
            self.year_wan + other.year_wan,
            {k: self.sources.get(k, 0) + other.sources.get(k, 0) for k in keys},
            self.remaining_wan + other.remaining_wan,
        )


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One project of the year's plan."""

    code: str
    name: str
    category: str
    nature: str | None
    floor_area_m2: float | None
    start: int
    end: int
    unit: str | None
    star: bool
    late_years: int  # the schedule's end past the planned end
    planned_end: int | None
    cost_is_estimate: bool
    cost_basis: str | None
    actuals_used: bool  # an earlier year's figure is a recorded actual
    money: Money


@dataclass(frozen=True, slots=True)
class PlanGroup:
    category: str
    rows: tuple[PlanRow, ...]
    subtotal: Money


@dataclass(frozen=True, slots=True)
class AnnualPlan:
    year: int
    groups: tuple[PlanGroup, ...]
    total: Money
    has_sources: bool  # the solution splits money by source
    unsplit: bool  # some of this year's money is not split (未分来源)
    sources_illustrative: bool = False  # the split comes from illustrative quotas (示意): the table says so


def plan_years(solution: Mapping[str, Any]) -> list[int]:
    """The years a plan can be made for: the solution's horizon."""
    return sorted(int(y["year"]) for y in solution.get("years", []))


def annual_plan(
    solution: Mapping[str, Any],
    records: Sequence[Any],
    *,
    year: int,
    actuals: Mapping[str, Mapping[int, int]] | None = None,
    source_kinds: Mapping[str, str] | None = None,
    sources_illustrative: bool = False,
) -> AnnualPlan:
    """The plan of `year`: every project the schedule funds that year, grouped in the records' category
    order, this year's money under the by-source columns by each source's kind (`source_kinds`: source id →
    kind). ValueError when the year is outside the solution's horizon."""
    years = plan_years(solution)
    if year not in years:
        span = f"{years[0]}–{years[-1]}" if years else "none"
        raise ValueError(f"year {year} is outside the schedule's years ({span})")
    actuals = actuals or {}
    by_code = {r.code: r for r in records}
    has_sources = any(p.get("sources") for p in solution.get("projects", []))
    rows = [
        _row(item, by_code.get(str(item["id"])), year, actuals.get(str(item["id"]), {}), source_kinds or {})
        for item in solution.get("projects", [])
        if item.get("scheduled") and int((item.get("funding") or {}).get(str(year), 0) or 0) > 0
    ]
    order = [c for c in dict.fromkeys(r.category for r in records)]
    order += [c for c in dict.fromkeys(r.category for r in rows) if c not in order]
    groups = []
    for category in order:
        members = tuple(r for r in rows if r.category == category)
        if members:
            groups.append(PlanGroup(category, members, _sum(r.money for r in members)))
    total = _sum(g.subtotal for g in groups)
    unsplit = total.sources.get(UNSPLIT, 0) > 0
    return AnnualPlan(year, tuple(groups), total, has_sources, unsplit, has_sources and sources_illustrative)


def _sum(moneys: Any) -> Money:
    total = Money()
    for m in moneys:
        total = total.plus(m)
    return total


def _row(
    item: Mapping[str, Any], record: Any, year: int, actual: Mapping[int, int], kinds: Mapping[str, str]
) -> PlanRow:
    code = str(item["id"])
    funding = {int(y): int(v) for y, v in (item.get("funding") or {}).items()}
    earlier = sorted(y for y in set(funding) | set(actual) if y < year)
    done = int(getattr(record, "spent_wan", 0) or 0)
    done += sum(actual[y] if y in actual else funding.get(y, 0) for y in earlier)
    this_year = funding.get(year, 0)
    split: dict[str, int] = {}
    for source, amount in ((item.get("sources") or {}).get(str(year)) or {}).items():
        column = source_column(source, kinds.get(source))
        split[column] = split.get(column, 0) + int(amount)
    if sum(split.values()) < this_year:
        split[UNSPLIT] = this_year - sum(split.values())
    cost = getattr(record, "cost_wan", None)
    cost = int(cost) if cost is not None else done + sum(v for y, v in funding.items() if y >= year)
    planned_end = getattr(record, "planned_end", None)
    return PlanRow(
        code=code,
        name=getattr(record, "name", None) or code,
        category=getattr(record, "category", None) or UNCATEGORISED,
        nature=getattr(record, "nature", None),
        floor_area_m2=getattr(record, "floor_area_m2", None),
        start=int(item["start"]),
        end=int(item["end"]),
        unit=getattr(record, "responsible_unit", None),
        star=bool(getattr(record, "star", False)),
        late_years=max(0, int(item["end"]) - planned_end) if planned_end is not None else 0,
        planned_end=planned_end,
        cost_is_estimate=bool(getattr(record, "cost_is_estimate", False)),
        cost_basis=getattr(record, "cost_basis", None),
        actuals_used=any(y in actual for y in earlier),
        money=Money(cost, done, this_year, split, cost - done - this_year),
    )
