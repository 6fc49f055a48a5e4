"""Load benchmark of the web service: many readers while a 200-project solve runs, then saturation.

    python -m bench.load [--database-url postgresql+psycopg://…] [--seconds 60] [--step-seconds 15]
                         [--capsched PATH-TO-capsched] [--skip-bare] [--hog]

Starts `capsched serve` on 127.0.0.1 with a temporary database (a SQLite file, or a fresh schema of the
PostgreSQL database given, dropped afterwards), imports a 200-project portfolio and keeps a solve of it
running (a new one is started whenever one ends), then drives it with an asyncio httpx driver:

1. **target**: 300 open keep-alive clients, each sending one GET every 2 s (≈ 150 req/s offered), spread
   over the portfolio, its projects, the running run's status and a finished run's gantt.json, plus 10
   clients sending a wrong token once a second (expecting 401); prints errors and p50/p95/p99. With
   `--hog`, a busy process (one core's worth, nice 0) runs beside it: the margin with the other core busy.
2. **CPU per request**: the server process's CPU time (user + system, /proc) over CPU_REQUESTS sequential
   keep-alive GETs of each URL of the mix (no solve running), and of the bare app's read: unlike
   latencies, this hardly depends on what else the shared machine is doing.
3. **saturation**: the same mixed GETs (no solve running) at rising offered rates; the saturation throughput
   is the highest offered rate whose p99 stays under 1 s with no errors. The same ramp then runs against
   a bare FastAPI app answering one SQLite read per request (`bare_app`), started the same way.

Latency is measured from the moment a request was due, so a client held up by a slow answer counts the
wait (no coordinated omission). Every request goes to 127.0.0.1; every loop is bounded in count and time.
The driver shares the machine's cores with the server: the load average is printed beside each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import platform
import random
import re
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.solver import cpu_hog

HOST = "127.0.0.1"  # loopback only
TARGET_CLIENTS = 300
TARGET_INTERVAL = 2.0  # each client sends one request every 2 s: 150 req/s offered
WRONG_TOKEN_CLIENTS = 10
WRONG_TOKEN_INTERVAL = 1.0
RAMP_CLIENTS = 300
RAMP_RATES = (25, 50, 75, 100, 150, 200, 250, 300, 400, 500)  # offered req/s
P99_LIMIT = 1.0
REQUEST_TIMEOUT = 15.0
CPU_REQUESTS = 300  # sequential keep-alive GETs per URL in the CPU-per-request phase
PROJECTS = 200
STARTUP_SECONDS = 120


# ── measuring ────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Tally:
    """Latencies (seconds from when a request was due to its answer) and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    by_status: dict[int, int] = field(default_factory=dict)

    def add(self, latency: float, error: str | None, status: int | None) -> None:
        self.latencies.append(latency)
        if status is not None:
            self.by_status[status] = self.by_status.get(status, 0) + 1
        if error is not None:
            self.errors[error] = self.errors.get(error, 0) + 1

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, seconds: float) -> str:
        return (
            f"{self.count} requests in {seconds:.0f} s ({self.count / seconds:.0f} req/s answered), "
            f"errors {self.error_count}{' ' + str(self.errors) if self.errors else ''}, "
            f"p50 {1000 * self.quantile(0.5):.0f} ms, p95 {1000 * self.quantile(0.95):.0f} ms, "
            f"p99 {1000 * self.quantile(0.99):.0f} ms, max {1000 * max(self.latencies or [0]):.0f} ms; "
            f"statuses {dict(sorted(self.by_status.items()))}"
        )


@dataclass
class Plan:
    """One kind of client: what it asks for, with which headers, the status it expects, how often."""

    pick: Callable[[random.Random], str]
    headers: dict[str, str]
    expected: int
    interval: float
    tally: Tally


async def _client(client: httpx.AsyncClient, plan: Plan, start: float, stop: float, seed: int) -> None:
    """One keep-alive client: a GET every `plan.interval` seconds from `start` (its own offset) until `stop`."""
    rng = random.Random(seed)
    due = start
    while due < stop:
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        error, status = None, None
        try:
            answer = await client.get(plan.pick(rng), headers=plan.headers)
            status = answer.status_code
            if status != plan.expected:
                error = f"HTTP {status}"
        except httpx.HTTPError as err:
            error = type(err).__name__
        plan.tally.add(time.monotonic() - due, error, status)
        due += plan.interval
        if due < time.monotonic() - plan.interval:  # fell far behind: skip the missed slots, counted above
            due = time.monotonic()


async def _drive(base_url: str, plans: list[tuple[Plan, int]], seconds: float) -> None:
    """Open every client first (one connection each, kept alive), then run each plan's clients for
    `seconds`, their first requests spread over one interval."""
    tls = ssl.create_default_context()  # unused on http://, but httpx builds one per client otherwise
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        (plan, httpx.AsyncClient(base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT, verify=tls))
        for plan, count in plans
        for _ in range(count)
    ]
    counts = {id(plan): count for plan, count in plans}
    seen: dict[int, int] = {}
    now = time.monotonic() + 0.5
    tasks = []
    for seed, (plan, client) in enumerate(clients):
        k = seen.get(id(plan), 0)
        seen[id(plan)] = k + 1
        offset = plan.interval * k / counts[id(plan)]
        tasks.append(_client(client, plan, now + offset, now + seconds, seed))
    try:
        await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(client.aclose() for _, client in clients))


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min)"


# ── the servers ──────────────────────────────────────────────────────────────────────────────────────


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _start(command: list[str], env: dict[str, str], port: int, log: Path, ready: str) -> Server:
    """Run `command` with its output in `log` and wait until GET `ready` answers."""
    out = log.open("wb")
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base_url + ready, timeout=2).status_code < 500:
                return Server(process, base_url, log)
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{command[0]} did not answer in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def _capsched_command(given: str | None) -> list[str]:
    if given:
        return [given]
    script = Path(sys.executable).with_name("capsched")
    return [str(script)] if script.exists() else [sys.executable, "-m", "capsched"]


@contextmanager
def _database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh database: a SQLite file in `workdir`, or a new schema of the PostgreSQL `url` (dropped after)."""
    if url is None:
        yield f"sqlite:///{workdir / 'capsched.db'}"
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _token(log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        found = re.search(r"\?token=(\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise SystemExit("capsched serve printed no sign-in link")


# ── the portfolio under test ─────────────────────────────────────────────────────────────────────────


def portfolio_csv(n: int = PROJECTS, seed: int = 11) -> bytes:
    """n projects over 2024–2030 whose plans all want money early: a solve that keeps searching."""
    from app.rules.portfolio import COLUMNS

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for i in range(n):
        start = rng.choice((2024, 2024, 2025, 2026))
        writer.writerow(
            {
                "code": f"L-{i:03d}",
                "name": f"负载测试第{i}号学校建设工程",
                "category": rng.choice(("学前教育", "义务教育", "普通高中教育", "职业教育")),
                "location": "柏杨街道",
                "nature": "新建",
                "floor_area_m2": rng.randint(1500, 30000),
                "purchase_area_m2": "",
                "land_area_mu": "",
                "planned_start": start,
                "planned_end": start + rng.choice((1, 2, 2, 3, 4)),
                "star": rng.random() < 0.1,
                "status": "规划项目",
                "responsible_unit": rng.choice(("县教委", "县人社局", "县住建委")),
                "cost_wan": rng.randint(300, 12000),
                "cost_basis": "批复概算",
                "spent_wan": 0,
                "seats_added": rng.choice(("", 600, 1500, 3000)),
                "seats_source": "",
            }
        )
    return out.getvalue().encode("utf-8")


@dataclass
class Fixture:
    """What the traffic reads: a portfolio, its scenario, a finished run and the run being solved now."""

    portfolio_id: int
    seed_portfolio_id: int
    scenario_id: int
    done_run_id: int
    running: dict[str, int]


def _prepare(client: httpx.Client) -> Fixture:
    files = {"file": ("load.csv", portfolio_csv(), "text/csv")}
    imported = client.post("/api/portfolios/import", params={"name": "负载测试"}, files=files)
    imported.raise_for_status()
    listed = {p["name"]: p["id"] for p in client.get("/api/portfolios").json()}
    pid = listed["负载测试"]
    seed_pid = next(v for k, v in listed.items() if k != "负载测试")
    years = range(2024, 2036)
    demand = sum(int(r["cost_wan"]) for r in csv.DictReader(io.StringIO(portfolio_csv().decode())))
    body = {"name": "紧预算", "first_year": years[0], "last_year": years[-1], "star_deadline": None,
            "budget": {str(y): demand // 9 for y in years}, "time_limit": 600}  # fmt: skip
    scenario = client.post(f"/api/portfolios/{pid}/scenarios", json=body)
    scenario.raise_for_status()
    sid = scenario.json()["id"]
    seed_sid = client.get(f"/api/portfolios/{seed_pid}/scenarios").json()[0]["id"]
    done = client.post(f"/api/scenarios/{seed_sid}/runs", json={"time_limit": 10}).json()["id"]
    while client.get(f"/api/runs/{done}").json()["status"] not in ("done", "failed", "cancelled"):
        time.sleep(0.5)
    run = client.post(f"/api/scenarios/{sid}/runs").json()["id"]
    return Fixture(pid, seed_pid, sid, done, {"id": run})


def _run_status(client: httpx.Client, run_id: int) -> str:
    """The run's status, or what kept the server from saying it (an overloaded server may not)."""
    try:
        answer = client.get(f"/api/runs/{run_id}")
    except httpx.HTTPError as err:
        return f"unknown ({type(err).__name__})"
    if answer.status_code != 200:
        return f"unknown (HTTP {answer.status_code})"
    return answer.json()["status"]


def _keep_solving(client: httpx.Client, fixture: Fixture, stop: threading.Event) -> None:
    """Start a new solve of the 200 projects whenever the current one ends, until `stop`."""
    while not stop.wait(1.0):
        if _run_status(client, fixture.running["id"]) in ("done", "failed", "cancelled"):
            try:
                started = client.post(f"/api/scenarios/{fixture.scenario_id}/runs")
            except httpx.HTTPError:
                continue
            if started.status_code == 202:
                fixture.running["id"] = started.json()["id"]


def _mixed(fixture: Fixture) -> Callable[[random.Random], str]:
    """Portfolio, its projects, the running run's status, a finished run's gantt.json, in equal shares."""

    def pick(rng: random.Random) -> str:
        pid = rng.choice((fixture.portfolio_id, fixture.seed_portfolio_id))
        return rng.choice(
            (
                f"/api/portfolios/{pid}",
                f"/api/portfolios/{pid}/projects",
                f"/api/runs/{fixture.running['id']}",
                f"/api/runs/{fixture.done_run_id}/gantt.json",
            )
        )

    return pick


# ── the bare app: one SQLite read per request ────────────────────────────────────────────────────────


def bare_app() -> Any:
    """A bare sync FastAPI app answering one SQLite read (`uvicorn --factory bench.load:bare_app`)."""
    from fastapi import FastAPI

    path = os.environ["BENCH_BARE_DB"]
    local = threading.local()
    app = FastAPI()

    @app.get("/read")
    def read() -> dict[str, int]:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, check_same_thread=False)
        (value,) = local.db.execute(
            "SELECT value FROM item WHERE id = ?", (random.randint(1, 1000),)
        ).fetchone()
        return {"value": value}

    return app


def _bare_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, value INTEGER)")
        db.executemany("INSERT INTO item VALUES (?, ?)", [(i, i * 7) for i in range(1, 1001)])


# ── the run ──────────────────────────────────────────────────────────────────────────────────────────


def _ramp(base_url: str, pick: Callable[[random.Random], str], headers: dict[str, str], step: float) -> float:
    """Offered rates in RAMP_RATES until p99 reaches P99_LIMIT (or errors); the highest rate that held."""
    held = 0.0
    for rate in RAMP_RATES:
        tally = Tally()
        asyncio.run(
            _drive(base_url, [(Plan(pick, headers, 200, RAMP_CLIENTS / rate, tally), RAMP_CLIENTS)], step)
        )
        print(f"  {rate} req/s offered: {tally.line(step)}; {_load()}", flush=True)
        if tally.quantile(0.99) >= P99_LIMIT or tally.error_count:
            break
        held = rate
    return held


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the target phase")
    parser.add_argument("--step-seconds", type=float, default=15, help="length of each saturation step")
    parser.add_argument("--capsched", help="the capsched command to serve (default: this Python's)")
    parser.add_argument("--skip-bare", action="store_true", help="do not measure the bare app")
    parser.add_argument("--skip-ramp", action="store_true", help="only the target phase")
    parser.add_argument("--skip-target", action="store_true", help="only the saturation ramps")
    parser.add_argument("--only-cpu", action="store_true", help="only the CPU-per-request phase")
    parser.add_argument(
        "--hog", action="store_true", help="a CPU hog (one core's worth, nice 0) beside the target phase"
    )
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}; {_load()}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="capsched-load-") as tmp:
        workdir = Path(tmp)
        with _database(args.database_url, workdir) as url:
            port = _free_port()
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            command = [*_capsched_command(args.capsched), "serve", "--port", str(port), "--db", url]
            log = workdir / "serve.log"
            server = _start(command, env, port, log, "/api/health")
            try:
                _measure_capsched(server, args)
            finally:
                server.stop()
                lines = log.read_text(errors="replace").splitlines()
                print(f"server log: {len(lines)} lines; last: {lines[-1] if lines else ''}")
        if not args.skip_bare and (args.only_cpu or not args.skip_ramp):
            _measure_bare(workdir, args.step_seconds, args.only_cpu)


def _measure_capsched(server: Server, args: argparse.Namespace) -> None:
    token = _token(server.log)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=REQUEST_TIMEOUT) as client:
        fixture = _prepare(client)
        stop = threading.Event()
        keeper = threading.Thread(target=_keep_solving, args=(client, fixture, stop), daemon=True)
        keeper.start()
        if not (args.skip_target or args.only_cpu):
            status = _run_status(client, fixture.running["id"])
            hog = ", a CPU hog beside it" if args.hog else ""
            print(f"\ntarget: {TARGET_CLIENTS} clients every {TARGET_INTERVAL:g} s + {WRONG_TOKEN_CLIENTS} wrong-token "
                  f"clients every {WRONG_TOKEN_INTERVAL:g} s, {args.seconds:g} s, 200-project run {status}{hog}",
                  flush=True)  # fmt: skip
            tally, wrong = Tally(), Tally()
            bad = {"Authorization": "Bearer wrong-token-" + uuid.uuid4().hex}
            plans = [
                (Plan(_mixed(fixture), headers, 200, TARGET_INTERVAL, tally), TARGET_CLIENTS),
                (Plan(_mixed(fixture), bad, 401, WRONG_TOKEN_INTERVAL, wrong), WRONG_TOKEN_CLIENTS),
            ]
            with cpu_hog(args.hog):
                asyncio.run(_drive(server.base_url, plans, args.seconds))
            stop.set()
            status = _run_status(client, fixture.running["id"])
            print(f"  readers: {tally.line(args.seconds)}")
            print(f"  wrong token: {wrong.line(args.seconds)}")
            print(f"  200-project run at the end: {status}; {_load()}", flush=True)
        stop.set()
        keeper.join()
        if args.skip_ramp and not args.only_cpu:
            return
        deadline = time.monotonic() + STARTUP_SECONDS
        while _run_status(client, fixture.running["id"]) not in ("done", "failed", "cancelled"):
            if time.monotonic() > deadline:
                print("  the server does not recover: no saturation ramp")
                return
            with suppress(httpx.HTTPError):
                client.delete(f"/api/runs/{fixture.running['id']}")
            time.sleep(1)
        print("\nCPU per request, capsched (sequential keep-alive GETs, no solve running):", flush=True)
        kinds = {"portfolio": f"/api/portfolios/{fixture.portfolio_id}",
                 "projects (200)": f"/api/portfolios/{fixture.portfolio_id}/projects",
                 "run status": f"/api/runs/{fixture.done_run_id}",
                 "gantt.json": f"/api/runs/{fixture.done_run_id}/gantt.json"}  # fmt: skip
        spent = [_cpu_per_request(server, client, label, url) for label, url in kinds.items()]
        print(
            f"  the mix (equal shares): {1000 * sum(spent) / len(spent):.2f} ms CPU per request", flush=True
        )
        if args.only_cpu:
            return
        print("\nsaturation, capsched (mixed GETs, no solve running):", flush=True)
        held = _ramp(server.base_url, _mixed(fixture), headers, args.step_seconds)
        print(f"  capsched holds {held:g} req/s with p99 < {P99_LIMIT:g} s", flush=True)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_per_request(server: Server, client: httpx.Client, label: str, url: str) -> float:
    """CPU seconds the server spends per GET of `url` (after a warm-up), printed with `label`."""
    for _ in range(10):
        client.get(url).raise_for_status()
    before = _cpu_seconds(server.process.pid)
    started = time.monotonic()
    for _ in range(CPU_REQUESTS):
        client.get(url).raise_for_status()
    spent = (_cpu_seconds(server.process.pid) - before) / CPU_REQUESTS
    wall = (time.monotonic() - started) / CPU_REQUESTS
    print(
        f"  {label}: {1000 * spent:.2f} ms CPU per request ({1000 * wall:.1f} ms wall); {_load()}", flush=True
    )
    return spent


def _measure_bare(workdir: Path, step: float, only_cpu: bool = False) -> None:
    path = workdir / "bare.db"
    _bare_database(path)
    port = _free_port()
    env = {**os.environ, "BENCH_BARE_DB": str(path), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.load:bare_app", "--host", HOST,
               "--port", str(port)]  # fmt: skip
    server = _start(command, env, port, workdir / "bare.log", "/read")
    try:
        print("\nCPU per request, bare FastAPI app:", flush=True)
        with httpx.Client(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            _cpu_per_request(server, client, "one SQLite read", "/read")
        if only_cpu:
            return
        print("\nsaturation, bare FastAPI app (one SQLite read):", flush=True)
        held = _ramp(server.base_url, lambda _rng: "/read", {}, step)
        print(f"  the bare app holds {held:g} req/s with p99 < {P99_LIMIT:g} s", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
