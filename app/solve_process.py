"""A run's solve in a child process of its own, so the server's interpreter never waits for it.

Solving in the server process shared its interpreter lock with every request: the solver's own Python
(building models, the greedy passes, the bound) held the lock for bursts that showed up as the p99 of the
readers (bench/RESULTS.md, "Web service under load"). A child also makes a stop certain: the solver polls
its stop request in every phase, but a library busy in a phase it does not interrupt (HiGHS inside a long
LP) could run on for seconds; a child that has not answered `STOP_GRACE_SECONDS` after being asked to stop
is killed, and one still running `LIMIT_GRACE_SECONDS` past its time limit (plus the solver's own allowed
overrun) is asked to stop, then killed the same way.

The child is forked from a fork server that has already imported the solver (no import time per run, no
copy of the server's threads or database connections). It gets the MODEL.md problem JSON, reports each
improvement (seconds, objective, bound) through a pipe and sends the Solution JSON at the end; the
parent's thread (a pool thread of app/background.py) relays the progress and holds the stop request.
Nothing in the child touches the database.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from solver import DEFAULT_PARAMS, Problem, Progress, Solution, solve

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 0.8  # a stopped solve returns its best schedule within this, or is killed
LIMIT_GRACE_SECONDS = 1.5  # past limit + the solver's overrun_seconds a solve is stopped (then killed)
EXIT_WAIT_SECONDS = 0.1  # how long a child that has answered is given to exit before it is killed
POLL_SECONDS = 0.05  # how often the parent looks at the stop request while the child is quiet
_STOP = "stop"

Child = Callable[[Connection, Connection, Mapping[str, Any], float, int, float, int], None]


class Ending(enum.StrEnum):
    """How a child solve ended."""

    ANSWERED = "answered"  # it sent its Solution (after a stop request too: its best so far)
    KILLED_ON_STOP = "killed on stop"  # asked to stop, it did not answer in STOP_GRACE_SECONDS
    KILLED_ON_LIMIT = "killed on limit"  # past its time limit and the grace, it did not answer
    DIED = "died"  # the process ended without an answer (killed from outside, out of memory, a crash)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A child solve's end: how, its Solution when it answered, the process's exit code."""

    ending: Ending
    solution: Solution | None = None
    exitcode: int | None = None


class SolveFailed(Exception):
    """The solver raised in the child (a bug or a problem it refused): its type and message."""


# What the fork server imports once, so that no run pays for it: the server's main module (else each child
# would run it again, as `__mp_main__`), and what the solver's phases import only when first needed
# (solver/search.py says why); a module that is not installed (highspy) is skipped.
PRELOAD = (
    "__main__",
    "app.solve_process",
    "solver.cpmodel",
    "solver.cpsat",
    "solver.mip",
    "solver.lns",
    "solver.race",
    "solver.rounding",
    "solver.lagrangian",
    "solver.bound",
    "solver.split",
    "ortools.linear_solver.pywraplp",
    "ortools.graph.python.min_cost_flow",
    "highspy",
    "numpy",
)


def _context() -> Any:
    """Fork server where there is one (Linux, macOS): children start from a process that imported the
    solver and holds no thread or connection of the server; spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def prepare() -> None:
    """Start the fork server now (it imports the solver in its own process, beside the caller), so that
    the first run does not spend its time limit on it."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _thread_nice() -> int:
    """This thread's CPU priority (Linux keeps one per thread; the pool's threads may run lowered)."""
    if sys.platform != "linux":
        return 0
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def child_solve(
    commands: Connection,
    answers: Connection,
    problem: Mapping[str, Any],
    time_limit: float,
    workers: int,
    started: float,
    nice: int,
) -> None:
    """The child: solve `problem` (MODEL.md JSON), sending ("progress", elapsed, objective, bound) on each
    improvement and ("solution", json) or ("error", text) at the end; a "stop" command (or the parent
    gone) stops the search, which then answers with its best schedule so far."""
    if nice > 0 and sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, 0, nice)  # this thread; the solver's threads inherit it
    stop = threading.Event()
    sending = threading.Lock()

    def listen() -> None:
        try:
            while commands.recv() != _STOP:
                pass
        except (EOFError, OSError):  # the parent is gone: nobody wants the answer
            pass
        stop.set()

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            answers.send(message)

    threading.Thread(target=listen, name="capsched-stop", daemon=True).start()
    try:
        solution = solve(
            Problem.from_json(dict(problem)),
            time_limit=time_limit,
            workers=workers,
            progress=lambda p: send(("progress", p.elapsed, p.objective, p.bound)),
            stop=stop,
            started=started,
        )
    except Exception as err:  # reported to the parent, which records it on the run
        send(("error", f"{type(err).__name__}: {err}"))
        return
    send(("solution", solution.to_json()))


def solve_in_child(
    problem: Mapping[str, Any],
    *,
    time_limit: float,
    workers: int,
    started: float,
    stop: threading.Event,
    progress: Callable[[Progress], None] | None = None,
    quiet: Callable[[], None] | None = None,
    child: Child = child_solve,
) -> Outcome:
    """Solve `problem` (MODEL.md JSON) in a child process, the limit counting from `started` (a
    `time.monotonic()` reading: the same clock in every process of the machine); relay its progress to
    `progress`; with `stop` set, ask it to stop and kill it if it has not answered in STOP_GRACE_SECONDS.
    SolveFailed if the solver raised. `quiet` is called each time the child has sent nothing for
    POLL_SECONDS. `child` is the child's function (tests give one that never answers)."""
    context = _context()
    answers_in, answers_out = context.Pipe(duplex=False)
    commands_in, commands_out = context.Pipe(duplex=False)
    limit_at = started + time_limit + DEFAULT_PARAMS.overrun_seconds + LIMIT_GRACE_SECONDS
    process = context.Process(
        target=child,
        args=(commands_in, answers_out, problem, time_limit, workers, started, _thread_nice()),
        name="capsched-solve",
        daemon=True,
    )
    process.start()
    answers_out.close()
    commands_in.close()
    asked: tuple[float, Ending] | None = None  # when the stop was asked, and the ending if not answered
    try:
        while True:
            if answers_in.poll(POLL_SECONDS):
                try:
                    kind, *body = answers_in.recv()
                except (EOFError, OSError):  # the child ended mid-message or without one
                    return _died(process)
                if kind == "progress":
                    if progress is not None:
                        progress(Progress(*body))
                    continue
                if kind == "error":
                    raise SolveFailed(body[0])
                return Outcome(Ending.ANSWERED, Solution.from_json(body[0]))
            if quiet is not None:
                quiet()
            now = time.monotonic()
            if asked is None and (stop.is_set() or now > limit_at):
                ending = Ending.KILLED_ON_STOP if stop.is_set() else Ending.KILLED_ON_LIMIT
                asked = (now, ending)
                with contextlib.suppress(OSError):  # already gone: the next poll sees its end
                    commands_out.send(_STOP)
            if asked is not None and now - asked[0] > STOP_GRACE_SECONDS:
                process.kill()
                process.join()
                log.warning("solve process %s killed: %s", process.pid, asked[1])
                return Outcome(asked[1], exitcode=process.exitcode)
            if not process.is_alive() and not answers_in.poll():
                return _died(process)
    finally:  # the answer is in hand (or nobody wants it): a child still alive a moment later — a solver
        # thread left to end on its own keeps it from exiting — is killed, not waited for
        process.join(EXIT_WAIT_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
        answers_in.close()
        commands_out.close()


def _died(process: Any) -> Outcome:
    process.join()
    log.error("solve process %s ended without an answer (exit code %s)", process.pid, process.exitcode)
    return Outcome(Ending.DIED, exitcode=process.exitcode)
