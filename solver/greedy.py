"""The greedy baseline (being written)."""

from __future__ import annotations

from solver.problem import Problem
from solver.solution import Solution


def greedy_schedule(problem: Problem) -> Solution:
    """Not yet implemented."""
    raise NotImplementedError("solver.greedy_schedule is being written")
