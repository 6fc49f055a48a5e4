"""The CP-SAT model of MODEL.md, one function per rule family; solver/cpsat.py searches it.

Formulation (kept small for thousands of projects): every project has a start boolean per year of its
feasible window (solver/windows.py) and, without a profile, an end boolean per year of its end window, an
"active" boolean per year (started by t and not ended before t, so activity is one contiguous run) and an
integer draw per year tied to activity by the annual bounds. A profile project needs no end, activity or
draw variables: its draws are fixed multiples of its start booleans. `scheduled` is the sum of the start
booleans (the constant 1 when the project must be scheduled). Precedence is "started by t ⇒ predecessor
ended by t − 1" for every t, which also stops successors of a deferred project. Caps bind a per-year spend
variable, cumulatively with carryover. The objective puts each project's weighted slippage directly on its
end booleans.

v2 (funding sources): each year's draw of a project splits into integer shares y_{i,k,t} ≥ 0 over its
allowed sources (`_add_source_split`; a project with one allowed source needs none: its draw is that
source's share); each listed source's shares sum to within the project's min..max (`_add_funding_limits`);
each source's shares obey its caps (`_add_source_caps`). Redundant but strong: a project that has ended
by t has drawn by t from each group of its sources at least what the group must give it, and one that has
not started before t draws it from t on (`_add_source_floors`). A v1 problem gets none of these: its
model is exactly v1's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from solver import sat
from solver.problem import Problem, Project
from solver.solution import ProjectSchedule, Solution
from solver.windows import Window, draw_ceilings, source_caps, source_groups

Terms = list[tuple[int, sat.IntVar]]  # Σ coefficient · variable
# An affine expression of our models: a LinearExpr (IntVar included) or a constant. Narrower than
# ortools' LinearExprT, whose numpy integer members leave `+` and `-` between two of them untyped.
Expr: TypeAlias = sat.LinearExpr | int


@dataclass(slots=True)
class ProjectVars:
    """The CP variables of one project. `scheduled` is 0/1 constant or a boolean variable."""

    project: Project
    window: Window
    scheduled: sat.IntVar | int
    starts: dict[int, sat.IntVar] = field(default_factory=dict)
    ends: dict[int, sat.IntVar] = field(default_factory=dict)  # non-profile only
    active: dict[int, sat.IntVar] = field(default_factory=dict)  # non-profile only
    draws: dict[int, sat.IntVar] = field(default_factory=dict)  # non-profile only
    shares: dict[tuple[str, int], Terms] = field(default_factory=dict)  # v2: (source, year) → its y terms
    share_vars: dict[tuple[str, int], sat.IntVar] = field(default_factory=dict)  # v2, 2+ sources

    def started_by(self, year: int) -> Expr:
        return sum(v for s, v in self.starts.items() if s <= year)

    def ended_by(self, year: int) -> Expr:
        if self.project.profile is not None:
            d = len(self.project.profile)
            return sum(v for s, v in self.starts.items() if s + d - 1 <= year)
        return sum(v for e, v in self.ends.items() if e <= year)

    def end_terms(self) -> list[tuple[int, sat.IntVar]]:
        """(end year, literal) pairs: exactly one is true when the project is scheduled."""
        if self.project.profile is not None:
            d = len(self.project.profile)
            return [(s + d - 1, v) for s, v in self.starts.items()]
        return list(self.ends.items())

    def draw_terms(self) -> dict[int, list[tuple[int, sat.IntVar]]]:
        """year → [(coefficient, variable)] whose sum is the project's draw that year."""
        terms: dict[int, list[tuple[int, sat.IntVar]]] = {}
        if self.project.profile is not None:
            for s, v in self.starts.items():
                for k, amount in enumerate(self.project.profile):
                    if amount:
                        terms.setdefault(s + k, []).append((amount, v))
        else:
            for t, x in self.draws.items():
                terms.setdefault(t, []).append((1, x))
        return terms


@dataclass(slots=True)
class Model:
    """The CP model and its variable holder."""

    problem: Problem
    model: sat.CpModel
    projects: dict[str, ProjectVars]
    spend: dict[int, sat.IntVar]
    extra: dict[int, sat.IntVar]  # elastic money per year (empty unless elastic)
    slippage: Expr = 0
    deferral: Expr = 0
    source_spend: dict[tuple[str, int], sat.IntVar] = field(default_factory=dict)  # v2
    source_extra: dict[tuple[str, int], sat.IntVar] = field(default_factory=dict)  # v2, elastic

    def all_extra(self) -> Expr:
        """Σ of every elastic amount: on the total caps and, in v2, on the sources' caps."""
        return sum(self.extra.values()) + sum(self.source_extra.values())


# ---------------------------------------------------------------- model, one function per rule family


def _add_windows(m: Model, windows: dict[str, Window]) -> None:
    """Start (and end) booleans over each project's feasible window; `scheduled` = Σ starts = Σ ends."""
    for project in m.problem.projects:
        w, pid = windows[project.id], project.id
        if not w.open:  # cannot be scheduled: deferred (an infeasible `must` never reaches the model)
            m.projects[pid] = ProjectVars(project, w, 0)
            continue
        scheduled = 1 if w.must else m.model.new_bool_var(f"{pid}_scheduled")
        pv = ProjectVars(project, w, scheduled)
        pv.starts = {s: m.model.new_bool_var(f"{pid}_start_{s}") for s in range(w.start_lo, w.start_hi + 1)}
        m.model.add(sum(pv.starts.values()) == scheduled)
        if project.profile is None:
            pv.ends = {e: m.model.new_bool_var(f"{pid}_end_{e}") for e in range(w.end_lo, w.end_hi + 1)}
            m.model.add(sum(pv.ends.values()) == scheduled)
        m.projects[pid] = pv


def _add_activity(m: Model) -> None:
    """Non-profile projects: active in t ⇔ started by t and not ended before t; duration within bounds."""
    for pid, pv in m.projects.items():
        if pv.project.profile is not None or not pv.starts:
            continue
        w = pv.window
        for t in range(w.start_lo, w.end_hi + 1):
            a = m.model.new_bool_var(f"{pid}_active_{t}")
            m.model.add(a == pv.started_by(t) - pv.ended_by(t - 1))
            pv.active[t] = a
        # An end before the start would make some year's activity −1; the least duration rules out e = s − 1.
        years = sum(pv.active.values())
        m.model.add(years >= w.min_dur * pv.scheduled)
        m.model.add(years <= w.max_dur * pv.scheduled)


def _add_annual_draws(m: Model, *, elastic: bool) -> None:
    """Non-profile projects: min_annual ≤ x_t ≤ max_annual in active years, 0 otherwise; Σ x_t = cost."""
    caps = _draw_caps(m.problem, elastic=elastic)
    by_source = source_caps(m.problem)
    for pid, pv in m.projects.items():
        if pv.project.profile is not None or not pv.starts:
            continue
        p, w = pv.project, pv.window
        lo = p.min_annual_or_default()
        hi = min(p.max_annual_or_default(), p.cost - lo * (w.min_dur - 1))
        ceiling = caps if elastic else draw_ceilings(m.problem, p, caps, by_source)
        for t, a in pv.active.items():
            x = m.model.new_int_var(0, max(0, min(hi, ceiling[t])), f"{pid}_draw_{t}")
            m.model.add(x >= lo * a)
            m.model.add(x <= hi * a)
            pv.draws[t] = x
        m.model.add(sum(pv.draws.values()) == p.cost * pv.scheduled)
        # Redundant but strong for the LP: a project ended by t has drawn its whole cost by t.
        paid: Expr = 0
        for t in sorted(pv.draws):
            paid = paid + pv.draws[t]
            if t in pv.ends or (t >= w.end_lo and t < w.end_hi):
                m.model.add(paid >= p.cost * pv.ended_by(t))


def _draw_caps(problem: Problem, *, elastic: bool) -> dict[int, int]:
    """The most any one project can draw in a year: its cap, or with carryover all caps so far (no limit
    in the elastic model, where caps can grow)."""
    caps, total = {}, 0
    for t in problem.years:
        total += problem.budget[t]
        caps[t] = total if problem.carryover else problem.budget[t]
        if elastic:
            caps[t] = max((p.cost for p in problem.projects), default=0)
    return caps


def _add_precedence(m: Model) -> None:
    """s_j ≥ e_i + 1: for every t, j started by t ⇒ i ended by t − 1 (so a deferred i defers j)."""
    for pv in m.projects.values():
        for pred in pv.project.after:
            pred_vars = m.projects[pred]
            for t in pv.starts:
                m.model.add(pv.started_by(t) <= pred_vars.ended_by(t - 1))


def _add_budget_caps(m: Model, *, elastic: bool) -> None:
    """spend_t = Σ draws; spend_t ≤ B_t (+ extra_t when elastic), or cumulatively with carryover."""
    problem = m.problem
    terms: dict[int, list[tuple[int, sat.IntVar]]] = {t: [] for t in problem.years}
    for pv in m.projects.values():
        for t, pairs in pv.draw_terms().items():
            terms[t].extend(pairs)
    total_cost = sum(p.cost for p in problem.projects)
    cum_cap: Expr = 0
    cum_spend: Expr = 0
    for t in problem.years:
        spend = m.model.new_int_var(0, total_cost, f"spend_{t}")
        m.model.add(spend == sat.LinearExpr.weighted_sum([v for _, v in terms[t]], [c for c, _ in terms[t]]))
        m.spend[t] = spend
        cap: Expr = problem.budget[t]
        if elastic:
            m.extra[t] = m.model.new_int_var(0, total_cost, f"extra_money_{t}")
            cap = cap + m.extra[t]
        cum_cap = cum_cap + cap
        cum_spend = cum_spend + spend
        m.model.add(cum_spend <= cum_cap if problem.carryover else spend <= cap)


def _add_source_split(m: Model, *, elastic: bool) -> None:
    """v2: x_{i,t} = Σ_k y_{i,k,t} over the project's allowed sources, y integer ≥ 0 (sources not allowed
    get no share). With one allowed source the draw itself is its share."""
    problem = m.problem
    if not problem.sources:
        return
    by_source = source_caps(problem)
    for pid, pv in m.projects.items():
        if not pv.starts:
            continue
        p = pv.project
        allowed = p.allowed_sources(problem.sources)
        for t, pairs in pv.draw_terms().items():
            if len(allowed) == 1:
                pv.shares[(allowed[0], t)] = pairs
                continue
            top = max(c * _upper(v) for c, v in pairs)  # a profile project has one start: its largest draw
            shares = []
            for k in allowed:
                most = min(top, p.funding_limits(k)[1], top if elastic else by_source[k][t])
                if most <= 0:
                    continue
                y = m.model.new_int_var(0, most, f"{pid}_{k}_draw_{t}")
                pv.shares[(k, t)] = [(1, y)]
                pv.share_vars[(k, t)] = y
                shares.append(y)
            m.model.add(sum(shares) == _weighted(pairs))


def _upper(v: sat.IntVar) -> int:
    return max(v.proto.domain)  # (the proto's repeated field reads [-1] as 0)


def _weighted(pairs: Terms) -> Expr:
    return sat.LinearExpr.weighted_sum([v for _, v in pairs], [c for c, _ in pairs])


def _add_funding_limits(m: Model) -> None:
    """v2: for each listed {source, min, max} of a project, min·scheduled ≤ Σ_t y_{i,k,t} ≤ max (a
    deferred project draws nothing, so its shares are 0 already)."""
    for pv in m.projects.values():
        if not pv.starts or pv.project.funding is None:
            continue
        for rule in pv.project.funding:
            pairs = [pair for (k, _), terms in pv.shares.items() if k == rule.source for pair in terms]
            total = _weighted(pairs) if pairs else 0
            if rule.min:
                m.model.add(total >= rule.min * pv.scheduled)
            if rule.max is not None and rule.max < pv.project.cost:
                m.model.add(total <= rule.max)


def _add_source_floors(m: Model) -> None:
    """v2, redundant (every schedule obeys it; it strengthens the LP): for each group K' of a project's
    sources that must give it need(K') > 0 (`source_groups`), ended by t ⇒ drawn from K' by t at least
    need(K'), and not started before t ⇒ drawn from K' from t on at least need(K')."""
    if not m.problem.sources:
        return
    for pv in m.projects.values():
        if not pv.starts or not pv.share_vars:
            continue
        allowed = pv.project.allowed_sources(m.problem.sources)
        ends = sorted(e for e, _ in pv.end_terms())
        years = sorted({t for _, t in pv.shares})
        for group, need in source_groups(pv.project, allowed):
            by_year = {t: [pair for k in group for pair in pv.shares.get((k, t), ())] for t in years}
            drawn: Terms = []
            for t in years:
                drawn = drawn + by_year[t]
                if ends[0] <= t < ends[-1] and drawn:
                    m.model.add(_weighted(drawn) >= need * pv.ended_by(t))
            later: Terms = []
            for t in reversed(years):
                later = later + by_year[t]
                if min(pv.starts) < t <= max(pv.starts) and later:
                    m.model.add(_weighted(later) >= need * (pv.scheduled - pv.started_by(t - 1)))


def _add_source_caps(m: Model, *, elastic: bool) -> None:
    """v2: draw_{k,t} = Σ_i y_{i,k,t} ≤ S_{k,t} (+ extra when elastic), or cumulatively with the source's
    carryover."""
    problem = m.problem
    for source in problem.sources:
        k = source.id
        terms: dict[int, Terms] = {t: [] for t in problem.years}
        for pv in m.projects.values():
            for (sk, t), pairs in pv.shares.items():
                if sk == k:
                    terms[t].extend(pairs)
        most = sum(p.cost for p in problem.projects)
        cum_cap: Expr = 0
        cum_spend: Expr = 0
        for t in problem.years:
            spend = m.model.new_int_var(0, most, f"{k}_spend_{t}")
            m.model.add(spend == _weighted(terms[t]))
            m.source_spend[(k, t)] = spend
            cap: Expr = source.budget[t]
            if elastic:
                m.source_extra[(k, t)] = m.model.new_int_var(0, most, f"{k}_extra_money_{t}")
                cap = cap + m.source_extra[(k, t)]
            cum_cap = cum_cap + cap
            cum_spend = cum_spend + spend
            m.model.add(cum_spend <= cum_cap if source.carryover else spend <= cap)


def _objective_terms(m: Model) -> None:
    """Weighted slippage on the end literals; defer_penalty on not-scheduled."""
    slip_vars, slip_coefs, penalty = [], [], 0
    defer_vars, defer_coefs = [], []
    for pv in m.projects.values():
        p = pv.project
        for end, lit in pv.end_terms():
            cost = p.weight * max(0, end - p.planned_end)
            if cost:
                slip_vars.append(lit)
                slip_coefs.append(cost)
        if isinstance(pv.scheduled, int):
            penalty += p.defer_penalty * (1 - pv.scheduled)
        elif p.defer_penalty:
            defer_vars.append(pv.scheduled)
            defer_coefs.append(-p.defer_penalty)
            penalty += p.defer_penalty
    m.slippage = sat.LinearExpr.weighted_sum(slip_vars, slip_coefs)
    m.deferral = sat.LinearExpr.weighted_sum(defer_vars, defer_coefs) + penalty


def build(problem: Problem, windows: dict[str, Window], *, elastic: bool = False) -> Model:
    """The whole model. Windows first: every other rule refers to the start/end booleans they create."""
    m = Model(problem, sat.CpModel(), {}, {}, {})
    _add_windows(m, windows)
    _add_activity(m)
    _add_annual_draws(m, elastic=elastic)
    _add_source_split(m, elastic=elastic)  # after the draws it splits
    _add_funding_limits(m)
    _add_source_floors(m)
    _add_precedence(m)
    _add_budget_caps(m, elastic=elastic)
    _add_source_caps(m, elastic=elastic)
    _objective_terms(m)
    return m


def finish_early(m: Model) -> Expr:
    """Tie-break: Σ over projects of years from the horizon's start to the end (H + 1 when deferred)."""
    h = m.problem.horizon_years
    vars_, coefs, constant = [], [], 0
    for pv in m.projects.values():
        for end, lit in pv.end_terms():
            vars_.append(lit)
            coefs.append(end - m.problem.first_year + 1 - (h + 1))
        constant += h + 1  # deferred unless an end literal is true
    return sat.LinearExpr.weighted_sum(vars_, coefs) + constant


def hold_ends(m: Model, schedule: tuple[ProjectSchedule, ...]) -> bool:
    """Fix each project's outcome to the schedule's: deferred stays deferred, a scheduled project ends in
    its end year (a profile project starts in its start year); draws, starts and the split stay free. So the
    objective is the schedule's. False, with nothing added, when a project's outcome is outside this
    model's windows."""
    by_id = {s.id: s for s in schedule}
    fixes: list[tuple[sat.IntVar | int, int]] = []
    for pid, pv in m.projects.items():
        sched = by_id.get(pid)
        if sched is None:
            return False
        if not sched.scheduled:
            fixes.append((pv.scheduled, 0))
            continue
        start, end = sched.span
        literal = pv.starts.get(start) if pv.project.profile is not None else pv.ends.get(end)
        if literal is None:
            return False
        fixes.append((literal, 1))
    if any(isinstance(var, int) and var != value for var, value in fixes):
        return False
    for var, value in fixes:
        if not isinstance(var, int):
            m.model.add(var == value)
    return True


def add_hint(m: Model, hint: Solution) -> None:
    """Warm start from a schedule (old hints cleared first): starts, ends, activity and draws."""
    m.model.clear_hints()
    by_id = {p.id: p for p in hint.projects}
    for pid, pv in m.projects.items():
        sched = by_id.get(pid)
        span = None
        if sched is not None and sched.scheduled and sched.start is not None and sched.end is not None:
            span = (sched.start, sched.end)
        if not isinstance(pv.scheduled, int):
            m.model.add_hint(pv.scheduled, span is not None)
        for s, v in pv.starts.items():
            m.model.add_hint(v, span is not None and s == span[0])
        for e, v in pv.ends.items():
            m.model.add_hint(v, span is not None and e == span[1])
        for t, v in pv.active.items():
            m.model.add_hint(v, span is not None and span[0] <= t <= span[1])
        funding = sched.funding if sched is not None and span is not None else {}
        sources = sched.sources if sched is not None and span is not None else {}
        for t, v in pv.draws.items():
            m.model.add_hint(v, funding.get(t, 0))
        for (k, t), v in pv.share_vars.items():
            m.model.add_hint(v, sources.get(t, {}).get(k, 0))


def extract(m: Model, values: list[int]) -> tuple[ProjectSchedule, ...]:
    """The schedule from CP-SAT's solution vector."""
    out = []
    for pid, pv in m.projects.items():
        p = pv.project
        start = next((s for s, v in pv.starts.items() if values[v.index]), None)
        if start is None:
            out.append(ProjectSchedule(pid, False, None, None, None, {}))
            continue
        if p.profile is not None:
            end = start + len(p.profile) - 1
            funding = {start + k: amount for k, amount in enumerate(p.profile)}
        else:
            end = next(e for e, v in pv.ends.items() if values[v.index])
            funding = {t: values[pv.draws[t].index] for t in range(start, end + 1)}
        sources = _split_of(pv, funding, values)
        out.append(ProjectSchedule(pid, True, start, end, max(0, end - p.planned_end), funding, sources))
    return tuple(out)


def _split_of(pv: ProjectVars, funding: dict[int, int], values: list[int]) -> dict[int, dict[str, int]]:
    """v2: year → source → share (non-zero only); a one-source project's share is its draw."""
    split: dict[int, dict[str, int]] = {}
    for (k, t), pairs in pv.shares.items():
        amount = values[pv.share_vars[(k, t)].index] if (k, t) in pv.share_vars else funding.get(t, 0)
        if amount and pairs:
            split.setdefault(t, {})[k] = amount
    return {t: split[t] for t in sorted(split)}
