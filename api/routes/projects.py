"""Projects of a portfolio: list, add, edit (with `version`), remove, import a CSV/XLSX list."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from pydantic import TypeAdapter

from api.cache import json_answer
from api.deps import CurrentUser, FinanceUser, ResponsesDep, SessionDep, WriterUser, WriteSessionDep
from api.params import NO_CONTROL_CHARACTERS, Id
from app.models import (
    ImportSummary,
    PortfolioCreate,
    Project,
    ProjectCreate,
    ProjectPublic,
    ProjectsSummary,
    ProjectUpdate,
)
from app.rules.portfolio import missing_figures
from app.services import change_requests, projects

router = APIRouter(tags=["projects"])
_PROJECTS = TypeAdapter(list[ProjectPublic])


def _public(project: Project, pending: int) -> ProjectPublic:
    extra = {
        "cost_is_estimate": project.cost_is_estimate,
        "missing": list(missing_figures(project)),
        "pending_changes": pending,
    }
    # from a dict: validating the row object with `update` reads each attribute through SQLModel's
    # wrapper in Python, ~3x slower for a 200-project list (bench/load.py)
    return ProjectPublic.model_validate({**project.model_dump(), **extra})


ProjectSort = Literal[
    "file", "code", "name", "category", "star", "status", "floor_area_m2", "years", "cost_wan",
    "seats_added", "responsible_unit",
]  # fmt: skip


@router.get("/portfolios/{pid}/projects", response_model=list[ProjectPublic])
def list_projects(
    pid: Id,
    request: Request,
    session: SessionDep,
    _: CurrentUser,
    kept: ResponsesDep,
    q: str = Query(
        "",
        max_length=200,
        pattern=NO_CONTROL_CHARACTERS,
        description="text found in code, name, category, status, unit or location",
    ),
    category: str | None = Query(
        None, max_length=100, pattern=NO_CONTROL_CHARACTERS, description="only this category"
    ),
    unit: str | None = Query(
        None,
        max_length=200,
        pattern=NO_CONTROL_CHARACTERS,
        description="only this responsible unit (empty: none given)",
    ),
    status: str | None = Query(
        None,
        max_length=100,
        pattern=NO_CONTROL_CHARACTERS,
        description="only this status (empty: none given)",
    ),
    star: bool | None = Query(None, description="only ★ projects (true) or only others (false)"),
    drafts: bool | None = Query(None, description="only drafts (true) or only complete projects (false)"),
    sort: ProjectSort = Query("file", description="file = the order they were added (the file's order)"),
    order: Literal["asc", "desc"] = "asc",
    offset: int = Query(0, ge=0, description="rows to skip"),
    limit: int | None = Query(
        None, ge=1, le=projects.MAX_PAGE, description="rows to return (default: every matching row)"
    ),
) -> Response:
    """The portfolio's projects that match, sorted, a page at a time (`offset`, `limit`); the header
    `X-Total-Count` says how many match in all. Each carries its pending change requests."""
    query = projects.ProjectQuery(
        text=q,
        category=category,
        unit=unit,
        status=status,
        star=star,
        drafts=drafts,
        sort=sort,
        order=order,
        offset=offset,
        limit=limit,
    )

    def build() -> Response:
        rows, total = projects.query_projects(session=session, portfolio_id=pid, query=query)
        pending = change_requests.pending_by_project(session=session, portfolio_id=pid)
        listed = [_public(p, pending.get(p.id, 0)) for p in rows]
        return json_answer(listed, _PROJECTS, {"X-Total-Count": str(total)})

    return kept.answer(request, session, build)


@router.get("/portfolios/{pid}/projects/summary", response_model=ProjectsSummary)
def projects_summary(pid: Id, session: SessionDep, _: CurrentUser) -> ProjectsSummary:
    """The portfolio in figures (projects, cost and its estimated part, ★, drafts) and the categories,
    units and statuses there are: what the page shows above its table and offers as filters."""
    return ProjectsSummary(**projects.summarize(session=session, portfolio_id=pid))


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
