"""The MIP of solver/mip.py and the medium-portfolio search that runs HiGHS on it beside CP-SAT.

The MIP must be exact: its proven optimum equals the brute-force optimum on tiny problems (a missing rule
would let it go lower, a wrong one higher), its patterns become verified schedules, and its bound is
never above the optimum."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings

from solver import (
    DEFAULT_PARAMS,
    Problem,
    Project,
    Solution,
    SolveParams,
    SolveStatus,
    Strategy,
    cpsat,
    solve,
    verify,
)
from solver.budget import Budget
from solver.greedy import warm_start
from solver.instances import synthetic
from solver.mip import Mip, MipOutcome, Pattern
from solver.progress import Best
from solver.race import beside_highs
from solver.search import mip_schedule_of, years_of
from solver.solution import objective_of
from solver.windows import project_windows, structural_messages
from tests.solver.test_properties import brute_force_optimum, small_problems, tiny_problems

FIRST = 2021
MIP_FROM_1 = SolveParams(mip_min_projects=1)  # HiGHS beside CP-SAT even on the smallest problems
MEDIUM = DEFAULT_PARAMS.mip_min_projects + 9  # a size that takes the MIP path by default


def _verified(problem: Problem, schedule) -> Solution:
    """The schedule as a solution, checked by the independent verifier."""
    solution = Solution(
        SolveStatus.FEASIBLE,
        objective_of(problem, schedule),
        None,
        0.0,
        schedule,
        years_of(problem, schedule),
    )
    assert not verify(problem, solution)
    return solution


def _never() -> bool:
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_the_mip_optimum_is_the_brute_force_optimum(problem: Problem) -> None:
    windows = project_windows(problem)
    expected = brute_force_optimum(problem)
    if structural_messages(problem, windows):
        assert expected is None
        return
    outcome = Mip(problem, windows).run(time_limit=10, should_stop=_never)
    if expected is None:
        assert outcome.infeasible and outcome.best is None
        return
    assert outcome.proven
    assert outcome.best.objective == expected == outcome.bound
    schedule = cpsat.pattern_schedule(problem, outcome.best, DEFAULT_PARAMS)
    assert schedule is not None
    assert _verified(problem, schedule).objective == expected


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=small_problems())
def test_solve_on_the_mip_path_returns_verified_schedules_and_valid_bounds(problem: Problem) -> None:
    reference = solve(problem, time_limit=5, workers=1, params=MIP_FROM_1)  # HiGHS alone (with workers=1)
    both = solve(problem, time_limit=5, workers=2, params=MIP_FROM_1)  # HiGHS beside CP-SAT
    for solution in (reference, both):
        assert verify(problem, solution) == []
    assert reference.status == both.status
    if reference.status == SolveStatus.OPTIMAL:
        assert reference.objective == both.objective == reference.bound == both.bound
    if reference.status == SolveStatus.INFEASIBLE:
        assert reference.diagnostics.messages


def test_a_medium_portfolio_is_searched_by_highs_and_proven() -> None:
    problem = synthetic(MEDIUM, 12, 1.0)
    solution = solve(problem, time_limit=60, workers=2)
    assert solution.search.strategy == Strategy.MIP_AND_CP_SAT
    assert solution.search.engines == ("highs", "cp-sat")
    assert solution.status == SolveStatus.OPTIMAL and solution.bound == solution.objective
    assert not verify(problem, solution)


def test_without_highspy_a_medium_portfolio_is_searched_by_cpsat_alone() -> None:
    problem = synthetic(MEDIUM, 12, 1.0)
    solution = solve(problem, time_limit=5, workers=2, params=SolveParams(use_highs=False))
    assert solution.search.strategy == Strategy.CP_SAT
    assert "highs" not in solution.search.engines
    assert solution.status.has_schedule and not verify(problem, solution)


def test_continuous_draws_of_a_pattern_become_integral_within_the_caps() -> None:
    """A and B (5 each, 2021–2022) share caps of 5 a year; the MIP may split them 2.5 / 2.5 each year.
    CP-SAT fixes the spans and picks whole amounts that still fit the caps."""
    problem = Problem(
        FIRST,
        FIRST + 1,
        {FIRST: 5, FIRST + 1: 5},
        (Project("A", 5, FIRST + 1), Project("B", 5, FIRST + 1)),
    )
    half = {FIRST: 2.5, FIRST + 1: 2.5}
    pattern = Pattern(0, {"A": (FIRST, FIRST + 1), "B": (FIRST, FIRST + 1)}, {"A": half, "B": half})
    schedule = cpsat.pattern_schedule(problem, pattern, DEFAULT_PARAMS)
    _verified(problem, schedule)
    assert all(float(v).is_integer() for s in schedule for v in s.funding.values())
    assert [(s.start, s.end) for s in schedule] == [(FIRST, FIRST + 1)] * 2


def test_money_infeasibility_found_by_the_mip_gets_the_shortfall() -> None:
    """Two one-year projects of 10 fixed in 2021 under a cap of 15: 5 short, whatever the order."""
    problem = Problem(
        FIRST,
        FIRST,
        {FIRST: 15},
        (Project("A", 10, FIRST, fixed_start=FIRST), Project("B", 10, FIRST, fixed_start=FIRST)),
    )
    assert Mip(problem, project_windows(problem)).run(time_limit=5, should_stop=_never).infeasible
    solution = solve(problem, time_limit=5, workers=1, params=MIP_FROM_1)
    assert solution.search.strategy == Strategy.MIP_AND_CP_SAT
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.diagnostics.shortfall == {FIRST: 5}


@pytest.mark.timeout(60)
def test_a_cancel_ends_the_mip_search_long_before_its_limit() -> None:
    problem = synthetic(200, 12, 0.8)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    solution = solve(problem, time_limit=600, workers=2, stop=stop)
    assert stop.is_set()
    assert solution.status.has_schedule and not verify(problem, solution)


def test_highs_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """HiGHS writes a banner to the process's stdout unless told not to before its first call; the CLI's
    output and JSON written to stdout must not carry it."""
    problem = Problem(FIRST, FIRST + 1, {FIRST: 5, FIRST + 1: 5}, (Project("A", 8, FIRST + 1),))
    solution = solve(problem, time_limit=5, workers=2, params=MIP_FROM_1)
    assert "highs" in solution.search.engines
    assert solution.status == SolveStatus.OPTIMAL
    out, err = capfd.readouterr()
    assert "HiGHS" not in out + err


def test_an_error_in_a_progress_callback_stops_highs_and_is_raised() -> None:
    """HiGHS calls back from C++, which cannot carry a Python exception: it must not be lost."""
    problem = synthetic(MEDIUM, 12, 0.8)
    calls: list[object] = []

    def broken(*args) -> None:
        calls.append(args)
        if len(calls) > 1:  # solve reports the warm start itself first; HiGHS reports the rest
            raise RuntimeError("progress store is gone")

    with pytest.raises(RuntimeError, match="progress store is gone"):
        Mip(problem, project_windows(problem)).run(time_limit=60, should_stop=_never, on_improve=broken)
    calls.clear()
    with pytest.raises(RuntimeError, match="progress store is gone"):
        solve(problem, time_limit=60, workers=1, progress=broken)


def test_a_highs_answer_that_is_no_schedule_proves_nothing() -> None:
    """Should HiGHS's point ever break a rule beyond its tolerances (no whole draws fit its spans), neither
    it nor the bound its search pruned with may be trusted: A (10) in 2021 alone breaks the cap of 5."""
    problem = Problem(FIRST, FIRST + 1, {FIRST: 5, FIRST + 1: 5}, (Project("A", 10, FIRST + 1),))
    impossible = Pattern(0, {"A": (FIRST, FIRST)}, {"A": {FIRST: 10.0}})
    schedule, trusted = mip_schedule_of(problem, MipOutcome(impossible, 0, True), DEFAULT_PARAMS)
    assert schedule is None
    assert trusted == MipOutcome(None, None, False)


@pytest.mark.parametrize("workers", [1, 2])
def test_large_portfolios_get_highs_beside_the_neighbourhood_search(workers: int) -> None:
    """From `lns_min_projects` to `mip_max_projects` (lowered here to 10..100) HiGHS runs beside the
    neighbourhoods (with one worker: HiGHS alone); the answer is verified, no worse than the warm start,
    and its bound is HiGHS's or the LP's."""
    params = SolveParams(lns_min_projects=10, mip_max_projects=100)
    problem = synthetic(60, 10, 0.8, seed=3)
    solution = solve(problem, time_limit=5, workers=workers, params=params)
    assert solution.search.strategy == Strategy.MIP_AND_NEIGHBOURHOODS
    assert solution.search.lanes == (1 if workers == 2 else 0)  # one lane beside HiGHS's thread
    assert ("neighbourhoods" in solution.search.engines) == (workers == 2)
    assert not verify(problem, solution)
    assert solution.objective <= warm_start(problem).objective
    assert solution.bound is not None and solution.bound <= solution.objective
    assert solution.search.bound_source in {"highs", "lp"}


class _StuckMip:
    """The real MIP search, then a phase that never looks at the stop (as HiGHS's root LP at 1000
    projects, which ran 7 s past its limit)."""

    def __init__(self, mip: Mip) -> None:
        self.mip = mip
        self.threads: list[threading.Thread] = []

    def run(self, **kwargs) -> MipOutcome:
        outcome = self.mip.run(**kwargs)
        self.threads.append(threading.current_thread())
        time.sleep(20)
        return outcome

    def so_far(self) -> MipOutcome:
        return self.mip.so_far()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("workers", [1, 2])
def test_highs_stuck_in_a_phase_it_does_not_interrupt_is_left_behind(workers: int) -> None:
    """The race must end on time anyway, with what HiGHS reported before it got stuck."""
    problem = synthetic(MEDIUM, 12, 0.8)
    start = warm_start(problem).projects
    stuck = _StuckMip(Mip(problem, project_windows(problem)))

    def partner(halt, threads: int) -> None:
        time.sleep(1.5)  # another search, while HiGHS improves on the start

    outcome, _ = beside_highs(
        stuck,
        start,
        partner,
        deadline=time.monotonic() + 3,
        workers=workers,
        stop=None,
        best=Best(Budget(0.0, 3.0), None),
    )
    # it returned while HiGHS is still stuck: it did not wait for it
    assert len(stuck.threads) == 1 and stuck.threads[0].is_alive()
    assert outcome == stuck.mip.so_far()
    assert outcome.best is not None


def test_a_point_at_the_edge_of_highs_tolerances_still_reads_as_a_pattern() -> None:
    """No end column above 0.5 (a split point): the pattern takes the largest columns instead of failing
    inside HiGHS's callback, and solve would drop it if it were no schedule."""
    problem = Problem(FIRST, FIRST + 2, dict.fromkeys(range(FIRST, FIRST + 3), 10), (Project("A", 4, FIRST),))
    mip = Mip(problem, project_windows(problem))
    c = mip.columns["A"]
    x = [0.0] * len(mip.lp.col_lo)
    x[c.starts[FIRST]] = 0.6
    x[c.starts[FIRST + 1]] = 0.4
    ends = sorted(c.ends)
    x[c.ends[ends[0]]], x[c.ends[ends[1]]] = 0.45, 0.44
    pattern = mip.pattern(x, 0.0)
    assert pattern.spans["A"] == (FIRST, ends[0])


def test_highs_returning_its_start_with_a_better_objective_proves_nothing_regression() -> None:
    """Found by hypothesis: given the warm start (objective 1: P5 deferred), HiGHS 1.16 proved 0 but
    reported the start's own columns as its solution. The pattern is read at its own objective, so that
    point proves nothing, and HiGHS searches again without the start to find the 0 (defer P1, whose penalty
    is 0, so P5 fits in 2021)."""
    problem = Problem(
        FIRST,
        FIRST + 1,
        {FIRST: 32, FIRST + 1: 3},
        (
            Project("P0", 2, FIRST, max_years=2, min_annual=1, max_annual=2, weight=0),
            Project("P1", 29, FIRST, deadline=FIRST, profile=(29,), weight=0, deferrable=True),
            Project("P2", 1, FIRST, fixed_start=FIRST, weight=0, after=("P0",), deferrable=True),
            Project("P3", 1, FIRST, fixed_start=FIRST, deadline=FIRST, profile=(1,), weight=0),
            Project("P4", 1, FIRST, fixed_start=FIRST, profile=(1,), weight=0),
            Project("P5", 2, FIRST, profile=(1, 1), weight=0, deferrable=True, defer_penalty=1),
            Project("P6", 1, FIRST, deadline=FIRST, profile=(1,), weight=0),
        ),
    )
    assert warm_start(problem).objective == 1
    solution = solve(problem, time_limit=5, workers=1, params=MIP_FROM_1)  # HiGHS alone
    assert solution.search.engines == ("highs",)
    assert solution.status == SolveStatus.OPTIMAL and solution.objective == 0
    assert not verify(problem, solution)


def test_the_search_beside_highs_runs_at_a_lower_priority_and_this_thread_keeps_its_own() -> None:
    """With partner_nice, the partner's thread yields to HiGHS when cores are short (Linux, where each
    thread has its own nice value); the caller's priority is unchanged afterwards."""
    import os
    import sys

    problem = synthetic(MEDIUM, 12, 0.8)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def partner(halt, threads: int) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    _, seen = beside_highs(
        Mip(problem, project_windows(problem)),
        None,
        partner,
        deadline=time.monotonic() + 0.5,
        workers=2,
        stop=None,
        best=Best(Budget(0.0, 1.0), None),
        partner_nice=10,
    )
    expected = min(19, mine + 10) if sys.platform.startswith("linux") else mine
    assert seen == expected
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine


@pytest.mark.parametrize("steps", [DEFAULT_PARAMS.partner_nice_with_sources, 7])
def test_with_sources_the_lanes_beside_highs_run_partner_nice_with_sources_steps_lower(steps: int) -> None:
    """v2 beside HiGHS: the neighbourhood lanes' thread (where the search phase begins) is
    `partner_nice_with_sources` steps lower, not `partner_nice`'s 10 (with a CPU hog beside, at 10 the
    lanes barely ran); the caller's own priority is unchanged (Linux; elsewhere no thread is lowered)."""
    import os
    import sys

    problem = synthetic(MEDIUM, 8, 0.8, seed=2, sources=4)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def phase(name: str) -> None:
        seen.setdefault(name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    params = DEFAULT_PARAMS.but(partner_nice_with_sources=steps)
    solution = solve(problem, time_limit=3, workers=2, params=params, on_phase=phase)

    assert solution.search.strategy == Strategy.MIP_AND_NEIGHBOURHOODS
    assert steps != DEFAULT_PARAMS.partner_nice
    assert seen["search"] == (min(19, mine + steps) if sys.platform.startswith("linux") else mine)
    assert seen["warm start"] == mine
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
    assert not verify(problem, solution)


def test_a_schedule_offered_while_highs_runs_becomes_its_incumbent():
    # HiGHS stopped right after its root LP (the first look at a stop once it has a bound): given a good
    # schedule by `offer` before that, its incumbent is that schedule; without it, HiGHS has found only
    # a worse one by then. That is how a rounded start made beside HiGHS reaches it (solver/search.py).
    problem = synthetic(60, 10, 0.7, seed=3)
    windows = project_windows(problem)
    good = solve(problem, time_limit=10, workers=2)
    assert good.status.has_schedule

    def stopped_after_the_root(offered: bool) -> MipOutcome:
        mip = Mip(problem, windows)
        if offered:
            mip.offer(good.projects)
        return mip.run(time_limit=30, should_stop=lambda: mip.dual is not None)

    alone, helped = stopped_after_the_root(False), stopped_after_the_root(True)
    assert helped.best is not None and helped.best.objective == good.objective
    assert alone.best is None or alone.best.objective > good.objective
    schedule, _ = mip_schedule_of(problem, helped)
    assert schedule is not None and objective_of(problem, schedule) == good.objective


def test_highs_searches_while_the_bound_is_found_beside_it():
    # from rounded_start_min_projects the Lagrangian bound and its rounding run on the thread beside
    # HiGHS, which has begun: HiGHS no longer waits for them
    problem = synthetic(60, 10, 0.7, seed=3)
    highs_running: list[bool] = []

    def phase(name: str) -> None:
        if name == "bound":
            highs_running.append(any(t.name == "capsched-highs" for t in threading.enumerate()))

    solution = solve(problem, time_limit=10, workers=2, on_phase=phase)
    assert highs_running == [True]
    assert solution.search.strategy == "mip+cp-sat" and verify(problem, solution) == []
    assert solution.bound is not None and solution.bound <= solution.objective


def test_the_neighbourhoods_take_highs_incumbent_once_and_only_when_it_is_better() -> None:
    from solver.search import _Adopt
    from tests.solver.v2_problems import solution_of

    problem = synthetic(MEDIUM, 8, 0.6, seed=4, sources=4)
    mip = Mip(problem, project_windows(problem))
    mip.run(time_limit=5, should_stop=_never)
    best = mip.so_far().best
    assert best is not None
    adopt = _Adopt(problem, mip, DEFAULT_PARAMS)
    assert adopt(best.objective) is None  # not better than the lanes' own
    taken = adopt(best.objective + 1)
    assert taken is not None
    assert objective_of(problem, taken) == best.objective
    assert not verify(problem, solution_of(problem, taken, best.objective))
    assert adopt(best.objective + 1) is None  # the same incumbent is not made a schedule twice
    late = _Adopt(problem, mip, DEFAULT_PARAMS, deadline=100.0, clock=lambda: 99.95)
    assert late(best.objective + 1) is None  # no time left before the search's deadline to make it one
