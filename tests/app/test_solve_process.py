"""A run's solve in a child process (app/solve_process.py): the same answer as in this process, progress
relayed, a stop answered with the best so far, and a child that does not answer killed — never waited
for. The children below are real processes started from the fork server; the "deaf" ones stand for a
solver stuck in a phase that does not poll its stop request."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest

from app.solve_process import Ending, SolveFailed, solve_in_child
from solver import SolveStatus, solve, verify
from solver.instances import synthetic


def _deaf(*_: Any) -> None:
    """A child that never answers and ignores the stop request."""
    time.sleep(120)


def _crashing(*_: Any) -> None:
    """A child that ends without an answer, as one killed from outside or out of memory would."""
    os._exit(3)


def test_a_child_gives_the_answer_the_solver_gives_here_and_relays_its_progress():
    problem = synthetic(15, 8, 0.8)
    here = solve(problem, time_limit=20, workers=1)
    heard = []
    outcome = solve_in_child(
        problem.to_json(),
        time_limit=20,
        workers=1,
        started=time.monotonic(),
        stop=threading.Event(),
        progress=heard.append,
    )
    assert here.status is SolveStatus.OPTIMAL
    assert outcome.ending is Ending.ANSWERED
    assert outcome.solution.status is SolveStatus.OPTIMAL
    assert outcome.solution.objective == here.objective
    verify(problem, outcome.solution)
    assert heard, "no progress relayed"
    assert heard[-1].objective >= outcome.solution.objective
    assert all(p.bound is None or p.objective is None or p.bound <= p.objective for p in heard)


def test_a_stop_request_is_answered_with_the_best_schedule_so_far():
    problem = synthetic(300, 12, 0.7)
    stop = threading.Event()
    heard = []

    def stop_at_first_schedule(progress):
        heard.append(progress)
        if progress.objective is not None:
            stop.set()

    outcome = solve_in_child(
        problem.to_json(),
        time_limit=120,
        workers=1,
        started=time.monotonic(),
        stop=stop,
        progress=stop_at_first_schedule,
    )
    assert outcome.ending is Ending.ANSWERED
    assert outcome.solution.status.has_schedule
    assert outcome.solution.objective <= heard[0].objective
    verify(problem, outcome.solution)


def test_a_child_that_ignores_the_stop_request_is_killed():
    stop = threading.Event()
    stop.set()
    quiet_polls = []
    outcome = solve_in_child(
        synthetic(5, 6, 1.0).to_json(),
        time_limit=600,
        workers=1,
        started=time.monotonic(),
        stop=stop,
        quiet=lambda: quiet_polls.append(1),
        child=_deaf,
    )
    assert quiet_polls, "the caller hears of the quiet polls (the run's progress writer flushes on them)"
    assert outcome.ending is Ending.KILLED_ON_STOP
    assert outcome.solution is None
    assert outcome.exitcode == -9  # SIGKILL: the process is gone, not left running


def test_a_child_still_running_long_past_its_time_limit_is_killed_without_a_stop_request():
    long_ago = time.monotonic() - 3600  # its 1 s limit (plus every grace) ran out long before
    outcome = solve_in_child(
        synthetic(5, 6, 1.0).to_json(),
        time_limit=1,
        workers=1,
        started=long_ago,
        stop=threading.Event(),
        child=_deaf,
    )
    assert outcome.ending is Ending.KILLED_ON_LIMIT
    assert outcome.exitcode == -9


def test_a_child_that_ends_without_an_answer_is_reported_with_its_exit_code():
    outcome = solve_in_child(
        synthetic(5, 6, 1.0).to_json(),
        time_limit=60,
        workers=1,
        started=time.monotonic(),
        stop=threading.Event(),
        child=_crashing,
    )
    assert outcome.ending is Ending.DIED
    assert outcome.exitcode == 3


def test_what_the_solver_raises_in_the_child_reaches_the_caller_in_words():
    broken = synthetic(5, 6, 1.0).to_json()
    broken["projects"][0]["cost"] = -5
    with pytest.raises(SolveFailed, match="ProblemError"):
        solve_in_child(broken, time_limit=10, workers=1, started=time.monotonic(), stop=threading.Event())


def _tells_its_priority(commands: Any, answers: Any, *args: Any) -> None:
    """A child that answers with the CPU priority it was asked to run at (its last argument)."""
    answers.send(("error", f"nice {args[-1]}"))


def test_the_child_runs_at_the_cpu_priority_of_the_pool_thread_that_started_it():
    """The server lowers its solving threads (CAPSCHED_SOLVER_NICE) so that requests come first; the child
    that solves must inherit that, not the fork server's priority (Linux keeps a nice value per thread)."""
    failed: list[str] = []

    def lowered() -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 7)
        try:
            solve_in_child({}, time_limit=1, workers=1, started=time.monotonic(), stop=threading.Event(),
                           child=_tells_its_priority)  # fmt: skip
        except SolveFailed as err:
            failed.append(str(err))

    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert failed == ["nice 7"]
