"""A lower bound on MODEL.md's objective from a small money-flow LP (HiGHS as bundled with OR-Tools).

CP-SAT's own bound on large portfolios is only what presolve proves: its model (start, end, activity and
draw variables per project and year) is too large for it to solve the root LP in time. This LP keeps only
what money forces, so it stays small:

- y[i,e] ∈ [0,1]: project i ends in year e (e over its feasible end window, solver/windows.py), and for a
  deferrable project d[i] ∈ [0,1]: it is deferred; Σ_e y[i,e] + d[i] = 1.
- P[i,t] ≥ 0: what project i has drawn by the end of year t (a profile project's draws are fixed by its
  end, so it needs none). Ending in e bounds P[i,t] between L[e,t] and U[e,t] — the least and most any
  schedule of i ending in e can have drawn by t, given its start window, its least and most duration and
  its annual draw bounds (the per-year cap bounds a draw too) — so Σ_e L[e,t]·y[i,e] ≤ P[i,t] ≤
  Σ_e U[e,t]·y[i,e], and each year's draw P[i,t] − P[i,t−1] is at most the largest draw of the ends it can
  be active in.
- Caps: Σ_i draws in t ≤ B_t, or cumulatively Σ_{τ≤t} ≤ Σ_{τ≤t} B_τ with carryover. (Rows for every run
  of years a..b — the least money each end forces into a..b fits its caps — raised the 200-project LP by
  < 0.2 and tripled the 2000-project one's size: left out.)
- Precedence: j ended by t ⇒ j started by t − least_j + 1 ⇒ predecessor ended by t − least_j.
- Objective: Σ weight·max(0, e − planned_end)·y[i,e] + Σ defer_penalty·d[i], plus the penalties of
  projects no schedule can fund (closed windows).
- v2 (funding sources), rules that stay linear in these columns: a project's draw in a year is at most what
  its allowed sources can give it then (in L, U and the peaks); all projects' draws within all sources'
  caps together (per year, and cumulatively); and (`shares`), for a project with funding rules and several
  allowed sources, shares z[i,k,t] ≥ 0 of its yearly draw, each listed source's within [min·(1 − d), max]
  over the years, counted with the draws of one-source projects against each source's caps (cumulatively
  with its carryover), and ended by t ⇒ drawn by t from each group K' of its sources at least what K' must
  give it (solver/windows.py `source_groups`). The shares raised the bound by 3–5 % on the synthetic
  portfolios with four sources but cost 3–4 times the LP's time: large portfolios go without them.
  Projects that any source may fund without limits are left out of the per-source rows. Dropping rules
  only relaxes the LP, so it stays a lower bound.

Why it is a lower bound: any schedule of MODEL.md gives a feasible point of this LP of the same objective —
y the 0/1 indicator of its end year (d of deferral), P its cumulative draws. Its ends lie in the windows
(solver/windows.py only drops ends no schedule can have), its cumulative draws lie between L and U by
construction of L and U, its draws obey the caps, and its precedence implies the cumulative rows; in v2
its split over sources gives the shares z, and every source row above is a sum of its rules. So the
LP optimum is ≤ every schedule's objective, and since objectives are integers, ⌈LP − ε⌉ is a bound.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from solver.problem import Problem, Project
from solver.windows import Window, draw_ceilings, project_windows, source_caps, source_groups

if TYPE_CHECKING:
    from ortools.linear_solver import pywraplp

EPSILON = 1e-6  # relative guard against the LP solver's tolerance before rounding up


@dataclass(slots=True)
class Lp:
    """A minimisation LP in row form: columns (lower, upper, cost) and rows (lower, upper, {col: coef})."""

    col_lo: list[float] = field(default_factory=list)
    col_hi: list[float] = field(default_factory=list)
    col_cost: list[float] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    rows: list[dict[int, float]] = field(default_factory=list)
    constant: float = 0.0

    def col(self, lo: float, hi: float, cost: float = 0.0) -> int:
        self.col_lo.append(lo)
        self.col_hi.append(hi)
        self.col_cost.append(cost)
        return len(self.col_lo) - 1

    def row(self, coefs: dict[int, float], lo: float, hi: float) -> None:
        coefs = {c: v for c, v in coefs.items() if v}
        if coefs:
            self.rows.append(coefs)
            self.row_lo.append(lo)
            self.row_hi.append(hi)


@dataclass(slots=True)
class _Ends:
    """One project's end options: for each end e, its column and the bounds on money drawn by each year."""

    project: Project
    cols: dict[int, int]  # end year → column of y[i,e]
    least: dict[int, dict[int, int]]  # end year → year → least drawn by the end of that year
    most: dict[int, dict[int, int]]  # end year → year → most drawn by the end of that year
    peak: dict[int, dict[int, int]]  # end year → year → largest draw that year (0 when surely inactive)
    min_dur: int
    deferred: int | None = None  # column of d[i], when it may be deferred
    draw: dict[int, dict[int, float]] = field(default_factory=dict)  # year → column → coef of its draw


def draw_caps(problem: Problem) -> dict[int, int]:
    """The most one project can draw in a year: that year's cap, or all caps so far with carryover."""
    caps, total = {}, 0
    for t in problem.years:
        total += problem.budget[t]
        caps[t] = total if problem.carryover else problem.budget[t]
    return caps


def _profile_envelope(problem: Problem, profile: tuple[int, ...], end: int) -> tuple[dict, dict, dict]:
    start = end - len(profile) + 1
    paid, least, peak = 0, {}, {}
    for t in problem.years:
        draw = profile[t - start] if start <= t <= end else 0
        paid += draw
        least[t] = paid
        peak[t] = draw
    return least, dict(least), peak


def envelope(problem: Problem, p: Project, w: Window, end: int, caps: dict[int, int]) -> tuple:
    """(least, most, peak) drawn by / in each year by a schedule of p that ends in `end`."""
    if p.profile is not None:
        return _profile_envelope(problem, p.profile, end)
    lo = p.min_annual_or_default()
    hi = min(p.max_annual_or_default(), p.cost - lo * (w.min_dur - 1))
    top = {t: max(0, min(hi, caps[t])) for t in problem.years}
    first_start = max(w.start_lo, end - w.max_dur + 1)  # earliest start of a schedule ending in `end`
    last_start = min(w.start_hi, end - w.min_dur + 1)  # latest one
    least, most, peak = {}, {}, {}
    for t in problem.years:
        if t >= end:
            least[t] = most[t] = p.cost
        else:
            after = sum(top[tau] for tau in range(t + 1, end + 1))  # the most that can still come after t
            least[t] = max(0, p.cost - after, lo * (t - last_start + 1))
            reach = sum(top[tau] for tau in range(first_start, t + 1))
            most[t] = max(0, min(p.cost, reach, p.cost - lo * (end - t)))
        peak[t] = top[t] if first_start <= t <= end else 0
    return least, most, peak


def _add_projects(lp: Lp, problem: Problem, windows: dict[str, Window]) -> dict[str, _Ends]:
    """End columns (with their slippage cost), deferral columns and Σ = 1 for every project."""
    caps, by_source = draw_caps(problem), source_caps(problem)
    ends: dict[str, _Ends] = {}
    for p in problem.projects:
        w = windows[p.id]
        if not w.open:  # no schedule can fund it: deferred (an impossible `must` never gets here)
            lp.constant += p.defer_penalty
            continue
        ceilings = draw_ceilings(problem, p, caps, by_source)
        if p.profile is not None:
            years = range(w.start_lo + len(p.profile) - 1, w.start_hi + len(p.profile))
        else:
            years = range(w.end_lo, w.end_hi + 1)
        cols = {e: lp.col(0.0, 1.0, p.weight * max(0, e - p.planned_end)) for e in years}
        e_ = _Ends(p, cols, {}, {}, {}, w.min_dur)
        for e in years:
            e_.least[e], e_.most[e], e_.peak[e] = envelope(problem, p, w, e, ceilings)
        one = dict.fromkeys(cols.values(), 1.0)
        if not w.must:
            e_.deferred = lp.col(0.0, 1.0, p.defer_penalty)
            one[e_.deferred] = 1.0
        lp.row(one, 1.0, 1.0)
        ends[p.id] = e_
    return ends


def _add_money(lp: Lp, problem: Problem, ends: dict[str, _Ends]) -> None:
    """Cumulative draws between their envelopes, per-year draws at most the peak, and the caps."""
    years = list(problem.years)
    spend: dict[int, dict[int, float]] = {t: {} for t in years}  # year → column → coefficient of draw
    for e_ in ends.values():
        if e_.project.profile is not None:
            for e, col in e_.cols.items():
                for t in years:
                    if e_.peak[e][t]:
                        spend[t][col] = spend[t].get(col, 0.0) + e_.peak[e][t]
                        e_.draw.setdefault(t, {})[col] = float(e_.peak[e][t])
            continue
        paid = {t: lp.col(0.0, e_.project.cost) for t in years}
        for t in years:
            row = {paid[t]: 1.0}
            for e, col in e_.cols.items():
                row[col] = -float(e_.least[e][t])
            lp.row(row, 0.0, math.inf)
            row = {paid[t]: 1.0}
            for e, col in e_.cols.items():
                row[col] = -float(e_.most[e][t])
            lp.row(row, -math.inf, 0.0)
            row = {paid[t]: 1.0}
            if t > years[0]:
                row[paid[t - 1]] = -1.0
            for e, col in e_.cols.items():
                row[col] = -float(e_.peak[e][t])
            lp.row(row, -math.inf, 0.0)
            spend[t][paid[t]] = spend[t].get(paid[t], 0.0) + 1.0
            if t > years[0]:
                spend[t][paid[t - 1]] = spend[t].get(paid[t - 1], 0.0) - 1.0
            if any(e_.peak[e][t] for e in e_.cols):  # v2's source rows: years it may draw in
                e_.draw[t] = {paid[t]: 1.0, **({paid[t - 1]: -1.0} if t > years[0] else {})}
    cum: dict[int, float] = {}
    total = 0
    for t in years:
        total += problem.budget[t]
        if problem.carryover:
            for col, v in spend[t].items():
                cum[col] = cum.get(col, 0.0) + v
            lp.row(dict(cum), -math.inf, float(total))
        else:
            lp.row(spend[t], -math.inf, float(problem.budget[t]))


def _add_sources(lp: Lp, problem: Problem, ends: dict[str, _Ends], *, shares: bool) -> None:
    """v2: the source rows of the module docstring (nothing in v1); without `shares` only the rows that
    need no share columns (a smaller LP for large portfolios)."""
    if not problem.sources:
        return
    years = list(problem.years)
    every: dict[int, dict[int, float]] = {t: {} for t in years}  # all projects' draws per year
    given: dict[tuple[str, int], dict[int, float]] = {(k.id, t): {} for k in problem.sources for t in years}
    for e_ in ends.values():
        p = e_.project
        for t, terms in e_.draw.items():
            _add_terms(every[t], terms)
        allowed = p.allowed_sources(problem.sources)
        if len(allowed) == 1:
            for t, terms in e_.draw.items():
                _add_terms(given[(allowed[0], t)], terms)
        elif p.funding is not None and shares:
            _add_shares(lp, problem, e_, allowed, given)
    for source in problem.sources:
        cum: dict[int, float] = {}
        total = 0
        for t in years:
            total += source.budget[t]
            if source.carryover:
                _add_terms(cum, given[(source.id, t)])
                lp.row(dict(cum), -math.inf, float(total))
            else:
                lp.row(given[(source.id, t)], -math.inf, float(source.budget[t]))
    year_caps = source_caps(problem)  # what each source can give in a year, carryover included
    cum, total = {}, 0
    for t in years:
        lp.row(every[t], -math.inf, float(sum(caps[t] for caps in year_caps.values())))
        total += sum(k.budget[t] for k in problem.sources)
        _add_terms(cum, every[t])
        lp.row(dict(cum), -math.inf, float(total))


def _add_shares(
    lp: Lp, problem: Problem, e_: _Ends, allowed: tuple[str, ...], given: dict[tuple[str, int], dict]
) -> None:
    """Shares z[i,k,t] of a project's draws over its allowed sources, within its funding rules."""
    p = e_.project
    totals: dict[str, dict[int, float]] = {k: {} for k in allowed}
    shares: dict[tuple[str, int], int] = {}
    for t, terms in sorted(e_.draw.items()):
        row = {col: -v for col, v in terms.items()}
        for k in allowed:
            z = lp.col(0.0, float(p.funding_limits(k)[1]))
            shares[(k, t)] = z
            row[z] = 1.0
            given[(k, t)][z] = 1.0
            totals[k][z] = 1.0
        lp.row(row, 0.0, 0.0)
    for group, need in source_groups(p, allowed):
        drawn: dict[int, float] = {}
        for t in problem.years:
            drawn.update({shares[(k, t)]: 1.0 for k in group if (k, t) in shares})
            ended = {col: -float(need) for e, col in e_.cols.items() if e <= t}
            if ended and len(ended) < len(e_.cols) and drawn:
                lp.row({**drawn, **ended}, 0.0, math.inf)
    for rule in p.funding or ():
        if rule.min:
            row = dict(totals[rule.source])
            if e_.deferred is not None:
                row[e_.deferred] = float(rule.min)
            lp.row(row, float(rule.min), math.inf)
        if rule.max is not None and rule.max < p.cost:
            lp.row(dict(totals[rule.source]), -math.inf, float(rule.max))


def _add_terms(row: dict[int, float], terms: dict[int, float]) -> None:
    for col, v in terms.items():
        row[col] = row.get(col, 0.0) + v


def _add_precedence(lp: Lp, problem: Problem, ends: dict[str, _Ends]) -> None:
    """j ended by t ⇒ predecessor i ended by t − least_j (so a deferred i also defers j)."""
    for e_ in ends.values():
        for pred in e_.project.after:
            pe = ends.get(pred)
            for t in e_.cols:
                row = {col: 1.0 for e, col in e_.cols.items() if e <= t}
                if pe is not None:
                    for e, col in pe.cols.items():
                        if e <= t - e_.min_dur:
                            row[col] = row.get(col, 0.0) - 1.0
                lp.row(row, -math.inf, 0.0)


def build(
    problem: Problem, windows: dict[str, Window], *, shares: bool = True
) -> tuple[Lp, dict[str, _Ends]]:
    """The money-flow LP of `problem` (see module docstring) and each project's end-year columns; v2 with
    the shares of each project's sources, or (not `shares`) without them."""
    lp = Lp()
    ends = _add_projects(lp, problem, windows)
    _add_money(lp, problem, ends)
    _add_sources(lp, problem, ends, shares=shares)
    _add_precedence(lp, problem, ends)
    return lp, ends


def model(
    lp: Lp, time_limit: float, engine: str, integral: Collection[int] = ()
) -> tuple[pywraplp.Solver, list[pywraplp.Variable], pywraplp.Objective]:
    """`lp` loaded into an OR-Tools linear solver (`integral` columns as integers), ready to solve."""
    from ortools.linear_solver import pywraplp  # (imported when needed: solver/search.py says why)

    solver = pywraplp.Solver.CreateSolver(engine)
    if solver is None:  # an OR-Tools build without HiGHS
        solver = pywraplp.Solver.CreateSolver("GLOP")
    elif engine.startswith("HIGHS"):
        # HiGHS prints a banner to stdout unless told not to (the call applies it but reports False)
        solver.SetSolverSpecificParametersAsString("output_flag=false")
    solver.SetTimeLimit(max(1, int(1000 * time_limit)))
    inf = solver.infinity()
    cols = [
        solver.IntVar(lo, hi, "") if i in integral else solver.NumVar(lo, min(hi, inf), "")
        for i, (lo, hi) in enumerate(zip(lp.col_lo, lp.col_hi, strict=True))
    ]
    objective = solver.Objective()
    for col, cost in zip(cols, lp.col_cost, strict=True):
        if cost:
            objective.SetCoefficient(col, cost)
    objective.SetMinimization()
    for coefs, lo, hi in zip(lp.rows, lp.row_lo, lp.row_hi, strict=True):
        row = solver.Constraint(max(lo, -inf), min(hi, inf))
        for c, v in coefs.items():
            row.SetCoefficient(cols[c], v)
    return solver, cols, objective


def _solve(lp: Lp, time_limit: float, engine: str) -> tuple[float, list[float]] | None:
    """The LP's optimum and its column values, or None when not proven optimal in time."""
    from ortools.linear_solver import pywraplp

    solver, cols, objective = model(lp, time_limit, engine)
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value() + lp.constant, [col.solution_value() for col in cols]


@dataclass(frozen=True, slots=True)
class LpBound:
    """The bound, and per project the LP's mean end year (Σ e·y[i,e] over the share of i it schedules;
    absent when the LP defers it whole or no schedule can fund it) — where the LP would like each project
    to end, which guides the neighbourhood search of solver/lns.py."""

    bound: int
    mean_end: dict[str, float]
    source: str = "lp"  # which relaxation: "lp" (this module) or "lagrangian" (solver/lagrangian.py)
    # the (start, end) pair most of the relaxation's solution gives each project that can be scheduled
    # (None: deferred), when the relaxation has one (solver/lagrangian.py; solver/rounding.py uses it)
    pattern: dict[str, tuple[int, int] | None] | None = None
    # the projects the LP's solution does not split: the end year it gives each whole (None: deferred
    # whole), when the relaxation is this LP (solver/cpsat.py `held_ends_schedule` holds them there)
    whole: dict[str, int | None] | None = None


WHOLE = 0.99  # an end year (or the deferral) with at least this share of a project: the LP gives it whole


def lower_bound(
    problem: Problem,
    windows: dict[str, Window] | None = None,
    *,
    time_limit: float = 5.0,
    engine: str = "HIGHS_LP",
    shares: bool = True,
) -> int | None:
    """⌈money-flow LP⌉: a valid lower bound on the objective, or None when the LP is not solved in time
    (or is infeasible — then no schedule exists, which CP-SAT proves on its own). `engine` names an
    OR-Tools LP solver: HiGHS (bundled with OR-Tools; 2000 projects in ~3 s) or "GLOP" (~5x slower here).
    `shares`: v2's share columns (see `build`)."""
    solved = lp_bound(problem, windows, time_limit=time_limit, engine=engine, shares=shares)
    return None if solved is None else solved.bound


def lp_bound(
    problem: Problem,
    windows: dict[str, Window] | None = None,
    *,
    time_limit: float = 5.0,
    engine: str = "HIGHS_LP",
    shares: bool = True,
) -> LpBound | None:
    """`lower_bound` with the LP's mean end year of every project it schedules."""
    windows = project_windows(problem) if windows is None else windows
    if any(w.must and not w.open for w in windows.values()):
        return None  # structurally infeasible (solver/windows.py says why)
    lp, ends = build(problem, windows, shares=shares)
    solved = _solve(lp, time_limit, engine)
    if solved is None:
        return None
    value, x = solved
    mean_end = {}
    whole: dict[str, int | None] = {}
    for pid, e_ in ends.items():
        share = sum(x[c] for c in e_.cols.values())
        if share > 1e-6:
            mean_end[pid] = sum(e * x[c] for e, c in e_.cols.items()) / share
        if e_.deferred is not None and x[e_.deferred] >= WHOLE:
            whole[pid] = None
        else:
            for e, c in e_.cols.items():
                if x[c] >= WHOLE:  # (at most one end can hold 0.99 of the project)
                    whole[pid] = e
                    break
    bound = max(0, math.ceil(value - EPSILON * max(1.0, abs(value))))
    return LpBound(bound, mean_end, whole=whole)
