"""Change requests: an owner asks to change the approved plan of its project; finance approves or rejects."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, status

from api.deps import CurrentUser, FinanceUser, SessionDep, WriterUser, WriteSessionDep
from api.params import Id
from app.models import ChangeDecision, ChangeRequest, ChangeRequestCreate, ChangeRequestPublic, ChangeState
from app.services import change_requests

router = APIRouter(tags=["change requests"])


def _public(request: ChangeRequest) -> ChangeRequestPublic:
    return ChangeRequestPublic.model_validate(request)


@router.post(
    "/projects/{project_id}/change-requests",
    response_model=ChangeRequestPublic,
    status_code=status.HTTP_201_CREATED,
)
def request_change(
    project_id: Id, data: ChangeRequestCreate, session: WriteSessionDep, user: WriterUser
) -> ChangeRequestPublic:
    """Ask to change plan fields (or remove the project), with a reason; nothing changes until finance approves."""
    return _public(change_requests.create(session=session, project_id=project_id, data=data, user=user))


@router.get("/projects/{project_id}/change-requests", response_model=list[ChangeRequestPublic])
def project_requests(project_id: Id, session: SessionDep, _: CurrentUser) -> list[ChangeRequestPublic]:
    """The project's change requests, newest first."""
    return [_public(r) for r in change_requests.list_for_project(session=session, project_id=project_id)]


@router.get("/portfolios/{pid}/change-requests", response_model=list[ChangeRequestPublic])
def portfolio_requests(
    pid: Id,
    session: SessionDep,
    _: CurrentUser,
    state: ChangeState | None = Query(None, description="pending, approved or rejected (default: all)"),
) -> list[ChangeRequestPublic]:
    """The portfolio's change requests, newest first."""
    found = change_requests.list_for_portfolio(session=session, portfolio_id=pid, state=state)
    return [_public(r) for r in found]


@router.post("/change-requests/{request_id}/approve", response_model=ChangeRequestPublic)
def approve_request(
    request_id: Id,
    session: WriteSessionDep,
    user: FinanceUser,
    data: ChangeDecision | None = Body(default=None),
) -> ChangeRequestPublic:
    """Apply the request to the project (finance); 409 when the project changed since it was made."""
    decided = change_requests.approve(
        session=session, request_id=request_id, data=data or ChangeDecision(), user=user
    )
    return _public(decided)


@router.post("/change-requests/{request_id}/reject", response_model=ChangeRequestPublic)
def reject_request(
    request_id: Id,
    session: WriteSessionDep,
    user: FinanceUser,
    data: ChangeDecision | None = Body(default=None),
) -> ChangeRequestPublic:
    """Turn the request down (finance); the project stays as it is."""
    decided = change_requests.reject(
        session=session, request_id=request_id, data=data or ChangeDecision(), user=user
    )
    return _public(decided)
