"""What a recorded actual must satisfy before it is stored, in plain words naming project, year and field.

- the year lies inside the portfolio's years and not after the status date's year (nothing is spent in
  the future);
- the project's cumulative actual spending stays within its cost plus OVERRUN_TOLERANCE, unless the entry
  says `overrun` and why;
- percent complete never goes down from one year to the next.
Pure: the service gives the project's other years.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.i18n import Message

OVERRUN_TOLERANCE = 0.10  # cumulative actuals may exceed the cost by 10 % before an overrun must be declared


@dataclass(frozen=True, slots=True)
class YearActual:
    spent_wan: int
    percent_complete: float


@dataclass(frozen=True, slots=True)
class Bounds:
    """The years actuals may be recorded for: the portfolio's years, up to the status date's year."""

    first_year: int | None
    last_year: int | None
    status_year: int
    status_date: str


def check(
    *,
    code: str,
    cost_wan: int | None,
    year: int,
    entry: YearActual,
    overrun: bool,
    overrun_reason: str | None,
    others: Mapping[int, YearActual],
    bounds: Bounds,
) -> list[tuple[str, Message]]:
    """Every problem with recording `entry` for `year` given the project's `others` years: (field, words)."""
    problems: list[tuple[str, Message]] = []
    first, last = bounds.first_year, bounds.last_year
    if first is not None and last is not None and not first <= year <= last:
        problems.append(
            ("year", Message("actual_year_outside", code=code, year=year, first=first, last=last))
        )
    if year > bounds.status_year:
        words = Message("actual_year_future", code=code, year=year, status_date=bounds.status_date)
        problems.append(("year", words))
    total = entry.spent_wan + sum(a.spent_wan for y, a in others.items() if y != year)
    limit = math.floor((cost_wan or 0) * (1 + OVERRUN_TOLERANCE))
    if cost_wan is not None and total > limit and not overrun:
        words = Message(
            "actual_over_cost",
            code=code,
            year=year,
            total=f"{total:,}",
            cost=f"{cost_wan:,}",
            percent=round(100 * (1 + OVERRUN_TOLERANCE)),
            limit=f"{limit:,}",
        )
        problems.append(("spent_wan", words))
    if overrun and not (overrun_reason or "").strip():
        problems.append(("overrun_reason", Message("actual_overrun_needs_reason", code=code, year=year)))
    for other_year, other in sorted(others.items()):
        if other_year < year and entry.percent_complete < other.percent_complete:
            key = "actual_percent_below_earlier"
        elif other_year > year and entry.percent_complete > other.percent_complete:
            key = "actual_percent_above_later"
        else:
            continue
        words = Message(
            key,
            code=code,
            year=year,
            percent=f"{entry.percent_complete:g}",
            other_year=other_year,
            other=f"{other.percent_complete:g}",
        )
        problems.append(("percent_complete", words))
    return problems
