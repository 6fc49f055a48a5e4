"""The three roles a user can have. Apart from app/models.py so that `capsched user` can name them as an
option without importing the database stack (`capsched solve` loads no SQLAlchemy)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FINANCE = "finance"  # budgets, scenarios, runs, imports: everything
    OWNER = "owner"  # edits the projects of its own responsible unit; reads everything
    VIEWER = "viewer"  # reads and exports
