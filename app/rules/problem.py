"""Turn a portfolio (project records) and scenario options into a solver.Problem (MODEL.md).

This is the one place where the planning rules live; the README's "From a project list to a
scheduling problem" section documents each of them. Pure: no database, works on any objects with
ProjectRecord's attribute names (imported records or database rows alike).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from app.i18n import Field, Listing, Message, render
from app.rules.funding import FundingRule, FundingRuleError, SourcePlan, project_funding
from app.rules.seats import DEFAULT_SEATS, Objective, seats_of
from solver import Problem, Project
from solver.problem import Funding, Source

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
    category: str
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
    """A project record cannot become part of a problem (e.g. no cost); names the project and field.

    `str()` and `message` (the reason alone) are English; `reason` is the reason as given (a Message),
    `text` the whole sentence as a Message, and `render(lang)` writes it in the reader's language.
    """

    def __init__(self, code: str, field_name: str, message: str | Message) -> None:
        super().__init__(f"{code}: {field_name}: {message}")
        self.code, self.field, self.message, self.reason = code, field_name, str(message), message
        key = "planning_error_scenario" if code == "scenario" else "planning_error"
        self.text = Message(key, code=code, field=Field(field_name), message=message)

    def render(self, lang: str = "zh") -> str:
        return render(self.text, lang)


@dataclass(frozen=True, slots=True)
class ScenarioOptions:
    """What a scenario adds to a portfolio: the horizon, the caps, and per-project overrides.

    `overrides` maps a project code to MODEL.md project fields that replace the derived ones,
    e.g. {"WX-09": {"deferrable": True, "defer_penalty": 50}} or {"WX-06": {"deadline": None}}.
    With `sources` (each with its quota in this scenario) the problem is MODEL.md v2: each project's
    `funding` comes from `funding_rules` (app/rules/funding.py). `objective` chooses the slippage weights
    (app/rules/seats.py): weighted slippage, or seat-years with `default_seats` for unstated places.
    """

    first_year: int
    last_year: int
    budget: Mapping[int, int]
    carryover: bool = False
    star_deadline: int | None = PLAN_PERIOD_END
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    replan_from: int | None = None  # re-plan: years before it are frozen at the actuals (see `replan`)
    sources: tuple[SourcePlan, ...] = ()  # issue 15: funding sources and their quotas (v2 when any)
    funding_rules: tuple[FundingRule, ...] = ()
    objective: Objective = Objective.WEIGHTED
    default_seats: int = DEFAULT_SEATS


# Money really spent, per project code and year (万元): {"WX-06": {2022: 700, 2023: 500}}.
Actuals = Mapping[str, Mapping[int, int]]


@dataclass(frozen=True, slots=True)
class Replan:
    """A re-plan from year `replan_from`: the problem over the remaining years and remaining costs, the
    frozen past (actual spend per project and year before it) and the projects flagged as unable to meet
    their deadline at their actual pace."""

    problem: Problem
    replan_from: int
    past: Mapping[str, Mapping[int, int]]
    messages: tuple[str, ...]
    planned_ends: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[Message, ...] = ()  # `messages` as Messages, for readers of either language


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


def build_problem(
    records: Sequence[ProjectLike], options: ScenarioOptions, actuals: Actuals | None = None
) -> Problem:
    """The MODEL.md problem for these projects under these options. Finished projects are left out.
    With `options.replan_from`, the re-plan's problem (see `replan`); otherwise `actuals` are not used."""
    if options.replan_from is not None:
        return replan(records, options, actuals or {}).problem
    _check_overrides(records, options)
    projects = [
        _apply_overrides(_with_funding(derived, record, options), options.overrides.get(record.code, {}))
        for record in records
        if (derived := derive_project(record, options)) is not None
    ]
    return Problem(
        first_year=options.first_year,
        last_year=options.last_year,
        budget=dict(options.budget),
        projects=tuple(projects),
        carryover=options.carryover,
        sources=_sources(options),
    )


def paid_in_full(records: Sequence[ProjectLike]) -> tuple[Message, ...]:
    """The projects `build_problem` leaves out because `spent_wan` already pays their cost, each named
    (a run never drops a project silently)."""
    flags = []
    for record in records:
        if record.cost_wan is not None and remaining_cost(record) <= 0:
            key = "run_overspent" if (record.spent_wan or 0) > record.cost_wan else "run_paid_in_full"
            flags.append(Message(key, code=record.code, spent=record.spent_wan, cost=record.cost_wan))
    return tuple(flags)


def _sources(options: ScenarioOptions) -> tuple[Source, ...]:
    """The scenario's sources over its horizon (a re-plan's from its first year on)."""
    years = range(options.first_year, options.last_year + 1)
    return tuple(
        Source(id=s.code, budget={y: s.budget[y] for y in years if y in s.budget}, carryover=s.carryover)
        for s in options.sources
    )


def _with_funding(project: Project, record: ProjectLike, options: ScenarioOptions) -> Project:
    """The project with its v2 `funding` limits from the rules (none without sources)."""
    if not options.sources:
        return project
    codes = [s.code for s in options.sources]
    try:
        funding = project_funding(record.code, record.category, project.cost, codes, options.funding_rules)
    except FundingRuleError as err:
        raise PlanningError(record.code, err.field, err.reason) from err
    return replace(project, funding=funding)


def _check_overrides(records: Sequence[ProjectLike], options: ScenarioOptions) -> None:
    unknown = sorted(set(options.overrides) - {r.code for r in records})
    if unknown:
        raise PlanningError(unknown[0], "overrides", Message("override_unknown_code"))


def replan(records: Sequence[ProjectLike], options: ScenarioOptions, actuals: Actuals) -> Replan:
    """Re-plan from year Y = `options.replan_from`: the years before Y are frozen at the actuals and only
    what is left is scheduled, over Y..last_year at the caps of those years.

    - money spent = Σ actuals before Y when the project has any actual before Y, else `spent_wan`;
      cost to schedule = cost − money spent (a project fully paid is left out);
    - a project with actual spending before Y is under way: its start is fixed at Y, it needs one year
      less per year already worked (at least one), and its site's pace stays ⌈cost / min_years⌉ of the
      whole cost;
    - a project that cannot finish by its deadline (or, without one, its planned end) even drawing its
      largest annual amount from Y is flagged in `messages`; a hard deadline it cannot meet is lifted
      for the re-plan (it slips at its weight) so the rest can still be planned;
    - no project is left out silently: one paid in full (or overspent), and actuals counted but not drawn
      (before the scenario's first year) or not used (from Y on), are each named in `messages`.
    """
    year = options.replan_from
    if year is None or not options.first_year <= year <= options.last_year:
        raise PlanningError(
            "scenario",
            "replan_from",
            Message("replan_outside_years", year=year, first=options.first_year, last=options.last_year),
        )
    _check_overrides(records, options)
    remaining = replace(
        options,
        first_year=year,
        budget={y: cap for y, cap in options.budget.items() if y >= year},
        replan_from=None,
    )
    projects, past, flags, continued = [], {}, [], []
    for record in records:
        recorded = actuals.get(record.code) or {}
        before = {y: v for y, v in recorded.items() if y < year}
        flags += _outside_flags(record.code, recorded, options, year)
        spent_past = {y: v for y, v in sorted(before.items()) if v > 0 and y >= options.first_year}
        if spent_past:
            past[record.code] = spent_past
        spent = sum(before.values()) if before else (record.spent_wan or 0)
        derived = derive_project(record, remaining, spent=spent)
        if derived is None:  # paid in full before Y: named, not silently left out
            flags.append(_paid_flag(record, spent, year))
            continue
        if spent_past:
            derived = _under_way_from(derived, record, year, len(spent_past))
            continued.append(
                Message("replan_continued_one", code=record.code, spent=spent, left=derived.cost)
            )
        derived, flag = _check_pace(derived, record, year, spent)
        if flag is not None:
            flags.append(flag)
        derived = _with_funding(derived, record, remaining)
        projects.append(_apply_overrides(derived, options.overrides.get(record.code, {})))
    if continued:  # changed by the actuals: started, and only what is left to fund
        flags.append(
            Message("replan_continued", last_year=year - 1, year=year, projects=Listing(tuple(continued)))
        )
    problem = Problem(
        first_year=year,
        last_year=options.last_year,
        budget=dict(remaining.budget),
        projects=tuple(projects),
        carryover=options.carryover,
        sources=_sources(remaining),
    )
    planned_ends = {r.code: r.planned_end for r in records if r.planned_end is not None}
    messages = tuple(str(flag) for flag in flags)
    return Replan(problem, year, past, messages, planned_ends, tuple(flags))


def _outside_flags(
    code: str, recorded: Mapping[int, int], options: ScenarioOptions, year: int
) -> list[Message]:
    """Actuals a re-plan counts but does not draw (before the scenario's years) or does not use (from Y on)."""
    flags = []
    early = sorted(y for y, v in recorded.items() if y < options.first_year and v)
    if early:
        flags.append(
            Message(
                "replan_actuals_before_years",
                code=code,
                years=Listing(tuple(str(y) for y in early)),
                first=options.first_year,
                last=options.last_year,
            )
        )
    late = sorted(y for y, v in recorded.items() if y >= year and v)
    if late:
        flags.append(
            Message(
                "replan_actuals_not_used", code=code, years=Listing(tuple(str(y) for y in late)), year=year
            )
        )
    return flags


def _paid_flag(record: ProjectLike, spent: int, year: int) -> Message:
    key = (
        "replan_overspent"
        if record.cost_wan is not None and spent > record.cost_wan
        else "replan_paid_in_full"
    )
    return Message(key, code=record.code, spent=spent, cost=record.cost_wan, last_year=year - 1)


def _under_way_from(project: Project, record: ProjectLike, year: int, years_worked: int) -> Project:
    """A project with money spent before `year`: it continues at `year`, at its site's full-cost pace."""
    planned_years = record.planned_end - record.planned_start + 1
    full_min_years = _min_years(planned_years, record.floor_area_m2)
    min_years = max(1, full_min_years - years_worked)
    max_years = max(min_years, planned_years + STRETCH_YEARS)
    max_annual = max(project.max_annual or 1, math.ceil(record.cost_wan / full_min_years))
    return replace(
        project,
        earliest_start=year,
        fixed_start=year,
        min_years=min_years,
        max_years=max_years,
        max_annual=max_annual,
        min_annual=min(max_annual, max(1, project.cost // (2 * max_years))),
    )


def _check_pace(
    project: Project, record: ProjectLike, year: int, spent: int
) -> tuple[Project, Message | None]:
    """The project, with a hard deadline lifted if its pace cannot meet it, and the flag (or None)."""
    start = project.fixed_start or project.earliest_start or year
    years_needed = max(project.min_years or 1, math.ceil(project.cost / (project.max_annual or project.cost)))
    earliest_end = start + years_needed - 1
    target = project.deadline if project.deadline is not None else project.planned_end
    if earliest_end <= target:
        return project, None
    flag = Message(
        "replan_too_slow",
        code=project.id,
        spent=spent,
        cost=record.cost_wan,
        last_year=year - 1,
        max_annual=project.max_annual,
        target=target,
        earliest=earliest_end,
    )
    if project.deadline is not None:
        return replace(project, deadline=None), Message("replan_deadline_lifted", flag=flag)
    return project, flag


def merge_past(solution: Mapping[str, Any], plan: Replan, past_caps: Mapping[int, int]) -> dict[str, Any]:
    """The re-plan's solution (MODEL.md JSON over Y..last) with the frozen past put back: each project's
    actual spend before Y in its funding (and start), projects finished before Y listed with their past,
    the past years' caps and actual spend, and the re-plan's flags first among the messages."""
    merged = dict(solution)
    if not solution.get("projects") and solution.get("status") not in ("OPTIMAL", "FEASIBLE"):
        merged["diagnostics"] = _with_messages(solution, plan.messages)
        return merged
    by_id = {}
    for item in solution.get("projects", []):
        past = plan.past.get(item["id"], {})
        funding = {**{str(y): v for y, v in past.items()}, **item.get("funding", {})}
        start = min(past) if past and item.get("scheduled") else item.get("start")
        by_id[item["id"]] = {**item, "start": start, "funding": funding}
    planned_ends = plan.planned_ends
    for code, past in plan.past.items():
        if code not in by_id:  # paid in full before Y
            by_id[code] = {
                "id": code,
                "scheduled": True,
                "start": min(past),
                "end": max(past),
                "slippage": max(0, max(past) - planned_ends.get(code, max(past))),
                "funding": {str(y): v for y, v in past.items()},
            }
    spend = {y: 0 for y in past_caps}
    for past in plan.past.values():
        for y, v in past.items():
            spend[y] = spend.get(y, 0) + v
    past_years = [{"year": y, "budget": past_caps.get(y, 0), "spend": spend[y]} for y in sorted(spend)]
    merged["projects"] = list(by_id.values())
    merged["years"] = past_years + list(solution.get("years", []))
    merged["diagnostics"] = _with_messages(solution, plan.messages)
    return merged


def _with_messages(solution: Mapping[str, Any], messages: Sequence[str]) -> dict[str, Any]:
    diagnostics = dict(solution.get("diagnostics") or {})
    diagnostics["messages"] = [*messages, *(diagnostics.get("messages") or [])]
    diagnostics.setdefault("shortfall", None)
    return diagnostics


def remaining_cost(record: ProjectLike) -> int:
    """Cost still to fund: estimated or approved cost minus what was already spent."""
    return _cost(record) - (record.spent_wan or 0)


def _cost(record: ProjectLike) -> int:
    if record.cost_wan is None:
        raise PlanningError(record.code, "cost_wan", Message("cost_missing_for_schedule"))
    return record.cost_wan


def derive_project(
    record: ProjectLike, options: ScenarioOptions, *, spent: int | None = None
) -> Project | None:
    """One project's MODEL.md fields from its record, by the documented rules; None if fully funded.
    `spent` replaces the record's `spent_wan` (a re-plan counts the actuals instead)."""
    cost = remaining_cost(record) if spent is None else _cost(record) - spent
    if cost <= 0:
        return None
    if record.planned_start is None or record.planned_end is None:
        missing = "planned_start" if record.planned_start is None else "planned_end"
        raise PlanningError(record.code, missing, Message("years_missing_for_schedule"))
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
        weight=slippage_weight(record, options),
    )


def slippage_weight(record: ProjectLike, options: ScenarioOptions) -> int:
    """What a year of slippage costs: 1 + 2·★ + ⌊places / 1000⌋ (weighted slippage), or the places the
    project adds, the scenario's default where it states none (seat-years)."""
    if options.objective == Objective.SEAT_YEARS:
        return seats_of(record, options.default_seats)[0]
    return 1 + STAR_WEIGHT * bool(record.star) + (record.seats_added or 0) // SEATS_PER_WEIGHT


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
        raise PlanningError(project.id, bad[0], Message("override_not_a_field"))
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in override.items()}
    if values.get("funding") is not None:  # MODEL.md JSON: [{"source", "min", "max"}]
        values["funding"] = tuple(_funding_override(project.id, item) for item in values["funding"])
    return replace(project, **values)


def _funding_override(code: str, item: Any) -> Funding:
    if isinstance(item, Funding):
        return item
    if not isinstance(item, Mapping) or "source" not in item or set(item) - {"source", "min", "max"}:
        raise PlanningError(code, "funding", Message("override_funding_shape"))
    return Funding(source=item["source"], min=item.get("min", 0), max=item.get("max"))


def star_ids_of(problem: Problem, stars: Collection[str] | None = None) -> frozenset[str]:
    """★ projects: as given (from the records), else the projects that carry a deadline."""
    if stars is not None:
        return frozenset(stars) & {p.id for p in problem.projects}
    return frozenset(p.id for p in problem.projects if p.deadline is not None)
