"""The greedy baseline: what a finance officer does in a spreadsheet.

Fund projects one at a time: those with a fixed start (under way) first, then in order of deadline, then planned end, then weight (heaviest first; then
larger defer_penalty, then input order), predecessors always before their successors. Each gets the
earliest end the remaining money allows, starting as early as possible, drawing as much as it may each
year (front-loaded). A deferrable project is left out when it cannot fit, or when its slippage would cost
more than its defer_penalty. It is the benchmark's comparator.

`warm_start` is CP-SAT's default hint: the same one-at-a-time funding tried in a few orders (the
baseline's, and "most slippage cost per unit of money first", which lets the cheap-to-delay projects slip
instead of cascading delay down the plan), keeping the best schedule.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable

from solver.budget import CHECK_EVERY, Budget, Stopped
from solver.problem import Problem, Project
from solver.solution import ProjectSchedule, Solution, SolveStatus, YearSpend
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
    """Money committed so far, per year (lists by year offset from first_year), with the caps (cumulative
    when carryover)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.first = problem.first_year
        self.caps = [problem.budget[t] for t in problem.years]
        self.spend = [0] * len(self.caps)
        self.left = list(self.caps)  # without carryover: what each year can still take

    def rooms(self) -> list[int]:
        """Per year offset, the most that can still be added that year without breaking any cap."""
        if not self.problem.carryover:
            return self.left
        slack, cum_cap, cum_spend = [], 0, 0
        for cap, spend in zip(self.caps, self.spend, strict=True):
            cum_cap += cap
            cum_spend += spend
            slack.append(cum_cap - cum_spend)
        for k in range(
            len(slack) - 2, -1, -1
        ):  # with carryover, money drawn in t is missing from later years
            slack[k] = min(slack[k], slack[k + 1])
        return slack

    def fits(self, draws: dict[int, int]) -> bool:
        if not self.problem.carryover:
            return all(x <= self.left[t - self.first] for t, x in draws.items())
        cum_cap = cum_spend = 0
        for k, (cap, spend) in enumerate(zip(self.caps, self.spend, strict=True)):
            cum_cap += cap
            cum_spend += spend + draws.get(self.first + k, 0)
            if cum_spend > cum_cap:
                return False
        return True

    def commit(self, draws: dict[int, int]) -> None:
        for t, x in draws.items():
            self.spend[t - self.first] += x
            self.left[t - self.first] -= x

    def by_year(self) -> dict[int, int]:
        return {self.first + k: x for k, x in enumerate(self.spend)}


def _draws(
    project: Project, ledger: _Ledger, rooms: list[int], start: int, end: int
) -> dict[int, int] | None:
    """Front-loaded draws over start..end within the caps left, or None when they do not fit.

    Within `rooms` they fit every cap by construction (with carryover, `rooms` is already the least slack
    of every later year, and this project's earlier draws are taken off it), so only a profile, whose draws
    are fixed, is checked against the ledger."""
    if project.profile is not None:
        draws = {start + k: x for k, x in enumerate(project.profile)}
        return draws if ledger.fits(draws) else None
    lo, hi = project.min_annual_or_default(), project.max_annual_or_default()
    carryover = ledger.problem.carryover
    remaining, draws = project.cost, {}
    used_so_far = 0  # with carryover, this project's earlier draws also use up later years' room
    left_after = end - start
    for t in range(start, end + 1):
        room = rooms[t - ledger.first] - (used_so_far if carryover else 0)
        x = min(hi, room, remaining - lo * left_after)
        if x < lo:
            return None
        draws[t] = x
        remaining -= x
        used_so_far += x
        left_after -= 1
    return draws if remaining == 0 else None


def _place(project: Project, window: Window, earliest: int, ledger: _Ledger) -> tuple[int, int, dict] | None:
    """The earliest end (then earliest start) at which the project fits the money left."""
    rooms = ledger.rooms()
    first_start = max(earliest, window.start_lo)
    for end in range(window.end_lo, window.end_hi + 1):
        for start in range(max(first_start, end - window.max_dur + 1), window.start_hi + 1):
            if end - start + 1 < window.min_dur:
                break
            draws = _draws(project, ledger, rooms, start, end)
            if draws is not None:
                return start, end, draws
    return None


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
) -> Solution:
    """The best greedy schedule over a few funding orders (see module docstring); UNKNOWN if none fits.

    The weight-per-cost order goes first, then the baseline's; in the weight-per-cost order a project
    that must be funded but no longer fits is moved to the front and the order tried again (at most
    REPAIRS times), so a tight budget still gets a schedule. With a `budget`, the first pass runs whatever
    the clock says, and the baseline's too when the first found nothing (each is one pass over the
    projects, linear in their number); the others start only before `until`, and a cancel ends the work
    at once with the best schedule so far (Stopped when there is none yet)."""
    windows = project_windows(problem, budget) if windows is None else windows
    failed: list[str] = []
    first: set[str] = set()

    def density(project: Project, window: Window, index: int) -> tuple:
        return (project.id not in first, *_by_density(project, window, index))

    def in_time() -> bool:
        return budget is None or not budget.over(until)

    dense = _fund_in_order(problem, windows, density, failed, budget)
    if dense.status.has_schedule and not in_time():
        return dense
    try:
        baseline = _fund_in_order(problem, windows, _priority, budget=budget)
        for _ in range(REPAIRS - 1):
            if dense.status.has_schedule or not in_time():
                break
            first.update(failed)
            failed.clear()
            dense = _fund_in_order(problem, windows, density, failed, budget)
    except Stopped:
        if dense.status.has_schedule:
            return dense
        raise
    if dense.status.has_schedule and (
        not baseline.status.has_schedule or dense.objective < baseline.objective
    ):
        return dense
    return baseline


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
    placed: dict[str, ProjectSchedule] = {}
    for k, project in enumerate(_funding_order(problem, windows, priority)):
        if budget is not None and k % CHECK_EVERY == 0:
            budget.check()
        schedule = _fund_one(project, windows[project.id], placed, ledger)
        if schedule is None:
            if failed is not None:
                failed.append(project.id)
            return _failed(problem, started)
        placed[project.id] = schedule
    schedules = tuple(placed[p.id] for p in problem.projects)
    objective = sum(
        problem.project(s.id).weight * s.slippage if s.scheduled else problem.project(s.id).defer_penalty
        for s in schedules
    )
    spend = ledger.by_year()
    years = tuple(YearSpend(t, problem.budget[t], spend[t]) for t in problem.years)
    return Solution(SolveStatus.FEASIBLE, objective, None, time.monotonic() - started, schedules, years)


def _fund_one(
    project: Project, window: Window, placed: dict[str, ProjectSchedule], ledger: _Ledger
) -> ProjectSchedule | None:
    """The project at its earliest end in the money left (committed to `ledger`), after its predecessors
    in `placed`; deferred when it may be and cannot fit or slipping would cost more than deferring; None
    when it must be funded and cannot be."""
    preds = [placed[pred] for pred in project.after]
    spot = None
    if window.open and all(p.scheduled for p in preds):
        earliest = max([window.start_lo] + [p.end + 1 for p in preds])
        spot = _place(project, window, earliest, ledger)
    if spot is not None and project.deferrable:
        slip_cost = project.weight * max(0, spot[1] - project.planned_end)
        if slip_cost > project.defer_penalty and not window.must:
            spot = None
    if spot is None:
        if not project.deferrable:
            return None
        return ProjectSchedule(project.id, False, None, None, None, {})
    start, end, draws = spot
    ledger.commit(draws)
    return ProjectSchedule(project.id, True, start, end, max(0, end - project.planned_end), draws)


def fund_rest(
    problem: Problem,
    windows: dict[str, Window],
    placed: dict[str, ProjectSchedule],
    rest: list[Project],
) -> list[str]:
    """Fund the projects of `rest` one at a time in that order (each after its predecessors, which are in
    `placed` or earlier in `rest`) into the money the schedules of `placed` leave, as the greedy does;
    their schedules go into `placed`. Returns the ids of those that must be funded but found no room (they
    are left out of `placed`)."""
    ledger = _Ledger(problem)
    for schedule in placed.values():
        ledger.commit(schedule.funding)
    failed = []
    for project in rest:
        if any(pred not in placed for pred in project.after):
            failed.append(project.id)  # a predecessor found no room: neither does this one
            continue
        schedule = _fund_one(project, windows[project.id], placed, ledger)
        if schedule is None:
            failed.append(project.id)
        else:
            placed[project.id] = schedule
    return failed


def _failed(problem: Problem, started: float) -> Solution:
    years = tuple(YearSpend(t, problem.budget[t], 0) for t in problem.years)
    return Solution(SolveStatus.UNKNOWN, None, None, time.monotonic() - started, (), years)
