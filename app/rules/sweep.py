"""Money against delay: the budget trade-off curve, a sweep of budget levels.

It rests on one fact of MODEL.md: raising caps only widens the set of feasible schedules (with or without
carryover), so a schedule feasible at a smaller budget is feasible at every larger one, the optimal
weighted slippage never rises with money, and a budget proven infeasible proves every smaller one
infeasible. The sweep uses it for hints and for statuses (app/rules/least_budget.py uses it for bisection).

Pure: over a `solver.Problem`, with an optional progress callback and a `threading.Event` to cancel; the
levels are solved on a fan-out (app/fanout.py: threads here by default, a Dask cluster from the CLI and the
web service), which the CLI and the web service call the same way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from app.fanout import Fanout, LocalThreads
from app.rules.budgets import BudgetSpecError, flat_budget, flat_factor, scale_sources
from app.rules.problem import star_ids_of
from solver import Problem, Solution, SolveStatus, solve

MAX_SWEEP_POINTS = 200


@dataclass(frozen=True, slots=True)
class BudgetLevel:
    """One point of a sweep: its label (a scale factor, or a flat amount in 万元) and the caps it means."""

    level: float
    caps: Mapping[int, int]
    flat_wan: int | None = None  # set when the level is a flat annual amount

    @property
    def total_wan(self) -> int:
        return sum(self.caps.values())

    @property
    def mean_cap_wan(self) -> float:
        return self.total_wan / len(self.caps)


def level_problem(problem: Problem, level: BudgetLevel) -> Problem:
    """The problem at a budget level: its caps and, with funding sources, every quota moved by the same
    factor (the level's scale, or the flat amount over the problem's mean cap), rounded down."""
    if not problem.sources:
        return replace(problem, budget=dict(level.caps))
    if level.flat_wan is not None:
        factor = flat_factor(problem.budget, level.flat_wan)
    else:
        factor = Fraction(str(level.level))
    return replace(problem, budget=dict(level.caps), sources=scale_sources(problem.sources, factor))


def parse_levels(spec: str) -> tuple[Decimal, ...]:
    """'0.5:1.5:0.1' → 0.5, 0.6, …, 1.5 (both ends included, decimal so 1.5 is never lost to rounding);
    '0.8,1,1.2' → those factors."""
    text = spec.strip()
    try:
        if ":" in text:
            parts = [Decimal(p.strip()) for p in text.split(":")]
            if len(parts) != 3:
                raise BudgetSpecError(f"levels {spec!r}: expected FROM:TO:STEP, e.g. 0.5:1.5:0.1")
            start, stop, step = parts
            if step <= 0:
                raise BudgetSpecError(f"levels {spec!r}: the step must be more than 0")
            if stop < start:
                raise BudgetSpecError(f"levels {spec!r}: TO ({stop}) is less than FROM ({start})")
            count = int((stop - start) / step) + 1
            if count > MAX_SWEEP_POINTS:
                raise BudgetSpecError(f"levels {spec!r}: {count} points; at most {MAX_SWEEP_POINTS}")
            factors = tuple(start + k * step for k in range(count))
        else:
            factors = tuple(Decimal(p.strip()) for p in text.split(",") if p.strip())
    except InvalidOperation:
        raise BudgetSpecError(
            f"levels {spec!r}: not numbers; expected e.g. 0.5:1.5:0.1 or 0.8,1,1.2"
        ) from None
    if not factors:
        raise BudgetSpecError(f"levels {spec!r}: no level given")
    negative = [f for f in factors if f < 0]
    if negative:
        raise BudgetSpecError(f"levels {spec!r}: a scale factor cannot be negative ({negative[0]})")
    return factors


def parse_amounts(spec: str) -> tuple[int, ...]:
    """'8000,10000,12000' → flat annual amounts in 万元."""
    amounts: list[int] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            amount = int(part)
        except ValueError:
            raise BudgetSpecError(f"amounts: {part!r} is not a whole number of 万元") from None
        if amount < 0:
            raise BudgetSpecError(f"amounts: {amount} cannot be negative")
        amounts.append(amount)
    if not amounts:
        raise BudgetSpecError(f"amounts {spec!r}: no amount given; expected e.g. 8000,10000,12000")
    if len(amounts) > MAX_SWEEP_POINTS:
        raise BudgetSpecError(f"amounts: {len(amounts)} points; at most {MAX_SWEEP_POINTS}")
    return tuple(amounts)


def scaled_levels(caps: Mapping[int, int], factors: Sequence[Decimal | float]) -> tuple[BudgetLevel, ...]:
    """Every cap times each factor, rounded down to whole 万元 (as app.rules.budgets.scale_budget)."""
    levels = []
    for factor in factors:
        exact = Decimal(str(factor))
        scaled = {
            year: int((Decimal(cap) * exact).to_integral_value("ROUND_FLOOR")) for year, cap in caps.items()
        }
        levels.append(BudgetLevel(float(exact), scaled))
    return tuple(levels)


def flat_levels(first_year: int, last_year: int, amounts: Sequence[int]) -> tuple[BudgetLevel, ...]:
    """A flat cap of each amount every year."""
    return tuple(BudgetLevel(float(a), flat_budget(first_year, last_year, a), flat_wan=a) for a in amounts)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The optimum (or best found) at one budget level. `proven`: OPTIMAL or INFEASIBLE, by the solver or
    by monotonicity (a larger budget proven infeasible)."""

    level: BudgetLevel
    status: SolveStatus
    proven: bool
    objective: int | None  # weighted slippage (or seat-years when the scenario minimises them)
    bound: int | None
    projects_late: int | None
    star_late: int | None
    deferred: int | None
    solve_seconds: float
    hinted: bool
    solution: Solution = field(repr=False)
    note: str = ""
    seat_years: int | None = None  # places × years late (issue 15), when the sweep knows the places

    def to_json(self) -> dict[str, Any]:
        """The point without its schedule (the web service stores `solution.to_json()` beside it)."""
        return {
            "level": self.level.level,
            "flat_wan": self.level.flat_wan,
            "caps": {str(year): cap for year, cap in sorted(self.level.caps.items())},
            "budget_total_wan": self.level.total_wan,
            "mean_cap_wan": round(self.level.mean_cap_wan, 1),
            "status": str(self.status),
            "proven": self.proven,
            "objective": self.objective,
            "bound": self.bound,
            "projects_late": self.projects_late,
            "star_late": self.star_late,
            "deferred": self.deferred,
            "solve_seconds": round(self.solve_seconds, 3),
            "hinted": self.hinted,
            "note": self.note,
            "seat_years": self.seat_years,
        }


@dataclass(frozen=True, slots=True)
class SweepProgress:
    """Reported after each point: how many are done of how many, and the point just finished."""

    done: int
    total: int
    point: CurvePoint


@dataclass(frozen=True, slots=True)
class Curve:
    """Points in order of increasing budget. `cancelled`: stopped before every level was solved."""

    points: tuple[CurvePoint, ...]
    cancelled: bool
    wall_seconds: float


def point_from_solution(
    level: BudgetLevel,
    solution: Solution,
    stars: frozenset[str],
    *,
    hinted: bool,
    note: str = "",
    seats: Mapping[str, int] | None = None,
) -> CurvePoint:
    """Count late, ★ late and deferred projects of a solution (and its seat-years, given the places)."""
    has = solution.status.has_schedule
    late = [p for p in solution.projects if p.scheduled and (p.slippage or 0) > 0]
    lost = sum((p.slippage or 0) * seats.get(p.id, 0) for p in late) if has and seats is not None else None
    return CurvePoint(
        level=level,
        status=solution.status,
        proven=solution.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE),
        objective=solution.objective if has else None,
        bound=solution.bound,
        projects_late=len(late) if has else None,
        star_late=sum(p.id in stars for p in late) if has else None,
        deferred=sum(not p.scheduled for p in solution.projects) if has else None,
        solve_seconds=solution.solve_seconds,
        hinted=hinted,
        solution=solution,
        note=note,
        seat_years=lost,
    )


def sweep_threads(points: int, cpus: int | None = None) -> tuple[int, int]:
    """(levels solved at once, CP-SAT workers each): two workers per solve, as many solves as that leaves
    cores for. On 2 cores one 2-worker solve at a time beat two 1-worker solves in parallel — every level
    got a schedule, 10 of 20 proven against 2 of 20, in less wall time (bench/sweep.py, bench/RESULTS.md):
    a single CP-SAT worker has no portfolio of strategies to fall back on."""
    cores = cpus or os.cpu_count() or 1
    workers = 2 if cores >= 2 else 1
    return max(1, min(points, cores // workers)), workers


def sweep(
    problem: Problem,
    levels: Sequence[BudgetLevel],
    *,
    time_limit: float = 10.0,
    threads: int | None = None,
    workers: int | None = None,
    hints: bool = True,
    stars: Collection[str] | None = None,
    seats: Mapping[str, int] | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
    stop: threading.Event | None = None,
    fanout: Fanout | None = None,
) -> Curve:
    """Solve `problem` at every budget level, `threads` levels at a time (default: sweep_threads of the
    fan-out's cores), each solve a task of `fanout` (default: threads of this process).

    Levels start in order of increasing budget; each is hinted with the schedule of the largest smaller
    budget solved so far — feasible at this budget too, so the solver starts from a valid plan and its
    slippage as an upper bound. A level proven infeasible makes every smaller level infeasible (not solved).
    """
    started = time.perf_counter()
    if not levels:
        return Curve((), False, 0.0)
    fanout = fanout or LocalThreads(threads)
    cores = fanout.cores
    default_threads, default_workers = sweep_threads(len(levels), cores)
    threads = threads or default_threads
    workers = workers or (default_workers if threads == default_threads else max(1, cores // threads))
    star_set = star_ids_of(problem, stars)
    order = sorted(range(len(levels)), key=lambda i: levels[i].total_wan)
    done: dict[int, CurvePoint] = {}
    pending = list(order)
    running: dict[Future[Solution], tuple[int, bool]] = {}
    cancelled = False

    def report(index: int, point: CurvePoint) -> None:
        done[index] = point
        if progress is not None:
            progress(SweepProgress(len(done), len(levels), point))

    def hint_for(index: int) -> Solution | None:
        if not hints:
            return None
        below = [
            i for i in done if done[i].status.has_schedule and _dominated(levels[i].caps, levels[index].caps)
        ]
        return done[max(below, key=lambda i: levels[i].total_wan)].solution if below else None

    with fanout.batch(stop) as batch:
        while pending or running:
            while pending and len(running) < threads and not (stop is not None and stop.is_set()):
                index = pending.pop(0)
                proof = _infeasible_above(index, levels, done)
                if proof is not None:
                    report(index, _infeasible_by_monotonicity(levels[index], proof, star_set))
                    continue
                hint = hint_for(index)
                at_level = level_problem(problem, levels[index])
                future = batch.submit(solve, at_level, time_limit=time_limit, workers=workers, hint=hint)
                running[future] = (index, hint is not None)
            if stop is not None and stop.is_set():
                cancelled = cancelled or bool(pending)
                pending.clear()
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                index, hinted = running.pop(future)
                point = point_from_solution(
                    levels[index], future.result(), star_set, hinted=hinted, seats=seats
                )
                report(index, point)
    points = tuple(_upgrade_by_monotonicity(done[i], levels, done) for i in order if i in done)
    return Curve(points, cancelled, time.perf_counter() - started)


def _dominated(smaller: Mapping[int, int], larger: Mapping[int, int]) -> bool:
    return all(smaller[y] <= larger[y] for y in larger)


def _infeasible_above(
    index: int, levels: Sequence[BudgetLevel], done: Mapping[int, CurvePoint]
) -> int | None:
    """A solved level at least as large as `index` in every year, proven infeasible, if any."""
    for i, point in done.items():
        if point.status is SolveStatus.INFEASIBLE and _dominated(levels[index].caps, levels[i].caps):
            return i
    return None


def _infeasible_by_monotonicity(level: BudgetLevel, proof: int, stars: frozenset[str]) -> CurvePoint:
    solution = Solution(status=SolveStatus.INFEASIBLE, objective=None, bound=None, solve_seconds=0.0)
    return point_from_solution(
        level, solution, stars, hinted=False, note="infeasible: a larger budget is proven infeasible"
    )


def _upgrade_by_monotonicity(
    point: CurvePoint, levels: Sequence[BudgetLevel], done: Mapping[int, CurvePoint]
) -> CurvePoint:
    """An UNKNOWN level below a level proven infeasible is itself proven infeasible."""
    if point.status is not SolveStatus.UNKNOWN:
        return point
    index = next(i for i, p in done.items() if p is point)
    if _infeasible_above(index, levels, done) is None:
        return point
    return replace(
        point,
        status=SolveStatus.INFEASIBLE,
        proven=True,
        note="infeasible: a larger budget is proven infeasible",
    )
