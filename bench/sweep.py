"""Trade-off benchmark: `python -m bench.sweep [--points 20] [--time-limit 10] [--sizes 200] [--skip-least]`.

For the seed portfolio (data/projects.csv, 2020–2030, level 1.0 = 12,000 万元 a year) and seeded synthetic
portfolios (bench/solver.py's generator, level 1.0 = its tightness-1.0 cap), sweeps `--points` budget levels
three ways — the default split of cores (app.rules.sweep.sweep_threads) with hints, the same without hints
(the solver then warm-starts from its greedy schedule), and one single-worker solve per core with hints — and prints wall time, summed solve time, levels proven, and the summed weighted
slippage of the levels with a schedule (lower is better when not every level is proven). Then the exact
least budget of both rules on the seed (and the synthetic portfolios unless --skip-least).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from decimal import Decimal

from app.files.importer import read_projects
from app.resources import seed_portfolio_csv
from app.rules.least_budget import Rule, least_budget
from app.rules.problem import ScenarioOptions, build_problem
from app.rules.sweep import scaled_levels, sweep, sweep_threads
from bench.solver import SIZES
from solver import Problem
from solver.instances import synthetic


def _seed() -> tuple[Problem, frozenset[str]]:
    records = read_projects(seed_portfolio_csv())
    options = ScenarioOptions(2020, 2030, dict.fromkeys(range(2020, 2031), 12000))
    return build_problem(records, options), frozenset(r.code for r in records if r.star)


def _levels(problem: Problem, points: int, low: Decimal):
    step = Decimal("0.05")
    return scaled_levels(problem.budget, [low + k * step for k in range(points)])


def _sweep_row(
    name: str, problem: Problem, levels, *, time_limit: float, threads: int, workers: int, hints: bool
):
    curve = sweep(problem, levels, time_limit=time_limit, threads=threads, workers=workers, hints=hints)
    proven = sum(p.proven for p in curve.points)
    with_schedule = [p for p in curve.points if p.objective is not None]
    total = sum(p.objective for p in with_schedule)
    summed = sum(p.solve_seconds for p in curve.points)
    print(
        f"| {name} | {threads}×{workers} | {'on' if hints else 'off'} | {curve.wall_seconds:.1f} | {summed:.1f} | "
        f"{proven}/{len(curve.points)} | {len(with_schedule)} | {total} |",
        flush=True,
    )


def _least_row(name: str, problem: Problem, rule: Rule, stars, time_limit: float, workers: int) -> None:
    started = time.perf_counter()
    result = least_budget(problem, rule=rule, stars=stars, time_limit=time_limit, workers=workers)
    seconds = time.perf_counter() - started
    print(
        f"| {name} | {rule} | {result.outcome} | {result.answer_text or '-'} | {len(result.steps)} | {seconds:.1f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--sizes", default="200")
    parser.add_argument("--skip-least", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        f"machine: {platform.processor() or platform.machine()}, {cores} cores, python {platform.python_version()}"
    )
    print(f"{args.points} levels, ≤ {args.time_limit:g} s each")
    print(
        "| portfolio | solves×workers | hints | wall s | Σ solve s | proven | with schedule | Σ weighted slippage |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    seed, stars = _seed()
    portfolios = [(f"seed ({len(seed.projects)} projects), levels 0.85–", seed, Decimal("0.85"), stars)]
    for size in map(int, filter(None, args.sizes.split(","))):
        years, _ = SIZES.get(size, (15, 60.0))
        problem = synthetic(size, years, 1.0)
        portfolios.append((f"synthetic n={size}, {years} y, levels 0.5–", problem, Decimal("0.5"), None))
    for name, problem, low, _ in portfolios:
        levels = _levels(problem, args.points, low)
        label = f"{name}{float(levels[-1].level):g}"
        default_threads, default_workers = sweep_threads(len(levels))
        configs = (
            (default_threads, default_workers, True),
            (default_threads, default_workers, False),
            (cores, 1, True),
        )
        for threads, workers, hints in configs:
            _sweep_row(
                label,
                problem,
                levels,
                time_limit=args.time_limit,
                threads=threads,
                workers=workers,
                hints=hints,
            )
    print()
    print("| portfolio | rule | outcome | least budget (万元/yr) | proven steps | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, problem, _, star_ids in portfolios if not args.skip_least else portfolios[:1]:
        for rule in Rule:
            _least_row(name.split(",")[0], problem, rule, star_ids, args.time_limit, cores)


if __name__ == "__main__":
    main()
