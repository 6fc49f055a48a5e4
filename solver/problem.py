"""The problem of MODEL.md as frozen dataclasses: validation on construction, JSON in and out.

Invalid input is the only thing the solver raises for, and it raises here, when the Problem is built:
each `Project` checks its own fields in `__post_init__`, and `Problem` checks what crosses projects
(ids, predecessors, cycles, budget years, fixed starts inside the horizon). The model builder never
re-checks input. Constraints that merely cannot all hold (a deadline before any possible end…) are not
errors: they make the problem INFEASIBLE, and diagnostics explain them.
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


@dataclass(frozen=True, slots=True)
class Problem:
    """A horizon first_year..last_year, an annual cap for every year, projects, and the carryover rule."""

    first_year: int
    last_year: int
    budget: Mapping[int, int]
    projects: tuple[Project, ...]
    carryover: bool = False
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
        self._check_cross_references()

    def _check_budget(self) -> None:
        if not isinstance(self.budget, Mapping):
            raise ProblemError(None, "budget", "must map each year to its cap")
        budget: dict[int, int] = {}
        for year, cap in self.budget.items():
            if not _is_int(year):
                raise ProblemError(None, "budget", f"year {year!r} is not a whole number")
            _check_int(None, f"budget[{year}]", cap, minimum=0)
            budget[year] = cap
        missing = [y for y in self.years if y not in budget]
        if missing:
            raise ProblemError(
                None, "budget", f"no cap for year {missing[0]} (every year of the horizon needs one)"
            )
        extra = sorted(y for y in budget if not self.first_year <= y <= self.last_year)
        if extra:
            raise ProblemError(
                None, "budget", f"year {extra[0]} is outside the horizon {self.first_year}-{self.last_year}"
            )
        object.__setattr__(self, "budget", dict(sorted(budget.items())))

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

    # JSON (MODEL.md form)
    @classmethod
    def from_json(cls, data: Any) -> Problem:
        """Build a Problem from MODEL.md's JSON; wrong types and missing fields raise ProblemError."""
        return problem_from_json(data)

    def to_json(self) -> dict[str, Any]:
        return {
            "first_year": self.first_year,
            "last_year": self.last_year,
            "budget": {str(year): cap for year, cap in self.budget.items()},
            "carryover": self.carryover,
            "projects": [_project_to_json(p) for p in self.projects],
        }


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
    return Project(**kwargs)


def problem_from_json(data: Any) -> Problem:
    """Problem.from_json: MODEL.md's problem JSON → Problem (validated)."""
    if not isinstance(data, Mapping):
        raise ProblemError(None, "problem", f"must be a JSON object, got {type(data).__name__}")
    first_year = _json_int(None, "first_year", _required(None, data, "first_year"))
    last_year = _json_int(None, "last_year", _required(None, data, "last_year"))
    raw_budget = _required(None, data, "budget")
    if not isinstance(raw_budget, Mapping):
        raise ProblemError(None, "budget", 'must be an object such as {"2024": 12000}')
    budget: dict[int, int] = {}
    for key, cap in raw_budget.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ProblemError(None, "budget", f"key {key!r} is not a year") from None
        if year in budget:
            raise ProblemError(None, "budget", f"year {year} is given twice")
        budget[year] = _json_int(None, f"budget[{key}]", cap)
    carryover = False
    if data.get("carryover") is not None:
        carryover = _json_bool(None, "carryover", data["carryover"])
    raw_projects = _required(None, data, "projects")
    if not isinstance(raw_projects, list | tuple):
        raise ProblemError(None, "projects", "must be a list of projects")
    projects = tuple(_project_from_json(p, i) for i, p in enumerate(raw_projects))
    return Problem(first_year, last_year, budget, projects, carryover)
