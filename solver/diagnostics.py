"""Why a problem is infeasible, in words a finance officer understands.

Two sources: structural impossibilities found before search (solver/windows.py: a deadline before the
earliest possible end, a cost that cannot be drawn in the allowed years…), which no amount of money
fixes; and the elastic solve (solver/cpsat.py), which adds extra money e_t ≥ 0 to each year's cap and
minimises Σ e_t — its answer is the `shortfall`.
"""

from __future__ import annotations

from solver.problem import Problem
from solver.solution import Diagnostics, SolveStatus

NO_MONEY_HELPS = "No amount of money helps: the dates and rules of these projects cannot all hold."


def structural_diagnostics(messages: list[str]) -> Diagnostics:
    """Pre-search impossibilities: shortfall is None because money is not the cause."""
    return Diagnostics(messages=(*messages, NO_MONEY_HELPS), shortfall=None)


def _money_summary(problem: Problem) -> str | None:
    """A first plain fact when the projects that must be funded cost more than all caps together."""
    must = sum(p.cost for p in problem.projects if not p.deferrable)
    total = sum(problem.budget.values())
    if must > total:
        return (
            f"The projects that cannot be deferred cost {must} in total, but the caps of "
            f"{problem.first_year}-{problem.last_year} add up to {total}."
        )
    return None


def infeasible_diagnostics(
    problem: Problem, elastic: SolveStatus, shortfall: dict[int, int] | None
) -> Diagnostics:
    """Diagnostics from the elastic solve's status and extra money per year."""
    messages: list[str] = []
    summary = _money_summary(problem)
    if summary:
        messages.append(summary)
    if elastic == SolveStatus.INFEASIBLE:
        messages.append(
            "No amount of money helps: the deadlines, fixed starts, durations and predecessor rules "
            "cannot all hold together."
        )
        return Diagnostics(tuple(messages), None)
    if not elastic.has_schedule or shortfall is None:
        messages.append("No schedule fits the caps; the least extra money could not be worked out in time.")
        return Diagnostics(tuple(messages), None)
    total = sum(shortfall.values())
    per_year = ", ".join(f"{year}: {amount}" for year, amount in sorted(shortfall.items()))
    if elastic == SolveStatus.OPTIMAL:
        messages.append(
            f"No schedule fits the caps. At least {total} more in total is needed ({per_year}); no less will do."
        )
    else:
        messages.append(
            f"No schedule fits the caps. {total} more in total ({per_year}) is enough; "
            "it was not proven to be the least in the time allowed."
        )
    return Diagnostics(tuple(messages), dict(sorted(shortfall.items())))
