"""Running CP-SAT on the model of solver/cpmodel.py: parameters, cancel, the searches that need it.

`search_whole_model` is the primary search of small and medium problems: problems of at most
`first_stage_max_projects` first get one single-thread search with the stronger linear relaxation
(linearization level 2); the rest of the time goes to CP-SAT's parallel portfolio, `portfolio_per_thread`
subsolvers per granted thread up to `portfolio_max`, time-shared on the cores. `tie_break` picks, among
optimal schedules, the earliest-finishing one, the same every run; `least_shortfall` is the elastic solve
of an infeasible problem; `solve_neighbourhood` re-plans one neighbourhood (solver/lns.py) and
`pattern_schedule` turns a MIP pattern (solver/mip.py) into whole-万元 draws.

OR-Tools names stay in this module, solver/cpmodel.py and solver/sat.py (CP-SAT's API without pandas);
statuses are mapped onto SolveStatus in `status_of`, so solver/search.py never sees one.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from solver import cpmodel, sat
from solver.budget import Budget, Stop
from solver.diagnostics import infeasible_diagnostics
from solver.messages import Phrase
from solver.params import SolveParams
from solver.problem import Problem, Project
from solver.solution import Diagnostics, Progress, ProjectSchedule, Solution, SolveStatus, objective_of
from solver.windows import Window, project_windows

if TYPE_CHECKING:  # (solver/mip.py imports HiGHS and numpy: a small problem needs neither)
    from solver.mip import Pattern


def status_of(cp_status: sat.CpSolverStatus, has_solution: bool) -> SolveStatus:
    """CP-SAT's status → ours (the only place OR-Tools statuses are read)."""
    if cp_status == sat.OPTIMAL:
        return SolveStatus.OPTIMAL
    if cp_status == sat.FEASIBLE or has_solution:
        return SolveStatus.FEASIBLE
    if cp_status == sat.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if cp_status == sat.MODEL_INVALID:
        raise RuntimeError("CP-SAT rejected the model as invalid (a solver bug)")
    return SolveStatus.UNKNOWN


class CpOutcome(NamedTuple):
    """What one CP-SAT search gave: our status, the solution values (None without one), its objective and
    CP-SAT's bound rounded up (None when it has none)."""

    status: SolveStatus
    values: list[int] | None
    objective: int | None
    bound: int | None


NOTHING = CpOutcome(SolveStatus.UNKNOWN, None, None, None)


def best_bound(cp_bound: int | None, floor: int | None) -> int | None:
    """The larger of CP-SAT's bound and the money-flow LP's (either may be missing)."""
    known = [b for b in (cp_bound, floor) if b is not None]
    return max(known) if known else None


class Callback(sat.CpSolverSolutionCallback):
    """Reports each improving solution and honours a cancel request; stops at the LP `floor`."""

    def __init__(
        self,
        budget: Budget,
        progress: Callable[[Progress], None] | None,
        stop: Stop | None,
        floor: int | None = None,
    ):
        super().__init__()
        self._budget, self._progress, self._stop, self._floor = budget, progress, stop, floor
        self.at_floor = False

    def on_solution_callback(self) -> None:
        if self._stop is not None and self._stop.is_set():
            self.stop_search()
            return
        if self._floor is not None and self.objective_value <= self._floor + 0.5:
            self.at_floor = True  # reached the money-flow LP bound: nothing better exists
            self.stop_search()
        if self._progress is not None:
            bound = best_bound(max(0, math.ceil(self.best_objective_bound - 1e-6)), self._floor)
            self._progress(Progress(self._budget.elapsed(), round(self.objective_value), bound))


def _configure(
    cp_params: Any,
    params: SolveParams,
    *,
    time_limit: float,
    workers: int,
    first_stage: bool = False,
    deterministic_limit: float | None = None,
    follow_hint: bool = True,
    probing_level: int | None = None,
) -> None:
    """Search parameters: time, seed and portfolio size (and CP-SAT's probing level, when given).

    `workers` is the number of CPU threads the caller grants. With 1, CP-SAT runs one sequential,
    deterministic search. With 2 or more it runs a portfolio of up to `portfolio_max` subsolvers
    (time-shared on the machine's cores): on 2 cores a 2-worker portfolio has no LP-guided worker, and the
    8-worker one (core, max_lp, several LNS) found schedules within 4 % of the bound on 200 projects where
    the 2-worker one stayed 40–60 % away (bench/RESULTS.md). The warm start seeds the LNS workers only
    (`hint_conflict_limit` 0): followed by the full-search workers it led their first dive away from the
    LP's good region."""
    cp_params.max_time_in_seconds = max(0.01, time_limit)
    threads = max(1, workers)
    cp_params.num_workers = (
        1 if threads == 1 else min(params.portfolio_max, params.portfolio_per_thread * threads)
    )
    cp_params.random_seed = params.seed
    cp_params.hint_conflict_limit = 0
    if first_stage:  # one sequential search with the stronger LP; its first dive may follow the hint
        cp_params.num_workers = 1  # (CP-SAT's default conflict limit): measured faster on the seed
        cp_params.linearization_level = 2  # portfolio (0.41 s against 0.63 s to a proof)
        if follow_hint:
            cp_params.clear_hint_conflict_limit()
    if deterministic_limit is not None:  # a work limit, not a wall-clock one: the same on a busy machine
        cp_params.max_deterministic_time = max(0.01, deterministic_limit)
    if probing_level is not None:
        cp_params.cp_model_probing_level = probing_level


def run(
    model: sat.CpModel,
    params: SolveParams,
    *,
    time_limit: float,
    workers: int,
    stop: Stop | None,
    callback: Callback | None = None,
    first_stage: bool = False,
    deterministic_limit: float | None = None,
    follow_hint: bool = True,
    probing_level: int | None = None,
) -> tuple[sat.CpSolver, sat.CpSolverStatus]:
    """Solve with a fixed seed; a watcher thread stops the search promptly when `stop` is set."""
    solver = sat.CpSolver()
    _configure(
        solver.parameters,
        params,
        time_limit=time_limit,
        workers=workers,
        first_stage=first_stage,
        deterministic_limit=deterministic_limit,
        follow_hint=follow_hint,
        probing_level=probing_level,
    )
    done = threading.Event()

    def watch() -> None:
        while not done.wait(params.stop_poll_seconds):
            if stop is not None and stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name="cpsat-stop-watcher", daemon=True)
    if stop is not None:
        if stop.is_set():
            return solver, sat.UNKNOWN
        watcher.start()
    try:
        status = solver.solve(model, callback) if callback is not None else solver.solve(model)
    finally:
        done.set()
        if stop is not None:
            watcher.join()
    return solver, status


def _bound(solver: sat.CpSolver) -> int:
    """CP-SAT's best bound, rounded up (the objective is integral) and at least 0 (no term is negative)."""
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def outcome(solver: sat.CpSolver, cp_status: sat.CpSolverStatus) -> CpOutcome:
    """The search's result in our terms."""
    if cp_status in (sat.OPTIMAL, sat.FEASIBLE):
        values = list(solver.response_proto.solution)
        return CpOutcome(status_of(cp_status, True), values, round(solver.objective_value), _bound(solver))
    bound = _bound(solver) if cp_status != sat.UNKNOWN else None
    return CpOutcome(status_of(cp_status, False), None, None, bound)


def search_whole_model(
    m: cpmodel.Model,
    params: SolveParams,
    *,
    budget: Budget,
    workers: int,
    stop: Stop | None,
    callback: Callback,
) -> CpOutcome:
    """The primary objective searched on the whole model (see module docstring).

    Small problems first get one single-thread search with CP-SAT's stronger linear relaxation
    (linearization_level 2: the annual-draw and activity constraints enter the LP). Time to a proof on the
    model alone: the seed portfolio 0.42 s against 1.12 s for the core-based (max-SAT) search used before
    and 1.26 s for the parallel portfolio; six 20-project instances 1.6 s in all against 6.4 s with core
    search, which left one unproven at 5 s and was ≤ 0.15 s faster on two (bench/RESULTS.md). If it
    does not finish, the portfolio continues from its best schedule for the remaining time, and the
    better bound of the two is kept."""
    floor, first = None, None
    work = params.work_limit  # a deterministic budget shared by the two stages, else the clock
    if len(m.problem.projects) <= params.first_stage_max_projects:
        limit = budget.remaining()
        if work is None:
            share = params.first_stage_share_with_sources if m.problem.sources else params.first_stage_share
            limit = min(limit, share * budget.limit)
        solver, cp_status = run(
            m.model,
            params,
            time_limit=limit,
            workers=1,
            stop=stop,
            callback=callback,
            first_stage=True,
            deterministic_limit=None if work is None else params.first_stage_share * work,
            probing_level=(
                params.first_stage_probing_with_sources if m.problem.sources else params.first_stage_probing
            ),
        )
        if work is not None:
            work = max(0.01, work - solver.deterministic_time)
        found = outcome(solver, cp_status)
        if (
            found.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)
            or (stop is not None and stop.is_set())
            or callback.at_floor
        ):
            return found
        if found.status is SolveStatus.FEASIBLE:
            first, floor = found, found.bound
            m.model.clear_hints()
            for i, v in enumerate(solver.response_proto.solution):
                m.model.add_hint(m.model.get_int_var_from_proto_index(i), v)
    remaining = budget.at(1 - params.stop_margin_share) - budget.now()
    solver, cp_status = run(
        m.model,
        params,
        time_limit=remaining,
        workers=workers,
        stop=stop,
        callback=callback,
        deterministic_limit=work,
    )
    found = outcome(solver, cp_status)
    if first is not None and (
        found.values is None
        or found.objective is None
        or (first.objective is not None and found.objective > first.objective)
    ):
        # the portfolio found nothing, or only worse (it follows the hint in its LNS workers only)
        return first._replace(bound=best_bound(found.bound, first.bound))
    if floor is not None:
        found = found._replace(bound=floor if found.bound is None else max(found.bound, floor))
    return found


def tie_break(
    m: cpmodel.Model,
    objective: int,
    params: SolveParams,
    *,
    budget: Budget,
    baseline: Solution,
    stop: Stop | None,
) -> list[int] | None:
    """Among schedules with the optimal objective, the one finishing earliest — and the same one every run.

    The parallel search may prove the optimum through a different optimal schedule each run. This second
    solve makes the answer reproducible: one sequential worker, a fixed seed, a deterministic work limit
    (not wall-clock time) and a deterministic hint (the warm start `baseline`, never the parallel search's
    schedule), for what is left of `time_limit` and at most `tie_break_share` of it or
    `tie_break_work_per_project` per project of work. None when it finds nothing within its limit: then
    the search's own schedule stands."""
    wall_limit = budget.remaining()
    if wall_limit < 0.2 or (stop is not None and stop.is_set()):
        return None
    work_limit = min(
        params.tie_break_share * budget.limit, params.tie_break_work_per_project * len(m.problem.projects)
    )
    m.model.add(m.slippage + m.deferral <= objective)
    m.model.minimize(cpmodel.finish_early(m))
    m.model.clear_hints()
    if baseline.status.has_schedule:
        cpmodel.add_hint(m, baseline)
    solver, cp_status = run(
        m.model,
        params,
        time_limit=wall_limit,
        workers=1,
        stop=stop,
        deterministic_limit=work_limit,
        probing_level=params.tie_break_probing,
    )
    return outcome(solver, cp_status).values


def least_shortfall(
    problem: Problem,
    windows: dict[str, Window],
    params: SolveParams,
    *,
    time_limit: float,
    workers: int,
    stop: Stop | None,
    reasons: list[Phrase] | None = None,
) -> Diagnostics:
    """Diagnostics for a problem proven infeasible: the elastic solve for the least extra money (in v2 the
    least sum over the total caps and every source's caps), after the `reasons` found before search."""
    m = cpmodel.build(problem, windows, elastic=True)
    m.model.minimize(m.all_extra())
    solver, cp_status = run(
        m.model,
        params,
        time_limit=time_limit,
        workers=workers,
        stop=stop,
        deterministic_limit=params.work_limit,
    )
    status = outcome(solver, cp_status).status
    extra = None
    if status.has_schedule:
        extra = _extra_of(m, solver)
    if status == SolveStatus.OPTIMAL:
        extra = _latest_shortfall(m, round(solver.objective_value), params, stop) or extra
    shortfall, by_source = extra if extra is not None else (None, None)
    return infeasible_diagnostics(problem, status, shortfall, by_source if problem.sources else None, reasons)


Extra = tuple[dict[int, int], dict[str, dict[int, int]]]  # per year on B_t; per source and year (v2)


def _extra_of(m: cpmodel.Model, solver: sat.CpSolver) -> Extra:
    """The elastic amounts of a solution, non-zero ones only."""
    shortfall = {t: solver.value(v) for t, v in m.extra.items() if solver.value(v)}
    by_source: dict[str, dict[int, int]] = {}
    for (k, t), v in m.source_extra.items():
        if solver.value(v):
            by_source.setdefault(k, {})[t] = solver.value(v)
    return shortfall, by_source


def _latest_shortfall(m: cpmodel.Model, total: int, params: SolveParams, stop: Stop | None) -> Extra | None:
    """The same least total, each extra 万元 as late as the rules allow — and the same split every run.

    The least total is unique but its split over the years (and, v2, over the sources) is not, and the
    parallel search returned a different one each run. One sequential worker under a deterministic work
    limit picks the split that asks for the money as late as possible (what a finance office can still
    raise), or None if it finds nothing in its limit."""
    problem = m.problem
    m.model.add(m.all_extra() == total)
    late = [(problem.last_year - t, v) for t, v in m.extra.items()]
    late += [(problem.last_year - t, v) for (_, t), v in m.source_extra.items()]
    m.model.minimize(sum(c * v for c, v in late))
    m.model.clear_hints()
    work = min(params.tie_break_share * 10.0, params.tie_break_work_per_project * len(problem.projects)) + 0.1
    solver, cp_status = run(m.model, params, time_limit=10.0, workers=1, stop=stop, deterministic_limit=work)
    if outcome(solver, cp_status).values is None:
        return None
    return _extra_of(m, solver)


def solve_neighbourhood(
    sub: Problem,
    current: tuple[ProjectSchedule, ...],
    seconds: float,
    stop: Stop | None,
    params: SolveParams,
) -> tuple[ProjectSchedule, ...] | None:
    """One re-plan of solver/lns.py: the sub-problem's model, hinted with and bounded by its current
    schedule, one sequential search. With funding sources the search does not follow the hint in its first
    dive: on neighbourhoods of 2000 projects with four sources at tightness 0.8 (1.15 deterministic s each,
    8 of them) it gained 380 against 206 with 150 projects, 227 against ~220 with 80."""
    m = cpmodel.build(sub, project_windows(sub))
    m.model.minimize(m.slippage + m.deferral)
    m.model.add(m.slippage + m.deferral <= objective_of(sub, current))
    cpmodel.add_hint(m, Solution(SolveStatus.FEASIBLE, None, None, 0.0, current, ()))
    solver, cp_status = run(
        m.model,
        params,
        time_limit=seconds,
        workers=1,
        stop=stop,
        first_stage=True,
        follow_hint=not sub.sources,
    )
    values = outcome(solver, cp_status).values
    return None if values is None else cpmodel.extract(m, values)


def held_ends_schedule(
    problem: Problem,
    windows: dict[str, Window],
    whole: Mapping[str, int | None],
    params: SolveParams,
    *,
    seconds: float,
    workers: int,
    stop: Stop | None,
) -> tuple[ProjectSchedule, ...] | None:
    """A schedule near the money-flow LP's solution (solver/bound.py `LpBound.whole`): each project the LP
    gives whole ends in its LP end year (or stays deferred), and CP-SAT chooses the rest — starts, draws,
    the split over sources, the ends of the projects the LP splits — for the least slippage within
    `seconds`. None when it finds no schedule in time (the LP is a relaxation: its ends may admit none).

    Why: with funding sources the greedy warm start is far from the optimum (200 projects with four
    sources @ 0.6: 357 against a bound of 239), and the LP gives 181–191 of 200 projects whole. Held there,
    one CP-SAT worker found 249 / 246 / 243 in 1.5 / 3 / 5 s on that instance, where the whole search had
    reached 247–252 in 10 s (bench/RESULTS.md)."""
    held = dict(windows)
    for pid, end in whole.items():
        w = windows.get(pid)
        if w is None or not w.open:
            continue
        if end is None:
            if not w.must:
                held[pid] = Window(must=False, reason=Phrase("deferred_by_lp"))
            continue
        held[pid] = _ending_in(problem.project(pid), w, end)
    m = cpmodel.build(problem, held)
    m.model.minimize(m.slippage + m.deferral)
    solver, cp_status = run(m.model, params, time_limit=seconds, workers=workers, stop=stop)
    values = outcome(solver, cp_status).values
    return None if values is None else cpmodel.extract(m, values)


def _ending_in(project: Project, w: Window, end: int) -> Window:
    """`w` narrowed to the schedules that end in `end` (`w` itself if none does)."""
    if project.profile is not None:
        lo = hi = end - len(project.profile) + 1
    else:
        lo, hi = end - w.max_dur + 1, end - w.min_dur + 1
    lo, hi = max(lo, w.start_lo), min(hi, w.start_hi)
    if lo > hi or not w.end_lo <= end <= w.end_hi:
        return w
    return Window(w.must, lo, hi, end, end, w.min_dur, w.max_dur)


def pattern_schedule(
    problem: Problem, pattern: Pattern, params: SolveParams
) -> tuple[ProjectSchedule, ...] | None:
    """The schedule of a MIP pattern: its starts, ends and deferrals fixed, integral draws chosen by
    CP-SAT near the MIP's continuous ones (they exist: see solver/mip.py). None if CP-SAT finds none in
    `pattern_limit_seconds` (only a MIP point outside HiGHS's tolerances could cause that)."""
    fixed = {}
    for p in problem.projects:
        span = pattern.spans.get(p.id)
        if span is None:
            fixed[p.id] = Window(must=False, reason=Phrase("deferred_by_mip"))
        else:
            s, e = span
            fixed[p.id] = Window(True, s, s, e, e, e - s + 1, e - s + 1)
    m = cpmodel.build(problem, fixed)
    for pid, pv in m.projects.items():
        near = pattern.draws.get(pid, {})
        for t, x in pv.draws.items():
            m.model.add_hint(x, round(near.get(t, 0.0)))
    solver, cp_status = run(m.model, params, time_limit=params.pattern_limit_seconds, workers=1, stop=None)
    values = outcome(solver, cp_status).values
    return None if values is None else cpmodel.extract(m, values)
