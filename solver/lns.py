"""Fix-and-optimise neighbourhoods for large portfolios: re-plan a few projects exactly, the rest held.

On thousands of projects CP-SAT's own LNS barely moves the warm start (bench/RESULTS.md): its model is too
big to presolve and re-solve quickly. Here a neighbourhood is a set of ~150 projects (grown when they
solve fast, shrunk when they time out without gain); every other project keeps its schedule, which turns
the whole problem into a small MODEL.md problem of its own:

- the caps are what the held projects leave (with carryover, the most each year can take so that every
  later year's cumulative cap still holds — never negative, since the current schedule fits);
- a held predecessor's end moves the project's earliest start, a held successor's start becomes its
  deadline (and, when that successor is funded, the project cannot be deferred);
- predecessors outside the set that are deferred keep the project out of the set (it must stay deferred);
- each project moves at most `reach` years beyond its current schedule or plan, which keeps the model small
  enough to solve in about a second (reach 1 against none: 2748 against 2946 on 2000 projects at 0.6).

v2 (funding sources): the held projects' draws from each source likewise reduce that source's caps (its
own carryover deciding how), and each project keeps its `funding` rules (it is re-planned whole). Lanes
share each source's unused money as they share the total caps'; with any carryover, one lane.

Neighbourhoods are chosen where the schedule differs most from the money-flow LP's solution
(`guided_neighbourhood`, when the LP was solved) or, without it, around the most costly slippage
(`neighbourhood`). The small problem is solved by the same CP-SAT model (passed in by solver/cpsat.py, so
this module needs no OR-Tools) and accepted when its objective is no worse, so the schedule only improves.
With `workers` ≥ 2, that many neighbourhoods are re-planned at once on separate threads: their projects are disjoint and not
linked by `after`, and each may use its own projects' money plus an equal share of what nobody uses, so
the accepted schedules fit together (caps without carryover; with carryover one neighbourhood at a time).
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from solver.budget import Stop
from solver.params import NeighbourhoodParams
from solver.problem import Problem, Project, Source
from solver.solution import ProjectSchedule, objective_of

DEFAULT = NeighbourhoodParams()  # sizes and limits measured in bench/RESULTS.md (see solver/params.py)


SubSolve = Callable[[Problem, tuple[ProjectSchedule, ...], float], tuple[ProjectSchedule, ...] | None]


def neighbourhood(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    rng: random.Random,
    size: int,
    exclude: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Ids to re-plan: a slipping (or deferred) project chosen by its cost to the objective, then projects
    funded in the years around its plan — those that could give it money: half of them also slipping, the
    others first those ending before their plan (donors at no cost; measured on 2000 projects at 0.6:
    objective 2953 against 3059 with donors drawn at random)."""
    pool = [p for p in problem.projects if p.id not in exclude]
    costs = []
    for p in pool:
        s = schedule[p.id]
        costs.append(p.weight * (s.slippage or 0) if s.scheduled else p.defer_penalty)
    if not any(costs):
        return []
    (anchor,) = rng.choices(pool, weights=costs)
    near = _around(problem, schedule, pool, anchor)
    slipping = [pid for pid in near if schedule[pid].slippage or not schedule[pid].scheduled]
    # donors: first the projects that end before their plan (delaying them costs nothing), then the rest
    slipping_set = set(slipping)
    early = [
        pid
        for pid in near
        if pid not in slipping_set and schedule[pid].span[1] < problem.project(pid).planned_end
    ]
    early_set = set(early)
    rest = [pid for pid in near if pid not in slipping_set and pid not in early_set]
    for ids in (slipping, early, rest):
        rng.shuffle(ids)
    others = early + rest
    half = (size - 1) // 2
    chosen = slipping[:half]
    chosen += others[: size - 1 - len(chosen)]
    chosen += slipping[half : half + size - 1 - len(chosen)]
    return [anchor.id, *chosen]


def guided_neighbourhood(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    rng: random.Random,
    size: int,
    mean_end: dict[str, float],
    exclude: set[str] | frozenset[str] = frozenset(),
    guide: Guide | None = None,
) -> list[str]:
    """Ids to re-plan where the schedule differs from the money-flow LP (solver/bound.py `mean_end`): an
    anchor the LP finishes earlier than the schedule does (chosen by weight × years), then projects funded
    in the years around its plan, drawn with weight |end now − LP end| + 0.1 (0.5 when the LP or the
    schedule defers it) — those the LP delays give money, those it hurries take it. Falls back to
    `neighbourhood` when the schedule ends nothing later than the LP. Measured on 2000 projects at 0.6,
    60 s: 2616 against 2701–2721 for `neighbourhood` (and 2687 when half the neighbourhoods are guided).
    With `guide` (the schedule's Books and the mean end years as an array) the same choice is made with
    arrays, in time that does not grow with the portfolio in Python (10,000 projects: ~2 ms, was ~70 ms)."""
    if guide is not None:
        return _guided_by_arrays(problem, schedule, rng, size, guide, exclude)
    pool = [p for p in problem.projects if p.id not in exclude]
    pull = [
        p.weight * max(0.0, schedule[p.id].span[1] - mean_end[p.id])
        if schedule[p.id].scheduled and p.id in mean_end
        else 0.0
        for p in pool
    ]
    if not any(pull):
        return neighbourhood(problem, schedule, rng, size, exclude)
    (anchor,) = rng.choices(pool, weights=pull)
    near = _around(problem, schedule, pool, anchor)

    def weight(pid: str) -> float:
        now = schedule[pid]
        if not now.scheduled or pid not in mean_end:
            return 0.5
        return abs(now.span[1] - mean_end[pid]) + 0.1

    # a weighted sample without replacement (Efraimidis–Spirakis keys)
    keyed = heapq.nlargest(max(0, size - 1), near, key=lambda pid: rng.random() ** (1.0 / weight(pid)))
    return [anchor.id, *keyed]


@dataclass(slots=True)
class Guide:
    """What `guided_neighbourhood` reads as arrays: the schedule's Books and the mean end years (NaN where
    the relaxation defers a project), by position in the problem."""

    books: Books
    mean_end: np.ndarray

    @classmethod
    def of(cls, books: Books, mean_end: dict[str, float]) -> Guide:
        return cls(books, np.array([mean_end.get(pid, np.nan) for pid in books.ids], dtype=np.float64))


def _guided_by_arrays(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    rng: random.Random,
    size: int,
    guide: Guide,
    exclude: set[str] | frozenset[str],
) -> list[str]:
    """`guided_neighbourhood` on arrays (see there): the same anchor rule, window and weights."""
    books, mean = guide.books, guide.mean_end
    out = np.zeros(len(books.ids), dtype=bool)
    out[[books.index[pid] for pid in exclude]] = True
    scheduled = ~np.isnan(books.end)
    known = scheduled & ~np.isnan(mean)
    pull = np.where(known & ~out, books.weight * np.maximum(0.0, np.nan_to_num(books.end - mean)), 0.0)
    total = float(pull.sum())
    if total <= 0:
        return neighbourhood(problem, schedule, rng, size, exclude)
    a = min(int(np.searchsorted(np.cumsum(pull), rng.random() * total, side="right")), len(pull) - 1)
    anchor = problem.projects[a]
    lo = min(problem.last_year, anchor.planned_end - 2)
    hi = max(lo, int(books.end[a]))
    near = ~out & (~scheduled | ((books.start <= hi) & (books.end >= lo)))
    near[a] = False
    candidates = np.flatnonzero(near)
    weights = np.where(known, np.abs(np.nan_to_num(books.end - mean)) + 0.1, 0.5)[candidates]
    # a weighted sample without replacement (Efraimidis–Spirakis keys)
    draws = np.random.default_rng(rng.getrandbits(64)).random(len(candidates))
    keys = draws ** (1.0 / weights)
    take = min(max(0, size - 1), len(candidates))
    chosen = candidates[np.argsort(-keys, kind="stable")[:take]]
    return [anchor.id, *(books.ids[k] for k in chosen)]


def _around(
    problem: Problem, schedule: dict[str, ProjectSchedule], pool: list[Project], anchor: Project
) -> list[str]:
    """Projects of `pool` (not the anchor) funded from two years before the anchor's planned end to its
    end now, or deferred: those that could give it money or compete for it."""
    lo = min(problem.last_year, anchor.planned_end - 2)
    hi = max(lo, schedule[anchor.id].end or problem.last_year)
    return [p.id for p in pool if p.id != anchor.id and _overlaps(schedule[p.id], lo, hi)]


def _overlaps(s: ProjectSchedule, lo: int, hi: int) -> bool:
    if not s.scheduled:
        return True
    start, end = s.span
    return start <= hi and end >= lo


class Books:
    """A schedule's running totals, kept up to date as neighbourhoods are accepted, so that one re-plan
    costs time in its own size, not the portfolio's: what every year draws (v2: from every source), the
    objective, and each project's successors."""

    def __init__(self, problem: Problem, schedule: dict[str, ProjectSchedule]) -> None:
        self.problem = problem
        self.spend = dict.fromkeys(problem.years, 0)
        self.sources = {k.id: dict.fromkeys(problem.years, 0) for k in problem.sources}
        for s in schedule.values():
            self._add(s, 1)
        self.objective = objective_of(problem, schedule.values())
        self.successors: dict[str, list[str]] = {}
        for p in problem.projects:
            for pred in p.after:
                self.successors.setdefault(pred, []).append(p.id)
        # each project's start and end now (NaN: deferred) and weight, by its position in the problem
        self.ids = [p.id for p in problem.projects]
        self.index = {pid: k for k, pid in enumerate(self.ids)}
        self.weight = np.array([p.weight for p in problem.projects], dtype=np.float64)
        self.start = np.full(len(self.ids), np.nan)
        self.end = np.full(len(self.ids), np.nan)
        for s in schedule.values():
            self._place(s)

    def _place(self, s: ProjectSchedule) -> None:
        k = self.index[s.id]
        self.start[k] = s.start if s.scheduled else np.nan
        self.end[k] = s.end if s.scheduled else np.nan

    def _add(self, s: ProjectSchedule, sign: int) -> None:
        for t, x in s.funding.items():
            self.spend[t] += sign * x
        for t, split in s.sources.items():
            for k, x in split.items():
                self.sources[k][t] += sign * x

    def replace(self, schedule: dict[str, ProjectSchedule], new: tuple[ProjectSchedule, ...]) -> None:
        """Put `new` into `schedule` in place of the same projects' schedules, totals kept."""
        old = [schedule[s.id] for s in new]
        self.objective += objective_of(self.problem, new) - objective_of(self.problem, old)
        for s in old:
            self._add(s, -1)
        for s in new:
            self._add(s, 1)
            self._place(s)
            schedule[s.id] = s


def sub_problem(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    ids: list[str],
    reserved: dict[int, int] | None = None,
    *,
    reach: int = DEFAULT.reach,
    reserved_sources: dict[str, dict[int, int]] | None = None,
    books: Books | None = None,
) -> Problem | None:
    """The MODEL.md problem of re-planning `ids` with every other project held (see module docstring) and
    `reserved` money per year kept for others (v2: `reserved_sources` per source and year); each project
    ends at most `reach` years after max(its end now, its plan) and starts at most `reach` before min(its
    start now, its planned end). None when nothing in `ids` can move. `books`, the schedule's running
    totals, makes it linear in the size of `ids` instead of the portfolio's."""
    chosen = set(ids)
    books = books if books is not None else Books(problem, schedule)
    held_spend = dict(reserved) if reserved else dict.fromkeys(problem.years, 0)
    held_sources = {
        k.id: dict((reserved_sources or {}).get(k.id) or dict.fromkeys(problem.years, 0))
        for k in problem.sources
    }
    for t in problem.years:
        held_spend[t] += books.spend[t]
    for k, by_year in books.sources.items():
        for t, x in by_year.items():
            held_sources[k][t] += x
    for pid in chosen:
        s = schedule[pid]
        for t, x in s.funding.items():
            held_spend[t] -= x
        for t, split in s.sources.items():
            for k, x in split.items():
                held_sources[k][t] -= x
    successors = books.successors
    stuck = _stuck(problem, schedule, chosen)
    projects = []
    for pid in ids:
        if pid in stuck:
            continue  # stays deferred, as it is now
        p = problem.project(pid)
        held_preds = [schedule[q] for q in p.after if q not in chosen]
        earliest = max([p.earliest_start or problem.first_year] + [q.span[1] + 1 for q in held_preds])
        held_succs = [
            schedule[q] for q in successors.get(pid, ()) if q not in chosen and schedule[q].scheduled
        ]
        deadline = min(
            [d for d in [p.deadline] if d is not None] + [q.span[0] - 1 for q in held_succs], default=None
        )
        now = schedule[pid]
        if now.scheduled:  # moves within `reach` years of now or of the plan: a small, fast model
            now_start, now_end = now.span
            latest_end = max(now_end, p.planned_end) + reach
            deadline = latest_end if deadline is None else min(deadline, latest_end)
            if p.fixed_start is None:
                earliest = max(earliest, min(now_start, p.planned_end) - reach)
        projects.append(
            replace(
                p,
                earliest_start=earliest,
                deadline=deadline,
                after=tuple(q for q in p.after if q in chosen),
                deferrable=p.deferrable and not held_succs,
            )
        )
    if not projects:
        return None
    room = _room(problem, problem.budget, problem.carryover, held_spend)
    source_rooms = {k.id: _room(problem, k.budget, k.carryover, held_sources[k.id]) for k in problem.sources}
    if min(room.values()) < 0 or any(min(r.values()) < 0 for r in source_rooms.values()):
        return None  # the held schedule does not leave this set room (not expected: the schedule fits)
    sources = tuple(Source(k.id, source_rooms[k.id], k.carryover) for k in problem.sources)
    return Problem(
        problem.first_year,
        problem.last_year,
        room,
        tuple(projects),
        carryover=problem.carryover,
        sources=sources,
    )


def _stuck(problem: Problem, schedule: dict[str, ProjectSchedule], chosen: set[str]) -> set[str]:
    """Projects of the set that must stay deferred: a held predecessor is deferred, or a predecessor in
    the set is stuck (repeated until nothing changes, so chains of any length are followed)."""
    stuck: set[str] = set()
    changed = True
    while changed:
        changed = False
        for pid in chosen - stuck:
            for q in problem.project(pid).after:
                if q in stuck or (q not in chosen and not schedule[q].scheduled):
                    stuck.add(pid)
                    changed = True
                    break
    return stuck


def _room(problem: Problem, caps: Mapping[int, int], carryover: bool, held: dict[int, int]) -> dict[int, int]:
    """Per-year caps (the total caps', or a source's) left by the held projects (with carryover: caps whose
    running sums are the most the set may have spent by each year)."""
    if not carryover:
        return {t: caps[t] - held[t] for t in problem.years}
    slack, cum = {}, 0
    for t in problem.years:
        cum += caps[t] - held[t]
        slack[t] = cum
    # the set's cumulative spend S_t must stay ≤ slack_τ for all τ ≥ t: caps with those prefix sums
    least, prefix = None, {}
    for t in reversed(problem.years):
        least = slack[t] if least is None else min(least, slack[t])
        prefix[t] = least
    room, before = {}, 0
    for t in problem.years:
        room[t] = prefix[t] - before
        before = prefix[t]
    return room


def _linked(problem: Problem, ids: set[str], successors: dict[str, list[str]] | None = None) -> set[str]:
    """`ids` and every project that comes directly before or after one of them (in time linear in `ids`
    when the `successors` of every project are given)."""
    linked = set(ids)
    if successors is not None:
        for pid in ids:
            linked.update(problem.project(pid).after)
            linked.update(successors.get(pid, ()))
        return linked
    for p in problem.projects:
        if p.id in ids:
            linked.update(p.after)
        elif any(q in ids for q in p.after):
            linked.add(p.id)
    return linked


def _shares(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    groups: list[list[str]],
    books: Books | None = None,
) -> list[dict[int, int]]:
    """Per group, the unused money of each year that it must leave to the other groups: the money no
    project draws now, split evenly (the first groups take the remainder). Caps without carryover only."""
    spend = (books if books is not None else Books(problem, schedule)).spend
    n, shares = len(groups), []
    for k in range(n):
        reserved = {}
        for t in problem.years:
            unused = problem.budget[t] - spend[t]
            reserved[t] = unused - (unused // n + (1 if k < unused % n else 0))
        shares.append(reserved)
    return shares


def _source_shares(
    problem: Problem,
    schedule: dict[str, ProjectSchedule],
    groups: list[list[str]],
    books: Books | None = None,
) -> list[dict[str, dict[int, int]]]:
    """v2: `_shares` for each source's caps: per group, source and year, the unused money it leaves to the
    other groups. Sources without carryover only (with carryover, one lane)."""
    n = len(groups)
    totals = (books if books is not None else Books(problem, schedule)).sources
    spend = {(k.id, t): totals[k.id][t] for k in problem.sources for t in problem.years}
    shares: list[dict[str, dict[int, int]]] = [{} for _ in range(n)]
    for k in problem.sources:
        for t in problem.years:
            unused = k.budget[t] - spend[(k.id, t)]
            for g in range(n):
                mine = unused // n + (1 if g < unused % n else 0)
                shares[g].setdefault(k.id, {})[t] = unused - mine
    return shares


def improve(
    problem: Problem,
    projects: tuple[ProjectSchedule, ...],
    solve_sub: SubSolve,
    *,
    until: float,
    workers: int,
    clock: Callable[[], float] = time.monotonic,
    stop: Stop | None = None,
    on_improve: Callable[[int], None] | None = None,
    floor: int | None = None,
    mean_end: dict[str, float] | None = None,
    seed: int = 0,
    params: NeighbourhoodParams = DEFAULT,
    adopt: Callable[[int], tuple[ProjectSchedule, ...] | None] | None = None,
    share: Callable[[tuple[ProjectSchedule, ...]], None] | None = None,
) -> tuple[ProjectSchedule, ...]:
    """Re-plan neighbourhoods until `clock` reaches `until`, `stop` is set or the objective
    reaches `floor` (a lower bound); returns a schedule no worse than `projects`. `solve_sub(sub_problem,
    current_sub_schedule, seconds)` returns a schedule of the sub-problem or None; one is kept only when no
    worse. Beside another search (HiGHS): before each round `adopt(objective)` may return a better whole
    schedule that search found, which the rounds then continue from, and `share` hears each improved
    whole schedule."""
    schedule = {s.id: s for s in projects}
    books = Books(problem, schedule)
    guide = Guide.of(books, mean_end) if mean_end else None
    objective = books.objective
    rng = random.Random(seed)
    # with carryover one neighbourhood at a time: an even split of cumulative slack does not add up
    carried = problem.carryover or any(k.carryover for k in problem.sources)
    lanes = 1 if carried else max(1, min(workers, params.max_lanes))
    size = params.size
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="capsched-lns") as pool:
        while clock() + 0.2 < until and not (stop is not None and stop.is_set()):
            if floor is not None and objective <= floor:
                break
            found = adopt(objective) if adopt is not None else None
            if found is not None and objective_of(problem, found) < objective:
                schedule = {s.id: s for s in found}
                books = Books(problem, schedule)
                guide = Guide.of(books, mean_end) if mean_end else None
                objective = books.objective
            groups: list[list[str]] = []
            taken: set[str] = set()
            for _ in range(lanes):
                exclude = _linked(problem, taken, books.successors)
                ids = (
                    guided_neighbourhood(problem, schedule, rng, size, mean_end, exclude, guide)
                    if mean_end
                    else neighbourhood(problem, schedule, rng, size, exclude)
                )
                if ids:
                    groups.append(ids)
                    taken.update(ids)
            if not groups:
                break  # nothing slips: the schedule is optimal
            seconds = min(params.seconds, until - clock())
            round_started = clock()
            jobs = []
            shares = zip(
                groups,
                _shares(problem, schedule, groups, books),
                _source_shares(problem, schedule, groups, books),
                strict=True,
            )
            for ids, reserved, reserved_sources in shares:
                sub = sub_problem(
                    problem,
                    schedule,
                    ids,
                    reserved,
                    reach=params.reach,
                    reserved_sources=reserved_sources,
                    books=books,
                )
                if sub is not None:
                    current = tuple(schedule[p.id] for p in sub.projects)
                    jobs.append((sub, current, pool.submit(solve_sub, sub, current, seconds)))
            for sub, current, job in jobs:
                new = job.result()
                if new is not None and objective_of(sub, new) <= objective_of(sub, current):
                    books.replace(schedule, new)
            improved = books.objective
            if improved < objective and on_improve is not None:
                on_improve(improved)
            if improved < objective and share is not None:
                share(tuple(schedule[p.id] for p in problem.projects))
            # adapt: neighbourhoods solved well within the limit grow, those that time out empty shrink
            if clock() - round_started < 0.5 * seconds:
                size = min(params.max_size, round(size * 1.25) + 1)
            elif improved == objective:
                size = max(params.min_size, round(size * 0.9))
            objective = improved
    return tuple(schedule[p.id] for p in problem.projects)
