"""The problem of MODEL.md as frozen dataclasses: validation on construction, JSON in and out.

Invalid input is the only thing the solver raises for, and it raises here, when the Problem is built:
each `Project` checks its own fields in `__post_init__`, and `Problem` checks what crosses projects
(ids, predecessors, cycles, budget years, fixed starts inside the horizon, and for v2 the funding
sources: unique ids, a cap for every year, funding naming known sources). The model builder never
re-checks input. Constraints that merely cannot all hold (a deadline before any possible end…) are not
errors: they make the problem INFEASIBLE, and diagnostics explain them — so are a project's funding
`min`s above its cost or its allowed sources' `max`s below it (MODEL.md v2: a structural impossibility,
reported by name in the diagnostics, not rejected here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ProblemError(ValueError):
    """Invalid input, naming the project (None for the problem itself) and the field, in plain words."""

    def __init__(self, project_id: str | None, field: str, message: str) -> None:
        self.project_id = project_id
        self.field = field
        self.message = message
        where = f"project {project_id!r}, field {field!r}" if project_id is not None else f"field {field!r}"
        super().__init__(f"{where}: {message}")


# Limits checked before any work, so a huge number is a ProblemError naming its field, never a model that
# OR-Tools refuses or overflows: every amount (cost, cap, draw, weight, penalty) at most MAX_AMOUNT, every
# year a calendar year, a horizon of at most MAX_HORIZON_YEARS, and sums over all projects (costs; weighted
# slippage at its worst) at most MAX_SUM, well inside CP-SAT's int64.
MAX_AMOUNT = 10**12
MIN_YEAR, MAX_YEAR = 1, 9999
MAX_HORIZON_YEARS = 200
MAX_SUM = 2**62
_YEAR_FIELDS = frozenset(
    {"first_year", "last_year", "planned_end", "earliest_start", "fixed_start", "deadline"}
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_int(pid: str | None, name: str, value: object, *, minimum: int | None = None) -> None:
    if not _is_int(value):
        raise ProblemError(pid, name, f"must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:  # type: ignore[operator]
        raise ProblemError(pid, name, f"must be at least {minimum}, got {value}")
    if name in _YEAR_FIELDS and not MIN_YEAR <= value <= MAX_YEAR:  # type: ignore[operator]
        raise ProblemError(pid, name, f"must be a year from {MIN_YEAR} to {MAX_YEAR}, got {value}")
    if value > MAX_AMOUNT:  # type: ignore[operator]
        raise ProblemError(pid, name, f"must be at most {MAX_AMOUNT:,} (the solver's limit), got {value}")


def _check_optional_int(pid: str | None, name: str, value: object, *, minimum: int | None = None) -> None:
    if value is not None:
        _check_int(pid, name, value, minimum=minimum)


def _check_caps(owner: str, budget: object) -> dict[int, int]:
    """A {year: cap} mapping of whole numbers ≥ 0 (years not yet checked against the horizon)."""
    if not isinstance(budget, Mapping):
        raise ProblemError(None, owner, "must map each year to its cap")
    caps: dict[int, int] = {}
    for year, cap in budget.items():
        if not _is_int(year):
            raise ProblemError(None, owner, f"year {year!r} is not a whole number")
        _check_int(None, f"{owner}[{year}]", cap, minimum=0)
        caps[year] = cap
    return dict(sorted(caps.items()))


@dataclass(frozen=True, slots=True)
class Source:
    """A funding source of MODEL.md v2 (资金来源): an annual cap S_{k,t} for every year of the horizon, and
    whether its unspent money stays available later (its own carryover)."""

    id: str
    budget: Mapping[int, int]
    carryover: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ProblemError(None, "sources.id", f"must be a non-empty text, got {self.id!r}")
        object.__setattr__(self, "budget", _check_caps(f"sources[{self.id}].budget", self.budget))
        if not isinstance(self.carryover, bool):
            raise ProblemError(
                None, f"sources[{self.id}].carryover", f"must be true or false, got {self.carryover!r}"
            )


@dataclass(frozen=True, slots=True)
class Funding:
    """One entry of a project's `funding` (MODEL.md v2): over the project's whole schedule it draws between
    `min` and `max` from `source` (max None: no limit but the cost)."""

    source: str
    min: int = 0
    max: int | None = None

    def __post_init__(self) -> None:
        _check_funding_rule(None, "funding", self.source, self.min, self.max)


def _check_funding_rule(pid: str | None, name: str, source: object, low: object, high: object) -> None:
    """Raise ProblemError naming the project and the field `name`.source/.min/.max when a rule is invalid."""
    if not isinstance(source, str) or not source.strip():
        raise ProblemError(pid, f"{name}.source", f"must name a source, got {source!r}")
    _check_int(pid, f"{name}.min", low, minimum=0)
    if high is not None:
        _check_int(pid, f"{name}.max", high, minimum=0)
        if low > high:  # type: ignore[operator]
            raise ProblemError(pid, f"{name}.min", f"min {low} is more than max {high} ({source})")


@dataclass(frozen=True, slots=True)
class Project:
    """One project of MODEL.md. A None field takes MODEL.md's default (see the `*_or_default` helpers)."""

    id: str
    cost: int
    planned_end: int
    earliest_start: int | None = None
    fixed_start: int | None = None
    min_years: int | None = None
    max_years: int | None = None
    min_annual: int | None = None
    max_annual: int | None = None
    profile: tuple[int, ...] | None = None
    deadline: int | None = None
    weight: int = 1
    after: tuple[str, ...] = ()
    deferrable: bool = False
    defer_penalty: int = 0
    funding: tuple[Funding, ...] | None = None  # MODEL.md v2; None: any source, no limits

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ProblemError(
                None if not isinstance(self.id, str) else self.id, "id", "must be a non-empty text"
            )
        pid = self.id
        _check_int(pid, "cost", self.cost, minimum=1)
        _check_int(pid, "planned_end", self.planned_end)
        for name in ("earliest_start", "fixed_start", "deadline"):
            _check_optional_int(pid, name, getattr(self, name))
        for name in ("min_years", "max_years", "min_annual", "max_annual"):
            _check_optional_int(pid, name, getattr(self, name), minimum=1)
        if self.min_years is not None and self.max_years is not None and self.min_years > self.max_years:
            raise ProblemError(
                pid, "min_years", f"min_years {self.min_years} is more than max_years {self.max_years}"
            )
        if self.min_annual is not None and self.max_annual is not None and self.min_annual > self.max_annual:
            raise ProblemError(
                pid, "min_annual", f"min_annual {self.min_annual} is more than max_annual {self.max_annual}"
            )
        _check_int(pid, "weight", self.weight, minimum=0)
        _check_int(pid, "defer_penalty", self.defer_penalty, minimum=0)
        if not isinstance(self.deferrable, bool):
            raise ProblemError(pid, "deferrable", f"must be true or false, got {self.deferrable!r}")
        self._check_profile()
        self._check_after()
        self._check_funding()

    def _check_funding(self) -> None:
        if self.funding is None:
            return
        if isinstance(self.funding, Funding | str) or not isinstance(self.funding, tuple | list):
            raise ProblemError(self.id, "funding", f"must be a list of funding rules, got {self.funding!r}")
        if isinstance(self.funding, list):
            object.__setattr__(self, "funding", tuple(self.funding))
        seen: set[str] = set()
        for k, rule in enumerate(self.funding):
            if not isinstance(rule, Funding):
                raise ProblemError(self.id, f"funding[{k}]", f"must be a funding rule, got {rule!r}")
            _check_funding_rule(self.id, f"funding[{k}]", rule.source, rule.min, rule.max)
            if rule.source in seen:
                raise ProblemError(self.id, f"funding[{k}].source", f"source {rule.source!r} is listed twice")
            seen.add(rule.source)

    def _check_profile(self) -> None:
        if self.profile is None:
            return
        if not isinstance(self.profile, tuple):
            object.__setattr__(self, "profile", tuple(self.profile))  # accept any sequence, store a tuple
        if not self.profile:
            raise ProblemError(self.id, "profile", "must list at least one year's draw")
        for k, draw in enumerate(self.profile):
            _check_int(self.id, f"profile[{k}]", draw, minimum=0)
        if sum(self.profile) != self.cost:
            raise ProblemError(
                self.id, "profile", f"draws sum to {sum(self.profile)} but the cost is {self.cost}"
            )

    def _check_after(self) -> None:
        if isinstance(self.after, str) or not isinstance(self.after, tuple | list):
            raise ProblemError(self.id, "after", f"must be a list of project ids, got {self.after!r}")
        if isinstance(self.after, list):
            object.__setattr__(self, "after", tuple(self.after))
        for pred in self.after:
            if not isinstance(pred, str) or not pred:
                raise ProblemError(self.id, "after", f"must list project ids (text), got {pred!r}")
            if pred == self.id:
                raise ProblemError(self.id, "after", "a project cannot come after itself")

    # MODEL.md defaults, resolved against the horizon.
    def min_years_or_default(self) -> int:
        return self.min_years if self.min_years is not None else 1

    def max_years_or_default(self, horizon_years: int) -> int:
        return self.max_years if self.max_years is not None else horizon_years

    def min_annual_or_default(self) -> int:
        return self.min_annual if self.min_annual is not None else 1

    def max_annual_or_default(self) -> int:
        return self.max_annual if self.max_annual is not None else self.cost

    def allowed_sources(self, sources: tuple[Source, ...]) -> tuple[str, ...]:
        """The ids of the sources that may fund this project, in the problem's order of sources."""
        if self.funding is None:
            return tuple(s.id for s in sources)
        listed = {rule.source for rule in self.funding}
        return tuple(s.id for s in sources if s.id in listed)

    def funding_limits(self, source: str) -> tuple[int, int]:
        """(least, most) this project draws from `source` over its schedule: 0..cost when not limited."""
        if self.funding is None:
            return 0, self.cost
        for rule in self.funding:
            if rule.source == source:
                return rule.min, self.cost if rule.max is None else min(rule.max, self.cost)
        return 0, 0


@dataclass(frozen=True, slots=True)
class Problem:
    """A horizon first_year..last_year, an annual cap for every year, projects, and the carryover rule."""

    first_year: int
    last_year: int
    budget: Mapping[int, int]
    projects: tuple[Project, ...]
    carryover: bool = False
    sources: tuple[Source, ...] = ()  # MODEL.md v2; empty: a v1 problem
    _by_id: dict[str, Project] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_int(None, "first_year", self.first_year)
        _check_int(None, "last_year", self.last_year)
        if self.last_year < self.first_year:
            raise ProblemError(
                None, "last_year", f"last_year {self.last_year} is before first_year {self.first_year}"
            )
        if self.last_year - self.first_year + 1 > MAX_HORIZON_YEARS:
            raise ProblemError(
                None,
                "last_year",
                f"the horizon may span at most {MAX_HORIZON_YEARS} years, got "
                f"{self.first_year}-{self.last_year}",
            )
        if not isinstance(self.carryover, bool):
            raise ProblemError(None, "carryover", f"must be true or false, got {self.carryover!r}")
        if not isinstance(self.projects, tuple):
            object.__setattr__(self, "projects", tuple(self.projects))
        self._check_budget()
        by_id: dict[str, Project] = {}
        for project in self.projects:
            if not isinstance(project, Project):
                raise ProblemError(None, "projects", f"must hold projects, got {project!r}")
            if project.id in by_id:
                raise ProblemError(project.id, "id", "the same id is used by two projects")
            by_id[project.id] = project
        object.__setattr__(self, "_by_id", by_id)
        self._check_sums()
        self._check_sources()
        self._check_cross_references()

    def _check_budget(self) -> None:
        budget = _check_caps("budget", self.budget)
        self._check_years("budget", budget)
        object.__setattr__(self, "budget", budget)

    def _check_years(self, name: str, caps: Mapping[int, int]) -> None:
        """A cap for every year of the horizon and none outside it."""
        missing = [y for y in self.years if y not in caps]
        if missing:
            raise ProblemError(
                None, name, f"no cap for year {missing[0]} (every year of the horizon needs one)"
            )
        extra = sorted(y for y in caps if not self.first_year <= y <= self.last_year)
        if extra:
            raise ProblemError(
                None, name, f"year {extra[0]} is outside the horizon {self.first_year}-{self.last_year}"
            )

    def _check_sources(self) -> None:
        """v2: sources with unique ids and a cap for every year; funding only naming them."""
        if isinstance(self.sources, Source) or not isinstance(self.sources, tuple | list):
            raise ProblemError(None, "sources", f"must be a list of sources, got {self.sources!r}")
        if isinstance(self.sources, list):
            object.__setattr__(self, "sources", tuple(self.sources))
        ids: set[str] = set()
        for source in self.sources:
            if not isinstance(source, Source):
                raise ProblemError(None, "sources", f"must hold sources, got {source!r}")
            if source.id in ids:
                raise ProblemError(None, "sources.id", f"the id {source.id!r} is used by two sources")
            ids.add(source.id)
            self._check_years(f"sources[{source.id}].budget", source.budget)
        for project in self.projects:
            if project.funding is None:
                continue
            if not self.sources:
                raise ProblemError(
                    project.id, "funding", "the problem has no sources: list them in `sources` first"
                )
            for k, rule in enumerate(project.funding):
                if rule.source not in ids:
                    raise ProblemError(
                        project.id, f"funding[{k}].source", f"{rule.source!r} is not a source of this problem"
                    )

    def _check_sums(self) -> None:
        """Sums the model builds over every project stay inside int64: the costs, and the weighted slippage
        at its worst (every project a whole horizon late, or deferred)."""
        if sum(p.cost for p in self.projects) > MAX_SUM:
            raise ProblemError(None, "cost", f"the projects' costs add up to more than {MAX_SUM:,}")
        worst = sum(
            p.weight * (self.last_year - min(p.planned_end, self.last_year) + 1) for p in self.projects
        )
        if worst + sum(p.defer_penalty for p in self.projects) > MAX_SUM:
            raise ProblemError(
                None,
                "weight",
                f"weights and defer penalties could make the weighted slippage exceed {MAX_SUM:,}",
            )

    def _check_cross_references(self) -> None:
        for project in self.projects:
            for pred in project.after:
                if pred not in self._by_id:
                    raise ProblemError(
                        project.id, "after", f"predecessor {pred!r} is not a project of this problem"
                    )
            if (
                project.fixed_start is not None
                and not self.first_year <= project.fixed_start <= self.last_year
            ):
                raise ProblemError(
                    project.id,
                    "fixed_start",
                    f"{project.fixed_start} is outside the horizon {self.first_year}-{self.last_year}",
                )
        cycle = self._find_cycle()
        if cycle:
            raise ProblemError(cycle[0], "after", "predecessors form a cycle: " + " → ".join(cycle))

    def _find_cycle(self) -> list[str] | None:
        """A cycle in the `after` relation as a list of ids (first repeated at the end), or None."""
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for root in self._by_id:
            if root in state:
                continue
            path: list[str] = []
            stack: list[tuple[str, int]] = [(root, 0)]
            while stack:
                node, i = stack.pop()
                if i == 0:
                    state[node] = 1
                    path.append(node)
                preds = self._by_id[node].after
                if i < len(preds):
                    stack.append((node, i + 1))
                    nxt = preds[i]
                    if state.get(nxt) == 1:
                        return [*path[path.index(nxt) :], nxt]
                    if nxt not in state:
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    path.pop()
        return None

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def horizon_years(self) -> int:
        return self.last_year - self.first_year + 1

    def project(self, project_id: str) -> Project:
        return self._by_id[project_id]

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    # JSON (MODEL.md form)
    @classmethod
    def from_json(cls, data: Any) -> Problem:
        """Build a Problem from MODEL.md's JSON; wrong types and missing fields raise ProblemError."""
        return problem_from_json(data)

    def to_json(self) -> dict[str, Any]:
        """MODEL.md's JSON; `sources` (and each project's `funding`) only when given, so v1 stays v1."""
        data: dict[str, Any] = {
            "first_year": self.first_year,
            "last_year": self.last_year,
            "budget": {str(year): cap for year, cap in self.budget.items()},
            "carryover": self.carryover,
            "projects": [_project_to_json(p) for p in self.projects],
        }
        if self.sources:
            data["sources"] = [
                {
                    "id": s.id,
                    "budget": {str(year): cap for year, cap in s.budget.items()},
                    "carryover": s.carryover,
                }
                for s in self.sources
            ]
        return data


_OPTIONAL_INT_FIELDS = (
    "earliest_start",
    "fixed_start",
    "min_years",
    "max_years",
    "min_annual",
    "max_annual",
    "deadline",
)


def _project_to_json(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = {"id": project.id, "cost": project.cost, "planned_end": project.planned_end}
    for name in _OPTIONAL_INT_FIELDS:
        data[name] = getattr(project, name)
    data["profile"] = list(project.profile) if project.profile is not None else None
    data["weight"] = project.weight
    data["after"] = list(project.after)
    data["deferrable"] = project.deferrable
    data["defer_penalty"] = project.defer_penalty
    if project.funding is not None:
        data["funding"] = [{"source": f.source, "min": f.min, "max": f.max} for f in project.funding]
    return data


def _json_int(pid: str | None, name: str, value: Any) -> int:
    """A JSON number that must be whole: ints pass, 3000.0 becomes 3000, anything else is an error."""
    if _is_int(value):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ProblemError(pid, name, f"must be a whole number, got {value!r}")


def _json_bool(pid: str | None, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(pid, name, f"must be true or false, got {value!r}")
    return value


def _required(pid: str | None, data: Mapping[str, Any], name: str) -> Any:
    if name not in data or data[name] is None:
        raise ProblemError(pid, name, "is required but missing")
    return data[name]


def _project_from_json(data: Any, index: int) -> Project:
    if not isinstance(data, Mapping):
        raise ProblemError(None, f"projects[{index}]", f"must be an object, got {data!r}")
    raw_id = _required(None, data, "id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ProblemError(None, f"projects[{index}].id", f"must be a non-empty text, got {raw_id!r}")
    pid = raw_id
    kwargs: dict[str, Any] = {
        "id": pid,
        "cost": _json_int(pid, "cost", _required(pid, data, "cost")),
        "planned_end": _json_int(pid, "planned_end", _required(pid, data, "planned_end")),
    }
    for name in _OPTIONAL_INT_FIELDS:
        if data.get(name) is not None:
            kwargs[name] = _json_int(pid, name, data[name])
    for name in ("weight", "defer_penalty"):
        if data.get(name) is not None:
            kwargs[name] = _json_int(pid, name, data[name])
    if data.get("deferrable") is not None:
        kwargs["deferrable"] = _json_bool(pid, "deferrable", data["deferrable"])
    if data.get("profile") is not None:
        profile = data["profile"]
        if not isinstance(profile, list | tuple):
            raise ProblemError(pid, "profile", f"must be a list of whole numbers, got {profile!r}")
        kwargs["profile"] = tuple(_json_int(pid, f"profile[{k}]", v) for k, v in enumerate(profile))
    if data.get("after") is not None:
        after = data["after"]
        if not isinstance(after, list | tuple):
            raise ProblemError(pid, "after", f"must be a list of project ids, got {after!r}")
        kwargs["after"] = tuple(after)
    if data.get("funding") is not None:
        kwargs["funding"] = _funding_from_json(pid, data["funding"])
    return Project(**kwargs)


def _funding_from_json(pid: str, raw: Any) -> tuple[Funding, ...]:
    if not isinstance(raw, list | tuple):
        raise ProblemError(
            pid, "funding", f'must be a list such as [{{"source": "central", "max": 3000}}], got {raw!r}'
        )
    rules = []
    for k, item in enumerate(raw):
        name = f"funding[{k}]"
        if not isinstance(item, Mapping):
            raise ProblemError(pid, name, f"must be an object with source, min and max, got {item!r}")
        unknown = sorted(set(item) - {"source", "min", "max"})
        if unknown:
            raise ProblemError(
                pid, f"{name}.{unknown[0]}", "is not a field of a funding rule (source, min, max)"
            )
        source = item.get("source")
        if source is None:
            raise ProblemError(pid, f"{name}.source", "is required but missing")
        low = 0 if item.get("min") is None else _json_int(pid, f"{name}.min", item["min"])
        high = None if item.get("max") is None else _json_int(pid, f"{name}.max", item["max"])
        _check_funding_rule(pid, name, source, low, high)  # with the project's id, before Funding checks
        rules.append(Funding(source, low, high))
    return tuple(rules)


def _source_from_json(data: Any, index: int) -> Source:
    if not isinstance(data, Mapping):
        raise ProblemError(None, f"sources[{index}]", f"must be an object, got {data!r}")
    raw_id = _required(None, data, "id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise ProblemError(None, f"sources[{index}].id", f"must be a non-empty text, got {raw_id!r}")
    budget = _budget_from_json(f"sources[{raw_id}].budget", _required(None, data, "budget"))
    carryover = False
    if data.get("carryover") is not None:
        carryover = _json_bool(None, f"sources[{raw_id}].carryover", data["carryover"])
    return Source(raw_id, budget, carryover)


def _budget_from_json(name: str, raw: Any) -> dict[int, int]:
    if not isinstance(raw, Mapping):
        raise ProblemError(None, name, 'must be an object such as {"2024": 12000}')
    budget: dict[int, int] = {}
    for key, cap in raw.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ProblemError(None, name, f"key {key!r} is not a year") from None
        if year in budget:
            raise ProblemError(None, name, f"year {year} is given twice")
        budget[year] = _json_int(None, f"{name}[{key}]", cap)
    return budget


def problem_from_json(data: Any) -> Problem:
    """Problem.from_json: MODEL.md's problem JSON → Problem (validated)."""
    if not isinstance(data, Mapping):
        raise ProblemError(None, "problem", f"must be a JSON object, got {type(data).__name__}")
    first_year = _json_int(None, "first_year", _required(None, data, "first_year"))
    last_year = _json_int(None, "last_year", _required(None, data, "last_year"))
    budget = _budget_from_json("budget", _required(None, data, "budget"))
    carryover = False
    if data.get("carryover") is not None:
        carryover = _json_bool(None, "carryover", data["carryover"])
    raw_projects = _required(None, data, "projects")
    if not isinstance(raw_projects, list | tuple):
        raise ProblemError(None, "projects", "must be a list of projects")
    projects = tuple(_project_from_json(p, i) for i, p in enumerate(raw_projects))
    sources: tuple[Source, ...] = ()
    if data.get("sources") is not None:
        raw_sources = data["sources"]
        if not isinstance(raw_sources, list | tuple):
            raise ProblemError(None, "sources", "must be a list of sources")
        sources = tuple(_source_from_json(s, i) for i, s in enumerate(raw_sources))
    return Problem(first_year, last_year, budget, projects, carryover, sources)
