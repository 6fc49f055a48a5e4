"""Pure optimisation: Problem -> Solution (docs/MODEL.md). Standard library, OR-Tools and highspy only."""

from __future__ import annotations

from solver.greedy import greedy_schedule
from solver.messages import Phrase
from solver.params import DEFAULT_PARAMS, NeighbourhoodParams, SolveParams, Strategy, choose_strategy
from solver.problem import Funding, Problem, ProblemError, Project, Source
from solver.search import solve
from solver.solution import (
    Diagnostics,
    Progress,
    ProjectSchedule,
    SearchReport,
    Solution,
    SolveStatus,
    SourceYearSpend,
    YearSpend,
)
from solver.verify import VerificationError, verify

__all__ = [
    "DEFAULT_PARAMS",
    "Diagnostics",
    "Funding",
    "NeighbourhoodParams",
    "Phrase",
    "Problem",
    "ProblemError",
    "Progress",
    "Project",
    "ProjectSchedule",
    "SearchReport",
    "Solution",
    "SolveParams",
    "SolveStatus",
    "Source",
    "SourceYearSpend",
    "Strategy",
    "VerificationError",
    "YearSpend",
    "choose_strategy",
    "greedy_schedule",
    "solve",
    "verify",
]
