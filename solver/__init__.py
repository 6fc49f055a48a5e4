"""Pure optimisation: Problem -> Solution (shared/docs/MODEL.md). Standard library + OR-Tools only."""

from __future__ import annotations

from solver.cpsat import solve
from solver.greedy import greedy_schedule
from solver.problem import Problem, ProblemError, Project
from solver.solution import Diagnostics, Progress, ProjectSchedule, Solution, SolveStatus, YearSpend
from solver.verify import VerificationError, verify

__all__ = [
    "Diagnostics",
    "Problem",
    "ProblemError",
    "Progress",
    "Project",
    "ProjectSchedule",
    "Solution",
    "SolveStatus",
    "VerificationError",
    "YearSpend",
    "greedy_schedule",
    "solve",
    "verify",
]
