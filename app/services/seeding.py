"""First start: the seed portfolio (data/projects.csv), its two scenarios and its illustrative funding
sources (data/sources.csv, data/funding_rules.csv: the plan gives no split by source), loaded once."""

from __future__ import annotations

from sqlmodel import Session, select

from app import resources
from app.files import importer
from app.models import Portfolio, ScenarioCreate
from app.rules.problem import ScenarioOptions, default_scenario_options, star_scenario_options
from app.services import audit, funding, portfolios, projects, scenarios

SEED_PORTFOLIO_NAME = "巫溪县教育十四五重大项目"
SEED_DESCRIPTION = "巫溪县教育事业发展“十四五”规划（巫溪府发〔2022〕14号）专栏4 重大项目"
DEFAULT_SCENARIO_NAME = "默认情景：每年1.2亿元（★可延期）"
STAR_SCENARIO_NAME = "★按期完工：每年1.5亿元"


def default_scenario() -> ScenarioCreate:
    """The default scenario of the seed portfolio (see README "The seeded scenarios")."""
    return _scenario(DEFAULT_SCENARIO_NAME, default_scenario_options())


def seed_scenarios() -> list[ScenarioCreate]:
    """Both seeded scenarios: 1.2亿 a year with ★ soft (default), and the plan's hard ★ rule at 1.5亿."""
    return [default_scenario(), _scenario(STAR_SCENARIO_NAME, star_scenario_options())]


def _scenario(name: str, options: ScenarioOptions) -> ScenarioCreate:
    return ScenarioCreate(
        name=name,
        first_year=options.first_year,
        last_year=options.last_year,
        budget={str(year): cap for year, cap in sorted(options.budget.items())},
        carryover=options.carryover,
        star_deadline=options.star_deadline,
        overrides={code: dict(fields) for code, fields in options.overrides.items()},
    )


def seed_if_empty(*, session: Session) -> Portfolio | None:
    """Load the seed portfolio and its scenarios into a database without portfolios, in one transaction.

    Returns the new portfolio, or None when the database already had one (nothing is touched), so deleting
    or renaming the seed later is respected.
    """
    if session.exec(select(Portfolio)).first() is not None:
        return None
    records = importer.read_projects(resources.seed_portfolio_csv())
    portfolio = Portfolio(name=SEED_PORTFOLIO_NAME, description=SEED_DESCRIPTION)
    session.add(portfolio)
    session.flush()
    audit.record(
        session,
        actor=None,
        entity="portfolio",
        entity_id=portfolio.id,
        portfolio_id=portfolio.id,
        action="create",
        new=audit.snapshot(portfolio, portfolios.FIELDS),
        note="seed portfolio loaded at first start",
    )
    projects.merge_records(session=session, portfolio_id=portfolio.id, records=records, user=None)
    for scenario in seed_scenarios():
        scenarios.add(session, portfolio.id, scenario, None)
    session.flush()
    seed_funding(session=session, portfolio_id=portfolio.id)
    session.commit()
    session.refresh(portfolio)
    return portfolio


def seed_funding(*, session: Session, portfolio_id: int) -> None:
    """The illustrative sources with their quotas in the seeded scenarios, and the rules (not committed)."""
    funding.import_sources(
        session=session,
        portfolio_id=portfolio_id,
        source=resources.seed_sources_csv(),
        user=None,
        commit=False,
    )
    funding.import_rules(
        session=session,
        portfolio_id=portfolio_id,
        source=resources.seed_funding_rules_csv(),
        user=None,
        commit=False,
    )


def project_count(*, session: Session, portfolio: Portfolio | None) -> int:
    """How many projects the (just seeded) portfolio has; 0 for none."""
    if portfolio is None:
        return 0
    return len(projects.list_projects(session=session, portfolio_id=portfolio.id))
