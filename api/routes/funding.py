"""Funding sources (资金来源): sources of a portfolio, their quotas per scenario, per-project and
per-category rules, and imports of both (finance writes; everyone reads)."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, UploadFile, status

from api.deps import CurrentUser, FinanceUser, SessionDep, WriteSessionDep
from api.params import Id
from app.models import (
    FundingImportSummary,
    FundingPublic,
    FundingRuleBase,
    FundingRuleCreate,
    FundingRulePublic,
    FundingSourceCreate,
    FundingSourcePublic,
    FundingSourceUpdate,
    QuotaSet,
    SourceQuotaPublic,
)
from app.rules.limits import INT32_MAX
from app.services import funding

router = APIRouter(tags=["funding"])


@router.get("/portfolios/{pid}/funding", response_model=FundingPublic)
def portfolio_funding(pid: Id, session: SessionDep, _: CurrentUser) -> FundingPublic:
    """Sources, rules, every scenario's quotas, and each project's limits with category rules expanded."""
    return funding.overview(session=session, portfolio_id=pid)


@router.get("/portfolios/{pid}/sources", response_model=list[FundingSourcePublic])
def list_sources(pid: Id, session: SessionDep, _: CurrentUser) -> list[FundingSourcePublic]:
    """The portfolio's funding sources."""
    return [funding.source_public(s) for s in funding.list_sources(session=session, portfolio_id=pid)]


@router.post(
    "/portfolios/{pid}/sources", response_model=FundingSourcePublic, status_code=status.HTTP_201_CREATED
)
def create_source(
    pid: Id, data: FundingSourceCreate, session: WriteSessionDep, user: FinanceUser
) -> FundingSourcePublic:
    """Add a funding source: code, name, kind, carryover, illustrative, basis (finance)."""
    return funding.source_public(
        funding.create_source(session=session, portfolio_id=pid, data=data, user=user)
    )


@router.patch("/sources/{source_id}", response_model=FundingSourcePublic)
def edit_source(
    source_id: Id, data: FundingSourceUpdate, session: WriteSessionDep, user: FinanceUser
) -> FundingSourcePublic:
    """Edit a source; `version` must be the one you read (409 names what changed since)."""
    return funding.source_public(
        funding.update_source(session=session, source_id=source_id, data=data, user=user)
    )


@router.delete("/sources/{source_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_source(source_id: Id, session: WriteSessionDep, user: FinanceUser) -> None:
    """Remove a source with its quotas and rules (finance)."""
    funding.delete_source(session=session, source_id=source_id, user=user)


@router.get("/scenarios/{sid}/quotas", response_model=list[SourceQuotaPublic])
def list_quotas(sid: Id, session: SessionDep, _: CurrentUser) -> list[SourceQuotaPublic]:
    """Each source's annual quota in the scenario."""
    return funding.list_quotas(session=session, scenario_id=sid)


@router.put("/scenarios/{sid}/quotas/{source_id}", response_model=SourceQuotaPublic)
def put_quota(
    sid: Id, source_id: Id, data: QuotaSet, session: WriteSessionDep, user: FinanceUser
) -> SourceQuotaPublic:
    """Set a source's annual quota in the scenario: an amount ≥ 0 for every year of it (finance)."""
    return funding.put_quota(
        session=session, scenario_id=sid, source_id=source_id, budget=data.budget, user=user
    )


@router.post(
    "/portfolios/{pid}/funding-rules", response_model=FundingRulePublic, status_code=status.HTTP_201_CREATED
)
def create_rule(
    pid: Id, data: FundingRuleCreate, session: WriteSessionDep, user: FinanceUser
) -> FundingRulePublic:
    """A rule for one project or one category: allowed or not, floor and cap in 万元 or % (finance)."""
    rule = funding.create_rule(session=session, portfolio_id=pid, data=data, user=user)
    return funding.public_rule(session=session, rule=rule)


@router.put("/funding-rules/{rule_id}", response_model=FundingRulePublic)
def replace_rule(
    rule_id: Id, data: FundingRuleBase, session: WriteSessionDep, user: FinanceUser
) -> FundingRulePublic:
    """New limits for a rule (its source and project or category stay) (finance)."""
    rule = funding.replace_rule(session=session, rule_id=rule_id, data=data, user=user)
    return funding.public_rule(session=session, rule=rule)


@router.delete("/funding-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: Id, session: WriteSessionDep, user: FinanceUser) -> None:
    """Remove a rule (finance)."""
    funding.delete_rule(session=session, rule_id=rule_id, user=user)


@router.post(
    "/portfolios/{pid}/sources/import",
    response_model=FundingImportSummary,
    status_code=status.HTTP_201_CREATED,
)
def import_sources(
    pid: Id,
    session: WriteSessionDep,
    user: FinanceUser,
    file: UploadFile = File(description="sources: CSV (UTF-8 or GBK) or XLSX; year columns give quotas"),
    scenario_id: int | None = Query(
        None,
        ge=1,
        le=INT32_MAX,
        description="the scenario of the quotas when the file has year columns but no scenario column",
    ),
) -> FundingImportSummary:
    """Import sources (and their quotas per scenario): every row error (422) and nothing stored, or counts."""
    return funding.import_sources(
        session=session,
        portfolio_id=pid,
        source=file.file.read(),
        filename=file.filename,
        scenario_id=scenario_id,
        user=user,
    )


@router.post(
    "/portfolios/{pid}/funding-rules/import",
    response_model=FundingImportSummary,
    status_code=status.HTTP_201_CREATED,
)
def import_rules(
    pid: Id,
    session: WriteSessionDep,
    user: FinanceUser,
    file: UploadFile = File(description="rules: CSV (UTF-8 or GBK) or XLSX"),
    replace: bool = Query(False, description="also remove the portfolio's rules missing from the file"),
) -> FundingImportSummary:
    """Import funding rules: every row error (422) and nothing stored, or counts."""
    return funding.import_rules(
        session=session,
        portfolio_id=pid,
        source=file.file.read(),
        filename=file.filename,
        replace=replace,
        user=user,
    )
