"""Health for a reverse proxy or monitor: database reachable, migrations current, pool size and queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import PoolDep
from app.models import HealthPublic
from app.services import health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, responses={503: {"model": HealthPublic}})
def get_health(request: Request, pool: PoolDep) -> JSONResponse:
    """200 when the service can serve; 503 with the same body when it cannot (no token needed)."""
    found = health.check(engine=request.app.state.engine, threads=pool.threads(), queued=pool.queued())
    return JSONResponse(found.model_dump(), status_code=200 if found.status == "ok" else 503)
