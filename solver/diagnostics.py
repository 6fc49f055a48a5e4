"""Why a problem is infeasible, in words a finance officer understands.

Two sources: structural impossibilities found before search (solver/windows.py: a deadline before the
earliest possible end, a cost that cannot be drawn in the allowed years…), which no amount of money
fixes; and the elastic solve (solver/cpsat.py), which adds extra money e_t ≥ 0 to each year's cap and
minimises Σ e_t — its answer is the `shortfall`.
"""

from __future__ import annotations

from solver.problem import Problem
from solver.solution import Diagnostics, SolveStatus

# Every sentence the solver writes into Diagnostics.messages, as a named template: readers in another
# language (app/solver_messages.py) recognise a message by its template and re-word it from the values.
# Parameters named in NESTED_PARAMS hold a phrase made from one of the listed templates; those in
# LISTED_PARAMS hold items of one template joined with LIST_SEPARATOR.
MESSAGE_TEMPLATES: dict[str, str] = {
    # whole messages
    "project_cannot_be_scheduled": "{project}: {reason}",
    "no_money_helps": "No amount of money helps: the dates and rules of these projects cannot all hold.",
    "must_cost_more_than_caps": (
        "The projects that cannot be deferred cost {must} in total, but the caps of "
        "{first_year}-{last_year} add up to {total}."
    ),
    "rules_cannot_hold": (
        "No amount of money helps: the deadlines, fixed starts, durations and predecessor rules "
        "cannot all hold together."
    ),
    "shortfall_not_worked_out": "No schedule fits the caps; the least extra money could not be worked out in time.",
    "shortfall_least": (
        "No schedule fits the caps. At least {total} more in total is needed ({per_year}); no less will do."
    ),
    "shortfall_enough": (
        "No schedule fits the caps. {total} more in total ({per_year}) is enough; "
        "it was not proven to be the least in the time allowed."
    ),
    # why a project cannot be scheduled (solver/windows.py, Window.reason)
    "profile_too_long": (
        "its cash-flow profile lasts {years} years, longer than the horizon {first_year}-{last_year}"
    ),
    "cost_below_min_annual": "cost {cost} is less than its smallest annual draw {min_annual}",
    "cost_cannot_be_drawn": "cost {cost} cannot be drawn in at most {years} years at ≤ {max_annual} a year",
    "cost_cannot_last": "cost {cost} cannot last at least {min_years} years at ≥ {min_annual} a year",
    "longer_than_horizon": "it needs at least {years} years, more than the horizon",
    "predecessor_unschedulable": "its predecessor {predecessor} cannot be scheduled",
    "fixed_start_too_early": "its fixed start {fixed_start} is too early: {why_start}",
    "cannot_finish_by": "it cannot finish by {limit}: {why_start} and needs at least {years} years",
    "must_end_before_successor": (
        "it must end by {end_by} so that {successor} can start by {start_by}, but cannot end before {end_lo}"
    ),
    # the earliest start named inside a reason
    "start_not_before": "it cannot start before {start}",
    "start_after_predecessor": "its predecessor {predecessor} ends in {end} at the earliest",
    "start_fixed": "it starts in {start} (fixed)",
    # the last year named inside a reason
    "limit_deadline": "its deadline {deadline}",
    "limit_horizon": "the end of the horizon {last_year}",
    # one year of a shortfall
    "shortfall_year": "{year}: {amount}",
}

NESTED_PARAMS: dict[str, tuple[str, ...]] = {
    "reason": (
        "profile_too_long",
        "cost_below_min_annual",
        "cost_cannot_be_drawn",
        "cost_cannot_last",
        "longer_than_horizon",
        "predecessor_unschedulable",
        "fixed_start_too_early",
        "cannot_finish_by",
        "must_end_before_successor",
    ),
    "why_start": ("start_not_before", "start_after_predecessor", "start_fixed"),
    "limit": ("limit_deadline", "limit_horizon"),
}
LISTED_PARAMS: dict[str, str] = {"per_year": "shortfall_year"}
LIST_SEPARATOR = ", "
WHOLE_MESSAGES: tuple[str, ...] = (
    "project_cannot_be_scheduled",
    "no_money_helps",
    "must_cost_more_than_caps",
    "rules_cannot_hold",
    "shortfall_not_worked_out",
    "shortfall_least",
    "shortfall_enough",
)


def message(key: str, **params: object) -> str:
    """The English sentence (or phrase) of template `key` with its values filled in."""
    return MESSAGE_TEMPLATES[key].format(**params)


NO_MONEY_HELPS = message("no_money_helps")


def structural_diagnostics(messages: list[str]) -> Diagnostics:
    """Pre-search impossibilities: shortfall is None because money is not the cause."""
    return Diagnostics(messages=(*messages, NO_MONEY_HELPS), shortfall=None)


def _money_summary(problem: Problem) -> str | None:
    """A first plain fact when the projects that must be funded cost more than all caps together."""
    must = sum(p.cost for p in problem.projects if not p.deferrable)
    total = sum(problem.budget.values())
    if must > total:
        return message(
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
    messages: list[str] = []
    summary = _money_summary(problem)
    if summary:
        messages.append(summary)
    if elastic == SolveStatus.INFEASIBLE:
        messages.append(message("rules_cannot_hold"))
        return Diagnostics(tuple(messages), None)
    if not elastic.has_schedule or shortfall is None:
        messages.append(message("shortfall_not_worked_out"))
        return Diagnostics(tuple(messages), None)
    total = sum(shortfall.values())
    per_year = LIST_SEPARATOR.join(
        message("shortfall_year", year=year, amount=amount) for year, amount in sorted(shortfall.items())
    )
    key = "shortfall_least" if elastic == SolveStatus.OPTIMAL else "shortfall_enough"
    messages.append(message(key, total=total, per_year=per_year))
    return Diagnostics(tuple(messages), dict(sorted(shortfall.items())))
