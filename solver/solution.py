"""The solution of MODEL.md as frozen dataclasses, with its JSON form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from solver.messages import Phrase

if TYPE_CHECKING:
    from solver.problem import Problem


class SolveStatus(StrEnum):
    """MODEL.md statuses. OPTIMAL: proven minimal; FEASIBLE: valid, not proven; INFEASIBLE: proven that no
    schedule exists; UNKNOWN: no schedule found in the time allowed."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"

    @property
    def has_schedule(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True, slots=True)
class ProjectSchedule:
    """One project's outcome. Scheduled: start..end with a draw for every year in it (`funding`, year → amount)
    and, in a v2 problem, each year's draw split by funding source (`sources`, year → source → amount, only
    non-zero amounts; empty in v1). Deferred: scheduled False, start/end/slippage None, no funding."""

    id: str
    scheduled: bool
    start: int | None
    end: int | None
    slippage: int | None
    funding: dict[int, int] = field(default_factory=dict)
    sources: Mapping[int, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class YearSpend:
    year: int
    budget: int
    spend: int


@dataclass(frozen=True, slots=True)
class SourceYearSpend:
    """MODEL.md v2: one funding source's cap S_{k,t} in a year and what the schedule draws from it."""

    source: str
    year: int
    budget: int
    spend: int


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """Why a problem is infeasible, in plain words; `shortfall` is the least extra money per year that makes it
    feasible (None when no amount of money helps, or when not computed). `phrases` are the same messages as
    keys and values (solver/messages.py), in the same order, for readers of other languages; a solution
    read from JSON written before they existed has none. v2: `source_shortfall` is the extra per source and
    year in the same least solution (source → year → amount, only non-zero amounts; None with `shortfall`
    None, and in v1)."""

    messages: tuple[str, ...] = ()
    shortfall: dict[int, int] | None = None
    phrases: tuple[Phrase, ...] = ()
    source_shortfall: dict[str, dict[int, int]] | None = None

    @classmethod
    def of(
        cls,
        phrases: Iterable[Phrase],
        shortfall: dict[int, int] | None = None,
        source_shortfall: dict[str, dict[int, int]] | None = None,
    ) -> Diagnostics:
        """Diagnostics whose messages are the English of `phrases`."""
        phrases = tuple(phrases)
        return cls(tuple(p.text for p in phrases), shortfall, phrases, source_shortfall)


@dataclass(frozen=True, slots=True)
class SearchReport:
    """How an answer was searched: the strategy `solve` chose (solver/params.py Strategy), the engines
    that ran ("cp-sat", "highs", "neighbourhoods", "lp"), which one gave the reported bound, and for the
    neighbourhood search its lanes (neighbourhoods re-planned at once) and how many re-plans it made."""

    strategy: str
    engines: tuple[str, ...] = ()
    bound_source: str | None = None
    lanes: int = 0
    replans: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "engines": list(self.engines),
            "bound_source": self.bound_source,
            "lanes": self.lanes,
            "replans": self.replans,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchReport:
        return cls(
            str(data["strategy"]),
            tuple(data.get("engines") or ()),
            data.get("bound_source"),
            int(data.get("lanes") or 0),
            int(data.get("replans") or 0),
        )


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported on each improving solution: seconds since the start, its objective, the best bound so far."""

    elapsed: float
    objective: int | None
    bound: int | None


@dataclass(frozen=True, slots=True)
class Solution:
    status: SolveStatus
    objective: int | None
    bound: int | None
    solve_seconds: float
    projects: tuple[ProjectSchedule, ...] = ()
    years: tuple[YearSpend, ...] = ()
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    search: SearchReport | None = None
    source_years: tuple[SourceYearSpend, ...] = ()  # MODEL.md v2: one per source and year; empty in v1

    def schedule(self, project_id: str) -> ProjectSchedule | None:
        for p in self.projects:
            if p.id == project_id:
                return p
        return None

    @property
    def has_sources(self) -> bool:
        """Whether this answers a v2 problem (one with funding sources): then the v2 fields are written."""
        return bool(self.source_years)

    def to_json(self) -> dict[str, Any]:
        """MODEL.md's JSON; the v2 fields (`sources`, `source_years`, `diagnostics.source_shortfall`) only
        for a problem with sources, so a v1 answer has exactly v1's keys."""
        shortfall = self.diagnostics.shortfall
        v2 = self.has_sources
        diagnostics: dict[str, Any] = {
            "messages": list(self.diagnostics.messages),
            "message_keys": [p.to_json() for p in self.diagnostics.phrases],
            "shortfall": None if shortfall is None else {str(y): v for y, v in sorted(shortfall.items())},
        }
        if v2:
            by_source = self.diagnostics.source_shortfall
            diagnostics["source_shortfall"] = (
                None
                if by_source is None
                else {k: {str(y): v for y, v in sorted(years.items())} for k, years in by_source.items()}
            )
        data: dict[str, Any] = {
            "status": str(self.status),
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "projects": [_schedule_json(p, v2) for p in self.projects],
            "years": [{"year": y.year, "budget": y.budget, "spend": y.spend} for y in self.years],
        }
        if v2:
            data["source_years"] = [
                {"source": s.source, "year": s.year, "budget": s.budget, "spend": s.spend}
                for s in self.source_years
            ]
        data["diagnostics"] = diagnostics
        if self.search is not None:
            data["search"] = self.search.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Solution:
        """Read MODEL.md's solution JSON (as written by to_json). Raises ValueError on a malformed document."""
        try:
            diagnostics = data.get("diagnostics") or {}
            shortfall = diagnostics.get("shortfall")
            by_source = diagnostics.get("source_shortfall")
            search = data.get("search")
            return cls(
                status=SolveStatus(data["status"]),
                objective=data.get("objective"),
                bound=data.get("bound"),
                solve_seconds=float(data.get("solve_seconds") or 0.0),
                projects=tuple(
                    ProjectSchedule(
                        id=p["id"],
                        scheduled=bool(p["scheduled"]),
                        start=p.get("start"),
                        end=p.get("end"),
                        slippage=p.get("slippage"),
                        funding={int(y): int(v) for y, v in (p.get("funding") or {}).items()},
                        sources={
                            int(y): {str(k): int(v) for k, v in split.items()}
                            for y, split in (p.get("sources") or {}).items()
                        },
                    )
                    for p in data.get("projects") or []
                ),
                years=tuple(
                    YearSpend(int(y["year"]), int(y["budget"]), int(y["spend"]))
                    for y in data.get("years") or []
                ),
                diagnostics=Diagnostics(
                    messages=tuple(diagnostics.get("messages") or ()),
                    shortfall=None if shortfall is None else {int(y): int(v) for y, v in shortfall.items()},
                    phrases=tuple(Phrase.from_json(p) for p in diagnostics.get("message_keys") or ()),
                    source_shortfall=None
                    if by_source is None
                    else {
                        str(k): {int(y): int(v) for y, v in years.items()} for k, years in by_source.items()
                    },
                ),
                search=SearchReport.from_json(search) if search else None,
                source_years=tuple(
                    SourceYearSpend(str(s["source"]), int(s["year"]), int(s["budget"]), int(s["spend"]))
                    for s in data.get("source_years") or []
                ),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a MODEL.md solution: {exc!r}") from exc


def _schedule_json(p: ProjectSchedule, v2: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": p.id,
        "scheduled": p.scheduled,
        "start": p.start,
        "end": p.end,
        "slippage": p.slippage,
        "funding": {str(y): v for y, v in sorted(p.funding.items())},
    }
    if v2:
        data["sources"] = {
            str(y): {k: v for k, v in split.items() if v}
            for y, split in sorted(p.sources.items())
            if any(split.values())
        }
    return data


def objective_of(problem: Problem, projects: Iterable[ProjectSchedule]) -> int:
    """MODEL.md's objective of a schedule: weighted slippage plus penalties of deferred projects."""
    total = 0
    for sched in projects:
        p = problem.project(sched.id)
        total += p.weight * (sched.slippage or 0) if sched.scheduled else p.defer_penalty
    return total
