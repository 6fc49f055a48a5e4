"""The solver's sentences as keys and values: what a reader in any language renders in its own words.

Every sentence of Diagnostics is a `Phrase`: a stable key of MESSAGE_TEMPLATES and its values, which may
themselves be phrases (a reason inside a sentence) or lists of phrases (the years of a shortfall).
`Phrase.text` is the English of MODEL.md; app/i18n renders the same key and values in Chinese, so no
sentence is ever parsed back from its English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Every sentence the solver writes into Diagnostics, as a named template. Values named in NESTED_PARAMS
# hold a phrase of one of the listed templates; those in LISTED_PARAMS hold phrases of one template,
# joined with LIST_SEPARATOR in English.
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
    # v2 (funding sources): the least extra money with every source cap elastic too
    "must_cost_more_than_sources": (
        "The projects that cannot be deferred cost {must} in total, but the funding sources' caps of "
        "{first_year}-{last_year} add up to {total}."
    ),
    "source_mins_above_quota": (
        "The projects that cannot be deferred must draw at least {mins} from {source}, but its caps of "
        "{first_year}-{last_year} add up to {total}."
    ),
    "shortfall_sources_least": (
        "No schedule fits the caps. At least {total} more is needed, counting the total caps and the "
        "sources' caps together; no less will do."
    ),
    "shortfall_sources_enough": (
        "No schedule fits the caps. {total} more, counting the total caps and the sources' caps together, "
        "is enough; it was not proven to be the least in the time allowed."
    ),
    "shortfall_on_total_caps": "On the total caps: {per_year}.",
    "shortfall_on_sources": "On the sources' caps: {per_source}.",
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
    # v2: why a project's funding rules rule it out (no money helps)
    "funding_no_source": "its funding list names no source, so nothing may fund it",
    "funding_mins_exceed_cost": "its funding minimums add up to {mins}, more than its cost {cost}",
    "funding_maxes_below_cost": "its funding maximums add up to {maxes}, less than its cost {cost}",
    # v2: why the sources' caps rule it out (more money on a source helps)
    "source_quota_below_min": (
        "it must draw at least {least} from {source}, but {source} can give at most {quota} in "
        "{first_year}-{last_year}, the years it can be funded in"
    ),
    "sources_quota_below_cost": (
        "its cost is {cost}, but the sources allowed to fund it can give at most {quota} in "
        "{first_year}-{last_year}, the years it can be funded in"
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
    # v2: one source and year of a shortfall
    "source_shortfall_year": "{source} {year}: {amount}",
    # a project the MIP's pattern leaves out (never shown: the schedule lists it as deferred)
    "deferred_by_mip": "deferred by the MIP's pattern",
    # a project the money-flow LP defers whole, held deferred (never shown, like the one above)
    "deferred_by_lp": "deferred by the money-flow LP",
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
        "funding_no_source",
        "funding_mins_exceed_cost",
        "funding_maxes_below_cost",
        "source_quota_below_min",
        "sources_quota_below_cost",
    ),
    "why_start": ("start_not_before", "start_after_predecessor", "start_fixed"),
    "limit": ("limit_deadline", "limit_horizon"),
}
LISTED_PARAMS: dict[str, str] = {"per_year": "shortfall_year", "per_source": "source_shortfall_year"}
LIST_SEPARATOR = ", "
WHOLE_MESSAGES: tuple[str, ...] = (
    "project_cannot_be_scheduled",
    "no_money_helps",
    "must_cost_more_than_caps",
    "rules_cannot_hold",
    "shortfall_not_worked_out",
    "shortfall_least",
    "shortfall_enough",
    "must_cost_more_than_sources",
    "source_mins_above_quota",
    "shortfall_sources_least",
    "shortfall_sources_enough",
    "shortfall_on_total_caps",
    "shortfall_on_sources",
)
# Values that are amounts of money (a reader may group their digits); the others are years, ids or counts.
MONEY_PARAMS = frozenset(
    {"must", "total", "cost", "amount", "min_annual", "max_annual", "mins", "maxes", "least", "quota"}
)


@dataclass(frozen=True, slots=True, init=False)
class Phrase:
    """A sentence (or part of one) of the solver's diagnostics: a key of MESSAGE_TEMPLATES and its values.

    Values are whole numbers, ids (text), nested phrases, or tuples of phrases (a list)."""

    key: str
    params: tuple[tuple[str, Value], ...]

    def __init__(self, key: str, /, **params: Value) -> None:
        if key not in MESSAGE_TEMPLATES:
            raise KeyError(f"no solver message {key!r}")
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(params.items()))

    @property
    def text(self) -> str:
        """The English sentence of MODEL.md."""
        return MESSAGE_TEMPLATES[self.key].format(**{name: _english(v) for name, v in self.params})

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        """{"key": …, "params": {…}} with nested phrases as objects and lists of phrases as arrays."""
        return {"key": self.key, "params": {name: _value_json(v) for name, v in self.params}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        """The Phrase `to_json` wrote; ValueError when it is not one (an unknown key included)."""
        try:
            params = {name: _value_from_json(v) for name, v in data["params"].items()}
            return cls(data["key"], **params)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a solver message: {exc!r}") from exc


Value = int | str | Phrase | tuple[Phrase, ...]


def _english(value: Value) -> str:
    if isinstance(value, Phrase):
        return value.text
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(_english(item) for item in value)
    return str(value)


def _value_json(value: Value) -> Any:
    if isinstance(value, Phrase):
        return value.to_json()
    if isinstance(value, tuple):
        return [_value_json(item) for item in value]
    return value


def _value_from_json(value: Any) -> Value:
    if isinstance(value, Mapping):
        return Phrase.from_json(value)
    if isinstance(value, list):
        return tuple(Phrase.from_json(item) for item in value)
    return value
