"""The greedy baseline: what a finance officer does in a spreadsheet.

Fund projects one at a time: those with a fixed start (under way) first, then in order of deadline, then planned end, then weight (heaviest first; then
larger defer_penalty, then input order), predecessors always before their successors. Each gets the
earliest end the remaining money allows, starting as early as possible, drawing as much as it may each
year (front-loaded). A deferrable project is left out when it cannot fit, or when its slippage would cost
more than its defer_penalty. It is the benchmark's comparator.

v2 (funding sources): a place is tried only when the front-loaded draws fit what the total caps and the
project's allowed sources have left, and then taken with the draws and split of a min-cost flow
(solver/split.py) that obeys the sources' caps and the project's min/max per source exactly; each source's
money is booked like the total caps'. A v1 problem never reaches that code.

`warm_start` is CP-SAT's default hint: the same one-at-a-time funding tried in a few orders (the
baseline's, and "most slippage cost per unit of money first", which lets the cheap-to-delay projects slip
instead of cascading delay down the plan), keeping the best schedule.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import replace

from solver.budget import CHECK_EVERY, Budget, Stopped
from solver.problem import Problem, Project
from solver.solution import ProjectSchedule, Solution, SolveStatus, SourceYearSpend, YearSpend, objective_of
from solver.split import Rooms, draws_and_shares, scarcity
from solver.windows import Window, project_windows

REPAIRS = 20  # retries of the weight-per-cost order, each with the misfits moved to the front


def _priority(project: Project, window: Window, index: int) -> tuple:
    # the effective deadline: its own, or the latest end its successors' deadlines leave it
    deadline = window.end_hi if window.open else 10**9
    under_way = project.fixed_start is not None  # already started: its year is not negotiable
    return (not under_way, deadline, project.planned_end, -project.weight, -project.defer_penalty, index)


def _funding_order(problem: Problem, windows: dict[str, Window], priority: Callable) -> list[Project]:
    """Priority order that never puts a successor before its predecessor."""
    remaining = {p.id: len(set(p.after)) for p in problem.projects}
    successors: dict[str, list[str]] = {p.id: [] for p in problem.projects}
    for p in problem.projects:
        for pred in set(p.after):
            successors[pred].append(p.id)
    index = {p.id: i for i, p in enumerate(problem.projects)}
    heap = [(priority(p, windows[p.id], index[p.id]), p.id) for p in problem.projects if remaining[p.id] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, pid = heapq.heappop(heap)
        order.append(problem.project(pid))
        for succ in successors[pid]:
            remaining[succ] -= 1
            if remaining[succ] == 0:
                key = priority(problem.project(succ), windows[succ], index[succ])
                heapq.heappush(heap, (key, succ))
    return order


class _Ledger:
    """Money committed so far, per year, with the caps (cumulative when carryover): the total caps', or in
    v2 one source's."""

    def __init__(self, problem: Problem, caps: dict[int, int] | None = None, carryover: bool | None = None):
        self.problem = problem
        self.years = list(problem.years)
        self.spend = dict.fromkeys(self.years, 0)
        self.caps = problem.budget if caps is None else caps
        self.carryover = problem.carryover if carryover is None else carryover

    def slack(self) -> dict[int, int]:
        """Per year, what the caps still allow up to the end of it (carryover), or in it."""
        if not self.carryover:
            return {t: self.caps[t] - self.spend[t] for t in self.years}
        slack, cum_cap, cum_spend = {}, 0, 0
        for t in self.years:
            cum_cap += self.caps[t]
            cum_spend += self.spend[t]
            slack[t] = cum_cap - cum_spend
        return slack

    def open_rooms(self) -> Rooms:
        """What is left, for solver/split.py."""
        if not self.carryover:
            return Rooms(False, self.slack(), {})
        return Rooms(True, self.rooms(), self.slack())

    def rooms(self) -> dict[int, int]:
        """Per year, the most that can still be added that year without breaking any cap."""
        if not self.carryover:
            return {t: self.caps[t] - self.spend[t] for t in self.years}
        slack, cum_cap, cum_spend = {}, 0, 0
        for t in self.years:
            cum_cap += self.caps[t]
            cum_spend += self.spend[t]
            slack[t] = cum_cap - cum_spend
        rooms, least = {}, None
        for t in reversed(self.years):  # with carryover, money drawn in t is missing from every later year
            least = slack[t] if least is None else min(least, slack[t])
            rooms[t] = least
        return rooms

    def fits(self, draws: dict[int, int]) -> bool:
        cum_cap = cum_spend = 0
        for t in self.years:
            cum_cap += self.caps[t]
            spend = self.spend[t] + draws.get(t, 0)
            cum_spend += spend
            if (cum_spend > cum_cap) if self.carryover else (spend > self.caps[t]):
                return False
        return True

    def commit(self, draws: dict[int, int]) -> None:
        for t, x in draws.items():
            self.spend[t] += x


def _draws(
    project: Project, ledger: _Ledger, rooms: dict[int, int], start: int, end: int
) -> dict[int, int] | None:
    """Front-loaded draws over start..end within the caps left, or None when they do not fit.

    Within `rooms` they fit every cap by construction (with carryover, `rooms` is already the least slack
    of every later year, and this project's earlier draws are taken off it), so only a profile, whose draws
    are fixed, is checked against the ledger."""
    if project.profile is not None:
        draws = {start + k: x for k, x in enumerate(project.profile)}
        return draws if ledger.fits(draws) else None
    lo, hi = project.min_annual_or_default(), project.max_annual_or_default()
    years = end - start + 1
    remaining, draws = project.cost, {}
    used_so_far = 0  # with carryover, this project's earlier draws also use up later years' room
    for k, t in enumerate(range(start, end + 1)):
        left_after = years - k - 1
        room = rooms[t] - (used_so_far if ledger.carryover else 0)
        x = min(hi, room, remaining - lo * left_after)
        if x < lo:
            return None
        draws[t] = x
        remaining -= x
        used_so_far += x
    return draws if remaining == 0 else None


def _place(
    project: Project,
    window: Window,
    earliest: int,
    ledger: _Ledger,
    sources: dict[str, _Ledger],
    ranks: dict[str, int],
) -> tuple[int, int, dict, dict] | None:
    """The earliest end (then earliest start) at which the project fits the money left: start, end, draws
    and (v2) their split over sources."""
    rooms = ledger.rooms()
    if sources:
        rooms = _source_rooms(project, ledger.problem, rooms, sources)
    first_start = max(earliest, window.start_lo)
    for end in range(window.end_lo, window.end_hi + 1):
        for start in range(max(first_start, end - window.max_dur + 1), window.start_hi + 1):
            if end - start + 1 < window.min_dur:
                break
            draws = _draws(project, ledger, rooms, start, end)
            if draws is None:
                continue
            if not sources:
                return start, end, draws, {}
            split = draws_and_shares(
                ledger.problem,
                project,
                start,
                end,
                ledger.open_rooms(),
                {k: books.open_rooms() for k, books in sources.items()},
                ranks,
            )
            if split is not None:
                return start, end, *split
    return None


def _source_rooms(
    project: Project, problem: Problem, rooms: dict[int, int], sources: dict[str, _Ledger]
) -> dict[int, int]:
    """v2: the year's room lowered to what the project's allowed sources have left (a quick filter before
    the exact flow of solver/split.py)."""
    allowed = [
        (sources[k].rooms(), project.funding_limits(k)[1]) for k in project.allowed_sources(problem.sources)
    ]
    return {t: min(rooms[t], sum(min(room[t], most) for room, most in allowed)) for t in rooms}


def _by_density(project: Project, window: Window, index: int) -> tuple:
    # under way first, then hard deadlines, then the most weight per unit of cost (slipping it costs most)
    deadline = window.end_hi if window.open and project.deadline is not None else 10**9
    under_way = project.fixed_start is not None
    return (not under_way, deadline, -project.weight / project.cost, project.planned_end, index)


def greedy_schedule(problem: Problem) -> Solution:
    """The baseline schedule: FEASIBLE when every project that must be funded fits, else UNKNOWN."""
    return _fund_in_order(problem, project_windows(problem), _priority)


def warm_start(
    problem: Problem,
    windows: dict[str, Window] | None = None,
    budget: Budget | None = None,
    until: float | None = None,
    on_schedule: Callable[[Solution], None] | None = None,
) -> Solution:
    """The best greedy schedule over a few funding orders (see module docstring); UNKNOWN if none fits.

    The baseline's order goes first (deadlines first: the order most likely to fit, so the first schedule
    comes soonest), then the weight-per-cost order, usually much better; in it a project that must be
    funded but no longer fits is moved to the front and the order tried again (at most REPAIRS times), so
    a tight budget still gets a schedule. Each schedule better than those before it goes to `on_schedule`
    as soon as its pass ends (the solve reports it), not when the last pass does. With a `budget`, the
    baseline's pass runs whatever the clock says — until the limit and its overrun, where `check()` stops
    it — and the weight-per-cost order's first pass too when the baseline's found nothing; with a schedule
    in hand, that pass runs until the limit, the repairs start only before `until`. Once a schedule exists
    the limit itself stops any pass (the overrun is for work with nothing to return yet), and a stop or a
    cancel returns the best schedule so far (Stopped when there is none yet)."""
    windows = project_windows(problem, budget) if windows is None else windows
    failed: list[str] = []
    first: set[str] = set()
    kept: list[Solution] = []  # the best schedule so far, once there is one

    def density(project: Project, window: Window, index: int) -> tuple:
        return (project.id not in first, *_by_density(project, window, index))

    def in_time() -> bool:
        return budget is None or not budget.over(until)

    def fund(priority: Callable, misfits: list[str] | None = None) -> Solution:
        held = budget if budget is None or not kept else replace(budget, overrun=0.0)
        found = _fund_in_order(problem, windows, priority, misfits, held)
        if not found.status.has_schedule or found.objective is None:
            return found
        best = kept[0].objective if kept else None
        if best is None or found.objective < best:  # (on a tie the baseline's schedule stays)
            kept[:] = [found]
            if on_schedule is not None:
                on_schedule(found)
        return found

    try:
        fund(_priority)
        if kept and budget is not None and budget.over():
            return kept[0]
        dense = fund(density, failed)
        for _ in range(REPAIRS - 1):
            if dense.status.has_schedule or not in_time():
                break
            first.update(failed)
            failed.clear()
            dense = fund(density, failed)
    except Stopped:
        if not kept:
            raise
    return kept[0] if kept else dense


def _fund_in_order(
    problem: Problem,
    windows: dict[str, Window],
    priority: Callable,
    failed: list[str] | None = None,
    budget: Budget | None = None,
) -> Solution:
    """Fund projects one at a time in `priority` order (predecessors first), each at its earliest end.
    UNKNOWN when a project that must be funded does not fit (its id then goes into `failed`)."""
    started = time.monotonic()
    ledger = _Ledger(problem)
    sources = {s.id: _Ledger(problem, dict(s.budget), s.carryover) for s in problem.sources}
    ranks = scarcity(problem) if problem.sources else {}
    placed: dict[str, ProjectSchedule] = {}
    for k, project in enumerate(_funding_order(problem, windows, priority)):
        if budget is not None and k % CHECK_EVERY == 0:
            budget.check()
        schedule = _fund_one(project, windows[project.id], placed, ledger, sources, ranks)
        if schedule is None:
            if failed is not None:
                failed.append(project.id)
            return _failed(problem, started)
        placed[project.id] = schedule
    schedules = tuple(placed[p.id] for p in problem.projects)
    objective = objective_of(problem, schedules)
    years = tuple(YearSpend(t, problem.budget[t], ledger.spend[t]) for t in problem.years)
    by_source = tuple(
        SourceYearSpend(s.id, t, s.budget[t], sources[s.id].spend[t])
        for s in problem.sources
        for t in problem.years
    )
    return Solution(
        SolveStatus.FEASIBLE,
        objective,
        None,
        time.monotonic() - started,
        schedules,
        years,
        source_years=by_source,
    )


def _fund_one(
    project: Project,
    window: Window,
    placed: dict[str, ProjectSchedule],
    ledger: _Ledger,
    sources: dict[str, _Ledger],
    ranks: dict[str, int],
) -> ProjectSchedule | None:
    """The project at its earliest end in the money left (committed to `ledger` and, v2, the sources'),
    after its predecessors in `placed`; deferred when it may be and cannot fit or slipping would cost more
    than deferring; None when it must be funded and cannot be."""
    preds = [placed[pred] for pred in project.after]
    spot = None
    if window.open and all(p.scheduled for p in preds):
        earliest = max([window.start_lo] + [p.span[1] + 1 for p in preds])
        spot = _place(project, window, earliest, ledger, sources, ranks)
    if spot is not None and project.deferrable:
        slip_cost = project.weight * max(0, spot[1] - project.planned_end)
        if slip_cost > project.defer_penalty and not window.must:
            spot = None
    if spot is None:
        if not project.deferrable:
            return None
        return ProjectSchedule(project.id, False, None, None, None, {})
    start, end, draws, shares = spot
    _commit(ledger, sources, draws, shares)
    return ProjectSchedule(project.id, True, start, end, max(0, end - project.planned_end), draws, shares)


def _commit(
    ledger: _Ledger, sources: dict[str, _Ledger], draws: dict[int, int], shares: dict[int, dict[str, int]]
) -> None:
    ledger.commit(draws)
    for t, split in shares.items():
        for k, amount in split.items():
            sources[k].commit({t: amount})


def fund_rest(
    problem: Problem,
    windows: dict[str, Window],
    placed: dict[str, ProjectSchedule],
    rest: list[Project],
) -> list[str]:
    """Fund the projects of `rest` one at a time in that order (each after its predecessors, which are in
    `placed` or earlier in `rest`) into the money the schedules of `placed` leave (v2: of every source
    too), as the greedy does; their schedules go into `placed`. Returns the ids of those that must be
    funded but found no room (they are left out of `placed`)."""
    ledger = _Ledger(problem)
    sources = {s.id: _Ledger(problem, dict(s.budget), s.carryover) for s in problem.sources}
    for held in placed.values():
        _commit(ledger, sources, held.funding, {t: dict(split) for t, split in held.sources.items()})
    ranks = scarcity(problem) if problem.sources else {}
    failed = []
    for project in rest:
        if any(pred not in placed for pred in project.after):
            failed.append(project.id)  # a predecessor found no room: neither does this one
            continue
        schedule = _fund_one(project, windows[project.id], placed, ledger, sources, ranks)
        if schedule is None:
            failed.append(project.id)
        else:
            placed[project.id] = schedule
    return failed


def fund_spans(
    problem: Problem, spans: list[tuple[Project, int, int]]
) -> tuple[dict[str, ProjectSchedule], list[Project]]:
    """Fund each project over its given start..end, in the order given, into the money left (v2: with its
    split over sources), as the greedy funds a project at one place; those that do not fit there, or whose
    predecessors were not funded before that start, come back in order."""
    ledger = _Ledger(problem)
    sources = {s.id: _Ledger(problem, dict(s.budget), s.carryover) for s in problem.sources}
    ranks = scarcity(problem) if problem.sources else {}
    placed: dict[str, ProjectSchedule] = {}
    left: list[Project] = []
    for project, start, end in spans:
        length = end - start + 1
        if any(pred not in placed or placed[pred].span[1] >= start for pred in project.after):
            left.append(project)
            continue
        there = Window(True, start, start, end, end, length, length)
        spot = _place(project, there, start, ledger, sources, ranks)
        if spot is None:
            left.append(project)
            continue
        _, _, draws, shares = spot
        _commit(ledger, sources, draws, shares)
        placed[project.id] = ProjectSchedule(
            project.id, True, start, end, max(0, end - project.planned_end), draws, shares
        )
    return placed, left


def _failed(problem: Problem, started: float) -> Solution:
    years = tuple(YearSpend(t, problem.budget[t], 0) for t in problem.years)
    by_source = tuple(
        SourceYearSpend(s.id, t, s.budget[t], 0) for s in problem.sources for t in problem.years
    )
    return Solution(
        SolveStatus.UNKNOWN, None, None, time.monotonic() - started, (), years, source_years=by_source
    )
