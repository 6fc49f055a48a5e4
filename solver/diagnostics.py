"""Why a problem is infeasible, in words a finance officer understands — and as keys other languages use.

Two sources: structural impossibilities found before search (solver/windows.py: a deadline before the
earliest possible end, a cost that cannot be drawn in the allowed years…), which no amount of money
fixes; and the elastic solve (solver/cpsat.py), which adds extra money e_t ≥ 0 to each year's cap and
minimises Σ e_t — its answer is the `shortfall`.

Every sentence is a solver/messages.py `Phrase` (a key and its values) beside its English text.
"""

from __future__ import annotations

from solver.messages import Phrase
from solver.problem import Problem
from solver.solution import Diagnostics, SolveStatus

NO_MONEY_HELPS = Phrase("no_money_helps")


def structural_diagnostics(phrases: list[Phrase]) -> Diagnostics:
    """Pre-search impossibilities: shortfall is None because money is not the cause."""
    return Diagnostics.of([*phrases, NO_MONEY_HELPS], None)


def _money_summary(problem: Problem) -> Phrase | None:
    """A first plain fact when the projects that must be funded cost more than all caps together."""
    must = sum(p.cost for p in problem.projects if not p.deferrable)
    total = sum(problem.budget.values())
    if must > total:
        return Phrase(
            "must_cost_more_than_caps",
            must=must,
            first_year=problem.first_year,
            last_year=problem.last_year,
            total=total,
        )
    return None


def infeasible_diagnostics(
    problem: Problem, elastic: SolveStatus, shortfall: dict[int, int] | None
) -> Diagnostics:
    """Diagnostics from the elastic solve's status and extra money per year."""
    phrases: list[Phrase] = []
    summary = _money_summary(problem)
    if summary:
        phrases.append(summary)
    if elastic == SolveStatus.INFEASIBLE:
        phrases.append(Phrase("rules_cannot_hold"))
        return Diagnostics.of(phrases, None)
    if not elastic.has_schedule or shortfall is None:
        phrases.append(Phrase("shortfall_not_worked_out"))
        return Diagnostics.of(phrases, None)
    total = sum(shortfall.values())
    per_year = tuple(
        Phrase("shortfall_year", year=year, amount=amount) for year, amount in sorted(shortfall.items())
    )
    key = "shortfall_least" if elastic == SolveStatus.OPTIMAL else "shortfall_enough"
    phrases.append(Phrase(key, total=total, per_year=per_year))
    return Diagnostics.of(phrases, dict(sorted(shortfall.items())))
