"""status date and overrun reasons

Revision ID: 0005
Revises: 0004
Create Date: actuals you can trust (issue 13)
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("actual", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("overrun_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )

    with op.batch_alter_table("portfolio", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_date", sa.Date(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("portfolio", schema=None) as batch_op:
        batch_op.drop_column("status_date")

    with op.batch_alter_table("actual", schema=None) as batch_op:
        batch_op.drop_column("overrun_reason")
