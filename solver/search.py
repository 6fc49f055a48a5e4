"""The one entry point, `solve`: a short dispatcher over the strategies of solver/params.py.

Every strategy starts from the warm start (solver/greedy.py, never worse than the baseline greedy) or a
hint that fits, and ends in `_Solve.finish`, which verifies the schedule independently before it is
returned. Which strategy runs is `choose_strategy(size, params)`:

- CP_SAT: CP-SAT on the whole model (solver/cpsat.py `search_whole_model`), bounded below by the
  money-flow LP (solver/bound.py); a proven optimum gets the earliest-finish tie-break.
- MIP_AND_CP_SAT: HiGHS on the exact MIP of solver/mip.py (one thread) beside CP-SAT on the whole model
  (the other threads); the first proof stops the other (solver/race.py). On 200 projects HiGHS proves
  optima CP-SAT stays 2–3 % away from.
- NEIGHBOURHOODS: the whole model is too big to improve in time; ~150 projects at a time are re-planned
  exactly with the rest held, chosen where the schedule differs most from the LP's solution
  (solver/lns.py), `workers` neighbourhoods at once.
- MIP_AND_NEIGHBOURHOODS: HiGHS beside workers − 1 lanes of the neighbourhood search.

A solve stopped by its time limit depends on timing either way; a proven optimum's objective does not,
and the tie-break makes its schedule reproducible too (below `lns_min_projects`).

v2 problems (funding sources) take the same strategies; up to `relaxation_max_projects` CP-SAT first
solves the problem without its sources (`_without_sources`, a bound and often the optimum), and the
neighbourhoods replace CP-SAT on the whole model from `lns_min_projects_with_sources` (51) projects,
where it could not improve the warm start of a 200-project portfolio; every engine models the sources
(CP-SAT, the MIP, the neighbourhoods' sub-problems, the greedy warm start; the LP bound keeps the rules
that stay linear in its variables, see solver/bound.py). Before any search, impossibilities more money on
a source would fix (solver/windows.py `quota_messages`) go straight to the elastic solve for the least
shortfall.
"""

from __future__ import annotations

import importlib.util
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, overload

from solver.bound import LpBound, lp_bound
from solver.budget import Budget, Stop, Stopped
from solver.diagnostics import structural_diagnostics
from solver.greedy import warm_start
from solver.messages import Phrase
from solver.params import DEFAULT_PARAMS, SolveParams, Strategy, choose_strategy
from solver.problem import Problem
from solver.progress import Best
from solver.solution import (
    Diagnostics,
    Progress,
    ProjectSchedule,
    SearchReport,
    Solution,
    SolveStatus,
    SourceYearSpend,
    YearSpend,
    objective_of,
)
from solver.verify import VerificationError, verify
from solver.windows import Window, project_windows, quota_messages, structural_messages

if TYPE_CHECKING:
    from solver import cpmodel
    from solver.cpsat import CpOutcome
    from solver.mip import Mip, MipOutcome

# The engines (CP-SAT, HiGHS, numpy) are imported where a phase first needs them, not with this module: a
# solve whose limit is spent by the greedy passes needs none of them, and a small problem (CP-SAT alone,
# through solver/sat.py) needs neither HiGHS nor numpy: ~0.1 s of a 1-second command.

Schedule = tuple[ProjectSchedule, ...]


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    hint: Solution | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    params: SolveParams = DEFAULT_PARAMS,
    on_phase: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    started: float | None = None,
    cpu_clock: Callable[[], float] = time.thread_time,
) -> Solution:
    """Schedule `problem` per MODEL.md within `time_limit` seconds, every phase included.

    Returns OPTIMAL / FEASIBLE with a verified schedule, INFEASIBLE with diagnostics, or UNKNOWN; never
    worse than the warm start. `workers` is the number of threads granted; `progress` hears of each
    improvement (objective and bound) — the first greedy schedule as soon as its pass ends and it
    verifies, before any bound —, `on_phase` of each phase begun ("windows", "warm start", "bound",
    "search", "tie-break", "shortfall"). With `stop` set, any phase ends within a fraction of a second
    (its loops poll it) and the best schedule so far is returned — UNKNOWN when there is none yet (a
    HiGHS busy in a phase it does not interrupt is left to end on its own thread). The limit counts from
    `started`, a reading of `clock` (default: now), so a caller can count work done before the call;
    every phase reads `clock`, and the Lagrangian bound its CPU time on `cpu_clock` (a test passes fake
    ones). Only the windows and the greedy passes before the first schedule (solver/greedy.py
    `warm_start`) may run past the limit, by at most `overrun_seconds`, so that a schedule comes back even
    from a limit too short for them; once one exists, the limit spent returns it. `params` holds every
    threshold and share (solver/params.py);
    `Solution.search` says which strategy ran and where the bound came from."""
    budget = Budget(
        clock() if started is None else started, time_limit, stop, clock, params.overrun_seconds, cpu_clock
    )
    run = _Solve(problem, budget, workers, Best(budget, progress), params, on_phase)
    try:
        run.phase("windows")
        run.windows = project_windows(problem, budget)
        structural = structural_messages(problem, run.windows)
        if structural:
            return run.no_schedule(SolveStatus.INFEASIBLE, None, structural_diagnostics(structural))
        short_of_quota = quota_messages(problem, run.windows)
        if short_of_quota:  # v2: no schedule exists, and money on the sources would help: no search
            return run.infeasible(None, short_of_quota)
        run.phase("warm start")
        baseline = warm_start(
            problem, run.windows, budget, budget.at(params.warm_start_share), on_schedule=run.heard
        )
    except Stopped:
        return run.no_schedule(SolveStatus.UNKNOWN, None)
    warm = hint if hint is not None and hint.status.has_schedule else baseline
    run.budget = replace(budget, overrun=0.0)  # from here on there is a schedule, or no hurry to find one
    start = _start(problem, warm, baseline)
    # the limit is spent, or all that is left is kept back to check and return a schedule: what the greedy
    # passes found is the answer (no engine is even imported: at 0.5 s for 10,000 projects that mattered)
    if budget.over() or (start is not None and budget.over(run.search_until())):
        if start is None:
            return run.no_schedule(SolveStatus.UNKNOWN, None)
        return run.finish(start, SolveStatus.FEASIBLE, None, SearchReport("warm start"))
    strategy = choose_strategy(
        len(problem.projects), params, highs=highs_installed(), sources=bool(problem.sources)
    )
    return _STRATEGIES[strategy](run, warm, baseline)


@dataclass(slots=True)
class _Solve:
    """One call of `solve`: the problem, its windows, the time budget and the caller's hooks."""

    problem: Problem
    budget: Budget
    workers: int
    best: Best  # what the caller's `progress` has heard: only improvements reach it
    params: SolveParams
    on_phase: Callable[[str], None] | None
    windows: dict[str, Window] = field(init=False)

    @property
    def started(self) -> float:
        return self.budget.started

    @property
    def time_limit(self) -> float:
        return self.budget.limit

    @property
    def stop(self) -> Stop | None:
        return self.budget.stop

    def phase(self, name: str) -> None:
        if self.on_phase is not None:
            self.on_phase(name)

    def remaining(self) -> float:
        return self.budget.remaining()

    def search_until(self) -> float:
        """When searches stop (a clock reading): a margin before the limit for CP-SAT's late workers,
        and time to check and return the schedule (finish_seconds_per_project)."""
        reserve = self.params.finish_seconds_per_project * len(self.problem.projects)
        return min(self.budget.at(1 - self.params.stop_margin_share), self.budget.at(1.0) - reserve)

    def report(self, objective: int | None, bound: int | None) -> None:
        self.best.report(objective, bound)

    def heard(self, found: Solution) -> None:
        """A greedy pass's schedule, better than those before it: checked, then reported at once (at
        10,000 projects the first exists seconds before the warm start's last pass ends on a busy machine)."""
        violations = verify(self.problem, found)
        if violations:
            raise VerificationError(violations)
        self.report(found.objective, None)

    def lp(self, lagrangian: bool | None = None) -> LpBound | None:
        """The bound that guides the neighbourhood search, or None: for large portfolios (from
        `lagrangian_min_projects`, or when `lagrangian` says so) the Lagrangian relaxation of
        solver/lagrangian.py, which stops itself after `lagrangian_share` of the limit in CPU time (at
        most `lagrangian_wall_share` of it on the clock) or on a cancel and
        gives a pattern to round (solver/rounding.py); otherwise the money-flow LP of solver/bound.py
        within `lp_share` of the limit. HiGHS cannot interrupt an LP, so with a `stop` event the LP runs on
        its own thread and a cancel stops the wait at once (the abandoned LP ends by its own time limit)."""
        if self.budget.over(self.search_until()):
            return None
        size = len(self.problem.projects)
        if lagrangian is None:  # (v2: up to lp_shares_max_projects the LP keeps the source shares)
            lagrangian = size >= self.params.lagrangian_min_projects and not (
                self.problem.sources and size <= self.params.lp_shares_max_projects
            )
        if lagrangian:
            from solver.lagrangian import price_bound

            self.phase("bound")
            # its share counts from when it starts (on a busy machine the greedy passes may have used the
            # first fifth of the limit already, and the relaxation is what the rest builds on), in CPU time
            # (beside other work the same wall-clock share bought too little to converge), within a
            # wall-clock share that leaves the search its time on a starved machine
            cpu = self.params.lagrangian_share * self.time_limit
            wall = self.params.lagrangian_wall_share * self.time_limit
            until = min(self.budget.now() + wall, self.search_until())
            try:
                return price_bound(self.problem, self.windows, self.budget, until, cpu)
            except Stopped:
                return None
        limit = self.params.lp_share * self.time_limit
        shares = size <= self.params.lp_shares_max_projects
        if self.stop is None:
            self.phase("bound")
            return lp_bound(self.problem, self.windows, time_limit=limit, shares=shares)
        if self.stop.is_set():
            return None
        result: list[LpBound | None] = []
        worker = threading.Thread(
            target=lambda: result.append(
                lp_bound(self.problem, self.windows, time_limit=limit, shares=shares)
            ),
            name="capsched-lp-bound",  # not a daemon, like HiGHS's thread (solver/race.py)
        )
        worker.start()
        self.phase("bound")
        while worker.is_alive():
            worker.join(self.params.stop_poll_seconds)
            if self.stop.is_set():
                return None
        return result[0] if result else None

    @overload
    def rounded(self, lp: LpBound | None, start: Schedule, threads: int | None = None) -> Schedule: ...

    @overload
    def rounded(self, lp: LpBound | None, start: None, threads: int | None = None) -> Schedule | None: ...

    def rounded(
        self, lp: LpBound | None, start: Schedule | None, threads: int | None = None
    ) -> Schedule | None:
        """The better of `start` and the relaxation's solution made a schedule, when there is time: the
        Lagrangian relaxation's pattern by solver/rounding.py, or the money-flow LP's whole projects held
        at their ends by CP-SAT on `threads` (default: all) for at most `held_ends_share` of the limit
        (solver/cpsat.py `held_ends_schedule`); reported when it is better."""
        if lp is None or self.budget.over(self.search_until()):
            return start
        if lp.pattern is not None:
            from solver.rounding import round_pattern

            self.phase("rounding")
            try:
                rounded = round_pattern(self.problem, self.windows, lp.pattern, self.budget)
            except Stopped:
                return start
        elif lp.whole:
            from solver import cpsat

            self.phase("rounding")
            seconds = min(
                self.params.held_ends_share * self.time_limit, self.search_until() - self.budget.now()
            )
            rounded = cpsat.held_ends_schedule(
                self.problem,
                self.windows,
                lp.whole,
                self.params,
                seconds=seconds,
                workers=threads or self.workers,
                stop=self.stop,
            )
        else:
            return start
        if rounded is None:
            return start
        objective = objective_of(self.problem, rounded)
        if start is not None and objective >= objective_of(self.problem, start):
            return start
        self.report(objective, lp.bound)
        return rounded

    def tie_break(self, m: cpmodel.Model, objective: int, baseline: Solution) -> list[int] | None:
        from solver import cpsat

        self.phase("tie-break")
        return cpsat.tie_break(
            m,
            objective,
            self.params,
            budget=self.budget,
            baseline=baseline,
            stop=self.stop,
        )

    def infeasible(self, report: SearchReport | None, reasons: list[Phrase] | None = None) -> Solution:
        """INFEASIBLE with the least shortfall (an elastic solve in what is left of the limit, ≥ 1 s), after
        the `reasons` found before search, unless the caller only asked whether a schedule exists
        (`params.shortfall` off)."""
        from solver import cpsat

        if not self.params.shortfall:
            return self.no_schedule(SolveStatus.INFEASIBLE, None, Diagnostics.of(reasons or [], None), report)
        self.phase("shortfall")
        diagnostics = cpsat.least_shortfall(
            self.problem,
            self.windows,
            self.params,
            time_limit=max(1.0, self.remaining()),
            workers=self.workers,
            stop=self.stop,
            reasons=reasons,
        )
        return self.no_schedule(SolveStatus.INFEASIBLE, None, diagnostics, report)

    def finish(
        self, projects: Schedule, status: SolveStatus, bound: int | None, report: SearchReport
    ) -> Solution:
        """The verified solution; a schedule that breaks a rule raises VerificationError (a bug)."""
        objective = objective_of(self.problem, projects)
        if bound is not None:
            bound = min(bound, objective)
        if status == SolveStatus.FEASIBLE and bound == objective:
            status = SolveStatus.OPTIMAL
        solution = Solution(
            status,
            objective,
            bound,
            self.budget.elapsed(),
            projects,
            years_of(self.problem, projects),
            search=report,
            source_years=source_years_of(self.problem, projects),
        )
        violations = verify(self.problem, solution)
        if violations:
            raise VerificationError(violations)
        return replace(solution, solve_seconds=self.budget.elapsed())  # the check counts too

    def no_schedule(
        self,
        status: SolveStatus,
        bound: int | None,
        diagnostics: Diagnostics | None = None,
        report: SearchReport | None = None,
    ) -> Solution:
        years = tuple(YearSpend(t, self.problem.budget[t], 0) for t in self.problem.years)
        return Solution(
            status,
            None,
            bound,
            self.budget.elapsed(),
            (),
            years,
            diagnostics or Diagnostics(),
            report,
            source_years_of(self.problem, ()),
        )


def years_of(problem: Problem, projects: Schedule) -> tuple[YearSpend, ...]:
    """Each year's cap and what the schedule spends in it."""
    spend = dict.fromkeys(problem.years, 0)
    for p in projects:
        for t, amount in p.funding.items():
            spend[t] += amount
    return tuple(YearSpend(t, problem.budget[t], spend[t]) for t in problem.years)


def source_years_of(problem: Problem, projects: Schedule) -> tuple[SourceYearSpend, ...]:
    """v2: each source's cap and what the schedule draws from it, per year (empty in v1)."""
    spend = {(s.id, t): 0 for s in problem.sources for t in problem.years}
    for p in projects:
        for t, split in p.sources.items():
            for k, amount in split.items():
                if (k, t) in spend:  # an unknown source or year is for the verifier to name
                    spend[(k, t)] += amount
    return tuple(
        SourceYearSpend(s.id, t, s.budget[t], spend[(s.id, t)])
        for s in problem.sources
        for t in problem.years
    )


def fits(problem: Problem, projects: Schedule) -> bool:
    """Whether a schedule (e.g. a hint from another run) satisfies every rule of this problem."""
    years = set(problem.years)
    known = {s.id for s in problem.sources}
    if (
        {s.id for s in projects} != {p.id for p in problem.projects}
        or any(t not in years for s in projects for t in s.funding)
        or any(t not in years or set(split) - known for s in projects for t, split in s.sources.items())
    ):
        return False
    solution = Solution(
        SolveStatus.FEASIBLE,
        objective_of(problem, projects),
        None,
        0.0,
        projects,
        years_of(problem, projects),
        source_years=source_years_of(problem, projects),
    )
    return not verify(problem, solution)


def _start(problem: Problem, warm: Solution, baseline: Solution) -> Schedule | None:
    """Where a search that starts from a schedule starts: the hint if it fits this problem and is no worse
    than the warm start, else the warm start; None when neither is a schedule."""
    hint_fits = warm is not baseline and warm.status.has_schedule and fits(problem, warm.projects)
    if hint_fits and (
        baseline.objective is None
        or not baseline.status.has_schedule
        or objective_of(problem, warm.projects) <= baseline.objective
    ):
        return warm.projects
    return baseline.projects if baseline.status.has_schedule else None


def highs_installed() -> bool:
    """Whether HiGHS's Python package (optional) is installed: found, not imported (solver/mip.py imports
    it with numpy, which a problem CP-SAT solves alone never needs)."""
    return importlib.util.find_spec("highspy") is not None


def _largest(*bounds: tuple[int | None, str]) -> tuple[int | None, str | None]:
    """The largest of several (bound, source) pairs; (None, None) when none is known."""
    known = [(b, source) for b, source in bounds if b is not None]
    if not known:
        return None, None
    return max(known, key=lambda pair: pair[0])


# ---------------------------------------------------------------- the strategies


def total_caps_only(problem: Problem) -> Problem:
    """A v2 problem without its sources and funding rules: the total caps only (a relaxation)."""
    return replace(problem, sources=(), projects=tuple(replace(p, funding=None) for p in problem.projects))


def _relaxation(run: _Solve, lp: LpBound | None) -> tuple[Problem, dict[str, Window]] | None:
    """The problem without its sources (`total_caps_only`) and its windows, when `_without_sources` is worth
    solving: a v2 problem of at most `relaxation_max_projects`, unless the money-flow LP with the sources
    (`lp`) is above the same LP without them — the sources bind already in the LP, so the problem without
    them is a weak bound and its schedule, held, is unlikely to split over the sources (the bench's seed
    with four binding sources: ~0.5 s of its 2.2 s for nothing; bench/RESULTS.md). That check costs one
    more LP of a small problem (~0.03 s at 19 projects)."""
    problem, params = run.problem, run.params
    if not problem.sources or len(problem.projects) > params.relaxation_max_projects:
        return None
    relaxed = total_caps_only(problem)
    windows = project_windows(relaxed)
    if lp is not None and not params.relaxation_when_sources_bind and not run.budget.over():
        alone = lp_bound(relaxed, windows, time_limit=params.lp_share * run.remaining())
        if alone is not None and lp.bound > alone.bound:
            return None
    return relaxed, windows


def _without_sources(
    run: _Solve, warm: Solution, relaxed: Problem, windows: dict[str, Window]
) -> tuple[int | None, Schedule | None]:
    """v2, small problems: the problem without its sources and funding rules (total caps only) is a
    relaxation — the same objective under fewer rules — which CP-SAT proves in a fraction of the time the
    v2 model takes (seed portfolio: ~0.6 s of CPU against ~3.8 s). Run before the v2 search, not beside
    it: on the shared 2-core machine a thread beside it cost ~0.5 s more CPU to the same proofs. Returns
    its bound, which bounds the v2 problem, and a v2 schedule of the same objective when the sources allow
    its outcome: each project's end year (start year for a profile) held, CP-SAT finding draws and their
    split over the sources under a small work limit. That schedule meets the bound, so it is a v2 optimum.
    Within `relaxation_share` of the time left; (None, None) when there is no time or nothing was found.
    `relaxed` and `windows`: see `_relaxation`."""
    from solver import cpmodel, cpsat

    problem, params = run.problem, run.params
    budget = replace(run.budget, started=run.budget.now(), limit=params.relaxation_share * run.remaining())
    if budget.limit < 0.05 or budget.cancelled():
        return None, None
    m = cpmodel.build(relaxed, windows)
    m.model.minimize(m.slippage + m.deferral)
    if warm.status.has_schedule:
        cpmodel.add_hint(m, replace(warm, projects=tuple(replace(s, sources={}) for s in warm.projects)))
    # one sequential search with the stronger LP for the whole share: the search that proves v1 problems
    # of this size soonest (search_whole_model's first stage)
    solver, status = cpsat.run(
        m.model,
        params,
        time_limit=budget.remaining(),
        workers=1,
        stop=run.stop,
        callback=cpsat.Callback(budget, None, run.stop),
        first_stage=True,
        probing_level=params.relaxation_probing_level,
    )
    found = cpsat.outcome(solver, status)
    if found.values is None or found.bound is None or found.objective != found.bound:
        return found.bound, None  # not proven: its years are no better a guess than the warm start's
    held = cpmodel.build(problem, run.windows)
    held.model.minimize(held.slippage + held.deferral)
    if not cpmodel.hold_ends(held, cpmodel.extract(m, found.values)) or budget.over():
        return found.bound, None
    solver, status = cpsat.run(
        held.model,
        params,
        time_limit=budget.remaining(),
        workers=1,
        stop=run.stop,
        deterministic_limit=params.tie_break_work_per_project * len(problem.projects),
    )
    split = cpsat.outcome(solver, status)
    if split.values is None:
        return found.bound, None
    return found.bound, cpmodel.extract(held, split.values)


def _improves(problem: Problem, schedule: Schedule, than: Solution) -> bool:
    """Whether `schedule` is better than the solution `than` (or `than` has none)."""
    if than.objective is None or not than.status.has_schedule:
        return True
    return objective_of(problem, schedule) < than.objective


def _whole_model(run: _Solve, warm: Solution, baseline: Solution, lp: LpBound | None = None) -> Solution:
    """CP-SAT on the whole model, bounded below by the money-flow LP (solved first unless given) and, in
    a small v2 problem, by the problem without its sources (`_without_sources`), whose schedule split over
    the sources becomes the hint when it is better than the warm start."""
    from solver import cpmodel, cpsat

    problem = run.problem
    lp = lp if lp is not None else run.lp()
    floor = lp.bound if lp is not None else None
    engines: tuple[str, ...] = ("lp", "cp-sat") if lp is not None else ("cp-sat",)
    relaxed_bound, held = None, None
    relaxation = _relaxation(run, lp)
    if relaxation is not None:
        run.phase("relaxation")
        relaxed_bound, held = _without_sources(run, warm, *relaxation)
        engines = ("lp", "without sources", "cp-sat") if lp is not None else ("without sources", "cp-sat")
        if held is not None and _improves(problem, held, warm):
            warm = replace(
                warm, status=SolveStatus.FEASIBLE, objective=objective_of(problem, held), projects=held
            )
            run.report(warm.objective, relaxed_bound)
    floor, floor_source = _largest((floor, "lp"), (relaxed_bound, "without sources"))
    m = cpmodel.build(problem, run.windows)
    m.model.minimize(m.slippage + m.deferral)
    if warm.status.has_schedule:
        cpmodel.add_hint(m, warm)
    if held is not None and objective_of(problem, held) == relaxed_bound:  # the split schedule (made
        # for this problem, unlike a hint) meets the relaxation's bound: a v2 optimum, no search needed
        # (the seed with data/sources.csv: 0.12 s saved)
        values = run.tie_break(m, relaxed_bound, baseline)
        projects = cpmodel.extract(m, values) if values is not None else held
        report = SearchReport(str(Strategy.CP_SAT), engines, "without sources")
        return run.finish(projects, SolveStatus.OPTIMAL, relaxed_bound, report)
    callback = cpsat.Callback(run.budget, lambda p: run.report(p.objective, p.bound), run.stop, floor)
    run.phase("search")
    found = cpsat.search_whole_model(
        m,
        run.params,
        budget=run.budget,
        workers=run.workers,
        stop=run.stop,
        callback=callback,
    )
    bound, source = _largest((found.bound, "cp-sat"), (floor, floor_source or "lp"))
    status = found.status
    if status == SolveStatus.FEASIBLE and found.objective is not None and found.objective == bound:
        status = SolveStatus.OPTIMAL  # the LP bound proves it (see cpsat.Callback)
    report = SearchReport(str(Strategy.CP_SAT), engines, source)
    if status == SolveStatus.INFEASIBLE:
        return run.infeasible(report)
    values, objective = found.values, found.objective
    if values is None or objective is None:
        start = _start(problem, warm, baseline)
        if start is not None:  # CP-SAT found nothing in time: the greedy schedule (or the hint) stands
            return run.finish(start, SolveStatus.FEASIBLE, bound, report)
        return run.no_schedule(SolveStatus.UNKNOWN, bound, report=report)
    if status == SolveStatus.OPTIMAL:
        values = run.tie_break(m, objective, baseline) or values
        bound = objective
    projects = cpmodel.extract(m, values)
    if baseline.status.has_schedule and baseline.objective is not None and baseline.objective < objective:
        projects = (
            baseline.projects
        )  # cannot happen with the hint accepted, but never return worse than greedy
    return run.finish(projects, status, bound, report)


def _mip_and_cp_sat(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Medium portfolios: HiGHS on the MIP of solver/mip.py (one thread) and, with 2+ workers, CP-SAT on
    the whole model beside it (workers − 1 threads), both from the warm start (or a hint that fits). From
    `rounded_start_min_projects` the Lagrangian bound and its rounded pattern come first on CP-SAT's thread
    while HiGHS already searches (`_bound_beside_highs`). The first to prove the optimum stops the other;
    the better schedule and the larger bound are kept. A proven optimum then gets the same earliest-finish
    tie-break as any other."""
    from solver import cpmodel, cpsat
    from solver.cpsat import NOTHING
    from solver.mip import Mip
    from solver.race import beside_highs

    problem, params = run.problem, run.params
    start = _start(problem, warm, baseline)
    lp = None
    bounded = len(problem.projects) >= params.rounded_start_min_projects
    if bounded and run.workers < 2:  # no thread beside HiGHS: the bound first, its pattern HiGHS's start
        lp = run.lp(lagrangian=True)
        start = run.rounded(lp, start)
    deadline = run.search_until() - params.pattern_reserve_seconds
    mip = Mip(problem, run.windows)
    m = cpmodel.build(problem, run.windows)
    m.model.minimize(m.slippage + m.deferral)
    best = run.best
    if start is not None:
        best.report(objective_of(problem, start), lp.bound if lp is not None else None)
    ahead: list[tuple[LpBound | None, Schedule | None]] = []  # the bound and start CP-SAT's thread found

    def cp_sat(halt: Stop, threads: int) -> CpOutcome:
        hint = start
        if bounded:
            ahead.append(_bound_beside_highs(run, mip, start, halt, threads, lagrangian=True))
            hint = ahead[0][1]
        if hint is not None:
            cpmodel.add_hint(m, Solution(SolveStatus.FEASIBLE, None, None, 0.0, hint, ()))
        callback = cpsat.Callback(run.budget, lambda p: best.report(p.objective, p.bound), halt)
        solver, cp_status = cpsat.run(
            m.model,
            params,
            time_limit=deadline - run.budget.now(),
            workers=threads,
            stop=halt,
            callback=callback,
        )
        return cpsat.outcome(solver, cp_status)

    run.phase("search")
    mo, cp = beside_highs(
        mip,
        start,
        cp_sat,
        deadline=deadline,
        workers=run.workers,
        stop=run.stop,
        best=best,
        grace_seconds=params.highs_grace_seconds,
        poll_seconds=params.stop_poll_seconds,
        clock=run.budget.clock,
        partner_nice=params.partner_nice,
    )
    cp = cp or NOTHING
    if ahead:
        lp, start = ahead[0]
    floor = lp.bound if lp is not None else None
    engines = ("highs", "cp-sat") if run.workers >= 2 else ("highs",)
    if cp.status is SolveStatus.INFEASIBLE or mo.infeasible:
        return run.infeasible(SearchReport(str(Strategy.MIP_AND_CP_SAT), engines, None))
    candidates = [baseline.projects] if baseline.status.has_schedule else []
    if start is not None:
        candidates.append(start)
    if cp.values is not None:
        candidates.append(cpmodel.extract(m, cp.values))
    mip_schedule, mo = mip_schedule_of(problem, mo, params)
    if mip_schedule is not None:
        candidates.append(mip_schedule)
    bound, source = _largest((cp.bound, "cp-sat"), (mo.bound, "highs"), (floor, "lagrangian"))
    report = SearchReport(str(Strategy.MIP_AND_CP_SAT), engines, source)
    if not candidates:
        return run.no_schedule(SolveStatus.UNKNOWN, bound, report=report)
    projects = min(candidates, key=lambda c: objective_of(problem, c))
    objective = objective_of(problem, projects)
    mip_proof = mo.proven and mo.best is not None and mo.best.objective == objective
    if cp.status is SolveStatus.OPTIMAL or mip_proof or objective == bound:
        source = "cp-sat" if cp.status is SolveStatus.OPTIMAL else "highs" if mip_proof else source
        bound = objective
        values = run.tie_break(m, objective, baseline)
        if values is not None:
            projects = cpmodel.extract(m, values)
    return run.finish(projects, SolveStatus.FEASIBLE, bound, SearchReport(report.strategy, engines, source))


def _neighbourhood_search(
    run: _Solve,
    start: Schedule,
    lanes: int,
    stop: Stop | None,
    lp: LpBound | None,
    on_improve: Callable[[int], None],
    mip: Mip | None = None,
) -> tuple[Schedule, int]:
    """The warm start improved by re-planning neighbourhoods (solver/lns.py), `lanes` at once, each one
    sequential CP-SAT search, guided by the LP's solution when it was solved; with the re-plans made.
    Beside HiGHS (`mip`) the two share their schedules: HiGHS's better incumbent, made a schedule, is where
    the next round starts (`_Adopt`), and each improvement of the lanes is offered to HiGHS."""
    from solver import cpsat
    from solver.lns import improve

    replans = [0]

    def re_plan(sub: Problem, current: Schedule, seconds: float) -> Schedule | None:
        replans[0] += 1
        return cpsat.solve_neighbourhood(sub, current, seconds, stop, run.params)

    improved = improve(
        run.problem,
        start,
        re_plan,
        until=run.search_until(),
        clock=run.budget.clock,
        workers=lanes,
        stop=stop,
        on_improve=on_improve,
        floor=lp.bound if lp is not None else None,
        mean_end=lp.mean_end if lp is not None else None,
        seed=run.params.seed,
        params=run.params.neighbourhoods_with_sources if run.problem.sources else run.params.neighbourhoods,
        adopt=None
        if mip is None
        else _Adopt(run.problem, mip, run.params, run.search_until(), run.budget.clock),
        share=mip.offer if mip is not None else None,
    )
    return improved, replans[0]


@dataclass(slots=True)
class _Adopt:
    """`solver.lns.improve`'s `adopt` beside HiGHS: HiGHS's best incumbent so far, when it is better than
    the lanes' schedule, made a schedule (`cpsat.pattern_schedule`, on the lanes' thread, within what is
    left before `deadline` on `clock`) — each incumbent tried once."""

    problem: Problem
    mip: Mip
    params: SolveParams
    deadline: float = math.inf
    clock: Callable[[], float] = time.monotonic
    tried: object = None

    def __call__(self, objective: int) -> Schedule | None:
        best = self.mip.so_far().best
        left = self.deadline - self.clock() - 0.1
        if best is None or best is self.tried or best.objective >= objective or left < 0.2:
            return None
        self.tried = best
        from solver import cpsat

        params = self.params.but(pattern_limit_seconds=min(self.params.pattern_limit_seconds, left))
        return cpsat.pattern_schedule(self.problem, best, params)


def _neighbourhoods(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Large portfolios without HiGHS: the bound that guides them and its pattern made a schedule, then
    the neighbourhood search on every worker from the better start. The start is reported as soon as it
    is known, before the bound."""
    start = _start(run.problem, warm, baseline)
    if start is not None:
        run.report(objective_of(run.problem, start), None)
    lp = run.lp()
    start = run.rounded(lp, start)
    if start is None:  # nothing to start from: CP-SAT searches the whole model
        return _whole_model(run, warm, baseline, lp)
    floor = lp.bound if lp is not None else None
    source = lp.source if lp is not None else None
    if floor is not None:
        run.report(objective_of(run.problem, start), floor)

    def report(objective: int) -> None:
        run.report(objective, floor)

    engines = (source, "neighbourhoods") if source is not None else ("neighbourhoods",)
    if run.budget.over(run.search_until()):  # cancelled, or no time left to search
        search = SearchReport(str(Strategy.NEIGHBOURHOODS), engines, source, run.workers, 0)
        return run.finish(start, SolveStatus.FEASIBLE, floor, search)
    run.phase("search")
    projects, replans = _neighbourhood_search(run, start, run.workers, run.stop, lp, report)
    search = SearchReport(str(Strategy.NEIGHBOURHOODS), engines, source, run.workers, replans)
    return run.finish(projects, SolveStatus.FEASIBLE, floor, search)


def _mip_and_neighbourhoods(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Large portfolios up to `mip_max_projects`: the bound and its pattern made a schedule, then HiGHS on
    the MIP (one thread) beside the neighbourhood search (workers − 1 lanes, guided by the bound), both
    from the better start. The better schedule and the larger bound are kept; no tie-break (the whole
    CP-SAT model is not built at this size), so a proven optimum is HiGHS's schedule or the neighbourhood
    search's."""
    from solver.mip import Mip
    from solver.race import beside_highs

    problem, params = run.problem, run.params
    start = _start(problem, warm, baseline)
    if start is None:
        return _whole_model(run, warm, baseline)
    run.report(objective_of(problem, start), None)
    lp = None
    if run.workers < 2:  # no lane beside HiGHS: the bound first, its pattern HiGHS's start
        lp = run.lp()
        start = run.rounded(lp, start)
        run.report(objective_of(problem, start), lp.bound if lp is not None else None)
    deadline = run.search_until() - params.pattern_reserve_seconds
    mip = Mip(problem, run.windows)
    best = run.best
    ahead: list[tuple[LpBound | None, Schedule | None]] = []  # the bound and start the lanes' thread found
    replans = [0]
    first: Schedule = start

    def neighbourhoods(halt: Stop, threads: int) -> Schedule:
        bound, begin = _bound_beside_highs(run, mip, first, halt, threads)
        ahead.append((bound, begin))
        begin = begin or first  # (the rounding keeps the start unless it finds better)
        run.phase("search")
        projects, replans[0] = _neighbourhood_search(
            run, begin, threads, halt, bound, lambda objective: best.report(objective, None), mip
        )
        return projects

    mo, searched = beside_highs(
        mip,
        start,
        neighbourhoods,
        deadline=deadline,
        workers=run.workers,
        stop=run.stop,
        best=best,
        grace_seconds=params.highs_grace_seconds,
        poll_seconds=params.stop_poll_seconds,
        clock=run.budget.clock,
        partner_nice=params.partner_nice_with_sources if problem.sources else params.partner_nice,
    )
    if ahead:
        lp, start = ahead[0][0], ahead[0][1] or start
    floor = lp.bound if lp is not None else None
    source = lp.source if lp is not None else "lp"
    candidates = [start] + ([searched] if searched is not None else [])
    mip_schedule, mo = mip_schedule_of(problem, mo, params)
    if mip_schedule is not None:
        candidates.append(mip_schedule)
    projects = min(candidates, key=lambda c: objective_of(problem, c))
    bound, bound_source = _largest((floor, source), (mo.bound, "highs"))
    lanes = run.workers - 1
    engines = ("highs", source, "neighbourhoods") if lanes else ("highs",)
    report = SearchReport(str(Strategy.MIP_AND_NEIGHBOURHOODS), engines, bound_source, lanes, replans[0])
    return run.finish(projects, SolveStatus.FEASIBLE, bound, report)


def _bound_beside_highs(
    run: _Solve,
    mip: Mip,
    start: Schedule | None,
    halt: Stop,
    threads: int,
    lagrangian: bool | None = None,
) -> tuple[LpBound | None, Schedule | None]:
    """The bound (`_Solve.lp`) and its pattern made a schedule, on the thread beside HiGHS while HiGHS
    already searches from `start`: HiGHS no longer waits for them (they may take `lagrangian_share` of the
    limit; on OR-Library 30×100 they took ~0.3 s of HiGHS's 10 s). `halt` stops them too (a cancel, or
    HiGHS's proof). A rounded schedule better than `start` is offered to HiGHS (solver/mip.py `Mip.offer`)
    and kept as the start of the search on this thread."""
    beside = replace(run, budget=replace(run.budget, stop=halt))
    beside.windows = run.windows
    lp = beside.lp(lagrangian)
    if lp is not None:
        run.report(None, lp.bound)
    rounded = beside.rounded(lp, start, threads)
    if rounded is not None and rounded is not start:
        mip.offer(rounded)
    return lp, rounded


def mip_schedule_of(
    problem: Problem, found: MipOutcome, params: SolveParams = DEFAULT_PARAMS
) -> tuple[Schedule | None, MipOutcome]:
    """HiGHS's best pattern as a schedule, and the outcome to trust: none at all when the pattern did not
    become a schedule (a point outside HiGHS's tolerances would also have pruned with a wrong incumbent)."""
    from solver import cpsat
    from solver.mip import MipOutcome

    if found.best is None:
        return None, found
    schedule = cpsat.pattern_schedule(problem, found.best, params)
    if schedule is None:
        return None, MipOutcome(None, None, False)
    return schedule, found


_STRATEGIES: dict[Strategy, Callable[[_Solve, Solution, Solution], Solution]] = {
    Strategy.CP_SAT: _whole_model,
    Strategy.MIP_AND_CP_SAT: _mip_and_cp_sat,
    Strategy.NEIGHBOURHOODS: _neighbourhoods,
    Strategy.MIP_AND_NEIGHBOURHOODS: _mip_and_neighbourhoods,
}
