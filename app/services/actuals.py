"""Actuals: money really spent on a project per year and its percent complete, as owners record them.

An owner records actuals only for its own unit's projects, finance for all (app.services.projects.check_may_write).
A file import (CSV/XLSX: code, year, spent_wan, percent_complete) is checked whole: every error at once
and nothing stored, or every row stored. Re-planning (app.services.scenarios.replan_of) reads them as the frozen past.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.errors import InvalidInput, NotAllowed, NotFound
from app.files.actuals import read_actuals
from app.files.importer import ProjectListError, RowError, UnreadableFileError
from app.files.intake import DEFAULT_CAPS
from app.i18n import Message
from app.models import Actual, ActualPublic, ActualsImportSummary, ActualUpdate, Project, User, utcnow
from app.rules import actuals as rules
from app.rules.actuals import Bounds, YearActual
from app.services import audit, portfolios, projects


def _upsert(
    session: Session, project: Project, year: int, data: ActualUpdate, user: User, *, importing: bool = False
) -> tuple[Actual, bool]:
    query = select(Actual).where(Actual.project_id == project.id, Actual.year == year)
    actual = session.exec(query).first()
    created = actual is None
    values = {
        "spent_wan": data.spent_wan,
        "percent_complete": data.percent_complete,
        "overrun_reason": data.overrun_reason.strip() if data.overrun and data.overrun_reason else None,
    }
    before = {name: None if actual is None else getattr(actual, name) for name in values}
    if actual is None:
        actual = Actual(
            project_id=project.id, year=year, spent_wan=0, percent_complete=0, recorded_by=user.name
        )
    for name, value in values.items():
        setattr(actual, name, value)
    actual.recorded_by = user.name
    actual.recorded_at = utcnow()
    session.add(actual)
    session.flush()
    changed = {
        f"{year}.{name}": (before[name], value) for name, value in values.items() if before[name] != value
    }
    if changed:
        audit.record(
            session,
            actor=user,
            entity="actual",
            entity_id=actual.id,
            portfolio_id=project.portfolio_id,
            project_id=project.id,
            action="import" if importing else "create" if created else "update",
            changes=changed,
        )
    return actual, created


def _years(session: Session, project_id: int) -> dict[int, YearActual]:
    query = select(Actual).where(Actual.project_id == project_id)
    return {a.year: YearActual(a.spent_wan, a.percent_complete) for a in session.exec(query)}


def _problems(project: Project, year: int, data: ActualUpdate, others: dict[int, YearActual], bounds: Bounds):
    return rules.check(
        code=project.code,
        cost_wan=project.cost_wan,
        year=year,
        entry=YearActual(data.spent_wan, data.percent_complete),
        overrun=data.overrun,
        overrun_reason=data.overrun_reason,
        others=others,
        bounds=bounds,
    )


def record(*, session: Session, project_id: int, year: int, data: ActualUpdate, user: User) -> Actual:
    """Record (or correct) a project's actual spend and progress for a year; NotAllowed for other units,
    InvalidInput naming project, year and field when it breaks a rule of app/rules/actuals.py."""
    project = projects.get(session=session, project_id=project_id)
    projects.check_may_write(user=user, unit=project.responsible_unit)
    bounds = portfolios.actual_bounds(session=session, portfolio_id=project.portfolio_id)
    problems = _problems(project, year, data, _years(session, project.id), bounds)
    if problems:
        raise InvalidInput(problems[0][1], [(("body", field), words) for field, words in problems])
    actual, _ = _upsert(session, project, year, data, user)
    session.commit()
    session.refresh(actual)
    return actual


def delete(*, session: Session, project_id: int, year: int, user: User) -> None:
    """Remove a year's actual (a mistake corrected): the same rights as recording it."""
    project = projects.get(session=session, project_id=project_id)
    projects.check_may_write(user=user, unit=project.responsible_unit)
    actual = session.exec(select(Actual).where(Actual.project_id == project_id, Actual.year == year)).first()
    if actual is None:
        raise NotFound("actual", f"{project.code} {year}")
    audit.record(
        session,
        actor=user,
        entity="actual",
        entity_id=actual.id,
        portfolio_id=project.portfolio_id,
        project_id=project.id,
        action="delete",
        old={"year": year, "spent_wan": actual.spent_wan, "percent_complete": actual.percent_complete},
    )
    session.delete(actual)
    session.commit()


def list_for_project(*, session: Session, project_id: int) -> list[Actual]:
    """The project's actuals by year."""
    projects.get(session=session, project_id=project_id)
    return list(session.exec(select(Actual).where(Actual.project_id == project_id).order_by(Actual.year)))


def list_for_portfolio(*, session: Session, portfolio_id: int) -> list[tuple[Actual, str]]:
    """Every actual of the portfolio with its project code, by project then year."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    query = (
        select(Actual, Project.code)
        .join(Project, Project.id == Actual.project_id)
        .where(Project.portfolio_id == portfolio_id)
        .order_by(Project.id, Actual.year)
    )
    return [(actual, code) for actual, code in session.exec(query)]


def spent_by_code(*, session: Session, portfolio_id: int) -> dict[str, dict[int, int]]:
    """{code: {year: spent_wan}}: what the re-plan rule (app.rules.problem.replan) takes."""
    spent: dict[str, dict[int, int]] = {}
    for actual, code in list_for_portfolio(session=session, portfolio_id=portfolio_id):
        spent.setdefault(code, {})[actual.year] = actual.spent_wan
    return spent


def public(actual: Actual, code: str) -> ActualPublic:
    return ActualPublic.model_validate(actual, update={"code": code})


# ── import ────────────────────────────────────────────────────────────────────────────────────────


def _file_problems(
    session: Session, portfolio_id: int, parsed: list[tuple[int, Project, int, ActualUpdate]]
) -> list[RowError]:
    """The rules of app/rules/actuals.py for every row. Each project's rows are taken in year order against
    its stored years and the file's earlier rows, so a pair of rows that disagree, or the row that takes
    spending past the cost, is named once: at the later row."""
    bounds = portfolios.actual_bounds(session=session, portfolio_id=portfolio_id)
    years: dict[int, dict[int, YearActual]] = {}
    errors = []
    for row, project, year, data in sorted(parsed, key=lambda item: (item[1].id, item[2])):
        known = years.setdefault(project.id, _years(session, project.id))
        for field, words in _problems(project, year, data, known, bounds):
            errors.append(RowError(row, field, str(words), words))
        known[year] = YearActual(data.spent_wan, data.percent_complete)
    return errors


def import_file(
    *, session: Session, portfolio_id: int, source: bytes, filename: str | None, user: User
) -> ActualsImportSummary:
    """Store every row of an actuals file, or nothing: ProjectListError lists every row error."""
    by_code = {p.code: p for p in projects.list_projects(session=session, portfolio_id=portfolio_id)}

    def check_code(row: int, code: str) -> list[RowError]:
        project = by_code.get(code)
        if project is None:
            return [RowError.of(row, "code", "actuals_no_project", code=code)]
        try:
            projects.check_may_write(user=user, unit=project.responsible_unit)
        except NotAllowed as err:
            return [RowError.of(row, "code", "prefixed", what=code, message=err.text)]
        return []

    lines, errors = read_actuals(source, filename, check_code)
    parsed: list[tuple[int, Project, int, ActualUpdate]] = []
    seen: dict[tuple[str, int], int] = {}
    for line in lines:
        key = (line.code, line.year)
        if key in seen:
            errors.append(
                RowError.of(
                    line.row, "year", "actuals_given_twice", code=key[0], year=key[1], first_row=seen[key]
                )
            )
            continue
        seen[key] = line.row
        data = ActualUpdate(
            spent_wan=line.spent_wan,
            percent_complete=line.percent_complete,
            overrun=line.overrun,
            overrun_reason=line.overrun_reason,
        )
        parsed.append((line.row, by_code[line.code], line.year, data))
    errors += _file_problems(session, portfolio_id, parsed)
    if errors:
        kept = DEFAULT_CAPS.max_problems  # as the project-list reader keeps them: the rest are counted
        ordered = sorted(errors, key=lambda e: e.row or 0)
        raise ProjectListError(ordered[:kept], max(0, len(ordered) - kept))
    if not parsed:
        raise UnreadableFileError(Message("actuals_no_rows"))
    created = 0
    for _, project, year, data in parsed:
        _, new = _upsert(session, project, year, data, user, importing=True)
        created += new
    session.commit()
    return ActualsImportSummary(rows=len(parsed), created=created, updated=len(parsed) - created)
