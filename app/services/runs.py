"""Runs: one solve of a scenario, stored with the exact problem it solves and, when done, its Solution.

A run is created `queued` holding its MODEL.md problem JSON (so later edits to projects or budgets do not
change it) and handed to the background pool (app/background.py), which app/runner.py's `execute_run`
takes through running → done / failed / cancelled. This module stores, lists, cancels and shows runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.background import Submitter, cancel_queued, ensure_room
from app.errors import Conflict, NotFound
from app.i18n import Field, Listing, Message
from app.i18n.failures import CANCELLED_QUEUED, error_text
from app.i18n.solver import message_from_json, message_json, run_messages
from app.models import Run, RunProgress, RunPublic, RunStatus, Scenario, User, utcnow
from app.rules.budgets import year_spans
from app.rules.problem import Replan
from app.rules.seats import Objective, SeatCount, seat_years
from app.services import audit, scenarios

KIND = "run"  # the pool's name for this kind of work


def get(*, session: Session, run_id: int, with_problem: bool = True) -> Run:
    """The run, or NotFound. Without `with_problem` its problem JSON (large for a large portfolio, and not
    part of the run's status) is loaded only if read."""
    options = () if with_problem else (defer(Run.problem),)
    run = session.get(Run, run_id, options=options)
    if run is None:
        raise NotFound("run", run_id)
    return run


def list_runs(*, session: Session, scenario_id: int) -> list[Run]:
    """The scenario's runs, newest first."""
    scenarios.get(session=session, scenario_id=scenario_id)
    return list(session.exec(select(Run).where(Run.scenario_id == scenario_id).order_by(Run.id.desc())))


def _replan_json(plan: Replan, scenario: Scenario) -> dict[str, Any]:
    """What a re-plan run keeps beside its problem to put the frozen past back into its schedule."""
    return {
        "from": plan.replan_from,
        "past": {code: {str(y): v for y, v in past.items()} for code, past in plan.past.items()},
        "past_caps": {y: cap for y, cap in scenario.budget.items() if int(y) < plan.replan_from},
        "messages": list(plan.messages),
        "flags": [message_json(flag) for flag in plan.flags],  # the same, as Messages for either language
        "planned_ends": dict(plan.planned_ends),
    }


def create(
    *, session: Session, scenario_id: int, user: User, time_limit: float, replan_from: int | None = None
) -> Run:
    """A queued run of the scenario, holding the exact problem it will solve (and, for a re-plan, the
    frozen past it puts back into the schedule)."""
    stored_replan, notes = None, None
    if replan_from is None:
        problem, left_out = scenarios.problem_and_left_out(session=session, scenario_id=scenario_id)
        notes = [message_json(flag) for flag in left_out] or None
    else:
        plan = scenarios.replan_of(session=session, scenario_id=scenario_id, replan_from=replan_from)
        problem = plan.problem
        stored_replan = _replan_json(plan, scenarios.get(session=session, scenario_id=scenario_id))
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    seats = scenarios.seats_of(session=session, scenario_id=scenario_id).to_json()
    run = Run(
        scenario_id=scenario_id,
        time_limit=time_limit,
        problem=problem.to_json(),
        started_by=user.name,
        replan=stored_replan,
        notes=notes,
        drafts_left_out=scenarios.drafts_of(session=session, scenario_id=scenario_id) or None,
        sources=scenarios.sources_described(session=session, scenario_id=scenario_id),
        seats={"objective": str(scenario.objective), **seats},
    )
    session.add(run)
    session.flush()
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    audit.record(
        session,
        actor=user,
        entity="run",
        entity_id=run.id,
        portfolio_id=scenario.portfolio_id,
        action="start",
        new={"scenario_id": scenario_id, "time_limit": time_limit, "replan_from": replan_from},
    )
    session.commit()
    session.refresh(run)
    return run


def start(
    *,
    session: Session,
    pool: Submitter,
    scenario_id: int,
    user: User,
    time_limit: float | None,
    default_time_limit: float,
    max_time_limit: float,
    replan_from: int | None = None,
) -> Run:
    """Store a queued run of the scenario and hand it to the pool; returns at once (QueueFull when the
    pool's queue is full)."""
    scenario = scenarios.get(session=session, scenario_id=scenario_id)
    ensure_room(session, pool)
    seconds = scenarios.time_limit_for(
        scenario, time_limit, default_time_limit=default_time_limit, max_time_limit=max_time_limit
    )
    run = create(
        session=session,
        scenario_id=scenario_id,
        user=user,
        time_limit=seconds,
        replan_from=replan_from,
    )
    pool.submit(KIND, run.id)
    return run


def cancel(*, session: Session, pool: Submitter, run_id: int, user: User) -> Run:
    """Cancel a queued run at once, or ask a running one to stop (it turns `cancelled` within moments)."""
    run = get(session=session, run_id=run_id)
    if RunStatus(run.status).finished:
        raise Conflict(Message("run_already_finished", run=run_id, status=run.status), ["status"])
    scenario = scenarios.get(session=session, scenario_id=run.scenario_id)
    audit.record(
        session,
        actor=user,
        entity="run",
        entity_id=run_id,
        portfolio_id=scenario.portfolio_id,
        action="cancel",
        old={"status": run.status},
    )
    session.commit()
    pool.request_stop(KIND, run_id)
    cancel_queued(session, Run, run_id, CANCELLED_QUEUED)
    session.refresh(run)
    return run


def seconds_since(moment: datetime) -> float:
    """Seconds from `moment` to now (SQLite hands back naive UTC datetimes)."""
    now = utcnow()
    if moment.tzinfo is None:
        now = now.replace(tzinfo=None)
    return max(0.0, (now - moment).total_seconds())


def public(run: Run, lang: str = "zh") -> RunPublic:
    """The API's view of a run, its messages in `lang`; while running, `progress.elapsed` counts from the
    start, live."""
    progress = RunProgress.model_validate(run.progress) if run.progress else None
    if run.status == RunStatus.RUNNING and run.started_at is not None:
        elapsed = seconds_since(run.started_at)
        progress = (progress or RunProgress(elapsed=0.0)).model_copy(update={"elapsed": round(elapsed, 3)})
    replan_from = run.replan["from"] if run.replan else None
    drafts = list(run.drafts_left_out or [])
    return RunPublic.model_validate(
        run,
        update={
            "progress": progress,
            "result": run.solution,
            "messages": drafts_message(drafts, lang)
            + [message_from_json(note).render(lang) for note in run.notes or []]
            + run_messages(run.solution, run.replan, lang)
            + quota_messages(run.sources, lang),
            "error": error_text(run.error, lang),
            "replan_from": replan_from,
            "drafts_left_out": drafts,
            "sources": list(run.sources or []),
            "objective_kind": (run.seats or {}).get("objective", Objective.WEIGHTED),
            "seat_years": seat_years_json(run),
            "source_shortfall": source_shortfall_words(run.solution, run.sources, lang),
        },
    )


def quota_messages(sources: list[dict[str, Any]] | None, lang: str = "zh") -> list[str]:
    """The sources the run took without a quota for some years (limited there by the total cap alone): one
    sentence per set of years, naming the sources."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for source in sources or []:
        if source.get("quota_missing"):
            groups.setdefault(tuple(source["quota_missing"]), []).append(source["name"])
    return [
        Message("source_quota_missing_run", sources=Listing(tuple(names)), years=year_spans(years)).render(
            lang
        )
        for years, names in groups.items()
    ]


def seat_years_json(run: Run) -> dict[str, Any] | None:
    """The seat-years the run's schedule loses (places × years late): total, per late project, the
    default places and which projects were counted at it; None for a run without a schedule."""
    if not run.seats or not run.solution or not run.solution.get("projects"):
        return None
    count = SeatCount.from_json(run.seats)
    lost = seat_years(run.solution, count)
    return {
        "total": lost.total,
        "by_project": dict(lost.by_project),
        "default": count.default,
        "assumed": sorted(count.assumed),
    }


def source_name(sources: list[dict[str, Any]] | None, source_id: str) -> str:
    """A source as people call it (its name), from the run's sources; the id when unknown."""
    return next((s["name"] for s in sources or [] if s["id"] == source_id), source_id)


def source_shortfall_words(
    solution: dict[str, Any] | None, sources: list[dict[str, Any]] | None, lang: str = "zh"
) -> list[str]:
    """The extra money per source and year an infeasible run needs, one sentence each ("专项债 2024 年缺
    800 万元"), in the order of the run's sources, then by year."""
    shortfall = ((solution or {}).get("diagnostics") or {}).get("source_shortfall") or {}
    order = [s["id"] for s in sources or []]
    ids = sorted(shortfall, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [
        Message(
            "source_short_in_year", source=source_name(sources, k), year=int(y), amount=f"{int(v):,}"
        ).render(lang)
        for k in ids
        for y, v in sorted(shortfall[k].items(), key=lambda item: int(item[0]))
        if int(v) > 0
    ]


def drafts_message(drafts: list[dict[str, Any]], lang: str = "zh") -> list[str]:
    """One sentence naming the drafts a run left out and what each lacks ([] when none)."""
    if not drafts:
        return []
    shown = [
        Message(
            "draft_named",
            code=d["code"],
            name=d["name"],
            missing=Listing(tuple(Field(f) for f in d["missing"])),
        )
        for d in drafts[:30]
    ]
    more = Message("drafts_more", n=len(drafts) - len(shown)) if len(drafts) > len(shown) else ""
    return [Message("drafts_left_out", n=len(drafts), drafts=Listing(tuple(shown)), more=more).render(lang)]
