"""Is the service fit to serve: the database answers, its schema is at the newest migration, and how busy
the background pool is. For a reverse proxy's health check: no sign-in, nothing written."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.db import current_revision, head_revision, reader
from app.models import HealthPublic


def check(*, engine: Engine, threads: int, queued: int) -> HealthPublic:
    """The health of the service; `ok` only when the database answers at the newest migration."""
    try:
        with reader(engine).connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
        database = "ok"
    except SQLAlchemyError as err:
        current, database = None, f"unreachable: {type(err).__name__}"
    head = head_revision()
    healthy = database == "ok" and current == head
    return HealthPublic(
        status="ok" if healthy else "unavailable",
        database=database,
        migration=current,
        migration_head=head,
        pool_threads=threads,
        queued=queued,
    )
