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

v2 problems (funding sources) take the same strategies: every engine models the sources (CP-SAT, the MIP,
the neighbourhoods' sub-problems, the greedy warm start; the LP bound keeps the rules that stay linear in
its variables, see solver/bound.py). Before any search, impossibilities more money on a source would fix
(solver/windows.py `quota_messages`) go straight to the elastic solve for the least shortfall.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from solver import cpmodel, cpsat
from solver.bound import LpBound, lp_bound
from solver.cpsat import NOTHING, CpOutcome
from solver.diagnostics import structural_diagnostics
from solver.greedy import warm_start
from solver.lns import Stop, improve
from solver.messages import Phrase
from solver.mip import Mip, MipOutcome
from solver.mip import available as highs_available
from solver.params import DEFAULT_PARAMS, SolveParams, Strategy, choose_strategy
from solver.problem import Problem
from solver.race import Best, beside_highs
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
) -> Solution:
    """Schedule `problem` per MODEL.md within `time_limit` seconds (model building included).

    Returns OPTIMAL / FEASIBLE with a verified schedule, INFEASIBLE with diagnostics, or UNKNOWN; never
    worse than the warm start. `workers` is the number of threads granted; `progress` hears of each
    improvement (objective and bound), `on_phase` of each phase begun ("bound", "search", "tie-break",
    "shortfall"); with `stop` set the search ends within ~0.1 s with the best schedule so far (a HiGHS busy
    in a phase it does not interrupt is left to end on its own thread). `params` holds every threshold and
    share (solver/params.py); `Solution.search` says which strategy ran and where the bound came from."""
    run = _Solve(problem, time.monotonic(), time_limit, workers, stop, progress, params, on_phase)
    structural = structural_messages(problem, run.windows)
    if structural:
        return run.no_schedule(SolveStatus.INFEASIBLE, None, structural_diagnostics(structural))
    short_of_quota = quota_messages(problem, run.windows)
    if short_of_quota:  # v2: no schedule exists, and money on the sources would help: no search
        return run.infeasible(None, short_of_quota)
    baseline = warm_start(problem)
    warm = hint if hint is not None and hint.status.has_schedule else baseline
    strategy = choose_strategy(len(problem.projects), params, highs=highs_available())
    return _STRATEGIES[strategy](run, warm, baseline)


@dataclass(slots=True)
class _Solve:
    """One call of `solve`: the problem, its windows, the clock and the caller's hooks."""

    problem: Problem
    started: float
    time_limit: float
    workers: int
    stop: threading.Event | None
    progress: Callable[[Progress], None] | None
    params: SolveParams
    on_phase: Callable[[str], None] | None
    windows: dict[str, Window] = field(init=False)

    def __post_init__(self) -> None:
        self.windows = project_windows(self.problem)

    def phase(self, name: str) -> None:
        if self.on_phase is not None:
            self.on_phase(name)

    def remaining(self) -> float:
        return self.time_limit - (time.monotonic() - self.started)

    def search_until(self) -> float:
        """When searches stop (monotonic): a margin before the limit for CP-SAT's late workers."""
        return self.started + (1 - self.params.stop_margin_share) * self.time_limit

    def lp(self) -> LpBound | None:
        """The money-flow LP bound and mean end years (solver/bound.py), or None, within `lp_share` of
        the limit. HiGHS cannot interrupt an LP, so with a `stop` event the LP runs on its own thread and a
        cancel stops the wait at once (the abandoned LP ends by its own time limit)."""
        limit = self.params.lp_share * self.time_limit
        shares = len(self.problem.projects) <= self.params.lp_shares_max_projects
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
            if self.stop.wait(self.params.stop_poll_seconds):
                return None
        return result[0] if result else None

    def tie_break(self, m: cpmodel.Model, objective: int, baseline: Solution) -> list[int] | None:
        self.phase("tie-break")
        return cpsat.tie_break(
            m,
            objective,
            self.params,
            started=self.started,
            time_limit=self.time_limit,
            baseline=baseline,
            stop=self.stop,
        )

    def infeasible(self, report: SearchReport | None, reasons: list[Phrase] | None = None) -> Solution:
        """INFEASIBLE with the least shortfall (an elastic solve in what is left of the limit, ≥ 1 s), after
        the `reasons` found before search, unless the caller only asked whether a schedule exists
        (`params.shortfall` off)."""
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
            time.monotonic() - self.started,
            projects,
            years_of(self.problem, projects),
            search=report,
            source_years=source_years_of(self.problem, projects),
        )
        violations = verify(self.problem, solution)
        if violations:
            raise VerificationError(violations)
        return solution

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
            time.monotonic() - self.started,
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
        not baseline.status.has_schedule or objective_of(problem, warm.projects) <= baseline.objective
    ):
        return warm.projects
    return baseline.projects if baseline.status.has_schedule else None


def _largest(*bounds: tuple[int | None, str]) -> tuple[int | None, str | None]:
    """The largest of several (bound, source) pairs; (None, None) when none is known."""
    known = [(b, source) for b, source in bounds if b is not None]
    if not known:
        return None, None
    return max(known, key=lambda pair: pair[0])


# ---------------------------------------------------------------- the strategies


def _whole_model(run: _Solve, warm: Solution, baseline: Solution, lp: LpBound | None = None) -> Solution:
    """CP-SAT on the whole model, bounded below by the money-flow LP (solved first unless given)."""
    problem = run.problem
    lp = lp if lp is not None else run.lp()
    floor = lp.bound if lp is not None else None
    engines = ("lp", "cp-sat") if lp is not None else ("cp-sat",)
    m = cpmodel.build(problem, run.windows)
    m.model.minimize(m.slippage + m.deferral)
    if warm.status.has_schedule:
        cpmodel.add_hint(m, warm)
    callback = cpsat.Callback(run.started, run.progress, run.stop, floor)
    run.phase("search")
    found = cpsat.search_whole_model(
        m,
        run.params,
        time_limit=run.time_limit,
        started=run.started,
        workers=run.workers,
        stop=run.stop,
        callback=callback,
    )
    bound, source = _largest((found.bound, "cp-sat"), (floor, "lp"))
    status = found.status
    if status == SolveStatus.FEASIBLE and found.objective is not None and found.objective == bound:
        status = SolveStatus.OPTIMAL  # the LP bound proves it (see cpsat.Callback)
    report = SearchReport(str(Strategy.CP_SAT), engines, source)
    if status == SolveStatus.INFEASIBLE:
        return run.infeasible(report)
    if found.values is None:
        if baseline.status.has_schedule:  # CP-SAT found nothing in time: the greedy schedule still stands
            return run.finish(baseline.projects, SolveStatus.FEASIBLE, bound, report)
        return run.no_schedule(SolveStatus.UNKNOWN, bound, report=report)
    values = found.values
    if status == SolveStatus.OPTIMAL:
        values = run.tie_break(m, found.objective, baseline) or values
        bound = found.objective
    projects = cpmodel.extract(m, values)
    if (
        baseline.status.has_schedule
        and baseline.objective is not None
        and baseline.objective < found.objective
    ):
        projects = (
            baseline.projects
        )  # cannot happen with the hint accepted, but never return worse than greedy
    return run.finish(projects, status, bound, report)


def _mip_and_cp_sat(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Medium portfolios: HiGHS on the MIP of solver/mip.py (one thread) and, with 2+ workers, CP-SAT on
    the whole model beside it (workers − 1 threads), both from the warm start (or a hint that fits). The
    first to prove the optimum stops the other; the better schedule and the larger bound are kept. A
    proven optimum then gets the same earliest-finish tie-break as any other."""
    problem, params = run.problem, run.params
    deadline = run.search_until() - params.pattern_reserve_seconds
    mip = Mip(problem, run.windows)
    m = cpmodel.build(problem, run.windows)
    m.model.minimize(m.slippage + m.deferral)
    start = _start(problem, warm, baseline)
    best = Best(run.started, run.progress)
    if start is not None:
        cpmodel.add_hint(m, Solution(SolveStatus.FEASIBLE, None, None, 0.0, start, ()))
        best.report(objective_of(problem, start), None)

    def cp_sat(halt: Stop, threads: int) -> CpOutcome:
        callback = cpsat.Callback(run.started, lambda p: best.report(p.objective, p.bound), halt)
        solver, cp_status = cpsat.run(
            m.model,
            params,
            time_limit=deadline - time.monotonic(),
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
    )
    cp = cp or NOTHING
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
    bound, source = _largest((cp.bound, "cp-sat"), (mo.bound, "highs"))
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
) -> tuple[Schedule, int]:
    """The warm start improved by re-planning neighbourhoods (solver/lns.py), `lanes` at once, each one
    sequential CP-SAT search, guided by the LP's solution when it was solved; with the re-plans made."""
    replans = [0]

    def re_plan(sub: Problem, current: Schedule, seconds: float) -> Schedule | None:
        replans[0] += 1
        return cpsat.solve_neighbourhood(sub, current, seconds, stop, run.params)

    improved = improve(
        run.problem,
        start,
        re_plan,
        until=run.search_until(),
        workers=lanes,
        stop=stop,
        on_improve=on_improve,
        floor=lp.bound if lp is not None else None,
        mean_end=lp.mean_end if lp is not None else None,
        seed=run.params.seed,
        params=run.params.neighbourhoods,
    )
    return improved, replans[0]


def _neighbourhoods(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Large portfolios without HiGHS: the LP, then the neighbourhood search on every worker."""
    lp = run.lp()
    start = _start(run.problem, warm, baseline)
    if start is None:  # nothing to start from: CP-SAT searches the whole model
        return _whole_model(run, warm, baseline, lp)
    floor = lp.bound if lp is not None else None

    def report(objective: int) -> None:
        if run.progress is not None:
            run.progress(Progress(time.monotonic() - run.started, objective, floor))

    run.phase("search")
    projects, replans = _neighbourhood_search(run, start, run.workers, run.stop, lp, report)
    engines = ("lp", "neighbourhoods") if lp is not None else ("neighbourhoods",)
    search = SearchReport(
        str(Strategy.NEIGHBOURHOODS), engines, "lp" if floor is not None else None, run.workers, replans
    )
    return run.finish(projects, SolveStatus.FEASIBLE, floor, search)


def _mip_and_neighbourhoods(run: _Solve, warm: Solution, baseline: Solution) -> Solution:
    """Large portfolios up to `mip_max_projects`: HiGHS on the MIP (one thread) beside the neighbourhood
    search (workers − 1 lanes, after the LP that guides it), both from the start. The better schedule and
    the larger bound are kept; no tie-break (the whole CP-SAT model is not built at this size), so a proven
    optimum is HiGHS's schedule or the neighbourhood search's."""
    problem, params = run.problem, run.params
    start = _start(problem, warm, baseline)
    if start is None:
        return _whole_model(run, warm, baseline)
    deadline = run.search_until() - params.pattern_reserve_seconds
    mip = Mip(problem, run.windows)
    best = Best(run.started, run.progress)
    best.report(objective_of(problem, start), None)
    floor: list[int | None] = [None]
    replans = [0]

    def neighbourhoods(halt: Stop, threads: int) -> Schedule:
        lp = run.lp()
        if lp is not None:
            floor[0] = lp.bound
            best.report(None, lp.bound)
        run.phase("search")
        projects, replans[0] = _neighbourhood_search(
            run, start, threads, halt, lp, lambda objective: best.report(objective, None)
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
    )
    candidates = [start] + ([searched] if searched is not None else [])
    mip_schedule, mo = mip_schedule_of(problem, mo, params)
    if mip_schedule is not None:
        candidates.append(mip_schedule)
    projects = min(candidates, key=lambda c: objective_of(problem, c))
    bound, source = _largest((floor[0], "lp"), (mo.bound, "highs"))
    lanes = run.workers - 1
    engines = ("highs", "lp", "neighbourhoods") if lanes else ("highs",)
    report = SearchReport(str(Strategy.MIP_AND_NEIGHBOURHOODS), engines, source, lanes, replans[0])
    return run.finish(projects, SolveStatus.FEASIBLE, bound, report)


def mip_schedule_of(
    problem: Problem, found: MipOutcome, params: SolveParams = DEFAULT_PARAMS
) -> tuple[Schedule | None, MipOutcome]:
    """HiGHS's best pattern as a schedule, and the outcome to trust: none at all when the pattern did not
    become a schedule (a point outside HiGHS's tolerances would also have pruned with a wrong incumbent)."""
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
