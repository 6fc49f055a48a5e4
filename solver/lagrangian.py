"""A lower bound for large portfolios: the annual caps priced instead of enforced (Lagrangian relaxation).

The money-flow LP of solver/bound.py gives the bound the neighbourhood search needs, but at 10,000
projects it has 235,000 columns and 400,000 rows and HiGHS needs tens of seconds for it. Here the caps —
the only rules that tie unrelated projects together — are moved into the objective with a price per year
z_t ≥ 0 (with carryover, a price per cumulative cap), so for fixed prices the problem falls apart into one
small problem per precedence tree, each solved exactly by enumeration:

    L(z) = Σ_trees min over the tree's schedules of Σ (weighted slippage + Σ_t p_t · draw_t) − Σ_t z_t · b_t

where p_t is the price of money drawn in year t (p = z without carryover; p_τ = Σ_{t ≥ τ} z_t with it) and
b_t the cap (cumulative with carryover). A project's schedules are its (start, end) pairs inside its window
(solver/windows.py) with its duration and draw limits, or deferral when it may be deferred; the cheapest
draws of a pair put the least annual draw in every year and the rest into the cheapest years first (the
per-year draw limit is the cap, as in the LP). Along `after` each project keeps one predecessor (a tree);
the precedence rows of the other predecessors are left out, which only weakens the bound.

Why it is a lower bound, for *any* prices z ≥ 0: take any schedule of MODEL.md. Its cost is its weighted
slippage; adding Σ_t z_t·(spend_t − b_t) ≤ 0 (it keeps every cap) can only lower it, and what results is
the sum over trees of that schedule's priced costs minus z·b — each at least the tree's minimum, which is
what L adds up. So L(z) ≤ every schedule's objective, and since objectives are integers, ⌈L − ε⌉ is a bound.
On the 2000-project benchmark its best value equals the money-flow LP's (2550.68 against 2550.69).

The best prices are found by a bundle method (Kelley's cutting planes inside a box that moves with the
best point): each evaluation gives L(z) and a subgradient (spend − cap of the minimising schedules); a
tiny LP over the cuts proposes the next z. Any stop leaves a valid bound — the best L seen — so the search
ends exactly when its share is spent or the caller cancels. The share is CPU time of its thread, bounded by
a wall-clock reading: a wall-clock share alone bought too little CPU beside other work to converge (10,000
projects beside a CPU hog: an 80 % gap). The cuts' dual values weigh
the minimising schedules into a fractional one, whose mean end year per project guides the neighbourhood
search (solver/lns.py) as the LP's solution does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.bound import EPSILON, LpBound, draw_caps
from solver.budget import CHECK_EVERY, Budget, CpuAllowance
from solver.problem import Problem, Project
from solver.windows import Window, topological_order

INF = math.inf
ROUNDING = 1e-9  # taken off each L(z), relative to the magnitude of its terms (see Relaxation.evaluate)


@dataclass(frozen=True, slots=True)
class _Level:
    """The nodes of one depth of the precedence forest (a contiguous range, deepest first) and, for the
    options of their parents, the child whose best answer each option must add."""

    nodes: slice
    options: slice
    parent_option: np.ndarray  # option index of a parent at the level above …
    child: np.ndarray  # … and the child (a node of this level) it waits for


class Relaxation:
    """The priced problem of `problem` (see module docstring): every option of every project as arrays,
    built once; `evaluate(z)` gives L(z), the spend of the minimising schedules and their end years."""

    def __init__(self, problem: Problem, windows: dict[str, Window], budget: Budget | None = None) -> None:
        self.problem = problem
        self.years = problem.horizon_years
        self.carryover = problem.carryover
        caps = [problem.budget[t] for t in problem.years]
        self.rhs = np.cumsum(caps, dtype=np.float64) if self.carryover else np.array(caps, np.float64)
        self.constant = 0.0  # penalties of projects no schedule can fund
        self._nodes(problem, windows, budget)
        self._options(problem, windows, budget)
        self._forest()
        self.subtree_defer = self._subtree_defer()
        # prices above what the whole objective can be are never needed (any price gives a valid bound;
        # this keeps the arithmetic in a range where rounding stays far below one unit)
        self.top_price = float(
            sum(p.weight * self.years + p.defer_penalty for p in problem.projects) + self.constant + 1.0
        )

    # ------------------------------------------------------------------ building

    def _nodes(self, problem: Problem, windows: dict[str, Window], budget: Budget | None) -> None:
        """Projects that can be scheduled, each with one predecessor kept as its tree parent, ordered
        deepest first (so every child comes before its parent)."""
        order: list[Project] = []
        parent: list[int] = []
        depth: list[int] = []
        index: dict[str, int] = {}
        for k, project in enumerate(topological_order(problem)):
            if budget is not None and k % CHECK_EVERY == 0:
                budget.check()
            window = windows[project.id]
            if not window.open:
                self.constant += project.defer_penalty
                continue
            up = next((index[q] for q in project.after if q in index), -1)
            index[project.id] = len(order)
            order.append(project)
            parent.append(up)
            depth.append(0 if up < 0 else depth[up] + 1)
        depth_a = np.array(depth, dtype=np.int64)
        rank = np.argsort(-depth_a, kind="stable")
        position = np.empty_like(rank)
        position[rank] = np.arange(len(rank))
        parent_a = np.array(parent, dtype=np.int64)
        self.projects = [order[k] for k in rank]
        self.depth = depth_a[rank]
        self.parent = np.where(parent_a[rank] >= 0, position[np.maximum(parent_a[rank], 0)], -1)
        self.defer = np.array(
            [INF if windows[p.id].must else float(p.defer_penalty) for p in self.projects], np.float64
        )

    def _options(self, problem: Problem, windows: dict[str, Window], budget: Budget | None) -> None:
        """Every (start, end) pair of every node, with its slippage cost and what its draws cost at given
        prices: least draws `lo` in each year, the rest `fill` in the cheapest years at most `room` each
        (options whose year caps are below the project's draw limit, and profiles, are priced year by
        year). Arrays over options, grouped by node in node order, starts ascending within a node."""
        first, horizon = problem.first_year, self.years
        caps = np.array([draw_caps(problem)[t] for t in problem.years], np.float64)
        node, start, end = self._pairs(windows, budget)
        start -= first
        end -= first
        n = len(self.projects)
        cost = np.array([p.cost for p in self.projects], np.float64)
        weight = np.array([p.weight for p in self.projects], np.float64)
        planned = np.array([p.planned_end - first for p in self.projects], np.float64)
        profiled = np.array([p.profile is not None for p in self.projects], bool)
        min_dur = np.array([windows[p.id].min_dur for p in self.projects], np.float64)
        lo_n = np.array([p.min_annual_or_default() for p in self.projects], np.float64)
        hi_n = np.minimum(
            np.array([p.max_annual_or_default() for p in self.projects], np.float64),
            cost - lo_n * (min_dur - 1),
        )
        lo_n[profiled] = 0.0
        hi_n[profiled] = 0.0
        length = (end - start + 1).astype(np.float64)
        lo, hi = lo_n[node], hi_n[node]
        drawn = ~profiled[node]
        # feasibility of a drawn option: every year can take the least draw, all years together the cost;
        # "capped": some year's cap is below the project's largest draw (year by year, one array at a time:
        # options × years matrices would take gigabytes at 100,000 projects)
        reach = np.zeros(len(node))
        short = np.zeros(len(node), dtype=bool)
        capped = np.zeros(len(node), dtype=bool)
        for t in range(horizon):
            inside = (start <= t) & (t <= end)
            top = np.maximum(0.0, np.minimum(hi, caps[t]))
            reach += np.where(inside, top, 0.0)
            short |= inside & (top < lo)
            capped |= inside & (caps[t] < hi)
        ok = ~drawn | ((lo * length <= cost[node]) & (reach >= cost[node]) & ~short)
        node, start, end, lo, hi, drawn, length, capped = (
            a[ok] for a in (node, start, end, lo, hi, drawn, length, capped)
        )
        capped &= drawn
        # a node without any option keeps one that can never be chosen, so every node owns a group
        missing = np.setdiff1d(np.arange(n), node)
        if len(missing):
            node = np.concatenate([node, missing])
            start = np.concatenate([start, np.full(len(missing), horizon)])
            end = np.concatenate([end, np.full(len(missing), horizon - 1)])
            lo, hi, length = (np.concatenate([a, np.zeros(len(missing))]) for a in (lo, hi, length))
            drawn = np.concatenate([drawn, np.zeros(len(missing), bool)])
            capped = np.concatenate([capped, np.zeros(len(missing), bool)])
        order = np.lexsort((end, start, node))
        node, start, end, lo, hi, drawn, capped, length = (
            a[order] for a in (node, start, end, lo, hi, drawn, capped, length)
        )
        slip = weight[node] * np.maximum(0.0, end - planned[node])
        if len(missing):
            slip[start == horizon] = INF
        self.node, self.start, self.end, self.slip = node, start, end, slip
        self.lo = np.where(drawn, lo, 0.0)
        self.fill = np.where(drawn, cost[node] - lo * length, 0.0)
        self.room = np.where(drawn, hi - lo, 0.0)
        whole = np.where(self.room > 0, np.floor(self.fill / np.where(self.room > 0, self.room, 1.0)), 0.0)
        whole = np.minimum(whole, length)
        self.part = self.fill - whole * self.room  # the part of a year the fill reaches into
        # the table of `_option_costs`: row s·horizon + e is the interval s..e, column k a count of years
        interval = start * horizon + end
        self.uniform = np.flatnonzero(drawn & ~capped)
        self.table_index = (interval * (horizon + 1) + whole.astype(np.int64))[self.uniform]
        years = np.arange(horizon)
        s_all, e_all = np.divmod(np.arange(horizon * horizon), horizon)
        self._in_interval = (s_all[:, None] <= years) & (years <= e_all[:, None])
        self.capped = np.flatnonzero(capped)
        self.capped_top = np.maximum(0.0, np.minimum(hi[capped][:, None], caps[None, :]))
        self.profiled = np.flatnonzero(~drawn & (start < horizon))
        rows = np.zeros((len(self.profiled), horizon))
        for j, o in enumerate(self.profiled):
            profile = self.projects[node[o]].profile
            rows[j, start[o] : start[o] + len(profile)] = profile
        self.profile_rows = rows
        self.group = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])  # first option of each node

    def _pairs(
        self, windows: dict[str, Window], budget: Budget | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(node, start year, end year) of every pair of every node's window: starts start_lo..start_hi,
        ends within the window and the node's least and most duration (a profile's end follows from its
        start). Built with arrays, not one Python step per pair (10,000 projects have ~340,000)."""
        rows = []
        for k, p in enumerate(self.projects):
            if budget is not None and k % CHECK_EVERY == 0:
                budget.check()
            w = windows[p.id]
            if p.profile is not None:
                d = len(p.profile)
                rows.append((w.start_lo, min(w.start_hi, w.end_hi - d + 1), d, d, w.start_lo, w.end_hi))
            else:
                rows.append((w.start_lo, w.start_hi, w.min_dur, w.max_dur, w.end_lo, w.end_hi))
        if not rows:
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        lo_s, hi_s, least, most, lo_e, hi_e = np.array(rows, np.int64).T
        node, start = _spread(np.arange(len(rows)), lo_s, hi_s)
        first_end = np.maximum(start + least[node] - 1, lo_e[node])
        last_end = np.minimum(start + most[node] - 1, hi_e[node])
        which, end = _spread(np.arange(len(node)), first_end, last_end)
        return node[which], start[which], end

    def _forest(self) -> None:
        """Levels of the precedence forest, deepest first, with (parent option, child) pairs."""
        n = len(self.projects)
        ends = np.r_[self.group[1:], len(self.node)] if n else np.array([], np.int64)
        self.levels: list[_Level] = []
        if n == 0:
            return
        for d in range(int(self.depth.max()), -1, -1):
            nodes = np.flatnonzero(self.depth == d)
            a, b = int(nodes[0]), int(nodes[-1]) + 1
            kids = np.flatnonzero((self.depth == d) & (self.parent >= 0))
            sizes = ends[self.parent[kids]] - self.group[self.parent[kids]]
            parent_option = (
                np.concatenate([np.arange(self.group[v], ends[v]) for v in self.parent[kids]])
                if len(kids)
                else np.array([], np.int64)
            )
            child = np.repeat(kids, sizes)
            self.levels.append(
                _Level(slice(a, b), slice(int(self.group[a]), int(ends[b - 1])), parent_option, child)
            )

    # ------------------------------------------------------------------ one evaluation

    def prices(self, z: np.ndarray) -> np.ndarray:
        """Price of money drawn in each year: z, or with carryover the sum of z over that year and later."""
        return np.cumsum(z[::-1])[::-1] if self.carryover else z

    def _option_costs(self, price: np.ndarray) -> np.ndarray:
        """Each option's slippage plus the price of its cheapest draws."""
        horizon = self.years
        upto = np.r_[0.0, np.cumsum(price)]
        # per interval s..e (rows), its prices sorted: Σ of the k cheapest and the (k+1)-th cheapest
        spans = np.where(self._in_interval, price[None, :], INF)
        cheap = np.sort(spans, axis=1)
        kth = np.where(np.isfinite(cheap), cheap, 0.0)
        least = np.zeros((len(spans), horizon + 1))
        least[:, 1:] = np.cumsum(kth, axis=1)
        kth = np.concatenate([kth, np.zeros((len(spans), 1))], axis=1)
        costs = self.slip + self.lo * (upto[self.end + 1] - upto[self.start])
        u, index = self.uniform, self.table_index
        costs[u] += self.room[u] * least.ravel()[index] + self.part[u] * kth.ravel()[index]
        if len(self.capped):
            costs[self.capped] += self._capped_fill(self.capped, self.capped_top, price)[0]
        if len(self.profiled):
            costs[self.profiled] += self.profile_rows @ price
        return costs

    def _capped_fill(
        self, options: np.ndarray, top: np.ndarray, price: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The fill of `options` year by year, cheapest year first, each year up to top − lo: its price
        and the amounts (options × years)."""
        left = self.fill[options].copy()
        amounts = np.zeros((len(options), self.years))
        cost = np.zeros(len(options))
        start, end, lo = self.start[options], self.end[options], self.lo[options]
        for t in np.argsort(price, kind="stable"):
            room = np.where((start <= t) & (t <= end), np.maximum(0.0, top[:, t] - lo), 0.0)
            amount = np.minimum(left, room)
            amounts[:, t] = amount
            cost += price[t] * amount
            left -= amount
        return cost, amounts

    def evaluate(self, z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """L(z), the subgradient (what the minimising schedules spend against each cap, minus the cap) and
        each node's chosen option (−1: deferred)."""
        price = self.prices(z)
        costs = self._option_costs(price)
        n, horizon = len(self.projects), self.years
        best_after = np.full((n, horizon + 1), INF)  # a child's best answer starting in s or later
        subtree_defer = self.subtree_defer
        if n == 0:
            spend = np.zeros(horizon)
            gradient = np.cumsum(spend) - self.rhs if self.carryover else spend - self.rhs
            value = self.constant - float(z @ self.rhs)
            return value - ROUNDING * (self.constant + float(z @ self.rhs)), gradient, np.array([], np.int64)
        for level in self.levels:  # deepest first: a node's options already hold its children's answers
            if not len(level.child):
                continue
            self._best_by_start(level, costs, best_after)
            answer = np.minimum(
                subtree_defer[level.child], best_after[level.child, self.end[level.parent_option] + 1]
            )
            costs += np.bincount(level.parent_option, weights=answer, minlength=len(costs))
        best = np.minimum(subtree_defer, np.minimum.reduceat(costs, self.group))
        roots = self.parent < 0
        value = float(best[roots].sum()) + self.constant - float(z @ self.rhs)
        # float rounding: sums of n terms are exact to n·2⁻⁵² of their magnitude; take far more off
        magnitude = float(np.abs(best[roots]).sum()) + self.constant + float(z @ self.rhs)
        chosen = self._choose(costs, best_after, subtree_defer)
        spend = self._spend(chosen, price)
        gradient = np.cumsum(spend) - self.rhs if self.carryover else spend - self.rhs
        return value - ROUNDING * magnitude, gradient, chosen

    def _subtree_defer(self) -> np.ndarray:
        """Penalty of deferring each node with everything after it in its tree (∞ when one must run)."""
        total = self.defer.copy()
        for v in range(len(total)):  # children come before parents
            if self.parent[v] >= 0:
                total[self.parent[v]] += total[v]
        return total

    def _best_by_start(self, level: _Level, costs: np.ndarray, best_after: np.ndarray) -> None:
        """For the nodes of a level: the cheapest option starting in s or later, for every s."""
        a = level.nodes.start
        options = level.options
        cells = (self.node[options] - a) * (self.years + 1) + self.start[options]
        table = np.full((level.nodes.stop - a) * (self.years + 1), INF)
        np.minimum.at(table, cells, costs[options])
        table = table.reshape(-1, self.years + 1)
        best_after[level.nodes] = np.minimum.accumulate(table[:, ::-1], axis=1)[:, ::-1]

    def _choose(self, costs: np.ndarray, best_after: np.ndarray, subtree_defer: np.ndarray) -> np.ndarray:
        """The minimising option of every node, roots first then down the trees (−1: deferred)."""
        chosen = np.full(len(self.projects), -1, np.int64)
        for level in reversed(self.levels):
            nodes = np.arange(level.nodes.start, level.nodes.stop)
            up = self.parent[nodes]
            parent_choice = chosen[np.maximum(up, 0)]
            # the earliest start allowed: after the parent's end; a deferred parent allows none
            earliest = np.where(
                up < 0, 0, np.where(parent_choice >= 0, self.end[np.maximum(parent_choice, 0)] + 1, INF)
            )
            options = np.arange(level.options.start, level.options.stop)
            allowed = self.start[options] >= earliest[self.node[options] - level.nodes.start]
            masked = np.where(allowed, costs[options], INF)
            starts = self.group[nodes] - level.options.start
            lowest = np.minimum.reduceat(masked, starts)
            hit = np.flatnonzero(masked <= lowest[self.node[options] - level.nodes.start])
            owner = self.node[options][hit]
            first = np.r_[True, owner[1:] != owner[:-1]]  # the first cheapest option of each node
            first_hit = np.full(len(nodes), -1, np.int64)
            first_hit[owner[first] - level.nodes.start] = hit[first] + level.options.start
            take = (lowest < subtree_defer[nodes]) & (lowest < INF)
            chosen[nodes] = np.where(take, first_hit, -1)
        return chosen

    def _spend(self, chosen: np.ndarray, price: np.ndarray) -> np.ndarray:
        """What the chosen options draw in each year, with their cheapest draws at these prices."""
        options = chosen[chosen >= 0]
        horizon = self.years
        spend = np.zeros(horizon)
        if not len(options):
            return spend
        inside = (self.start[options][:, None] <= np.arange(horizon)) & (
            np.arange(horizon) <= self.end[options][:, None]
        )
        spend += (inside * self.lo[options][:, None]).sum(axis=0)
        profiled = np.isin(options, self.profiled)
        if profiled.any():
            rows = np.searchsorted(self.profiled, options[profiled])
            spend += self.profile_rows[rows].sum(axis=0)
        drawn = options[~profiled]
        top = np.repeat((self.lo[drawn] + self.room[drawn])[:, None], horizon, axis=1)
        capped = np.isin(drawn, self.capped)
        if capped.any():
            top[capped] = self.capped_top[np.searchsorted(self.capped, drawn[capped])]
        spend += self._capped_fill(drawn, top, price)[1].sum(axis=0)
        return spend


def _spread(owner: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every integer lo[i]..hi[i] (none when hi < lo) with its owner[i], in owner order."""
    counts = np.maximum(0, hi - lo + 1)
    owners = np.repeat(owner, counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return owners, np.repeat(lo, counts) + offsets


def price_bound(
    problem: Problem,
    windows: dict[str, Window],
    budget: Budget,
    until: float,
    cpu_seconds: float = INF,
) -> LpBound | None:
    """The best Lagrangian bound found within `cpu_seconds` of this thread's CPU time (building the
    relaxation included) and before the clock reaches `until` (see module docstring), with the mean end
    year of each project in the weighed minimising schedules; None when no evaluation finished or the
    relaxation shows that the projects that must be funded cannot all be."""
    allowance = budget.cpu(cpu_seconds, until)
    relaxation = Relaxation(problem, windows, budget)
    return Bundle(relaxation).run(allowance)


class Bundle:
    """Kelley's cutting planes in a box around the best prices so far (see module docstring)."""

    def __init__(self, relaxation: Relaxation, tolerance: float = 1e-5, max_cuts: int = 500) -> None:
        self.relaxation = relaxation
        self.tolerance = tolerance  # stop when the cuts promise less than this (relative) above the best
        self.max_cuts = max_cuts
        self.cuts: list[tuple[float, np.ndarray, np.ndarray]] = []  # (L(z), subgradient, z)
        self.chosen: list[np.ndarray] = []  # the minimising option of each node (−1: deferred), per cut
        self._lp: Any = None  # the master LP (OR-Tools GLOP, untyped), built at the first cut
        self._z: list = []
        self._theta: Any = None
        self._rows: list = []

    def run(self, allowance: CpuAllowance) -> LpBound | None:
        r = self.relaxation
        z = np.zeros(r.years)
        best, centre, radius = -INF, z, None
        weights = None
        while len(self.cuts) < self.max_cuts and not allowance.spent():
            value, gradient, chosen = r.evaluate(z)
            if not math.isfinite(value):
                return None  # no priced schedule funds every project that must be: no bound from here
            self.cuts.append((value, gradient, z))
            self.chosen.append(chosen.astype(np.int32))
            if value > best:
                best, centre = value, z
            if not gradient.any():  # 0 is a subgradient: these prices are the best, and their
                weights = np.zeros(len(self.cuts))  # minimising schedules keep every cap exactly
                weights[-1] = 1.0
                break
            if radius is None:
                radius = (abs(value) + 1.0) / (np.abs(gradient).sum() + 1.0)
            z, predicted, weights = self._master(centre, radius)
            boxed = self._on_box(z, centre, radius)
            if predicted - best <= self.tolerance * max(1.0, abs(best)) and not boxed:
                break  # the cuts promise nothing more anywhere: the best prices are found
            radius = radius * 2.0 if value >= best else max(radius * 0.7, 1e-12)
        if best == -INF:
            return None
        if weights is None:
            weights = np.zeros(len(self.cuts))
            weights[-1] = 1.0
        bound = max(0, math.ceil(best - EPSILON * max(1.0, abs(best))))
        mean_end, pattern = self._solution(weights)
        return LpBound(bound, mean_end, "lagrangian", pattern)

    @staticmethod
    def _on_box(z: np.ndarray, centre: np.ndarray, radius: float) -> bool:
        """Whether the proposed prices lie on the box (not on z ≥ 0): the cuts may promise more beyond."""
        slack = 1e-9 * max(1.0, radius)
        upper = z >= centre + radius - slack
        lower = (z <= centre - radius + slack) & (centre - radius > slack)
        return bool((upper | lower).any())

    def _master(self, centre: np.ndarray, radius: float) -> tuple[np.ndarray, float, np.ndarray]:
        """The next prices: max θ subject to θ ≤ L_k + g_k·(z − z_k) for every cut, z in the box of
        `radius` around `centre` (and z ≥ 0); with the cuts' dual values. One GLOP model grows by a row
        per cut and is re-solved from its last basis."""
        if self._lp is None:
            from ortools.linear_solver import pywraplp

            self._lp = pywraplp.Solver.CreateSolver("GLOP")
            self._z = [self._lp.NumVar(0.0, 0.0, "") for _ in range(self.relaxation.years)]
            self._theta = self._lp.NumVar(-self._lp.infinity(), self._lp.infinity(), "")
            self._lp.Objective().SetCoefficient(self._theta, 1.0)
            self._lp.Objective().SetMaximization()
        lp = self._lp
        for value, gradient, at in self.cuts[len(self._rows) :]:
            row = lp.Constraint(-lp.infinity(), value - float(gradient @ at))
            row.SetCoefficient(self._theta, 1.0)
            for var, g in zip(self._z, gradient, strict=True):
                if g:
                    row.SetCoefficient(var, -float(g))
            self._rows.append(row)
        for var, c in zip(self._z, centre, strict=True):
            var.SetBounds(max(0.0, c - radius), min(c + radius, self.relaxation.top_price))
        lp.Solve()
        weights = np.array([abs(row.dual_value()) for row in self._rows])
        return np.array([v.solution_value() for v in self._z]), self._theta.solution_value(), weights

    def _solution(self, weights: np.ndarray) -> tuple[dict[str, float], dict[str, tuple[int, int] | None]]:
        """The minimising schedules of the cuts weighed by their dual values (an approximate solution of
        the relaxation's LP): per project its mean end year among the cuts that schedule it (absent when
        none does), and its pattern — the (start, end) pair of the most weight, None for deferral."""
        r = self.relaxation
        if weights.sum() <= 0:
            weights = np.zeros(len(self.cuts))
            weights[int(np.argmax([c[0] for c in self.cuts]))] = 1.0
        active = np.flatnonzero(weights > 1e-9 * weights.max())
        share_of = weights[active] / weights[active].sum()
        chosen = np.array([self.chosen[k] for k in active])  # active cuts × nodes
        ends = np.where(chosen >= 0, r.end[np.maximum(chosen, 0)], 0)
        scheduled = chosen >= 0
        share = (share_of[:, None] * scheduled).sum(axis=0)
        total = (share_of[:, None] * ends * scheduled).sum(axis=0)
        # the weight each cut's choice gets from all the cuts that agree with it, and the heaviest
        agreeing = np.array([(share_of[:, None] * (chosen == row)).sum(axis=0) for row in chosen])
        dominant = chosen[np.argmax(agreeing, axis=0), np.arange(chosen.shape[1])]
        first = r.problem.first_year
        mean_end = {p.id: first + total[k] / share[k] for k, p in enumerate(r.projects) if share[k] > 1e-6}
        pattern: dict[str, tuple[int, int] | None] = {
            p.id: None if o < 0 else (first + int(r.start[o]), first + int(r.end[o]))
            for p, o in zip(r.projects, dominant, strict=True)
        }
        return mean_end, pattern
