"""Pupil places as the value of time (学位·年): what a year of slippage costs when counted in places.

A scenario chooses what its runs minimise (`Objective`): the default weighted slippage (weight 1 + 2·★ +
⌊places / 1000⌋ per year late, app/rules/problem.py), or **seat-years**: each year a project slips costs
the pupil places it adds (`seats_added`), so money goes first where pupils wait. A project that states no
places (blank or 0) counts as the scenario's `default_seats` (DEFAULT_SEATS unless the scenario says
otherwise), and the run says so. Whatever the objective, a run shows the seat-years its schedule loses,
in total and per project: Σ places × years late over the scheduled projects. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Objective(StrEnum):
    """What a scenario's runs minimise."""

    WEIGHTED = "weighted_slippage"  # 加权延期: weight 1 + 2·★ + ⌊places/1000⌋ per year late
    SEAT_YEARS = "seat_years"  # 学位·年: places × years late


# Places counted for a project that states none: about two classes of a small addition. Every project of
# the seed that states its places adds more (the least is WX-08's 270), so an unstated project never
# outranks a stated one; a scenario may choose another figure.
DEFAULT_SEATS = 100


def seats_of(record: Any, default: int) -> tuple[int, bool]:
    """The places a project counts for, and whether the project states them (False: the default)."""
    stated = getattr(record, "seats_added", None)
    if stated is not None and stated > 0:
        return int(stated), True
    return default, False


@dataclass(frozen=True, slots=True)
class SeatCount:
    """The places a run counts per project (`assumed`: the default, the project states none)."""

    default: int
    seats: Mapping[str, int]
    assumed: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {"default": self.default, "seats": dict(self.seats), "assumed": sorted(self.assumed)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SeatCount:
        return cls(int(data["default"]), dict(data["seats"]), frozenset(data.get("assumed", ())))


def seat_count(records: Sequence[Any], default: int) -> SeatCount:
    """The places of every project of `records` (their codes), the default where none is stated."""
    seats, assumed = {}, set()
    for record in records:
        value, stated = seats_of(record, default)
        seats[record.code] = value
        if not stated:
            assumed.add(record.code)
    return SeatCount(default, seats, frozenset(assumed))


@dataclass(frozen=True, slots=True)
class SeatYears:
    """Seat-years a schedule loses: places × years late, per late project and in total."""

    total: int
    by_project: Mapping[str, int]  # late projects only


def seat_years(solution: Mapping[str, Any], count: SeatCount) -> SeatYears:
    """Σ places × years late over the scheduled projects of a MODEL.md Solution JSON (deferred projects
    have no end, so no years late: the run lists them apart)."""
    lost = {}
    for item in solution.get("projects", []):
        late = int(item.get("slippage") or 0) if item.get("scheduled") else 0
        if late > 0:
            code = str(item["id"])
            lost[code] = late * count.seats.get(code, count.default)
    return SeatYears(sum(lost.values()), lost)
