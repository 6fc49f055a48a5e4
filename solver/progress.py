"""What the caller of `solve` hears through `progress`: the best objective and bound so far, improvements only.

One `Best` per solve gathers what every phase finds — the greedy passes, the bound, CP-SAT's and HiGHS's
threads, the neighbourhoods — so the caller hears each better schedule once, in the order found, with the
largest bound so far (never above the objective).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from solver.budget import Budget
from solver.solution import Progress


class Best:
    """The best objective and bound any phase has reported, sent to `progress` when either improves
    (called from the greedy passes, the bound, and CP-SAT's and HiGHS's threads)."""

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
