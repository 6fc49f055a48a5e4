"""Scenarios: budget caps and options over a portfolio."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentUser, FinanceUser, SessionDep, WriteSessionDep
from api.params import Id
from app.models import Scenario, ScenarioCreate, ScenarioPublic, ScenarioUpdate
from app.services import scenarios

router = APIRouter(tags=["scenarios"])


def _public(scenario: Scenario) -> ScenarioPublic:
    return ScenarioPublic.model_validate(scenario)


@router.get("/portfolios/{pid}/scenarios", response_model=list[ScenarioPublic])
def list_scenarios(pid: Id, session: SessionDep, _: CurrentUser) -> list[ScenarioPublic]:
    """The portfolio's scenarios."""
    return [_public(s) for s in scenarios.list_scenarios(session=session, portfolio_id=pid)]


@router.post(
    "/portfolios/{pid}/scenarios", response_model=ScenarioPublic, status_code=status.HTTP_201_CREATED
)
def create_scenario(
    pid: Id, data: ScenarioCreate, session: WriteSessionDep, user: FinanceUser
) -> ScenarioPublic:
    """Create a scenario: horizon, a cap for every year, carryover, overrides (finance)."""
    return _public(scenarios.create(session=session, portfolio_id=pid, data=data, user=user))


@router.get("/scenarios/{sid}", response_model=ScenarioPublic)
def get_scenario(sid: Id, session: SessionDep, _: CurrentUser) -> ScenarioPublic:
    """One scenario."""
    return _public(scenarios.get(session=session, scenario_id=sid))


@router.patch("/scenarios/{sid}", response_model=ScenarioPublic)
def edit_scenario(
    sid: Id, data: ScenarioUpdate, session: WriteSessionDep, user: FinanceUser
) -> ScenarioPublic:
    """Edit budget and options; `version` must be the one you read (409 names what changed since)."""
    return _public(scenarios.update(session=session, scenario_id=sid, data=data, user=user))


@router.delete("/scenarios/{sid}", status_code=status.HTTP_204_NO_CONTENT)
def delete_scenario(sid: Id, session: WriteSessionDep, user: FinanceUser) -> None:
    """Remove a scenario with its runs (finance)."""
    scenarios.delete(session=session, scenario_id=sid, user=user)
