"""Background work — solver runs, budget sweeps, least-budget searches — in one pool, written once.

A piece of work is a row (app.models Run or Job) moving through queued → running → done / failed /
cancelled. This module owns those moves for every kind: `claim` (queued → running, or nothing if it was
cancelled meanwhile), `write` (progress, results), `finish`, `cancel_queued`, and `mark_interrupted` for
rows a previous process left unfinished. `BackgroundPool` runs the work functions it is given (app/runner.py
binds them) on bounded threads per lane, with a `threading.Event` per item handed to the solver as `stop`,
so a cancel reaches only work of this process (one server process; see README).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy import update as sql_update
from sqlmodel import Session

from app.errors import QueueFull
from app.i18n.failures import INTERRUPTED_BY_RESTART, INTERRUPTED_BY_SHUTDOWN
from app.models import Job, Run, RunStatus, utcnow

log = logging.getLogger(__name__)

Table = type[Run] | type[Job]
Work = Callable[[Engine, int, threading.Event], RunStatus | None]  # the status it ended in
MAX_ERROR_CHARS = 4000


class Submitter(Protocol):
    """What a service needs of the pool: how many items may wait, hand over a stored item, ask it to stop."""

    max_queued: int

    def submit(self, kind: str, item_id: int) -> None: ...

    def request_stop(self, kind: str, item_id: int) -> bool: ...


# ── state moves, the same for every kind ─────────────────────────────────────────────────────────


def claim(engine: Engine, table: Table, item_id: int, **values: Any) -> Run | Job | None:
    """Move the item from queued to running (with `values`); the row, or None if it was not queued."""
    with Session(engine, expire_on_commit=False) as session:
        claimed = session.execute(
            sql_update(table)
            .where(table.id == item_id, table.status == RunStatus.QUEUED)
            .values(status=RunStatus.RUNNING, started_at=utcnow(), **values)
        )
        session.commit()
        if claimed.rowcount != 1:
            return None
        return session.get(table, item_id)


def write(engine: Engine, table: Table, item_id: int, *, only_running: bool = False, **values: Any) -> None:
    """Store `values` on the item (progress, partial results); with `only_running`, only while it runs."""
    with Session(engine) as session:
        query = sql_update(table).where(table.id == item_id)
        if only_running:
            query = query.where(table.status == RunStatus.RUNNING)
        session.execute(query.values(**values))
        session.commit()


def finish(
    engine: Engine, table: Table, item_id: int, status: RunStatus, *, error: str | None = None, **values: Any
) -> None:
    """The item's end: its status, when, why (an English reason, app/i18n/failures.py) and its results."""
    write(
        engine,
        table,
        item_id,
        status=status,
        finished_at=utcnow(),
        error=error[:MAX_ERROR_CHARS] if error else None,
        **values,
    )


def ensure_room(session: Session, pool: Submitter) -> None:
    """Refuse new work (QueueFull) while `pool.max_queued` runs and jobs already wait to start: checked
    before the work is built or stored, so a flood of requests cannot pile up hours of solving."""
    queued = sum(
        session.execute(select(func.count()).where(table.status == RunStatus.QUEUED)).scalar_one()
        for table in (Run, Job)
    )
    if queued >= pool.max_queued:
        raise QueueFull(queued, pool.max_queued)


def cancel_queued(session: Session, table: Table, item_id: int, reason: str) -> None:
    """Cancel the item at once if it has not started (a running one is asked to stop by the pool)."""
    session.execute(
        sql_update(table)
        .where(table.id == item_id, table.status == RunStatus.QUEUED)
        .values(status=RunStatus.CANCELLED, finished_at=utcnow(), error=reason)
    )
    session.commit()


def mark_interrupted(*, session: Session, reason: str = INTERRUPTED_BY_RESTART) -> dict[str, int]:
    """Mark every item left queued or running (by a process that is gone) as failed; how many per table.
    Writes nothing when there is none (so a server can start on a read-only database)."""
    unfinished = [RunStatus.QUEUED, RunStatus.RUNNING]
    counts = {}
    for table in (Run, Job):
        left = session.execute(select(func.count()).where(table.status.in_(unfinished))).scalar_one()
        if left:
            session.execute(
                sql_update(table)
                .where(table.status.in_(unfinished))
                .values(status=RunStatus.FAILED, error=reason, finished_at=utcnow())
            )
        counts[table.__tablename__] = left
    session.commit()
    return counts


def _lower_priority(nice: int) -> None:
    """Give this pool thread (and the solver threads it starts, which inherit it) the CPU priority `nice`,
    so that requests are answered first when solves keep every core busy. Linux keeps a nice value per
    thread; elsewhere this would change the whole process, so it is left alone there."""
    if nice > 0 and sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


# ── the pool ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of work: its table, the function that does it, and the lane (thread group) it runs in."""

    table: Table
    work: Work
    lane: str


class BackgroundPool:
    """Runs each kind's work on its lane's threads, in the order submitted; `lanes` maps a lane to its
    number of threads (e.g. solver runs on CAPSCHED_WORKERS threads, sweeps and searches on one)."""

    def __init__(
        self,
        *,
        engine: Engine,
        kinds: Mapping[str, Kind],
        lanes: Mapping[str, int],
        max_queued: int = 20,
        nice: int = 0,
    ) -> None:
        self._engine = engine
        self._kinds = dict(kinds)
        self._lanes = dict(lanes)
        self.max_queued = max_queued
        self._executors = {
            lane: ThreadPoolExecutor(
                max_workers=max(1, n),
                thread_name_prefix=f"capsched-{lane}",
                initializer=_lower_priority,
                initargs=(nice,),
            )
            for lane, n in lanes.items()
        }
        self._stops: dict[tuple[str, int], threading.Event] = {}
        self._lock = threading.Lock()
        self.closing = False

    def submit(self, kind: str, item_id: int) -> None:
        """Queue an item already stored as queued."""
        stop = threading.Event()
        with self._lock:
            self._stops[(kind, item_id)] = stop
        self._executors[self._kinds[kind].lane].submit(self._run, kind, item_id, stop)

    def request_stop(self, kind: str, item_id: int) -> bool:
        """Ask a queued or running item of this process to stop; False if it is not here."""
        with self._lock:
            stop = self._stops.get((kind, item_id))
        if stop is None:
            return False
        stop.set()
        return True

    def queued(self) -> int:
        """Items submitted and not yet finished (queued or running)."""
        with self._lock:
            return len(self._stops)

    def threads(self) -> int:
        """Threads of every lane together."""
        return sum(max(1, n) for n in self._lanes.values())

    def shutdown(self) -> None:
        """Stop everything, wait for the threads, and mark what did not finish as interrupted."""
        self.closing = True
        with self._lock:
            for stop in self._stops.values():
                stop.set()
        for executor in self._executors.values():
            executor.shutdown(wait=True, cancel_futures=True)
        with Session(self._engine) as session:
            mark_interrupted(session=session, reason=INTERRUPTED_BY_SHUTDOWN)

    def _run(self, kind: str, item_id: int, stop: threading.Event) -> None:
        spec = self._kinds[kind]
        try:
            status = spec.work(self._engine, item_id, stop)
            if status is RunStatus.CANCELLED and self.closing:  # stopped by the shutdown, not by a user
                finish(self._engine, spec.table, item_id, RunStatus.FAILED, error=INTERRUPTED_BY_SHUTDOWN)
        except Exception as err:  # one crash must not kill the pool: record it on the item
            log.exception("%s %s crashed", kind, item_id)
            finish(self._engine, spec.table, item_id, RunStatus.FAILED, error=f"{type(err).__name__}: {err}")
        finally:
            with self._lock:
                self._stops.pop((kind, item_id), None)
