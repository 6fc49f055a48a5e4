"""The project record of a portfolio file: the columns of data/projects.csv, as plain values.

The importer produces these, the database Project table carries the same fields, and
app/rules/problem.py turns them into a solver.Problem. Money is in 万元 (`_wan`), areas in m², land in 亩.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column order of data/projects.csv (and of every exported project list).
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "category",
    "location",
    "nature",
    "floor_area_m2",
    "purchase_area_m2",
    "land_area_mu",
    "planned_start",
    "planned_end",
    "star",
    "status",
    "responsible_unit",
    "cost_wan",
    "cost_basis",
    "spent_wan",
    "seats_added",
    "seats_source",
)

ESTIMATE_PREFIX = "estimate"  # cost_basis starting with this marks an estimated cost (估算)

# The figures a project needs before it can be scheduled; a project lacking any of them is a draft: stored
# and shown with what it lacks, left out of runs (which say so), never blocking them.
SCHEDULE_FIGURES: tuple[str, ...] = ("planned_start", "planned_end", "cost_wan")


def missing_figures(record: object) -> tuple[str, ...]:
    """The schedule figures `record` lacks (empty when it can be scheduled)."""
    return tuple(name for name in SCHEDULE_FIGURES if getattr(record, name, None) is None)


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """One validated row of a project list. Optional figures are None when the file leaves them blank."""

    code: str
    name: str
    category: str
    location: str | None
    nature: str | None
    floor_area_m2: float | None
    purchase_area_m2: float | None
    land_area_mu: float | None
    planned_start: int | None
    planned_end: int | None
    star: bool
    status: str | None
    responsible_unit: str | None
    cost_wan: int | None
    cost_basis: str | None
    spent_wan: int
    seats_added: int | None
    seats_source: str | None

    @property
    def cost_is_estimate(self) -> bool:
        """True when cost_basis labels the cost as an estimate (shown as 估算 everywhere)."""
        return (self.cost_basis or "").strip().lower().startswith(ESTIMATE_PREFIX)
