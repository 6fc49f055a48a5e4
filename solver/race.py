"""Two searches at once: HiGHS on the MIP (solver/mip.py) on its own thread, another search on this one.

The first proof stops the other; what either reports goes to one `Best`, which sends improvements to the
caller's progress callback. HiGHS checks for a stop only between some of its phases (at 1000 projects
one of them ran 7 s past a time limit), so it is given a grace period past its deadline or a cancel and
is then left to end on its own thread: what it reported so far stands. No OR-Tools here.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from solver.budget import Stop
from solver.mip import MipOutcome, Pattern
from solver.progress import Best
from solver.solution import ProjectSchedule

T = TypeVar("T")

HIGHS_THREAD = "capsched-highs"  # the name of HiGHS's thread (`beside_highs`)


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


def _politely(nice: int, work: Callable[[], T]) -> T:
    """`work()` on a thread whose scheduling priority is `nice` steps lower (Linux, where a thread's nice
    value is its own and threads it starts inherit it), or on this thread elsewhere or with `nice` 0. A
    thread cannot raise its priority back unprivileged, so the lowered one ends with the work."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return work()
    result: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        me = threading.get_native_id()
        with contextlib.suppress(OSError):  # not allowed here: the work runs at the usual priority
            os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + nice))
        try:
            result.append(work())
        except BaseException as error:  # raised on the caller's thread below
            failed.append(error)

    thread = threading.Thread(target=run, name="capsched-partner")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return result[0]


class Either:
    """Set when any of its events is."""

    def __init__(self, *events: Stop | None) -> None:
        self._events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


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
    partner_nice: int = 0,
) -> tuple[MipOutcome, T | None]:
    """HiGHS on `mip` (its own thread, until the `deadline` on `clock`) and, with 2+ workers,
    `partner(halt, threads)` with the other threads. A proof (or proven infeasibility) by HiGHS sets
    `halt`; when the partner returns, HiGHS is stopped too and given `grace_seconds` (past the deadline, or
    past a cancel) before it is left behind. An exception on HiGHS's thread stops the partner and is
    raised here. With `partner_nice` > 0 the partner runs on a thread of lower priority (Linux): on idle
    cores nothing changes, but when other work leaves one core for both, HiGHS keeps most of it."""
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
    # active exception"), so exit waits for a left-behind HiGHS to reach its next stop check (or the
    # process ends at once with os._exit, as `capsched solve` does once its answer is written)
    highs = threading.Thread(target=search_mip, name=HIGHS_THREAD)
    highs.start()
    other = None
    try:
        if workers >= 2:
            other = _politely(partner_nice, lambda: partner(halt, workers - 1))
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
