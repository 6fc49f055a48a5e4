"""Two sets of solver parameters on the same small problems, in one process, case by case:
`python -m bench.params_ab --a '{"first_stage_probing": null}' --b '{}' [--sources] [--repeat 1]`.

`--a` and `--b` are `SolveParams` fields as JSON objects (`SolveParams.from_mapping`; `{}` = the defaults).
The cases: the seed portfolio's default scenario (12,000 a year, ★ soft) and bench/solver.py's synthetic
20-project instances, seeds 1–3 at tightness 0.6 / 0.8 / 1.0; with `--sources`, the same with
`solver.instances.with_sources`' four sources, and the seed as the app seeds it (data/sources.csv). Each
case is solved with A, then B (10 s limit, 2 workers), after the engines are imported, so the figures are
solve times alone; every schedule is verified. The last line sums the seconds. Small solves end in a
second or two, so read the sum and the per-case ratios from one run, not across runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import time

from bench.solver import _seed_cases
from solver import Problem, SolveParams, solve, verify
from solver.instances import synthetic


def cases(sources: bool) -> list[tuple[str, Problem]]:
    """The seed portfolio's default scenario and nine 20-project instances (v1, or v2 with `sources`)."""
    seeds = [c for c in _seed_cases(4 if sources else 0) if "★ scenario" not in c.name]
    found = [(c.name, c.problem) for c in seeds]
    for seed in (1, 2, 3):
        for tightness in (0.6, 0.8, 1.0):
            problem = synthetic(20, 10, tightness, seed=seed, sources=4 if sources else 0)
            found.append((f"20 @ {tightness}, seed {seed}", problem))
    return found


def timed(problem: Problem, params: SolveParams, time_limit: float) -> tuple[str, float]:
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=2, params=params)
    seconds = time.monotonic() - started
    assert not verify(problem, solution), "a schedule failed verification"
    return f"{solution.status} {solution.objective}", seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--a", default="{}", help="SolveParams fields for A, as JSON")
    parser.add_argument("--b", default="{}", help="SolveParams fields for B, as JSON")
    parser.add_argument("--sources", action="store_true", help="v2: four funding sources")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    a = SolveParams.from_mapping(json.loads(args.a))
    b = SolveParams.from_mapping(json.loads(args.b))
    for engine in ("solver.cpmodel", "solver.cpsat", "solver.mip"):  # their imports out of the timings
        importlib.import_module(engine)

    print(f"machine: {platform.machine()}, python {platform.python_version()}; A = {args.a}, B = {args.b}")
    print("| case | A | A s | B | B s | B / A |\n| --- | --- | --- | --- | --- | --- |")
    total = {"a": 0.0, "b": 0.0}
    for name, problem in cases(args.sources):
        for _ in range(args.repeat):
            (sa, ta), (sb, tb) = timed(problem, a, args.time_limit), timed(problem, b, args.time_limit)
            total["a"] += ta
            total["b"] += tb
            print(f"| {name} | {sa} | {ta:.2f} | {sb} | {tb:.2f} | {tb / ta:.2f} |", flush=True)
    print(f"\nin all: A {total['a']:.2f} s, B {total['b']:.2f} s, B / A {total['b'] / total['a']:.2f}")


if __name__ == "__main__":
    main()
