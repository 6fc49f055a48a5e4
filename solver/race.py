"""Two searches at once: HiGHS on the MIP (solver/mip.py) on its own thread, another search on this one.

The first proof stops the other; what either reports goes to one `Best`, which sends improvements to the
caller's progress callback. HiGHS checks for a stop only between some of its phases (at 1000 projects
one of them ran 7 s past a time limit), so it is given a grace period past its deadline or a cancel and
is then left to end on its own thread: what it reported so far stands. No OR-Tools here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from solver.budget import Budget, Stop
from solver.mip import MipOutcome, Pattern
from solver.solution import Progress, ProjectSchedule

T = TypeVar("T")


class MipSearch(Protocol):
    """What `beside_highs` needs of a MIP search (solver.mip.Mip)."""

    def run(
        self,
        *,
        time_limit: float,
        should_stop: Callable[[], bool],
        start: tuple[ProjectSchedule, ...] | None = None,
        on_improve: Callable[[Pattern, int | None], None] | None = None,
    ) -> MipOutcome: ...

    def so_far(self) -> MipOutcome: ...


class Either:
    """Set when any of its events is."""

    def __init__(self, *events: Stop | None) -> None:
        self._events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


class Best:
    """The best objective and bound any search has reported, sent to `progress` when they improve
    (called from CP-SAT's and HiGHS's threads)."""

    def __init__(self, budget: Budget, progress: Callable[[Progress], None] | None) -> None:
        self._budget, self._progress = budget, progress
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
                self._progress(Progress(self._budget.elapsed(), self.objective, bound))


def beside_highs(
    mip: MipSearch,
    start: tuple[ProjectSchedule, ...] | None,
    partner: Callable[[Stop, int], T],
    *,
    deadline: float,
    workers: int,
    stop: Stop | None,
    best: Best,
    grace_seconds: float = 0.1,
    poll_seconds: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[MipOutcome, T | None]:
    """HiGHS on `mip` (its own thread, until the monotonic `deadline`) and, with 2+ workers,
    `partner(halt, threads)` on this one with the other threads. A proof (or proven infeasibility) by HiGHS
    sets `halt`; when the partner returns, HiGHS is stopped too and given `grace_seconds` (past the
    deadline, or past a cancel) before it is left behind. An exception on HiGHS's thread stops the partner
    and is raised here."""
    done = threading.Event()
    halt = Either(stop, done)
    found: list[MipOutcome] = []
    failed: list[BaseException] = []

    def search_mip() -> None:
        try:
            outcome = mip.run(
                time_limit=deadline - clock(),
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
            while highs.is_alive() and not halt.is_set() and clock() < deadline:
                highs.join(poll_seconds)
    finally:
        done.set()
        cancelled = stop is not None and stop.is_set()
        highs.join(grace_seconds + (0.0 if cancelled else max(0.0, deadline - clock())))
    if failed:
        raise failed[0]
    outcome = found[0] if found else mip.so_far()
    if outcome.infeasible and start is not None:  # a schedule exists: HiGHS's "infeasible" is numerics
        outcome = MipOutcome(None, None, False)
    return outcome, other
