"""The time limit covers every phase and a cancel stops any phase: checked with a clock passed to solve
(a fake one that moves only when told), never by timing."""

from __future__ import annotations

import threading

import pytest

from solver import Progress, Solution, SolveParams, SolveStatus, greedy_schedule, solve, verify
from solver.budget import Budget
from solver.greedy import warm_start
from solver.instances import synthetic

# the neighbourhood search with the Lagrangian bound, as 10,000 projects get, on a size a test can afford
LARGE = SolveParams(lns_min_projects=100, mip_max_projects=0, lagrangian_min_projects=100)
PHASES = ["windows", "warm start", "bound", "search"]


class FakeClock:
    """A clock that moves only when told to, or by `step` at every reading."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        reading = self.now
        self.now += self.step
        return reading


class JumpingClock:
    """A clock that stands still until told to jump to a reading after one more reading."""

    def __init__(self) -> None:
        self.now = 0.0
        self._jump: tuple[int, float] | None = None

    def jump_at_next_but_one(self, to: float) -> None:
        self._jump = (1, to)

    def __call__(self) -> float:
        if self._jump is not None:
            readings, to = self._jump
            if readings == 0:
                self.now, self._jump = to, None
            else:
                self._jump = (readings - 1, to)
        return self.now


@pytest.fixture(scope="module")
def problem():
    return synthetic(300, 12, 0.6, seed=5)


def test_when_the_limit_passes_during_the_warm_start_its_schedule_is_the_answer(problem):
    clock = FakeClock()
    heard: list[str] = []

    def phase(name: str) -> None:
        heard.append(name)
        if name == "warm start":
            clock.now += 30.5  # the greedy passes take the whole limit (a slow machine, a huge portfolio)

    solution = solve(problem, time_limit=30, workers=2, params=LARGE, on_phase=phase, clock=clock)
    assert heard == ["windows", "warm start"]  # no bound, no search started after the limit
    assert solution.status == SolveStatus.FEASIBLE and verify(problem, solution) == []
    assert solution.search.strategy == "warm start"
    assert solution.solve_seconds == 30.5  # the time on the clock the caller gave, within the overrun
    # only the greedy pass that always runs made it: the baseline's (the limit was spent when it ended)
    assert solution.objective == warm_start(problem, budget=_spent(), until=0.0).objective


def test_past_the_limit_and_its_overrun_the_solve_stops_even_without_a_schedule(problem):
    clock = FakeClock()

    def phase(name: str) -> None:
        if name == "warm start":
            clock.now += 31.5  # beyond 30 s + the 1 s overrun before the first greedy pass ends

    solution = solve(problem, time_limit=30, workers=2, params=LARGE, on_phase=phase, clock=clock)
    assert solution.status == SolveStatus.UNKNOWN and not solution.projects


def _spent() -> Budget:
    """A budget whose clock is past its limit, with room to overrun it."""
    return Budget(0.0, 1.0, None, clock=lambda: 10.0, overrun=100.0)


def test_when_only_the_time_kept_to_return_a_schedule_is_left_the_warm_start_is_the_answer(problem):
    clock = FakeClock()
    heard: list[str] = []

    def phase(name: str) -> None:
        heard.append(name)
        if name == "warm start":
            clock.now += 28.0  # inside the 30 s limit, but past the search's end (30 − 3 s kept back)

    params = LARGE.but(finish_seconds_per_project=0.01)  # 300 projects: 3 s kept back
    solution = solve(problem, time_limit=30, workers=2, params=params, on_phase=phase, clock=clock)
    assert heard == ["windows", "warm start"]  # no bound begun, no engine needed
    assert solution.status == SolveStatus.FEASIBLE and verify(problem, solution) == []
    assert solution.search.strategy == "warm start"


def test_the_limit_counts_from_the_start_the_caller_gives(problem):
    clock = FakeClock()
    clock.now = 90.5
    heard: list[str] = []
    solution = solve(
        problem, time_limit=30, workers=2, params=LARGE, on_phase=heard.append, clock=clock, started=60.0
    )
    # 30.5 s had passed before the call (say, reading the problem): none is left for a bound or a search
    assert heard == ["windows", "warm start"]
    assert solution.status == SolveStatus.FEASIBLE and verify(problem, solution) == []


def test_the_bound_gets_its_share_in_cpu_time_when_the_machine_is_busy(problem):
    # a machine shared ten ways: each reading of the clock takes ten "seconds", of the thread's CPU one
    clock, cpu = FakeClock(step=10.0), FakeClock(step=1.0)
    began: dict[str, float] = {}
    stop = threading.Event()

    def phase(name: str) -> None:
        if name == "warm start":
            clock.now += 90.0  # the greedy passes take most of the bound's wall-clock share (100 s)
        began[name] = cpu.now
        if name == "search":
            stop.set()  # end the test here: the search itself is not under test

    solve(
        problem,
        time_limit=1000,
        workers=2,
        stop=stop,
        params=LARGE.but(lagrangian_share=0.03, lagrangian_wall_share=0.5),
        on_phase=phase,
        clock=clock,
        cpu_clock=cpu,
    )
    # the bound reads the CPU clock once as it starts and once per evaluation, and stops at its 30 s of
    # CPU (here it needs ~80 evaluations to converge): a wall-clock share would have allowed 3
    assert began["search"] - began["bound"] == 31


def test_the_bound_ends_at_its_wall_clock_share_when_its_thread_gets_no_cpu(problem):
    clock = FakeClock(step=1.0)  # every reading of the clock takes a "second"; the CPU clock stands still
    began: dict[str, float] = {}
    stop = threading.Event()

    def phase(name: str) -> None:
        began[name] = clock.now
        if name == "search":
            stop.set()

    params = LARGE.but(lagrangian_share=0.2, lagrangian_wall_share=0.05)
    solve(
        problem,
        time_limit=1000,
        workers=2,
        stop=stop,
        params=params,
        on_phase=phase,
        clock=clock,
        cpu_clock=lambda: 0.0,
    )
    # 50 s from its start (it needs ~80 evaluations, about a reading each), then the rounding's readings
    assert 50 <= began["search"] - began["bound"] <= 60


def test_progress_hears_the_first_greedy_schedule_before_the_bound_begins(problem):
    heard: list[str | Progress] = []
    stop = threading.Event()

    def phase(name: str) -> None:
        heard.append(name)
        if name == "search":
            stop.set()

    solve(problem, time_limit=600, workers=2, stop=stop, params=LARGE, on_phase=phase, progress=heard.append)
    # the first schedule is the baseline's pass; the weight-per-cost order's better ones follow (here it
    # fails and its repairs succeed), each as its pass ends, all before the bound begins
    first = warm_start(problem, budget=_spent(), until=0.0).objective
    greedy = heard[2 : heard.index("bound")]
    assert heard[:2] == ["windows", "warm start"]
    assert [r.objective for r in greedy] == sorted({first, warm_start(problem).objective}, reverse=True)
    assert all(isinstance(r, Progress) and r.bound is None for r in greedy)
    after = heard[heard.index("bound") + 1 :]
    assert any(isinstance(r, Progress) and r.bound is not None for r in after)  # once it is known


def test_when_the_limit_passes_right_after_the_first_greedy_schedule_it_is_the_answer(problem):
    clock = FakeClock()
    heard: list[str] = []
    objectives: list[int] = []

    def progress(report: Progress) -> None:
        objectives.append(report.objective)
        clock.now += 100.0  # past the limit and its overrun as soon as the first schedule is in

    solution = solve(
        problem, time_limit=30, workers=2, params=LARGE, on_phase=heard.append, progress=progress, clock=clock
    )
    assert heard == ["windows", "warm start"]
    assert solution.status == SolveStatus.FEASIBLE and verify(problem, solution) == []
    assert solution.search.strategy == "warm start"
    assert objectives == [solution.objective]


def test_a_greedy_pass_after_the_first_schedule_stops_at_the_limit_not_its_overrun(problem):
    # The next pass starts inside the 10 s limit, but the clock passes it right after the first schedule
    # (the baseline's): that pass stops at its first look at the clock, though the 100 s overrun is not
    # spent, and the schedule already found is the answer (such a stop lost it before: UNKNOWN).
    clock = JumpingClock()
    found: list[Solution] = []

    def first(solution: Solution) -> None:
        found.append(solution)
        clock.jump_at_next_but_one(10.5)

    budget = Budget(0.0, 10.0, None, clock=clock, overrun=100.0)
    warm = warm_start(problem, budget=budget, until=5.0, on_schedule=first)
    assert len(found) == 1 and warm is found[0]
    assert warm.status == SolveStatus.FEASIBLE and verify(problem, warm) == []


def test_the_first_schedule_heard_is_the_baseline_greedys_then_only_better_ones(problem):
    # the baseline's order is the one most likely to fit, so it goes first: its schedule is the first
    # there is, however little time the weight-per-cost order would have left it
    found: list[Solution] = []
    warm = warm_start(problem, on_schedule=found.append)
    assert found[0].objective == greedy_schedule(problem).objective
    assert [f.objective for f in found] == sorted({f.objective for f in found}, reverse=True)
    assert found[-1] is warm


def test_a_cancel_during_a_greedy_pass_after_the_first_schedule_returns_that_schedule(problem):
    stop = threading.Event()
    found: list[Solution] = []

    def first(solution: Solution) -> None:
        found.append(solution)
        stop.set()

    warm = warm_start(problem, budget=Budget(0.0, 1e9, stop), until=1e9, on_schedule=first)
    assert warm is found[0] and verify(problem, warm) == []


def test_the_search_keeps_back_time_to_check_and_return_the_schedule(problem):
    clock = FakeClock()
    limits: list[float] = []

    def phase(name: str) -> None:
        if name == "search":
            limits.append(clock.now)
            clock.now = 29.0  # the search has used its time: finish must still come in time

    params = LARGE.but(finish_seconds_per_project=0.01)  # 300 projects: 3 s kept back
    solution = solve(problem, time_limit=30, workers=2, params=params, on_phase=phase, clock=clock)
    assert solution.status.has_schedule and verify(problem, solution) == []
    assert solution.search.replans == 0  # 29 s is past the search's end (30 − 3): no re-plan started


@pytest.mark.parametrize("phase_name", PHASES)
def test_a_cancel_in_any_phase_ends_the_solve_without_starting_another(problem, phase_name):
    stop = threading.Event()
    heard: list[str] = []

    def phase(name: str) -> None:
        heard.append(name)
        if name == phase_name:
            stop.set()

    solution = solve(problem, time_limit=600, workers=2, stop=stop, params=LARGE, on_phase=phase)
    assert heard[-1] == phase_name  # nothing began after the cancel
    assert verify(problem, solution) == []
    if phase_name in ("windows", "warm start"):
        assert solution.status == SolveStatus.UNKNOWN and not solution.projects  # no schedule yet
    else:
        assert solution.status == SolveStatus.FEASIBLE  # the warm start stands
