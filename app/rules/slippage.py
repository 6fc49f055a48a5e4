"""The slippage report: per project and per responsible unit, how late and why.

Why a late project is late, decided from the forecast schedule by exact arguments (no re-solve):

- pace-bound: even alone, starting as early as it may, its own limits (fixed start, least duration,
  largest annual draw, cash-flow profile) end it no earlier than forecast — money cannot help;
- predecessor-bound: alone it could end earlier, but not after waiting for its predecessors' forecast
  ends — it is held by them (whose own reason the report shows);
- budget-bound: neither — with enough money (no cap binding) it could end by `earliest_end`, so the caps
  it shares with other projects hold it. More money would finish it earlier.

Pure: takes a `solver.Problem`, the forecast `Solution`, optional baseline `Solution` and the project
records (names, units, ★); the CLI and the web service format the same report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.i18n import Listing, t
from solver import Problem, Project, ProjectSchedule, Solution

NO_UNIT = "未填责任单位"


class Reason(StrEnum):
    ON_TIME = "on_time"
    BUDGET = "budget"
    PACE = "pace"
    PREDECESSOR = "predecessor"
    DEFERRED = "deferred"


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


@dataclass(frozen=True, slots=True)
class SlippageReport:
    projects: tuple[ProjectSlippage, ...]
    units: tuple[UnitSlippage, ...]
    has_baseline: bool


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
) -> SlippageReport:
    """Every project of `problem`: planned, baseline and forecast end, years late and why; then per unit."""
    if not forecast.status.has_schedule:
        raise ValueError(f"the forecast has no schedule (status {forecast.status}): nothing to report")
    by_code = {r.code: r for r in records}
    schedules = {s.id: s for s in forecast.projects}
    baseline_ends = {s.id: s.end for s in baseline.projects} if baseline is not None else {}
    rows = tuple(
        _project_row(problem, p, schedules, by_code.get(p.id), baseline_ends.get(p.id))
        for p in problem.projects
    )
    return SlippageReport(rows, _units(rows), baseline is not None)


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
    )
