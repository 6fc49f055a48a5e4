"""Solver benchmark on seeded synthetic portfolios: `python -m bench.solver [--sizes 20,200,2000] [--sources 4]`.

Per size (20 projects over 10 years, 200 over 12, 2000 over 15) and budget tightness (0.6, 0.8, 1.0 of the
unconstrained demand), prints CP-SAT's objective, bound, gap, seconds, the greedy objective and the
ratio CP-SAT / greedy, and the money-flow LP bound alone (solver/bound.py, also part of `bound`) with its time. Also solves the seed portfolio (data/projects.csv) when the app package is present.
`--sources 4` gives every instance (the seed too) the four illustrative funding sources and per-project
rules of `solver.instances.with_sources` (MODEL.md v2). "cpu s" is the process's CPU time during the solve
(all threads): on a shared machine it says how much of the wall-clock time the solver actually ran, and
`--time-scale K` multiplies every time limit by K (on a machine shared K ways, about the CPU an idle one
gives in the stated limit; the rows then say "×K").
"""

from __future__ import annotations

import argparse
import platform
import time

from solver import DEFAULT_PARAMS, Problem, greedy_schedule, solve, verify
from solver.bound import lower_bound
from solver.instances import synthetic, with_sources

SIZES = {20: (10, 10.0), 200: (12, 10.0), 2000: (15, 60.0)}  # projects: (horizon years, time limit s)
TIGHTNESS = (0.6, 0.8, 1.0)


def _gap(objective: int | None, bound: int | None) -> float | None:
    if objective is None or bound is None:
        return None
    return 0.0 if objective == bound else (objective - bound) / max(1, objective)


def _row(name: str, problem: Problem, time_limit: float, workers: int) -> None:
    started = time.monotonic()
    greedy = greedy_schedule(problem)
    greedy_s = time.monotonic() - started
    started = time.monotonic()
    shares = len(problem.projects) <= DEFAULT_PARAMS.lp_shares_max_projects  # as solve builds it
    lp_bound = lower_bound(problem, time_limit=time_limit, shares=shares)
    lp_s = time.monotonic() - started
    cpu = time.process_time()
    solution = solve(problem, time_limit=time_limit, workers=workers)
    cpu = time.process_time() - cpu
    assert not verify(problem, solution)
    gap = _gap(solution.objective, solution.bound)
    ratio = (
        f"{solution.objective / greedy.objective:.3f}"
        if greedy.objective and solution.objective is not None
        else "-"
    )
    print(
        f"| {name} | {solution.status} | {solution.objective} | {solution.bound} | "
        f"{'-' if gap is None else f'{100 * gap:.2f} %'} | {solution.solve_seconds:.2f} | "
        f"{greedy.objective if greedy.status.has_schedule else 'none'} ({greedy_s:.2f} s) | {ratio} | "
        f"{lp_bound} ({lp_s:.2f} s) | {cpu:.2f} |",
        flush=True,
    )


def _seed_problems(sources: int) -> list[tuple[str, Problem]]:
    """The seed portfolio under both seeded scenarios (app/rules/problem.py): 12,000 a year with ★ soft
    (the default) and 15,000 a year with ★ hard."""
    try:
        from app.files.importer import read_projects
        from app.resources import seed_portfolio_csv
        from app.rules.problem import build_problem, default_scenario_options, star_scenario_options
    except ImportError:
        return []
    records = read_projects(seed_portfolio_csv())
    problems = [
        (
            "seed portfolio, default scenario (12000/yr, ★ soft)",
            build_problem(records, default_scenario_options()),
        ),
        ("seed portfolio, ★ scenario (15000/yr, ★ hard)", build_problem(records, star_scenario_options())),
    ]
    if sources:
        return [(f"{name}, {sources} sources", with_sources(problem)) for name, problem in problems]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20,200,2000")
    parser.add_argument("--tightness", default=",".join(map(str, TIGHTNESS)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=int, default=0, help="0 (v1) or 4 funding sources (MODEL.md v2)")
    parser.add_argument("--no-seed-portfolio", action="store_true", help="synthetic rows only")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply every time limit by this")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(
        "| instance | status | objective | bound | gap | seconds | greedy (time) | CP-SAT/greedy "
        "| LP bound (time) | cpu s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    scale = args.time_scale
    scaled = f", time ×{scale:g}" if scale != 1.0 else ""
    for name, seed in [] if args.no_seed_portfolio else _seed_problems(args.sources):
        _row(name + scaled, seed, 10.0 * scale, args.workers)
    suffix = (f", {args.sources} sources" if args.sources else "") + scaled
    for size in map(int, args.sizes.split(",")):
        years, limit = SIZES.get(size, (15, 60.0))
        for tightness in map(float, args.tightness.split(",")):
            problem = synthetic(size, years, tightness, args.seed, sources=args.sources)
            _row(f"n={size}, {years} y, tightness {tightness}{suffix}", problem, limit * scale, args.workers)


if __name__ == "__main__":
    main()
