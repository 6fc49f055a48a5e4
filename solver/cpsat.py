"""The CP-SAT model of MODEL.md (being written)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from solver.problem import Problem
from solver.solution import Progress, Solution


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    hint: Solution | None = None,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Schedule `problem` (MODEL.md). Not yet implemented."""
    raise NotImplementedError("solver.solve is being written")
