"""The documented limits of what capsched accepts, in one place (README "Limits"): every request body
(app/models.py), every imported file (app/files/) and every scenario override is checked against them at
the edge, so a value the database or the solver cannot hold is refused naming its field, before any work.

One range per field. Whole numbers stored in the database must fit PostgreSQL's INTEGER (int32,
2,147,483,647; SQLite holds int64), and so must a run's weighted slippage (`run.objective`): with at most
MAX_PROJECTS projects, MAX_WEIGHT × MAX_HORIZON_YEARS each plus MAX_DEFER_PENALTY each stays below it.
"""

from __future__ import annotations

INT32_MAX = 2**31 - 1  # PostgreSQL INTEGER; ids in paths and queries too

MAX_WAN = 1_000_000_000  # any amount of money in 万元 (10 trillion yuan): costs, spending, caps, draws
FIRST_YEAR, LAST_YEAR = 1900, 2200  # any year a project, an actual or a scenario names
MAX_HORIZON_YEARS = 51  # a scenario's first..last year (2020–2070)
MAX_PROJECTS = 10_000  # projects in one portfolio (and so in one run)
MAX_SEATS = 100_000  # pupil places one project adds
MAX_AREA = 100_000_000.0  # m² of floor or purchase area, 亩 of land
MAX_WEIGHT = 1_000  # a project's slippage weight (a scenario override)
MAX_DEFER_PENALTY = 100_000  # a project's penalty for being deferred (a scenario override)
MAX_RISK_SAMPLES = 10_000  # Monte Carlo samples of one cost risk analysis (issue 17)
MAX_TIME_LIMIT = 86_400.0  # seconds in any time limit a request names (the server clamps to its own maximum)

# Text columns of a project, as app/models.py declares them (PostgreSQL VARCHAR(n) refuses longer text).
PROJECT_TEXT_LENGTHS: dict[str, int] = {
    "code": 40,
    "name": 300,
    "category": 100,
    "location": 300,
    "nature": 100,
    "status": 100,
    "responsible_unit": 200,
    "cost_basis": 300,
    "seats_source": 300,
}

# Whole-number fields of a project and their ranges (MODEL.md fields a scenario override may set, too).
PROJECT_INT_RANGES: dict[str, tuple[int, int]] = {
    "cost_wan": (0, MAX_WAN),
    "spent_wan": (0, MAX_WAN),
    "seats_added": (0, MAX_SEATS),
    "planned_start": (FIRST_YEAR, LAST_YEAR),
    "planned_end": (FIRST_YEAR, LAST_YEAR),
}
OVERRIDE_INT_RANGES: dict[str, tuple[int, int]] = {
    "cost": (1, MAX_WAN),
    "planned_end": (FIRST_YEAR, LAST_YEAR),
    "earliest_start": (FIRST_YEAR, LAST_YEAR),
    "fixed_start": (FIRST_YEAR, LAST_YEAR),
    "deadline": (FIRST_YEAR, LAST_YEAR),
    "min_years": (1, MAX_HORIZON_YEARS),
    "max_years": (1, MAX_HORIZON_YEARS),
    "min_annual": (1, MAX_WAN),
    "max_annual": (1, MAX_WAN),
    "weight": (0, MAX_WEIGHT),
    "defer_penalty": (0, MAX_DEFER_PENALTY),
}
