"""funding sources and seat-years

Revision ID: 0010
Revises: 0009
Create Date: funding sources with quotas per scenario and per-project rules; the seat-years objective (issue 15)
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_source",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("carryover", sa.Boolean(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_in", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolio.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("portfolio_id", "code", name="uq_funding_source_portfolio_code"),
        sqlite_autoincrement=True,  # ids never given again (migration 0009)
    )
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_source_portfolio_id"), ["portfolio_id"], unique=False)

    op.create_table(
        "source_quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenario.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["funding_source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scenario_id", "source_id", name="uq_source_quota_scenario_source"),
        sqlite_autoincrement=True,  # ids never given again (migration 0009)
    )
    with op.batch_alter_table("source_quota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_quota_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_quota_source_id"), ["source_id"], unique=False)

    op.create_table(
        "funding_rule",
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("min_wan", sa.Integer(), nullable=True),
        sa.Column("max_wan", sa.Integer(), nullable=True),
        sa.Column("min_percent", sa.Float(), nullable=True),
        sa.Column("max_percent", sa.Float(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolio.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["funding_source.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "category", name="uq_funding_rule_source_category"),
        sa.UniqueConstraint("source_id", "project_id", name="uq_funding_rule_source_project"),
        sqlite_autoincrement=True,  # ids never given again (migration 0009)
    )
    with op.batch_alter_table("funding_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_rule_portfolio_id"), ["portfolio_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_rule_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_rule_source_id"), ["source_id"], unique=False)

    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("objective", sa.String(length=20), nullable=False, server_default="weighted_slippage")
        )
        batch_op.add_column(sa.Column("default_seats", sa.Integer(), nullable=False, server_default="100"))

    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sources", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("seats", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("seats")
        batch_op.drop_column("sources")

    with op.batch_alter_table("scenario", schema=None) as batch_op:
        batch_op.drop_column("default_seats")
        batch_op.drop_column("objective")

    with op.batch_alter_table("funding_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_rule_source_id"))
        batch_op.drop_index(batch_op.f("ix_funding_rule_project_id"))
        batch_op.drop_index(batch_op.f("ix_funding_rule_portfolio_id"))
    op.drop_table("funding_rule")

    with op.batch_alter_table("source_quota", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_quota_source_id"))
        batch_op.drop_index(batch_op.f("ix_source_quota_scenario_id"))
    op.drop_table("source_quota")

    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_source_portfolio_id"))
    op.drop_table("funding_source")
