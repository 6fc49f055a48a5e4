"""Why a problem is infeasible, in words a finance officer understands — and as keys other languages use.

Two sources: structural impossibilities found before search (solver/windows.py: a deadline before the
earliest possible end, a cost that cannot be drawn in the allowed years…), which no amount of money
fixes; and the elastic solve (solver/cpsat.py), which adds extra money e_t ≥ 0 to each year's cap and
minimises Σ e_t — its answer is the `shortfall`.

v2 (funding sources): the elastic solve also adds extra money to every source's cap and minimises the sum
of all the extra amounts; `shortfall` is its part on the total caps, `source_shortfall` its part on each
source. Impossibilities more money on a source would fix (solver/windows.py `quota_messages`) are put
first, before the shortfall that fixes them.

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


def _sources_summary(problem: Problem) -> Phrase | None:
    """v2: the same fact for all sources' caps together."""
    if not problem.sources:
        return None
    must = sum(p.cost for p in problem.projects if not p.deferrable)
    total = sum(sum(s.budget.values()) for s in problem.sources)
    if must > total:
        return Phrase(
            "must_cost_more_than_sources",
            must=must,
            first_year=problem.first_year,
            last_year=problem.last_year,
            total=total,
        )
    return None


def infeasible_diagnostics(
    problem: Problem,
    elastic: SolveStatus,
    shortfall: dict[int, int] | None,
    source_shortfall: dict[str, dict[int, int]] | None = None,
    reasons: list[Phrase] | None = None,
) -> Diagnostics:
    """Diagnostics from the elastic solve's status and extra money per year (and, v2, per source and year),
    after the `reasons` found before search."""
    phrases: list[Phrase] = list(reasons or ())
    for summary in (_money_summary(problem), _sources_summary(problem)):
        if summary:
            phrases.append(summary)
    if problem.sources:
        return _with_sources(phrases, elastic, shortfall, source_shortfall)
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


def _with_sources(
    phrases: list[Phrase],
    elastic: SolveStatus,
    shortfall: dict[int, int] | None,
    source_shortfall: dict[str, dict[int, int]] | None,
) -> Diagnostics:
    """v2: the least sum of extra money on the total caps and the sources' caps, then each part."""
    if elastic == SolveStatus.INFEASIBLE:
        phrases.append(Phrase("rules_cannot_hold"))
        return Diagnostics.of(phrases, None)
    if not elastic.has_schedule or shortfall is None or source_shortfall is None:
        phrases.append(Phrase("shortfall_not_worked_out"))
        return Diagnostics.of(phrases, None)
    total = sum(shortfall.values()) + sum(sum(years.values()) for years in source_shortfall.values())
    key = "shortfall_sources_least" if elastic == SolveStatus.OPTIMAL else "shortfall_sources_enough"
    phrases.append(Phrase(key, total=total))
    if shortfall:
        per_year = tuple(Phrase("shortfall_year", year=t, amount=v) for t, v in sorted(shortfall.items()))
        phrases.append(Phrase("shortfall_on_total_caps", per_year=per_year))
    per_source = tuple(
        Phrase("source_shortfall_year", source=k, year=t, amount=v)
        for k, years in source_shortfall.items()
        for t, v in sorted(years.items())
    )
    if per_source:
        phrases.append(Phrase("shortfall_on_sources", per_source=per_source))
    return Diagnostics.of(phrases, dict(sorted(shortfall.items())), source_shortfall)
