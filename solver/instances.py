"""Problem instances the tests, benchmarks and examples share: seeded synthetic portfolios and OR-Library
knapsacks read as MODEL.md problems (PyVRP keeps its readers in the library the same way).

`synthetic(n, years, tightness, seed)` is a county-shaped portfolio whose projects do not change with the
tightness; `read_mknap(path)` reads one OR-Library mknapcb instance: m constraints become m years with cap
b_k in year k, each item a project with fixed start in the first year, `profile` = its m weights, weight 0,
deferrable with defer_penalty = its profit, so minimum objective = Σ profits − best value.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from solver.problem import Problem, Project

FIRST_YEAR = 2025  # synthetic portfolios start here
MKNAP_FIRST_YEAR = 1  # a knapsack's constraints are years 1..m


def synthetic(n: int, years: int, tightness: float, seed: int = 1) -> Problem:
    """A portfolio shaped like a county's: most plans packed into the first half of the horizon, costs
    log-uniform 300..30000, draws limited around the planned pace, some projects under way (fixed start),
    some with cash-flow profiles, predecessors, ★ deadlines, and deferrable ones with penalties. The flat
    annual cap is `tightness` × the planned (unconstrained) demand per year of the planning window."""
    rng = random.Random(seed * 1_000_003 + n * 31)  # the same projects at every tightness
    last = FIRST_YEAR + years - 1
    plan_span = max(3, years // 2)
    projects: list[Project] = []
    for i in range(n):
        pid = f"P{i:04d}"
        cost = round(math.exp(rng.uniform(math.log(300), math.log(30000))))
        dur = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
        planned_start = FIRST_YEAR + rng.randrange(0, max(1, plan_span - dur + 1))
        planned_end = planned_start + dur - 1
        pace = -(-cost // dur)
        kind = rng.random()
        fields: dict = {"weight": rng.choice((1, 1, 1, 2, 3, 5))}
        if kind < 0.10:
            fields["fixed_start"] = FIRST_YEAR  # already under way
            fields["min_annual"] = max(1, cost // (3 * dur))
            fields["max_annual"] = max(fields["min_annual"], round(1.5 * pace))
        elif kind < 0.25:
            base = [cost // dur] * dur
            base[0] += cost - sum(base)
            fields["profile"] = tuple(base)
            fields["earliest_start"] = planned_start
        else:
            fields["earliest_start"] = planned_start
            fields["min_years"] = max(1, dur - 1)
            fields["max_years"] = dur + 3
            fields["min_annual"] = max(1, cost // (4 * dur))
            fields["max_annual"] = max(fields["min_annual"], round(1.5 * pace))
        if rng.random() < 0.15:
            fields["deferrable"] = True
            fields["defer_penalty"] = fields["weight"] * rng.randint(3, 8)
        elif rng.random() < 0.05:
            fields["weight"] = 10  # ★: heavy, with a hard deadline three years after plan
            fields["deadline"] = min(last, planned_end + 3)
        if i > 0 and rng.random() < 0.10 and "fixed_start" not in fields and "deadline" not in fields:
            pred = projects[rng.randrange(max(0, i - 20), i)]
            if not pred.deferrable or fields.get("deferrable"):
                fields["after"] = (pred.id,)
        projects.append(Project(pid, cost, planned_end, **fields))
    demand = sum(p.cost for p in projects) / plan_span
    cap = round(tightness * demand)
    budget = dict.fromkeys(range(FIRST_YEAR, last + 1), cap)
    return Problem(FIRST_YEAR, last, budget, tuple(projects))


def read_mknap(path: Path) -> tuple[Problem, int | None]:
    """The MODEL.md problem of one mknapcb file and its best-known value (None if absent)."""
    numbers = [int(tok) for tok in path.read_text().split()]
    m, n = numbers[0], numbers[1]
    pos = 2
    profits = numbers[pos : pos + n]
    pos += n
    capacities = numbers[pos : pos + m]
    pos += m
    weights = [numbers[pos + k * n : pos + (k + 1) * n] for k in range(m)]
    pos += m * n
    best = numbers[pos] if pos < len(numbers) else None
    last = MKNAP_FIRST_YEAR + m - 1
    projects = tuple(
        Project(
            id=f"item{j + 1}",
            cost=sum(weights[k][j] for k in range(m)),
            planned_end=last,
            fixed_start=MKNAP_FIRST_YEAR,
            profile=tuple(weights[k][j] for k in range(m)),
            weight=0,
            deferrable=True,
            defer_penalty=profits[j],
        )
        for j in range(n)
    )
    budget = {MKNAP_FIRST_YEAR + k: capacities[k] for k in range(m)}
    return Problem(MKNAP_FIRST_YEAR, last, budget, projects), best
