"""Schedule a project list or a MODEL.md problem file without the database (the CLI's `solve`).

The web service builds a scenario's problem in app/services/scenarios.py instead; both end in `solver.solve`, so a
schedule made in the terminal and one made in the browser are the same schedule.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.files.importer import read_projects
from app.rules.budgets import BudgetSpecError, flat_budget, parse_budget, parse_years
from app.rules.portfolio import ProjectRecord
from app.rules.problem import (
    DEFAULT_FLAT_BUDGET_WAN,
    PLAN_PERIOD_END,
    STRETCH_YEARS,
    ScenarioOptions,
    build_problem,
)
from solver import Problem


@dataclass(frozen=True, slots=True)
class LoadedProblem:
    """A problem ready to solve, with the project records it came from (empty for a JSON problem)."""

    problem: Problem
    records: tuple[ProjectRecord, ...]
    budget_note: str


class ProblemFileError(ValueError):
    """A problem JSON file that cannot be read; the message says where and why."""


def load_problem_json(path: Path) -> Problem:
    """A MODEL.md problem from a JSON file (ProblemError names the project and field)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ProblemFileError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise ProblemFileError(f"{path.name}: not a UTF-8 text file") from None
    if not isinstance(data, dict):
        raise ProblemFileError(
            f"{path.name}: expected a JSON object with first_year, last_year, budget, projects"
        )
    return Problem.from_json(data)


def default_years(records: Sequence[ProjectRecord]) -> tuple[int, int]:
    """From the earliest planned start to the latest planned end plus the stretch a site may take."""
    starts = [r.planned_start for r in records if r.planned_start is not None]
    ends = [r.planned_end for r in records if r.planned_end is not None]
    if not starts or not ends:
        raise BudgetSpecError("no project has planned years: give --years FIRST-LAST")
    return min(starts), max(ends) + STRETCH_YEARS


def load_portfolio_problem(
    path: Path,
    *,
    years: tuple[int, int] | None = None,
    budget_flat: int | None = None,
    budget_spec: str | None = None,
    carryover: bool = False,
    star_deadline: int | None = PLAN_PERIOD_END,
) -> LoadedProblem:
    """Read a CSV/XLSX project list and build the problem of the given horizon and caps."""
    records = tuple(read_projects(path))
    first, last = years or default_years(records)
    if budget_spec is not None:
        budget = parse_budget(budget_spec, first, last)
        note = "caps as given"
    else:
        amount = DEFAULT_FLAT_BUDGET_WAN if budget_flat is None else budget_flat
        budget = flat_budget(first, last, amount)
        note = f"flat {amount} 万元 a year" + ("" if budget_flat is not None else " (default)")
    options = ScenarioOptions(
        first_year=first, last_year=last, budget=budget, carryover=carryover, star_deadline=star_deadline
    )
    return LoadedProblem(build_problem(records, options), records, note)


def load(
    path: Path,
    *,
    years: str | None = None,
    budget_flat: int | None = None,
    budget_spec: str | None = None,
    carryover: bool = False,
    star_deadline: int | None = PLAN_PERIOD_END,
) -> LoadedProblem:
    """The problem a command names: a MODEL.md problem.json as it is, or a project list (.csv/.xlsx) over
    `years` ("2021-2030", default: the plan's span plus the stretch) at the given caps. Options that shape
    a problem from a list are refused for a problem.json, which has its own (ProblemFileError)."""
    if budget_flat is not None and budget_spec is not None:
        raise BudgetSpecError("give either --budget-flat or --budget, not both")
    if path.suffix.lower() == ".json":
        if years or budget_flat is not None or budget_spec or carryover or star_deadline != PLAN_PERIOD_END:
            raise ProblemFileError(
                "--years/--budget/--carryover/--soft-star apply to a project list; a problem.json has its own"
            )
        return LoadedProblem(load_problem_json(path), (), "from the problem file")
    return load_portfolio_problem(
        path,
        years=parse_years(years) if years else None,
        budget_flat=budget_flat,
        budget_spec=budget_spec,
        carryover=carryover,
        star_deadline=star_deadline,
    )
