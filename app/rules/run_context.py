"""What a run knows beyond MODEL.md's Solution, for its charts and files: the funding sources it solved with
(names, kinds, whether their quotas are illustrative) and what it minimised (weighted slippage or
seat-years, with the places each project counted for). A saved solution without them (the CLI's, an old
run's) gets the empty context: v1, weighted slippage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.rules.seats import Objective, SeatCount


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A funding source as a run keeps it (`id` is the problem's source id, the source's code)."""

    id: str
    name: str
    kind: str = "other"
    carryover: bool = False
    illustrative: bool = False
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class RunContext:
    sources: tuple[SourceInfo, ...] = ()
    objective: Objective = Objective.WEIGHTED
    seats: SeatCount | None = None

    @property
    def illustrative(self) -> bool:
        """Some source's quotas are illustrative (示意): every chart and file showing them says so."""
        return any(s.illustrative for s in self.sources)

    def name_of(self, source_id: str) -> str:
        """The source's name (its id when the run does not know it)."""
        return next((s.name for s in self.sources if s.id == source_id), source_id)

    def kind_of(self, source_id: str) -> str | None:
        return next((s.kind for s in self.sources if s.id == source_id), None)

    def source_ids(self, solution: Mapping[str, Any]) -> list[str]:
        """The sources of a solution in the run's order, then any other the solution names."""
        ids = [s.id for s in self.sources]
        for entry in solution.get("source_years") or []:
            if entry["source"] not in ids:
                ids.append(entry["source"])
        return ids

    @classmethod
    def of(cls, sources: Sequence[Mapping[str, Any]] | None, seats: Mapping[str, Any] | None) -> RunContext:
        """From a run's stored `sources` and `seats` columns."""
        infos = tuple(
            SourceInfo(
                id=str(s["id"]),
                name=str(s.get("name") or s["id"]),
                kind=str(s.get("kind") or "other"),
                carryover=bool(s.get("carryover")),
                illustrative=bool(s.get("illustrative")),
                basis=s.get("basis"),
            )
            for s in sources or []
        )
        objective = Objective((seats or {}).get("objective", Objective.WEIGHTED))
        count = SeatCount.from_json(seats) if seats and "seats" in seats else None
        return cls(infos, objective, count)


NO_CONTEXT = RunContext()


def source_table(solution: Mapping[str, Any]) -> dict[str, dict[int, tuple[int, int]]]:
    """source id → year → (quota, spend), from the solution's `source_years`."""
    table: dict[str, dict[int, tuple[int, int]]] = {}
    for entry in solution.get("source_years") or []:
        table.setdefault(str(entry["source"]), {})[int(entry["year"])] = (
            int(entry["budget"]),
            int(entry.get("spend") or 0),
        )
    return table
