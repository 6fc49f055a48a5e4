"""Funding sources (资金来源) as the problem builder sees them: each source's quota in a scenario, and the
per-project rules that become MODEL.md v2 `funding` limits.

A rule names a source and either one project or one category (a category rule is a convenience: it
applies to every project of that category, and a project's own rule for the same source replaces it).
A rule either forbids the source (`allowed` false) or allows it within limits: an amount in 万元
(`min_wan`, `max_wan`; a fixed grant is min = max) or a share of the project's cost to schedule
(`min_percent`: a matching floor, 配套; `max_percent`: a cap such as "bonds up to 50 %").

Shares become whole 万元 as MODEL.md needs them (`share_bounds`): a floor rounds **up** (⌈p·cost/100⌉, so
a matching floor is never under-met) and a cap rounds **down** (⌊p·cost/100⌋, so a cap is never
exceeded); when no whole amount lies between a floor and a cap given as shares (the same share twice, say),
both become the share rounded to the nearest 万元 (halves up). The rest of a project's cost — beyond the
sum of its floors — may come from any source it is allowed, within that source's cap and quota, as the
solver finds best.

A project without any rule (own or by category) may draw on every source without limits: MODEL.md's
"absent". Pure: plain values in, solver dataclasses out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from app.i18n import Message
from solver.problem import Funding


class SourceKind(StrEnum):
    """The channel a source belongs to; the annual plan's by-source columns are read from it."""

    CENTRAL = "central"  # 中央预算内投资
    BOND = "bond"  # 专项债
    CITY = "city"  # 市级补助
    COUNTY = "county"  # 县级自筹
    SOCIAL = "social"  # 社会资金 (enterprises, donations)
    OTHER = "other"  # 其他


# Words a source file may give for its kind (compared after stripping and lower-casing).
KIND_ALIASES: dict[str, SourceKind] = {
    **{kind.value: kind for kind in SourceKind},
    "中央预算内投资": SourceKind.CENTRAL,
    "中央预算内": SourceKind.CENTRAL,
    "中央": SourceKind.CENTRAL,
    "专项债": SourceKind.BOND,
    "专项债券": SourceKind.BOND,
    "地方政府专项债券": SourceKind.BOND,
    "市级补助": SourceKind.CITY,
    "市级": SourceKind.CITY,
    "县级自筹": SourceKind.COUNTY,
    "县级": SourceKind.COUNTY,
    "自筹": SourceKind.COUNTY,
    "社会资金": SourceKind.SOCIAL,
    "社会": SourceKind.SOCIAL,
    "其他": SourceKind.OTHER,
}


class FundingRuleError(ValueError):
    """A rule that cannot hold (a floor above its cap, a share over 100 %): `field` and the reason."""

    def __init__(self, field: str, reason: Message) -> None:
        super().__init__(str(reason))
        self.field, self.reason = field, reason


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """A source as one scenario plans it: its id (the source's code), annual quota S_k,t and carryover."""

    code: str
    budget: Mapping[int, int]
    carryover: bool = False


@dataclass(frozen=True, slots=True)
class FundingRule:
    """What one source may give one project (`project` code) or every project of a `category`."""

    source: str
    project: str | None = None
    category: str | None = None
    allowed: bool = True
    min_wan: int | None = None
    max_wan: int | None = None
    min_percent: float | None = None
    max_percent: float | None = None

    def __post_init__(self) -> None:
        check_rule(self)

    @property
    def limited(self) -> bool:
        """Whether the rule sets any floor or cap."""
        return any(v is not None for v in (self.min_wan, self.max_wan, self.min_percent, self.max_percent))


def check_rule(rule: FundingRule) -> None:
    """FundingRuleError unless the rule makes sense on its own (whatever the project's cost)."""
    if (rule.project is None) == (rule.category is None):
        raise FundingRuleError("project", Message("rule_needs_one_scope"))
    if not rule.allowed and rule.limited:
        raise FundingRuleError("allowed", Message("rule_forbidden_with_limits"))
    if rule.min_wan is not None and rule.min_percent is not None:
        raise FundingRuleError("min_percent", Message("rule_floor_twice"))
    if rule.max_wan is not None and rule.max_percent is not None:
        raise FundingRuleError("max_percent", Message("rule_cap_twice"))
    for name in ("min_wan", "max_wan"):
        value = getattr(rule, name)
        if value is not None and value < 0:
            raise FundingRuleError(name, Message("rule_amount_negative", value=value))
    for name in ("min_percent", "max_percent"):
        value = getattr(rule, name)
        if value is not None and not 0 <= value <= 100:
            raise FundingRuleError(name, Message("rule_share_out_of_range", value=_pct(value)))
    if rule.min_wan is not None and rule.max_wan is not None and rule.min_wan > rule.max_wan:
        raise FundingRuleError(
            "min_wan", Message("rule_floor_over_cap", floor=rule.min_wan, cap=rule.max_wan)
        )
    if rule.min_percent is not None and rule.max_percent is not None and rule.min_percent > rule.max_percent:
        raise FundingRuleError(
            "min_percent",
            Message("rule_share_floor_over_cap", floor=_pct(rule.min_percent), cap=_pct(rule.max_percent)),
        )


def _pct(value: float) -> str:
    return f"{value:g}"


def _share(percent: float, cost: int) -> Fraction:
    """percent % of cost, exactly (20.5 % is 41/200, not a binary float)."""
    return Fraction(str(percent)) * cost / 100


def share_floor(percent: float, cost: int) -> int:
    """A floor given as a share, in whole 万元, rounded up: the floor is never under-met."""
    return math.ceil(_share(percent, cost))


def share_cap(percent: float, cost: int) -> int:
    """A cap given as a share, in whole 万元, rounded down: the cap is never exceeded."""
    return math.floor(_share(percent, cost))


def _nearest(percent: float, cost: int) -> int:
    return math.floor(_share(percent, cost) + Fraction(1, 2))


def share_bounds(rule: FundingRule, cost: int) -> tuple[int, int | None]:
    """The rule's (min, max) in whole 万元 for a project whose cost to schedule is `cost` (max None: no
    cap). A floor above its cap (e.g. a grant larger than a share cap) is a FundingRuleError."""
    low = rule.min_wan if rule.min_wan is not None else 0
    if rule.min_percent is not None:
        low = share_floor(rule.min_percent, cost)
    high = rule.max_wan
    if rule.max_percent is not None:
        high = share_cap(rule.max_percent, cost)
    if high is not None and low > high:
        if rule.min_percent is not None and rule.max_percent is not None:  # no whole amount between
            low = high = _nearest(rule.min_percent, cost)
        else:
            raise FundingRuleError("min_wan", Message("rule_floor_over_cap", floor=low, cap=high))
    return low, high


def rules_for(code: str, category: str, rules: Sequence[FundingRule]) -> dict[str, FundingRule]:
    """The rules that apply to one project, per source: its category's, replaced by its own."""
    applied: dict[str, FundingRule] = {}
    for rule in rules:
        if rule.category is not None and rule.category == category:
            applied[rule.source] = rule
    for rule in rules:
        if rule.project is not None and rule.project == code:
            applied[rule.source] = rule
    return applied


def project_funding(
    code: str, category: str, cost: int, sources: Sequence[str], rules: Sequence[FundingRule]
) -> tuple[Funding, ...] | None:
    """MODEL.md v2 `funding` of one project: every source not forbidden, with its limits in 万元; None
    (any source, no limits) when no rule forbids or limits anything for it."""
    applied = rules_for(code, category, rules)
    if not any(not r.allowed or r.limited for r in applied.values()):
        return None
    funding = []
    for source in sources:
        rule = applied.get(source)
        if rule is None:
            funding.append(Funding(source=source))
        elif rule.allowed:
            low, high = share_bounds(rule, cost)
            funding.append(Funding(source=source, min=low, max=high))
    return tuple(funding)
