"""Cost overruns: the assumed distribution of each project's cost multiplier, drawn reproducibly per sample.

These are **assumptions**, not data of any county: the default is the reference class of Flyvbjerg et al.
(reference class forecasting) — about three in four building projects overrun and the mean overrun is in
the 20–30 % range — written as a lognormal cost multiplier M = actual / estimated cost with
P(M > 1) = 75 % and E[M] = 1.25 (so ln M ~ Normal(0.185, 0.275²): median 1.20, 1 in 10 above 1.71). A
finance office replaces them per category or nature (新建, 续建…) with its own reference class.

Within a category overruns move together (the same contractors, materials and market): ln M of every
project of a category shares one standard-normal factor with weight √ρ (ρ = 0.5 by default, also an
assumption), the rest √(1−ρ) its own; each project's M keeps its lognormal marginal.

With funding sources (MODEL.md v2) a sample's project keeps its sources: a limit the portfolio's rules set as
a share of the cost (专项债 up to 60 %, 配套 at least 20 %) follows the new cost; a limit set as an amount (a
fixed grant, a cap in 万元) stays — the other sources pay the overrun, or nobody can; a saving that takes the
cost below the fixed amounts cuts those floors pro rata (no source gives more than the project costs). A
problem.json without the rules has amounts only: they stay.

Sample k of seed s draws from numpy's SeedSequence(s, spawn_key=(k,)) — the k-th child of SeedSequence(s)
— so a sample's multipliers depend only on (s, k), never on which worker draws it or in what order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Any

import numpy as np

from app.i18n import Message
from app.rules.funding import FundingRule, FundingRuleError, share_bounds
from solver import Funding, Problem, Project

ALL_PROJECTS = "*"  # the one correlation group of a problem without categories (a problem.json)
MAX_SEED = 2**63 - 1

BASIS = (
    "Flyvbjerg, Holm & Buhl (2002), 'Underestimating Costs in Public Works Projects: Error or Lie?', "
    "J. Am. Planning Assoc. 68(3); Flyvbjerg (2006), 'From Nobel Prize to Project Management: Getting "
    "Risks Right', Project Management J. 37(3) (reference class forecasting): about 3 in 4 building "
    "projects overrun, mean overrun 20–30 %. Correlation within a category: assumed."
)


class OverrunError(ValueError):
    """An overrun assumption that cannot be used; the message names the field and why."""


@dataclass(frozen=True, slots=True)
class Overrun:
    """The cost multiplier of a group of projects: ln M ~ Normal(mu, sigma²), a share `correlation` of its
    variance common to the category. sigma 0 and mu 0: no overrun (M = 1 exactly)."""

    mu: float
    sigma: float
    correlation: float = 0.5

    def __post_init__(self) -> None:
        for name in ("mu", "sigma", "correlation"):
            if not math.isfinite(getattr(self, name)):
                raise OverrunError(f"{name} must be a number")
        if self.sigma < 0:
            raise OverrunError(f"sigma must be at least 0, got {self.sigma}")
        if not 0 <= self.correlation <= 1:
            raise OverrunError(f"correlation must be between 0 and 1, got {self.correlation}")
        if abs(self.mu) > 3 or self.sigma > 3:
            raise OverrunError("the multiplier's ln must have |mu| ≤ 3 and sigma ≤ 3 (costs × 20 at most)")

    @classmethod
    def from_share_mean(cls, share_over: float, mean: float, correlation: float = 0.5) -> Overrun:
        """The lognormal with P(M > 1) = share_over and E[M] = 1 + mean; share 0 and mean 0 is no overrun."""
        for name, value in (("share_over", share_over), ("mean", mean), ("correlation", correlation)):
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise OverrunError(f"{name} must be a number, got {value!r}")
        if share_over == 0 and mean == 0:
            return cls(0.0, 0.0, correlation)
        if not 0 < share_over < 1:
            raise OverrunError(
                f"share_over (the share of projects that overrun) must be more than 0 and less than 1, got "
                f"{share_over} (0 together with mean 0 means no overrun)"
            )
        if mean <= -1:
            raise OverrunError(f"mean (the mean overrun) must be more than −1 (−100 %), got {mean}")
        z = NormalDist().inv_cdf(share_over)
        # E[M] = exp(mu + sigma²/2) with mu = z·sigma: sigma²/2 + z·sigma − ln(1 + mean) = 0
        disc = z * z + 2 * math.log1p(mean)
        sigma = -z + math.sqrt(disc) if disc >= 0 else -1.0
        if sigma <= 0:
            lowest = math.expm1(-z * z / 2)
            raise OverrunError(
                f"no lognormal has {share_over:.0%} of projects over their cost and a mean overrun of "
                f"{mean:.0%}: with that share the mean must be more than {max(lowest, 0):.1%}"
            )
        return cls(z * sigma, sigma, correlation)

    @property
    def none(self) -> bool:
        return self.sigma == 0 and self.mu == 0

    @property
    def share_over(self) -> float:
        """P(M > 1)."""
        if self.sigma == 0:
            return 1.0 if self.mu > 0 else 0.0
        return 1 - NormalDist().cdf(-self.mu / self.sigma)

    @property
    def mean(self) -> float:
        """E[M] − 1, the mean overrun."""
        return math.exp(self.mu + self.sigma**2 / 2) - 1

    def quantile(self, p: float) -> float:
        """The multiplier's p-quantile."""
        if self.sigma == 0:
            return math.exp(self.mu)
        return math.exp(self.mu + self.sigma * NormalDist().inv_cdf(p))

    def shifted(self, by: float) -> Overrun:
        """The same spread with ln M moved right by `by` (every sample's multipliers × e^by)."""
        return replace(self, mu=self.mu + by)

    def to_json(self) -> dict[str, Any]:
        return {
            "share_over": round(self.share_over, 4),
            "mean": round(self.mean, 4),
            "correlation": self.correlation,
            "mu": self.mu,
            "sigma": self.sigma,
            "median": round(self.quantile(0.5), 4),
            "p90": round(self.quantile(0.9), 4),
        }


DEFAULT_OVERRUN = Overrun.from_share_mean(0.75, 0.25, 0.5)


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Which overrun applies to a project: its category's if given, else its nature's, else the default."""

    default: Overrun = DEFAULT_OVERRUN
    categories: Mapping[str, Overrun] = field(default_factory=dict)
    natures: Mapping[str, Overrun] = field(default_factory=dict)

    def of(self, category: str | None, nature: str | None) -> Overrun:
        if category is not None and category in self.categories:
            return self.categories[category]
        if nature is not None and nature in self.natures:
            return self.natures[nature]
        return self.default

    @property
    def none(self) -> bool:
        return all(o.none for o in (self.default, *self.categories.values(), *self.natures.values()))

    def to_json(self) -> dict[str, Any]:
        """The assumptions as shown everywhere: each distribution's figures and the basis of the default."""
        return {
            "assumption": True,
            "distribution": "lognormal cost multiplier",
            "default": self.default.to_json(),
            "categories": {k: v.to_json() for k, v in sorted(self.categories.items())},
            "natures": {k: v.to_json() for k, v in sorted(self.natures.items())},
            "basis": BASIS if self.default == DEFAULT_OVERRUN else "given by the user",
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Assumptions:
        """From the API's / a stored job's form: {default: {share_over, mean, correlation} | {mu, sigma, …},
        categories: {name: …}, natures: {name: …}}; absent parts take the default (OverrunError)."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise OverrunError("overrun must be an object with default, categories and natures")
        unknown = sorted(
            set(data) - {"default", "categories", "natures", "assumption", "distribution", "basis"}
        )
        if unknown:
            raise OverrunError(f"overrun: unknown field {unknown[0]!r}; use default, categories, natures")
        default = _overrun_from_json(data["default"], "default") if data.get("default") else DEFAULT_OVERRUN
        groups = {}
        for part in ("categories", "natures"):
            given = data.get(part) or {}
            if not isinstance(given, Mapping):
                raise OverrunError(f"overrun.{part} must map a name to its overrun")
            groups[part] = {str(k): _overrun_from_json(v, f"{part}.{k}") for k, v in given.items()}
        return cls(default, groups["categories"], groups["natures"])


def describe_assumptions(assumptions: Mapping[str, Any]) -> Message:
    """The stored assumptions (`Assumptions.to_json()`) in words, labelled as assumptions, with their basis:
    the reference class for the default, "set by the user" for anything else."""
    default = assumptions.get("default", {})
    values = {
        "share": f"{default.get('share_over', 0):.0%}",
        "mean": f"{default.get('mean', 0):.0%}",
        "corr": f"{default.get('correlation', 0):g}",
    }
    others = len(assumptions.get("categories", {})) + len(assumptions.get("natures", {}))
    more = Message("risk_assumption_more", n=others) if others else ""
    if assumptions.get("basis") == BASIS:
        return Message("risk_assumption_note", **values, more=more)
    return Message("risk_assumption_user", **values, more=more)


def _overrun_from_json(data: Any, where: str) -> Overrun:
    if not isinstance(data, Mapping):
        raise OverrunError(f"overrun.{where} must be an object such as {{share_over: 0.75, mean: 0.25}}")
    try:
        correlation = float(data.get("correlation", 0.5))
        if "mu" in data or "sigma" in data:
            return Overrun(float(data.get("mu", 0.0)), float(data.get("sigma", 0.0)), correlation)
        if "share_over" not in data or "mean" not in data:
            raise OverrunError("needs share_over and mean (e.g. 0.75 and 0.25)")
        return Overrun.from_share_mean(float(data["share_over"]), float(data["mean"]), correlation)
    except OverrunError as err:
        raise OverrunError(f"overrun.{where} {err}") from None
    except (TypeError, ValueError):
        raise OverrunError(f"overrun.{where}: share_over, mean and correlation must be numbers") from None


def parse_overrun_spec(
    specs: Sequence[str], categories: Sequence[str], natures: Sequence[str]
) -> Assumptions:
    """The CLI's `--overrun` options: `none`, or KEY=SHARE,MEAN[,CORRELATION] with KEY `default`, a
    category or a nature of the list (e.g. `default=75%,25%` `学前教育=80%,30%,0.6` `续建=60%,15%`)."""
    default, by_category, by_nature = DEFAULT_OVERRUN, {}, {}
    for spec in specs:
        text = spec.strip()
        if text.lower() == "none":
            default = Overrun(0.0, 0.0)
            continue
        key, sep, figures = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise OverrunError(
                f"--overrun {spec!r}: expected KEY=SHARE,MEAN[,CORRELATION], e.g. default=75%,25%, or none"
            )
        parts = [p.strip() for p in figures.split(",")]
        if len(parts) not in (2, 3):
            raise OverrunError(f"--overrun {spec!r}: give SHARE,MEAN or SHARE,MEAN,CORRELATION")
        try:
            values = [_number(p) for p in parts]
            overrun = Overrun.from_share_mean(*values)
        except OverrunError as err:
            raise OverrunError(f"--overrun {spec!r}: {err}") from None
        if key == "default":
            default = overrun
        elif key in categories:
            by_category[key] = overrun
        elif key in natures:
            by_nature[key] = overrun
        else:
            known = ", ".join(["default", *sorted(set(categories)), *sorted(set(natures))])
            raise OverrunError(
                f"--overrun {spec!r}: {key!r} is no category or nature of the list; use {known}"
            )
    return Assumptions(default, by_category, by_nature)


def _number(text: str) -> float:
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise OverrunError(f"{text!r} is not a number (write 75% or 0.75)") from None


# ── per project, per sample ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class ProjectOverruns:
    """Each project's distribution and correlation group, in a fixed order (sorted ids) — what a sample
    needs, compiled once from the assumptions and the projects' categories and natures."""

    ids: tuple[str, ...]
    groups: tuple[str, ...]  # the category (correlation group) of each id
    overruns: tuple[Overrun, ...]
    funding_rules: Mapping[str, Mapping[str, FundingRule]] = field(default_factory=dict)  # id → source → rule

    @classmethod
    def compile(
        cls,
        problem: Problem,
        assumptions: Assumptions,
        categories: Mapping[str, str] | None = None,
        natures: Mapping[str, str | None] | None = None,
        funding_rules: Mapping[str, Mapping[str, FundingRule]] | None = None,
    ) -> ProjectOverruns:
        """`categories` / `natures`: project id → its category / nature (a problem.json has none: one
        group, the default overrun); `funding_rules`: project id → source → the rule that sets its limits
        (module docstring; none: the problem's amounts stay)."""
        categories = categories or {}
        natures = natures or {}
        ids = tuple(sorted(p.id for p in problem.projects))
        groups = tuple(categories.get(i, ALL_PROJECTS) for i in ids)
        overruns = tuple(assumptions.of(categories.get(i), natures.get(i)) for i in ids)
        return cls(ids, groups, overruns, dict(funding_rules or {}))

    def sample(self, problem: Problem, seed: int, index: int) -> Problem:
        """The problem of sample `index` of `seed`."""
        return overrun_problem(problem, self.multipliers(seed, index), self.funding_rules)

    def multipliers(self, seed: int, index: int) -> dict[str, float]:
        """Sample `index` of `seed`: each project's cost multiplier."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
        names = sorted(set(self.groups))
        common = dict(zip(names, rng.standard_normal(len(names)), strict=True))
        own = rng.standard_normal(len(self.ids))
        out = {}
        for k, (pid, group, o) in enumerate(zip(self.ids, self.groups, self.overruns, strict=True)):
            if o.none:
                out[pid] = 1.0
                continue
            z = math.sqrt(o.correlation) * common[group] + math.sqrt(1 - o.correlation) * own[k]
            out[pid] = math.exp(o.mu + o.sigma * z)
        return out


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise OverrunError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


def _scaled(value: int, m: float) -> int:
    return max(1, math.floor(value * m + 0.5))


FundingRules = Mapping[str, Mapping[str, FundingRule]]  # project id → source → the rule setting its limits
_RULE_FIELDS = ("min_wan", "max_wan", "min_percent", "max_percent")


def funding_rules_json(rules: FundingRules) -> dict[str, dict[str, dict[str, Any]]]:
    """The rules as JSON (what a risk job stores): only the limits, per project and source."""
    return {
        pid: {k: {f: getattr(r, f) for f in _RULE_FIELDS} for k, r in by_source.items() if r.allowed}
        for pid, by_source in rules.items()
    }


def funding_rules_from_json(data: Mapping[str, Any] | None) -> dict[str, dict[str, FundingRule]]:
    """`funding_rules_json`'s rules again."""
    return {
        pid: {k: FundingRule(source=k, project=pid, **limits) for k, limits in by_source.items()}
        for pid, by_source in (data or {}).items()
    }


def overrun_project(project: Project, m: float, rules: Mapping[str, FundingRule] | None = None) -> Project:
    """The project with its cost × m (whole 万元, at least 1): the office re-plans it at the new cost, the
    site's pace in years unchanged — annual draws bounds and a cash-flow profile scale with the cost; its
    funding limits as the module docstring says (`rules`: source → the rule that set its limits)."""
    if m == 1.0:
        return project
    cost = _scaled(project.cost, m)
    min_annual = None if project.min_annual is None else max(1, math.floor(project.min_annual * m))
    max_annual = None if project.max_annual is None else max(1, math.ceil(project.max_annual * m))
    profile = None
    if project.profile is not None:  # scaled on the running total, so the draws still sum to the cost
        running, drawn, scaled = 0, 0, []
        for draw in project.profile:
            running += draw
            target = math.floor(running * cost / project.cost + 0.5)
            scaled.append(target - drawn)
            drawn = target
        profile = tuple(scaled)
    funding = project.funding
    if funding is not None:
        funding = _funding_at(funding, cost, rules or {})
    return replace(
        project, cost=cost, min_annual=min_annual, max_annual=max_annual, profile=profile, funding=funding
    )


def _funding_at(
    funding: Sequence[Funding], cost: int, rules: Mapping[str, FundingRule]
) -> tuple[Funding, ...]:
    """A project's funding limits at its sample's `cost`: a share follows the cost, an amount stays; floors
    above the cost together are cut pro rata (rounded down) so that they fit it."""
    limits = []
    for f in funding:
        rule = rules.get(f.source)
        low, high = f.min, f.max
        if rule is not None:
            try:
                low, high = share_bounds(rule, cost)
            except FundingRuleError:  # a share floor grown above an amount cap: the cap is all it may give
                low = high = rule.max_wan if rule.max_wan is not None else f.max
        limits.append((f.source, low, high))
    floors = sum(low for _, low, _ in limits)
    if floors > cost:
        limits = [(k, low * cost // floors, high) for k, low, high in limits]
    return tuple(Funding(source=k, min=low, max=high) for k, low, high in limits)


def overrun_problem(
    problem: Problem,
    multipliers: Mapping[str, float],
    funding_rules: Mapping[str, Mapping[str, FundingRule]] | None = None,
) -> Problem:
    """The problem with each project's cost multiplied (MODEL.md's cost is what is still to fund, so the
    overrun applies to that), its funding limits following (`funding_rules`: id → source → rule)."""
    rules = funding_rules or {}
    projects = tuple(
        overrun_project(p, multipliers.get(p.id, 1.0), rules.get(p.id)) for p in problem.projects
    )
    return replace(problem, projects=projects)
