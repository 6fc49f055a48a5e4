"""A schedule from the relaxation's solution: its pattern of start and end years, made to fit the caps.

The Lagrangian relaxation (solver/lagrangian.py) ends with a few minimising schedules weighed into an
approximate solution of its LP; most projects have the same (start, end) pair in all of them — the
pattern. The pattern keeps every rule of one project by construction, and it nearly keeps the caps: on
the 2000-project benchmark at tightness 0.6 its draws need 721 万元 more than 15 years of caps allow.
This module turns it into a schedule:

1. A project that starts before a predecessor ends (or after a deferred one) leaves the pattern, with
   every project after it.
2. The draws: each project's least annual draw in every year of its pattern, and the rest by a min-cost
   flow (OR-Tools) from projects to the years of their pattern, at most their largest draw, into the
   caps (with carryover, a year's draws may also use the money of earlier years); earlier years cost less,
   so the draws come as early as they may, and money the caps lack flows through an "excess" arc at a high
   cost. The flow is integral, so the draws are whole 万元.
3. While some year has excess, projects drawing in it leave the pattern, the least weight per unit of
   money first, until their draws there cover it; then the flow is solved again.
4. The projects that left are funded one at a time by the greedy (solver/greedy.py) into the money the
   others leave, predecessors first, the most weight per unit of money first.

A project that must be funded but finds no room in step 4 stays in the pattern on the next attempt (at
most `ATTEMPTS`); None when it still does not fit, and the search keeps its warm start.

v2 (funding sources): the split of a year's draw over sources, with each project's min and max per
source, is not a flow across projects, so steps 2–3 become the greedy's own funding step at the pattern's
place (solver/greedy.py `fund_spans`: draws and split by solver/split.py), one project at a time, under
way first and then the most weight per unit of money; those that do not fit there go to step 4. Measured
(bench/RESULTS.md): 10,000 projects at 0.6 / 0.8: 11,447 / 5,835 against bounds 11,390 / 5,831, where
the greedy warm start gave 15,742 / 8,448; 2000 at 0.6: 2589 against the bound 2551.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from solver.bound import draw_caps
from solver.budget import Budget
from solver.greedy import fund_rest, fund_spans
from solver.problem import Problem, Project
from solver.solution import ProjectSchedule
from solver.windows import Window, topological_order

ATTEMPTS = 5  # rounds of keeping in the pattern the projects that found no room outside it
ROUNDS = 30  # flows solved per attempt, at most
EXCESS_COST = 10**6  # per 万元 beyond a cap: far above any year-order cost of the draws

Pattern = dict[str, tuple[int, int] | None]


def round_pattern(
    problem: Problem, windows: dict[str, Window], pattern: Pattern, budget: Budget | None = None
) -> tuple[ProjectSchedule, ...] | None:
    """A schedule of `problem` close to `pattern` (see module docstring), or None. A cancel in `budget`
    stops it between flows (Stopped)."""
    if problem.sources:
        return _round_with_sources(problem, windows, pattern)
    kept: set[str] = set()
    for _ in range(ATTEMPTS):
        schedule, failed = _attempt(problem, windows, pattern, kept, budget)
        if schedule is not None:
            return schedule
        if not failed:
            return None
        kept.update(failed)
    return None


def _attempt(
    problem: Problem, windows: dict[str, Window], pattern: Pattern, kept: set[str], budget: Budget | None
) -> tuple[tuple[ProjectSchedule, ...] | None, list[str]]:
    """One attempt: the schedule, or None and the projects that must be funded but found no room (none
    when the flow did not fit in ROUNDS)."""
    spans = {pid: span for pid, span in pattern.items() if span is not None}
    successors: dict[str, list[str]] = {p.id: [] for p in problem.projects}
    for p in problem.projects:
        for pred in p.after:
            successors[pred].append(p.id)
    left: set[str] = set()

    def leave(pid: str) -> None:
        stack = [pid]
        while stack:
            out = stack.pop()
            if out not in left:
                left.add(out)
                spans.pop(out, None)
                stack.extend(successors[out])

    order = topological_order(problem)
    for p in problem.projects:  # (the relaxation defers only projects that may be deferred)
        if p.id not in spans and not p.deferrable:
            leave(p.id)
    for p in order:  # step 1: precedence
        span = spans.get(p.id)
        if span is not None and any(
            q in left or spans.get(q) is None or spans[q][1] >= span[0] for q in p.after
        ):
            leave(p.id)
    draws: dict[str, dict[int, int]] = {}
    for _ in range(ROUNDS):  # steps 2 and 3
        if budget is not None:
            budget.check()
        draws, excess = _flow(problem, spans)
        if not any(excess.values()):
            break
        for year, amount in excess.items():
            if amount <= 0:
                continue
            drawing = [pid for pid, (s, e) in spans.items() if s <= year <= e]
            drawing.sort(key=lambda pid: (pid in kept, _density(problem.project(pid))))
            freed = 0
            for pid in drawing:
                if freed >= amount:
                    break
                if pid in spans:
                    freed += draws[pid].get(year, 0)
                    leave(pid)
    else:
        return None, []  # the flow never fitted the caps
    placed: dict[str, ProjectSchedule] = {}
    for p in problem.projects:
        if p.id in spans:
            s, e = spans[p.id]
            placed[p.id] = ProjectSchedule(p.id, True, s, e, max(0, e - p.planned_end), draws[p.id])
        elif p.id not in left:
            placed[p.id] = ProjectSchedule(p.id, False, None, None, None, {})  # deferred in the pattern
    rest = sorted((p for p in order if p.id in left), key=_rank)
    failed = fund_rest(problem, windows, placed, _predecessors_first(rest))
    if failed:
        return None, failed
    return tuple(placed[p.id] for p in problem.projects), []


def _round_with_sources(
    problem: Problem, windows: dict[str, Window], pattern: Pattern
) -> tuple[ProjectSchedule, ...] | None:
    """v2: each project funded at its pattern's place by the greedy's step, the rest after (see module
    docstring); None when one that must be funded finds no room."""
    order = _predecessors_first(sorted(topological_order(problem), key=_rank))
    spans = [(p, *span) for p in order if (span := pattern.get(p.id)) is not None]
    placed, left = fund_spans(problem, spans)
    left_ids = {p.id for p in left}
    for p in problem.projects:
        if p.id not in placed and p.id not in left_ids:
            if not p.deferrable:
                left.append(p)  # (the relaxation defers only projects that may be deferred)
            else:
                placed[p.id] = ProjectSchedule(p.id, False, None, None, None, {})
    if fund_rest(problem, windows, placed, _predecessors_first(left)):
        return None
    return tuple(placed[p.id] for p in problem.projects)


def _density(project: Project) -> tuple:
    """Who leaves an over-full year first: not under way, then the least weight per unit of money."""
    return (project.fixed_start is not None, project.weight / project.cost)


def _rank(project: Project) -> tuple:
    """Who is funded first among those that left the pattern: under way, then the most weight per unit of
    money."""
    return (project.fixed_start is None, -project.weight / project.cost)


def _predecessors_first(projects: list[Project]) -> list[Project]:
    """`projects` in their given order, except that each comes after its predecessors among them."""
    ids = {p.id for p in projects}
    done: set[str] = set()
    out: list[Project] = []
    pending = list(projects)
    while pending:
        waiting = []
        for p in pending:
            if all(q in done or q not in ids for q in p.after):
                out.append(p)
                done.add(p.id)
            else:
                waiting.append(p)
        if len(waiting) == len(pending):  # cannot happen: `after` has no cycles
            out.extend(waiting)
            break
        pending = waiting
    return out


def _flow(
    problem: Problem, spans: dict[str, tuple[int, int]]
) -> tuple[dict[str, dict[int, int]], dict[int, int]]:
    """Whole draws of every project of `spans` over its span, front-loaded, and per year the money they
    need beyond the caps (see module docstring)."""
    first, years = problem.first_year, problem.horizon_years
    caps = draw_caps(problem)
    room = [problem.budget[t] for t in problem.years]
    draws: dict[str, dict[int, int]] = {}
    tails, heads, capacity, cost, arc_of = [], [], [], [], []
    supplies: list[int] = []
    for pid, (s, e) in spans.items():
        p = problem.project(pid)
        if p.profile is not None:
            draws[pid] = {s + k: x for k, x in enumerate(p.profile)}
            for t, x in draws[pid].items():
                room[t - first] -= x
            continue
        lo, hi = p.min_annual_or_default(), p.max_annual_or_default()
        draws[pid] = dict.fromkeys(range(s, e + 1), lo)
        node = len(supplies)
        supplies.append(p.cost - lo * (e - s + 1))
        for t in range(s, e + 1):
            room[t - first] -= lo
            tails.append(node)
            heads.append(t - first)  # year nodes are renumbered below, after the project nodes
            capacity.append(max(0, min(hi, caps[t]) - lo))
            cost.append(t - s)
            arc_of.append((pid, t))
    projects = len(supplies)
    sink = projects + years
    heads = [projects + h for h in heads]
    flows = min_cost_flow.SimpleMinCostFlow()
    huge = max(1, sum(supplies))
    for k in range(years):
        year = projects + k
        tails += [year, year]
        heads += [sink, sink]
        capacity += [max(0, room[k]), huge]
        cost += [0, EXCESS_COST]
        if problem.carryover and k > 0:  # draws of this year may use money of the year before
            tails.append(year)
            heads.append(year - 1)
            capacity.append(huge)
            cost.append(0)
    flows.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, np.int64),
        np.array(heads, np.int64),
        np.array(capacity, np.int64),
        np.array(cost, np.int64),
    )
    supply = supplies + [0] * years + [-sum(supplies)]
    flows.set_nodes_supplies(np.arange(len(supply), dtype=np.int64), np.array(supply, np.int64))
    status = flows.solve()
    if status != flows.OPTIMAL:  # cannot happen: the excess arcs take any amount
        raise RuntimeError(f"min-cost flow failed with status {status}")
    amounts = flows.flows(np.arange(flows.num_arcs(), dtype=np.int64))
    for (pid, t), x in zip(arc_of, amounts[: len(arc_of)], strict=True):
        draws[pid][t] += int(x)
    excess = {first + k: max(0, -room[k]) for k in range(years)}
    for arc in range(len(arc_of), flows.num_arcs()):
        if flows.unit_cost(arc) == EXCESS_COST:
            excess[first + flows.tail(arc) - projects] += int(amounts[arc])
    return draws, excess
