"""Projects of a portfolio: add, edit with optimistic concurrency (`version`), remove, import a list.

Who may write: finance any project; an owner only projects whose responsible_unit is its own unit, and of
those only the descriptive fields (status, location, notes…): the plan fields (app.models.PLAN_FIELDS) and
removing a project change the approved plan, which an owner asks for by a change request
(app/services/change_requests.py); viewers nothing (the API stops them earlier). A cost changed without
a new `cost_basis` is no longer the estimate: its basis says who entered it and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import is_unique_violation
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleVersion
from app.files import importer
from app.i18n import Field, Listing, Message
from app.models import (
    PLAN_FIELDS,
    Actual,
    ImportSummary,
    PortfolioCreate,
    Project,
    ProjectCreate,
    ProjectUpdate,
    Role,
    User,
    utcnow,
)
from app.rules.limits import MAX_PROJECTS
from app.rules.portfolio import COLUMNS, ESTIMATE_PREFIX, ProjectRecord, missing_figures
from app.services import audit, portfolios, versioning

_REQUIRED = ("code", "name", "category", "star", "spent_wan")
REQUIRED_PLAN = ("code", "star")  # plan fields that cannot be emptied


def check_may_write(*, user: User, unit: str | None) -> None:
    """NotAllowed unless `user` may write a project of responsible unit `unit`."""
    if user.role == Role.FINANCE:
        return
    if user.role == Role.OWNER and user.unit and unit == user.unit:
        return
    if user.role == Role.OWNER:
        other = unit or Message("no_unit")
        raise NotAllowed(Message("owner_other_unit", user=user.name, unit=user.unit, other=other))
    raise NotAllowed(Message("role_may_not_change_projects", user=user.name, role=user.role))


def as_record(project: Project) -> ProjectRecord:
    """The row as the plain record the importer, problem builder, charts and exports share."""
    return ProjectRecord(**{column: getattr(project, column) for column in COLUMNS})


def list_projects(*, session: Session, portfolio_id: int) -> list[Project]:
    """The portfolio's projects in the order they were added (the file's order after an import)."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    return list(
        session.exec(select(Project).where(Project.portfolio_id == portfolio_id).order_by(Project.id))
    )


# issue 14: the page lists 10,000 projects a page at a time, filtered and sorted by the database.
SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "code": (Project.code,),
    "name": (Project.name,),
    "category": (Project.category,),
    "star": (Project.star,),
    "status": (Project.status,),
    "floor_area_m2": (Project.floor_area_m2,),
    "years": (Project.planned_start, Project.planned_end),
    "cost_wan": (Project.cost_wan,),
    "seats_added": (Project.seats_added,),
    "responsible_unit": (Project.responsible_unit,),
    "file": (Project.id,),  # the order they were added: the file's order after an import
}
MAX_PAGE = 1000  # rows one request may ask for


@dataclass(frozen=True, slots=True)
class ProjectQuery:
    """Which projects of a portfolio, in which order, which slice: `text` is found in the code, name,
    category, status, unit or location (case-insensitive); the others match exactly; `drafts` keeps only
    projects lacking a schedule figure. Sorted by `sort` ("desc" reverses; empty values last), ties by
    code; `limit` None = every row from `offset`."""

    text: str = ""
    category: str | None = None
    unit: str | None = None
    status: str | None = None
    star: bool | None = None
    drafts: bool | None = None
    sort: str = "file"
    order: str = "asc"
    offset: int = 0
    limit: int | None = None


def _filtered(query: ProjectQuery, portfolio_id: int) -> list[Any]:
    where: list[Any] = [Project.portfolio_id == portfolio_id]
    text = query.text.strip().lower()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        fields = (Project.code, Project.name, Project.category, Project.status)
        fields += (Project.responsible_unit, Project.location)
        where.append(or_(*(func.lower(f).like(pattern, escape="\\") for f in fields)))
    if query.category is not None:
        where.append(Project.category == query.category)
    if query.unit is not None:
        where.append(
            Project.responsible_unit == query.unit if query.unit else Project.responsible_unit.is_(None)
        )
    if query.status is not None:
        where.append(Project.status == query.status if query.status else Project.status.is_(None))
    if query.star is not None:
        where.append(Project.star.is_(query.star))
    if query.drafts is not None:
        lacking = or_(
            Project.planned_start.is_(None), Project.planned_end.is_(None), Project.cost_wan.is_(None)
        )
        where.append(lacking if query.drafts else ~lacking)
    return where


def query_projects(*, session: Session, portfolio_id: int, query: ProjectQuery) -> tuple[list[Project], int]:
    """One page of the portfolio's projects that match `query`, and how many match in all."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    if query.sort not in SORT_COLUMNS:
        message = Message("project_sort_unknown", sort=query.sort, choices=", ".join(SORT_COLUMNS))
        raise InvalidInput(message, [(("query", "sort"), message)])
    if query.order not in ("asc", "desc"):
        message = Message("project_order_unknown", order=query.order)
        raise InvalidInput(message, [(("query", "order"), message)])
    where = _filtered(query, portfolio_id)
    total = session.exec(select(func.count()).select_from(Project).where(*where)).one()
    columns = SORT_COLUMNS[query.sort]
    order_by = [(c.desc() if query.order == "desc" else c.asc()).nulls_last() for c in columns]
    statement = (
        select(Project).where(*where).order_by(*order_by, Project.code, Project.id).offset(query.offset)
    )
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return list(session.exec(statement)), int(total)


def summarize(*, session: Session, portfolio_id: int) -> dict[str, Any]:
    """The whole portfolio in figures for the page's head and filters, counted by the database: projects,
    cost (and the estimated part), ★, drafts, projects without a cost, and the categories (file order),
    units, statuses and natures there are."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    mine = Project.portfolio_id == portfolio_id
    estimated = func.lower(func.coalesce(Project.cost_basis, "")).like(f"{ESTIMATE_PREFIX}%")
    lacking = or_(Project.planned_start.is_(None), Project.planned_end.is_(None), Project.cost_wan.is_(None))
    row = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(Project.cost_wan), 0),
            func.coalesce(func.sum(case((estimated, Project.cost_wan), else_=0)), 0),
            func.coalesce(func.sum(case((Project.star.is_(True), 1), else_=0)), 0),
            func.coalesce(func.sum(case((lacking, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Project.cost_wan.is_(None), 1), else_=0)), 0),
        ).where(mine)
    ).one()

    def values(column: Any) -> list[str]:
        found = session.exec(
            select(column, func.min(Project.id)).where(mine, column.is_not(None)).group_by(column)
        ).all()
        return [value for value, _ in sorted(found, key=lambda pair: pair[1])]

    return {
        "projects": int(row[0]),
        "cost_wan": int(row[1]),
        "estimated_wan": int(row[2]),
        "stars": int(row[3]),
        "drafts": int(row[4]),
        "without_cost": int(row[5]),
        "categories": values(Project.category),
        "units": sorted(values(Project.responsible_unit)),
        "statuses": values(Project.status),
        "natures": values(Project.nature),
    }


def get(*, session: Session, project_id: int) -> Project:
    """The project, or NotFound."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("project", project_id)
    return project


def _code_taken(session: Session, portfolio_id: int, code: str) -> Conflict:
    return Conflict(Message("project_code_taken", portfolio=portfolio_id, code=code), ["code"])


def _check_count(count: int) -> None:
    """A portfolio holds at most MAX_PROJECTS projects (README "Limits"): 422 naming the portfolio."""
    if count > MAX_PROJECTS:
        words = Message("portfolio_too_many_projects", limit=f"{MAX_PROJECTS:,}", count=f"{count:,}")
        raise InvalidInput(words, [(("portfolio",), words)])


def create(*, session: Session, portfolio_id: int, data: ProjectCreate, user: User) -> Project:
    """Add one project; its code must be new in the portfolio."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    if user.role != Role.FINANCE:  # a new project changes the approved plan: finance adds it
        raise NotAllowed(Message("owner_may_not_add", user=user.name))
    taken = select(Project).where(Project.portfolio_id == portfolio_id, Project.code == data.code)
    if session.exec(taken).first() is not None:
        raise _code_taken(session, portfolio_id, data.code)
    count = session.exec(select(func.count()).where(Project.portfolio_id == portfolio_id)).one()
    _check_count(count + 1)
    project = Project(**data.model_dump(), portfolio_id=portfolio_id)
    session.add(project)
    try:
        session.flush()
        _audit_create(session, project, user)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "project", "portfolio_id", "code"):
            raise
        raise _code_taken(session, portfolio_id, data.code) from err
    session.refresh(project)
    return project


def _audit_create(session: Session, project: Project, user: User | None, action: str = "create") -> None:
    audit.record(
        session,
        actor=user,
        entity="project",
        entity_id=project.id,
        portfolio_id=project.portfolio_id,
        action=action,
        new=audit.snapshot(project, COLUMNS),
    )


def _audit_changes(
    session: Session, project: Project, changes: Mapping[str, Any], user: User | None, action: str = "update"
) -> None:
    """One audit row per changed field, `changes` not yet applied to `project`."""
    audit.record(
        session,
        actor=user,
        entity="project",
        entity_id=project.id,
        portfolio_id=project.portfolio_id,
        action=action,
        changes={name: (getattr(project, name), value) for name, value in changes.items()},
    )


def _audit_delete(
    session: Session,
    project: Project,
    user: User | None,
    action: str = "delete",
    change_request_id: int | None = None,
) -> None:
    audit.record(
        session,
        actor=user,
        entity="project",
        entity_id=project.id,
        portfolio_id=project.portfolio_id,
        action=action,
        old=_removed(session, project),
        change_request_id=change_request_id,
    )


def _removed(session: Session, project: Project) -> dict[str, Any]:
    """What removing the project takes away: its record and the actuals that go with it."""
    gone = audit.snapshot(project, COLUMNS)
    rows = session.exec(select(Actual).where(Actual.project_id == project.id).order_by(Actual.year)).all()
    if rows:
        gone["actuals"] = [audit.snapshot(row, ("year", "spent_wan", "percent_complete")) for row in rows]
    return gone


def check_plan_change(project: Project, changes: Mapping[str, Any]) -> None:
    """InvalidInput when the changes would leave the project's plan inconsistent (end before start)."""
    _check_merged(project, changes)


def _check_merged(project: Project, changes: Mapping[str, Any]) -> None:
    versioning.check_required_kept(changes, _REQUIRED)
    start = changes.get("planned_start", project.planned_start)
    end = changes.get("planned_end", project.planned_end)
    if start and end and end < start:
        start_column = Field("planned_start")
        raise InvalidInput(
            Message(
                "end_before_start",
                end_column=Field("planned_end"),
                end=end,
                start_column=start_column,
                start=start,
            ),
            [
                (
                    ("body", "planned_end"),
                    Message("end_before_start_value", end=end, start_column=start_column, start=start),
                )
            ],
        )


def _stale(session: Session, project_id: int, yours: int) -> StaleVersion:
    return versioning.stale(session, Project, project_id, yours, "project", lambda p: p.code)


def update(*, session: Session, project_id: int, data: ProjectUpdate, user: User) -> Project:
    """Edit a project. A `version` other than the stored one is a StaleVersion naming what changed since."""
    project = get(session=session, project_id=project_id)
    check_may_write(user=user, unit=project.responsible_unit)
    if data.version != project.version:
        raise _stale(session, project_id, data.version)
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    changes = versioning.changes_of(project, given)
    if not changes:
        return project
    locked = sorted(name for name in changes if name in PLAN_FIELDS)
    if locked and user.role != Role.FINANCE:
        raise NotAllowed(
            Message("plan_fields_locked", fields=Listing(tuple(Field(n) for n in locked)), project=project.id)
        )
    _check_merged(project, changes)
    changes = _with_honest_basis(changes, f"{user.name} {utcnow():%Y-%m-%d} 录入")
    try:
        _audit_changes(session, project, changes, user)
        if not versioning.compare_and_set(session, project, changes, data.version):
            raise _stale(session, project_id, data.version)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "project", "portfolio_id", "code"):
            raise
        raise _code_taken(session, project.portfolio_id, changes.get("code", project.code)) from err
    session.refresh(project)
    return project


def _with_honest_basis(changes: Mapping[str, Any], basis: str) -> dict[str, Any]:
    """A cost edited without a new `cost_basis` is no longer what the old basis says (an estimate, an
    approved budget…): its basis says who set it, when. The page sends the old basis back unchanged, so
    only a changed basis counts as a new one."""
    out = dict(changes)
    if "cost_wan" in changes and "cost_basis" not in changes:
        out["cost_basis"] = basis
    return out


def delete(*, session: Session, project_id: int, user: User) -> None:
    """Remove a project (finance): removing changes the approved plan, which an owner asks for by a
    change request."""
    project = get(session=session, project_id=project_id)
    check_may_write(user=user, unit=project.responsible_unit)
    if user.role != Role.FINANCE:
        raise NotAllowed(Message("owner_may_not_remove", project=project.id))
    remove(session, project, user)
    session.commit()


def remove(session: Session, project: Project, user: User, *, change_request_id: int | None = None) -> None:
    """Remove the project with its audit row (not committed)."""
    _audit_delete(session, project, user, change_request_id=change_request_id)
    session.delete(project)


def apply_plan_change(
    session: Session,
    project: Project,
    changes: Mapping[str, Any],
    user: User,
    *,
    change_request_id: int,
    requested_by: str,
) -> None:
    """Apply an approved change request to the project as one new version (not committed)."""
    _check_merged(project, changes)
    basis = f"变更申请 #{change_request_id}（{requested_by}）经 {user.name} {utcnow():%Y-%m-%d} 批准"
    if "cost_wan" in changes:  # the approved figure, with where it came from
        changes = {**changes, "cost_basis": basis}
    audit.record(
        session,
        actor=user,
        entity="project",
        entity_id=project.id,
        portfolio_id=project.portfolio_id,
        action="update",
        changes={name: (getattr(project, name), value) for name, value in changes.items()},
        change_request_id=change_request_id,
    )
    try:
        if not versioning.compare_and_set(session, project, changes, project.version):
            raise _stale(session, project.id, project.version)
        session.flush()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "project", "portfolio_id", "code"):
            raise
        raise _code_taken(session, project.portfolio_id, changes.get("code", project.code)) from err


def import_file(
    *,
    session: Session,
    portfolio_id: int,
    source: Path | bytes,
    filename: str | None = None,
    replace: bool = False,
    drafts: bool = False,
    dry_run: bool = False,
    user: User,
) -> ImportSummary:
    """Read a project list with the CLI's validator and merge it into the portfolio by code (all or nothing).

    Raises the importer's ProjectListError (every row error) or UnreadableFileError before storing anything.
    With `replace`, projects whose code is not in the file are removed (`removed_codes` names them). With
    `drafts`, rows lacking only their schedule figures (years, cost) are kept as drafts. With `dry_run`,
    the answer is what the import would do and nothing is stored (a preview of what replace removes).
    """
    portfolios.get(session=session, portfolio_id=portfolio_id)
    records = importer.read_projects(source, filename=filename, drafts=drafts)
    summary = merge_records(
        session=session, portfolio_id=portfolio_id, records=records, replace=replace, user=user
    )
    if dry_run:
        session.rollback()
    else:
        session.commit()
    extra = {
        "drafts": sum(bool(missing_figures(r)) for r in records),
        "dry_run": dry_run,
        "portfolio_id": portfolio_id,
    }
    return summary.model_copy(update=extra)


def import_new_portfolio(
    *,
    session: Session,
    data: PortfolioCreate,
    source: Path | bytes,
    filename: str | None = None,
    drafts: bool = False,
    user: User,
) -> ImportSummary:
    """A new portfolio holding the file's projects, in one transaction: the file is checked first, so an
    invalid file creates no portfolio either."""
    records = importer.read_projects(source, filename=filename, drafts=drafts)
    portfolio = portfolios.add(session=session, data=data, user=user)
    summary = merge_records(session=session, portfolio_id=portfolio.id, records=records, user=user)
    session.commit()
    extra = {"drafts": sum(bool(missing_figures(r)) for r in records), "portfolio_id": portfolio.id}
    return summary.model_copy(update=extra)


def _insert_new(session: Session, portfolio_id: int, added: list[dict[str, Any]], user: User | None) -> None:
    """New projects and their audit rows by one INSERT each (ORM objects cost ~0.4 ms apiece: 10,000
    projects took 4.4 s to construct)."""
    if not added:
        return
    now = utcnow()
    rows = [
        {**values, "portfolio_id": portfolio_id, "version": 1, "changed_in": {}, "updated_at": now}
        for values in added
    ]
    statement = insert(Project).returning(Project.id, sort_by_parameter_order=True)
    ids = session.execute(statement, rows).scalars().all()
    audit_rows = []
    for project_id, values in zip(ids, added, strict=True):
        audit_rows += audit.entries(
            actor=user,
            entity="project",
            entity_id=project_id,
            portfolio_id=portfolio_id,
            action="import",
            new={name: audit.plain(values[name]) for name in COLUMNS},
        )
    audit.write(session, audit_rows)


def merge_records(
    *,
    session: Session,
    portfolio_id: int,
    records: Sequence[ProjectRecord],
    replace: bool = False,
    user: User | None,
) -> ImportSummary:
    """Add new codes, update changed projects (bumping their version), optionally remove missing ones;
    audited as an import, one row per changed field (`user` None: the system, e.g. the seed).

    Does not commit: the caller makes it part of one transaction.
    """
    mine = select(Project).where(Project.portfolio_id == portfolio_id).with_for_update()
    existing = {p.code: p for p in session.exec(mine)}
    added: list[dict[str, Any]] = []
    updated = unchanged = 0
    for record in records:
        values = {column: getattr(record, column) for column in COLUMNS}
        project = existing.pop(record.code, None)
        if project is None:
            added.append(values)
            continue
        changes = versioning.changes_of(project, values)
        if not changes:
            unchanged += 1
            continue
        _audit_changes(session, project, changes, user, action="import")
        versioning.bump(project, changes)
        updated += 1
    _check_count(len(records) + (0 if replace else len(existing)))
    removed = []
    if replace:
        for project in existing.values():
            _audit_delete(session, project, user, action="import")
            session.delete(project)
            removed.append(project.code)
    session.flush()
    _insert_new(session, portfolio_id, added, user)
    created = len(added)
    return ImportSummary(
        rows=len(records),
        created=created,
        updated=updated,
        unchanged=unchanged,
        deleted=len(removed),
        removed_codes=removed,
    )
