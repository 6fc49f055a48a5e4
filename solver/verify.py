"""An independent check of a schedule against every rule of MODEL.md.

Plain loops over the rules, written from the contract and sharing nothing with the CP-SAT model, so a
modelling bug cannot hide behind the same mistake twice. `solve` runs it on every schedule it returns.
v2 (funding sources): each year's draw split into whole amounts ≥ 0 over allowed sources, each listed
source's min/max per project, each source's caps with or without its carryover, and `source_years`; a v1
problem's solution must carry no split at all.
"""

from __future__ import annotations

from solver.problem import Problem, Project
from solver.solution import ProjectSchedule, Solution, SolveStatus


class VerificationError(AssertionError):
    """A schedule the solver was about to return breaks a rule: a bug in the solver, never a result."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        super().__init__("schedule breaks MODEL.md: " + "; ".join(violations[:10]))


def verify(problem: Problem, solution: Solution) -> list[str]:
    """Every way `solution` breaks MODEL.md for `problem`, in words; empty when it is a valid schedule.

    A solution without a schedule (INFEASIBLE, UNKNOWN) is valid when it lists no projects."""
    if solution.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        if solution.projects:
            return [f"status {solution.status} must not carry a schedule"]
        return []
    violations: list[str] = []
    by_id: dict[str, ProjectSchedule] = {}
    for sched in solution.projects:
        if sched.id in by_id:
            violations.append(f"{sched.id}: listed twice")
        by_id[sched.id] = sched
    known = {p.id for p in problem.projects}
    for pid in by_id:
        if pid not in known:
            violations.append(f"{pid}: not a project of the problem")
    objective = 0
    for project in problem.projects:
        sched = by_id.get(project.id)
        if sched is None:
            violations.append(f"{project.id}: missing from the schedule")
            continue
        violations += _check_project(problem, project, sched, by_id)
        if sched.scheduled and sched.end is not None:
            objective += project.weight * max(0, sched.end - project.planned_end)
        elif not sched.scheduled:
            objective += project.defer_penalty
    violations += _check_caps(problem, solution)
    violations += _check_sources(problem, solution, by_id)
    if solution.objective != objective:
        violations.append(
            f"objective is {solution.objective} but the schedule's weighted slippage is {objective}"
        )
    if solution.bound is not None and solution.objective is not None and solution.bound > solution.objective:
        violations.append(f"bound {solution.bound} is above the objective {solution.objective}")
    if solution.status == SolveStatus.OPTIMAL and solution.bound != solution.objective:
        violations.append(f"OPTIMAL but bound {solution.bound} differs from objective {solution.objective}")
    return violations


def _check_project(
    problem: Problem, project: Project, sched: ProjectSchedule, by_id: dict[str, ProjectSchedule]
) -> list[str]:
    pid = project.id
    if not sched.scheduled:
        out = []
        if not project.deferrable:
            out.append(f"{pid}: deferred but not deferrable")
        if any(v != 0 for v in sched.funding.values()):
            out.append(f"{pid}: deferred but funded")
        if sched.start is not None or sched.end is not None or sched.slippage is not None:
            out.append(f"{pid}: deferred but has a start, end or slippage")
        return out
    s, e = sched.start, sched.end
    if s is None or e is None:
        return [f"{pid}: scheduled without a start or end"]
    out = []
    if s < problem.first_year:
        out.append(f"{pid}: starts {s}, before the horizon")
    if project.earliest_start is not None and s < project.earliest_start:
        out.append(f"{pid}: starts {s}, before earliest_start {project.earliest_start}")
    if project.fixed_start is not None and s != project.fixed_start:
        out.append(f"{pid}: starts {s}, not at fixed_start {project.fixed_start}")
    if e > problem.last_year:
        out.append(f"{pid}: ends {e}, after the horizon")
    if e < s:
        out.append(f"{pid}: ends {e} before it starts {s}")
    if project.deadline is not None and e > project.deadline:
        out.append(f"{pid}: ends {e}, after its deadline {project.deadline}")
    expected_slip = max(0, e - project.planned_end)
    if sched.slippage != expected_slip:
        out.append(f"{pid}: slippage {sched.slippage}, should be {expected_slip}")
    for year, amount in sched.funding.items():
        if not s <= year <= e and amount != 0:
            out.append(f"{pid}: draws {amount} in {year}, outside {s}-{e}")
        if amount < 0:
            out.append(f"{pid}: negative draw {amount} in {year}")
    total = sum(sched.funding.values())
    if total != project.cost:
        out.append(f"{pid}: draws total {total}, cost is {project.cost}")
    duration = e - s + 1
    if project.profile is not None:
        if duration != len(project.profile):
            out.append(f"{pid}: lasts {duration} years, profile has {len(project.profile)}")
        for k in range(len(project.profile)):
            got = sched.funding.get(s + k, 0)
            if got != project.profile[k]:
                out.append(f"{pid}: draws {got} in {s + k}, profile says {project.profile[k]}")
    else:
        lo_years = project.min_years if project.min_years is not None else 1
        hi_years = project.max_years if project.max_years is not None else problem.horizon_years
        if not lo_years <= duration <= hi_years:
            out.append(f"{pid}: lasts {duration} years, allowed {lo_years}-{hi_years}")
        lo = project.min_annual if project.min_annual is not None else 1
        hi = project.max_annual if project.max_annual is not None else project.cost
        for year in range(s, e + 1):
            got = sched.funding.get(year, 0)
            if not lo <= got <= hi:
                out.append(f"{pid}: draws {got} in {year}, allowed {lo}-{hi}")
    for pred_id in project.after:
        pred = by_id.get(pred_id)
        if pred is None or not pred.scheduled:
            out.append(f"{pid}: scheduled although its predecessor {pred_id} is not")
        elif pred.end is not None and s < pred.end + 1:
            out.append(f"{pid}: starts {s}, before its predecessor {pred_id} ends ({pred.end})")
    return out


def _check_caps(problem: Problem, solution: Solution) -> list[str]:
    spend = {year: 0 for year in problem.years}
    for sched in solution.projects:
        for year, amount in sched.funding.items():
            if year in spend:
                spend[year] += amount
            elif amount != 0:
                spend[year] = spend.get(year, 0) + amount
    out = []
    cum_spend = cum_cap = 0
    for year in problem.years:
        cap = problem.budget[year]
        cum_spend += spend[year]
        cum_cap += cap
        if problem.carryover:
            if cum_spend > cum_cap:
                out.append(f"{year}: spent {cum_spend} up to this year, caps allow {cum_cap}")
        elif spend[year] > cap:
            out.append(f"{year}: spent {spend[year]}, cap is {cap}")
    reported = {y.year: y for y in solution.years}
    for year in problem.years:
        row = reported.get(year)
        if row is None:
            out.append(f"{year}: missing from years")
        elif row.spend != spend[year] or row.budget != problem.budget[year]:
            out.append(
                f"{year}: reported spend {row.spend}/budget {row.budget}, actual {spend[year]}/{problem.budget[year]}"
            )
    return out


def _check_sources(problem: Problem, solution: Solution, by_id: dict[str, ProjectSchedule]) -> list[str]:
    """MODEL.md v2's rules on the split of draws over funding sources (v1: no split may be given)."""
    if not problem.sources:
        out = [
            f"{s.id}: split over sources in a problem without sources" for s in solution.projects if s.sources
        ]
        if solution.source_years:
            out.append("source_years given for a problem without sources")
        return out
    out: list[str] = []
    for project in problem.projects:
        sched = by_id.get(project.id)
        if sched is not None:
            out += _check_split(problem, project, sched)
    out += _check_source_caps(problem, solution)
    return out


def _check_split(problem: Problem, project: Project, sched: ProjectSchedule) -> list[str]:
    pid = project.id
    known = [source.id for source in problem.sources]
    allowed = set(known) if project.funding is None else {rule.source for rule in project.funding}
    out = []
    totals = dict.fromkeys(known, 0)
    for year, split in sched.sources.items():
        for source, amount in split.items():
            if not isinstance(amount, int) or isinstance(amount, bool):
                out.append(f"{pid}: draws {amount!r} from {source} in {year}, not a whole amount")
                continue
            if amount < 0:
                out.append(f"{pid}: draws {amount} from {source} in {year}, less than 0")
            if amount != 0 and source not in known:
                out.append(f"{pid}: draws {amount} from {source} in {year}, not a source of the problem")
                continue
            if amount != 0 and source not in allowed:
                out.append(f"{pid}: draws {amount} from {source} in {year}, a source it may not use")
            totals[source] += amount
    if not sched.scheduled:
        if any(amount != 0 for split in sched.sources.values() for amount in split.values()):
            out.append(f"{pid}: deferred but draws from a source")
        return out
    years = set(sched.funding) | set(sched.sources)
    for year in sorted(years):
        draw = sched.funding.get(year, 0)
        split_total = sum(v for v in sched.sources.get(year, {}).values() if isinstance(v, int))
        if split_total != draw:
            out.append(f"{pid}: draws {draw} in {year} but its sources add up to {split_total}")
    for rule in project.funding or ():
        got = totals.get(rule.source, 0)
        if got < rule.min:
            out.append(f"{pid}: draws {got} from {rule.source} in all, its minimum is {rule.min}")
        if rule.max is not None and got > rule.max:
            out.append(f"{pid}: draws {got} from {rule.source} in all, its maximum is {rule.max}")
    return out


def _check_source_caps(problem: Problem, solution: Solution) -> list[str]:
    out = []
    reported = {(row.source, row.year): row for row in solution.source_years}
    if len(solution.source_years) != len(reported):
        out.append("source_years lists a source and year twice")
    for source in problem.sources:
        spend = {year: 0 for year in problem.years}
        for sched in solution.projects:
            for year, split in sched.sources.items():
                amount = split.get(source.id, 0)
                if isinstance(amount, int) and amount:
                    spend[year] = spend.get(year, 0) + amount
        cum_spend = cum_cap = 0
        for year in problem.years:
            cap = source.budget[year]
            cum_spend += spend[year]
            cum_cap += cap
            if source.carryover:
                if cum_spend > cum_cap:
                    out.append(
                        f"{source.id} {year}: drawn {cum_spend} up to this year, its caps allow {cum_cap}"
                    )
            elif spend[year] > cap:
                out.append(f"{source.id} {year}: drawn {spend[year]}, its cap is {cap}")
            row = reported.get((source.id, year))
            if row is None:
                out.append(f"{source.id} {year}: missing from source_years")
            elif row.spend != spend[year] or row.budget != cap:
                out.append(
                    f"{source.id} {year}: reported spend {row.spend}/budget {row.budget}, "
                    f"actual {spend[year]}/{cap}"
                )
        for year in spend:
            if year not in problem.budget and spend[year]:
                out.append(f"{source.id}: drawn {spend[year]} in {year}, outside the horizon")
    extra = set(reported) - {(s.id, t) for s in problem.sources for t in problem.years}
    if extra:
        out.append(f"source_years lists {sorted(extra)[0]}, not a source and year of the problem")
    return out
