"""Background runs: a bounded pool of solver threads (CP-SAT releases the GIL), cancel, crash and restart.

A run is a row (app.models.Run); this module moves it through queued → running → done / failed /
cancelled. Cancel requests are `threading.Event`s handed to the solver as `stop`, so they reach only
solves of this process (one server process; see README).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlalchemy import update as sql_update
from sqlmodel import Session, select

from app import planning, scenarios
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Message
from app.job_errors import CANCELLED_QUEUED, INTERRUPTED_BY_RESTART, INTERRUPTED_BY_SHUTDOWN, error_text
from app.models import Run, RunProgress, RunPublic, RunStatus, User, utcnow
from app.solver_messages import run_messages

log = logging.getLogger(__name__)


class RunPool:
    """Solves runs in at most `workers` threads, in the order they were submitted."""

    def __init__(self, *, engine: Engine, workers: int = 1, solver_threads: int = 2) -> None:
        self._engine = engine
        self._solver_threads = solver_threads
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capsched-run")
        self._stops: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self._closing = False

    def submit(self, run_id: int) -> None:
        """Queue a run (already stored as queued)."""
        stop = threading.Event()
        with self._lock:
            self._stops[run_id] = stop
        self._executor.submit(self._work, run_id, stop)

    def request_stop(self, run_id: int) -> bool:
        """Ask a queued or running solve of this process to stop; False if it is not here."""
        with self._lock:
            stop = self._stops.get(run_id)
        if stop is None:
            return False
        stop.set()
        return True

    def shutdown(self) -> None:
        """Stop every solve, wait for the threads, and mark what did not finish as interrupted."""
        self._closing = True
        with self._lock:
            for stop in self._stops.values():
                stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        with Session(self._engine) as session:
            mark_interrupted(session=session, reason=INTERRUPTED_BY_SHUTDOWN)

    def _work(self, run_id: int, stop: threading.Event) -> None:
        try:
            status = planning.execute_run(
                engine=self._engine, run_id=run_id, workers=self._solver_threads, stop=stop
            )
            if status is RunStatus.CANCELLED and self._closing:
                planning.mark_failed(engine=self._engine, run_id=run_id, reason=INTERRUPTED_BY_SHUTDOWN)
        except Exception as err:  # a crash of one run must not kill the pool: record it on the run
            log.exception("run %s crashed", run_id)
            planning.mark_failed(engine=self._engine, run_id=run_id, reason=f"{type(err).__name__}: {err}")
        finally:
            with self._lock:
                self._stops.pop(run_id, None)


def mark_interrupted(*, session: Session, reason: str = INTERRUPTED_BY_RESTART) -> int:
    """Mark runs left queued or running (by a process that is gone) as failed; how many."""
    result = session.execute(
        sql_update(Run)
        .where(Run.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
        .values(status=RunStatus.FAILED, error=reason, finished_at=utcnow())
    )
    session.commit()
    return result.rowcount


def get(*, session: Session, run_id: int) -> Run:
    """The run, or NotFound."""
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound("run", run_id)
    return run


def list_runs(*, session: Session, scenario_id: int) -> list[Run]:
    """The scenario's runs, newest first."""
    scenarios.get(session=session, scenario_id=scenario_id)
    return list(session.exec(select(Run).where(Run.scenario_id == scenario_id).order_by(Run.id.desc())))


def start(
    *,
    session: Session,
    pool: RunPool,
    scenario_id: int,
    user: User,
    time_limit: float | None,
    default_time_limit: float,
    max_time_limit: float,
    replan_from: int | None = None,
) -> Run:
    """Store a queued run of the scenario and hand it to the pool; returns at once."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    seconds = time_limit or scenario.time_limit or default_time_limit
    if seconds > max_time_limit:
        raise InvalidInput(
            Message("time_limit_over_max", seconds=f"{seconds:g}", limit=f"{max_time_limit:g}"),
            [(("body", "time_limit"), Message("at_most", limit=f"{max_time_limit:g}"))],
        )
    run = planning.create_run(
        session=session,
        scenario_id=scenario_id,
        started_by=user.name,
        time_limit=seconds,
        replan_from=replan_from,
    )
    pool.submit(run.id)
    return run


def cancel(*, session: Session, pool: RunPool, run_id: int) -> Run:
    """Cancel a queued run at once, or ask a running one to stop (it turns `cancelled` within moments)."""
    run = get(session=session, run_id=run_id)
    if RunStatus(run.status).finished:
        raise Conflict(Message("run_already_finished", run=run_id, status=run.status), ["status"])
    pool.request_stop(run_id)
    session.execute(
        sql_update(Run)
        .where(Run.id == run_id, Run.status == RunStatus.QUEUED)
        .values(status=RunStatus.CANCELLED, finished_at=utcnow(), error=CANCELLED_QUEUED)
    )
    session.commit()
    session.refresh(run)
    return run


def public(run: Run, lang: str = "zh") -> RunPublic:
    """The API's view of a run, its messages in `lang`; while running, `progress.elapsed` counts from the
    start, live."""
    progress = RunProgress.model_validate(run.progress) if run.progress else None
    if run.status == RunStatus.RUNNING and run.started_at is not None:
        elapsed = planning.seconds_since(run.started_at)
        progress = (progress or RunProgress(elapsed=0.0)).model_copy(update={"elapsed": round(elapsed, 3)})
    replan_from = run.replan["from"] if run.replan else None
    return RunPublic.model_validate(
        run,
        update={
            "progress": progress,
            "result": run.solution,
            "messages": run_messages(run.solution, run.replan, lang),
            "error": error_text(run.error, lang),
            "replan_from": replan_from,
        },
    )
