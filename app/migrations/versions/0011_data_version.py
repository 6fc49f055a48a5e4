"""data version

Revision ID: 0011
Revises: 0010
Create Date: a counter raised by every write, for answers cached per data version (issue 18, load-perf)

The triggers that raise it are (re)created by app/db.py `ensure_version_triggers` after every upgrade, so a
table added or rebuilt by a later migration gets them too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0, "txid": None}])


def downgrade() -> None:
    from app.db import drop_version_triggers

    drop_version_triggers(op.get_bind())
    op.drop_table("data_version")
