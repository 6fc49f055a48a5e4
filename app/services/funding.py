"""Funding sources (资金来源) of a portfolio, their annual quotas in each scenario, and per-project rules.

Finance writes, everyone reads. Every write records its audit rows in the same transaction
(app/services/audit.py). Imports check the whole file — and every source, project, category and scenario
it names — before storing anything. `plan_of` turns the rows into what the problem builder needs
(app/rules/funding.py); app/services/scenarios.py calls it, so the one place a Problem is built stays one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import is_unique_violation
from app.errors import Conflict, InvalidInput, NotFound
from app.files import funding_import
from app.files.funding_import import FundingListError, RuleRow, SourceList
from app.files.importer import RowError
from app.i18n import Listing, Message
from app.models import (
    FundingImportSummary,
    FundingPublic,
    FundingRule,
    FundingRuleBase,
    FundingRuleCreate,
    FundingRulePublic,
    FundingSource,
    FundingSourceCreate,
    FundingSourcePublic,
    FundingSourceUpdate,
    Project,
    ProjectFundingPublic,
    Scenario,
    SourceQuota,
    SourceQuotaPublic,
    User,
    utcnow,
)
from app.rules import funding as rules
from app.rules.limits import MAX_WAN
from app.rules.problem import remaining_cost
from app.services import audit, portfolios, versioning

SOURCE_FIELDS = tuple(FundingSourceCreate.model_fields)
RULE_FIELDS = tuple(FundingRuleBase.model_fields)


# ── reading ──────────────────────────────────────────────────────────────────────────────────────────


def list_sources(*, session: Session, portfolio_id: int) -> list[FundingSource]:
    """The portfolio's sources in the order they were added."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    query = select(FundingSource).where(FundingSource.portfolio_id == portfolio_id).order_by(FundingSource.id)
    return list(session.exec(query))


def get_source(*, session: Session, source_id: int) -> FundingSource:
    source = session.get(FundingSource, source_id)
    if source is None:
        raise NotFound("funding source", source_id)
    return source


def list_rules(*, session: Session, portfolio_id: int) -> list[FundingRule]:
    query = select(FundingRule).where(FundingRule.portfolio_id == portfolio_id).order_by(FundingRule.id)
    return list(session.exec(query))


def get_rule(*, session: Session, rule_id: int) -> FundingRule:
    rule = session.get(FundingRule, rule_id)
    if rule is None:
        raise NotFound("funding rule", rule_id)
    return rule


def quotas_of(*, session: Session, scenario_id: int) -> list[SourceQuota]:
    query = select(SourceQuota).where(SourceQuota.scenario_id == scenario_id).order_by(SourceQuota.source_id)
    return list(session.exec(query))


def source_public(source: FundingSource) -> FundingSourcePublic:
    return FundingSourcePublic.model_validate(source)


def quota_public(quota: SourceQuota, codes: Mapping[int, str]) -> SourceQuotaPublic:
    return SourceQuotaPublic.model_validate(quota, update={"source_code": codes[quota.source_id]})


def rule_public(
    rule: FundingRule, codes: Mapping[int, str], project_codes: Mapping[int, str]
) -> FundingRulePublic:
    project = project_codes.get(rule.project_id) if rule.project_id is not None else None
    return FundingRulePublic.model_validate(
        rule, update={"source": codes[rule.source_id], "project": project}
    )


def _projects(session: Session, portfolio_id: int) -> list[Project]:
    query = select(Project).where(Project.portfolio_id == portfolio_id).order_by(Project.id)
    return list(session.exec(query))


def overview(*, session: Session, portfolio_id: int) -> FundingPublic:
    """Sources, rules, every scenario's quotas, and each project's limits with its category's rules
    expanded (as its runs get them)."""
    sources = list_sources(session=session, portfolio_id=portfolio_id)
    codes = {s.id: s.code for s in sources}
    rows = _projects(session, portfolio_id)
    project_codes = {p.id: p.code for p in rows}
    stored = list_rules(session=session, portfolio_id=portfolio_id)
    scenario_ids = select(Scenario.id).where(Scenario.portfolio_id == portfolio_id)
    quotas = session.exec(
        select(SourceQuota).where(SourceQuota.scenario_id.in_(scenario_ids)).order_by(SourceQuota.id)
    ).all()
    plan_rules = [_plan_rule(r, codes, project_codes) for r in stored]
    return FundingPublic(
        sources=[source_public(s) for s in sources],
        rules=[rule_public(r, codes, project_codes) for r in stored],
        quotas=[quota_public(q, codes) for q in quotas],
        projects=[_expanded(p, [s.code for s in sources], plan_rules) for p in rows] if sources else [],
        illustrative=any(s.illustrative for s in sources),
    )


def _expanded(
    project: Project, codes: Sequence[str], plan_rules: Sequence[rules.FundingRule]
) -> ProjectFundingPublic:
    cost = remaining_cost(project) if project.cost_wan is not None else None
    funding, error = None, None
    try:
        limits = rules.project_funding(project.code, project.category, max(cost or 0, 0), codes, plan_rules)
        if limits is not None:
            funding = [{"source": f.source, "min": f.min, "max": f.max} for f in limits]
    except rules.FundingRuleError as err:
        error = str(err.reason)
    return ProjectFundingPublic(
        code=project.code, category=project.category, cost_wan=cost, funding=funding, error=error
    )


# ── sources ──────────────────────────────────────────────────────────────────────────────────────────


def _code_taken(code: str) -> Conflict:
    return Conflict(Message("source_code_taken", code=code), ["code"])


def _audit_source(
    session: Session, source: FundingSource, user: User | None, action: str, **what: Any
) -> None:
    audit.record(
        session,
        actor=user,
        entity="funding_source",
        entity_id=source.id,
        portfolio_id=source.portfolio_id,
        action=action,
        **what,
    )


def add_source(
    session: Session, portfolio_id: int, data: FundingSourceCreate, user: User | None
) -> FundingSource:
    """Add the source and its audit row to the transaction (not committed)."""
    source = FundingSource(**data.model_dump(), portfolio_id=portfolio_id)
    session.add(source)
    session.flush()
    _audit_source(session, source, user, "create", new=audit.snapshot(source, SOURCE_FIELDS))
    return source


def create_source(
    *, session: Session, portfolio_id: int, data: FundingSourceCreate, user: User
) -> FundingSource:
    """A new source of the portfolio; its code must be new in the portfolio."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    if _source_by_code(session, portfolio_id).get(data.code) is not None:
        raise _code_taken(data.code)
    try:
        source = add_source(session, portfolio_id, data, user)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "funding_source", "portfolio_id", "code"):
            raise
        raise _code_taken(data.code) from err
    session.refresh(source)
    return source


def update_source(
    *, session: Session, source_id: int, data: FundingSourceUpdate, user: User
) -> FundingSource:
    """Edit a source. A `version` other than the stored one is a StaleVersion naming what changed since."""
    source = get_source(session=session, source_id=source_id)
    if data.version != source.version:
        raise _stale(session, source_id, data.version)
    changes = versioning.changes_of(source, data.model_dump(exclude_unset=True, exclude={"version"}))
    if not changes:
        return source
    versioning.check_required_kept(changes, ("code", "name", "kind", "carryover", "illustrative"))
    try:
        _audit_source(
            session,
            source,
            user,
            "update",
            changes={name: (getattr(source, name), value) for name, value in changes.items()},
        )
        if not versioning.compare_and_set(session, source, changes, data.version):
            raise _stale(session, source_id, data.version)
        session.commit()
    except IntegrityError as err:
        session.rollback()
        if not is_unique_violation(err, "funding_source", "portfolio_id", "code"):
            raise
        raise _code_taken(changes.get("code", source.code)) from err
    session.refresh(source)
    return source


def _stale(session: Session, source_id: int, yours: int) -> Exception:
    return versioning.stale(session, FundingSource, source_id, yours, "funding source", lambda s: s.code)


def delete_source(*, session: Session, source_id: int, user: User) -> None:
    """Remove a source with its quotas and rules; each removal has its audit row keeping what it was."""
    source = get_source(session=session, source_id=source_id)
    _audit_source(session, source, user, "delete", old=audit.snapshot(source, SOURCE_FIELDS))
    for quota in session.exec(select(SourceQuota).where(SourceQuota.source_id == source_id)):
        audit.record(
            session,
            actor=user,
            entity="source_quota",
            entity_id=quota.id,
            portfolio_id=source.portfolio_id,
            action="delete",
            old=dict(quota.budget),
            note=f"scenario {quota.scenario_id} · source {source.code}",
        )
        session.delete(quota)
    for rule in session.exec(select(FundingRule).where(FundingRule.source_id == source_id)):
        project = session.get(Project, rule.project_id).code if rule.project_id is not None else None
        _audit_rule(session, rule, user, "delete", old=_rule_snapshot(rule, source.code, project))
        session.delete(rule)
    session.delete(source)
    session.commit()


def _source_by_code(session: Session, portfolio_id: int) -> dict[str, FundingSource]:
    query = select(FundingSource).where(FundingSource.portfolio_id == portfolio_id)
    return {s.code: s for s in session.exec(query)}


# ── quotas ───────────────────────────────────────────────────────────────────────────────────────────


def check_quota(scenario: Scenario, budget: Mapping[str, int], source_code: str) -> None:
    """InvalidInput unless `budget` has one amount ≥ 0 for every year of the scenario and no other."""
    horizon = {str(y) for y in range(scenario.first_year, scenario.last_year + 1)}
    missing = sorted(horizon - budget.keys())
    extra = sorted(budget.keys() - horizon)
    negative = sorted(y for y, cap in budget.items() if cap < 0)
    huge = sorted(y for y, cap in budget.items() if cap > MAX_WAN)
    words = None
    if missing:
        words = Message(
            "quota_years_missing", source=source_code, years=Listing(tuple(missing)), scenario=scenario.name
        )
    elif extra:
        words = Message(
            "quota_years_outside",
            source=source_code,
            years=Listing(tuple(extra)),
            first=scenario.first_year,
            last=scenario.last_year,
        )
    elif negative:
        words = Message("quota_negative", source=source_code, years=Listing(tuple(negative)))
    elif huge:
        words = Message("quota_implausible", source=source_code, years=Listing(tuple(huge)))
    if words is not None:
        raise InvalidInput(words, [(("body", "budget"), words)])


def set_quota(
    session: Session, scenario: Scenario, source: FundingSource, budget: Mapping[str, int], user: User | None
) -> SourceQuota | None:
    """Set the source's quota in the scenario with its audit row (not committed); None when unchanged."""
    budget = {str(y): int(v) for y, v in sorted(budget.items())}
    quota = session.exec(
        select(SourceQuota).where(SourceQuota.scenario_id == scenario.id, SourceQuota.source_id == source.id)
    ).first()
    old = dict(quota.budget) if quota is not None else None
    if old == budget:
        return None
    if quota is None:
        quota = SourceQuota(scenario_id=scenario.id, source_id=source.id, budget=budget)
        session.add(quota)
    else:
        quota.budget, quota.updated_at = budget, utcnow()
        session.add(quota)
    session.flush()
    audit.record(
        session,
        actor=user,
        entity="source_quota",
        entity_id=quota.id,
        portfolio_id=scenario.portfolio_id,
        action="create" if old is None else "update",
        changes={"budget": (old, budget)},
        note=f"scenario {scenario.id} · source {source.code}",
    )
    return quota


def put_quota(
    *, session: Session, scenario_id: int, source_id: int, budget: Mapping[str, int], user: User
) -> SourceQuotaPublic:
    """The source's annual quota in the scenario: an amount for every year of the scenario."""
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound("scenario", scenario_id)
    source = get_source(session=session, source_id=source_id)
    if source.portfolio_id != scenario.portfolio_id:
        raise InvalidInput(
            Message("source_other_portfolio", source=source.code),
            [(("path", "source_id"), Message("not_here"))],
        )
    check_quota(scenario, budget, source.code)
    set_quota(session, scenario, source, budget, user)
    session.commit()
    quota = session.exec(
        select(SourceQuota).where(SourceQuota.scenario_id == scenario_id, SourceQuota.source_id == source_id)
    ).one()
    return quota_public(quota, {source.id: source.code})


def list_quotas(*, session: Session, scenario_id: int) -> list[SourceQuotaPublic]:
    scenario = session.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound("scenario", scenario_id)
    codes = {s.id: s.code for s in list_sources(session=session, portfolio_id=scenario.portfolio_id)}
    return [quota_public(q, codes) for q in quotas_of(session=session, scenario_id=scenario_id)]


# ── rules ────────────────────────────────────────────────────────────────────────────────────────────


def _rule_scope(
    session: Session, portfolio_id: int, project: str | None, category: str | None
) -> tuple[int | None, str | None]:
    """The project id (by code) or category of a rule, checked against the portfolio."""
    rows = _projects(session, portfolio_id)
    if project is not None:
        found = next((p for p in rows if p.code == project), None)
        if found is None:
            raise InvalidInput(
                Message("rule_unknown_project", code=project), [(("body", "project"), Message("not_here"))]
            )
        return found.id, None
    if category not in {p.category for p in rows}:
        raise InvalidInput(
            Message("rule_unknown_category", category=category), [(("body", "category"), Message("not_here"))]
        )
    return None, category


def _check_rule_values(
    data: FundingRuleBase, *, source: str, project: str | None, category: str | None
) -> None:
    try:
        rules.FundingRule(
            source,
            project,
            category,
            data.allowed,
            data.min_wan,
            data.max_wan,
            data.min_percent,
            data.max_percent,
        )
    except rules.FundingRuleError as err:
        raise InvalidInput(err.reason, [(("body", err.field), err.reason)]) from err


def create_rule(*, session: Session, portfolio_id: int, data: FundingRuleCreate, user: User) -> FundingRule:
    """A rule for one project or one category; 409 when that source already has one for it."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    _check_rule_values(data, source=data.source, project=data.project, category=data.category)
    source = _source_by_code(session, portfolio_id).get(data.source)
    if source is None:
        raise InvalidInput(
            Message("rule_unknown_source", code=data.source), [(("body", "source"), Message("not_here"))]
        )
    project_id, category = _rule_scope(session, portfolio_id, data.project, data.category)
    if _existing_rule(session, source.id, project_id, category) is not None:
        raise Conflict(
            Message("rule_exists", source=data.source, scope=data.project or data.category), ["source"]
        )
    rule = FundingRule(
        **data.model_dump(include=set(RULE_FIELDS)),
        portfolio_id=portfolio_id,
        source_id=source.id,
        project_id=project_id,
        category=category,
    )
    session.add(rule)
    session.flush()
    _audit_rule(session, rule, user, "create", new=_rule_snapshot(rule, data.source, data.project))
    session.commit()
    session.refresh(rule)
    return rule


def _existing_rule(
    session: Session, source_id: int, project_id: int | None, category: str | None
) -> FundingRule | None:
    query = select(FundingRule).where(FundingRule.source_id == source_id)
    if project_id is not None:
        query = query.where(FundingRule.project_id == project_id)
    else:
        query = query.where(FundingRule.category == category)
    return session.exec(query).first()


def _rule_snapshot(rule: FundingRule, source: str, project: str | None) -> dict[str, Any]:
    return {
        "source": source,
        "project": project,
        "category": rule.category,
        **audit.snapshot(rule, RULE_FIELDS),
    }


def _audit_rule(session: Session, rule: FundingRule, user: User | None, action: str, **what: Any) -> None:
    audit.record(
        session,
        actor=user,
        entity="funding_rule",
        entity_id=rule.id,
        portfolio_id=rule.portfolio_id,
        project_id=rule.project_id,
        action=action,
        **what,
    )


def replace_rule(*, session: Session, rule_id: int, data: FundingRuleBase, user: User) -> FundingRule:
    """New limits for an existing rule (its source and project or category stay)."""
    rule = get_rule(session=session, rule_id=rule_id)
    source = get_source(session=session, source_id=rule.source_id)
    project = session.get(Project, rule.project_id).code if rule.project_id is not None else None
    _check_rule_values(data, source=source.code, project=project, category=rule.category)
    changes = versioning.changes_of(rule, data.model_dump(include=set(RULE_FIELDS)))
    if changes:
        _audit_rule(
            session,
            rule,
            user,
            "update",
            changes={name: (getattr(rule, name), value) for name, value in changes.items()},
        )
        for name, value in changes.items():
            setattr(rule, name, value)
        rule.updated_at = utcnow()
        session.add(rule)
        session.commit()
        session.refresh(rule)
    return rule


def delete_rule(*, session: Session, rule_id: int, user: User) -> None:
    rule = get_rule(session=session, rule_id=rule_id)
    source = get_source(session=session, source_id=rule.source_id)
    project = session.get(Project, rule.project_id).code if rule.project_id is not None else None
    _audit_rule(session, rule, user, "delete", old=_rule_snapshot(rule, source.code, project))
    session.delete(rule)
    session.commit()


def public_rule(*, session: Session, rule: FundingRule) -> FundingRulePublic:
    source = get_source(session=session, source_id=rule.source_id)
    project_codes = {}
    if rule.project_id is not None:
        project_codes[rule.project_id] = session.get(Project, rule.project_id).code
    return rule_public(rule, {source.id: source.code}, project_codes)


# ── imports ──────────────────────────────────────────────────────────────────────────────────────────


def import_sources(
    *,
    session: Session,
    portfolio_id: int,
    source: bytes | Path,
    filename: str | None = None,
    scenario_id: int | None = None,
    user: User | None,
    commit: bool = True,
) -> FundingImportSummary:
    """Import a sources list: sources merged by code (new ones created, changed ones updated) and, where the
    file gives years, each row's quotas in its scenario (the `scenario` column by name, else `scenario_id`).
    Every problem of the file — and every unknown scenario or year outside one — is raised at once as a
    FundingListError, and nothing is stored."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    listed, errors = funding_import.parse_sources(source, filename=filename)
    scenarios_by_row, target_errors = _quota_targets(session, portfolio_id, listed, scenario_id)
    if errors or target_errors:
        raise FundingListError(sorted([*errors, *target_errors], key=_row_order))
    existing = _source_by_code(session, portfolio_id)
    created = updated = unchanged = quotas = 0
    done: dict[str, FundingSource] = {}
    for row in listed.rows:
        if row.code in done:
            found = done[row.code]
        elif (found := existing.get(row.code)) is None:
            found = add_source(session, portfolio_id, _source_data(row), user)
            created += 1
        else:
            changes = versioning.changes_of(found, _source_data(row).model_dump())
            if changes:
                _audit_source(
                    session,
                    found,
                    user,
                    "import",
                    changes={name: (getattr(found, name), value) for name, value in changes.items()},
                )
                versioning.bump(found, changes)
                session.add(found)
                updated += 1
            else:
                unchanged += 1
        done[row.code] = found
        scenario = scenarios_by_row.get(row.row)
        if scenario is not None:
            session.flush()
            budget = {
                str(y): v for y, v in row.quota.items() if scenario.first_year <= y <= scenario.last_year
            }
            quotas += set_quota(session, scenario, found, budget, user) is not None
    if commit:
        session.commit()
    return FundingImportSummary(
        rows=len(listed.rows), created=created, updated=updated, unchanged=unchanged, quotas=quotas
    )


def _source_data(row: funding_import.SourceRow) -> FundingSourceCreate:
    return FundingSourceCreate(
        code=row.code,
        name=row.name,
        kind=row.kind,
        carryover=row.carryover,
        illustrative=row.illustrative,
        basis=row.basis,
    )


def _row_order(error: RowError) -> tuple[int, str]:
    return (error.row or 0, error.column or "")


def _quota_targets(
    session: Session, portfolio_id: int, listed: SourceList, scenario_id: int | None
) -> tuple[dict[int, Scenario], list[RowError]]:
    """The scenario each row's quotas go to (row number → scenario), and every problem with the scenario
    names and years."""
    if not listed.years:
        return {}, []
    scenarios = list(session.exec(select(Scenario).where(Scenario.portfolio_id == portfolio_id)))
    by_name = {s.name: s for s in scenarios}
    chosen = None
    if scenario_id is not None:
        chosen = next((s for s in scenarios if s.id == scenario_id), None)
        if chosen is None:
            raise NotFound("scenario", scenario_id)
    errors: list[RowError] = []
    targets: dict[int, Scenario] = {}
    for row in listed.rows:
        if row.scenario is not None:
            target = by_name.get(row.scenario)
            if target is None:
                names = Listing(tuple(by_name)) if by_name else Message("none_word")
                errors.append(
                    RowError.of(row.row, "scenario", "quota_unknown_scenario", name=row.scenario, known=names)
                )
                continue
        elif chosen is not None:
            target = chosen
        else:
            errors.append(RowError.of(row.row, "scenario", "quota_no_scenario"))
            continue
        targets[row.row] = target
        errors.extend(_quota_row_errors(row, target))
    return targets, errors


def _quota_row_errors(row: funding_import.SourceRow, scenario: Scenario) -> list[RowError]:
    """Every year of the scenario needs an amount; no amount may lie outside its years."""
    errors = []
    for year in range(scenario.first_year, scenario.last_year + 1):
        if year not in row.quota:
            errors.append(
                RowError.of(row.row, None, "quota_year_column_missing", year=year, scenario=scenario.name)
            )
        elif row.quota[year] is None:
            errors.append(
                RowError.of(row.row, str(year), "quota_cell_blank", year=year, scenario=scenario.name)
            )
    for year, value in row.quota.items():
        if value is not None and not scenario.first_year <= year <= scenario.last_year:
            errors.append(
                RowError.of(
                    row.row,
                    str(year),
                    "quota_year_outside",
                    year=year,
                    scenario=scenario.name,
                    first=scenario.first_year,
                    last=scenario.last_year,
                )
            )
    return errors


def import_rules(
    *,
    session: Session,
    portfolio_id: int,
    source: bytes | Path,
    filename: str | None = None,
    replace: bool = False,
    user: User | None,
    commit: bool = True,
) -> FundingImportSummary:
    """Import a rules list: rules merged by (source, project or category); with `replace` the portfolio's
    rules missing from the file are removed. Unknown sources, projects and categories are row errors;
    every problem is raised at once (FundingListError) and nothing is stored."""
    portfolios.get(session=session, portfolio_id=portfolio_id)
    listed, errors = funding_import.parse_rules(source, filename=filename)
    sources = _source_by_code(session, portfolio_id)
    rows = _projects(session, portfolio_id)
    project_ids = {p.code: p.id for p in rows}
    categories = {p.category for p in rows}
    errors += _rule_row_errors(listed, sources, project_ids, categories)
    if errors:
        raise FundingListError(sorted(errors, key=_row_order))
    stored = list_rules(session=session, portfolio_id=portfolio_id)
    by_key = {(r.source_id, r.project_id, r.category): r for r in stored}
    project_codes = {v: k for k, v in project_ids.items()}
    codes = {s.id: s.code for s in sources.values()}
    created = updated = unchanged = 0
    kept: set[int] = set()
    for item in listed:
        rule = item.rule
        key = (
            sources[rule.source].id,
            project_ids.get(rule.project) if rule.project else None,
            rule.category,
        )
        values = {
            "allowed": rule.allowed,
            "min_wan": rule.min_wan,
            "max_wan": rule.max_wan,
            "min_percent": rule.min_percent,
            "max_percent": rule.max_percent,
            "note": item.note,
        }
        found = by_key.get(key)
        if found is None:
            found = FundingRule(
                **values, portfolio_id=portfolio_id, source_id=key[0], project_id=key[1], category=key[2]
            )
            session.add(found)
            session.flush()
            _audit_rule(session, found, user, "import", new=_rule_snapshot(found, rule.source, rule.project))
            created += 1
        else:
            changes = versioning.changes_of(found, values)
            if changes:
                _audit_rule(
                    session,
                    found,
                    user,
                    "import",
                    changes={name: (getattr(found, name), value) for name, value in changes.items()},
                )
                for name, value in changes.items():
                    setattr(found, name, value)
                found.updated_at = utcnow()
                session.add(found)
                updated += 1
            else:
                unchanged += 1
        kept.add(found.id)
    deleted = 0
    if replace:
        for old in stored:
            if old.id not in kept:
                project = project_codes.get(old.project_id) if old.project_id is not None else None
                _audit_rule(
                    session, old, user, "delete", old=_rule_snapshot(old, codes[old.source_id], project)
                )
                session.delete(old)
                deleted += 1
    if commit:
        session.commit()
    return FundingImportSummary(
        rows=len(listed), created=created, updated=updated, unchanged=unchanged, deleted=deleted
    )


def _rule_row_errors(
    listed: Iterable[RuleRow],
    sources: Mapping[str, FundingSource],
    projects: Mapping[str, int],
    categories: set[str],
) -> list[RowError]:
    errors = []
    for item in listed:
        rule = item.rule
        if rule.source not in sources:
            known = Listing(tuple(sources)) if sources else Message("none_word")
            errors.append(
                RowError.of(item.row, "source", "rule_unknown_source_row", code=rule.source, known=known)
            )
        if rule.project is not None and rule.project not in projects:
            errors.append(RowError.of(item.row, "project", "rule_unknown_project", code=rule.project))
        if rule.category is not None and rule.category not in categories:
            errors.append(RowError.of(item.row, "category", "rule_unknown_category", category=rule.category))
    return errors


# ── for the problem builder ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class FundingPlan:
    """A scenario's funding as the problem builder takes it, and the sources as a run keeps them."""

    sources: tuple[rules.SourcePlan, ...]
    rules: tuple[rules.FundingRule, ...]
    described: list[dict[str, Any]]  # what a run stores: id, name, kind, carryover, illustrative, basis


def _plan_rule(
    rule: FundingRule, codes: Mapping[int, str], project_codes: Mapping[int, str]
) -> rules.FundingRule:
    project = project_codes.get(rule.project_id) if rule.project_id is not None else None
    return rules.FundingRule(
        source=codes[rule.source_id],
        project=project,
        category=None if project is not None else rule.category,
        allowed=rule.allowed,
        min_wan=rule.min_wan,
        max_wan=rule.max_wan,
        min_percent=rule.min_percent,
        max_percent=rule.max_percent,
    )


def plan_of(*, session: Session, scenario: Scenario) -> FundingPlan | None:
    """The scenario's sources with their quotas and the portfolio's rules; None when the portfolio has no
    sources (a v1 problem). A source without a quota for a year of the scenario (none entered yet, or the
    scenario's years changed) is limited that year by the total cap alone: its quota is taken as the cap,
    and the run names the source and years (`quota_missing` in what it keeps, a message when shown)."""
    sources = list_sources(session=session, portfolio_id=scenario.portfolio_id)
    if not sources:
        return None
    quotas = {q.source_id: q.budget for q in quotas_of(session=session, scenario_id=scenario.id)}
    years = [str(y) for y in range(scenario.first_year, scenario.last_year + 1)]
    budgets, missing = {}, {}
    for s in sources:
        given = quotas.get(s.id, {})
        budgets[s.id] = {int(y): int(given[y]) if y in given else int(scenario.budget[y]) for y in years}
        missing[s.id] = [int(y) for y in years if y not in given]
    codes = {s.id: s.code for s in sources}
    project_codes = {p.id: p.code for p in _projects(session, scenario.portfolio_id)}
    stored_rules = list_rules(session=session, portfolio_id=scenario.portfolio_id)
    return FundingPlan(
        sources=tuple(
            rules.SourcePlan(code=s.code, budget=budgets[s.id], carryover=s.carryover) for s in sources
        ),
        rules=tuple(_plan_rule(r, codes, project_codes) for r in stored_rules),
        described=[
            {
                "id": s.code,
                "name": s.name,
                "kind": str(s.kind),
                "carryover": s.carryover,
                "illustrative": s.illustrative,
                "basis": s.basis,
                "quota_missing": missing[s.id],
            }
            for s in sources
        ],
    )
