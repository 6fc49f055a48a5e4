"""The solution of MODEL.md as frozen dataclasses, with its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    """One project's outcome. Scheduled: start..end with a draw for every year in it (`funding`, year → amount).
    Deferred: scheduled False, start/end/slippage None, no funding."""

    id: str
    scheduled: bool
    start: int | None
    end: int | None
    slippage: int | None
    funding: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class YearSpend:
    year: int
    budget: int
    spend: int


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """Why a problem is infeasible, in plain words; `shortfall` is the least extra money per year that makes it
    feasible (None when no amount of money helps, or when not computed)."""

    messages: tuple[str, ...] = ()
    shortfall: dict[int, int] | None = None


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

    def schedule(self, project_id: str) -> ProjectSchedule | None:
        for p in self.projects:
            if p.id == project_id:
                return p
        return None

    def to_json(self) -> dict[str, Any]:
        shortfall = self.diagnostics.shortfall
        return {
            "status": str(self.status),
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "projects": [
                {
                    "id": p.id,
                    "scheduled": p.scheduled,
                    "start": p.start,
                    "end": p.end,
                    "slippage": p.slippage,
                    "funding": {str(y): v for y, v in sorted(p.funding.items())},
                }
                for p in self.projects
            ],
            "years": [{"year": y.year, "budget": y.budget, "spend": y.spend} for y in self.years],
            "diagnostics": {
                "messages": list(self.diagnostics.messages),
                "shortfall": None if shortfall is None else {str(y): v for y, v in sorted(shortfall.items())},
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Solution:
        """Read MODEL.md's solution JSON (as written by to_json). Raises ValueError on a malformed document."""
        try:
            diagnostics = data.get("diagnostics") or {}
            shortfall = diagnostics.get("shortfall")
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
                ),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a MODEL.md solution: {exc!r}") from exc


def objective_of(problem: Problem, projects: Iterable[ProjectSchedule]) -> int:
    """MODEL.md's objective of a schedule: weighted slippage plus penalties of deferred projects."""
    total = 0
    for sched in projects:
        p = problem.project(sched.id)
        total += p.weight * (sched.slippage or 0) if sched.scheduled else p.defer_penalty
    return total
