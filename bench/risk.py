"""Cost risk benchmark: `python -m bench.risk [--samples 1000] [--large-samples 200] [--seeds 5]
[--ci-samples 100] [--work-limit 5] [--workers 1,2] [--skip-large] [--skip-ci] [--large-no-budget]`.

1. The seed portfolio's ★按期完工 scenario (data/projects.csv, 2020–2030, 15,000 万元 a year, ★ hard), the
   default overrun assumptions: `--samples` samples (seed 1) on a Dask LocalCluster of 1 and of 2 worker
   processes — wall time, samples/s, the ratio, the P80 budget, and whether both clusters gave identical
   figures.
2. The P80 budget across `--seeds` seeds of `--ci-samples` samples each (2 workers): mean, spread, the 95 %
   interval of the mean, and how many samples one run needs to state the P80 budget to ± 1 % (the spread
   of a quantile estimate shrinks as 1/√samples).
3. A seeded synthetic portfolio of 200 projects (bench/solver.py's generator, 12 years, tightness 1.0):
   `--large-samples` samples on 1 and 2 workers.

Every figure is printed as a Markdown row for bench/RESULTS.md, with the machine's load average before and
after each row (the machine may be shared).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from typing import Any

from app.fanout import DaskFanout
from app.files.importer import read_projects
from app.resources import seed_portfolio_csv
from app.rules.overruns import Assumptions, ProjectOverruns
from app.rules.problem import ScenarioOptions, build_problem
from app.rules.risk import analyse
from solver import Problem
from solver.instances import synthetic

TIMING = ("wall_seconds", "samples_per_second", "fanout", "cores")
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}  # t, 95 %, two-sided


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def _seed_portfolio() -> tuple[Problem, ProjectOverruns, frozenset[str]]:
    records = read_projects(seed_portfolio_csv())
    options = ScenarioOptions(2020, 2030, dict.fromkeys(range(2020, 2031), 15000), star_deadline=2025)
    problem = build_problem(records, options)
    overruns = ProjectOverruns.compile(
        problem, Assumptions(), {r.code: r.category for r in records}, {r.code: r.nature for r in records}
    )
    return problem, overruns, frozenset(r.code for r in records if r.star)


def _large_portfolio() -> tuple[Problem, ProjectOverruns, None]:
    problem = synthetic(200, 12, 1.0)
    return problem, ProjectOverruns.compile(problem, Assumptions()), None


def _run(
    problem: Problem,
    overruns: ProjectOverruns,
    stars: frozenset[str] | None,
    *,
    samples: int,
    seed: int,
    workers: int,
    work_limit: float,
    confidence: float | None = 0.8,
) -> dict[str, Any]:
    with DaskFanout(workers=workers) as fanout:
        _ = fanout.cores  # start the cluster before the clock starts
        started = time.perf_counter()
        result = analyse(
            problem,
            overruns=overruns,
            samples=samples,
            seed=seed,
            stars=stars,
            confidence=confidence,
            work_limit=work_limit,
            fanout=fanout,
        )
        wall = time.perf_counter() - started
    figures = result.figures()
    figures["bench_wall"] = wall
    return figures


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _budget(figures: dict[str, Any]) -> str:
    budget = figures.get("budget") or {}
    if budget.get("amount_wan") is not None:
        return f"{budget['amount_wan']:,}"
    return str(budget.get("outcome", "—"))


def _scaling(
    name: str, problem, overruns, stars, samples: int, workers: list[int], work_limit: float, confidence
):
    print(f"\n### {name}: {samples} samples, seed 1, work limit {work_limit:g} deterministic s per solve\n")
    print(
        "| Dask workers | wall s | samples/s | P80 budget | P(all ★ on time) re-scheduled / fixed | "
        "slippage P50/P80/P90 | unproven samples | reproducible | load before → after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    runs = {}
    for w in workers:
        before = _load()
        figures = _run(
            problem,
            overruns,
            stars,
            samples=samples,
            seed=1,
            workers=w,
            work_limit=work_limit,
            confidence=confidence,
        )
        runs[w] = figures
        s = figures["slippage"]
        print(
            f"| {w} | {figures['bench_wall']:.1f} | {samples / figures['bench_wall']:.2f} | {_budget(figures)} | "
            f"{_share(figures['p_all_stars'])} / {_share(figures['p_all_stars_fixed'])} | {s['p50']}/{s['p80']}/{s['p90']} | "
            f"{figures['unproven_samples']} | {figures['reproducible']} | {before} → {_load()} |",
            flush=True,
        )
    if len(runs) >= 2:
        first, *others = list(runs.values())
        same = all(
            {k: v for k, v in first.items() if k not in (*TIMING, "bench_wall")}
            == {k: v for k, v in o.items() if k not in (*TIMING, "bench_wall")}
            for o in others
        )
        walls = [runs[w]["bench_wall"] for w in workers]
        print(
            f"\nwall ratio {workers[0]} → {workers[-1]} workers: {walls[0] / walls[-1]:.2f}×; figures identical: {same}"
        )


def _spread(problem, overruns, stars, seeds: int, samples: int, work_limit: float) -> None:
    print(f"\n### P80 budget across {seeds} seeds, {samples} samples each (2 Dask workers)\n")
    amounts = []
    for seed in range(1, seeds + 1):
        before = _load()
        figures = _run(problem, overruns, stars, samples=samples, seed=seed, workers=2, work_limit=work_limit)
        amount = (figures.get("budget") or {}).get("amount_wan")
        print(
            f"- seed {seed}: P80 budget {_budget(figures)} ({figures['bench_wall']:.0f} s, load {before} → {_load()})",
            flush=True,
        )
        if amount is not None:
            amounts.append(amount)
    if len(amounts) < 2:
        return
    mean = statistics.mean(amounts)
    sd = statistics.stdev(amounts)
    half = T95.get(len(amounts) - 1, 1.96) * sd / math.sqrt(len(amounts))
    needed = math.ceil(samples * (1.96 * sd / (0.01 * mean)) ** 2)
    print(
        f"\nP80 budget over {len(amounts)} seeds: mean {mean:,.0f}, sd {sd:,.0f} ({sd / mean:.1%} of the mean), "
        f"range {min(amounts):,}–{max(amounts):,}; 95 % interval of the mean ±{half:,.0f} ({half / mean:.1%}). "
        f"One run states it to ±1 % (95 %) with about {needed:,} samples (sd × √({samples}/n))."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--large-samples", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--ci-samples", type=int, default=100)
    parser.add_argument("--work-limit", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-ci", action="store_true")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--large-no-budget", action="store_true", help="no P80 bisection on 200 projects")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python "
        f"{platform.python_version()}, load average {_load()} (1/5 min)"
    )
    seed = _seed_portfolio()
    if not args.skip_seed:
        _scaling(
            "seed portfolio (19 projects), ★按期完工 15,000/yr",
            *seed,
            args.samples,
            workers,
            args.work_limit,
            0.8,
        )
    if not args.skip_ci:
        _spread(*seed, args.seeds, args.ci_samples, args.work_limit)
    if not args.skip_large:
        _scaling(
            "synthetic n=200, 12 y, tightness 1.0",
            *_large_portfolio(),
            args.large_samples,
            workers,
            args.work_limit,
            None if args.large_no_budget else 0.8,
        )


if __name__ == "__main__":
    main()
