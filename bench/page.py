"""The page's requests at a province's scale, through HTTP against a live `capsched serve`:
`python -m bench.page [--rows 10000] [--solve 60] [--pdf]`.

Starts `capsched serve` on a new SQLite file, then times (each the median of `--repeat`, wall clock on the
client): importing a synthetic list of `--rows` projects as a new portfolio (app/files/samples.py), the
project table's requests (a page of 100, a filtered and sorted page, the summary) against the old full
list, the Gantt's first page (gantt.json) and, with `--pdf`, the whole Gantt as tiled PDF. With `--solve S`
it starts a run of S seconds on the portfolio and, while the solver works in the server process, polls
what the run page polls (GET /api/runs/{rid} every 0.6 s, and a page of projects): the latency and bytes of
each answer say whether the page stays responsive while 10,000 projects are solved.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from app.files.samples import project_csv, project_rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db_url: str, port: int) -> tuple[subprocess.Popen[str], str]:
    """`capsched serve` on `db_url`; returns the process and the admin token it printed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CAPSCHED_MAX_UPLOAD_BYTES": str(50 * 1024 * 1024)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "capsched", "serve", "--port", str(port), "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=env,
    )
    token: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            match = re.search(r"\?token=(\S+)", line)
            if match and not token:
                token.append(match.group(1))
                seen.set()

    threading.Thread(target=read, daemon=True).start()
    if not seen.wait(120):
        proc.kill()
        raise RuntimeError("capsched serve printed no sign-in link")
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    return proc, token[0]


_SERVER_PID = 0


def _server_cpu() -> float:
    """CPU seconds (user + system) the server process has used so far: on a shared, loaded machine the
    wall clock of a request says more about the neighbours than about the request, its CPU time less."""
    fields = Path(f"/proc/{_SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(call: Callable[[], httpx.Response], repeat: int) -> tuple[float, float, int, httpx.Response]:
    """Median wall seconds and median server CPU seconds over `repeat` calls, the answer's size, the last
    answer."""
    times, cpu, response = [], [], None
    for _ in range(repeat):
        started, used = time.perf_counter(), _server_cpu()
        response = call()
        times.append(time.perf_counter() - started)
        cpu.append(_server_cpu() - used)
        response.raise_for_status()
    assert response is not None
    return statistics.median(times), statistics.median(cpu), len(response.content), response


def _row(label: str, seconds: float, cpu: float, size: int, note: str = "") -> None:
    print(
        f"| {label} | {seconds * 1000:,.0f} ms | {cpu * 1000:,.0f} ms | {size / 1024:,.0f} KB | {note} |",
        flush=True,
    )


def _poll_during_run(api: httpx.Client, pid: int, run_id: int, seconds: float) -> None:
    """What the run page asks while the run works: the run every 0.6 s; a page of projects beside it."""
    run_times, run_sizes, page_times = [], [], []
    deadline = time.monotonic() + 10 * seconds + 600  # a loaded machine stretches a solve
    status = "queued"
    while time.monotonic() < deadline:
        started = time.perf_counter()
        answer = api.get(f"/api/runs/{run_id}")
        run_times.append(time.perf_counter() - started)
        run_sizes.append(len(answer.content))
        status = answer.json()["status"]
        if status in ("done", "failed", "cancelled"):
            break
        started = time.perf_counter()
        api.get(f"/api/portfolios/{pid}/projects?limit=100&offset=500&sort=cost_wan&order=desc")
        page_times.append(time.perf_counter() - started)
        time.sleep(0.6)
    done = run_times.pop(), run_sizes.pop()  # the last answer carries the schedule
    print("\n| while the solver runs | median | worst | answers | bytes each |")
    print("| --- | --- | --- | --- | --- |")
    if run_times:
        print(
            f"| GET /api/runs/{{rid}} (polled every 0.6 s) | {statistics.median(run_times) * 1000:,.0f} ms | "
            f"{max(run_times) * 1000:,.0f} ms | {len(run_times)} | {statistics.median(run_sizes):,.0f} |"
        )
    if page_times:
        print(
            f"| GET …/projects?limit=100 (a page of the table) | {statistics.median(page_times) * 1000:,.0f} ms | "
            f"{max(page_times) * 1000:,.0f} ms | {len(page_times)} | - |"
        )
    print(
        f"| the finished run (status {status}, with its schedule) | {done[0] * 1000:,.0f} ms | - | 1 | {done[1]:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--solve", type=float, default=0.0, help="also run a solve of this many seconds")
    parser.add_argument("--pdf", action="store_true", help="also the whole Gantt as tiled PDF (slow)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"load average at start (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = project_rows(args.rows)
    data = project_csv(rows)
    with tempfile.TemporaryDirectory() as tmp:
        proc, token = _serve(f"sqlite:///{Path(tmp) / 'bench.db'}", port := _free_port())
        global _SERVER_PID
        _SERVER_PID = proc.pid
        try:
            api = httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=900
            )
            print(
                f"\n{args.rows:,} projects ({len(data) / 1024:,.0f} KB of CSV), SQLite, one server process\n"
            )
            print("| request | wall (median) | server CPU (median) | answer | note |")
            print("| --- | --- | --- | --- | --- |")
            files = {"file": ("p.csv", data, "text/csv")}
            seconds, cpu, size, made = _timed(
                lambda: api.post("/api/portfolios/import?name=bench", files=files), 1
            )
            _row("POST /api/portfolios/import (new portfolio)", seconds, cpu, size, "once")
            pid = made.json()["portfolio_id"]
            projects = f"/api/portfolios/{pid}/projects"
            for label, path in (
                ("GET …/projects?limit=100 (the table's first page)", f"{projects}?limit=100&sort=code"),
                (
                    "GET …/projects?q=幼儿园&unit=…&sort=cost_wan&order=desc&limit=100",
                    f"{projects}?q=幼儿园&unit=巫溪县教委&sort=cost_wan&order=desc&limit=100",
                ),
                (
                    "GET …/projects?offset=9900&limit=100 (a late page)",
                    f"{projects}?offset={max(0, args.rows - 100)}&limit=100&sort=name",
                ),
                ("GET …/projects/summary", f"{projects}/summary"),
                ("GET …/projects (every project: the old page load)", projects),
            ):
                seconds, cpu, size, _ = _timed(lambda path=path: api.get(path), args.repeat)
                _row(label, seconds, cpu, size)
            # twice the planned demand of a year: every project can be funded, the solve has a schedule to show
            demand = sum(int(r["cost_wan"]) for r in rows) / 5
            budget = {str(y): round(2 * demand) for y in range(2022, 2031)}
            scenario = api.post(
                f"/api/portfolios/{pid}/scenarios",
                json={"name": "bench", "first_year": 2022, "last_year": 2030, "budget": budget},
            ).json()
            limit = args.solve or 5.0
            run = api.post(f"/api/scenarios/{scenario['id']}/runs", json={"time_limit": limit}).json()
            if args.solve:
                _poll_during_run(api, pid, run["id"], args.solve)
            else:
                while api.get(f"/api/runs/{run['id']}").json()["status"] not in (
                    "done",
                    "failed",
                    "cancelled",
                ):
                    time.sleep(0.5)
            print("\n| request | wall (median) | server CPU (median) | answer | note |")
            print("| --- | --- | --- | --- | --- |")
            rid = run["id"]
            for label, path in (
                ("GET /api/scenarios/{sid}/runs (with schedules)", f"/api/scenarios/{scenario['id']}/runs"),
                (
                    "GET /api/scenarios/{sid}/runs?result=false (the run list)",
                    f"/api/scenarios/{scenario['id']}/runs?result=false",
                ),
                ("GET /api/runs/{rid}/gantt.json (page 1 of 120 rows)", f"/api/runs/{rid}/gantt.json"),
                (
                    "GET /api/runs/{rid}/gantt.json?group=unit&page=… (a middle page)",
                    f"/api/runs/{rid}/gantt.json?group=unit&page={max(1, args.rows // 240)}",
                ),
                ("GET /api/runs/{rid}/slippage.json", f"/api/runs/{rid}/slippage.json"),
            ):
                seconds, cpu, size, _ = _timed(lambda path=path: api.get(path), args.repeat)
                _row(label, seconds, cpu, size)
            if args.pdf:
                seconds, cpu, size, answer = _timed(lambda: api.get(f"/api/runs/{rid}/gantt.pdf"), 1)
                pages = len(re.findall(rb"/Type\s*/Page[^s]", answer.content))
                _row(
                    "GET /api/runs/{rid}/gantt.pdf (tiled, A4)",
                    seconds,
                    cpu,
                    size,
                    f"{pages} pages (CPU: the server's; kaleido's Chromium works beside it)",
                )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\nload average at end (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
