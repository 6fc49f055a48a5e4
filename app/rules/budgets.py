"""Annual budget caps (万元 per year): flat caps, `2021=N,2022=N` specs, scaling, year ranges."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

from solver.problem import Source

_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*[-–:]\s*(\d{4})\s*$")


class BudgetSpecError(ValueError):
    """A budget or year-range argument a person typed is not understood; the message says why."""


def parse_years(spec: str) -> tuple[int, int]:
    """'2021-2030' -> (2021, 2030)."""
    match = _YEAR_RANGE.match(spec)
    if not match:
        raise BudgetSpecError(f"years {spec!r}: expected FIRST-LAST, e.g. 2021-2030")
    first, last = int(match.group(1)), int(match.group(2))
    if last < first:
        raise BudgetSpecError(f"years {spec!r}: the last year {last} is before the first year {first}")
    return first, last


def flat_budget(first_year: int, last_year: int, amount_wan: int) -> dict[int, int]:
    """The same cap every year of the horizon."""
    if amount_wan < 0:
        raise BudgetSpecError(f"budget {amount_wan}: a cap cannot be negative")
    return dict.fromkeys(range(first_year, last_year + 1), amount_wan)


def parse_budget(spec: str, first_year: int, last_year: int) -> dict[int, int]:
    """'2021=12000,2022=9000' -> caps; every year of the horizon must be given exactly once."""
    caps: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        year_text, sep, amount_text = part.partition("=")
        if not sep or not year_text.strip().isdigit():
            raise BudgetSpecError(f"budget {part!r}: expected YEAR=AMOUNT, e.g. 2023=12000")
        try:
            amount = int(amount_text.strip())
        except ValueError:
            raise BudgetSpecError(f"budget {part!r}: {amount_text.strip()!r} is not a whole number") from None
        year = int(year_text)
        if year in caps:
            raise BudgetSpecError(f"budget: year {year} is given twice")
        if amount < 0:
            raise BudgetSpecError(f"budget: the cap for {year} ({amount}) cannot be negative")
        caps[year] = amount
    horizon = set(range(first_year, last_year + 1))
    missing = sorted(horizon - caps.keys())
    extra = sorted(caps.keys() - horizon)
    if missing:
        raise BudgetSpecError(
            f"budget: no cap for {', '.join(map(str, missing))} (horizon {first_year}-{last_year})"
        )
    if extra:
        raise BudgetSpecError(
            f"budget: {', '.join(map(str, extra))} outside the horizon {first_year}-{last_year}"
        )
    return caps


def scale_budget(caps: Mapping[int, int], factor: float) -> dict[int, int]:
    """Every cap times `factor`, rounded down to whole 万元 (a cap never rounds up past what was granted)."""
    if factor < 0:
        raise BudgetSpecError(f"scale {factor}: cannot be negative")
    return {year: math.floor(cap * factor + 1e-9) for year, cap in caps.items()}


def scale_sources(sources: Sequence[Source], factor: Fraction) -> tuple[Source, ...]:
    """Every source's quota times `factor`, rounded down to whole 万元 (issue 15: a sweep or least-budget
    search over a problem with funding sources moves each quota with the total, by the same factor)."""
    return tuple(
        replace(s, budget={year: math.floor(cap * factor) for year, cap in s.budget.items()}) for s in sources
    )


def flat_factor(caps: Mapping[int, int], amount_wan: int) -> Fraction:
    """The factor a flat annual amount is of the mean of `caps` (1 when the caps are all zero)."""
    total = sum(caps.values())
    return Fraction(amount_wan * len(caps), total) if total else Fraction(1)


def year_spans(years: Sequence[int]) -> str:
    """Years as people write them: 2020, 2021, 2022, 2025 → "2020–2022, 2025"."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)
