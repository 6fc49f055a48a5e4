"""The search for a MODEL.md schedule and the one entry point, `solve`.

The model itself (one function per rule family) is solver/cpmodel.py.

Search (see `_configure` and `_search`): the warm start is the best of a few greedy funding orders
(solver/greedy.py `warm_start`). Problems of at most FIRST_STAGE_MAX_PROJECTS projects first get one
single-thread search with the stronger linear relaxation (linearization level 2); the rest of the time
goes to CP-SAT's parallel portfolio, 4 subsolvers per granted thread up to 8, time-shared on the cores.
From MIP_MIN_PROJECTS projects (when highspy is installed) HiGHS searches the MIP of solver/mip.py on one
thread with CP-SAT on the whole model beside it (`_mip_portfolio`): on 200 projects HiGHS proves optima
CP-SAT stays 2–3 % away from. From LNS_MIN_PROJECTS projects on, the whole model is too big for either to
improve in time, and the warm start is improved instead by re-planning ~150 projects at a time with the
rest held, chosen where the schedule differs most from the money-flow LP's solution (solver/lns.py,
`_neighbourhood_search`), `workers` neighbourhoods at once — up to MIP_MAX_PROJECTS with HiGHS on the MIP
beside workers − 1 of them (`_lns_portfolio`). `workers` is the number of threads granted:
with 1 every search of a small problem is sequential and a medium one is HiGHS's alone; a solve stopped
by its time limit depends on timing either way (a proven optimum's objective does not, and the
tie-break makes its schedule reproducible too).

OR-Tools names stay in this module and solver/cpmodel.py; statuses are mapped onto SolveStatus in `_status`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ortools.sat.python import cp_model

from solver import cpmodel
from solver.bound import LpBound, lp_bound
from solver.diagnostics import infeasible_diagnostics, structural_diagnostics
from solver.greedy import warm_start
from solver.lns import Stop, improve
from solver.mip import Mip, MipOutcome, Pattern
from solver.mip import available as mip_available
from solver.problem import Problem
from solver.solution import Progress, ProjectSchedule, Solution, SolveStatus, YearSpend, objective_of
from solver.verify import VerificationError, verify
from solver.windows import Window, project_windows, structural_messages

SEED = 20240601  # fixed: the same input and options give the same search
STOP_POLL_SECONDS = 0.05  # how often a cancel request is checked while CP-SAT searches


# ---------------------------------------------------------------- statuses, schedules


def _status(cp_status: int, has_solution: bool) -> SolveStatus:
    """CP-SAT's status → ours (the only place OR-Tools statuses are read)."""
    if cp_status == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if cp_status == cp_model.FEASIBLE or has_solution:
        return SolveStatus.FEASIBLE
    if cp_status == cp_model.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if cp_status == cp_model.MODEL_INVALID:
        raise RuntimeError("CP-SAT rejected the model as invalid (a solver bug)")
    return SolveStatus.UNKNOWN


def _years(problem: Problem, projects: tuple[ProjectSchedule, ...]) -> tuple[YearSpend, ...]:
    spend = dict.fromkeys(problem.years, 0)
    for p in projects:
        for t, amount in p.funding.items():
            spend[t] += amount
    return tuple(YearSpend(t, problem.budget[t], spend[t]) for t in problem.years)


def _fits(problem: Problem, projects: tuple[ProjectSchedule, ...]) -> bool:
    """Whether a schedule (e.g. a hint from another run) satisfies every rule of this problem."""
    years = set(problem.years)
    if {s.id for s in projects} != {p.id for p in problem.projects} or any(
        t not in years for s in projects for t in s.funding
    ):
        return False
    solution = Solution(
        SolveStatus.FEASIBLE, objective_of(problem, projects), None, 0.0, projects, _years(problem, projects)
    )
    return not verify(problem, solution)


# ---------------------------------------------------------------- running CP-SAT


_T = TypeVar("_T")


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution and honours a cancel request."""

    def __init__(
        self,
        started: float,
        progress: Callable[[Progress], None] | None,
        stop: Stop | None,
        floor: int | None = None,
    ):
        super().__init__()
        self._started, self._progress, self._stop, self._floor = started, progress, stop, floor
        self.at_floor = False

    def on_solution_callback(self) -> None:
        if self._stop is not None and self._stop.is_set():
            self.stop_search()
            return
        if self._floor is not None and self.objective_value <= self._floor + 0.5:
            self.at_floor = True  # reached the money-flow LP bound: nothing better exists
            self.stop_search()
        if self._progress is not None:
            bound = _best_bound(max(0, math.ceil(self.best_objective_bound - 1e-6)), self._floor)
            self._progress(Progress(time.monotonic() - self._started, round(self.objective_value), bound))


PORTFOLIO_PER_THREAD = 4  # CP-SAT subsolvers per CPU thread asked for, at most PORTFOLIO_MAX
PORTFOLIO_MAX = 8


def _configure(
    params,
    *,
    time_limit: float,
    workers: int,
    first_stage: bool = False,
    deterministic_limit: float | None = None,
) -> None:
    """Search parameters: time, seed and portfolio size.

    `workers` is the number of CPU threads the caller grants. With 1, CP-SAT runs one sequential,
    deterministic search. With 2 or more it runs a portfolio of up to 8 subsolvers (time-shared on the
    machine's cores): on 2 cores a 2-worker portfolio has no LP-guided worker, and the 8-worker one (core,
    max_lp, several LNS) found schedules within 4 % of the bound on 200 projects where the 2-worker one
    stayed 40–60 % away (bench/RESULTS.md). The warm start seeds the LNS workers only
    (`hint_conflict_limit` 0): followed by the full-search workers it led their first dive away from the
    LP's good region."""
    params.max_time_in_seconds = max(0.01, time_limit)
    threads = max(1, workers)
    params.num_workers = 1 if threads == 1 else min(PORTFOLIO_MAX, PORTFOLIO_PER_THREAD * threads)
    params.random_seed = SEED
    params.hint_conflict_limit = 0
    if first_stage:  # one sequential search with the stronger LP, see _search; its first dive may
        params.num_workers = 1  # follow the hint (CP-SAT's default conflict limit): measured faster on
        params.linearization_level = 2  # the seed portfolio (0.41 s against 0.63 s to a proof)
        params.clear_hint_conflict_limit()
    if deterministic_limit is not None:  # a work limit, not a wall-clock one: the same on a busy machine
        params.max_deterministic_time = max(0.01, deterministic_limit)


def _run(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    stop: Stop | None,
    callback: _Callback | None = None,
    first_stage: bool = False,
    deterministic_limit: float | None = None,
) -> tuple[cp_model.CpSolver, int]:
    """Solve with a fixed seed; a watcher thread stops the search promptly when `stop` is set."""
    solver = cp_model.CpSolver()
    _configure(
        solver.parameters,
        time_limit=time_limit,
        workers=workers,
        first_stage=first_stage,
        deterministic_limit=deterministic_limit,
    )
    done = threading.Event()

    def watch() -> None:
        while not done.wait(STOP_POLL_SECONDS):
            if stop is not None and stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name="cpsat-stop-watcher", daemon=True)
    if stop is not None:
        if stop.is_set():
            return solver, cp_model.UNKNOWN
        watcher.start()
    try:
        status = solver.solve(model, callback) if callback is not None else solver.solve(model)
    finally:
        done.set()
        if stop is not None:
            watcher.join()
    return solver, status


def _best_bound(cp_bound: int | None, floor: int | None) -> int | None:
    """The larger of CP-SAT's bound and the money-flow LP's (either may be missing)."""
    known = [b for b in (cp_bound, floor) if b is not None]
    return max(known) if known else None


def _bound(solver: cp_model.CpSolver) -> int:
    """CP-SAT's best bound, rounded up (the objective is integral) and at least 0 (no term is negative)."""
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    hint: Solution | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Schedule `problem` per MODEL.md within `time_limit` seconds (model building included).

    Returns OPTIMAL / FEASIBLE with a verified schedule, INFEASIBLE with diagnostics, or UNKNOWN. The
    warm start (solver/greedy.py `warm_start`, never worse than the baseline greedy) is the default
    hint, and the answer is never worse than it. When the primary
    objective is proven optimal and time remains, a second solve with the objective fixed picks, among the
    optimal schedules, the one finishing earliest (Σ end years; a deferred project counts as after the
    horizon), for at most half as long as the main search took. `bound` is the larger of CP-SAT's and the
    money-flow LP's (solver/bound.py, solved first within LP_SHARE of the time limit); a schedule that
    reaches the LP bound ends the search as OPTIMAL. From MIP_MIN_PROJECTS projects HiGHS searches the MIP
    of solver/mip.py beside CP-SAT, and `bound` is the larger of theirs (`_mip_portfolio`); from
    LNS_MIN_PROJECTS projects the search is the neighbourhood search of solver/lns.py, beside HiGHS up to
    MIP_MAX_PROJECTS (`_lns_portfolio`); all start from the better of the hint and the warm start. With
    `stop` set the search ends within ~0.1 s and the best schedule so far is returned (a HiGHS busy in a
    phase it does not interrupt is left to end on its own thread)."""
    started = time.monotonic()
    windows = project_windows(problem)
    structural = structural_messages(problem, windows)
    if structural:
        return _no_schedule(
            problem, SolveStatus.INFEASIBLE, None, started, structural_diagnostics(structural)
        )
    baseline = warm_start(problem)
    warm = hint if hint is not None and hint.status.has_schedule else baseline
    size = len(problem.projects)
    if LNS_MIN_PROJECTS <= size <= MIP_MAX_PROJECTS and mip_available():
        start = _neighbourhood_start(problem, warm, baseline)
        if start is not None:
            return _lns_portfolio(
                problem,
                windows,
                start,
                started=started,
                time_limit=time_limit,
                workers=workers,
                stop=stop,
                progress=progress,
            )
    if MIP_MIN_PROJECTS <= size < LNS_MIN_PROJECTS and mip_available():
        return _mip_portfolio(
            problem,
            windows,
            warm,
            baseline,
            started=started,
            time_limit=time_limit,
            workers=workers,
            stop=stop,
            progress=progress,
        )
    lp = _lp(problem, windows, LP_SHARE * time_limit, stop)
    floor = lp.bound if lp is not None else None
    if len(problem.projects) >= LNS_MIN_PROJECTS:
        start = _neighbourhood_start(problem, warm, baseline)
        if start is not None:
            projects = _neighbourhood_search(problem, start, started, time_limit, workers, stop, progress, lp)
            return _finish(problem, projects, SolveStatus.FEASIBLE, floor, started)
    m = cpmodel.build(problem, windows)
    m.model.minimize(m.slippage + m.deferral)
    if warm.status.has_schedule:
        cpmodel.add_hint(m, warm)
    callback = _Callback(started, progress, stop, floor)
    cp_status, values, objective, bound = _search(
        m, time_limit=time_limit, started=started, workers=workers, stop=stop, callback=callback
    )
    bound = _best_bound(bound, floor)
    has_solution = values is not None
    status = _status(cp_status, has_solution)
    if status == SolveStatus.FEASIBLE and objective is not None and objective == bound:
        status = SolveStatus.OPTIMAL  # the LP bound proves it (see _Callback)
    if status == SolveStatus.INFEASIBLE:
        remaining = max(1.0, time_limit - (time.monotonic() - started))
        diagnostics = _infeasible(problem, windows, time_limit=remaining, workers=workers, stop=stop)
        return _no_schedule(problem, status, None, started, diagnostics)
    if not has_solution:
        if baseline.status.has_schedule:  # CP-SAT found nothing in time: the greedy schedule still stands
            return _finish(problem, baseline.projects, SolveStatus.FEASIBLE, bound, started)
        return _no_schedule(problem, SolveStatus.UNKNOWN, bound, started)
    if status == SolveStatus.OPTIMAL:
        values = (
            _tie_break(m, objective, started=started, time_limit=time_limit, baseline=baseline, stop=stop)
            or values
        )
        bound = objective
    projects = cpmodel.extract(m, values)
    if baseline.status.has_schedule and baseline.objective is not None and baseline.objective < objective:
        projects = (
            baseline.projects
        )  # cannot happen with the hint accepted, but never return worse than greedy
    return _finish(problem, projects, status, bound, started)


def _lp(
    problem: Problem, windows: dict[str, Window], time_limit: float, stop: threading.Event | None
) -> LpBound | None:
    """The money-flow LP bound and mean end years (solver/bound.py), or None. HiGHS cannot be interrupted, so with a `stop`
    event the LP runs on its own thread and a cancel stops the wait at once (the abandoned LP ends by its
    own time limit)."""
    if stop is None:
        return lp_bound(problem, windows, time_limit=time_limit)
    if stop.is_set():
        return None
    result: list[LpBound | None] = []
    worker = threading.Thread(
        target=lambda: result.append(lp_bound(problem, windows, time_limit=time_limit)),
        name="capsched-lp-bound",  # not a daemon, like HiGHS's MIP thread (see `_beside_highs`)
    )
    worker.start()
    while worker.is_alive():
        if stop.wait(STOP_POLL_SECONDS):
            return None
    return result[0] if result else None


def _neighbourhood_start(
    problem: Problem, warm: Solution, baseline: Solution
) -> tuple[ProjectSchedule, ...] | None:
    """Where the neighbourhood search starts: the hint if it fits this problem and is no worse than the
    warm start, else the warm start; None when neither is a schedule (CP-SAT then searches the whole model)."""
    hint_fits = warm is not baseline and warm.status.has_schedule and _fits(problem, warm.projects)
    if hint_fits and (
        not baseline.status.has_schedule or objective_of(problem, warm.projects) <= baseline.objective
    ):
        return warm.projects
    return baseline.projects if baseline.status.has_schedule else None


def _neighbourhood_search(
    problem: Problem,
    projects: tuple[ProjectSchedule, ...],
    started: float,
    time_limit: float,
    workers: int,
    stop: Stop | None,
    progress: Callable[[Progress], None] | None,
    lp: LpBound | None,
) -> tuple[ProjectSchedule, ...]:
    """Large portfolios: the warm start improved by re-planning ~150 projects at a time (solver/lns.py),
    `workers` neighbourhoods at once, each one sequential CP-SAT search of the same model, chosen where
    the schedule differs most from the money-flow LP's solution when the LP was solved."""
    floor = lp.bound if lp is not None else None

    def report(objective: int) -> None:
        if progress is not None:
            progress(Progress(time.monotonic() - started, objective, floor))

    return improve(
        problem,
        projects,
        lambda sub, current, seconds: _solve_neighbourhood(sub, current, seconds, stop),
        until=started + (1 - STOP_MARGIN_SHARE) * time_limit,
        workers=workers,
        stop=stop,
        on_improve=report,
        floor=floor,
        mean_end=lp.mean_end if lp is not None else None,
        seed=SEED,
    )


def _solve_neighbourhood(
    sub: Problem, current: tuple[ProjectSchedule, ...], seconds: float, stop: Stop | None
) -> tuple[ProjectSchedule, ...] | None:
    """One re-plan: the sub-problem's model, hinted with and bounded by its current schedule."""
    m = cpmodel.build(sub, project_windows(sub))
    m.model.minimize(m.slippage + m.deferral)
    m.model.add(m.slippage + m.deferral <= objective_of(sub, current))
    cpmodel.add_hint(m, Solution(SolveStatus.FEASIBLE, None, None, 0.0, current, ()))
    solver, cp_status = _run(m.model, time_limit=seconds, workers=1, stop=stop, first_stage=True)
    if cp_status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return cpmodel.extract(m, list(solver.response_proto.solution))


class _Either:
    """Set when any of its events is."""

    def __init__(self, *events: threading.Event | None) -> None:
        self._events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


class _Best:
    """The best objective and bound either search has reported, sent to `progress` when they improve
    (called from CP-SAT's and HiGHS's threads)."""

    def __init__(self, started: float, progress: Callable[[Progress], None] | None) -> None:
        self._started, self._progress = started, progress
        self._lock = threading.Lock()
        self.objective: int | None = None
        self.bound: int | None = None

    def report(self, objective: int | None, bound: int | None) -> None:
        with self._lock:
            better = objective is not None and (self.objective is None or objective < self.objective)
            if better:
                self.objective = objective
            if bound is not None and (self.bound is None or bound > self.bound):
                self.bound, better = bound, True
            if better and self._progress is not None and self.objective is not None:
                bound = None if self.bound is None else min(self.bound, self.objective)
                self._progress(Progress(time.monotonic() - self._started, self.objective, bound))


def _beside_highs(
    mip: Mip,
    start: tuple[ProjectSchedule, ...] | None,
    partner: Callable[[Stop, int], _T],
    *,
    deadline: float,
    workers: int,
    stop: threading.Event | None,
    best: _Best,
) -> tuple[MipOutcome, _T | None]:
    """HiGHS on `mip` (its own thread, until `deadline`) and, with 2+ workers, `partner(halt, threads)`
    on this one with the other threads. A proof (or proven infeasibility) by HiGHS sets `halt`; when the
    partner returns, HiGHS is stopped too. HiGHS checks for a stop only between some of its phases (at
    1000 projects one of them ran 7 s past a time limit), so it gets HIGHS_GRACE_SECONDS past the
    deadline, or past a cancel, and is then left to end on its own: what it reported so far stands. An
    exception on HiGHS's thread stops the partner and is raised here."""
    done = threading.Event()
    halt = _Either(stop, done)
    found: list[MipOutcome] = []
    failed: list[BaseException] = []

    def search_mip() -> None:
        try:
            outcome = mip.run(
                time_limit=deadline - time.monotonic(),
                should_stop=halt.is_set,
                start=start,
                on_improve=lambda pattern, bound: best.report(pattern.objective, bound),
            )
        except BaseException as error:
            failed.append(error)
            done.set()
            return
        found.append(outcome)
        if outcome.proven or outcome.infeasible:
            done.set()

    # not a daemon: a process must not exit while HiGHS runs (C++ aborts: "terminate called without an
    # active exception"), so exit waits for a left-behind HiGHS to reach its next stop check
    highs = threading.Thread(target=search_mip, name="capsched-highs")
    highs.start()
    other = None
    try:
        if workers >= 2:
            other = partner(halt, workers - 1)
        else:
            while highs.is_alive() and not halt.is_set() and time.monotonic() < deadline:
                highs.join(STOP_POLL_SECONDS)
    finally:
        done.set()
        cancelled = stop is not None and stop.is_set()
        highs.join(HIGHS_GRACE_SECONDS + (0.0 if cancelled else max(0.0, deadline - time.monotonic())))
    if failed:
        raise failed[0]
    outcome = found[0] if found else mip.so_far()
    if outcome.infeasible and start is not None:  # a schedule exists: HiGHS's "infeasible" is numerics
        outcome = MipOutcome(None, None, False)
    return outcome, other


def _mip_schedule(
    problem: Problem, outcome: MipOutcome
) -> tuple[tuple[ProjectSchedule, ...] | None, MipOutcome]:
    """HiGHS's best pattern as a schedule, and the outcome to trust: none at all when the pattern did not
    become a schedule (a point outside HiGHS's tolerances would also have pruned with a wrong incumbent)."""
    if outcome.best is None:
        return None, outcome
    schedule = _pattern_schedule(problem, outcome.best)
    if schedule is None:
        return None, MipOutcome(None, None, False)
    return schedule, outcome


def _mip_portfolio(
    problem: Problem,
    windows: dict[str, Window],
    warm: Solution,
    baseline: Solution,
    *,
    started: float,
    time_limit: float,
    workers: int,
    stop: threading.Event | None,
    progress: Callable[[Progress], None] | None,
) -> Solution:
    """Medium portfolios: HiGHS on the MIP of solver/mip.py (one thread) and, with 2+ workers, CP-SAT on
    the whole model beside it (workers − 1 threads), both from the warm start (or a hint that fits). The
    first to prove the optimum stops the other; the better schedule and the larger bound are kept. A
    proven optimum then gets the same earliest-finish tie-break as any other (`_tie_break`)."""
    deadline = started + (1 - STOP_MARGIN_SHARE) * time_limit - PATTERN_RESERVE_SECONDS
    mip = Mip(problem, windows)
    m = cpmodel.build(problem, windows)
    m.model.minimize(m.slippage + m.deferral)
    start = _neighbourhood_start(problem, warm, baseline)
    best = _Best(started, progress)
    if start is not None:
        cpmodel.add_hint(m, Solution(SolveStatus.FEASIBLE, None, None, 0.0, start, ()))
        best.report(objective_of(problem, start), None)

    def cp_sat(halt: Stop, threads: int) -> tuple[int, list[int] | None, int | None, int | None]:
        callback = _Callback(started, lambda p: best.report(p.objective, p.bound), halt)
        solver, cp_status = _run(
            m.model, time_limit=deadline - time.monotonic(), workers=threads, stop=halt, callback=callback
        )
        return _outcome(solver, cp_status)

    mo, cp = _beside_highs(mip, start, cp_sat, deadline=deadline, workers=workers, stop=stop, best=best)
    cp = cp or (cp_model.UNKNOWN, None, None, None)
    if cp[0] == cp_model.INFEASIBLE or mo.infeasible:
        remaining = max(1.0, time_limit - (time.monotonic() - started))
        diagnostics = _infeasible(problem, windows, time_limit=remaining, workers=workers, stop=stop)
        return _no_schedule(problem, SolveStatus.INFEASIBLE, None, started, diagnostics)
    candidates = [baseline.projects] if baseline.status.has_schedule else []
    if start is not None:
        candidates.append(start)
    if cp[1] is not None:
        candidates.append(cpmodel.extract(m, cp[1]))
    mip_schedule, mo = _mip_schedule(problem, mo)
    if mip_schedule is not None:
        candidates.append(mip_schedule)
    bound = _best_bound(cp[3], mo.bound)
    if not candidates:
        return _no_schedule(problem, SolveStatus.UNKNOWN, bound, started)
    projects = min(candidates, key=lambda c: objective_of(problem, c))
    objective = objective_of(problem, projects)
    mip_proof = mo.proven and mo.best is not None and mo.best.objective == objective
    if cp[0] == cp_model.OPTIMAL or mip_proof or objective == bound:
        bound = objective
        values = _tie_break(
            m, objective, started=started, time_limit=time_limit, baseline=baseline, stop=stop
        )
        if values is not None:
            projects = cpmodel.extract(m, values)
    return _finish(problem, projects, SolveStatus.FEASIBLE, bound, started)


def _lns_portfolio(
    problem: Problem,
    windows: dict[str, Window],
    start: tuple[ProjectSchedule, ...],
    *,
    started: float,
    time_limit: float,
    workers: int,
    stop: threading.Event | None,
    progress: Callable[[Progress], None] | None,
) -> Solution:
    """Large portfolios up to MIP_MAX_PROJECTS: HiGHS on the MIP of solver/mip.py (one thread) beside the
    neighbourhood search (workers − 1 lanes, after the money-flow LP that guides it), both from `start`.
    The better schedule and the largest bound are kept; no tie-break (the whole CP-SAT model is not built
    at this size), so a proven optimum is HiGHS's schedule or the neighbourhood search's."""
    deadline = started + (1 - STOP_MARGIN_SHARE) * time_limit - PATTERN_RESERVE_SECONDS
    mip = Mip(problem, windows)
    best = _Best(started, progress)
    best.report(objective_of(problem, start), None)
    floor: list[int | None] = [None]

    def neighbourhoods(halt: Stop, threads: int) -> tuple[ProjectSchedule, ...]:
        lp = _lp(problem, windows, LP_SHARE * time_limit, stop)
        if lp is not None:
            floor[0] = lp.bound
            best.report(None, lp.bound)
        return _neighbourhood_search(
            problem,
            start,
            started,
            time_limit,
            threads,
            halt,
            lambda p: best.report(p.objective, p.bound),
            lp,
        )

    mo, searched = _beside_highs(
        mip, start, neighbourhoods, deadline=deadline, workers=workers, stop=stop, best=best
    )
    candidates = [start] + ([searched] if searched is not None else [])
    mip_schedule, mo = _mip_schedule(problem, mo)
    if mip_schedule is not None:
        candidates.append(mip_schedule)
    projects = min(candidates, key=lambda c: objective_of(problem, c))
    return _finish(problem, projects, SolveStatus.FEASIBLE, _best_bound(floor[0], mo.bound), started)


def _pattern_schedule(problem: Problem, pattern: Pattern) -> tuple[ProjectSchedule, ...] | None:
    """The schedule of a MIP pattern: its starts, ends and deferrals fixed, integral draws chosen by
    CP-SAT near the MIP's continuous ones (they exist: see solver/mip.py). None if CP-SAT finds none in
    PATTERN_LIMIT_SECONDS (only a MIP point outside HiGHS's tolerances could cause that)."""
    fixed = {}
    for p in problem.projects:
        span = pattern.spans.get(p.id)
        if span is None:
            fixed[p.id] = Window(must=False, reason="deferred by the MIP")
        else:
            s, e = span
            fixed[p.id] = Window(True, s, s, e, e, e - s + 1, e - s + 1)
    m = cpmodel.build(problem, fixed)
    for pid, pv in m.projects.items():
        near = pattern.draws.get(pid, {})
        for t, x in pv.draws.items():
            m.model.add_hint(x, round(near.get(t, 0.0)))
    solver, cp_status = _run(m.model, time_limit=PATTERN_LIMIT_SECONDS, workers=1, stop=None)
    if cp_status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return cpmodel.extract(m, list(solver.response_proto.solution))


# from this size the neighbourhood search beats CP-SAT on the whole model (bench/RESULTS.md)
LNS_MIN_PROJECTS = 250
LP_SHARE = 0.25  # the money-flow LP bound (solver/bound.py) may take at most this share of the time limit
FIRST_STAGE_MAX_PROJECTS = 50  # problems this small are first tried by one sequential search
FIRST_STAGE_SHARE = 0.25  # … for at most this share of the time limit
STOP_MARGIN_SHARE = 0.02  # kept back from the search: CP-SAT's workers stop ~0.5–1 s late on big models
TIE_BREAK_SHARE = 0.25  # the tie-break's deterministic work limit, as a share of the time limit …
TIE_BREAK_WORK_PER_PROJECT = 0.01  # … and at most this much work per project (20 projects: ~0.1 s)
# up to this size HiGHS also searches beside the neighbourhood search: at 1000 projects (60 s) it proves
# or nearly proves what the neighbourhoods leave 0.7–2.4 % away; at 2000 its root LP alone takes ~34 s
MIP_MAX_PROJECTS = 1000
# from this size HiGHS searches the MIP beside CP-SAT; below it CP-SAT's first stage proves the seed
# portfolio and 20-project instances in < 1 s (HiGHS: 1.0 s at 20 projects, 0.6) (bench/RESULTS.md)
MIP_MIN_PROJECTS = FIRST_STAGE_MAX_PROJECTS + 1
PATTERN_RESERVE_SECONDS = 0.2  # kept back from both searches to turn HiGHS's answer into a schedule
PATTERN_LIMIT_SECONDS = 2.0
HIGHS_GRACE_SECONDS = 0.1  # how long HiGHS may run past its deadline or a cancel before it is left behind


def _search(
    m: cpmodel.Model,
    *,
    time_limit: float,
    started: float,
    workers: int,
    stop: threading.Event | None,
    callback: _Callback,
) -> tuple[int, list[int] | None, int | None, int | None]:
    """(CP-SAT status, solution values or None, objective, bound) of the primary objective.

    Small problems first get one single-thread search with CP-SAT's stronger linear relaxation
    (linearization_level 2: the annual-draw and activity constraints enter the LP). Time to a proof on the
    model alone: the seed portfolio 0.42 s against 1.12 s for the core-based (max-SAT) search used before
    and 1.26 s for the parallel portfolio; six 20-project instances 1.6 s in all against 6.4 s with core
    search, which left one unproven at 5 s and was ≤ 0.15 s faster on two (bench/RESULTS.md). If it
    does not finish, the portfolio continues from its best schedule for the remaining time, and the
    better bound of the two is kept."""
    floor, first = None, None
    if len(m.problem.projects) <= FIRST_STAGE_MAX_PROJECTS:
        limit = min(time_limit - (time.monotonic() - started), FIRST_STAGE_SHARE * time_limit)
        solver, cp_status = _run(
            m.model, time_limit=limit, workers=1, stop=stop, callback=callback, first_stage=True
        )
        if (
            cp_status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
            or (stop is not None and stop.is_set())
            or callback.at_floor
        ):
            return _outcome(solver, cp_status)
        if cp_status == cp_model.FEASIBLE:
            first = _outcome(solver, cp_status)
            floor = first[3]
            m.model.clear_hints()
            for i, v in enumerate(solver.response_proto.solution):
                m.model.add_hint(m.model.get_int_var_from_proto_index(i), v)
    remaining = (1 - STOP_MARGIN_SHARE) * time_limit - (time.monotonic() - started)
    solver, cp_status = _run(m.model, time_limit=remaining, workers=workers, stop=stop, callback=callback)
    cp_status, values, objective, bound = _outcome(solver, cp_status)
    if values is None and first is not None:
        return first
    if floor is not None:
        bound = floor if bound is None else max(bound, floor)
    return cp_status, values, objective, bound


def _outcome(
    solver: cp_model.CpSolver, cp_status: int
) -> tuple[int, list[int] | None, int | None, int | None]:
    if cp_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return cp_status, list(solver.response_proto.solution), round(solver.objective_value), _bound(solver)
    return cp_status, None, None, (_bound(solver) if cp_status != cp_model.UNKNOWN else None)


def _tie_break(
    m: cpmodel.Model,
    objective: int,
    *,
    started: float,
    time_limit: float,
    baseline: Solution,
    stop: threading.Event | None,
) -> list[int] | None:
    """Among schedules with the optimal objective, the one finishing earliest — and the same one every run.

    The parallel search may prove the optimum through a different optimal schedule each run. This second
    solve makes the answer reproducible: one sequential worker, a fixed seed, a deterministic work limit
    (not wall-clock time) and a deterministic hint (the warm start `baseline`, never the parallel search's
    schedule), for what is left of `time_limit` and at most TIE_BREAK_SHARE of it or
    TIE_BREAK_WORK_PER_PROJECT per project of work. None when it finds nothing within its limit: then the
    search's own schedule stands."""
    wall_limit = time_limit - (time.monotonic() - started)
    if wall_limit < 0.2 or (stop is not None and stop.is_set()):
        return None
    work_limit = min(TIE_BREAK_SHARE * time_limit, TIE_BREAK_WORK_PER_PROJECT * len(m.problem.projects))
    m.model.add(m.slippage + m.deferral <= objective)
    m.model.minimize(cpmodel.finish_early(m))
    m.model.clear_hints()
    if baseline.status.has_schedule:
        cpmodel.add_hint(m, baseline)
    solver, cp_status = _run(
        m.model, time_limit=wall_limit, workers=1, stop=stop, deterministic_limit=work_limit
    )
    if cp_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(solver.response_proto.solution)
    return None


def _finish(
    problem: Problem,
    projects: tuple[ProjectSchedule, ...],
    status: SolveStatus,
    bound: int | None,
    started: float,
) -> Solution:
    """The verified solution; a schedule that breaks a rule raises VerificationError (a bug)."""
    objective = objective_of(problem, projects)
    if bound is not None:
        bound = min(bound, objective)
    if status == SolveStatus.FEASIBLE and bound == objective:
        status = SolveStatus.OPTIMAL
    solution = Solution(
        status, objective, bound, time.monotonic() - started, projects, _years(problem, projects)
    )
    violations = verify(problem, solution)
    if violations:
        raise VerificationError(violations)
    return solution


def _no_schedule(
    problem: Problem, status: SolveStatus, bound: int | None, started: float, diagnostics=None
) -> Solution:
    years = tuple(YearSpend(t, problem.budget[t], 0) for t in problem.years)
    solution = Solution(status, None, bound, time.monotonic() - started, (), years)
    if diagnostics is not None:
        solution = Solution(status, None, bound, solution.solve_seconds, (), years, diagnostics)
    return solution


def _infeasible(
    problem: Problem,
    windows: dict[str, Window],
    *,
    time_limit: float,
    workers: int,
    stop: threading.Event | None,
):
    """Diagnostics for a problem proven infeasible: the elastic solve for the least extra money."""
    m = cpmodel.build(problem, windows, elastic=True)
    m.model.minimize(sum(m.extra.values()))
    solver, cp_status = _run(m.model, time_limit=time_limit, workers=workers, stop=stop)
    status = _status(cp_status, cp_status in (cp_model.OPTIMAL, cp_model.FEASIBLE))
    shortfall = None
    if status.has_schedule:
        shortfall = {t: solver.value(v) for t, v in m.extra.items() if solver.value(v)}
    if status == SolveStatus.OPTIMAL:
        shortfall = _latest_shortfall(m, sum(shortfall.values()), problem, stop) or shortfall
    return infeasible_diagnostics(problem, status, shortfall)


def _latest_shortfall(
    m: cpmodel.Model, total: int, problem: Problem, stop: threading.Event | None
) -> dict[int, int] | None:
    """The same least total, each extra 万元 as late as the rules allow — and the same split every run.

    The least total is unique but its split over the years is not, and the parallel search returned a
    different one each run. One sequential worker under a deterministic work limit picks the split that
    asks for the money as late as possible (what a finance office can still raise), or None if it finds
    nothing in its limit."""
    m.model.add(sum(m.extra.values()) == total)
    m.model.minimize(sum((problem.last_year - t) * v for t, v in m.extra.items()))
    m.model.clear_hints()
    work = min(TIE_BREAK_SHARE * 10.0, TIE_BREAK_WORK_PER_PROJECT * len(problem.projects)) + 0.1
    solver, cp_status = _run(m.model, time_limit=10.0, workers=1, stop=stop, deterministic_limit=work)
    if cp_status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {t: solver.value(v) for t, v in m.extra.items() if solver.value(v)}
