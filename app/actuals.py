"""Actuals: money really spent on a project per year and its percent complete, as owners record them.

An owner records actuals only for its own unit's projects, finance for all (app.projects.check_may_write).
A file import (CSV/XLSX: code, year, spent_wan, percent_complete) is checked whole: every error at once
and nothing stored, or every row stored. Re-planning (app.planning) reads them as the frozen past.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, select

from app import importer, portfolios, projects
from app.errors import NotAllowed
from app.i18n import Field, Message
from app.importer import ProjectListError, RowError, UnreadableFileError
from app.models import Actual, ActualPublic, ActualsImportSummary, ActualUpdate, Project, User, utcnow

COLUMNS = ("code", "year", "spent_wan", "percent_complete")
# Chinese headers a finance office writes, mapped to the columns
HEADER_ALIASES = {
    "项目编号": "code",
    "编号": "code",
    "年度": "year",
    "年份": "year",
    "实际支出(万元)": "spent_wan",
    "实际支出（万元）": "spent_wan",
    "实际支出": "spent_wan",
    "完成百分比": "percent_complete",
    "完成进度(%)": "percent_complete",
    "完成进度（%）": "percent_complete",
}
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _upsert(
    session: Session, project_id: int, year: int, data: ActualUpdate, user: User
) -> tuple[Actual, bool]:
    query = select(Actual).where(Actual.project_id == project_id, Actual.year == year)
    actual = session.exec(query).first()
    created = actual is None
    if actual is None:
        actual = Actual(
            project_id=project_id, year=year, spent_wan=0, percent_complete=0, recorded_by=user.name
        )
    actual.spent_wan = data.spent_wan
    actual.percent_complete = data.percent_complete
    actual.recorded_by = user.name
    actual.recorded_at = utcnow()
    session.add(actual)
    return actual, created


def record(*, session: Session, project_id: int, year: int, data: ActualUpdate, user: User) -> Actual:
    """Record (or correct) a project's actual spend and progress for a year; NotAllowed for other units."""
    project = projects.get(session=session, project_id=project_id)
    projects.check_may_write(user=user, unit=project.responsible_unit)
    actual, _ = _upsert(session, project_id, year, data, user)
    session.commit()
    session.refresh(actual)
    return actual


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
    """{code: {year: spent_wan}}: what the re-plan rule (app.problem_builder.replan) takes."""
    spent: dict[str, dict[int, int]] = {}
    for actual, code in list_for_portfolio(session=session, portfolio_id=portfolio_id):
        spent.setdefault(code, {})[actual.year] = actual.spent_wan
    return spent


def public(actual: Actual, code: str) -> ActualPublic:
    return ActualPublic.model_validate(actual, update={"code": code})


# ── import ────────────────────────────────────────────────────────────────────────────────────────


def import_file(
    *, session: Session, portfolio_id: int, source: bytes, filename: str | None, user: User
) -> ActualsImportSummary:
    """Store every row of an actuals file, or nothing: ProjectListError lists every row error."""
    by_code = {p.code: p for p in projects.list_projects(session=session, portfolio_id=portfolio_id)}
    table = importer._read_table(source, filename)
    columns, errors = _columns(table[0])
    if errors:
        raise ProjectListError(errors)
    parsed: list[tuple[Project, int, ActualUpdate]] = []
    seen: dict[tuple[str, int], int] = {}
    for offset, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        row, row_errors = _parse_row(offset, columns, cells, by_code, user)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row[0].code, row[1])
        if key in seen:
            errors.append(
                RowError.of(
                    offset, "year", "actuals_given_twice", code=key[0], year=key[1], first_row=seen[key]
                )
            )
            continue
        seen[key] = offset
        parsed.append(row)
    if errors:
        raise ProjectListError(errors)
    if not parsed:
        raise UnreadableFileError(Message("actuals_no_rows"))
    created = 0
    for project, year, data in parsed:
        _, new = _upsert(session, project.id, year, data, user)
        created += new
    session.commit()
    return ActualsImportSummary(rows=len(parsed), created=created, updated=len(parsed) - created)


def _columns(header: Sequence[str]) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_ALIASES.get(cell.strip(), cell.strip().lower())
        if name in COLUMNS and name not in columns:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns]
    needed = ", ".join(COLUMNS)
    errors = [RowError.of(1, c, "actuals_missing_column", column=Field(c), needed=needed) for c in missing]
    return columns, errors


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _parse_row(
    row: int, columns: dict[str, int], cells: Sequence[str], by_code: dict[str, Project], user: User
) -> tuple[tuple[Project, int, ActualUpdate] | None, list[RowError]]:
    values: dict[str, Any] = {c: (cells[i].strip() if i < len(cells) else "") for c, i in columns.items()}
    errors: list[RowError] = []
    project = by_code.get(values["code"])
    if not values["code"]:
        errors.append(RowError.of(row, "code", "actuals_code_empty", column=Field("code")))
    elif project is None:
        errors.append(RowError.of(row, "code", "actuals_no_project", code=values["code"]))
    else:
        try:
            projects.check_may_write(user=user, unit=project.responsible_unit)
        except NotAllowed as err:
            errors.append(RowError.of(row, "code", "prefixed", what=values["code"], message=err.text))
    year = _number(values["year"])
    if year is None or year != int(year) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(RowError.of(row, "year", "actuals_bad_year", column=Field("year"), raw=values["year"]))
    spent = _number(values["spent_wan"])
    if spent is None or spent != int(spent) or spent < 0:
        errors.append(
            RowError.of(
                row, "spent_wan", "actuals_bad_spent", column=Field("spent_wan"), raw=values["spent_wan"]
            )
        )
    percent = _number(values["percent_complete"].rstrip("%"))
    if percent is None or not 0 <= percent <= 100:
        errors.append(
            RowError.of(
                row,
                "percent_complete",
                "actuals_bad_percent",
                column=Field("percent_complete"),
                raw=values["percent_complete"],
            )
        )
    if errors:
        return None, errors
    return (project, int(year), ActualUpdate(spent_wan=int(spent), percent_complete=percent)), []
