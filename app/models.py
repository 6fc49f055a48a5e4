"""Database tables and their API schemas, one family per entity (full-stack FastAPI template shape).

`XBase` holds the fields a person sets, `XCreate` / `XUpdate` are request bodies, `X(table=True)` is the
row, `XPublic` is what the API returns (rows are never returned directly). Money is in 万元 (`_wan`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.errors import InvalidInput
from app.i18n import Field as Column
from app.i18n import Listing, Message
from app.roles import Role
from app.rules.funding import KIND_ALIASES, SourceKind
from app.rules.least_budget import Rule as LeastBudgetRule
from app.rules.limits import (
    FIRST_YEAR,
    INT32_MAX,
    LAST_YEAR,
    MAX_AREA,
    MAX_HORIZON_YEARS,
    MAX_PROJECTS,
    MAX_RISK_SAMPLES,
    MAX_SEATS,
    MAX_TIME_LIMIT,
    MAX_WAN,
    OVERRIDE_INT_RANGES,
    PROJECT_TEXT_LENGTHS,
)
from app.rules.portfolio import ESTIMATE_PREFIX
from app.rules.problem import PLAN_PERIOD_END
from app.rules.seats import DEFAULT_SEATS, Objective


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp with its time zone on every database: PostgreSQL keeps it, SQLite drops it, so a value
    is written as UTC and one read back without a zone is the UTC it was written in (the API then always
    says "+00:00"; the page showed naive UTC as the reader's local time)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _when(**kw: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kw)


# SQLite: a deleted row's id is never given again (AUTOINCREMENT), so the audit trail's entity ids name one
# thing for ever (PostgreSQL's sequences never reuse ids); migration 0009
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def _json(*, nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_column=sa.Column(sa.JSON, nullable=nullable), **kw)


def _control_character(value: Any) -> str | None:
    """The first control character (TAB, CR and LF aside) in a text, or in a list's or mapping's texts."""
    if isinstance(value, str):
        return next((ch for ch in value if (ch < " " and ch not in "\t\r\n") or ch == "\x7f"), None)
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    return next((bad for bad in map(_control_character, items) if bad is not None), None)


class Checked(SQLModel):
    """A request body: no text anywhere in it may hold a control character (PostgreSQL refuses NUL, an XLSX
    export any of them), refused with 422 naming the field (README "Limits")."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        bad = _control_character(value)
        if bad is not None:
            raise PydanticCustomError(
                "control_character", "holds the control character {char}", {"char": f"U+{ord(bad):04X}"}
            )
        return value


# Field ranges of README "Limits" (app/rules/limits.py), shared by the schemas below
def _money(**kw: Any) -> Any:
    return Field(ge=0, le=MAX_WAN, **kw)


def _area() -> Any:
    return Field(default=None, ge=0, le=MAX_AREA)


def _year(**kw: Any) -> Any:
    return Field(ge=FIRST_YEAR, le=LAST_YEAR, **kw)


def _seconds(**kw: Any) -> Any:
    return Field(default=None, gt=0, le=MAX_TIME_LIMIT, **kw)


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


# ---------------------------------------------------------------- portfolio


class PortfolioBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class PortfolioCreate(PortfolioBase, Checked):
    pass


class PortfolioUpdate(Checked):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    status_date: date | None = Field(
        default=None, description="actuals may be recorded up to this day's year"
    )


class Portfolio(PortfolioBase, table=True):
    __tablename__ = "portfolio"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = _when(default_factory=utcnow)
    # actuals may be recorded up to this day's year; None: today (set by finance)
    status_date: date | None = Field(default=None, sa_type=sa.Date)


class PortfolioPublic(PortfolioBase):
    id: int
    created_at: datetime
    project_count: int
    status_date: date | None = None
    active_runs: int = Field(
        default=0, description="runs and jobs queued or running (a delete waits for them)"
    )


# ---------------------------------------------------------------- project (columns of data/projects.csv)


class ProjectBase(SQLModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=300)
    category: str = Field(min_length=1, max_length=100)
    location: str | None = Field(default=None, max_length=300)
    nature: str | None = Field(default=None, max_length=100)
    floor_area_m2: float | None = _area()
    purchase_area_m2: float | None = _area()
    land_area_mu: float | None = _area()
    planned_start: int | None = _year(default=None)
    planned_end: int | None = _year(default=None)
    star: bool = False
    status: str | None = Field(default=None, max_length=100)
    responsible_unit: str | None = Field(default=None, max_length=200)
    cost_wan: int | None = _money(default=None)
    cost_basis: str | None = Field(default=None, max_length=300)
    spent_wan: int = _money(default=0)
    seats_added: int | None = Field(default=None, ge=0, le=MAX_SEATS)
    seats_source: str | None = Field(default=None, max_length=300)


class ProjectCreate(ProjectBase, Checked):
    @model_validator(mode="after")
    def _years_in_order(self) -> ProjectCreate:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise InvalidInput(
                _end_before_start("planned_end", self.planned_end, "planned_start", self.planned_start)
            )
        return self


class ProjectUpdate(Checked):
    """Any subset of the fields, plus the `version` the editor last read (a stale one gets 409)."""

    version: int = Field(ge=1, le=INT32_MAX)
    code: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    location: str | None = Field(default=None, max_length=300)
    nature: str | None = Field(default=None, max_length=100)
    floor_area_m2: float | None = _area()
    purchase_area_m2: float | None = _area()
    land_area_mu: float | None = _area()
    planned_start: int | None = _year(default=None)
    planned_end: int | None = _year(default=None)
    star: bool | None = None
    status: str | None = Field(default=None, max_length=100)
    responsible_unit: str | None = Field(default=None, max_length=200)
    cost_wan: int | None = _money(default=None)
    cost_basis: str | None = Field(default=None, max_length=300)
    spent_wan: int | None = _money(default=None)
    seats_added: int | None = Field(default=None, ge=0, le=MAX_SEATS)
    seats_source: str | None = Field(default=None, max_length=300)


# The fields that define the approved plan: owners change them only through a change request.
PLAN_FIELDS: tuple[str, ...] = (
    "planned_start",
    "planned_end",
    "star",
    "cost_wan",
    "spent_wan",
    "seats_added",
    "code",
    "responsible_unit",
)


class Project(ProjectBase, table=True):
    __tablename__ = "project"
    __table_args__ = (
        sa.UniqueConstraint("portfolio_id", "code", name="uq_project_portfolio_code"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True, ondelete="CASCADE")
    version: int = Field(default=1)
    # field name -> the version at which it last changed; names what changed when an edit is stale
    changed_in: dict[str, int] = _json(default_factory=dict)
    updated_at: datetime = _when(default_factory=utcnow)

    @property
    def cost_is_estimate(self) -> bool:
        return (self.cost_basis or "").strip().lower().startswith(ESTIMATE_PREFIX)


class ProjectPublic(ProjectBase):
    id: int
    portfolio_id: int
    version: int
    cost_is_estimate: bool
    updated_at: datetime
    pending_changes: int = Field(default=0, description="change requests of this project waiting for finance")
    missing: list[str] = Field(
        default_factory=list,
        description="schedule figures the project lacks (planned_start, planned_end, cost_wan): a draft, "
        "left out of runs until they are filled in",
    )


class ProjectsSummary(SQLModel):
    """A portfolio in figures, counted by the database (issue 14: the page does not load 10,000 rows)."""

    projects: int
    cost_wan: int = Field(description="Σ cost, 万元")
    estimated_wan: int = Field(description="the part of cost_wan that is estimated (估算)")
    stars: int
    drafts: int = Field(description="projects lacking a schedule figure")
    without_cost: int
    categories: list[str] = Field(description="in the order the file first names them")
    units: list[str]
    statuses: list[str] = Field(description="in the order the file first names them")
    natures: list[str] = Field(
        default_factory=list, description="建设性质 (新建, 续建…), in the order the file first names them"
    )


class ImportSummary(SQLModel):
    """What an import did: rows read, projects created, updated (changed fields) and left unchanged."""

    rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int = 0
    drafts: int = Field(default=0, description="projects of the file kept as drafts (figures missing)")
    removed_codes: list[str] = Field(
        default_factory=list, description="the projects the import removes (with replace), by code"
    )
    dry_run: bool = Field(default=False, description="a preview: nothing was stored")
    portfolio_id: int | None = None


class EstimatePublic(SQLModel):
    """One cost the estimator filled in (app/rules/estimator.py), labelled 估算 with its basis."""

    code: str
    name: str
    cost_wan: int
    cost_basis: str
    method: str = Field(description="area (own floor area) | category_median | all_median (no area)")
    area_m2: float = Field(description="the floor area used: the project's own, or the median taken")
    unit_cost_yuan_m2: int
    rate_assumed: bool = Field(description="the nature is not in the unit-cost table: whole-campus rate")


class EstimateSummary(SQLModel):
    estimated: int
    projects: list[EstimatePublic]


# ---------------------------------------------------------------- scenario


def _end_before_start(end_name: str, end: int, start_name: str, start: int) -> Message:
    return Message(
        "end_before_start", end_column=Column(end_name), end=end, start_column=Column(start_name), start=start
    )


def _years(years: list[str]) -> Listing:
    return Listing(tuple(years))


def check_budget(first_year: int, last_year: int, budget: dict[str, int]) -> None:
    """Raise InvalidInput (a ValueError) in plain words, Chinese or English, unless `budget` has one cap ≥ 0
    for every year of the horizon."""
    if last_year < first_year:
        raise InvalidInput(_end_before_start("last_year", last_year, "first_year", first_year))
    if last_year - first_year + 1 > MAX_HORIZON_YEARS:
        raise InvalidInput(Message("horizon_too_long"))
    horizon = {str(y) for y in range(first_year, last_year + 1)}
    missing = sorted(horizon - budget.keys())
    extra = sorted(budget.keys() - horizon)
    budget_field = Column("budget")
    if missing:
        raise InvalidInput(Message("budget_years_missing", field=budget_field, years=_years(missing)))
    if extra:
        raise InvalidInput(
            Message(
                "budget_years_outside",
                field=budget_field,
                years=_years(extra),
                first=first_year,
                last=last_year,
            )
        )
    negative = sorted(y for y, cap in budget.items() if cap < 0)
    if negative:
        raise InvalidInput(Message("budget_cap_negative", field=budget_field, years=_years(negative)))
    huge = sorted(y for y, cap in budget.items() if cap > MAX_WAN)
    if huge:
        raise InvalidInput(
            Message("budget_cap_too_large", field=budget_field, years=_years(huge), limit=f"{MAX_WAN:,}")
        )


_OVERRIDE_FLAGS = {"deferrable"}
_OVERRIDE_LISTS = {"after", "profile"}


def check_overrides(overrides: dict[str, dict[str, Any]]) -> None:
    """Raise InvalidInput naming `overrides.<code>.<field>` unless every override is a MODEL.md project
    field with a value in its documented range (README "Limits"): a weight of 2^40 would overflow a run's
    stored weighted slippage, a cost of 2^63 the solver."""
    if len(overrides) > MAX_PROJECTS:
        raise InvalidInput(Message("override_out_of_range", low=0, high=MAX_PROJECTS, value=len(overrides)))
    for code, fields in overrides.items():
        for name, value in fields.items():
            problem = _override_problem(name, value)
            if problem is not None:
                where = f"overrides.{code}.{name}"
                words = Message("field_message", field=where, message=problem)
                raise InvalidInput(words, [(("body", "overrides", code, name), problem)])


def _override_problem(name: str, value: Any) -> Message | None:
    if name in OVERRIDE_INT_RANGES:
        low, high = OVERRIDE_INT_RANGES[name]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return Message("override_out_of_range", low=f"{low:,}", high=f"{high:,}", value=repr(value)[:40])
        return None
    if name in _OVERRIDE_FLAGS:
        return None if isinstance(value, bool) else Message("v_bool_type")
    if name == "after":
        ok = isinstance(value, list) and len(value) <= MAX_PROJECTS
        ok = ok and all(isinstance(v, str) and 0 < len(v) <= PROJECT_TEXT_LENGTHS["code"] for v in value)
        return None if ok else Message("v_list_type")
    if name == "profile":
        if value is None:
            return None
        ok = isinstance(value, list) and 0 < len(value) <= MAX_HORIZON_YEARS
        ok = ok and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_WAN for v in value)
        return None if ok else Message("override_out_of_range", low=0, high=f"{MAX_WAN:,}", value="profile")
    return Message("override_not_a_field")


class ScenarioBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    first_year: int = _year()
    last_year: int = _year()
    budget: dict[str, int] = _json(description='annual cap in 万元 for every year: {"2021": 12000, …}')
    carryover: bool = False
    star_deadline: int | None = _year(default=PLAN_PERIOD_END, description="★ projects end by then")
    overrides: dict[str, dict[str, Any]] = _json(
        default_factory=dict, description='per project code, e.g. {"WX-04": {"deferrable": false}}'
    )
    time_limit: float | None = _seconds(description="seconds a run may search")
    objective: Objective = Field(
        default=Objective.WEIGHTED,
        sa_type=sa.String(length=20),
        description="weighted_slippage (加权延期) or seat_years (学位·年: places × years late)",
    )
    default_seats: int = Field(
        default=DEFAULT_SEATS,
        ge=0,
        le=100_000,
        description="places counted for a project that states none (seat-years)",
    )


class ScenarioCreate(ScenarioBase, Checked):
    @model_validator(mode="after")
    def _budget_covers_horizon(self) -> ScenarioCreate:
        check_budget(self.first_year, self.last_year, self.budget)
        check_overrides(self.overrides)
        return self


class ScenarioUpdate(Checked):
    """Any subset of the fields, plus the `version` the editor last read (a stale one gets 409)."""

    version: int = Field(ge=1, le=INT32_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    first_year: int | None = _year(default=None)
    last_year: int | None = _year(default=None)
    budget: dict[str, int] | None = None
    carryover: bool | None = None
    star_deadline: int | None = _year(default=None)
    overrides: dict[str, dict[str, Any]] | None = None
    time_limit: float | None = _seconds()
    objective: Objective | None = None
    default_seats: int | None = Field(default=None, ge=0, le=100_000)

    @model_validator(mode="after")
    def _overrides_in_range(self) -> ScenarioUpdate:
        if self.overrides is not None:
            check_overrides(self.overrides)
        return self


class Scenario(ScenarioBase, table=True):
    __tablename__ = "scenario"
    __table_args__ = (
        sa.UniqueConstraint("portfolio_id", "name", name="uq_scenario_portfolio_name"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True, ondelete="CASCADE")
    # No column default: with one, SQLAlchemy stores the default for an explicit None (★ soft) on insert.
    star_deadline: int | None = Field(default=PLAN_PERIOD_END, sa_column=sa.Column(sa.Integer, nullable=True))
    version: int = Field(default=1)
    changed_in: dict[str, int] = _json(default_factory=dict)
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class ScenarioPublic(ScenarioBase):
    id: int
    portfolio_id: int
    version: int
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- run


class RunCreate(Checked):
    time_limit: float | None = _seconds(description="seconds; default: the scenario's")
    replan_from: int | None = _year(
        default=None, description="re-plan from this year: earlier years are frozen at the recorded actuals"
    )


class RunProgress(SQLModel):
    elapsed: float
    objective: int | None = None
    bound: int | None = None


class Run(SQLModel, table=True):
    __tablename__ = "run"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True, ondelete="CASCADE")
    status: str = Field(default=RunStatus.QUEUED, max_length=20, index=True)
    time_limit: float
    progress: dict[str, Any] | None = _json(nullable=True, default=None)
    created_at: datetime = _when(default_factory=utcnow)
    started_at: datetime | None = _when(default=None)
    finished_at: datetime | None = _when(default=None)
    # solver stats, copied out of the solution for listing
    solver_status: str | None = Field(default=None, max_length=20)
    objective: int | None = None
    bound: int | None = None
    solve_seconds: float | None = None
    problem: dict[str, Any] = _json()  # the exact MODEL.md Problem JSON solved
    solution: dict[str, Any] | None = _json(nullable=True, default=None)  # MODEL.md Solution JSON
    error: str | None = Field(default=None, max_length=4000)
    started_by: str = Field(max_length=100)
    # a re-plan: {"from": Y, "past": {code: {"2021": spent}}, "past_caps": {...}, "messages": [...],
    # "flags": [{"key": i18n key, "params": {...}}]} (flags: the messages as app/i18n Messages)
    replan: dict[str, Any] | None = _json(nullable=True, default=None)
    # a plain run's projects left out because paid in full, as app/i18n Messages (flags, as above)
    notes: list[dict[str, Any]] | None = _json(nullable=True, default=None)
    # drafts of the portfolio the run left out: [{"code", "name", "missing": [field, …]}]
    drafts_left_out: list[dict[str, Any]] | None = _json(nullable=True, default=None)
    # issue 15: the funding sources the run solved with, as they were then: [{"id" (the problem's source
    # id = the source's code), "name", "kind", "carryover", "illustrative", "basis"}]; None: v1
    sources: list[dict[str, Any]] | None = _json(nullable=True, default=None)
    # the objective and the places each project counted for: {"objective", "default", "seats", "assumed"}
    seats: dict[str, Any] | None = _json(nullable=True, default=None)


class RunPublic(SQLModel):
    id: int
    scenario_id: int
    status: RunStatus
    progress: RunProgress | None
    result: dict[str, Any] | None = Field(description="MODEL.md Solution JSON once the run has one")
    messages: list[str] = Field(
        default_factory=list,
        description="the re-plan's flags and the solver's diagnostics, in the request's language "
        "(result.diagnostics.messages stays English, as MODEL.md has it)",
    )
    error: str | None
    started_by: str
    time_limit: float
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    solver_status: str | None
    objective: int | None
    bound: int | None
    solve_seconds: float | None
    replan_from: int | None = None
    drafts_left_out: list[dict[str, Any]] = Field(
        default_factory=list,
        description="draft projects (figures missing) this run left out: code, name, missing fields",
    )
    sources: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the funding sources the run solved with (id, name, kind, carryover, illustrative, "
        "basis); empty for a problem without sources",
    )
    objective_kind: Objective = Field(
        default=Objective.WEIGHTED, description="what the run minimised: weighted_slippage or seat_years"
    )
    seat_years: dict[str, Any] | None = Field(
        default=None,
        description="seat-years the schedule loses: {total, by_project: {code: places × years late}, "
        "default (places of a project stating none), assumed: [codes counted at the default]}",
    )
    source_shortfall: list[str] = Field(
        default_factory=list,
        description="when infeasible: the extra money per source and year, in words (专项债 2024 年缺 800 万元)",
    )


# ---------------------------------------------------------------- job (sweep, least budget)


class JobKind(StrEnum):
    SWEEP = "sweep"  # the budget trade-off curve
    LEAST_BUDGET = "least_budget"  # the least budget meeting a rule
    RISK = "risk"  # cost risk: a Monte Carlo over cost overruns and the P80 budget


class SweepCreate(Checked):
    """Scale factors of the scenario's caps (`levels`) or flat annual amounts (`amounts`), not both."""

    levels: str | list[Annotated[float, Field(gt=0, le=100)]] | None = Field(
        default=None,
        max_length=200,
        description='"0.5:1.5:0.1" (inclusive) or [0.8, 1, 1.2]; default 0.5:1.5:0.1',
    )
    amounts: str | list[Annotated[int, Field(ge=0, le=MAX_WAN)]] | None = Field(
        default=None, max_length=200, description="flat 万元 a year: [8000, 10000]"
    )
    time_limit: float | None = _seconds(description="seconds per level")
    hints: bool = Field(default=True, description="hint each level with a smaller budget's schedule")


class LeastBudgetCreate(Checked):
    rule: LeastBudgetRule = LeastBudgetRule.STAR
    scale: bool = Field(
        default=False, description="the least scale of the scenario's caps instead of a flat amount"
    )
    time_limit: float | None = _seconds(description="seconds per bisection step")


class Job(SQLModel, table=True):
    """A background trade-off computation over a scenario: a sweep or a least-budget search."""

    __tablename__ = "job"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    status: str = Field(default=RunStatus.QUEUED, max_length=20, index=True)
    params: dict[str, Any] = _json()  # what was asked, plus the problem JSON it works on
    progress: dict[str, Any] | None = _json(nullable=True, default=None)
    result: dict[str, Any] | None = _json(nullable=True, default=None)
    error: str | None = Field(default=None, max_length=4000)
    started_by: str = Field(max_length=100)
    created_at: datetime = _when(default_factory=utcnow)
    started_at: datetime | None = _when(default=None)
    finished_at: datetime | None = _when(default=None)


class SweepPublic(SQLModel):
    id: int
    scenario_id: int
    status: RunStatus
    progress: dict[str, Any] | None = Field(description="{done, total}: levels solved of all")
    current_cap_wan: float = Field(description="the scenario's mean annual cap (marked on the chart)")
    points: list[dict[str, Any]] = Field(
        description="one per solved level, in order of budget: level, mean_cap_wan, budget_total_wan, "
        "objective (weighted slippage), projects_late, star_late, deferred, status, proven, …"
    )
    error: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class LeastBudgetPublic(SQLModel):
    id: int
    scenario_id: int
    status: RunStatus
    rule: LeastBudgetRule
    mode: str = Field(description="flat or scale")
    progress: dict[str, Any] | None = Field(description="{steps, low, high}: bisection so far")
    outcome: str | None = Field(description="found | none | unproven | cancelled")
    message: str | None
    amount_wan: int | None = Field(description="the least flat annual budget (flat mode)")
    scale: float | None = Field(description="the least scale of the caps (scale mode)")
    caps: dict[str, int] | None
    steps: list[dict[str, Any]]
    result: dict[str, Any] | None = Field(description="MODEL.md Solution at that budget")
    error: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RiskCreate(Checked):
    """A cost risk analysis of the scenario (issue 17). Every figure of `overrun` is an assumption."""

    samples: int = Field(default=200, ge=1, le=MAX_RISK_SAMPLES, description="Monte Carlo samples")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="the same seed gives the same figures")
    confidence: float = Field(
        default=0.8, gt=0, lt=1, description="the budget keeps every ★ on time in this share of the samples"
    )
    overrun: dict[str, Any] | None = Field(
        default=None,
        max_length=3,
        description="cost multiplier assumptions: {default: {share_over: 0.75, mean: 0.25, correlation: 0.5}, "
        "categories: {项目细类: {…}}, natures: {新建|续建…: {…}}}; absent: the reference-class default",
    )
    fixed_plan: Literal["baseline", "deterministic"] = Field(
        default="baseline",
        description="the schedule the fixed plan keeps: the portfolio's approved baseline when there is one "
        "that covers the scenario, else (or with 'deterministic') the scenario solved at point estimates",
    )
    work_limit: float | None = _seconds(
        description="deterministic seconds per solve (default 5): figures repeat exactly"
    )
    time_limit: float | None = _seconds(
        description="seconds per solve, a guard only (default: the server's maximum)"
    )


class RiskPublic(SQLModel):
    id: int
    scenario_id: int
    status: RunStatus
    progress: dict[str, Any] | None = Field(
        description="{phase: plan|samples|budget, done, total, low, high}: where the analysis is"
    )
    samples: int
    seed: int
    confidence: float
    assumptions: dict[str, Any] = Field(description="the overrun assumptions used, with their basis")
    assumptions_note: str = Field(description="the assumptions in words, in the reader's language")
    fixed_plan: dict[str, Any] = Field(description="which schedule the fixed plan keeps: source, run_id")
    names: dict[str, str] = Field(description="the name of each project analysed, by code")
    result: dict[str, Any] | None = Field(
        description="the figures: P(on time) per project and for every ★, slippage P50/P80/P90, extra cost "
        "per year, the budget at `confidence` (README 'Cost risk')"
    )
    error: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


# ---------------------------------------------------------------- funding sources (issue 15)


class FundingSourceBase(SQLModel):
    code: str = Field(
        min_length=1, max_length=40, description="short id, unique in the portfolio (the problem's source id)"
    )
    name: str = Field(min_length=1, max_length=100, description="e.g. 中央预算内投资（教育强国）")
    kind: SourceKind = Field(
        sa_type=sa.String(length=20),
        description="central 中央预算内 · bond 专项债 · city 市级补助 · county 县级自筹 · social 社会资金 · other 其他",
    )
    carryover: bool = Field(default=False, description="unspent quota stays available in later years")
    illustrative: bool = Field(
        default=False, description="the quotas are illustrative (示意), not granted: shown so everywhere"
    )
    basis: str | None = Field(default=None, max_length=500, description="where the quotas come from")


def _kind_of(value: Any) -> Any:
    """A source kind as typed: central … or its Chinese name (专项债, 县级自筹 …)."""
    return KIND_ALIASES.get(value.strip().lower(), value) if isinstance(value, str) else value


class FundingSourceCreate(FundingSourceBase, Checked):
    @field_validator("kind", mode="before")
    @classmethod
    def _kind_words(cls, value: Any) -> Any:
        return _kind_of(value)


class FundingSourceUpdate(Checked):
    """Any subset of the fields, plus the `version` the editor last read (a stale one gets 409)."""

    version: int = Field(ge=1)
    code: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: SourceKind | None = None
    carryover: bool | None = None
    illustrative: bool | None = None
    basis: str | None = Field(default=None, max_length=500)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_words(cls, value: Any) -> Any:
        return _kind_of(value)


class FundingSource(FundingSourceBase, table=True):
    """A funding channel of a portfolio; its annual quotas are per scenario (SourceQuota)."""

    __tablename__ = "funding_source"
    __table_args__ = (
        sa.UniqueConstraint("portfolio_id", "code", name="uq_funding_source_portfolio_code"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True, ondelete="CASCADE")
    version: int = Field(default=1)
    changed_in: dict[str, int] = _json(default_factory=dict)
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class FundingSourcePublic(FundingSourceBase):
    id: int
    portfolio_id: int
    version: int
    updated_at: datetime


class QuotaSet(Checked):
    """A source's annual quota in one scenario: one amount ≥ 0 for every year of the scenario."""

    budget: dict[str, int] = Field(description='万元 per year: {"2024": 5000, …}')


class SourceQuota(SQLModel, table=True):
    """A source's annual quota S_k,t in one scenario (MODEL.md v2 `sources[k].budget`)."""

    __tablename__ = "source_quota"
    __table_args__ = (
        sa.UniqueConstraint("scenario_id", "source_id", name="uq_source_quota_scenario_source"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="funding_source.id", index=True, ondelete="CASCADE")
    budget: dict[str, int] = _json()
    updated_at: datetime = _when(default_factory=utcnow)


class SourceQuotaPublic(SQLModel):
    scenario_id: int
    source_id: int
    source_code: str
    budget: dict[str, int]
    updated_at: datetime


class FundingRuleBase(SQLModel):
    allowed: bool = Field(default=True, description="false: the source may not fund it")
    min_wan: int | None = Field(
        default=None, ge=0, le=MAX_WAN, description="floor in 万元 (a fixed grant: min = max)"
    )
    max_wan: int | None = Field(default=None, ge=0, le=MAX_WAN, description="cap in 万元")
    min_percent: float | None = Field(
        default=None, ge=0, le=100, description="floor as % of the cost to schedule (配套), rounded up"
    )
    max_percent: float | None = Field(
        default=None, ge=0, le=100, description="cap as % of the cost to schedule, rounded down"
    )
    note: str | None = Field(default=None, max_length=500)


class FundingRuleCreate(FundingRuleBase, Checked):
    """One rule: a source and exactly one of a project (code) or a category."""

    source: str = Field(min_length=1, max_length=40, description="the source's code")
    project: str | None = Field(default=None, min_length=1, max_length=40, description="a project code")
    category: str | None = Field(
        default=None, min_length=1, max_length=100, description="every project of this category"
    )


class FundingRule(FundingRuleBase, table=True):
    """What one source may give one project, or every project of a category (a convenience that the
    problem builder expands per project; a project's own rule replaces its category's)."""

    __tablename__ = "funding_rule"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "project_id", name="uq_funding_rule_source_project"),
        sa.UniqueConstraint("source_id", "category", name="uq_funding_rule_source_category"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True, ondelete="CASCADE")
    source_id: int = Field(foreign_key="funding_source.id", index=True, ondelete="CASCADE")
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True, ondelete="CASCADE")
    category: str | None = Field(default=None, max_length=100)
    updated_at: datetime = _when(default_factory=utcnow)


class FundingRulePublic(FundingRuleBase):
    id: int
    source: str
    project: str | None
    category: str | None
    updated_at: datetime


class ProjectFundingPublic(SQLModel):
    """The limits a project's runs get (MODEL.md v2 `funding`), its category's rules expanded."""

    code: str
    category: str
    cost_wan: int | None = Field(description="the cost to schedule the shares are taken of")
    funding: list[dict[str, Any]] | None = Field(
        description='[{"source", "min", "max"}] for every source it may draw on; null: any, no limits'
    )
    error: str | None = Field(default=None, description="why its rules cannot hold (a floor over a cap)")


class FundingPublic(SQLModel):
    """A portfolio's funding: sources, rules, each scenario's quotas and every project's expanded limits."""

    sources: list[FundingSourcePublic]
    rules: list[FundingRulePublic]
    quotas: list[SourceQuotaPublic]
    projects: list[ProjectFundingPublic]
    illustrative: bool = Field(description="some source's quotas are illustrative (示意)")


class FundingImportSummary(SQLModel):
    """What a sources or rules import did."""

    rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int = Field(default=0, description="rules removed (import with replace)")
    quotas: int = Field(default=0, description="scenario quotas set (one per source and scenario)")


# ---------------------------------------------------------------- baseline


class Baseline(SQLModel, table=True):
    """A run approved by finance as its portfolio's plan of record; the newest row is the baseline."""

    __tablename__ = "baseline"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True, ondelete="CASCADE")
    run_id: int = Field(foreign_key="run.id", index=True, ondelete="CASCADE")
    approved_by: str = Field(max_length=100)
    approved_at: datetime = _when(default_factory=utcnow)


class BaselinePublic(SQLModel):
    id: int
    portfolio_id: int
    run_id: int
    scenario_id: int
    approved_by: str
    approved_at: datetime


# ---------------------------------------------------------------- actual


class ActualBase(SQLModel):
    spent_wan: int = _money(description="money really spent in the year, 万元")
    percent_complete: float = Field(ge=0, le=100, description="progress at the end of the year, %")
    overrun_reason: str | None = Field(
        default=None, max_length=1000, description="why cumulative spending exceeds the cost (with overrun)"
    )


class ActualUpdate(ActualBase, Checked):
    overrun: bool = Field(
        default=False,
        description="cumulative spending may exceed the cost beyond the tolerance (give a reason)",
    )


class Actual(ActualBase, table=True):
    """Money really spent on a project in a year, and its progress at the year's end."""

    __tablename__ = "actual"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "year", name="uq_actual_project_year"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    year: int = Field(ge=1900, le=2200)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = _when(default_factory=utcnow)


class ActualPublic(ActualBase):
    project_id: int
    code: str
    year: int
    recorded_by: str
    recorded_at: datetime


class ActualsImportSummary(SQLModel):
    rows: int
    created: int
    updated: int


# ---------------------------------------------------------------- user


class UserBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    unit: str | None = Field(default=None, max_length=200, description="responsible unit (owners)")


class User(UserBase, table=True):
    __tablename__ = "app_user"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    role: str = Field(max_length=20)
    token_id: str = Field(max_length=16, index=True)  # public first characters of the token, for lookup
    token_hash: str = Field(max_length=64)  # sha256 hex of the whole token
    created_at: datetime = _when(default_factory=utcnow)
    token_issued_at: datetime | None = _when(default=None)
    expires_at: datetime | None = _when(default=None)  # the token stops working then (None: never)
    revoked_at: datetime | None = _when(default=None)
    revoked_by: str | None = Field(default=None, max_length=100)


class UserPublic(UserBase):
    id: int


class UserAccount(UserPublic):
    """A user as finance manages it: when its token was issued, when it expires, whether it was revoked."""

    created_at: datetime | None = None
    token_issued_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    active: bool = Field(default=True, description="the token works: not revoked, not expired")


class UserCreate(UserBase, Checked):
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="the token expires then")


class UserUpdate(Checked):
    role: Role | None = None
    unit: str | None = Field(default=None, max_length=200)


class TokenRenewal(Checked):
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class UserWithToken(UserAccount):
    token: str = Field(description="shown once: only its hash is kept")


# ---------------------------------------------------------------- health


class HealthPublic(SQLModel):
    status: str = Field(description="ok, or unavailable (the database does not answer or is not migrated)")
    database: str = Field(description="ok, or why it does not answer")
    migration: str | None = Field(description="the database's migration")
    migration_head: str | None = Field(description="the newest migration this version knows")
    pool_threads: int = Field(description="background threads (solver runs and trade-off jobs)")
    queued: int = Field(description="runs and jobs queued or running in this process")


# ---------------------------------------------------------------- audit trail


class AuditEntry(SQLModel, table=True):
    """One recorded change, written in the same transaction as the write it records: who (and in which
    role), when, which entity and field, the value before and after, and the request it came with.
    No foreign keys: the history of a removed project or portfolio stays."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(default_factory=utcnow, index=True)
    actor: str = Field(max_length=100)
    actor_role: str = Field(max_length=20)
    entity: str = Field(max_length=30, index=True)
    entity_id: int | None = Field(default=None, index=True)
    portfolio_id: int | None = Field(default=None, index=True)
    project_id: int | None = Field(default=None, index=True)  # the project a change concerns, if any
    action: str = Field(max_length=30)
    field: str | None = Field(default=None, max_length=60)
    old: Any | None = _json(nullable=True, default=None)
    new: Any | None = _json(nullable=True, default=None)
    request_id: str | None = Field(default=None, max_length=64)
    change_request_id: int | None = None
    note: str | None = Field(default=None, max_length=1000)


class AuditPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    entity: str = Field(
        description="portfolio, project, scenario, actual, baseline, run, job, user, change_request"
    )
    entity_id: int | None
    portfolio_id: int | None
    project_id: int | None
    action: str = Field(description="create, update, delete, import, approve, reject, request, cancel, …")
    field: str | None
    old: Any | None
    new: Any | None
    request_id: str | None
    change_request_id: int | None
    note: str | None


# ---------------------------------------------------------------- change request


class ChangeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PlanChanges(Checked):
    """New values for the plan fields (PLAN_FIELDS); only those given are asked for."""

    model_config = {"extra": "forbid"}

    planned_start: int | None = _year(default=None)
    planned_end: int | None = _year(default=None)
    star: bool | None = None
    cost_wan: int | None = _money(default=None)
    spent_wan: int | None = _money(default=None)
    seats_added: int | None = Field(default=None, ge=0, le=MAX_SEATS)
    code: str | None = Field(default=None, min_length=1, max_length=40)
    responsible_unit: str | None = Field(default=None, max_length=200)


class ChangeRequestCreate(Checked):
    changes: PlanChanges = Field(default_factory=PlanChanges, description="new values of plan fields")
    remove: bool = Field(default=False, description="ask for the project to be removed from the portfolio")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="why, in the owner's words (required; blanks alone are no reason)"
    )


class ChangeDecision(Checked):
    note: str | None = Field(default=None, max_length=1000, description="finance's words on the decision")


class ChangeRequest(SQLModel, table=True):
    """An owner's request to change the approved plan of a project (or remove it), decided by finance.
    No foreign key: the request stays in the history after the project is removed."""

    __tablename__ = "change_request"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    portfolio_id: int = Field(index=True)
    project_id: int = Field(index=True)
    project_code: str = Field(max_length=40)
    changes: dict[str, dict[str, Any]] = _json(default_factory=dict)  # field -> {"old": …, "new": …}
    remove: bool = False
    reason: str = Field(max_length=1000)
    state: str = Field(default=ChangeState.PENDING, max_length=20, index=True)
    requested_by: str = Field(max_length=100)
    requested_at: datetime = _when(default_factory=utcnow)
    project_version: int  # the version the request was made against
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = _when(default=None)
    decision_note: str | None = Field(default=None, max_length=1000)


class ChangeRequestPublic(SQLModel):
    id: int
    portfolio_id: int
    project_id: int
    project_code: str
    changes: dict[str, dict[str, Any]] = Field(description='field -> {"old": value, "new": value}')
    remove: bool
    reason: str
    state: ChangeState
    requested_by: str
    requested_at: datetime
    project_version: int
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


# ---------------------------------------------------------------- data version (issue 18, load-perf)


class DataVersion(SQLModel, table=True):
    """Two rows, whose `version` grows with every committed transaction that changes any other table (the
    triggers of app/db.py `ensure_version_triggers`, in the same transaction as the change, whichever
    process writes): id 2 (WORK) for runs and jobs, id 1 (DATA) for every other table. Answers kept
    under their versions (api/cache.py) are therefore never served after a write. `txid`: on PostgreSQL the transaction that last raised it, so it is raised once per transaction."""

    __tablename__ = "data_version"

    id: int = Field(primary_key=True)
    version: int = Field(sa_type=sa.BigInteger)
    txid: int | None = Field(default=None, sa_type=sa.BigInteger)
