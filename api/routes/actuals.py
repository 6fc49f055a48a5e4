"""Actuals: money really spent per project and year, and percent complete (owners: their own unit's)."""

from __future__ import annotations

from fastapi import APIRouter, File, Path, UploadFile, status

from api.deps import CurrentUser, SessionDep, WriterUser, WriteSessionDep
from api.params import Id
from app.models import ActualPublic, ActualsImportSummary, ActualUpdate
from app.services import actuals, projects

router = APIRouter(tags=["actuals"])


@router.put("/projects/{project_id}/actuals/{year}", response_model=ActualPublic)
def record_actual(
    project_id: Id,
    data: ActualUpdate,
    session: WriteSessionDep,
    user: WriterUser,
    year: int = Path(ge=1900, le=2200),
) -> ActualPublic:
    """Record or correct a year's actual spend and progress (finance; an owner for its own unit)."""
    actual = actuals.record(session=session, project_id=project_id, year=year, data=data, user=user)
    return actuals.public(actual, projects.get(session=session, project_id=project_id).code)


@router.delete("/projects/{project_id}/actuals/{year}", status_code=status.HTTP_204_NO_CONTENT)
def delete_actual(
    project_id: Id, session: WriteSessionDep, user: WriterUser, year: int = Path(ge=1900, le=2200)
) -> None:
    """Remove a year's actual recorded by mistake (the same rights as recording it)."""
    actuals.delete(session=session, project_id=project_id, year=year, user=user)


@router.get("/projects/{project_id}/actuals", response_model=list[ActualPublic])
def list_project_actuals(project_id: Id, session: SessionDep, _: CurrentUser) -> list[ActualPublic]:
    """The project's actuals by year."""
    code = projects.get(session=session, project_id=project_id).code
    return [actuals.public(a, code) for a in actuals.list_for_project(session=session, project_id=project_id)]


@router.get("/portfolios/{pid}/actuals", response_model=list[ActualPublic])
def list_portfolio_actuals(pid: Id, session: SessionDep, _: CurrentUser) -> list[ActualPublic]:
    """Every actual of the portfolio, by project and year."""
    return [
        actuals.public(a, code) for a, code in actuals.list_for_portfolio(session=session, portfolio_id=pid)
    ]


@router.post(
    "/portfolios/{pid}/actuals/import",
    response_model=ActualsImportSummary,
    status_code=status.HTTP_201_CREATED,
)
def import_actuals(
    pid: Id,
    session: WriteSessionDep,
    user: WriterUser,
    file: UploadFile = File(description="CSV/XLSX with columns code, year, spent_wan, percent_complete"),
) -> ActualsImportSummary:
    """Import actuals: every row error (422) and nothing stored, or counts. Owners: own unit's rows only."""
    return actuals.import_file(
        session=session, portfolio_id=pid, source=file.file.read(), filename=file.filename, user=user
    )
