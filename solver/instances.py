"""Problem instances the tests, benchmarks and examples share: seeded synthetic portfolios and OR-Library
knapsacks read as MODEL.md problems (PyVRP keeps its readers in the library the same way).

`synthetic(n, years, tightness, seed)` is a county-shaped portfolio whose projects do not change with the
tightness; `with_sources(problem, seed)` gives any problem four illustrative funding sources (MODEL.md v2)
and per-project funding rules, `synthetic(..., sources=4)` the same on a synthetic portfolio; `read_mknap(path)` reads one OR-Library mknapcb instance: m constraints become m years with cap
b_k in year k, each item a project with fixed start in the first year, `profile` = its m weights, weight 0,
deferrable with defer_penalty = its profit, so minimum objective = Σ profits − best value.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from pathlib import Path

from solver.problem import Funding, Problem, Project, Source

FIRST_YEAR = 2025  # synthetic portfolios start here
MKNAP_FIRST_YEAR = 1  # a knapsack's constraints are years 1..m


def synthetic(n: int, years: int, tightness: float, seed: int = 1, *, sources: int = 0) -> Problem:
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
    problem = Problem(FIRST_YEAR, last, budget, tuple(projects))
    if sources == 0:
        return problem
    if sources != len(SOURCE_IDS):
        raise ValueError(f"synthetic portfolios have 0 or {len(SOURCE_IDS)} funding sources, not {sources}")
    return with_sources(problem, seed)


# The four illustrative sources of `with_sources`, as a county's finance office names them.
SOURCE_IDS = ("central", "bond", "city", "county")  # 中央预算内投资, 专项债, 市级补助, 县级自筹
# Each source's flat annual cap as a share of the problem's mean total cap (central: see `with_sources`).
SOURCE_SHARES = {"bond": 0.30, "city": 0.15, "county": 0.45}


def with_sources(problem: Problem, seed: int = 1) -> Problem:
    """`problem` with four funding sources and per-project rules, shaped like a county's (illustrative: no
    published split exists). Per project, drawn at random:

    - 20 %: a central grant (中央预算内), min = max = 20–50 % of the cost, with the county's matching money
      (配套) as a floor of 20 % on `county`, bonds up to 30 %, city money allowed;
    - 40 %: special bonds (专项债) up to half the cost, a 10 % county floor, city money allowed;
    - 15 %: no bonds (e.g. 继续教育): city money up to 30 %, county money;
    - 25 %: small works any source but central may fund (bond, city, county, no limits).

    Caps are flat: bond 30 %, city 15 %, county 45 % of the mean total cap a year, central 125 % of the
    grants spread over the first half of the horizon (at least half the largest grant): together about the
    total cap, as when the total is what the channels give. No source carries money over."""
    rng = random.Random(seed * 7_919 + len(problem.projects))
    projects, grants = [], 0
    largest = 0
    for p in problem.projects:
        kind, cost = rng.random(), p.cost
        if kind < 0.20:
            grant = round(cost * rng.uniform(0.2, 0.5))
            grants += grant
            largest = max(largest, grant)
            funding = (
                Funding("central", grant, grant),
                Funding("county", round(0.2 * cost)),
                Funding("bond", 0, round(0.3 * cost)),
                Funding("city"),
            )
        elif kind < 0.60:
            funding = (Funding("bond", 0, cost // 2), Funding("county", round(0.1 * cost)), Funding("city"))
        elif kind < 0.75:
            funding = (Funding("city", 0, round(0.3 * cost)), Funding("county"))
        else:
            funding = (Funding("bond"), Funding("city"), Funding("county"))
        projects.append(replace(p, funding=funding))
    years = problem.years
    mean = sum(problem.budget.values()) / len(years)
    plan_span = max(3, len(years) // 2)
    central = max(math.ceil(1.25 * grants / plan_span), -(-largest // 2))
    sources = [Source("central", dict.fromkeys(years, central))]
    sources += [Source(k, dict.fromkeys(years, round(share * mean))) for k, share in SOURCE_SHARES.items()]
    return replace(problem, projects=tuple(projects), sources=tuple(sources))


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
