"""Change requests: how an owner asks to change the approved plan of its project (app.models.PLAN_FIELDS:
years, ★, cost, seats, code, responsible unit) or to remove the project; finance approves or rejects.

Until finance approves, nothing in scheduling changes: the request is stored beside the project with who,
when, each field's old → new value and the owner's reason. Approving applies the request to the project
as one new version — only if the plan fields it names still hold the values the request saw (else it is
stale: 409, file a new one) — and both the decision and the project's changes are in the audit trail,
tied to the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, select

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Field, Listing, Message
from app.models import (
    ChangeDecision,
    ChangeRequest,
    ChangeRequestCreate,
    ChangeState,
    User,
    utcnow,
)
from app.services import audit, portfolios, projects, versioning


def get(*, session: Session, request_id: int) -> ChangeRequest:
    """The change request, or NotFound."""
    found = session.get(ChangeRequest, request_id)
    if found is None:
        raise NotFound("change request", request_id)
    return found


def list_for_portfolio(
    *, session: Session, portfolio_id: int, state: ChangeState | None = None
) -> Sequence[ChangeRequest]:
    """The portfolio's requests (of one state, or all), newest first."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    query = select(ChangeRequest).where(ChangeRequest.portfolio_id == portfolio_id)
    if state is not None:
        query = query.where(ChangeRequest.state == state)
    return list(session.exec(query.order_by(ChangeRequest.id.desc())))


def list_for_project(*, session: Session, project_id: int) -> Sequence[ChangeRequest]:
    """The project's requests, newest first."""
    projects.get(session=session, project_id=project_id)
    query = select(ChangeRequest).where(ChangeRequest.project_id == project_id)
    return list(session.exec(query.order_by(ChangeRequest.id.desc())))


def _fields(names: Sequence[str]) -> Listing:
    return Listing(tuple(Field(n) for n in names))


def create(*, session: Session, project_id: int, data: ChangeRequestCreate, user: User) -> ChangeRequest:
    """File a request (an owner for its own unit's projects, or finance), recorded with the values it
    would replace."""
    project = projects.get(session=session, project_id=project_id)
    projects.check_may_write(user=user, unit=project.responsible_unit)
    asked = data.changes.model_dump(exclude_unset=True)
    nulled = [name for name, value in asked.items() if value is None and name in projects.REQUIRED_PLAN]
    if nulled:
        raise InvalidInput(
            Message("fields_cannot_be_empty", fields=_fields(nulled)),
            [(("body", "changes", name), Message("cannot_be_empty")) for name in nulled],
        )
    changes = versioning.changes_of(project, asked)
    if asked and not changes:
        words = Message("change_request_same", fields=_fields(sorted(asked)))
        raise InvalidInput(words, [(("body", "changes"), words)])
    if not changes and not data.remove:
        raise InvalidInput(
            Message("change_request_empty"), [(("body", "changes"), Message("change_request_empty"))]
        )
    if changes:
        projects.check_plan_change(project, changes)
    request = ChangeRequest(
        portfolio_id=project.portfolio_id,
        project_id=project.id,
        project_code=project.code,
        changes={
            name: {"old": audit.plain(getattr(project, name)), "new": value}
            for name, value in changes.items()
        },
        remove=data.remove,
        reason=data.reason.strip(),
        requested_by=user.name,
        project_version=project.version,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=user,
        entity="change_request",
        entity_id=request.id,
        portfolio_id=project.portfolio_id,
        project_id=project.id,
        change_request_id=request.id,
        action="request",
        new={"changes": request.changes, "remove": request.remove},
        note=request.reason,
    )
    session.commit()
    session.refresh(request)
    return request


def _pending(session: Session, request_id: int) -> ChangeRequest:
    request = get(session=session, request_id=request_id)
    if request.state != ChangeState.PENDING:
        state = Message(f"cr_state_{request.state}")
        raise Conflict(Message("change_request_decided", id=request_id, state=state), ["state"])
    return request


def _decide(
    session: Session, request: ChangeRequest, state: ChangeState, data: ChangeDecision, user: User
) -> None:
    request.state = state
    request.decided_by = user.name
    request.decided_at = utcnow()
    request.decision_note = data.note
    session.add(request)
    audit.record(
        session,
        actor=user,
        entity="change_request",
        entity_id=request.id,
        portfolio_id=request.portfolio_id,
        project_id=request.project_id,
        change_request_id=request.id,
        action=str(state),
        changes={"state": (ChangeState.PENDING, state)},
        note=data.note,
    )


def approve(*, session: Session, request_id: int, data: ChangeDecision, user: User) -> ChangeRequest:
    """Apply a pending request to its project (finance), or remove the project; Conflict when the project's
    plan fields no longer hold the values the request saw."""
    request = _pending(session, request_id)
    project = projects.get(session=session, project_id=request.project_id)
    moved = sorted(
        name
        for name, values in request.changes.items()
        if audit.plain(getattr(project, name)) != values["old"]
    )
    if moved:
        words = Message("change_request_stale", code=project.code, fields=_fields(moved))
        raise Conflict(words, moved)
    _decide(session, request, ChangeState.APPROVED, data, user)
    if request.remove:
        projects.remove(session, project, user, change_request_id=request.id)
    else:
        changes: dict[str, Any] = {name: values["new"] for name, values in request.changes.items()}
        projects.apply_plan_change(
            session, project, changes, user, change_request_id=request.id, requested_by=request.requested_by
        )
    session.commit()
    session.refresh(request)
    return request


def reject(*, session: Session, request_id: int, data: ChangeDecision, user: User) -> ChangeRequest:
    """Turn a pending request down (finance): the project stays as it is."""
    request = _pending(session, request_id)
    projects.get(session=session, project_id=request.project_id)
    _decide(session, request, ChangeState.REJECTED, data, user)
    session.commit()
    session.refresh(request)
    return request


def pending_for_project(*, session: Session, project_id: int) -> int:
    """How many pending requests the project has."""
    pending = select(ChangeRequest).where(
        ChangeRequest.project_id == project_id, ChangeRequest.state == ChangeState.PENDING
    )
    return len(session.exec(pending).all())


def pending_by_project(*, session: Session, portfolio_id: int) -> dict[int, int]:
    """How many pending requests each project of the portfolio has."""
    counts: dict[int, int] = {}
    for request in list_for_portfolio(session=session, portfolio_id=portfolio_id, state=ChangeState.PENDING):
        counts[request.project_id] = counts.get(request.project_id, 0) + 1
    return counts
