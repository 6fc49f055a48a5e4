"""The slippage report: per project and per responsible unit, how late and why.

Why a late project is late, decided from the forecast schedule by exact arguments (no re-solve):

- pace-bound: even alone, starting as early as it may, its own limits (fixed start, least duration,
  largest annual draw, cash-flow profile) end it no earlier than forecast — money cannot help;
- predecessor-bound: alone it could end earlier, but not after waiting for its predecessors' forecast
  ends — it is held by them (whose own reason the report shows);
- budget-bound: neither — with enough money (no cap binding) it could end by `earliest_end`, so the caps
  it shares with other projects hold it. More money would finish it earlier;
- source-bound (资金来源受限, MODEL.md v2): budget-bound, but it is a source's quota, not the total, that
  holds it. The test, on the forecast alone: take the years it waits — from the earliest year it could be
  drawing (its earliest start, after its predecessors' forecast ends) to its forecast end, the years in
  which it draws less than its largest annual draw (with a cash-flow profile: the years before its start).
  In none of them is the total cap used up, and in at least one every source it may still draw on (allowed
  for it, its own cap for that source not reached) has its quota used up. Room is counted as a schedule
  can use it: a year's cap less its spend, and with carryover the least room from that year on (money
  drawn earlier is gone later). More of those sources in those years would let it draw more, earlier; more
  total budget alone would not. The report names the sources and years.

Pure: takes a `solver.Problem`, the forecast `Solution`, optional baseline `Solution` and the project
records (names, units, ★); the CLI and the web service format the same report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from app.i18n import Listing, t
from app.rules.budgets import year_spans
from solver import Problem, Project, ProjectSchedule, Solution

NO_UNIT = "未填责任单位"


class Reason(StrEnum):
    ON_TIME = "on_time"
    BUDGET = "budget"
    PACE = "pace"
    PREDECESSOR = "predecessor"
    DEFERRED = "deferred"
    SOURCE = "source"


@dataclass(frozen=True, slots=True)
class ProjectSlippage:
    code: str
    name: str
    unit: str
    star: bool
    weight: int
    planned_end: int
    baseline_end: int | None
    forecast_start: int | None
    forecast_end: int | None
    years_late: int | None  # forecast end − planned end, at least 0; None when deferred
    late_vs_baseline: int | None  # forecast end − baseline end (may be negative)
    reason: Reason
    earliest_end: int  # the earliest end with enough money, given predecessors' forecast ends
    pace_end: int  # the earliest end of the project alone (its own limits only)
    held_by: tuple[str, ...] = ()  # predecessors whose forecast end holds it
    bound_sources: tuple[str, ...] = ()  # source-bound: the sources (their names) whose quotas hold it
    bound_years: tuple[int, ...] = ()  # source-bound: the years those quotas are used up while it waits

    def why(self, lang: str = "zh") -> str:
        return why_text(self, lang)


@dataclass(frozen=True, slots=True)
class UnitSlippage:
    unit: str
    projects: int
    late: int
    star_late: int
    deferred: int
    years_late: int
    weighted_slippage: int
    budget_bound: int
    pace_bound: int
    predecessor_bound: int
    source_bound: int = 0


@dataclass(frozen=True, slots=True)
class SlippageReport:
    projects: tuple[ProjectSlippage, ...]
    units: tuple[UnitSlippage, ...]
    has_baseline: bool
    has_sources: bool = False  # the problem has funding sources (MODEL.md v2): source-bound is possible


def least_duration(project: Project) -> int:
    """Fewest years the project can take: its profile, or its least duration and largest annual draw."""
    if project.profile is not None:
        return len(project.profile)
    return max(project.min_years_or_default(), math.ceil(project.cost / project.max_annual_or_default()))


def earliest_start(project: Project, problem: Problem) -> int:
    if project.fixed_start is not None:
        return project.fixed_start
    return max(project.earliest_start or problem.first_year, problem.first_year)


def slippage_report(
    problem: Problem,
    forecast: Solution,
    *,
    records: Sequence[Any] = (),
    baseline: Solution | None = None,
    source_names: Mapping[str, str] | None = None,
) -> SlippageReport:
    """Every project of `problem`: planned, baseline and forecast end, years late and why; then per unit.
    `source_names` names the sources of a v2 problem in the report (their ids otherwise)."""
    if not forecast.status.has_schedule:
        raise ValueError(f"the forecast has no schedule (status {forecast.status}): nothing to report")
    by_code = {r.code: r for r in records}
    schedules = {s.id: s for s in forecast.projects}
    baseline_ends = {s.id: s.end for s in baseline.projects} if baseline is not None else {}
    rooms = _Rooms.of(problem, forecast) if problem.sources else None
    rows = []
    for project in problem.projects:
        row = _project_row(
            problem, project, schedules, by_code.get(project.id), baseline_ends.get(project.id)
        )
        if row.reason is Reason.BUDGET and rooms is not None:
            row = _source_bound(row, project, schedules[project.id], rooms, source_names or {})
        rows.append(row)
    return SlippageReport(tuple(rows), _units(rows), baseline is not None, bool(problem.sources))


def room_left(caps: Sequence[int], spends: Sequence[int], carryover: bool) -> list[int]:
    """Per year, the most a schedule could still draw in that year without breaking the cap: cap − spend;
    with carryover the least cumulative slack from that year on (money drawn earlier is gone later)."""
    if not carryover:
        return [c - s for c, s in zip(caps, spends, strict=True)]
    slack, total = [], 0
    for c, s in zip(caps, spends, strict=True):
        total += c - s
        slack.append(total)
    rooms, least = [0] * len(slack), None
    for i in range(len(slack) - 1, -1, -1):
        least = slack[i] if least is None else min(least, slack[i])
        rooms[i] = least
    return rooms


@dataclass(frozen=True, slots=True)
class _Rooms:
    """Room left in the forecast: total per year, and per source and year."""

    first_year: int
    total: Mapping[int, int]
    sources: Mapping[str, Mapping[int, int]]

    @classmethod
    def of(cls, problem: Problem, forecast: Solution) -> _Rooms:
        years = list(range(problem.first_year, problem.last_year + 1))
        spend = {y.year: y.spend for y in forecast.years}
        total = room_left(
            [problem.budget[y] for y in years], [spend.get(y, 0) for y in years], problem.carryover
        )
        drawn: dict[str, dict[int, int]] = {}
        for entry in forecast.source_years:
            drawn.setdefault(entry.source, {})[entry.year] = entry.spend
        sources = {}
        for source in problem.sources:
            by_year = drawn.get(source.id, {})
            room = room_left(
                [source.budget[y] for y in years], [by_year.get(y, 0) for y in years], source.carryover
            )
            sources[source.id] = dict(zip(years, room, strict=True))
        return cls(problem.first_year, dict(zip(years, total, strict=True)), sources)


def _waiting_years(project: Project, schedule: ProjectSchedule, row: ProjectSlippage) -> list[int]:
    """The years the project could have drawn more: from the earliest it could draw to its forecast end,
    those below its largest annual draw (a profile: the years before its start)."""
    first = row.earliest_end - least_duration(project) + 1
    if project.profile is not None:
        return list(range(first, schedule.start))
    most = project.max_annual_or_default()
    return [y for y in range(first, schedule.end + 1) if schedule.funding.get(y, 0) < most]


def _usable_sources(project: Project, schedule: ProjectSchedule, all_sources: Sequence[str]) -> list[str]:
    """The sources the project may still draw on: allowed for it, its own cap for that source not reached."""
    if project.funding is None:
        return list(all_sources)
    drawn: dict[str, int] = {}
    for split in schedule.sources.values():
        for source, amount in split.items():
            drawn[source] = drawn.get(source, 0) + amount
    return [f.source for f in project.funding if f.max is None or drawn.get(f.source, 0) < f.max]


def _source_bound(
    row: ProjectSlippage,
    project: Project,
    schedule: ProjectSchedule,
    rooms: _Rooms,
    names: Mapping[str, str],
) -> ProjectSlippage:
    """The row as source-bound when its sources' quotas, not the total cap, hold it (module docstring)."""
    years = [y for y in _waiting_years(project, schedule, row) if y in rooms.total]
    if not years or any(rooms.total[y] <= 0 for y in years):
        return row
    usable = _usable_sources(project, schedule, list(rooms.sources))
    full_years = [y for y in years if usable and all(rooms.sources[k][y] <= 0 for k in usable)]
    if not full_years:
        return row
    bound = [k for k in usable if any(rooms.sources[k][y] <= 0 for y in full_years)]
    return replace(
        row,
        reason=Reason.SOURCE,
        bound_sources=tuple(names.get(k, k) for k in bound),
        bound_years=tuple(full_years),
    )


def _project_row(
    problem: Problem,
    project: Project,
    schedules: Mapping[str, ProjectSchedule],
    record: Any | None,
    baseline_end: int | None,
) -> ProjectSlippage:
    schedule = schedules.get(project.id)
    duration = least_duration(project)
    start0 = earliest_start(project, problem)
    pace_end = start0 + duration - 1
    ready = (
        max((schedules[q].end or 0) + 1 for q in project.after if q in schedules and schedules[q].scheduled)
        if project.after
        else start0
    )
    earliest_end = max(start0, ready) + duration - 1
    scheduled = schedule is not None and schedule.scheduled
    end = schedule.end if scheduled else None
    held_by: tuple[str, ...] = ()
    if not scheduled:
        reason = Reason.DEFERRED
    elif end <= project.planned_end:
        reason = Reason.ON_TIME
    elif pace_end >= end:
        reason = Reason.PACE
    elif earliest_end >= end:
        reason = Reason.PREDECESSOR
        held_by = tuple(q for q in project.after if (schedules[q].end or 0) + duration >= end)
    else:
        reason = Reason.BUDGET
    star = bool(getattr(record, "star", project.deadline is not None))
    return ProjectSlippage(
        code=project.id,
        name=getattr(record, "name", project.id),
        unit=(getattr(record, "responsible_unit", None) or NO_UNIT),
        star=star,
        weight=project.weight,
        planned_end=project.planned_end,
        baseline_end=baseline_end,
        forecast_start=schedule.start if scheduled else None,
        forecast_end=end,
        years_late=max(0, end - project.planned_end) if end is not None else None,
        late_vs_baseline=end - baseline_end if end is not None and baseline_end is not None else None,
        reason=reason,
        earliest_end=earliest_end,
        pace_end=pace_end,
        held_by=held_by,
    )


def _units(rows: Sequence[ProjectSlippage]) -> tuple[UnitSlippage, ...]:
    groups: dict[str, list[ProjectSlippage]] = {}
    for row in rows:
        groups.setdefault(row.unit, []).append(row)
    units = []
    for unit, members in groups.items():
        late = [r for r in members if (r.years_late or 0) > 0]
        units.append(
            UnitSlippage(
                unit=unit,
                projects=len(members),
                late=len(late),
                star_late=sum(r.star for r in late),
                deferred=sum(r.reason is Reason.DEFERRED for r in members),
                years_late=sum(r.years_late for r in late),
                weighted_slippage=sum(r.weight * r.years_late for r in late),
                budget_bound=sum(r.reason is Reason.BUDGET for r in members),
                pace_bound=sum(r.reason is Reason.PACE for r in members),
                predecessor_bound=sum(r.reason is Reason.PREDECESSOR for r in members),
                source_bound=sum(r.reason is Reason.SOURCE for r in members),
            )
        )
    return tuple(sorted(units, key=lambda u: (-u.weighted_slippage, -u.late, u.unit)))


# ── words ─────────────────────────────────────────────────────────────────────────────────────────


def reason_label(reason: Reason, lang: str = "zh") -> str:
    return t(f"reason_{reason}", lang)


def why_text(row: ProjectSlippage, lang: str = "zh") -> str:
    return t(
        f"why_{row.reason}",
        lang,
        planned=row.planned_end,
        earliest=row.earliest_end,
        end=row.forecast_end,
        pace=row.pace_end,
        held=Listing(row.held_by).render(lang),
        sources=Listing(row.bound_sources).render(lang),
        years=year_spans(row.bound_years),
    )
