"""What happens to the database when the service starts: migrate, mark interrupted runs, seed once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.background import mark_interrupted
from app.db import make_engine, migrate
from app.services import seeding
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class StartReport:
    interrupted_runs: int  # runs a previous process left queued/running, now marked failed
    seeded: str | None  # the name of the portfolio loaded into an empty database, if any
    seeded_projects: int


def prepare_database(settings: Settings) -> StartReport:
    """Create or upgrade the schema, mark unfinished runs of a previous process, seed an empty database."""
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with Session(engine) as session:
            interrupted = mark_interrupted(session=session)["run"]
            portfolio = seeding.seed_if_empty(session=session) if settings.seed else None
            count = seeding.project_count(session=session, portfolio=portfolio)
            return StartReport(interrupted, portfolio.name if portfolio else None, count)
    finally:
        engine.dispose()
