"""The time limit and the cancel of one solve, read from one clock.

`solve` builds one `Budget` and hands it to every phase (windows, warm start, bound, search, finish), so
each phase asks the same clock how much time is left and polls the same cancel: a phase loop calls
`check()` every few hundred items, which raises `Stopped` on a cancel or once the limit and its small
overrun are spent, and compares `now()` with the end of its share of the limit. The clock is a parameter (default `time.monotonic`), so a test can pass a
fake one and check the budgets structurally, never by timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

CHECK_EVERY = 256  # items a phase loop handles between two looks at the cancel and the clock


class Stop(Protocol):
    """What a search polls to know it must stop: a threading.Event, or anything with its is_set."""

    def is_set(self) -> bool: ...


class Stopped(Exception):
    """Raised inside the solver when the caller cancels a phase that has nothing to return yet; `solve`
    turns it into a result (the best schedule so far, or UNKNOWN), never lets it out."""


@dataclass(frozen=True, slots=True)
class Budget:
    """A time limit of `limit` seconds from the clock reading `started`, and the caller's cancel.
    `overrun` is how long past the limit work that has nothing to return yet may go on (the first greedy
    pass): `check()` stops it there too. `cpu_clock` reads the CPU time of the calling thread."""

    started: float
    limit: float
    stop: Stop | None = None
    clock: Callable[[], float] = time.monotonic
    overrun: float = 0.0
    cpu_clock: Callable[[], float] = time.thread_time

    def now(self) -> float:
        return self.clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        return self.started + self.limit - self.clock()

    def at(self, share: float) -> float:
        """The clock reading when `share` of the limit has passed."""
        return self.started + share * self.limit

    def cancelled(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def over(self, until: float | None = None) -> bool:
        """Cancelled, or the clock has reached `until` (the end of the limit when None)."""
        end = self.started + self.limit if until is None else until
        return self.cancelled() or self.clock() >= end

    def cpu(self, seconds: float, until: float) -> CpuAllowance:
        """`seconds` of this thread's CPU time from now, ending at the clock reading `until` at the latest."""
        return CpuAllowance(self, self.cpu_clock() + seconds, until)

    def check(self) -> None:
        """Raise Stopped when cancelled or `overrun` past the limit (a phase loop calls this every
        CHECK_EVERY items)."""
        if self.cancelled() or self.clock() >= self.started + self.limit + self.overrun:
            raise Stopped


@dataclass(frozen=True, slots=True)
class CpuAllowance:
    """A phase's share counted in CPU time of its thread: spent when `cpu_clock` reaches `cpu_until`, or
    the wall clock `until`, or on a cancel. Beside other work a wall-clock share buys less and less CPU; this
    one buys the same CPU while the wall clock keeps it inside the limit."""

    budget: Budget
    cpu_until: float
    until: float

    def spent(self) -> bool:
        return self.budget.over(self.until) or self.budget.cpu_clock() >= self.cpu_until
