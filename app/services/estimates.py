"""Cost estimates for a portfolio's drafts: the estimator (app/rules/estimator.py) applied to the stored
projects, each change a new version of the project, with the Wuxi list (data/projects.csv) as reference."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session

from app.files.importer import read_projects
from app.models import EstimatePublic, EstimateSummary, User
from app.resources import seed_portfolio_csv
from app.rules.estimator import UNIT_COSTS, estimate_costs
from app.rules.portfolio import ProjectRecord
from app.services import audit, projects, versioning


@cache
def reference_records() -> tuple[ProjectRecord, ...]:
    """The reference list for category medians: the Wuxi plan's projects (their floor areas are the plan's)."""
    return tuple(read_projects(seed_portfolio_csv()))


def estimate_portfolio(*, session: Session, portfolio_id: int, user: User) -> EstimateSummary:
    """Fill the cost of every project without one (and redo the estimator's own earlier estimates);
    never touches a cost someone entered. Each change audited as an estimate. Commits."""
    rows = projects.list_projects(session=session, portfolio_id=portfolio_id)
    by_code = {row.code: row for row in rows}
    estimates = estimate_costs([projects.as_record(row) for row in rows], reference=reference_records())
    changed = []
    for item in estimates:
        row = by_code[item.code]
        changes = versioning.changes_of(row, {"cost_wan": item.cost_wan, "cost_basis": item.basis})
        if changes:
            audit.record(
                session,
                actor=user,
                entity="project",
                entity_id=row.id,
                portfolio_id=portfolio_id,
                action="estimate",
                changes={name: (getattr(row, name), value) for name, value in changes.items()},
            )
            versioning.bump(row, changes)
        changed.append(
            EstimatePublic(
                code=item.code,
                name=row.name,
                cost_wan=item.cost_wan,
                cost_basis=item.basis,
                method=str(item.method),
                area_m2=item.area_m2,
                unit_cost_yuan_m2=UNIT_COSTS[item.rate],
                rate_assumed=item.rate_assumed,
            )
        )
    session.commit()
    return EstimateSummary(estimated=len(changed), projects=changed)
