"""Projects of a portfolio: add, edit with optimistic concurrency (`version`), remove, import a list.

Who may write: finance any project; an owner only projects whose responsible_unit is its own unit
(before and after the edit); viewers nothing (the API stops them earlier).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleVersion
from app.files import importer
from app.i18n import Field, Message
from app.models import ImportSummary, Project, ProjectCreate, ProjectUpdate, Role, User
from app.rules.portfolio import COLUMNS, ProjectRecord, missing_figures
from app.services import portfolios, versioning

_REQUIRED = ("code", "name", "category", "star", "spent_wan")


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


def get(*, session: Session, project_id: int) -> Project:
    """The project, or NotFound."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("project", project_id)
    return project


def _code_taken(session: Session, portfolio_id: int, code: str) -> Conflict:
    return Conflict(Message("project_code_taken", portfolio=portfolio_id, code=code), ["code"])


def create(*, session: Session, portfolio_id: int, data: ProjectCreate, user: User) -> Project:
    """Add one project; its code must be new in the portfolio."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    check_may_write(user=user, unit=data.responsible_unit)
    taken = select(Project).where(Project.portfolio_id == portfolio_id, Project.code == data.code)
    if session.exec(taken).first() is not None:
        raise _code_taken(session, portfolio_id, data.code)
    project = Project(**data.model_dump(), portfolio_id=portfolio_id)
    session.add(project)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise _code_taken(session, portfolio_id, data.code) from err
    session.refresh(project)
    return project


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
    changes = versioning.changes_of(project, data.model_dump(exclude_unset=True, exclude={"version"}))
    if not changes:
        return project
    _check_merged(project, changes)
    if "responsible_unit" in changes:
        check_may_write(user=user, unit=changes["responsible_unit"])
    try:
        if not versioning.compare_and_set(session, project, changes, data.version):
            raise _stale(session, project_id, data.version)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise _code_taken(session, project.portfolio_id, changes.get("code", project.code)) from err
    session.refresh(project)
    return project


def delete(*, session: Session, project_id: int, user: User) -> None:
    """Remove a project."""
    project = get(session=session, project_id=project_id)
    check_may_write(user=user, unit=project.responsible_unit)
    session.delete(project)
    session.commit()


def import_file(
    *,
    session: Session,
    portfolio_id: int,
    source: Path | bytes,
    filename: str | None = None,
    replace: bool = False,
    drafts: bool = False,
) -> ImportSummary:
    """Read a project list with the CLI's validator and merge it into the portfolio by code (all or nothing).

    Raises the importer's ProjectListError (every row error) or UnreadableFileError before storing anything.
    With `replace`, projects whose code is not in the file are removed. With `drafts`, rows lacking only
    their schedule figures (years, cost) are kept as drafts.
    """
    portfolios.get(session=session, portfolio_id=portfolio_id)
    records = importer.read_projects(source, filename=filename, drafts=drafts)
    summary = merge_records(session=session, portfolio_id=portfolio_id, records=records, replace=replace)
    session.commit()
    return summary.model_copy(update={"drafts": sum(bool(missing_figures(r)) for r in records)})


def merge_records(
    *, session: Session, portfolio_id: int, records: Sequence[ProjectRecord], replace: bool = False
) -> ImportSummary:
    """Add new codes, update changed projects (bumping their version), optionally remove missing ones.

    Does not commit: the caller makes it part of one transaction.
    """
    mine = select(Project).where(Project.portfolio_id == portfolio_id).with_for_update()
    existing = {p.code: p for p in session.exec(mine)}
    created = updated = unchanged = 0
    for record in records:
        values = {column: getattr(record, column) for column in COLUMNS}
        project = existing.pop(record.code, None)
        if project is None:
            session.add(Project(**values, portfolio_id=portfolio_id))
            created += 1
            continue
        changes = versioning.changes_of(project, values)
        if not changes:
            unchanged += 1
            continue
        versioning.bump(project, changes)
        updated += 1
    deleted = 0
    if replace:
        for project in existing.values():
            session.delete(project)
            deleted += 1
    session.flush()
    return ImportSummary(
        rows=len(records), created=created, updated=updated, unchanged=unchanged, deleted=deleted
    )
