"""Money against delay: the budget trade-off curve (a sweep of budget levels) and the least budget.

Both rest on one fact of MODEL.md: raising caps only widens the set of feasible schedules (with or
without carryover), so a schedule feasible at a smaller budget is feasible at every larger one, the
optimal weighted slippage never rises with money, and a budget proven infeasible proves every smaller
one infeasible. The sweep uses it for hints and for statuses; the least budget uses it for bisection.

Pure services over a `solver.Problem`: the CLI and the web service call them the same way, with an
optional progress callback and a `threading.Event` to cancel.
"""

from __future__ import annotations

import csv
import io
import math
import os
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.budgets import BudgetSpecError, flat_budget
from app.i18n import Message
from app.problem_builder import PLAN_PERIOD_END
from solver import Problem, Solution, SolveStatus, solve

MAX_SWEEP_POINTS = 200
SCALE_STEPS = 1000  # least scale is exact to 1/1000: the smallest k with caps ⌊k·B_t/1000⌋ meeting the rule


# ── budget levels ─────────────────────────────────────────────────────────────────────────────────


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
    """Every cap times each factor, rounded down to whole 万元 (as app.budgets.scale_budget)."""
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


# ── the trade-off curve ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The optimum (or best found) at one budget level. `proven`: OPTIMAL or INFEASIBLE, by the solver or
    by monotonicity (a larger budget proven infeasible)."""

    level: BudgetLevel
    status: SolveStatus
    proven: bool
    objective: int | None  # weighted slippage
    bound: int | None
    projects_late: int | None
    star_late: int | None
    deferred: int | None
    solve_seconds: float
    hinted: bool
    solution: Solution = field(repr=False)
    note: str = ""

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


def star_ids_of(problem: Problem, stars: Collection[str] | None = None) -> frozenset[str]:
    """★ projects: as given (from the records), else the projects that carry a deadline."""
    if stars is not None:
        return frozenset(stars) & {p.id for p in problem.projects}
    return frozenset(p.id for p in problem.projects if p.deadline is not None)


def point_from_solution(
    level: BudgetLevel, solution: Solution, stars: frozenset[str], *, hinted: bool, note: str = ""
) -> CurvePoint:
    """Count late, ★ late and deferred projects of a solution."""
    has = solution.status.has_schedule
    late = [p for p in solution.projects if p.scheduled and (p.slippage or 0) > 0]
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
    progress: Callable[[SweepProgress], None] | None = None,
    stop: threading.Event | None = None,
) -> Curve:
    """Solve `problem` at every budget level, `threads` levels at a time (default: sweep_threads).

    Levels start in order of increasing budget; each is hinted with the schedule of the largest smaller
    budget solved so far — feasible at this budget too, so the solver starts from a valid plan and its
    slippage as an upper bound. A level proven infeasible makes every smaller level infeasible (not solved).
    """
    import time

    started = time.perf_counter()
    if not levels:
        return Curve((), False, 0.0)
    default_threads, default_workers = sweep_threads(len(levels))
    threads = threads or default_threads
    workers = workers or (
        default_workers if threads == default_threads else max(1, (os.cpu_count() or 1) // threads)
    )
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

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sweep") as pool:
        while pending or running:
            while pending and len(running) < threads and not (stop is not None and stop.is_set()):
                index = pending.pop(0)
                proof = _infeasible_above(index, levels, done)
                if proof is not None:
                    report(index, _infeasible_by_monotonicity(levels[index], proof, star_set))
                    continue
                hint = hint_for(index)
                level_problem = replace(problem, budget=dict(levels[index].caps))
                future = pool.submit(
                    solve, level_problem, time_limit=time_limit, workers=workers, hint=hint, stop=stop
                )
                running[future] = (index, hint is not None)
            if stop is not None and stop.is_set():
                cancelled = cancelled or bool(pending)
                pending.clear()
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                index, hinted = running.pop(future)
                report(index, point_from_solution(levels[index], future.result(), star_set, hinted=hinted))
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


# ── the curve as a table ──────────────────────────────────────────────────────────────────────────

_CURVE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("level", "预算水平", "Level"),
    ("mean_cap_wan", "年均预算(万元)", "Mean annual cap (10k CNY)"),
    ("budget_total_wan", "预算合计(万元)", "Budget total (10k CNY)"),
    ("objective", "加权延期", "Weighted slippage"),
    ("projects_late", "延期项目数", "Projects late"),
    ("star_late", "★延期", "★ late"),
    ("deferred", "暂缓", "Deferred"),
    ("status", "状态", "Status"),
    ("proven", "已证明", "Proven"),
    ("solve_seconds", "用时(秒)", "Seconds"),
    ("note", "备注", "Note"),
)


def curve_table(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the curve, one row per level (points as `CurvePoint.to_json()`)."""
    header = [en if lang == "en" else zh for _, zh, en in _CURVE_COLUMNS]
    rows = []
    for point in points:
        values = dict(point)
        values["proven"] = (
            ("yes" if lang == "en" else "是") if point["proven"] else ("no" if lang == "en" else "否")
        )
        rows.append([values.get(key) for key, _, _ in _CURVE_COLUMNS])
    return header, rows


def curve_csv(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> bytes:
    """The curve as CSV (UTF-8 with BOM, so Excel shows the Chinese)."""
    header, rows = curve_table(points, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def curve_xlsx(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> bytes:
    from openpyxl import Workbook

    header, rows = curve_table(points, lang)
    book = Workbook()
    sheet = book.active
    sheet.title = "预算-延期曲线" if lang != "en" else "curve"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ── the least budget ──────────────────────────────────────────────────────────────────────────────


class Rule(StrEnum):
    """What the least budget must achieve."""

    STAR = "star"  # every ★ project scheduled and finished by its deadline (the problem is feasible)
    ZERO_SLIPPAGE = "zero-slippage"  # weighted slippage 0: nothing that counts ends late or is deferred


class Outcome(StrEnum):
    FOUND = "found"
    NONE = "none"  # no amount of money meets the rule (the projects' own rules forbid it)
    UNPROVEN = "unproven"  # a step neither found a schedule nor proved none exists in time
    CANCELLED = "cancelled"


class Verdict(StrEnum):
    MEETS = "meets"
    FAILS = "fails"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class BisectionStep:
    """One proven (or not) answer of the bisection: at these caps, does the rule hold?"""

    key: int  # 万元 a year (flat), or k of the scale k/SCALE_STEPS
    caps_total_wan: int
    verdict: Verdict
    seconds: float
    low: int  # the largest key known to fail so far
    high: int  # the smallest key known to meet the rule so far


@dataclass(frozen=True, slots=True)
class LeastBudget:
    """The answer. FOUND: `amount_wan` (flat) or `scale` (scale mode) meets the rule and one unit less is
    proven not to (`steps` holds every proof; a key of `proof_below` is the counting argument)."""

    rule: Rule
    mode: str  # "flat" or "scale"
    outcome: Outcome
    message: Message  # in the reader's language: app.i18n.render(message, lang)
    amount_wan: int | None = None
    scale: float | None = None
    caps: Mapping[int, int] | None = None
    solution: Solution | None = None  # the schedule at that budget (the problem's own objective)
    steps: tuple[BisectionStep, ...] = ()
    proof_below: Message | str = ""

    @property
    def answer_text(self) -> str:
        """What the CLI prints alone on its last line: the amount in 万元, or the scale factor."""
        if self.amount_wan is not None:
            return str(self.amount_wan)
        return f"{self.scale:.3f}" if self.scale is not None else ""


def rule_problem(
    problem: Problem,
    rule: Rule,
    stars: Collection[str] | None = None,
    star_deadline: int = PLAN_PERIOD_END,
) -> Problem:
    """A problem whose every schedule meets `rule` and whose objective is 0, so any schedule found is a
    proof and the solver stops at the first one. ★ projects may not be deferred and must end by their
    deadline (a ★ without one — a scenario with soft ★ — gets the plan period's, as build_problem would);
    for zero slippage every project that counts (weight > 0) must end by its planned end and only
    penalty-free deferral is left."""
    star_set = star_ids_of(problem, stars)
    projects = []
    for p in problem.projects:
        deadline, deferrable = p.deadline, p.deferrable
        if p.id in star_set:
            deferrable = False
            if deadline is None:
                deadline = max(star_deadline, p.planned_end)
        if rule is Rule.ZERO_SLIPPAGE:
            if p.weight > 0:
                deadline = p.planned_end if deadline is None else min(deadline, p.planned_end)
            if p.defer_penalty > 0:
                deferrable = False
        projects.append(replace(p, deadline=deadline, deferrable=deferrable, weight=0, defer_penalty=0))
    return replace(problem, projects=tuple(projects))


def _never_binding_cap(problem: Problem) -> int:
    """A cap so large no year can use it all: the sum of every project's largest annual draw."""
    total = 0
    for p in problem.projects:
        if p.profile is not None:
            total += max(p.profile)
        else:
            total += min(p.cost, p.max_annual_or_default())
    return total


def _must_fund(problem: Problem) -> int:
    """Money every schedule of the rule problem spends inside the horizon: all non-deferrable costs."""
    return sum(p.cost for p in problem.projects if not p.deferrable)


def least_budget(
    problem: Problem,
    *,
    rule: Rule = Rule.STAR,
    scale_of: Mapping[int, int] | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
    stars: Collection[str] | None = None,
    star_deadline: int = PLAN_PERIOD_END,
    progress: Callable[[BisectionStep], None] | None = None,
    stop: threading.Event | None = None,
) -> LeastBudget:
    """The least flat annual budget (or, with `scale_of`, the least scale k/1000 of those caps, each cap
    rounded down) meeting `rule`, exactly (pass `stars`, the portfolio's ★ codes, when the scenario's ★
    deadlines may be soft): a bisection over whole keys whose every step is proven — a
    schedule found (meets) or INFEASIBLE (fails); a step the solver cannot decide in `time_limit` stops it
    with Outcome.UNPROVEN, never counted as a failure.
    """
    checked = rule_problem(problem, rule, stars, star_deadline)
    mode = "flat" if scale_of is None else "scale"
    must = _must_fund(checked)
    top = _never_binding_cap(checked)

    if scale_of is None:

        def caps_at(key: int) -> dict[int, int]:
            return flat_budget(problem.first_year, problem.last_year, max(key, 0))

        ceiling = top
    else:
        base = {year: scale_of[year] for year in problem.years}
        if not any(base.values()):
            return LeastBudget(rule, mode, Outcome.NONE, Message("lb_all_caps_zero"))

        def caps_at(key: int) -> dict[int, int]:
            return {year: cap * max(key, 0) // SCALE_STEPS for year, cap in base.items()}

        # every non-zero cap at least `top`
        ceiling = math.ceil(top * SCALE_STEPS / min(c for c in base.values() if c > 0))
    # Σ spend = Σ cost of the projects that must be funded ≤ Σ caps: below that no schedule exists.
    low = _largest_short(caps_at, must)
    high = max(ceiling, low + 1)
    proof_below = Message("lb_proof_caps_short", must=f"{must:,}")
    return _bisect(
        problem,
        checked,
        rule=rule,
        mode=mode,
        caps_at=caps_at,
        low=low,
        high=high,
        proof_below=proof_below,
        time_limit=time_limit,
        workers=workers,
        progress=progress,
        stop=stop,
    )


def _largest_short(caps_at: Callable[[int], dict[int, int]], must: int) -> int:
    """The largest key whose caps sum to less than `must` (−1 if none); caps never shrink as the key grows."""
    lo, hi = -1, 1
    while sum(caps_at(hi).values()) < must:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sum(caps_at(mid).values()) < must:
            lo = mid
        else:
            hi = mid
    return lo


def _bisect(
    problem: Problem,
    checked: Problem,
    *,
    rule: Rule,
    mode: str,
    caps_at: Callable[[int], dict[int, int]],
    low: int,
    high: int,
    proof_below: str,
    time_limit: float,
    workers: int,
    progress: Callable[[BisectionStep], None] | None,
    stop: threading.Event | None,
) -> LeastBudget:
    steps: list[BisectionStep] = []
    schedules: dict[int, Solution] = {}

    def decide(key: int, low: int, high: int) -> Verdict:
        hint = schedules[min(schedules)] if schedules else None
        solution = solve(
            replace(checked, budget=caps_at(key)),
            time_limit=time_limit,
            workers=workers,
            hint=hint,
            stop=stop,
        )
        if solution.status.has_schedule:
            schedules[key] = solution
            verdict = Verdict.MEETS
        else:
            verdict = Verdict.FAILS if solution.status is SolveStatus.INFEASIBLE else Verdict.UNKNOWN
        step = BisectionStep(
            key,
            sum(caps_at(key).values()),
            verdict,
            solution.solve_seconds,
            key if verdict is Verdict.FAILS else low,
            key if verdict is Verdict.MEETS else high,
        )
        steps.append(step)
        if progress is not None:
            progress(step)
        return verdict

    def unproven(key: int) -> LeastBudget:
        if stop is not None and stop.is_set():
            return LeastBudget(rule, mode, Outcome.CANCELLED, Message("lb_cancelled"), steps=tuple(steps))
        return LeastBudget(
            rule,
            mode,
            Outcome.UNPROVEN,
            Message(
                "lb_unproven",
                at=_describe(mode, key),
                seconds=f"{time_limit:g}",
                low=_describe(mode, low),
                high=_describe(mode, high),
            ),
            steps=tuple(steps),
        )

    top_verdict = decide(high, low, high)
    if top_verdict is Verdict.UNKNOWN:
        return unproven(high)
    if top_verdict is Verdict.FAILS:
        return LeastBudget(
            rule,
            mode,
            Outcome.NONE,
            Message("lb_none_structural", at=_describe(mode, high), rule=_rule_words(rule)),
            steps=tuple(steps),
        )
    while high - low > 1:
        mid = (low + high) // 2
        verdict = decide(mid, low, high)
        if verdict is Verdict.UNKNOWN:
            return unproven(mid)
        if verdict is Verdict.MEETS:
            high = mid
        else:
            low = mid
    caps = caps_at(high)
    final = solve(
        replace(problem, budget=caps), time_limit=time_limit, workers=workers, hint=schedules[high], stop=stop
    )
    if not final.status.has_schedule:  # cannot happen with a feasible hint unless cancelled
        final = schedules[high]
    fails_by = Message("lb_proof_solver") if any(s.key == low for s in steps) else proof_below
    return LeastBudget(
        rule,
        mode,
        Outcome.FOUND,
        Message(
            "lb_found",
            at=_describe(mode, high),
            rule=_rule_words(rule),
            below=_describe(mode, low),
            why=fails_by,
        ),
        amount_wan=high if mode == "flat" else None,
        scale=high / SCALE_STEPS if mode == "scale" else None,
        caps=caps,
        solution=final,
        steps=tuple(steps),
        proof_below=fails_by,
    )


def _rule_words(rule: Rule) -> Message:
    return Message(f"lb_rule_{rule.name.lower()}")


def _describe(mode: str, key: int) -> Message:
    if key < 0:
        return Message("lb_nothing")
    if mode == "flat":
        return Message("lb_flat", amount=f"{key:,}")
    return Message("lb_scale", scale=f"{key / SCALE_STEPS:.3f}")
