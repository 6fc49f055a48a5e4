"""Turn a portfolio (project records) and scenario options into a solver.Problem (MODEL.md).

This is the one place where the planning rules live; the README's "From a project list to a
scheduling problem" section documents each of them. Pure: no database, works on any objects with
ProjectRecord's attribute names (imported records or database rows alike).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from solver import Problem, Project

PLAN_PERIOD_END = 2025  # the 14th Five-Year Plan ends in 2025: ★ = finished by then
UNDER_WAY_STATUSES = ("已开工", "在建", "续建")  # status/nature words meaning work has started
SMALL_WORKS_M2 = 3000  # below this floor area a project may be built within one year
STRETCH_YEARS = 3  # a site may take this many years longer than planned when money is short
STAR_WEIGHT = 2  # extra slippage weight of a ★ project
SEATS_PER_WEIGHT = 1000  # +1 weight per 1000 pupil places a project delivers

# The default scenario of the seed portfolio (see README "The default scenario").
DEFAULT_FIRST_YEAR = 2020
DEFAULT_LAST_YEAR = 2030
DEFAULT_FLAT_BUDGET_WAN = 12000
STAR_FLAT_BUDGET_WAN = 15000

_OVERRIDABLE = {f.name for f in fields(Project)} - {"id"}


class ProjectLike(Protocol):
    code: str
    name: str
    planned_start: int | None
    planned_end: int | None
    star: bool
    status: str | None
    nature: str | None
    floor_area_m2: float | None
    cost_wan: int | None
    spent_wan: int | None
    seats_added: int | None


class PlanningError(ValueError):
    """A project record cannot become part of a problem (e.g. no cost); names the project and field."""

    def __init__(self, code: str, field_name: str, message: str) -> None:
        super().__init__(f"{code}: {field_name}: {message}")
        self.code, self.field, self.message = code, field_name, message


@dataclass(frozen=True, slots=True)
class ScenarioOptions:
    """What a scenario adds to a portfolio: the horizon, the caps, and per-project overrides.

    `overrides` maps a project code to MODEL.md project fields that replace the derived ones,
    e.g. {"WX-09": {"deferrable": True, "defer_penalty": 50}} or {"WX-06": {"deadline": None}}.
    """

    first_year: int
    last_year: int
    budget: Mapping[int, int]
    carryover: bool = False
    star_deadline: int | None = PLAN_PERIOD_END
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def default_scenario_options() -> ScenarioOptions:
    """The seed portfolio's default scenario: 2020–2030 at a flat 12,000 万元 (1.2亿) a year, ★ soft.

    At 1.2亿 a year not every ★ project can finish by 2025 (the ★-on-time least budget is higher), so the
    default lets ★ projects slip, at a higher weight, to answer "with 1.2亿 a year, what slips?";
    `star_scenario_options()` is the plan's rule with ★ deadlines hard.
    """
    years = range(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR + 1)
    budget = dict.fromkeys(years, DEFAULT_FLAT_BUDGET_WAN)
    return ScenarioOptions(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR, budget, star_deadline=None)


def star_scenario_options() -> ScenarioOptions:
    """The seed's second scenario: every ★ project finished by 2025 (hard) at 15,000 万元 a year."""
    years = range(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR + 1)
    return ScenarioOptions(DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR, dict.fromkeys(years, STAR_FLAT_BUDGET_WAN))


def build_problem(records: Sequence[ProjectLike], options: ScenarioOptions) -> Problem:
    """The MODEL.md problem for these projects under these options. Finished projects are left out."""
    unknown = sorted(set(options.overrides) - {r.code for r in records})
    if unknown:
        raise PlanningError(unknown[0], "overrides", "no project with this code in the portfolio")
    projects = [
        _apply_overrides(derived, options.overrides.get(record.code, {}))
        for record in records
        if (derived := derive_project(record, options)) is not None
    ]
    return Problem(
        first_year=options.first_year,
        last_year=options.last_year,
        budget=dict(options.budget),
        projects=tuple(projects),
        carryover=options.carryover,
    )


def remaining_cost(record: ProjectLike) -> int:
    """Cost still to fund: estimated or approved cost minus what was already spent."""
    if record.cost_wan is None:
        raise PlanningError(record.code, "cost_wan", "missing: a project needs a cost to be scheduled")
    return record.cost_wan - (record.spent_wan or 0)


def derive_project(record: ProjectLike, options: ScenarioOptions) -> Project | None:
    """One project's MODEL.md fields from its record, by the documented rules; None if fully funded."""
    cost = remaining_cost(record)
    if cost <= 0:
        return None
    if record.planned_start is None or record.planned_end is None:
        missing = "planned_start" if record.planned_start is None else "planned_end"
        raise PlanningError(record.code, missing, "missing: a project needs planned years to be scheduled")
    planned_years = record.planned_end - record.planned_start + 1
    min_years = _min_years(planned_years, record.floor_area_m2)
    max_years = planned_years + STRETCH_YEARS
    start = max(record.planned_start, options.first_year)
    return Project(
        id=record.code,
        cost=cost,
        planned_end=record.planned_end,
        earliest_start=start,
        fixed_start=start if is_under_way(record) else None,
        min_years=min_years,
        max_years=max_years,
        min_annual=max(1, cost // (2 * max_years)),
        max_annual=math.ceil(cost / min_years),
        deadline=_deadline(record, options.star_deadline),
        weight=1 + STAR_WEIGHT * bool(record.star) + (record.seats_added or 0) // SEATS_PER_WEIGHT,
    )


def is_under_way(record: ProjectLike) -> bool:
    """Construction has started (已开工建设 / 续建): its start is fixed, not a decision."""
    words = f"{record.status or ''} {record.nature or ''}"
    return any(word in words for word in UNDER_WAY_STATUSES)


def _min_years(planned_years: int, floor_area_m2: float | None) -> int:
    """At most one year faster than planned; a real building (≥ 3000 m²) takes at least two years."""
    floor = 2 if (floor_area_m2 or 0) >= SMALL_WORKS_M2 else 1
    return min(planned_years, max(planned_years - 1, floor))


def _deadline(record: ProjectLike, star_deadline: int | None) -> int | None:
    """★ projects must finish within the plan period (never earlier than their own planned end)."""
    if not record.star or star_deadline is None:
        return None
    return max(star_deadline, record.planned_end or star_deadline)


def _apply_overrides(project: Project, override: Mapping[str, Any]) -> Project:
    bad = sorted(set(override) - _OVERRIDABLE)
    if bad:
        raise PlanningError(project.id, bad[0], "not a project field that a scenario can override")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in override.items()}
    return replace(project, **values)
