"""The FastAPI application: `create_app(settings)` wires the database, background pool, routes and the page.

uvicorn --factory api.main:create_app     (or `capsched serve`, which also prints a login URL)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import plotly
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api import errors
from api.admission import AdmissionLimit
from api.cache import KeptAnswers, ResponseCache, VersionReader
from api.deps import get_current_user
from api.docs import mount_docs
from api.middleware import RequestId
from api.routes import (
    actuals,
    audit,
    baselines,
    change_requests,
    funding,
    health,
    portfolios,
    projects,
    risk,
    runs,
    scenarios,
    tradeoffs,
    users,
)
from api.security import SecurityHeaders
from api.upload_limit import BodySizeLimit
from app import __version__, resources
from app.db import make_engine, reader, server_pool
from app.fanout import DaskFanout
from app.runner import make_pool
from app.services.tokens import TokenBook
from app.settings import Settings, get_settings
from app.startup import prepare_database

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

_NO_PAGE = """<!doctype html><meta charset="utf-8"><title>capsched</title>
<p>capsched is running. The web page is not installed; the API is at <a href="/docs">/docs</a>.</p>"""


def _api_router() -> APIRouter:
    """Every route under /api; all but the health check need a token, checked before anything else of the
    request runs (api/deps.py: in the event loop, from memory), so a request without one costs no thread."""
    router = APIRouter(prefix="/api", responses=errors.ERROR_RESPONSES)
    router.include_router(health.router)
    signed_in = APIRouter(dependencies=[Depends(get_current_user)])
    for module in (
        audit,
        change_requests,
        portfolios,
        projects,
        actuals,
        scenarios,
        funding,
        runs,
        baselines,
        tradeoffs,
        risk,
        users,
    ):
        signed_in.include_router(module.router)
    router.include_router(signed_in)
    return router


def _mount_page(app: FastAPI) -> None:
    static = resources.static_dir()

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = static / "index.html"
        return FileResponse(page) if page.is_file() else HTMLResponse(_NO_PAGE)

    app.mount("/", StaticFiles(directory=static, html=True, check_dir=False), name="page")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app for `settings` (default: from the environment). The database is migrated on start."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare_database(settings)
        # sync routes run on anyio's default thread limiter: as many threads as the pool has connections for
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        pool = server_pool(
            request_threads=settings.request_threads,
            background_threads=settings.workers + 1,
            wait_seconds=settings.database_wait_seconds,
        )
        engine = make_engine(settings.database_url, pool)
        app.state.engine = engine
        app.state.reader = reader(engine)
        app.state.tokens = TokenBook(engine)
        # sweeps, least-budget searches and risk batches fan out to Dask: the cluster at
        # CAPSCHED_DASK_ADDRESS, or a LocalCluster of this machine started at the first such job
        app.state.fanout = DaskFanout(
            address=settings.dask_address,
            workers=settings.dask_workers,
            connect_timeout=settings.dask_connect_timeout,
        )
        app.state.pool = make_pool(
            engine=engine,
            run_threads=settings.workers,
            solver_threads=settings.solver_threads,
            max_queued=settings.max_queued,
            nice=settings.solver_nice,
            fanout=app.state.fanout,
        )
        try:
            yield
        finally:
            app.state.pool.shutdown()
            app.state.fanout.close()
            await app.state.versions.aclose()
            engine.dispose()

    app = FastAPI(
        title="capsched",
        version=__version__,
        summary="Annual funding schedules for a capital-project portfolio under budget caps (资本项目资金排程).",
        lifespan=lifespan,
        docs_url=None,  # api/docs.py serves /docs and /redoc from this server, with no inline script
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.responses = ResponseCache()
    app.state.versions = VersionReader(settings.database_url)
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(AdmissionLimit, limit=settings.max_requests_in_flight)
    # outside the admission limit: a kept answer is sent from memory in the event loop (no thread, no
    # connection), so it neither waits for nor takes one of the places the limit guards
    app.add_middleware(KeptAnswers)
    app.add_middleware(SecurityHeaders)  # outside the admission limit: its 503s carry the headers too
    app.add_middleware(RequestId)  # added last: outermost, so every line of the request carries its id
    app.include_router(_api_router())
    mount_docs(app)
    _mount_page(app)
    return app
