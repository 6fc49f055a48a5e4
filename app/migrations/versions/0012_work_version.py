"""work version

Revision ID: 0012
Revises: 0011
Create Date: a second counter for the tables of background work (run, job), so a solve's progress writes no
longer make every kept answer stale (issue 18)

Row 2 of data_version is the WORK counter. The triggers on run and job that raised counter 1 are dropped
here; app/db.py `ensure_version_triggers` (run after every upgrade) gives those tables new ones raising
counter 2.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WORK_TABLES = ("run", "job")
_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}


def upgrade() -> None:
    op.execute("INSERT INTO data_version (id, version, txid) VALUES (2, 0, NULL)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _WORK_TABLES:
        if sqlite:
            for event in _EVENTS:
                op.execute(f'DROP TRIGGER IF EXISTS "data_version_{table}_{event}"')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS "data_version_{table}" ON "{table}"')


def downgrade() -> None:
    from app.db import WORK_TABLES, drop_version_triggers

    connection = op.get_bind()
    drop_version_triggers(connection, WORK_TABLES)
    sqlite = connection.dialect.name == "sqlite"
    for table in _WORK_TABLES:  # back to 0011's triggers: run and job raise counter 1
        if sqlite:
            for event, name in _EVENTS.items():
                op.execute(
                    f'CREATE TRIGGER "data_version_{table}_{event}" AFTER {name} ON "{table}" '
                    "BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
                )
        else:
            op.execute(
                f'CREATE CONSTRAINT TRIGGER "data_version_{table}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION capsched_bump_data_version()"
            )
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS capsched_bump_work_version()")
    op.execute("DELETE FROM data_version WHERE id = 2")
