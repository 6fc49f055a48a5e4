"""One project's draws over given years and their split over funding sources, as a min-cost flow.

The greedy warm start of a v2 problem (solver/greedy.py) places projects one at a time; for a start and end
it asks here for whole draws x_t and shares y_{k,t} that obey every rule of MODEL.md concerning this project
alone — its annual bounds (or its profile), Σ x = cost, Σ_k y_{k,t} = x_t over its allowed sources, each
listed source's min..max — within the money the caps still have: per year on the total caps and on each
source's caps, cumulatively where there is carryover. It is a flow with integer data, so OR-Tools' min-cost
flow gives whole amounts, or says that none exist.

Network (supply = cost at `src`, demand at `sink`):
- total caps: src → Y_t with the year's room; with carryover a chain src → C_T → C_{T−1} → … → C_start whose
  arc into C_t carries Σ_{τ≤t} x_τ (capacity: what the caps still allow up to t), and C_t → Y_t;
- the draw x_t is the flow into Y_t: an arc of min_annual units at cost −BIG (a lower bound the flow meets
  whenever any flow can) beside one of the rest up to max_annual at cost t − start (earlier years cheaper:
  front-loaded, like the v1 greedy); a profile's draw is all lower bound;
- Y_t → Z_k for each allowed source k with that source's room in t, or, with the source's carryover,
  Y_t → K_{k,t} and a chain K_{k,t} → K_{k,t+1} → … → K_{k,T} → Z_k carrying its cumulative draws;
- Z_k → sink: the project's min from k at cost −BIG, the rest up to its max at cost 0.
A flow of value `cost` whose cost is at most −BIG × (all lower bounds) meets every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow

from solver.problem import Problem, Project

Draws = dict[int, int]
Shares = dict[int, dict[str, int]]  # year → source → amount (non-zero only)


@dataclass(slots=True)
class Rooms:
    """What the caps still allow: per year (`year`), or, with carryover, up to each year (`upto`)."""

    carryover: bool
    year: Mapping[int, int]
    upto: Mapping[int, int]


@dataclass(slots=True)
class _Network:
    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    caps: list[int] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)
    nodes: int = 2  # 0 = src, 1 = sink

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, cap: int, cost: int = 0) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(max(0, cap))
        self.costs.append(cost)
        return len(self.tails) - 1


SRC, SINK = 0, 1


def draws_and_shares(
    problem: Problem,
    project: Project,
    start: int,
    end: int,
    total: Rooms,
    sources: Mapping[str, Rooms],
) -> tuple[Draws, Shares] | None:
    """Draws over start..end and their split (see module docstring), or None when no whole amounts exist."""
    years = range(start, end + 1)
    last = problem.last_year
    big = project.cost * problem.horizon_years + 1
    net = _Network()
    lower = 0  # units that must flow at cost −big
    feed = _total_caps(net, total, start, end, last)
    ys = {t: net.node() for t in years}
    for t in years:
        if project.profile is not None:
            amount = project.profile[t - start]
            lo, hi = amount, amount
        else:
            lo, hi = project.min_annual_or_default(), project.max_annual_or_default()
        if lo:
            net.arc(feed[t], ys[t], lo, -big)
            lower += lo
        if hi > lo:
            net.arc(feed[t], ys[t], hi - lo, t - start)
    share_arcs: dict[tuple[str, int], int] = {}
    for k in project.allowed_sources(problem.sources):
        least, most = project.funding_limits(k)
        z = net.node()
        rooms = sources[k]
        if rooms.carryover:
            chain = {t: net.node() for t in range(start, last + 1)}
            for t in years:
                share_arcs[(k, t)] = net.arc(ys[t], chain[t], project.cost)
            for t in range(start, last):
                net.arc(chain[t], chain[t + 1], rooms.upto[t])
            net.arc(chain[last], z, rooms.upto[last])
        else:
            for t in years:
                share_arcs[(k, t)] = net.arc(ys[t], z, rooms.year[t])
        if least:
            net.arc(z, SINK, least, -big)
            lower += least
        if most > least:
            net.arc(z, SINK, most - least)
    flows = _solve(net, project.cost)
    if flows is None:
        return None
    met = sum(f for f, c in zip(flows, net.costs, strict=True) if c == -big)
    if met < lower:
        return None
    draws = {t: 0 for t in years}
    shares: Shares = {}
    for (k, t), arc in share_arcs.items():
        if flows[arc]:
            draws[t] += flows[arc]
            shares.setdefault(t, {})[k] = flows[arc]
    return draws, {t: shares[t] for t in sorted(shares)}


def _total_caps(net: _Network, total: Rooms, start: int, end: int, last: int) -> dict[int, int]:
    """The node each year's draw flows from: one fed by src with the year's room (both draw arcs of the
    year share it), or the carryover chain's C_t."""
    if not total.carryover:
        feed = {}
        for t in range(start, end + 1):
            feed[t] = net.node()
            net.arc(SRC, feed[t], total.year[t])
        return feed
    chain = {t: net.node() for t in range(start, last + 1)}
    net.arc(SRC, chain[last], total.upto[last])
    for t in range(last, start, -1):
        net.arc(chain[t], chain[t - 1], total.upto[t - 1])
    return chain


def _solve(net: _Network, amount: int) -> list[int] | None:
    """The arcs' flows of a least-cost flow of `amount` from src to sink, or None when none exists."""
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    supplies = [0] * net.nodes
    supplies[SRC], supplies[SINK] = amount, -amount
    flow.set_nodes_supplies(list(range(net.nodes)), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    return [flow.flow(a) for a in range(flow.num_arcs())]
