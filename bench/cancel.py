"""How fast a run stops (issue 18 item 4: a cancel within 1 s at any phase; a run stops at its limit).

    python -m bench.cancel [--sizes 200,10000,100000] [--stops 0.3,1,3] [--limit 5]

Each case solves a seeded synthetic portfolio (bench/solver.py's generator and horizons: 12 years at 200
projects, 15 from 2,000; tightness 0.8) the way the server solves a run — in a child process
(app/solve_process.py), the limit counted from the moment the problem is handed over — and either sets the
stop request `stop` seconds after the start (the phase it lands in depends on the size: windows and greedy
passes at 100,000, the bound or the search at 200) or lets the limit end it. Printed per case: when the
answer came back after the stop (or after the limit), how the child ended (answered with its best schedule,
or killed after the grace), the status, and the machine's load. The grace is app/solve_process.py
STOP_GRACE_SECONDS, so no case can exceed it by more than one poll; the figure to read is how often the
solver itself answered in time.
"""

from __future__ import annotations

import argparse
import os
import platform
import threading
import time

from app.solve_process import STOP_GRACE_SECONDS, prepare, solve_in_child
from solver.instances import synthetic


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def _case(problem_json: dict, *, stop_after: float | None, limit: float) -> tuple[float, str, str]:
    stop = threading.Event()
    started = time.monotonic()
    if stop_after is not None:
        threading.Timer(stop_after, stop.set).start()
    outcome = solve_in_child(problem_json, time_limit=limit, workers=2, started=started, stop=stop)
    ended = time.monotonic()
    after = ended - (started + stop_after if stop_after is not None else started + limit)
    status = str(outcome.solution.status) if outcome.solution is not None else "—"
    return after, str(outcome.ending), status


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="200,10000,100000")
    parser.add_argument("--stops", default="0.3,1,3", help="seconds after the start at which to cancel")
    parser.add_argument("--limit", type=float, default=5.0, help="the time limit of the no-cancel case")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stops = [float(s) for s in args.stops.split(",")]
    prepare()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"grace after a stop: {STOP_GRACE_SECONDS} s\n")
    print("| projects | stop | answer after the stop (or limit) s | ended | status | load |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in sizes:
        problem_json = synthetic(size, 12 if size < 2000 else 15, 0.8).to_json()
        for stop_after in [*stops, None]:
            limit = args.limit if stop_after is None else 600.0
            after, ending, status = _case(problem_json, stop_after=stop_after, limit=limit)
            when = f"cancel at {stop_after:g} s" if stop_after is not None else f"limit {limit:g} s"
            print(f"| {size:,} | {when} | {after:.2f} | {ending} | {status} | {_load()} |", flush=True)


if __name__ == "__main__":
    main()
