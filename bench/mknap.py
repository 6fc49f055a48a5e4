"""OR-Library multidimensional knapsack through MODEL.md: `python -m bench.mknap FILE… [--time-limit 10]`.

Each instance (m constraints, n items) becomes a horizon of m years with cap b_k in year k; each item a
project with fixed start in the first year, `profile` = its m weights, weight 0, deferrable with
defer_penalty = its profit. Minimum objective = Σ profits − best value, so value found = Σ profits −
objective. Best-known values are read from the file's last number (or mkcbres.txt beside it).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from solver import greedy_schedule, solve, verify
from solver.instances import read_mknap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("| instance | best known | found | gap | status | seconds | greedy |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    gaps = []
    for path in args.files:
        problem, best = read_mknap(path)
        total = sum(p.defer_penalty for p in problem.projects)
        solution = solve(problem, time_limit=args.time_limit, workers=args.workers)
        assert not verify(problem, solution)
        greedy = greedy_schedule(problem)
        found = total - solution.objective if solution.objective is not None else None
        greedy_value = total - greedy.objective if greedy.objective is not None else None
        gap = (best - found) / best if best and found is not None else None
        if gap is not None:
            gaps.append(gap)
        print(
            f"| {path.stem} | {best} | {found} | {'-' if gap is None else f'{100 * gap:.3f} %'} | "
            f"{solution.status} | {solution.solve_seconds:.2f} | {greedy_value} |",
            flush=True,
        )
    if gaps:
        print(
            f"\nmean gap {100 * statistics.mean(gaps):.3f} % over {len(gaps)} instances; worst {100 * max(gaps):.3f} %"
        )


if __name__ == "__main__":
    main()
