"""The solution of MODEL.md as frozen dataclasses, with its JSON form."""

from __future__ import annotations

from collections.abc import Iterable
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
    feasible (None when no amount of money helps, or when not computed). `phrases` are the same messages as
    keys and values (solver/messages.py), in the same order, for readers of other languages; a solution
    read from JSON written before they existed has none."""

    messages: tuple[str, ...] = ()
    shortfall: dict[int, int] | None = None
    phrases: tuple[Phrase, ...] = ()

    @classmethod
    def of(cls, phrases: Iterable[Phrase], shortfall: dict[int, int] | None = None) -> Diagnostics:
        """Diagnostics whose messages are the English of `phrases`."""
        phrases = tuple(phrases)
        return cls(tuple(p.text for p in phrases), shortfall, phrases)


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
                "message_keys": [p.to_json() for p in self.diagnostics.phrases],
                "shortfall": None if shortfall is None else {str(y): v for y, v in sorted(shortfall.items())},
            },
            **({"search": self.search.to_json()} if self.search is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Solution:
        """Read MODEL.md's solution JSON (as written by to_json). Raises ValueError on a malformed document."""
        try:
            diagnostics = data.get("diagnostics") or {}
            shortfall = diagnostics.get("shortfall")
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
                ),
                search=SearchReport.from_json(search) if search else None,
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
