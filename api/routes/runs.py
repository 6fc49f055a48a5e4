"""Runs: start a solve in the background (202), watch its progress, read the schedule, cancel."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from fastapi import APIRouter, Body, Query, Request, status
from fastapi.responses import Response
from pydantic import TypeAdapter

from api.cache import LiveRun, json_answer
from api.deps import (
    CurrentUser,
    FinanceUser,
    PoolDep,
    ResponsesDep,
    SessionDep,
    SettingsDep,
    WriteSessionDep,
)
from api.errors import request_lang
from api.params import Id
from app.files.figures import MEDIA_TYPES
from app.models import RunCreate, RunPublic, RunStatus
from app.services import exports as run_exports
from app.services import runs

router = APIRouter(tags=["runs"])
_RUN = TypeAdapter(RunPublic)


class ChartFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


Lang = Literal["zh", "en"]
Paper = Literal["A4", "A3"]


def file_response(content: bytes, fmt: str, name: str) -> Response:
    """The bytes as a download (or inline for what a browser shows) named `name.fmt`."""
    disposition = "inline" if fmt in ("json", "html", "png", "svg") else "attachment"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'},
    )


@router.post("/scenarios/{sid}/runs", response_model=RunPublic, status_code=status.HTTP_202_ACCEPTED)
def start_run(
    sid: Id,
    request: Request,
    session: WriteSessionDep,
    pool: PoolDep,
    settings: SettingsDep,
    user: FinanceUser,
    data: RunCreate | None = Body(default=None),
) -> RunPublic:
    """Queue a solve of the scenario (or a re-plan from `replan_from` over the actuals); returns at once."""
    run = runs.start(
        session=session,
        pool=pool,
        scenario_id=sid,
        user=user,
        time_limit=data.time_limit if data else None,
        default_time_limit=settings.default_time_limit,
        max_time_limit=settings.max_time_limit,
        replan_from=data.replan_from if data else None,
    )
    return runs.public(run, request_lang(request))


@router.get("/scenarios/{sid}/runs", response_model=list[RunPublic])
def list_runs(
    sid: Id,
    request: Request,
    session: SessionDep,
    _: CurrentUser,
    result: bool = Query(
        True, description="false: without each run's schedule (`result` null; status, objective, bound kept)"
    ),
) -> list[RunPublic]:
    """The scenario's runs, newest first."""
    lang = request_lang(request)
    listed = [runs.public(r, lang) for r in runs.list_runs(session=session, scenario_id=sid)]
    return listed if result else [r.model_copy(update={"result": None}) for r in listed]


@router.get("/runs/{rid}", response_model=RunPublic)
def get_run(rid: Id, request: Request, session: SessionDep, _: CurrentUser, kept: ResponsesDep) -> Response:
    """Status, progress, the MODEL.md Solution as `result` once done, its `messages` in the reader's language."""

    def build() -> Response:
        run = runs.get(session=session, run_id=rid, with_problem=False)
        answer = json_answer(runs.public(run, request_lang(request)), _RUN)
        if run.status == RunStatus.RUNNING and run.started_at is not None:  # elapsed counts on, live
            return LiveRun(answer.body, run.started_at)
        return answer

    return kept.answer(request, session, build, work=True)


@router.get("/runs/{rid}/problem", response_model=dict[str, Any])
def get_run_problem(rid: Id, session: SessionDep, _: CurrentUser) -> dict[str, Any]:
    """The exact MODEL.md Problem JSON the run solved (feed it to `capsched solve`)."""
    return runs.get(session=session, run_id=rid).problem


@router.delete("/runs/{rid}", response_model=RunPublic, status_code=status.HTTP_202_ACCEPTED)
def cancel_run(
    rid: Id, request: Request, session: WriteSessionDep, pool: PoolDep, user: FinanceUser
) -> RunPublic:
    """Cancel: a queued run at once, a running one within moments (keeps its best schedule so far)."""
    return runs.public(runs.cancel(session=session, pool=pool, run_id=rid, user=user), request_lang(request))


@router.get(
    "/runs/{rid}/gantt.{fmt}", response_class=Response, responses={200: {"content": {"image/png": {}}}}
)
def run_gantt(
    rid: Id,
    fmt: ChartFormat,
    request: Request,
    session: SessionDep,
    _: CurrentUser,
    settings: SettingsDep,
    kept: ResponsesDep,
    lang: Lang = "zh",
    sort: Literal["start", "slippage", "category"] = "start",
    page: int = Query(
        1, ge=1, le=10_000, description="page of a long chart (json, png, svg); html and pdf hold all"
    ),
    group: Literal["category", "unit", "status", "none"] = Query(
        "category", description="rows grouped by category, responsible unit or status, or not grouped"
    ),
    collapsed: list[str] = Query(
        [],
        max_length=1000,
        description="groups shown as their header alone (their keys, as in layout.meta.groups)",
    ),
    from_year: int | None = Query(None, ge=1900, le=2200, description="zoom: the first year shown"),
    to_year: int | None = Query(None, ge=1900, le=2200, description="zoom: the last year shown"),
    paper: Paper = Query("A4", description="pdf: the page size of the tiles"),
) -> Response:
    """The funding Gantt chart of the run's schedule (json's `layout.meta`: page, pages, groups, years)."""
    years = (from_year, to_year) if from_year is not None or to_year is not None else None

    def build() -> Response:
        content = run_exports.gantt_file(
            session=session,
            run_id=rid,
            fmt=fmt,
            lang=lang,
            sort=sort,
            page=page,
            group=group,
            collapsed=collapsed,
            years=years,
            paper=paper,
            zone=settings.zone,
        )
        return file_response(content, fmt, f"run-{rid}-gantt")

    # a PDF is big and drawn rarely: not kept (as in the chart cache)
    return build() if fmt == ChartFormat.PDF else kept.answer(request, session, build, work=True)


@router.get("/runs/{rid}/sources.{fmt}", response_class=Response)
def run_sources(
    rid: Id, fmt: ChartFormat, session: SessionDep, _: CurrentUser, lang: Lang = "zh"
) -> Response:
    """Spending by funding source against each source's quota, stacked per year (runs with sources)."""
    content = run_exports.sources_file(session=session, run_id=rid, fmt=fmt, lang=lang)
    return file_response(content, fmt, f"run-{rid}-sources")


@router.get("/runs/{rid}/schedule.{fmt}", response_class=Response)
def run_schedule(
    rid: Id, fmt: TableFormat, session: SessionDep, _: CurrentUser, lang: Lang = "zh"
) -> Response:
    """The schedule: one row per project, its funding per year."""
    content = run_exports.schedule_file(session=session, run_id=rid, fmt=fmt, lang=lang)
    return file_response(content, fmt, f"run-{rid}-schedule")


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@router.get("/runs/{rid}/slippage.{fmt}", response_class=Response)
def run_slippage(
    rid: Id, fmt: ReportFormat, session: SessionDep, _: CurrentUser, lang: Lang = "zh"
) -> Response:
    """Slippage per project (planned, baseline and forecast end, years late, why) and per responsible unit."""
    content = run_exports.slippage_file(session=session, run_id=rid, fmt=fmt, lang=lang)
    return file_response(content, fmt, f"run-{rid}-slippage")


class DocumentFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"


@router.get("/runs/{rid}/report.{fmt}", response_class=Response)
def run_report(
    rid: Id,
    fmt: DocumentFormat,
    session: SessionDep,
    _: CurrentUser,
    settings: SettingsDep,
    lang: Lang = "zh",
    paper: Paper = "A4",
    sort: Literal["start", "slippage", "category"] = "start",
) -> Response:
    """The run report: title page, summary, Gantt pages, spend vs cap, slippage and unit tables, costs."""
    content = run_exports.report_file(
        session=session, run_id=rid, fmt=fmt, lang=lang, paper=paper, sort=sort, zone=settings.zone
    )
    return file_response(content, fmt, f"run-{rid}-report")


class PlanFormat(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"


@router.get("/runs/{rid}/annual-plan.{fmt}", response_class=Response)
def run_annual_plan(
    rid: Id,
    fmt: PlanFormat,
    session: SessionDep,
    _: CurrentUser,
    settings: SettingsDep,
    year: int = Query(ge=1900, le=2200, description="the plan's year, inside the run's horizon"),
    lang: Lang = "zh",
) -> Response:
    """The year's investment plan table (年度投资计划表): XLSX or PDF, A3 landscape, by category."""
    content = run_exports.annual_plan_file(
        session=session, run_id=rid, year=year, fmt=fmt, lang=lang, zone=settings.zone
    )
    return file_response(content, fmt, f"run-{rid}-annual-plan-{year}")


@router.get("/runs/{rid}/msproject.xml", response_class=Response)
def run_msproject(rid: Id, session: SessionDep, _: CurrentUser) -> Response:
    """The schedule as MS Project XML (MSPDI): summary task per category, links, baseline, cost per year."""
    content = run_exports.msproject_file(session=session, run_id=rid)
    return Response(
        content,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="run-{rid}-msproject.xml"'},
    )
