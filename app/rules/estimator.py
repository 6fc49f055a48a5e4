"""The cost estimator: a draft's cost (万元) from its floor area × the documented unit cost of its category and
nature, or — with no area — from the median floor area of its category, always labelled an estimate (估算)
with its basis, as the seed data's costs are.

Unit costs (元 per m² of floor area) are those of data/README.md "Unit prices used", from the public
reference table of comparable Chongqing county school projects in shared/seeds/README.md:

- whole campus 3,800 — a new, continued, relocated or rebuilt school with its grounds: the median of the
  seven county school projects (2,500 · 3,290 · 3,650 · 3,760 · 4,240 · 4,640 · 4,930 → 3,760), rounded up;
- building on an existing campus 3,100 — an extension or refurbishment: the mean of 南州中学综合楼 2,500 and
  中山路小学二期 3,650 (3,075), rounded;
- special school 4,600 — 綦江中学迁建's 4,640, rounded down, for every 特殊教育 project.

A nature the table does not name (建设, 设立, 打造, …) is priced at the whole-campus rate and its basis says
that this is assumed. Category medians: the portfolio's own projects of the category that state a floor
area, else those of the reference list (data/projects.csv, areas from the Wuxi plan), else all of the
reference list. Pure: records in, estimates out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.rules.portfolio import ESTIMATE_PREFIX

ESTIMATOR_MARK = f"{ESTIMATE_PREFIX} (capsched"  # a cost_basis the estimator wrote: it may re-estimate it

WHOLE_CAMPUS, EXISTING_CAMPUS, SPECIAL_SCHOOL = "whole_campus", "existing_campus", "special_school"

UNIT_COSTS: dict[str, int] = {WHOLE_CAMPUS: 3800, EXISTING_CAMPUS: 3100, SPECIAL_SCHOOL: 4600}

_RATE_WORDS = {
    WHOLE_CAMPUS: "whole-campus rate, median 3,760 of 7 Chongqing county schools, rounded up",
    EXISTING_CAMPUS: "existing-campus rate, mean 3,075 of 2 single buildings, rounded",
    SPECIAL_SCHOOL: "special-school rate, 綦江中学迁建 4,640 rounded down",
}

NATURE_RATES: dict[str, str] = {
    "新建": WHOLE_CAMPUS,
    "续建": WHOLE_CAMPUS,
    "迁建": WHOLE_CAMPUS,
    "复建": WHOLE_CAMPUS,
    "改扩建": EXISTING_CAMPUS,
    "扩建": EXISTING_CAMPUS,
    "扩容": EXISTING_CAMPUS,
    "改建": EXISTING_CAMPUS,
    "综合改造": EXISTING_CAMPUS,
    "改造": EXISTING_CAMPUS,
    "改善办学条件": EXISTING_CAMPUS,
}
SPECIAL_CATEGORY = "特殊教育"


class Method(StrEnum):
    AREA = "area"  # the project's own floor area × unit cost
    CATEGORY_MEDIAN = "category_median"  # no area: the category's median floor area × unit cost
    ALL_MEDIAN = "all_median"  # no area and no project of the category to take a median from


@dataclass(frozen=True, slots=True)
class Estimate:
    code: str
    cost_wan: int
    basis: str  # starts with "estimate (capsched": 估算 everywhere, and the estimator may redo it
    method: Method
    area_m2: float
    rate: str  # WHOLE_CAMPUS | EXISTING_CAMPUS | SPECIAL_SCHOOL
    rate_assumed: bool  # the nature is not in the table: the whole-campus rate is assumed


def rate_of(category: str | None, nature: str | None) -> tuple[str, bool]:
    """The unit cost key for a category and nature, and whether it is assumed (nature not in the table)."""
    if category == SPECIAL_CATEGORY:
        return SPECIAL_SCHOOL, False
    rate = NATURE_RATES.get((nature or "").strip())
    return (rate, False) if rate is not None else (WHOLE_CAMPUS, True)


def needs_estimate(record: Any) -> bool:
    """No cost yet, or a cost the estimator itself wrote (redone when the area or nature has changed)."""
    return record.cost_wan is None or (record.cost_basis or "").startswith(ESTIMATOR_MARK)


def _wan(area_m2: float, yuan_per_m2: int) -> int:
    """area × rate in 万元, rounded half up to a whole 万元."""
    return int(area_m2 * yuan_per_m2 / 10_000 + 0.5)


def _median_area(category: str, own: Sequence[Any], reference: Sequence[Any]) -> tuple[float, str, Method]:
    for pool, where in ((own, "this portfolio"), (reference, "the Wuxi list, data/projects.csv")):
        areas = [r.floor_area_m2 for r in pool if r.category == category and r.floor_area_m2]
        if areas:
            words = (
                f"median {category} floor area of {where} {statistics.median(areas):g} m² (n={len(areas)})"
            )
            return float(statistics.median(areas)), words, Method.CATEGORY_MEDIAN
    areas = [r.floor_area_m2 for r in reference if r.floor_area_m2]
    if not areas:
        raise ValueError("no reference floor areas to take a median from")
    median = statistics.median(areas)
    words = f"no {category} project to compare: median of all data/projects.csv areas {median:g} m² (n={len(areas)})"
    return float(statistics.median(areas)), words, Method.ALL_MEDIAN


def estimate(record: Any, *, own: Sequence[Any] = (), reference: Sequence[Any] = ()) -> Estimate:
    """The estimate of one project (see the module docstring for the rules and figures)."""
    rate, assumed = rate_of(record.category, record.nature)
    yuan = UNIT_COSTS[rate]
    nature = (record.nature or "").strip() or "nature blank"
    rate_words = f"{nature}: {_RATE_WORDS[rate]}" + (
        "; rate assumed, nature not in the table" if assumed else ""
    )
    if record.floor_area_m2:
        area, method = float(record.floor_area_m2), Method.AREA
        cost = _wan(area, yuan)
        basis = f"{ESTIMATOR_MARK}): {area:g} m² × {yuan} 元/m² ({rate_words}; data/README.md) = {cost} 万元"
    else:
        area, median_words, method = _median_area(record.category, own, reference)
        cost = _wan(area, yuan)
        basis = (
            f"{ESTIMATOR_MARK}, category median): no floor area; {median_words} × {yuan} 元/m² "
            f"({rate_words}; data/README.md) = {cost} 万元"
        )
    return Estimate(record.code, max(1, cost), basis, method, area, rate, assumed)


def estimate_costs(records: Sequence[Any], *, reference: Sequence[Any]) -> list[Estimate]:
    """Estimates for every record that needs one (no cost, or the estimator's own); category medians are
    taken over the records that state a floor area, else over `reference`."""
    own = [r for r in records if r.floor_area_m2]
    return [estimate(r, own=own, reference=reference) for r in records if needs_estimate(r)]
