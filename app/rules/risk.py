"""Cost risk: how likely each project (and every ★ together) is to finish on time when costs overrun, and
the least flat budget that keeps every ★ on time with a stated confidence (the P80 budget).

A Monte Carlo over cost multipliers (app/rules/overruns.py, stated assumptions). Each sample is a task on a
fan-out (app/fanout.py): the problem with the sample's costs is

- **re-scheduled**: solved again under the same caps (the office re-plans when costs rise); when the hard
  deadlines cannot all be met it is solved once more without them, so the late ★ show as late;
- and the **fixed plan** is evaluated: the plan's draws stay as they are; each year's share of a project's
  overrun falls due in that year (the plan's draws × the multiplier, rounded on the running total) and is
  paid as late as the caps force — at once if the year's cap has room after the plan, else in the first
  later years with room, ★ first, then heavier weight, earlier planned end, id — so an overrun the caps
  cannot absorb moves the project's finish to the year its last 万元 is paid (or beyond the horizon). With
  funding sources the fixed plan is held to the total caps only: which source pays the overrun is not
  worked out (the re-scheduled plan keeps every quota and funding rule).

The P80 budget is exact for the samples drawn: a bisection over whole 万元 of flat budgets, each level a
batch of proven checks "can every ★ still finish by its deadline in this sample at this budget"
(app/rules/least_budget.py's rule problem: any schedule proves yes, INFEASIBLE proves no); with funding
sources each quota moves with the flat budget by the same factor, as in the least-budget search. Raising caps only
widens the feasible set, so a sample proven to meet at B meets above it and one proven to fail fails below;
a check is solved only where neither is known.

Reproducible: a sample's costs depend only on (seed, index), and every solve stops at a deterministic
work limit (`SolveParams.work_limit`: CP-SAT's deterministic time, one sequential worker, no HiGHS race)
rather than at the clock, so a sample gives the same schedule — proven optimal or not — on any worker,
machine or load (below 250 projects; same capsched and OR-Tools). The clock (`time_limit`) only guards
against a stalled machine: a solve it cuts short is counted (`clock_limited`) and the figures are then not
guaranteed to repeat. Figures are aggregated in sample order.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from app.fanout import Batch, Fanout, LocalThreads
from app.rules.budgets import flat_budget, flat_factor, scale_sources
from app.rules.least_budget import Outcome, Rule, least_budget, must_fund, never_binding_cap, rule_problem
from app.rules.limits import MAX_RISK_SAMPLES
from app.rules.overruns import ProjectOverruns
from app.rules.problem import PLAN_PERIOD_END, star_ids_of
from solver import DEFAULT_PARAMS, Problem, Solution, SolveParams, SolveStatus, YearSpend, solve, verify

MAX_SAMPLES = MAX_RISK_SAMPLES
DEFAULT_SAMPLES = 200
DEFAULT_CONFIDENCE = 0.8
DEFAULT_WORK_LIMIT = 5.0  # deterministic seconds per solve: proves ~9 in 10 of the seed's samples
DEFAULT_TIME_LIMIT = 120.0  # seconds per solve: only a guard, the work limit ends a solve first
CLOCK_SHARE = 0.95  # a solve that took this share of its time limit was stopped by the clock
QUANTILES = (0.5, 0.8, 0.9)
WAIT_SECONDS = 0.25  # how often a waiting batch looks at its stop


class Verdict(StrEnum):
    MEETS = "meets"
    FAILS = "fails"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RiskSetup:
    """What every sample task needs, sent once per batch: the problem at point estimates, each project's
    overrun, the seed, the fixed plan (a schedule of `problem`) and how to solve."""

    problem: Problem
    overruns: ProjectOverruns
    seed: int
    plan: Solution
    stars: frozenset[str]
    star_deadline: int = PLAN_PERIOD_END
    rule: Rule = Rule.STAR
    time_limit: float = DEFAULT_TIME_LIMIT
    workers: int = 1
    params: SolveParams = DEFAULT_PARAMS  # with a work_limit for reproducible solves

    def solve(self, problem: Problem, stop: threading.Event | None) -> Solution:
        return solve(problem, time_limit=self.time_limit, workers=self.workers, params=self.params, stop=stop)

    def clock_limited(self, solution: Solution) -> bool:
        return solution.solve_seconds >= CLOCK_SHARE * self.time_limit

    def sample_problem(self, index: int) -> Problem:
        return self.overruns.sample(self.problem, self.seed, index)

    def rule_problem(self, problem: Problem) -> Problem:
        return rule_problem(problem, self.rule, self.stars, self.star_deadline)

    def star_deadlines(self) -> dict[str, int]:
        """The deadline each ★ must meet for "every ★ on time" (the rule problem's)."""
        checked = self.rule_problem(self.problem)
        return {p.id: p.deadline for p in checked.projects if p.id in self.stars and p.deadline is not None}


# ── one sample ───────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class SampleOutcome:
    """One sample's figures, per project in the problem's order and per year of the horizon."""

    index: int
    costs: tuple[int, ...]  # the sample's cost still to fund
    status: str  # the re-scheduled solve's status (after lifting deadlines when they could not all hold)
    proven: bool
    clock_limited: bool  # a solve of this sample was stopped by the clock, not by its work limit
    deadlines_lifted: bool
    objective: int | None  # re-scheduled weighted slippage (None: no schedule at all)
    ends: tuple[int | None, ...]  # re-scheduled end year (None: deferred or no schedule)
    spend: tuple[int, ...]  # re-scheduled spend per year
    fixed_ends: tuple[
        int | None, ...
    ]  # fixed plan: the year its last 万元 is paid (None: not by the last year)
    fixed_extra: tuple[int, ...]  # fixed plan: overrun paid (− saving) per year
    fixed_unpaid: int  # fixed plan: overrun not paid by the last year
    fixed_objective: (
        int  # fixed plan's weighted slippage (unfinished projects counted as ending last year + 1)
    )
    rule_met_at: int | None  # the re-scheduled schedule meets the rule at every flat budget ≥ this
    must_fund: int  # the rule problem's costs that every schedule funds (a flat budget below Σ/years fails)
    never_binding: int  # a flat budget no schedule of the rule problem can use up
    seconds: float


def evaluate_sample(setup: RiskSetup, index: int, *, stop: threading.Event | None = None) -> SampleOutcome:
    """Sample `index`: its costs, the re-scheduled plan and the fixed plan (a fan-out task)."""
    started = time.perf_counter()
    problem = setup.sample_problem(index)
    solution = setup.solve(problem, stop)
    clock = setup.clock_limited(solution)
    lifted = False
    if solution.status is SolveStatus.INFEASIBLE and any(p.deadline is not None for p in problem.projects):
        lifted = True  # the office re-plans without the deadlines it can no longer meet
        free = replace(problem, projects=tuple(replace(p, deadline=None) for p in problem.projects))
        solution = setup.solve(free, stop)
        clock = clock or setup.clock_limited(solution)
    proven = solution.status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE)
    by_id = {s.id: s for s in solution.projects}
    ends = tuple(
        by_id[p.id].end if p.id in by_id and by_id[p.id].scheduled else None for p in problem.projects
    )
    spend = tuple(y.spend for y in solution.years) if solution.years else (0,) * problem.horizon_years
    fixed = fixed_plan(setup.problem, setup.plan, problem, setup.stars)
    checked = setup.rule_problem(problem)
    return SampleOutcome(
        index=index,
        costs=tuple(p.cost for p in problem.projects),
        status=str(solution.status),
        proven=proven,
        clock_limited=clock,
        deadlines_lifted=lifted,
        objective=solution.objective if solution.status.has_schedule else None,
        ends=ends,
        spend=spend,
        fixed_ends=fixed.ends,
        fixed_extra=fixed.extra,
        fixed_unpaid=fixed.unpaid,
        fixed_objective=fixed.objective,
        rule_met_at=_rule_met_at(checked, solution),
        must_fund=must_fund(checked),
        never_binding=never_binding_cap(checked),
        seconds=time.perf_counter() - started,
    )


def _rule_met_at(checked: Problem, solution: Solution) -> int | None:
    """The largest annual spend of `solution` (with funding sources: or the least flat budget whose quotas,
    moved by at_flat, hold what it draws from each source) when it is a schedule of the rule problem at that
    flat cap (checked by the independent verifier): every flat budget from there on meets the rule."""
    if not solution.status.has_schedule:
        return None
    top = max((y.spend for y in solution.years), default=0)
    total, n = sum(checked.budget.values()), len(checked.budget)
    quota = {(s.id, t): cap for s in checked.sources for t, cap in s.budget.items()}
    for r in solution.source_years:
        if r.spend > 0:
            cap = quota[r.source, r.year]
            if cap == 0 or total == 0:
                return None  # no flat budget moves a zero quota
            top = max(top, -(-r.spend * total // (cap * n)))
    at_top = at_flat(checked, top)
    years = tuple(YearSpend(y.year, top, y.spend) for y in solution.years)
    quotas = {(s.id, t): cap for s in at_top.sources for t, cap in s.budget.items()}
    source_years = tuple(replace(r, budget=quotas[r.source, r.year]) for r in solution.source_years)
    as_rule = Solution(
        SolveStatus.FEASIBLE, 0, None, 0.0, solution.projects, years, source_years=source_years
    )
    return top if not verify(at_top, as_rule) else None


def at_flat(problem: Problem, flat_wan: int) -> Problem:
    """The problem at a flat annual budget; with funding sources every quota moves with the total by the
    same factor, rounded down (as a sweep and the least-budget search move them, issue 15): so caps and
    quotas only widen as the budget grows, and a sample proven to meet at B meets above it."""
    budget = flat_budget(problem.first_year, problem.last_year, flat_wan)
    if not problem.sources:
        return replace(problem, budget=budget)
    factor = flat_factor(problem.budget, flat_wan)
    return replace(problem, budget=budget, sources=scale_sources(problem.sources, factor))


@dataclass(frozen=True, slots=True)
class Check:
    """Whether sample `index` can meet the rule at a flat budget; `max_spend` of the schedule that proves it."""

    index: int
    flat_wan: int
    verdict: Verdict
    max_spend: int | None
    clock_limited: bool
    seconds: float


def check_sample(
    setup: RiskSetup, index: int, flat_wan: int, *, stop: threading.Event | None = None
) -> Check:
    """Can every ★ of sample `index` finish by its deadline at a flat `flat_wan` a year? (a fan-out task)"""
    checked = setup.rule_problem(setup.sample_problem(index))
    solution = setup.solve(at_flat(checked, flat_wan), stop)
    clock = setup.clock_limited(solution)
    if solution.status.has_schedule:
        top = max((y.spend for y in solution.years), default=0)
        return Check(index, flat_wan, Verdict.MEETS, top, clock, solution.solve_seconds)
    verdict = Verdict.FAILS if solution.status is SolveStatus.INFEASIBLE else Verdict.UNKNOWN
    return Check(index, flat_wan, verdict, None, clock, solution.solve_seconds)


# ── the fixed plan ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class FixedOutcome:
    ends: tuple[int | None, ...]
    extra: tuple[int, ...]
    unpaid: int
    objective: int


def fixed_plan(problem: Problem, plan: Solution, sample: Problem, stars: Collection[str]) -> FixedOutcome:
    """The plan kept as it is while the sample's costs come due (module docstring): each project's year
    finishing, the overrun paid per year, what is left unpaid, and the weighted slippage."""
    years = list(problem.years)
    cost = {p.id: p.cost for p in problem.projects}
    new_cost = {p.id: p.cost for p in sample.projects}
    planned = {s.id: s for s in plan.projects}
    spend = dict.fromkeys(years, 0)
    due: dict[str, dict[int, int]] = {}
    for p in problem.projects:
        s = planned.get(p.id)
        if s is None or not s.scheduled:
            continue
        running = total_due = 0
        due[p.id] = {}
        for t in years:
            draw = s.funding.get(t, 0)
            spend[t] += draw
            running += draw
            target = math.floor(running * new_cost[p.id] / cost[p.id] + 0.5) - running
            due[p.id][t] = target - total_due  # this year's share of the overrun (negative: a saving)
            total_due = target
    order = sorted(
        due,
        key=lambda pid: (
            pid not in stars,
            -problem.project(pid).weight,
            problem.project(pid).planned_end,
            pid,
        ),
    )
    owed = dict.fromkeys(due, 0)
    last_paid = {pid: planned[pid].end for pid in due}
    extra = dict.fromkeys(years, 0)
    balance = 0
    for t in years:
        room = problem.budget[t] - spend[t] + (balance if problem.carryover else 0)
        for pid in order:
            d = due[pid][t]
            if d < 0:  # a saving: the year's draw is smaller, the cap's room larger
                extra[t] += d
                room -= d
            else:
                owed[pid] += d
        for pid in order:
            pay = min(owed[pid], max(room, 0))
            if pay > 0:
                owed[pid] -= pay
                room -= pay
                extra[t] += pay
                last_paid[pid] = max(last_paid[pid] or t, t)
        balance = room
    ends = []
    objective = 0
    for p in problem.projects:
        s = planned.get(p.id)
        if s is None or not s.scheduled:
            ends.append(None)
            objective += p.defer_penalty
            continue
        end = last_paid[p.id] if owed[p.id] == 0 else None
        ends.append(end)
        finish = end if end is not None else problem.last_year + 1
        objective += p.weight * max(0, finish - p.planned_end)
    return FixedOutcome(tuple(ends), tuple(extra[t] for t in years), sum(owed.values()), objective)


# ── the batch ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class RiskProgress:
    """Where the analysis is: `phase` plan | samples | budget, `done` of `total` in it; in the budget
    phase the bracket [low, high] of the P80 budget so far."""

    phase: str
    done: int
    total: int
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class BudgetLevel:
    """One level of the bisection: how many samples meet the rule at this flat budget."""

    flat_wan: int
    meets: int
    fails: int
    unknown: int
    solved: int  # checks solved at this level (the others were known by monotonicity)
    verdict: Verdict
    clock_limited: int = 0  # checks the clock stopped


@dataclass(frozen=True, slots=True)
class ConfidenceBudget:
    """The least flat budget at which the rule holds in at least `confidence` of the samples."""

    outcome: Outcome
    confidence: float
    need: int  # samples that must meet the rule
    amount_wan: int | None
    low: int  # the largest level known to fall short
    high: int | None  # the smallest level known to reach the confidence
    levels: tuple[BudgetLevel, ...]
    never: int  # samples that cannot meet the rule at any budget (no schedule at a cap never binding)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "confidence": self.confidence,
            "need": self.need,
            "amount_wan": self.amount_wan,
            "low": self.low,
            "high": self.high,
            "never": self.never,
            "levels": [
                {
                    "flat_wan": lv.flat_wan,
                    "meets": lv.meets,
                    "fails": lv.fails,
                    "unknown": lv.unknown,
                    "solved": lv.solved,
                    "verdict": str(lv.verdict),
                    "clock_limited": lv.clock_limited,
                }
                for lv in sorted(self.levels, key=lambda lv: lv.flat_wan)
            ],
        }


@dataclass(frozen=True, slots=True)
class RiskResult:
    """Everything the analysis found; `figures()` is what is stored, shown and exported."""

    setup: RiskSetup
    deterministic: Solution  # the problem solved at point estimates
    plan_source: Mapping[str, Any]  # where the fixed plan's schedule came from
    outcomes: tuple[SampleOutcome, ...]  # in sample order
    budget: ConfidenceBudget | None
    deterministic_least_wan: int | None
    cancelled: bool
    wall_seconds: float
    fanout: str
    cores: int
    assumptions: Mapping[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        return risk_figures(self)


def _wait(futures: set[Future[Any]], stop: threading.Event | None) -> tuple[set[Future[Any]], bool]:
    """Some finished futures, or none when stopped."""
    while True:
        if stop is not None and stop.is_set():
            return set(), True
        done, _ = wait(futures, timeout=WAIT_SECONDS, return_when=FIRST_COMPLETED)
        if done:
            return done, False


def analyse(
    problem: Problem,
    *,
    overruns: ProjectOverruns,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 1,
    plan: Solution | None = None,
    plan_source: Mapping[str, Any] | None = None,
    stars: Collection[str] | None = None,
    star_deadline: int = PLAN_PERIOD_END,
    rule: Rule = Rule.STAR,
    confidence: float | None = DEFAULT_CONFIDENCE,
    work_limit: float | None = DEFAULT_WORK_LIMIT,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = 1,
    params: SolveParams = DEFAULT_PARAMS,
    fanout: Fanout | None = None,
    progress: Callable[[RiskProgress], None] | None = None,
    stop: threading.Event | None = None,
    assumptions: Mapping[str, Any] | None = None,
) -> RiskResult:
    """The Monte Carlo of the module docstring: `samples` samples of `seed`, each a task of `fanout`
    (default: threads here), then (unless `confidence` is None) the budget meeting `rule` in that share of
    the samples. The problem is first solved at point estimates (the deterministic schedule, the
    reference of the re-scheduled figures); `plan` is the schedule the fixed plan keeps (default: that
    one), `plan_source` says where it came from for the figures. Every solve — the plan's, the
    samples', the checks' — stops at `work_limit` deterministic seconds (None: at `time_limit`, and the
    figures depend on timing) with `workers` CP-SAT threads each (1: one sequential, reproducible search)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be from 1 to {MAX_SAMPLES}, got {samples}")
    if confidence is not None and not 0 < confidence < 1:
        raise ValueError(f"confidence must be more than 0 and less than 1, got {confidence}")
    started = time.perf_counter()
    fanout = fanout or LocalThreads()
    star_set = star_ids_of(problem, stars)
    report = progress or (lambda _: None)
    report(RiskProgress("plan", 0, 1))
    params = params.but(work_limit=work_limit, shortfall=False)
    with fanout.batch(stop) as batch:
        deterministic_plan = batch.submit(
            solve, problem, time_limit=time_limit, workers=workers, params=params
        ).result()
        setup = RiskSetup(
            problem,
            overruns,
            seed,
            plan or deterministic_plan,
            star_set,
            star_deadline,
            rule,
            time_limit,
            workers,
            params,
        )
        least_wan = None
        # without ★ there is no "every ★ on time" to find a budget for
        confidence = confidence if star_set or rule is Rule.ZERO_SLIPPAGE else None
        if confidence is not None and not _stopped(stop):
            found = least_budget(
                problem,
                rule=rule,
                time_limit=time_limit,
                workers=workers,
                stars=star_set,
                star_deadline=star_deadline,
                stop=stop,
                fanout=fanout,
                params=params,
            )
            least_wan = found.amount_wan
        report(RiskProgress("plan", 1, 1))
        outcomes = _run_samples(batch, setup, samples, report, stop)
    budget = None
    cancelled = outcomes is None or _stopped(stop)
    if not cancelled and confidence is not None:
        with fanout.batch(stop) as batch:
            budget = _confidence_budget(batch, setup, outcomes, confidence, report, stop)
        cancelled = budget is None
    return RiskResult(
        setup=setup,
        deterministic=deterministic_plan,
        plan_source=dict(plan_source or {"source": "deterministic" if plan is None else "given"}),
        outcomes=tuple(outcomes or ()),
        budget=budget,
        deterministic_least_wan=least_wan,
        cancelled=cancelled,
        wall_seconds=time.perf_counter() - started,
        fanout=fanout.describe(),
        cores=fanout.cores,
        assumptions=dict(assumptions or {}),
    )


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _run_samples(
    batch: Batch,
    setup: RiskSetup,
    samples: int,
    report: Callable[[RiskProgress], None],
    stop: threading.Event | None,
) -> list[SampleOutcome] | None:
    """Every sample, in sample order; None when stopped (the batch's futures are cancelled)."""
    shared = batch.share(setup)
    running = set(batch.map(evaluate_sample, ((shared, k) for k in range(samples))))
    found: dict[int, SampleOutcome] = {}
    report(RiskProgress("samples", 0, samples))
    while running:
        done, stopped = _wait(running, stop)
        if stopped:
            batch.cancel_pending()
            return None
        for future in done:
            running.discard(future)
            outcome = future.result()
            found[outcome.index] = outcome
        report(RiskProgress("samples", len(found), samples))
    return [found[k] for k in range(samples)]


def _confidence_budget(
    batch: Batch,
    setup: RiskSetup,
    outcomes: Sequence[SampleOutcome],
    confidence: float,
    report: Callable[[RiskProgress], None],
    stop: threading.Event | None,
) -> ConfidenceBudget | None:
    """The bisection of the module docstring; None when stopped."""
    n = len(outcomes)
    need = max(1, math.ceil(confidence * n - 1e-9))
    years = setup.problem.horizon_years
    # per sample: the largest flat budget known to fail, the smallest known to meet
    fails_at = [math.ceil(o.must_fund / years) - 1 for o in outcomes]
    meets_at = [o.rule_met_at if o.rule_met_at is not None else math.inf for o in outcomes]
    shared = batch.share(setup)
    levels: list[BudgetLevel] = []

    def level(flat: int) -> Verdict | None:
        unknown = [k for k in range(n) if fails_at[k] < flat < meets_at[k]]
        running = set(batch.map(check_sample, ((shared, k, flat) for k in unknown)))
        undecided = clock = 0
        while running:
            done, stopped = _wait(running, stop)
            if stopped:
                batch.cancel_pending()
                return None
            for future in done:
                running.discard(future)
                check: Check = future.result()
                clock += check.clock_limited
                if check.verdict is Verdict.MEETS:
                    meets_at[check.index] = min(meets_at[check.index], check.max_spend or flat)
                elif check.verdict is Verdict.FAILS:
                    fails_at[check.index] = max(fails_at[check.index], flat)
                else:
                    undecided += 1
        meets = sum(m <= flat for m in meets_at)
        fails = sum(f >= flat for f in fails_at)
        verdict = (
            Verdict.MEETS if meets >= need else Verdict.FAILS if meets + undecided < need else Verdict.UNKNOWN
        )
        levels.append(BudgetLevel(flat, meets, fails, undecided, len(unknown), verdict, clock))
        return verdict

    low = sorted(fails_at, reverse=True)[n - need]  # too many samples fail here by counting alone
    known = sorted(meets_at)[need - 1]
    top = max(o.never_binding for o in outcomes)
    high = int(known) if known != math.inf else max(top, low + 1)
    report(RiskProgress("budget", 0, 0, low, high))
    if known == math.inf:
        verdict = level(high)
        if verdict is None:
            return None
        if verdict is not Verdict.MEETS:
            never = sum(f >= high for f in fails_at)
            outcome = Outcome.NONE if verdict is Verdict.FAILS else Outcome.UNPROVEN
            return ConfidenceBudget(outcome, confidence, need, None, low, None, tuple(levels), never)
    while high - low > 1:
        mid = (low + high) // 2
        verdict = level(mid)
        if verdict is None:
            return None
        if verdict is Verdict.UNKNOWN:
            return ConfidenceBudget(
                Outcome.UNPROVEN, confidence, need, None, low, high, tuple(levels), _never(fails_at, top)
            )
        if verdict is Verdict.MEETS:
            high = mid
        else:
            low = mid
        report(RiskProgress("budget", len(levels), 0, low, high))
    return ConfidenceBudget(
        Outcome.FOUND, confidence, need, high, low, high, tuple(levels), _never(fails_at, top)
    )


def _never(fails_at: Sequence[float], top: int) -> int:
    return sum(f >= top for f in fails_at)


# ── the figures ──────────────────────────────────────────────────────────────────────────────────


def quantile(values: Sequence[float], q: float) -> float:
    """The smallest value with at least a share q of the values at or below it (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered) - 1e-9) - 1)]


def _share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def risk_figures(result: RiskResult) -> dict[str, Any]:
    """What the analysis says, as plain JSON (the API's `result`, the CLI's --out, the report's page)."""
    setup, outcomes = result.setup, result.outcomes
    problem, plan, deterministic = setup.problem, setup.plan, result.deterministic
    n = len(outcomes)
    deadlines = setup.star_deadlines()
    planned = {s.id: s for s in plan.projects}
    solved = {s.id: s for s in deterministic.projects}
    ids = [p.id for p in problem.projects]
    years = list(problem.years)

    def on_time(end: int | None, limit: int) -> bool:
        return end is not None and end <= limit

    def all_stars(ends: Sequence[int | None]) -> bool:
        return all(on_time(ends[i], deadlines[pid]) for i, pid in enumerate(ids) if pid in deadlines)

    projects = []
    for i, p in enumerate(problem.projects):
        ends = [o.ends[i] for o in outcomes]
        fixed = [o.fixed_ends[i] for o in outcomes]
        extra = [o.costs[i] - p.cost for o in outcomes]
        s = planned.get(p.id)
        row: dict[str, Any] = {
            "id": p.id,
            "star": p.id in setup.stars,
            "planned_end": p.planned_end,
            "deadline": deadlines.get(p.id, p.deadline),
            "plan_end": s.end if s is not None and s.scheduled else None,
            "deterministic_end": solved[p.id].end if p.id in solved else None,
            "p_on_time": _share([on_time(e, p.planned_end) for e in ends]),
            "p_on_time_fixed": _share([on_time(e, p.planned_end) for e in fixed]),
            "mean_extra_wan": round(sum(extra) / n, 1) if n else 0.0,
        }
        if p.id in deadlines:
            row["p_by_deadline"] = _share([on_time(e, deadlines[p.id]) for e in ends])
            row["p_by_deadline_fixed"] = _share([on_time(e, deadlines[p.id]) for e in fixed])
        projects.append(row)
    slippage = [o.objective for o in outcomes if o.objective is not None]
    fixed_slippage = [o.fixed_objective for o in outcomes]
    plan_spend = {y.year: y.spend for y in deterministic.years}
    at_estimates = fixed_plan(problem, plan, problem, setup.stars)
    figures: dict[str, Any] = {
        "samples": n,
        "seed": setup.seed,
        "assumptions": dict(result.assumptions),
        "rule": str(setup.rule),
        "star_deadline": setup.star_deadline,
        "work_limit": setup.params.work_limit,
        "time_limit": setup.time_limit,
        "solver_threads": setup.workers,
        "deterministic": {
            "status": str(deterministic.status),
            "objective": deterministic.objective,
            "least_budget_wan": result.deterministic_least_wan,
        },
        "fixed_plan": {**result.plan_source, "objective": at_estimates.objective},
        "projects": projects,
        "p_all_stars": _share([all_stars(o.ends) for o in outcomes]) if deadlines else None,
        "p_all_stars_fixed": _share([all_stars(o.fixed_ends) for o in outcomes]) if deadlines else None,
        "slippage": _distribution(slippage),
        "slippage_fixed": _distribution(fixed_slippage),
        "slippage_samples": slippage,
        "slippage_fixed_samples": fixed_slippage,
        "extra_per_year": [
            {
                "year": t,
                "rescheduled_wan": round(sum(o.spend[k] for o in outcomes) / n - plan_spend.get(t, 0), 1)
                if n
                else 0.0,
                "fixed_wan": round(sum(o.fixed_extra[k] for o in outcomes) / n, 1) if n else 0.0,
            }
            for k, t in enumerate(years)
        ],
        "mean_overrun_wan": round(
            sum(sum(o.costs) - sum(p.cost for p in problem.projects) for o in outcomes) / n, 1
        )
        if n
        else 0.0,
        "mean_unpaid_fixed_wan": round(sum(o.fixed_unpaid for o in outcomes) / n, 1) if n else 0.0,
        "unproven_samples": sum(not o.proven for o in outcomes),
        "clock_limited_samples": sum(o.clock_limited for o in outcomes),
        "deadlines_lifted": sum(o.deadlines_lifted for o in outcomes),
        "no_schedule": sum(o.objective is None for o in outcomes),
        "budget": result.budget.to_json() if result.budget is not None else None,
        "cancelled": result.cancelled,
        "wall_seconds": round(result.wall_seconds, 3),
        "samples_per_second": round(n / result.wall_seconds, 3) if result.wall_seconds > 0 else None,
        "fanout": result.fanout,
        "cores": result.cores,
    }
    clock_checks = sum(lv.clock_limited for lv in result.budget.levels) if result.budget else 0
    repeatable = setup.params.work_limit is not None and setup.workers == 1
    figures["reproducible"] = repeatable and figures["clock_limited_samples"] == 0 and clock_checks == 0
    return figures


def _distribution(values: Sequence[int]) -> dict[str, Any]:
    if not values:
        return {"mean": None, **{f"p{round(q * 100)}": None for q in QUANTILES}}
    return {
        "mean": round(sum(values) / len(values), 2),
        **{f"p{round(q * 100)}": quantile(values, q) for q in QUANTILES},
        "min": min(values),
        "max": max(values),
    }
