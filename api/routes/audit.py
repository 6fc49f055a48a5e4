"""The audit trail: who changed what, when (every write is recorded in its own transaction)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentUser, SessionDep
from api.routes.runs import Lang, file_response
from app.models import AuditPublic
from app.rules.limits import INT32_MAX
from app.services import audit

router = APIRouter(tags=["audit"])

Entity = Query(
    None, description="portfolio, project, scenario, actual, baseline, run, job, user, change_request"
)


@router.get("/audit", response_model=list[AuditPublic])
def list_audit(
    session: SessionDep,
    _: CurrentUser,
    entity: str | None = Entity,
    id: int | None = Query(None, ge=1, le=INT32_MAX, description="the entity's id (with `entity`)"),
    portfolio: int | None = Query(None, ge=1, le=INT32_MAX, description="every change in this portfolio"),
    project: int | None = Query(
        None, ge=1, le=INT32_MAX, description="a project's history: its edits, actuals, requests"
    ),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=INT32_MAX),
) -> list[AuditPublic]:
    """Recorded changes, newest first."""
    rows = audit.history(
        session=session,
        entity=entity,
        entity_id=id,
        portfolio_id=portfolio,
        project_id=project,
        limit=limit,
        offset=offset,
    )
    return [AuditPublic.model_validate(row) for row in rows]


@router.get("/audit.xlsx", response_class=Response)
def export_audit(
    session: SessionDep,
    _: CurrentUser,
    entity: str | None = Entity,
    id: int | None = Query(None, ge=1, le=INT32_MAX),
    portfolio: int | None = Query(None, ge=1, le=INT32_MAX),
    project: int | None = Query(None, ge=1, le=INT32_MAX),
    lang: Lang = "zh",
) -> Response:
    """The same changes as a workbook (up to 100,000 rows)."""
    rows = audit.history(
        session=session,
        entity=entity,
        entity_id=id,
        portfolio_id=portfolio,
        project_id=project,
        limit=100_000,
    )
    return file_response(audit.workbook(rows, lang), "xlsx", "audit")
