"""Database tables and their API schemas, one family per entity (full-stack FastAPI template shape).

`XBase` holds the fields a person sets, `XCreate` / `XUpdate` are request bodies, `X(table=True)` is the
row, `XPublic` is what the API returns (rows are never returned directly). Money is in 万元 (`_wan`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from app.errors import InvalidInput
from app.i18n import Field as Column
from app.i18n import Listing, Message
from app.rules.least_budget import Rule as LeastBudgetRule
from app.rules.portfolio import ESTIMATE_PREFIX
from app.rules.problem import PLAN_PERIOD_END


def utcnow() -> datetime:
    return datetime.now(UTC)


def _when(**kw: Any) -> Any:
    return Field(sa_type=sa.DateTime(timezone=True), **kw)


def _json(*, nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_column=sa.Column(sa.JSON, nullable=nullable), **kw)


class Role(StrEnum):
    FINANCE = "finance"  # budgets, scenarios, runs, imports: everything
    OWNER = "owner"  # edits the projects of its own responsible unit; reads everything
    VIEWER = "viewer"  # reads and exports


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


class PortfolioCreate(PortfolioBase):
    pass


class PortfolioUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    status_date: date | None = Field(
        default=None, description="actuals may be recorded up to this day's year"
    )


class Portfolio(PortfolioBase, table=True):
    __tablename__ = "portfolio"

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
    floor_area_m2: float | None = Field(default=None, ge=0)
    purchase_area_m2: float | None = Field(default=None, ge=0)
    land_area_mu: float | None = Field(default=None, ge=0)
    planned_start: int | None = Field(default=None, ge=1900, le=2200)
    planned_end: int | None = Field(default=None, ge=1900, le=2200)
    star: bool = False
    status: str | None = Field(default=None, max_length=100)
    responsible_unit: str | None = Field(default=None, max_length=200)
    cost_wan: int | None = Field(default=None, ge=0)
    cost_basis: str | None = Field(default=None, max_length=300)
    spent_wan: int = Field(default=0, ge=0)
    seats_added: int | None = Field(default=None, ge=0)
    seats_source: str | None = Field(default=None, max_length=300)


class ProjectCreate(ProjectBase):
    @model_validator(mode="after")
    def _years_in_order(self) -> ProjectCreate:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise InvalidInput(
                _end_before_start("planned_end", self.planned_end, "planned_start", self.planned_start)
            )
        return self


class ProjectUpdate(SQLModel):
    """Any subset of the fields, plus the `version` the editor last read (a stale one gets 409)."""

    version: int = Field(ge=1)
    code: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    location: str | None = Field(default=None, max_length=300)
    nature: str | None = Field(default=None, max_length=100)
    floor_area_m2: float | None = Field(default=None, ge=0)
    purchase_area_m2: float | None = Field(default=None, ge=0)
    land_area_mu: float | None = Field(default=None, ge=0)
    planned_start: int | None = Field(default=None, ge=1900, le=2200)
    planned_end: int | None = Field(default=None, ge=1900, le=2200)
    star: bool | None = None
    status: str | None = Field(default=None, max_length=100)
    responsible_unit: str | None = Field(default=None, max_length=200)
    cost_wan: int | None = Field(default=None, ge=0)
    cost_basis: str | None = Field(default=None, max_length=300)
    spent_wan: int | None = Field(default=None, ge=0)
    seats_added: int | None = Field(default=None, ge=0)
    seats_source: str | None = Field(default=None, max_length=300)


# The fields that define the approved plan: owners change them only through a change request.
PLAN_FIELDS: tuple[str, ...] = (
    "planned_start",
    "planned_end",
    "star",
    "cost_wan",
    "seats_added",
    "code",
    "responsible_unit",
)


class Project(ProjectBase, table=True):
    __tablename__ = "project"
    __table_args__ = (sa.UniqueConstraint("portfolio_id", "code", name="uq_project_portfolio_code"),)

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
    if last_year - first_year > 50:
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


class ScenarioBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    first_year: int = Field(ge=1900, le=2200)
    last_year: int = Field(ge=1900, le=2200)
    budget: dict[str, int] = _json(description='annual cap in 万元 for every year: {"2021": 12000, …}')
    carryover: bool = False
    star_deadline: int | None = Field(
        default=PLAN_PERIOD_END, ge=1900, le=2200, description="★ projects end by then"
    )
    overrides: dict[str, dict[str, Any]] = _json(
        default_factory=dict, description='per project code, e.g. {"WX-04": {"deferrable": false}}'
    )
    time_limit: float | None = Field(default=None, gt=0, description="seconds a run may search")


class ScenarioCreate(ScenarioBase):
    @model_validator(mode="after")
    def _budget_covers_horizon(self) -> ScenarioCreate:
        check_budget(self.first_year, self.last_year, self.budget)
        return self


class ScenarioUpdate(SQLModel):
    """Any subset of the fields, plus the `version` the editor last read (a stale one gets 409)."""

    version: int = Field(ge=1)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    first_year: int | None = Field(default=None, ge=1900, le=2200)
    last_year: int | None = Field(default=None, ge=1900, le=2200)
    budget: dict[str, int] | None = None
    carryover: bool | None = None
    star_deadline: int | None = Field(default=None, ge=1900, le=2200)
    overrides: dict[str, dict[str, Any]] | None = None
    time_limit: float | None = Field(default=None, gt=0)


class Scenario(ScenarioBase, table=True):
    __tablename__ = "scenario"
    __table_args__ = (sa.UniqueConstraint("portfolio_id", "name", name="uq_scenario_portfolio_name"),)

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


class RunCreate(SQLModel):
    time_limit: float | None = Field(default=None, gt=0, description="seconds; default: the scenario's")
    replan_from: int | None = Field(
        default=None,
        ge=1900,
        le=2200,
        description="re-plan from this year: earlier years are frozen at the recorded actuals",
    )


class RunProgress(SQLModel):
    elapsed: float
    objective: int | None = None
    bound: int | None = None


class Run(SQLModel, table=True):
    __tablename__ = "run"

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
    # drafts of the portfolio the run left out: [{"code", "name", "missing": [field, …]}]
    drafts_left_out: list[dict[str, Any]] | None = _json(nullable=True, default=None)


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


# ---------------------------------------------------------------- job (sweep, least budget)


class JobKind(StrEnum):
    SWEEP = "sweep"  # the budget trade-off curve
    LEAST_BUDGET = "least_budget"  # the least budget meeting a rule
    RISK = "risk"  # cost risk: a Monte Carlo over cost overruns and the P80 budget


class SweepCreate(SQLModel):
    """Scale factors of the scenario's caps (`levels`) or flat annual amounts (`amounts`), not both."""

    levels: str | list[float] | None = Field(
        default=None, description='"0.5:1.5:0.1" (inclusive) or [0.8, 1, 1.2]; default 0.5:1.5:0.1'
    )
    amounts: str | list[int] | None = Field(default=None, description="flat 万元 a year: [8000, 10000]")
    time_limit: float | None = Field(default=None, gt=0, description="seconds per level")
    hints: bool = Field(default=True, description="hint each level with a smaller budget's schedule")


class LeastBudgetCreate(SQLModel):
    rule: LeastBudgetRule = LeastBudgetRule.STAR
    scale: bool = Field(
        default=False, description="the least scale of the scenario's caps instead of a flat amount"
    )
    time_limit: float | None = Field(default=None, gt=0, description="seconds per bisection step")


class Job(SQLModel, table=True):
    """A background trade-off computation over a scenario: a sweep or a least-budget search."""

    __tablename__ = "job"

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


class RiskCreate(SQLModel):
    """A cost risk analysis of the scenario (issue 17). Every figure of `overrun` is an assumption."""

    samples: int = Field(default=200, ge=1, le=10_000, description="Monte Carlo samples")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="the same seed gives the same figures")
    confidence: float = Field(
        default=0.8, gt=0, lt=1, description="the budget keeps every ★ on time in this share of the samples"
    )
    overrun: dict[str, Any] | None = Field(
        default=None,
        description="cost multiplier assumptions: {default: {share_over: 0.75, mean: 0.25, correlation: 0.5}, "
        "categories: {项目细类: {…}}, natures: {新建|续建…: {…}}}; absent: the reference-class default",
    )
    fixed_plan: Literal["baseline", "deterministic"] = Field(
        default="baseline",
        description="the schedule the fixed plan keeps: the portfolio's approved baseline when there is one "
        "that covers the scenario, else (or with 'deterministic') the scenario solved at point estimates",
    )
    work_limit: float | None = Field(
        default=None, gt=0, description="deterministic seconds per solve (default 5): figures repeat exactly"
    )
    time_limit: float | None = Field(
        default=None, gt=0, description="seconds per solve, a guard only (default: the server's maximum)"
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
    result: dict[str, Any] | None = Field(
        description="the figures: P(on time) per project and for every ★, slippage P50/P80/P90, extra cost "
        "per year, the budget at `confidence` (README 'Cost risk')"
    )
    error: str | None
    started_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


# ---------------------------------------------------------------- baseline


class Baseline(SQLModel, table=True):
    """A run approved by finance as its portfolio's plan of record; the newest row is the baseline."""

    __tablename__ = "baseline"

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
    spent_wan: int = Field(ge=0, description="money really spent in the year, 万元")
    percent_complete: float = Field(ge=0, le=100, description="progress at the end of the year, %")
    overrun_reason: str | None = Field(
        default=None, max_length=1000, description="why cumulative spending exceeds the cost (with overrun)"
    )


class ActualUpdate(ActualBase):
    overrun: bool = Field(
        default=False,
        description="cumulative spending may exceed the cost beyond the tolerance (give a reason)",
    )


class Actual(ActualBase, table=True):
    """Money really spent on a project in a year, and its progress at the year's end."""

    __tablename__ = "actual"
    __table_args__ = (sa.UniqueConstraint("project_id", "year", name="uq_actual_project_year"),)

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


class UserCreate(UserBase):
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, description="the token expires then")


class UserUpdate(SQLModel):
    role: Role | None = None
    unit: str | None = Field(default=None, max_length=200)


class TokenRenewal(SQLModel):
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


class PlanChanges(SQLModel):
    """New values for the plan fields (PLAN_FIELDS); only those given are asked for."""

    model_config = {"extra": "forbid"}

    planned_start: int | None = Field(default=None, ge=1900, le=2200)
    planned_end: int | None = Field(default=None, ge=1900, le=2200)
    star: bool | None = None
    cost_wan: int | None = Field(default=None, ge=0)
    seats_added: int | None = Field(default=None, ge=0)
    code: str | None = Field(default=None, min_length=1, max_length=40)
    responsible_unit: str | None = Field(default=None, max_length=200)


class ChangeRequestCreate(SQLModel):
    changes: PlanChanges = Field(default_factory=PlanChanges, description="new values of plan fields")
    remove: bool = Field(default=False, description="ask for the project to be removed from the portfolio")
    reason: str = Field(min_length=1, max_length=1000, description="why, in the owner's words (required)")


class ChangeDecision(SQLModel):
    note: str | None = Field(default=None, max_length=1000, description="finance's words on the decision")


class ChangeRequest(SQLModel, table=True):
    """An owner's request to change the approved plan of a project (or remove it), decided by finance.
    No foreign key: the request stays in the history after the project is removed."""

    __tablename__ = "change_request"

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
