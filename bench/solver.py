"""Solver benchmark on seeded synthetic portfolios:
`python -m bench.solver [--sizes 20,200,2000] [--tightness 0.6,0.8,1.0] [--load] [--lp]`.

Per size (20 projects over 10 years, 200 over 12, 2000 and 10,000 over 15; 10 s for up to 200 projects,
60 s above) and budget tightness (0.6, 0.8, 1.0 of the unconstrained demand), each case is solved in a
process of its own (`python -m bench.solver --child problem.json …`), so its figures are a whole process's:
status, objective, bound, gap, the solver's seconds, the process's wall seconds (start, imports, reading
the problem, solving, verifying), when the first schedule was reported (the solver's `progress`), peak RSS
(the child's `ru_maxrss`), the greedy objective and the ratio solver / greedy. `--lp` adds the money-flow
LP bound alone (solver/bound.py, also part of `bound`) with its time.

`--sources 4` gives every instance (the seed too) the four illustrative funding sources and per-project
rules of `solver.instances.with_sources` (MODEL.md v2), and adds the seed's scenarios as the app seeds them
(data/sources.csv, data/funding_rules.csv). "cpu s" is the child's CPU time during the solve
(all threads): on a shared machine it says how much of the wall-clock time the solver actually ran.

`--load` solves every case twice: on the machine as it is, then with a CPU hog beside it (a busy Python
process, one core's worth: "one core effectively free" on a 2-core machine). The load average is printed
with every row, because the machine may be shared.

Whole-command rows (`capsched solve` as a user runs it): the seed list with ★ soft at 12,000 a year
(`capsched solve data/projects.csv --soft-star`, best and median of 5), and with 10,000 in `--sizes`,
`capsched solve problem.json --time-limit 0.5` on the 10,000-project portfolio at 0.6.

`--time-scale K` multiplies every solver case's time limit by K (on a machine shared K ways, about the CPU
an idle one gives in the stated limit; the rows then say "×K"); the whole-command rows keep their limits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver import DEFAULT_PARAMS, Problem, Progress, Solution, greedy_schedule, solve, verify
from solver.bound import lower_bound
from solver.instances import synthetic, with_sources

# projects: (horizon years, time limit s)
SIZES = {20: (10, 10.0), 200: (12, 10.0), 2000: (15, 60.0), 10000: (15, 60.0)}
TIGHTNESS = (0.6, 0.8, 1.0)
FAST_LIMIT = 0.5  # the "--time-limit 0.5" row at 10,000 projects


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    problem: Problem
    time_limit: float


@dataclass(frozen=True, slots=True)
class Measured:
    """What one child process reported, with its wall time and peak RSS as the parent saw them."""

    result: dict[str, Any]
    wall: float
    rss_mb: float


def _gap(objective: int | None, bound: int | None) -> float | None:
    if objective is None or bound is None:
        return None
    return 0.0 if objective == bound else (objective - bound) / max(1, objective)


def _load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


# ── the child: one case, one process ────────────────────────────────────────────────────────────────


def child(path: Path, time_limit: float, workers: int, with_lp: bool) -> None:
    """Solve the problem in `path` and print one JSON line of figures (run by the parent as a process)."""
    problem = Problem.from_json(json.loads(path.read_text(encoding="utf-8")))
    started = time.monotonic()
    greedy = greedy_schedule(problem)
    greedy_s = time.monotonic() - started
    lp, lp_s = None, None
    if with_lp:
        started = time.monotonic()
        shares = len(problem.projects) <= DEFAULT_PARAMS.lp_shares_max_projects  # as solve builds it
        lp = lower_bound(problem, time_limit=time_limit, shares=shares)
        lp_s = time.monotonic() - started
    first: list[float] = []

    def heard(progress: Progress) -> None:
        if progress.objective is not None and not first:
            first.append(progress.elapsed)

    cpu = time.process_time()
    solution: Solution = solve(problem, time_limit=time_limit, workers=workers, progress=heard)
    cpu = time.process_time() - cpu
    assert not verify(problem, solution)
    print(
        json.dumps(
            {
                "status": str(solution.status),
                "objective": solution.objective,
                "bound": solution.bound,
                "seconds": solution.solve_seconds,
                "cpu_s": cpu,
                "first_schedule": first[0] if first else None,
                "strategy": solution.search.strategy if solution.search else None,
                "bound_source": solution.search.bound_source if solution.search else None,
                "greedy": greedy.objective if greedy.status.has_schedule else None,
                "greedy_s": greedy_s,
                "lp": lp,
                "lp_s": lp_s,
            }
        )
    )


# ── the parent ──────────────────────────────────────────────────────────────────────────────────────


def _run_child(args: list[str]) -> tuple[str, float, float]:
    """Run `args`, wait for it with wait4 (its own peak RSS), and return (stdout, wall s, peak RSS MB)."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{errors[-3000:]}")
    return text, wall, usage.ru_maxrss / 1024  # KB on Linux


def _solve_case(case: Case, workdir: Path, workers: int, with_lp: bool) -> Measured:
    path = workdir / "problem.json"
    path.write_text(json.dumps(case.problem.to_json()), encoding="utf-8")
    args = [sys.executable, "-m", "bench.solver", "--child", str(path), "--time-limit", str(case.time_limit)]
    args += ["--workers", str(workers)] + (["--lp"] if with_lp else [])
    text, wall, rss = _run_child(args)
    return Measured(json.loads(text.strip().splitlines()[-1]), wall, rss)


@contextmanager
def cpu_hog(on: bool) -> Iterator[None]:
    """A busy process beside the case (one core's worth of load), or nothing."""
    if not on:
        yield
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        yield
    finally:
        hog.kill()
        hog.wait()


def _row(case: Case, loaded: bool, m: Measured, with_lp: bool) -> str:
    r = m.result
    gap = _gap(r["objective"], r["bound"])
    ratio = f"{r['objective'] / r['greedy']:.3f}" if r["greedy"] and r["objective"] is not None else "-"
    first = "-" if r["first_schedule"] is None else f"{r['first_schedule']:.2f}"
    cells = [
        case.name,
        "hog" if loaded else "as is",
        _load_average(),
        f"{r['status']} ({r['strategy']})",
        str(r["objective"]),
        f"{r['bound']} ({r['bound_source']})",
        "-" if gap is None else f"{100 * gap:.2f} %",
        f"{r['seconds']:.2f}",
        f"{r['cpu_s']:.2f}",
        f"{m.wall:.2f}",
        first,
        f"{m.rss_mb:.0f}",
        f"{r['greedy'] if r['greedy'] is not None else 'none'} ({r['greedy_s']:.2f} s)",
        ratio,
    ]
    if with_lp:
        cells.append(f"{r['lp']} ({r['lp_s']:.2f} s)")
    return "| " + " | ".join(cells) + " |"


def _seed_cases(sources: int) -> list[Case]:
    """The seed portfolio under both seeded scenarios (app/rules/problem.py): 12,000 a year with ★ soft
    (the default) and 15,000 a year with ★ hard."""
    try:
        from app.files.importer import read_projects
        from app.resources import seed_portfolio_csv
        from app.rules.problem import build_problem, default_scenario_options, star_scenario_options
    except ImportError:
        return []
    records = read_projects(seed_portfolio_csv())
    cases = [
        Case(
            "seed portfolio, default scenario (12000/yr, ★ soft)",
            build_problem(records, default_scenario_options()),
            10.0,
        ),
        Case(
            "seed portfolio, ★ scenario (15000/yr, ★ hard)",
            build_problem(records, star_scenario_options()),
            10.0,
        ),
    ]
    if sources:
        generated = [
            Case(f"{c.name}, {sources} sources", with_sources(c.problem), c.time_limit) for c in cases
        ]
        return _seeded_with_sources() + generated
    return cases


def _seeded_with_sources() -> list[Case]:
    """The seed portfolio's scenarios as the app seeds and builds them: with the illustrative sources and
    rules of data/sources.csv and data/funding_rules.csv (an in-memory database, as at first start)."""
    from sqlmodel import Session, SQLModel, create_engine, select

    from app.models import Scenario
    from app.services import scenarios, seeding

    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seeding.seed_if_empty(session=session)
        names = {seeding.DEFAULT_SCENARIO_NAME: "default scenario", seeding.STAR_SCENARIO_NAME: "★ scenario"}
        return [
            Case(
                f"seed portfolio, {names.get(s.name, s.name)}, data/sources.csv",
                scenarios.problem_of(session=session, scenario_id=s.id),
                10.0,
            )
            for s in session.exec(select(Scenario).order_by(Scenario.id)).all()
        ]


def _capsched() -> list[str]:
    script = shutil.which("capsched") or str(Path(sys.executable).with_name("capsched"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "capsched"]


def _command_rows(sizes: list[int], workdir: Path, seed: int, loads: list[bool]) -> None:
    """`capsched solve` as a user runs it: wall and peak RSS of the whole process."""
    print("\n| command | load | load avg | wall s (best / median of runs) | peak RSS MB | status |")
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        from app.resources import seed_portfolio_csv
    except ImportError:
        seed_csv = None
    else:
        seed_csv = seed_portfolio_csv()
    commands: list[tuple[str, list[str], int]] = []
    if seed_csv is not None:
        out = workdir / "seed.json"
        commands.append(
            (
                "capsched solve data/projects.csv --soft-star",
                ["solve", str(seed_csv), "--soft-star", "--out", str(out)],
                5,
            )
        )
    if 10000 in sizes:
        years, _ = SIZES[10000]
        path = workdir / "p10000.json"
        path.write_text(json.dumps(synthetic(10000, years, 0.6, seed).to_json()), encoding="utf-8")
        args = ["solve", str(path), "--out", str(workdir / "s10000.json"), "--time-limit", str(FAST_LIMIT)]
        commands.append((f"capsched solve problem.json --time-limit {FAST_LIMIT} (10,000 @ 0.6)", args, 1))
    for label, args, runs in commands:
        for loaded in loads:
            walls, rss, status = [], 0.0, "-"
            with cpu_hog(loaded):
                for _ in range(runs):
                    text, wall, peak = _run_child([*_capsched(), *args])
                    walls.append(wall)
                    rss = max(rss, peak)
                    status = text.strip().splitlines()[0].split()[0] if text.strip() else "-"
            shown = f"{min(walls):.2f} / {statistics.median(walls):.2f}" if runs > 1 else f"{walls[0]:.2f}"
            load = "hog" if loaded else "as is"
            print(f"| `{label}` | {load} | {_load_average()} | {shown} | {rss:.0f} | {status} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20,200,2000")
    parser.add_argument("--tightness", default=",".join(map(str, TIGHTNESS)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load", action="store_true", help="also solve every case beside a CPU hog")
    parser.add_argument("--lp", action="store_true", help="also the money-flow LP bound alone, timed")
    parser.add_argument(
        "--no-seed", "--no-seed-portfolio", action="store_true", help="skip the seed portfolio rows"
    )
    parser.add_argument("--sources", type=int, default=0, help="0 (v1) or 4 funding sources (MODEL.md v2)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply every time limit by this")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=float, default=10.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.time_limit, args.workers, args.lp)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    loads = [False, True] if args.load else [False]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"load average at start (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = [
        "instance",
        "load",
        "load avg",
        "status (strategy)",
        "objective",
        "bound (source)",
        "gap",
        "solver s",
        "cpu s",
        "wall s",
        "first schedule s",
        "peak RSS MB",
        "greedy (time)",
        "solver/greedy",
    ]
    if args.lp:
        header.append("LP bound (time)")
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    scale = args.time_scale
    scaled = f", time ×{scale:g}" if scale != 1.0 else ""
    seeds = [] if args.no_seed else _seed_cases(args.sources)
    cases = [Case(c.name + scaled, c.problem, c.time_limit * scale) for c in seeds]
    suffix = (f", {args.sources} sources" if args.sources else "") + scaled
    for size in sizes:
        years, limit = SIZES.get(size, (15, 60.0))
        for tightness in map(float, args.tightness.split(",")):
            cases.append(
                Case(
                    f"n={size}, {years} y, tightness {tightness}{suffix}",
                    synthetic(size, years, tightness, args.seed, sources=args.sources),
                    limit * scale,
                )
            )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for case in cases:
            for loaded in loads:
                with cpu_hog(loaded):
                    measured = _solve_case(case, workdir, args.workers, args.lp)
                print(_row(case, loaded, measured, args.lp), flush=True)
        _command_rows(sizes, workdir, args.seed, loads)
    print(f"\nload average at end (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
