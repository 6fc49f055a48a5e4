"""MODEL.md as a mixed-integer program, searched by HiGHS beside CP-SAT on medium portfolios.

Why: on the 200-project benchmark CP-SAT on the whole model stopped at 232 / 148 (tightness 0.6 / 0.8)
against bounds 228 / 143 however long it ran. This MIP, solved by HiGHS with one thread, proves the optima
229 and 145 in 7.7 and 13.3 s and finds them or a schedule within 1 % of its bound in 6–8 s
(bench/RESULTS.md). Without the money-flow rows below it is a far weaker MIP (root bound 137 instead of
143 at 0.8; 145 found after 39 s, proven after 54 s).

Formulation, per project i over its window (solver/windows.py):
- S[i,s] ∈ {0,1}: i starts in s; E[i,e] ∈ {0,1}: i ends in e (a profile project's end follows from its
  start); D[i] ∈ {0,1}: i is deferred (only when it may be). Σ_s S = Σ_e E = 1 − D.
- Duration: ended by t ⇒ started by t − least + 1; started by t ⇒ ended by t + most − 1.
- Activity a[i,t] = started by t − ended by t − 1 (0/1 at every integer point); the draw x[i,t] ≥ 0 has
  min_annual·a ≤ x ≤ top·a (top = the largest draw CP-SAT allows too) and Σ_t x = cost·(1 − D).
  A profile project's draws are its profile placed by S.
- Money-flow rows of solver/bound.py: drawn by t between the least and most any schedule ending in e can
  have drawn, Σ_e L[e,t]·E ≤ Σ_{τ≤t} x ≤ Σ_e U[e,t]·E. Every schedule satisfies them, so they cut off no
  schedule; they are what makes the relaxation strong.
- Precedence: j started by t ⇒ each predecessor ended by t − 1 (a deferred predecessor defers j).
- Caps per year, or cumulatively with carryover. Objective: weighted slippage on E plus defer penalties.
- v2 (funding sources): a project with two or more allowed sources splits each year's draw into
  continuous shares y[i,k,t] ≥ 0 (one allowed source: the draw is its share); each listed source's shares
  sum to within [min·(1 − D), max]; each source's shares obey its caps, cumulatively with its carryover;
  and the redundant source floors of solver/cpmodel.py.

The 0/1 columns are integral; the draws are continuous. Once the 0/1 columns are fixed, what remains is a
flow (money from each project's cost to the years it is active in, within its annual bounds, into the
years' caps, carried forward with carryover) with integer data, so integral draws exist whenever
continuous ones do: a pattern HiGHS finds is a schedule once CP-SAT has chosen the integral draws
(solver/cpsat.py). And every schedule of MODEL.md is a point of this MIP with the same objective, so
HiGHS's dual bound, rounded up, is a valid bound.

With funding sources the fixed-pattern remainder is no longer a flow (a share y[i,k,t] sits in three sums:
over sources for the draw, over years for the project's limit, over projects for the source's cap), so a
pattern whose continuous shares have no whole-万元 split does not become a schedule and is dropped, like
one outside HiGHS's tolerances; the bound stays valid (every schedule is still a point of this MIP).

highspy is optional: without it solve() searches with CP-SAT alone (solver/search.py `highs_installed`
looks for it without importing this module).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.bound import EPSILON, Lp, draw_caps, envelope
from solver.problem import Problem, Project
from solver.solution import ProjectSchedule
from solver.windows import Window, draw_ceilings, source_caps, source_groups

try:
    import highspy
    import numpy as np
except ImportError:  # pragma: no cover - exercised only where highspy is absent
    highspy = None  # type: ignore[assignment]  # optional dependency: None when absent

ABS_GAP = 0.999  # the objective is integral: a gap below 1 is a proof
if highspy is not None:
    _IMPROVING = highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution
    _INTERRUPT = highspy.cb.HighsCallbackType.kCallbackMipInterrupt
    _USER_SOLUTION = highspy.cb.HighsCallbackType.kCallbackMipUserSolution


@dataclass(slots=True)
class _Columns:
    """One project's columns: start and end year → 0/1 column, year → draw column, deferral column."""

    project: Project
    starts: dict[int, int] = field(default_factory=dict)
    ends: dict[int, int] = field(default_factory=dict)  # a profile project's: start column by end year
    draws: dict[int, int] = field(default_factory=dict)  # non-profile only
    deferred: int | None = None
    shares: dict[tuple[str, int], int] = field(default_factory=dict)  # v2, 2+ allowed sources: y column
    draw: dict[int, dict[int, float]] = field(default_factory=dict)  # year → column → coefficient


@dataclass(frozen=True, slots=True)
class Pattern:
    """A MIP point as a schedule shape: each project's (start, end), None when deferred, and the MIP's
    draws (continuous: solver/cpsat.py makes them integral)."""

    objective: int
    spans: dict[str, tuple[int, int] | None]
    draws: dict[str, dict[int, float]]


@dataclass(frozen=True, slots=True)
class MipOutcome:
    """The best pattern found (None if none), HiGHS's bound rounded up (None if it has none) and whether
    the pattern is proven optimal, or that the problem is infeasible."""

    best: Pattern | None
    bound: int | None
    proven: bool
    infeasible: bool = False  # proven: no schedule exists


class Mip:
    """The MIP of `problem` (see module docstring), built once and searched by `run`."""

    def __init__(self, problem: Problem, windows: dict[str, Window]) -> None:
        self.problem = problem
        self.lp = Lp()
        self.integral: list[int] = []
        self.columns: dict[str, _Columns] = {}
        self.found: list[Pattern] = []  # each better pattern HiGHS reports, in order
        self.dual: int | None = None  # HiGHS's latest bound, rounded up
        self._highs_optimal = False  # HiGHS's last run ended with a proof
        self._offered: list[float] | None = None  # a schedule for the running search to take (`offer`)
        self._offer_lock = threading.Lock()  # `offer` runs on another thread than HiGHS's callback
        self._spend: dict[int, dict[int, float]] = {t: {} for t in problem.years}
        # v2: (source, year) → column → coefficient of what the source gives in that year
        self._source_spend: dict[tuple[str, int], dict[int, float]] = {}
        caps, by_source = draw_caps(problem), source_caps(problem)
        for p in problem.projects:
            w = windows[p.id]
            if not w.open:  # no schedule can fund it: deferred
                self.lp.constant += p.defer_penalty
                continue
            if p.profile is not None:
                self._add_profile(p, w, p.profile)
            else:
                self._add_drawn(p, w, draw_ceilings(problem, p, caps, by_source))
            c = self.columns[p.id]
            for t, terms in c.draw.items():
                _add_to(self._spend[t], terms)
            if problem.sources:
                self._add_split(c, by_source)
        self._add_precedence()
        self._add_caps()
        self._add_source_caps()

    # ------------------------------------------------------------ building

    def _binary(self, cost: float = 0.0) -> int:
        col = self.lp.col(0.0, 1.0, cost)
        self.integral.append(col)
        return col

    def _slip(self, p: Project, end: int) -> float:
        return float(p.weight * max(0, end - p.planned_end))

    def _one(self, p: Project, w: Window, c: _Columns) -> None:
        """Σ starts = 1 − deferred."""
        row = dict.fromkeys(c.starts.values(), 1.0)
        if not w.must:
            c.deferred = self._binary(float(p.defer_penalty))
            row[c.deferred] = 1.0
        self.lp.row(row, 1.0, 1.0)

    def _add_profile(self, p: Project, w: Window, profile: tuple[int, ...]) -> None:
        d = len(profile)
        c = _Columns(p)
        for s in range(w.start_lo, min(w.start_hi, w.end_hi - d + 1) + 1):
            c.starts[s] = self._binary(self._slip(p, s + d - 1))
            c.ends[s + d - 1] = c.starts[s]
            for k, amount in enumerate(profile):
                if amount:
                    year = c.draw.setdefault(s + k, {})
                    year[c.starts[s]] = year.get(c.starts[s], 0.0) + amount
        self._one(p, w, c)
        self.columns[p.id] = c

    def _add_drawn(self, p: Project, w: Window, caps: dict[int, int]) -> None:
        lp = self.lp
        c = _Columns(p)
        c.starts = {s: self._binary() for s in range(w.start_lo, w.start_hi + 1)}
        c.ends = {e: self._binary(self._slip(p, e)) for e in range(w.end_lo, w.end_hi + 1)}
        self._one(p, w, c)
        same = dict.fromkeys(c.starts.values(), 1.0)
        for col in c.ends.values():
            same[col] = -1.0
        lp.row(same, 0.0, 0.0)
        lo = p.min_annual_or_default()
        hi = min(p.max_annual_or_default(), p.cost - lo * (w.min_dur - 1))
        bounds = {e: envelope(self.problem, p, w, e, caps) for e in c.ends}
        paid: dict[int, float] = {}
        for t in self.problem.years:
            ended = {col: 1.0 for e, col in c.ends.items() if e <= t}
            started = {col: 1.0 for s, col in c.starts.items() if s <= t}
            lp.row(
                _minus(ended, {col for s, col in c.starts.items() if s <= t - w.min_dur + 1}), -math.inf, 0
            )
            lp.row(
                _minus(started, {col for e, col in c.ends.items() if e <= t + w.max_dur - 1}), -math.inf, 0
            )
            active = _minus(started, {col for e, col in c.ends.items() if e <= t - 1})
            if any(active.values()):
                top = max(0, min(hi, caps[t]))
                x = lp.col(0.0, float(top))
                c.draws[t] = x
                lp.row({x: 1.0, **{col: -top * v for col, v in active.items()}}, -math.inf, 0.0)
                lp.row({x: 1.0, **{col: -lo * v for col, v in active.items()}}, 0.0, math.inf)
                c.draw[t] = {x: 1.0}
                paid[x] = 1.0
            lp.row({**paid, **{col: -float(bounds[e][0][t]) for e, col in c.ends.items()}}, 0.0, math.inf)
            lp.row({**paid, **{col: -float(bounds[e][1][t]) for e, col in c.ends.items()}}, -math.inf, 0.0)
        total = dict.fromkeys(c.draws.values(), 1.0)
        if c.deferred is not None:
            total[c.deferred] = float(p.cost)
        lp.row(total, float(p.cost), float(p.cost))
        self.columns[p.id] = c

    def _add_split(self, c: _Columns, by_source: dict[str, dict[int, int]]) -> None:
        """v2: the year's draw (columns → coefficients) = Σ of its shares over allowed sources; each listed
        source's shares within [min·(1 − D), max]."""
        p = c.project
        allowed = p.allowed_sources(self.problem.sources)
        given: dict[str, dict[int, float]] = {k: {} for k in allowed}  # source → its shares' columns
        for t, terms in sorted(c.draw.items()):
            if len(allowed) == 1:
                _add_to(self._source_spend.setdefault((allowed[0], t), {}), terms)
                _add_to(given[allowed[0]], terms)
                continue
            top = max(self.lp.col_hi[col] * v for col, v in terms.items())
            row = {col: -v for col, v in terms.items()}
            for k in allowed:
                most = min(top, p.funding_limits(k)[1], by_source[k][t])
                if most <= 0:
                    continue
                y = self.lp.col(0.0, float(most))
                c.shares[(k, t)] = y
                row[y] = 1.0
                self._source_spend.setdefault((k, t), {})[y] = 1.0
                given[k][y] = 1.0
            self.lp.row(row, 0.0, 0.0)
        for rule in p.funding or ():
            terms = dict(given[rule.source])
            if rule.min:
                if c.deferred is not None:
                    terms[c.deferred] = terms.get(c.deferred, 0.0) + float(rule.min)
                self.lp.row(terms, float(rule.min), math.inf)
            if rule.max is not None and rule.max < p.cost:
                self.lp.row(dict(given[rule.source]), -math.inf, float(rule.max))
        if c.shares:
            self._add_source_floors(c, allowed)

    def _add_source_floors(self, c: _Columns, allowed: tuple[str, ...]) -> None:
        """v2, redundant (as in solver/cpmodel.py): ended by t ⇒ drawn from each group K' of the project's
        sources by t at least need(K'); not started before t ⇒ drawn from K' from t on at least need(K')."""
        years = sorted({t for _, t in c.shares})
        for group, need in source_groups(c.project, allowed):
            by_year = {t: {c.shares[(k, t)]: 1.0 for k in group if (k, t) in c.shares} for t in years}
            drawn: dict[int, float] = {}
            for t in years:
                drawn.update(by_year[t])
                ended = {col: -float(need) for e, col in c.ends.items() if e <= t}
                if drawn and ended and len(ended) < len(c.ends):
                    self.lp.row({**drawn, **ended}, 0.0, math.inf)
            later: dict[int, float] = {}
            for t in reversed(years):
                later.update(by_year[t])
                before = [col for s, col in c.starts.items() if s < t]
                if later and before and len(before) < len(c.starts):
                    # Σ later ≥ need·(1 − D − started before t) = need·(starts from t on)
                    row = dict(later)
                    for s, col in c.starts.items():
                        if s >= t:
                            row[col] = row.get(col, 0.0) - float(need)
                    self.lp.row(row, 0.0, math.inf)

    def _add_source_caps(self) -> None:
        """v2: each source's shares within its caps, cumulatively with its carryover."""
        for source in self.problem.sources:
            cum: dict[int, float] = {}
            total = 0
            for t in self.problem.years:
                total += source.budget[t]
                spend = self._source_spend.get((source.id, t), {})
                if source.carryover:
                    _add_to(cum, spend)
                    self.lp.row(dict(cum), -math.inf, float(total))
                else:
                    self.lp.row(spend, -math.inf, float(source.budget[t]))

    def _add_precedence(self) -> None:
        for c in self.columns.values():
            for pred in c.project.after:
                pc = self.columns.get(pred)
                for t in c.starts:
                    started = {col: 1.0 for s, col in c.starts.items() if s <= t}
                    ended = {col for e, col in pc.ends.items() if e <= t - 1} if pc is not None else set()
                    self.lp.row(_minus(started, ended), -math.inf, 0.0)

    def _add_caps(self) -> None:
        cum: dict[int, float] = {}
        total = 0
        for t in self.problem.years:
            total += self.problem.budget[t]
            if self.problem.carryover:
                for col, v in self._spend[t].items():
                    cum[col] = cum.get(col, 0.0) + v
                self.lp.row(dict(cum), -math.inf, float(total))
            else:
                self.lp.row(self._spend[t], -math.inf, float(self.problem.budget[t]))

    # ------------------------------------------------------------ between schedules and points

    def point(self, projects: tuple[ProjectSchedule, ...]) -> list[float]:
        """A schedule as a full column vector (HiGHS's start)."""
        x = [0.0] * len(self.lp.col_lo)
        by_id = {s.id: s for s in projects}
        for pid, c in self.columns.items():
            sched = by_id.get(pid)
            if sched is None or not sched.scheduled:
                if c.deferred is not None:
                    x[c.deferred] = 1.0
                continue
            start, end = sched.span
            for col in (c.starts.get(start), c.ends.get(end)):
                if col is not None:
                    x[col] = 1.0
            for t, col in c.draws.items():
                x[col] = float(sched.funding.get(t, 0))
            for (k, t), col in c.shares.items():
                x[col] = float(sched.sources.get(t, {}).get(k, 0))
        return x

    def pattern(self, x, objective: float) -> Pattern:
        """A MIP point as (start, end) per project and its draws."""
        spans: dict[str, tuple[int, int] | None] = {}
        draws: dict[str, dict[int, float]] = {}
        for pid, c in self.columns.items():
            if sum(x[col] for col in c.starts.values()) < 0.5:
                spans[pid] = None
                continue
            # the largest column, not "the one above 0.5": a point at the edge of HiGHS's tolerances gives a
            # pattern that may fail to become a schedule (then it is dropped), never an exception here
            start = max(c.starts, key=lambda s: x[c.starts[s]])
            if c.project.profile is not None:
                spans[pid] = (start, start + len(c.project.profile) - 1)
            else:
                spans[pid] = (start, max(c.ends, key=lambda e: x[c.ends[e]]))
                draws[pid] = {t: float(x[col]) for t, col in c.draws.items() if x[col] > 0}
        for p in self.problem.projects:
            spans.setdefault(p.id, None)  # no window: deferred
        # the point's own objective, not the one HiGHS reports with it: given a start, HiGHS 1.16 has been
        # seen to report the start's columns with a better solution's objective (tests/solver/test_mip.py)
        own = sum(cost * x[col] for col, cost in enumerate(self.lp.col_cost) if cost)
        return Pattern(round(own + self.lp.constant), spans, draws)

    # ------------------------------------------------------------ search

    def offer(self, projects: tuple[ProjectSchedule, ...]) -> None:
        """A schedule found elsewhere while HiGHS runs (another thread): HiGHS takes it as a solution at its
        next user-solution checkpoint, as if given as `start` (a later offer replaces one not yet taken)."""
        point = self.point(projects)
        with self._offer_lock:
            self._offered = point

    def run(
        self,
        *,
        time_limit: float,
        should_stop: Callable[[], bool],
        start: tuple[ProjectSchedule, ...] | None = None,
        on_improve: Callable[[Pattern, int | None], None] | None = None,
    ) -> MipOutcome:
        """Search with HiGHS (one thread) until proven, `time_limit` seconds or `should_stop()` says so
        (asked many times a second). Each better pattern is passed to `on_improve` with HiGHS's bound at
        that moment, as found (on HiGHS's thread)."""
        if not self.lp.col_lo:  # no project can be scheduled: all deferred is the only pattern
            only = self.pattern([], 0.0)
            return MipOutcome(only, only.objective, True)
        started = time.monotonic()
        found = self._search(time_limit, should_stop, start, on_improve)
        if start is not None and found.bound is not None and not found.proven and found.best is not None:
            # HiGHS proved a bound its reported point does not reach (the start came back with a better
            # solution's objective): search once more without the start, in the time that is left
            left = time_limit - (time.monotonic() - started)
            if left > 0.05 and not should_stop() and self._highs_optimal:
                found = self._search(left, should_stop, None, on_improve)
        return found

    def _search(
        self,
        time_limit: float,
        should_stop: Callable[[], bool],
        start: tuple[ProjectSchedule, ...] | None,
        on_improve: Callable[[Pattern, int | None], None] | None,
    ) -> MipOutcome:
        """One HiGHS run (see `run`)."""
        h = _load(self.lp, self.integral, time_limit)
        if start is not None:
            x = self.point(start)
            h.setSolution(len(x), np.arange(len(x), dtype=np.int32), np.array(x, dtype=np.float64))
        failed: list[BaseException] = []  # raised inside a callback: stop HiGHS, raise it here

        def callback(kind, _message, out, data_in, _user_data) -> None:
            try:
                if kind == _IMPROVING:
                    found = self.pattern(np.array(out.mip_solution), out.objective_function_value)
                    self.dual = _rounded(out.mip_dual_bound + self.lp.constant)
                    self.found.append(found)
                    if on_improve is not None:
                        on_improve(found, self.dual)
                elif kind == _USER_SOLUTION:
                    with self._offer_lock:
                        offered, self._offered = self._offered, None
                    if offered is not None:
                        data_in.setSolution(np.array(offered, dtype=np.float64))
                elif kind == _INTERRUPT:
                    self.dual = _rounded(out.mip_dual_bound + self.lp.constant)
                    if failed or should_stop():
                        data_in.user_interrupt = True
            except BaseException as error:  # HiGHS's C++ cannot carry a Python exception
                failed.append(error)

        h.setCallback(callback, None)
        h.startCallback(_IMPROVING)
        h.startCallback(_INTERRUPT)
        h.startCallback(_USER_SOLUTION)
        h.run()
        if failed:
            raise failed[0]
        info = h.getInfo()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return MipOutcome(None, None, False, infeasible=True)
        self._highs_optimal = status == highspy.HighsModelStatus.kOptimal
        bound = _rounded(info.mip_dual_bound + self.lp.constant)
        if info.primal_solution_status == 2:  # kSolutionStatusFeasible: HiGHS's final incumbent
            self.found.append(
                self.pattern(np.array(h.getSolution().col_value), info.objective_function_value)
            )
        self.dual = bound
        return self.so_far()

    def so_far(self) -> MipOutcome:
        """What HiGHS has found and proven so far — also while it is still running (its thread may be
        left to finish a phase it does not interrupt, see solver/cpsat.py `_beside_highs`)."""
        winner = min(self.found, key=lambda b: b.objective) if self.found else None
        bound = self.dual
        # proven only when the pattern itself reaches the bound: HiGHS's own "optimal" is not enough
        # (its reported point may be a stale start, see `pattern`)
        if winner is not None and bound is not None and bound >= winner.objective:
            return MipOutcome(winner, winner.objective, True)
        return MipOutcome(winner, bound, False)


def _rounded(bound: float) -> int | None:
    """A dual bound rounded up (the objective is integral), guarded against solver tolerance; None if
    HiGHS has none yet."""
    if not math.isfinite(bound):
        return None
    return max(0, math.ceil(bound - EPSILON * max(1.0, abs(bound))))


def _add_to(row: dict[int, float], terms: dict[int, float]) -> None:
    for col, v in terms.items():
        row[col] = row.get(col, 0.0) + v


def _minus(plus: dict[int, float], minus: set[int]) -> dict[int, float]:
    row = dict(plus)
    for col in minus:
        row[col] = row.get(col, 0.0) - 1.0
    return row


def _load(lp: Lp, integral: list[int], time_limit: float):
    """`lp` as a HiGHS model (row-wise), `integral` columns 0/1, quiet, one thread, exact integral gap."""
    # highspy.Highs calls HiGHS in its constructor, before output_flag can be set, and so prints HiGHS's
    # banner to stdout once per process (ERGO-Code/HiGHS#1702, #2749); its base class has the same
    # bindings without that call.
    h = highspy._Highs()  # type: ignore[attr-defined]  # the base class is not in highspy's stubs
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", ABS_GAP)
    inf = highspy.kHighsInf
    starts: list[int] = [0]
    index: list[int] = []
    value: list[float] = []
    for coefs in lp.rows:
        index.extend(coefs.keys())
        value.extend(coefs.values())
        starts.append(len(index))
    n = len(lp.col_lo)
    kinds = np.zeros(n, dtype=np.int32)
    kinds[integral] = 1  # HighsVarType.kInteger
    h.passModel(
        n,
        len(lp.rows),
        len(index),
        2,  # MatrixFormat.kRowwise
        1,  # ObjSense.kMinimize
        0.0,
        np.array(lp.col_cost, dtype=np.float64),
        np.array(lp.col_lo, dtype=np.float64),
        np.minimum(np.array(lp.col_hi, dtype=np.float64), inf),
        np.maximum(np.array(lp.row_lo, dtype=np.float64), -inf),
        np.minimum(np.array(lp.row_hi, dtype=np.float64), inf),
        np.array(starts[:-1], dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=np.float64),
        kinds,
    )
    return h
