"""SQLite never reuses a deleted row's id (AUTOINCREMENT), so an audit history names one thing

Without AUTOINCREMENT SQLite gives a new row max(id) + 1: delete the newest project and the next one takes
its id, and `GET /api/audit?project=…` mixed the two histories. PostgreSQL's sequences never reuse ids.
SQLite cannot add AUTOINCREMENT to a table in place, so each table is rebuilt (batch mode: copy, drop,
rename); app.db.migrate turns foreign keys off around the migration so the drop cascades nothing.

Revision ID: 0009
Revises: 0008
Create Date: system of record (issue 13)
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# parents before children, so each rebuilt child is checked against its rebuilt parent
TABLES = (
    "portfolio",
    "app_user",
    "project",
    "scenario",
    "run",
    "job",
    "baseline",
    "actual",
    "change_request",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
