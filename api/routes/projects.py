"""Projects of a portfolio: list, add, edit (with `version`), remove, import a CSV/XLSX list."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, UploadFile, status

from api.deps import CurrentUser, FinanceUser, SessionDep, WriterUser, WriteSessionDep
from api.params import NO_CONTROL_CHARACTERS, Id
from app.models import ImportSummary, PortfolioCreate, Project, ProjectCreate, ProjectPublic, ProjectUpdate
from app.rules.portfolio import missing_figures
from app.services import change_requests, projects

router = APIRouter(tags=["projects"])


def _public(project: Project, pending: int) -> ProjectPublic:
    extra = {
        "cost_is_estimate": project.cost_is_estimate,
        "missing": list(missing_figures(project)),
        "pending_changes": pending,
    }
    # from a dict: validating the row object with `update` reads each attribute through SQLModel's
    # wrapper in Python, ~3x slower for a 200-project list (bench/load.py)
    return ProjectPublic.model_validate({**project.model_dump(), **extra})


@router.get("/portfolios/{pid}/projects", response_model=list[ProjectPublic])
def list_projects(pid: Id, session: SessionDep, _: CurrentUser) -> list[ProjectPublic]:
    """The portfolio's projects, in file order, each with its pending change requests counted."""
    pending = change_requests.pending_by_project(session=session, portfolio_id=pid)
    return [
        _public(p, pending.get(p.id, 0)) for p in projects.list_projects(session=session, portfolio_id=pid)
    ]


@router.post("/portfolios/{pid}/projects", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def add_project(pid: Id, data: ProjectCreate, session: WriteSessionDep, user: WriterUser) -> ProjectPublic:
    """Add a project (finance: a new project changes the approved plan; an owner is told to ask finance)."""
    return _public(projects.create(session=session, portfolio_id=pid, data=data, user=user), 0)


@router.post("/portfolios/{pid}/import", response_model=ImportSummary, status_code=status.HTTP_201_CREATED)
def import_projects(
    pid: Id,
    session: WriteSessionDep,
    user: FinanceUser,
    file: UploadFile = File(description="the project list: CSV (UTF-8 or GBK) or XLSX"),
    replace: bool = Query(False, description="also remove projects whose code is not in the file"),
    drafts: bool = Query(False, description="keep rows lacking only years or cost as drafts"),
    dry_run: bool = Query(
        False, description="only say what the import would do (which projects replace removes)"
    ),
) -> ImportSummary:
    """Import a project list with the CLI's validator: every row error (422) and nothing stored, or counts."""
    data = file.file.read()
    return projects.import_file(
        session=session,
        portfolio_id=pid,
        source=data,
        filename=file.filename,
        replace=replace,
        drafts=drafts,
        dry_run=dry_run,
        user=user,
    )


@router.post("/portfolios/import", response_model=ImportSummary, status_code=status.HTTP_201_CREATED)
def import_new_portfolio(
    session: WriteSessionDep,
    user: FinanceUser,
    name: str = Query(
        min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS, description="the new portfolio's name"
    ),
    file: UploadFile = File(description="the project list: CSV (UTF-8 or GBK) or XLSX"),
    drafts: bool = Query(False, description="keep rows lacking only years or cost as drafts"),
) -> ImportSummary:
    """A new portfolio from a project list (finance): every row error (422) and nothing stored, or counts."""
    return projects.import_new_portfolio(
        session=session,
        data=PortfolioCreate(name=name),
        source=file.file.read(),
        filename=file.filename,
        drafts=drafts,
        user=user,
    )


@router.get("/projects/{project_id}", response_model=ProjectPublic)
def get_project(project_id: Id, session: SessionDep, _: CurrentUser) -> ProjectPublic:
    """One project, with its pending change requests counted."""
    project = projects.get(session=session, project_id=project_id)
    return _public(project, change_requests.pending_for_project(session=session, project_id=project_id))


@router.patch("/projects/{project_id}", response_model=ProjectPublic)
def edit_project(
    project_id: Id, data: ProjectUpdate, session: WriteSessionDep, user: WriterUser
) -> ProjectPublic:
    """Edit a project; `version` must be the one you read (409 names what changed since)."""
    project = projects.update(session=session, project_id=project_id, data=data, user=user)
    return _public(project, change_requests.pending_for_project(session=session, project_id=project_id))


@router.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_project(project_id: Id, session: WriteSessionDep, user: WriterUser) -> None:
    """Remove a project (finance; an owner for its own unit)."""
    projects.delete(session=session, project_id=project_id, user=user)
