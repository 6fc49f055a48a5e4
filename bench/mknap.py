"""OR-Library multidimensional knapsack through MODEL.md:
`python -m bench.mknap FILE… [--time-limit 10]`, or by class: `python -m bench.mknap --classes all --anchors`.

Each instance (m constraints, n items) becomes a horizon of m years with cap b_k in year k; each item a
project with fixed start in the first year, `profile` = its m weights, weight 0, deferrable with
defer_penalty = its profit. Minimum objective = Σ profits − best value, so value found = Σ profits −
objective. Best-known values are read from the file's last number (or mkcbres.txt beside it).

`--classes` picks instances by class (1 = 5×100 … 9 = 30×500, see shared/benchmarks/README.md), instances
00/07/14/21/28 of each by default (`--instances`), and prints the mean gap per class. `--anchors` also
solves each instance, in the same run and with the same time limit, by HiGHS alone on the knapsack MIP
(max Σ p·x, Σ_j w_kj·x_j ≤ b_k, x binary; relative gap 0 so it stops only on a proof) and by a direct
CP-SAT model of it (`--workers` workers): the two anchors capsched's solver has to match (issue 14).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from solver import Problem, greedy_schedule, solve, verify
from solver.instances import read_mknap

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "mknap"
CLASS_SIZES = {1: "5×100", 2: "5×250", 3: "5×500", 4: "10×100", 5: "10×250", 6: "10×500"}
CLASS_SIZES |= {7: "30×100", 8: "30×250", 9: "30×500"}
DEFAULT_INSTANCES = "00,07,14,21,28"


@dataclass(frozen=True, slots=True)
class Knapsack:
    """The instance as plain arrays: profits p_j, capacities b_k, weights w[k][j]."""

    profits: list[int]
    capacities: list[int]
    weights: list[list[int]]

    @classmethod
    def of(cls, problem: Problem) -> Knapsack:
        years = sorted(problem.budget)
        return cls(
            profits=[p.defer_penalty for p in problem.projects],
            capacities=[problem.budget[y] for y in years],
            weights=[[p.profile[k] for p in problem.projects] for k in range(len(years))],
        )


@dataclass(frozen=True, slots=True)
class Answer:
    value: int | None  # the best value found (Σ profits of the chosen items)
    proven: bool
    seconds: float


def capsched_answer(problem: Problem, time_limit: float, workers: int) -> Answer:
    """capsched's solver on the MODEL.md encoding (the schedule checked by the verifier)."""
    started = time.monotonic()
    solution = solve(problem, time_limit=time_limit, workers=workers)
    seconds = time.monotonic() - started
    assert not verify(problem, solution)
    total = sum(p.defer_penalty for p in problem.projects)
    value = total - solution.objective if solution.objective is not None else None
    return Answer(value, solution.status == "OPTIMAL", seconds)


def highs_answer(knapsack: Knapsack, time_limit: float) -> Answer:
    """HiGHS alone on the knapsack MIP, one thread, relative gap 0."""
    import highspy
    import numpy as np

    n, m = len(knapsack.profits), len(knapsack.capacities)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.array(knapsack.profits, dtype=float)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(m, -highspy.kHighsInf)
    lp.row_upper_ = np.array(knapsack.capacities, dtype=float)
    starts, index, value = [0], [], []
    for j in range(n):
        for k in range(m):
            if knapsack.weights[k][j]:
                index.append(k)
                value.append(float(knapsack.weights[k][j]))
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("random_seed", 1)
    started = time.monotonic()
    highs.passModel(lp)
    highs.run()
    seconds = time.monotonic() - started
    info = highs.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return Answer(None, False, seconds)
    chosen = [round(x) for x in highs.getSolution().col_value]
    return Answer(
        _checked_value(knapsack, chosen), highs.getModelStatus() == highspy.HighsModelStatus.kOptimal, seconds
    )


def cpsat_answer(knapsack: Knapsack, time_limit: float, workers: int) -> Answer:
    """A direct CP-SAT model: one Boolean per item, one linear row per constraint, maximise profit."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    take = [model.new_bool_var(f"x{j}") for j in range(len(knapsack.profits))]
    for k, cap in enumerate(knapsack.capacities):
        model.add(sum(w * x for w, x in zip(knapsack.weights[k], take, strict=True) if w) <= cap)
    model.maximize(sum(p * x for p, x in zip(knapsack.profits, take, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    started = time.monotonic()
    status = solver.solve(model)
    seconds = time.monotonic() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Answer(None, False, seconds)
    chosen = [int(solver.value(x)) for x in take]
    return Answer(_checked_value(knapsack, chosen), status == cp_model.OPTIMAL, seconds)


def _checked_value(knapsack: Knapsack, chosen: list[int]) -> int:
    """The chosen items' profit, after checking every capacity (an anchor's answer is checked too)."""
    for k, cap in enumerate(knapsack.capacities):
        used = sum(w * x for w, x in zip(knapsack.weights[k], chosen, strict=True))
        assert used <= cap, f"constraint {k}: {used} > {cap}"
    return sum(p * x for p, x in zip(knapsack.profits, chosen, strict=True))


def _gap(best: int | None, answer: Answer | None) -> float | None:
    if best is None or answer is None or answer.value is None:
        return None
    return (best - answer.value) / best


def _pct(gap: float | None) -> str:
    return "-" if gap is None else f"{100 * gap:.3f} %"


def _cell(best: int | None, answer: Answer) -> str:
    mark = " ✓" if answer.proven else ""
    return f"{answer.value} ({_pct(_gap(best, answer))}, {answer.seconds:.1f} s{mark})"


def _files(args: argparse.Namespace) -> list[Path]:
    if args.files:
        return list(args.files)
    classes = range(1, 10) if args.classes == "all" else [int(c) for c in args.classes.split(",")]
    return [args.dir / f"mknapcb{c}_{i}.dat" for c in classes for i in args.instances.split(",")]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--classes", help="all, or classes 1–9 separated by commas")
    parser.add_argument("--instances", default=DEFAULT_INSTANCES, help="instance numbers with --classes")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the mknapcb files are")
    parser.add_argument("--anchors", action="store_true", help="also HiGHS alone and a direct CP-SAT model")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not args.files and not args.classes:
        parser.error("give mknapcb files, or --classes")
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"at start: {_load()}; time limit {args.time_limit:g} s each, {args.workers} workers")
    anchors: list[tuple[str, Callable[[Problem, Knapsack], Answer]]] = []
    if args.anchors:
        anchors = [
            ("HiGHS alone", lambda _p, k: highs_answer(k, args.time_limit)),
            ("CP-SAT direct", lambda _p, k: cpsat_answer(k, args.time_limit, args.workers)),
        ]
    names = ["capsched", *(name for name, _ in anchors)]
    print("| instance | best known | " + " | ".join(names) + " | greedy |")
    print("| --- | --- | " + " | ".join("---" for _ in names) + " | --- |")
    gaps: dict[str, dict[str, list[float]]] = {}
    for path in _files(args):
        problem, best = read_mknap(path)
        knapsack = Knapsack.of(problem)
        answers = [capsched_answer(problem, args.time_limit, args.workers)]
        answers += [run(problem, knapsack) for _, run in anchors]
        greedy = greedy_schedule(problem)
        total = sum(p.defer_penalty for p in problem.projects)
        greedy_value = total - greedy.objective if greedy.objective is not None else None
        klass = path.stem.split("_")[0].removeprefix("mknapcb")
        for name, answer in zip(names, answers, strict=True):
            gap = _gap(best, answer)
            if gap is not None:
                gaps.setdefault(klass, {}).setdefault(name, []).append(gap)
        cells = " | ".join(_cell(best, a) for a in answers)
        print(f"| {path.stem} | {best} | {cells} | {greedy_value} |", flush=True)
    print("\nvalue (gap to best known, seconds, ✓ proven optimal)\n")
    print(
        "| class | m×n | instances | " + " | ".join(f"{n} mean gap" for n in names) + " | capsched ≤ both |"
    )
    print("| --- | --- | --- | " + " | ".join("---" for _ in names) + " | --- |")
    for klass, by_name in gaps.items():
        means = {name: statistics.mean(values) for name, values in by_name.items()}
        count = len(by_name.get("capsched", []))
        met = "-"
        if len(means) == len(names) > 1:
            better = min(means[n] for n in names[1:])
            met = (
                "yes"
                if means["capsched"] <= better + 1e-12
                else f"no (+{100 * (means['capsched'] - better):.4f} pt)"
            )
        size = CLASS_SIZES.get(int(klass), "?") if klass.isdigit() else "?"
        row = " | ".join(_pct(means.get(n)) for n in names)
        print(f"| {klass} | {size} | {count} | {row} | {met} |")
    print(f"\nat end: {_load()}")


if __name__ == "__main__":
    main()
