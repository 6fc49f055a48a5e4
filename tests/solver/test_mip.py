"""The MIP of solver/mip.py and the medium-portfolio search that runs HiGHS on it beside CP-SAT.

The MIP must be exact: its proven optimum equals the brute-force optimum on tiny problems (a missing rule
would let it go lower, a wrong one higher), its patterns become verified schedules, and its bound is
never above the optimum."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings

from solver import Problem, Project, SolveStatus, cpsat, solve, verify
from solver.mip import Mip, Pattern
from solver.windows import project_windows, structural_messages
from tests.solver.test_properties import brute_force_optimum, small_problems, tiny_problems

FIRST = 2021


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
    schedule = cpsat._pattern_schedule(problem, outcome.best)
    assert schedule is not None
    solution = cpsat._finish(problem, schedule, SolveStatus.FEASIBLE, outcome.bound, 0.0)
    assert solution.objective == expected and not verify(problem, solution)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(problem=small_problems())
def test_solve_on_the_mip_path_returns_verified_schedules_and_valid_bounds(
    problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cpsat, "MIP_MIN_PROJECTS", 1)
    reference = solve(problem, time_limit=5, workers=1)  # HiGHS alone (with workers=1)
    both = solve(problem, time_limit=5, workers=2)  # HiGHS beside CP-SAT
    for solution in (reference, both):
        assert verify(problem, solution) == []
    assert reference.status == both.status
    if reference.status == SolveStatus.OPTIMAL:
        assert reference.objective == both.objective == reference.bound == both.bound
    if reference.status == SolveStatus.INFEASIBLE:
        assert reference.diagnostics.messages


def spy_on_mip(monkeypatch: pytest.MonkeyPatch) -> list[Mip]:
    """Every Mip solve builds, in order (also used by tests/api)."""
    built: list[Mip] = []
    real = cpsat.Mip

    def spy(*args, **kwargs):
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(cpsat, "Mip", spy)
    return built


def test_a_medium_portfolio_is_searched_by_highs_and_proven(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.solver import synthetic

    built = spy_on_mip(monkeypatch)
    problem = synthetic(cpsat.MIP_MIN_PROJECTS + 9, 12, 1.0)
    solution = solve(problem, time_limit=60, workers=2)
    assert len(built) == 1
    assert solution.status == SolveStatus.OPTIMAL and solution.bound == solution.objective
    assert not verify(problem, solution)


def test_without_highspy_a_medium_portfolio_is_searched_by_cpsat_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bench.solver import synthetic

    built = spy_on_mip(monkeypatch)
    monkeypatch.setattr(cpsat, "mip_available", lambda: False)
    problem = synthetic(cpsat.MIP_MIN_PROJECTS + 9, 12, 1.0)
    solution = solve(problem, time_limit=5, workers=2)
    assert built == []
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
    schedule = cpsat._pattern_schedule(problem, pattern)
    solution = cpsat._finish(problem, schedule, SolveStatus.FEASIBLE, 0, 0.0)
    assert not verify(problem, solution)
    assert all(float(v).is_integer() for s in schedule for v in s.funding.values())
    assert [(s.start, s.end) for s in schedule] == [(FIRST, FIRST + 1)] * 2


def test_money_infeasibility_found_by_the_mip_gets_the_shortfall(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two one-year projects of 10 fixed in 2021 under a cap of 15: 5 short, whatever the order."""
    monkeypatch.setattr(cpsat, "MIP_MIN_PROJECTS", 1)
    problem = Problem(
        FIRST,
        FIRST,
        {FIRST: 15},
        (Project("A", 10, FIRST, fixed_start=FIRST), Project("B", 10, FIRST, fixed_start=FIRST)),
    )
    assert Mip(problem, project_windows(problem)).run(time_limit=5, should_stop=_never).infeasible
    solution = solve(problem, time_limit=5, workers=1)
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.diagnostics.shortfall == {FIRST: 5}


@pytest.mark.timeout(60)
def test_a_cancel_ends_the_mip_search_long_before_its_limit() -> None:
    from bench.solver import synthetic

    problem = synthetic(200, 12, 0.8)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    solution = solve(problem, time_limit=600, workers=2, stop=stop)
    assert stop.is_set()
    assert solution.status.has_schedule and not verify(problem, solution)


def test_highs_prints_nothing(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS writes a banner to the process's stdout unless told not to before its first call; the CLI's
    output and JSON written to stdout must not carry it."""
    monkeypatch.setattr(cpsat, "MIP_MIN_PROJECTS", 1)
    problem = Problem(FIRST, FIRST + 1, {FIRST: 5, FIRST + 1: 5}, (Project("A", 8, FIRST + 1),))
    solution = solve(problem, time_limit=5, workers=2)
    assert solution.status == SolveStatus.OPTIMAL
    out, err = capfd.readouterr()
    assert "HiGHS" not in out + err


def test_an_error_in_a_progress_callback_stops_highs_and_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS calls back from C++, which cannot carry a Python exception: it must not be lost."""
    from bench.solver import synthetic

    problem = synthetic(cpsat.MIP_MIN_PROJECTS + 9, 12, 0.8)
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


def test_a_highs_answer_that_is_no_schedule_proves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should HiGHS's point ever break a rule beyond its tolerances (no whole draws fit its spans), neither
    it nor the bound its search pruned with may make the answer OPTIMAL."""
    from bench.solver import synthetic
    from solver.greedy import warm_start

    problem = synthetic(cpsat.MIP_MIN_PROJECTS + 9, 12, 0.8)
    monkeypatch.setattr(cpsat, "_pattern_schedule", lambda *_: None)
    solution = solve(problem, time_limit=30, workers=1)  # HiGHS alone: it alone could prove
    assert solution.status == SolveStatus.FEASIBLE
    assert solution.objective == warm_start(problem).objective
    assert solution.bound is None and not verify(problem, solution)


@pytest.mark.parametrize("workers", [1, 2])
def test_large_portfolios_get_highs_beside_the_neighbourhood_search(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """From LNS_MIN_PROJECTS to MIP_MAX_PROJECTS (lowered here to 10..100) HiGHS runs beside the
    neighbourhoods (with one worker: HiGHS alone); the answer is verified, no worse than the warm start,
    and its bound is HiGHS's or the LP's."""
    from bench.solver import synthetic
    from solver.greedy import warm_start

    monkeypatch.setattr(cpsat, "LNS_MIN_PROJECTS", 10)
    monkeypatch.setattr(cpsat, "MIP_MAX_PROJECTS", 100)
    built = spy_on_mip(monkeypatch)
    searched: list[int] = []
    real = cpsat._neighbourhood_search

    def counting(*args, **kwargs):
        searched.append(args[4])  # the lanes it was given
        return real(*args, **kwargs)

    monkeypatch.setattr(cpsat, "_neighbourhood_search", counting)
    problem = synthetic(60, 10, 0.8, seed=3)
    solution = solve(problem, time_limit=5, workers=workers)
    assert len(built) == 1
    assert searched == ([1] if workers == 2 else [])  # one lane beside HiGHS's thread
    assert not verify(problem, solution)
    assert solution.objective <= warm_start(problem).objective
    assert solution.bound is not None and solution.bound <= solution.objective


@pytest.mark.timeout(30)
@pytest.mark.parametrize("workers", [1, 2])
def test_highs_stuck_in_a_phase_it_does_not_interrupt_is_left_behind(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """HiGHS checks for a stop only between some phases (at 1000 projects one ran 7 s past its limit).
    solve must end on time anyway, with what HiGHS reported before it got stuck."""
    import time

    from bench.solver import synthetic

    real = Mip.run
    reported: list[int] = []
    threads: list[threading.Thread] = []

    def stuck(self, **kwargs):
        outcome = real(self, **kwargs)
        threads.append(threading.current_thread())
        reported.extend(p.objective for p in self.found)
        time.sleep(20)  # a phase that never looks at the stop
        return outcome

    monkeypatch.setattr(Mip, "run", stuck)
    problem = synthetic(cpsat.MIP_MIN_PROJECTS + 9, 12, 0.8)
    solution = solve(problem, time_limit=3, workers=workers)
    # solve returned while HiGHS is still stuck: it did not wait for it
    assert len(threads) == 1 and threads[0].is_alive()
    assert not verify(problem, solution)
    assert reported and solution.objective <= min(reported)


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
