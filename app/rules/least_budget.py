"""The least budget meeting a rule: exact, by a bisection whose every step is proven.

A flat annual amount (or, given caps, the least scale k/1000 of them) at which every ★ project is on time
(or nothing slips), and one 万元 (one thousandth) less proven not to be — by the solver (INFEASIBLE) or by
counting (the caps sum to less than what must be funded). Raising caps only widens the feasible set
(MODEL.md), which is what makes the bisection sound. Each step's solve is a task of a fan-out
(app/fanout.py: a thread here by default, a Dask worker from the CLI and the web service).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from app.fanout import Batch, Fanout, LocalThreads
from app.i18n import Message
from app.rules.budgets import flat_budget, flat_factor, scale_sources
from app.rules.problem import PLAN_PERIOD_END, star_ids_of
from solver import DEFAULT_PARAMS, Problem, Solution, SolveParams, SolveStatus, solve

SCALE_STEPS = 1000  # least scale is exact to 1/1000: the smallest k with caps ⌊k·B_t/1000⌋ meeting the rule


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


def never_binding_cap(problem: Problem) -> int:
    """A cap so large no year can use it all: the sum of every project's largest annual draw."""
    total = 0
    for p in problem.projects:
        if p.profile is not None:
            total += max(p.profile)
        else:
            total += min(p.cost, p.max_annual_or_default())
    return total


def must_fund(problem: Problem) -> int:
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
    fanout: Fanout | None = None,
    params: SolveParams = DEFAULT_PARAMS,
) -> LeastBudget:
    """The least flat annual budget (or, with `scale_of`, the least scale k/1000 of those caps, each cap
    rounded down) meeting `rule`, exactly (pass `stars`, the portfolio's ★ codes, when the scenario's ★
    deadlines may be soft): a bisection over whole keys whose every step is proven — a
    schedule found (meets) or INFEASIBLE (fails); a step the solver cannot decide in `time_limit` stops it
    with Outcome.UNPROVEN, never counted as a failure.
    """
    checked = rule_problem(problem, rule, stars, star_deadline)
    mode = "flat" if scale_of is None else "scale"

    def factor_at(key: int) -> Fraction:
        """With funding sources, every quota moves with the total by this factor (issue 15)."""
        if scale_of is None:
            return flat_factor(problem.budget, max(key, 0))
        return Fraction(max(key, 0), SCALE_STEPS)

    must = must_fund(checked)
    top = never_binding_cap(checked)

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
    with (fanout or LocalThreads(1)).batch(stop) as batch:
        return _bisect(
            problem,
            checked,
            rule=rule,
            mode=mode,
            caps_at=caps_at,
            factor_at=factor_at,
            low=low,
            high=high,
            proof_below=proof_below,
            time_limit=time_limit,
            workers=workers,
            progress=progress,
            stop=stop,
            batch=batch,
            params=params,
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
    factor_at: Callable[[int], Fraction],
    low: int,
    high: int,
    proof_below: str,
    time_limit: float,
    workers: int,
    progress: Callable[[BisectionStep], None] | None,
    stop: threading.Event | None,
    batch: Batch,
    params: SolveParams,
) -> LeastBudget:
    steps: list[BisectionStep] = []
    schedules: dict[int, Solution] = {}

    def at(base: Problem, key: int) -> Problem:
        if not base.sources:
            return replace(base, budget=caps_at(key))
        return replace(base, budget=caps_at(key), sources=scale_sources(base.sources, factor_at(key)))

    def decide(key: int, low: int, high: int) -> Verdict:
        hint = schedules[min(schedules)] if schedules else None
        solution = batch.submit(
            solve,
            at(checked, key),
            time_limit=time_limit,
            workers=workers,
            hint=hint,
            params=params,
        ).result()
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
    final = batch.submit(
        solve,
        at(problem, high),
        time_limit=time_limit,
        workers=workers,
        hint=schedules[high],
        params=params,
    ).result()
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
