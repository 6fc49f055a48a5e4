"""Cost risk (issue 17): a Monte Carlo over cost overruns as a background job, its figures and charts."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Body, Request, status
from fastapi.responses import Response

from api.deps import CurrentUser, FinanceUser, PoolDep, SessionDep, SettingsDep, WriteSessionDep
from api.errors import request_lang
from api.params import Id
from api.routes.runs import Lang, file_response
from app.models import JobKind, RiskCreate, RiskPublic
from app.services import jobs

router = APIRouter(tags=["risk"])


class RiskChart(StrEnum):
    PROBABILITY = "probability"
    SLIPPAGE = "slippage"
    BUDGET = "budget"


class ChartFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


@router.post("/scenarios/{sid}/risk", response_model=RiskPublic, status_code=status.HTTP_202_ACCEPTED)
def start_risk(
    request: Request,
    sid: Id,
    session: WriteSessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    user: FinanceUser,
    data: RiskCreate | None = Body(default=None),
) -> RiskPublic:
    """Queue a cost risk analysis of the scenario (finance); poll it for progress and figures."""
    job = jobs.start_risk(
        session=session,
        pool=pool,
        scenario_id=sid,
        user=user,
        data=data or RiskCreate(),
        max_time_limit=settings.max_time_limit,
    )
    return jobs.risk_public(job, request_lang(request))


@router.get("/scenarios/{sid}/risk", response_model=list[RiskPublic])
def list_risk(request: Request, sid: Id, session: SessionDep, _: CurrentUser) -> list[RiskPublic]:
    """The scenario's risk analyses, newest first."""
    found = jobs.list_jobs(session=session, scenario_id=sid, kind=JobKind.RISK)
    return [jobs.risk_public(job, request_lang(request)) for job in found]


@router.get("/risk/{job_id}", response_model=RiskPublic)
def get_risk(request: Request, job_id: Id, session: SessionDep, _: CurrentUser) -> RiskPublic:
    """Status, progress and, when done, the figures with the assumptions they rest on."""
    return jobs.risk_public(
        jobs.get(session=session, job_id=job_id, kind=JobKind.RISK), request_lang(request)
    )


@router.delete("/risk/{job_id}", response_model=RiskPublic, status_code=status.HTTP_202_ACCEPTED)
def cancel_risk(
    request: Request, job_id: Id, session: WriteSessionDep, pool: PoolDep, user: FinanceUser
) -> RiskPublic:
    """Cancel a risk analysis: its pending solves are cancelled, running ones told to stop."""
    job = jobs.cancel(session=session, pool=pool, job_id=job_id, kind=JobKind.RISK, user=user)
    return jobs.risk_public(job, request_lang(request))


@router.get("/risk/{job_id}/{chart}.{fmt}", response_class=Response)
def risk_chart(
    job_id: Id, chart: RiskChart, fmt: ChartFormat, session: SessionDep, _: CurrentUser, lang: Lang = "zh"
) -> Response:
    """A chart of the figures: probability (P(on time) per project), slippage (S-curve), budget (the share
    of samples keeping every ★ on time against a flat budget, the P80 budget marked)."""
    content = jobs.risk_file(session=session, job_id=job_id, chart=chart, fmt=fmt, lang=lang)
    return file_response(content, fmt, f"risk-{job_id}-{chart}")
