"""Every knob of the search as data: `SolveParams`, and the one function that picks a strategy from it.

`solve(problem, params=SolveParams(...))` reads its thresholds, shares of the time limit and
neighbourhood sizes from here, never from module constants, so a caller (a benchmark, a test, an office
with a province-size portfolio) chooses a strategy by passing params. The defaults are the measured ones
of bench/RESULTS.md; each field says what it was measured against. `SolveParams.from_mapping` reads the
same fields from a TOML table or JSON object (unknown names are an error, not ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class Strategy(StrEnum):
    """How `solve` searches (the value is what Solution.search.strategy says)."""

    CP_SAT = "cp-sat"  # CP-SAT on the whole model (small problems first get one sequential search)
    MIP_AND_CP_SAT = "mip+cp-sat"  # HiGHS on the exact MIP beside CP-SAT on the whole model
    NEIGHBOURHOODS = "neighbourhoods"  # the warm start improved by re-planning neighbourhoods
    MIP_AND_NEIGHBOURHOODS = "mip+neighbourhoods"  # HiGHS beside the neighbourhood search


@dataclass(frozen=True, slots=True)
class NeighbourhoodParams:
    """The neighbourhood search of solver/lns.py. Measured on 2000 projects at tightness 0.6, 60 s:
    50 projects / 1 s / no reach limit 2946–3059; reach 2: 2892; reach 1: 2884 (50), 2748 (100),
    2741 (120, 1.2 s), 2721 (150, 1.5 s); reach 0: 3095 (bench/RESULTS.md)."""

    size: int = 150  # projects re-planned at once, at first (then adapted between min_size and max_size)
    # … at first in a v2 problem (funding sources), whose model has about twice the variables per project:
    # at 2000 projects with four sources, 40 s, one lane, a loaded machine: 2021 with 150, 1974 with 80
    size_with_sources: int = 80
    min_size: int = 20
    max_size: int = 600
    seconds: float = 1.5  # wall-clock limit of one re-plan
    reach: int = 1  # a re-planned project moves at most this many years beyond its schedule or plan
    max_lanes: int = 4  # neighbourhoods re-planned at once, at most (one per granted worker)


@dataclass(frozen=True, slots=True)
class SolveParams:
    """The search's thresholds, time shares and sizes (defaults: bench/RESULTS.md)."""

    seed: int = 20240601  # fixed: the same input and options give the same search
    # problems this small are first tried by one sequential CP-SAT search with the stronger LP, for at
    # most first_stage_share of the time limit (seed portfolio: 0.42 s to a proof against 1.12 s)
    first_stage_max_projects: int = 50
    first_stage_share: float = 0.25
    # HiGHS on the MIP beside CP-SAT from this size (below it CP-SAT's first stage proves the seed and
    # 20-project instances in < 1 s; HiGHS needs 1.0 s at 20 projects)
    mip_min_projects: int = 51
    # from this size the neighbourhood search replaces CP-SAT on the whole model (300 projects at 10 s:
    # 473/230 → 305/138)
    lns_min_projects: int = 250
    # up to this size HiGHS also runs beside the neighbourhoods (at 2000 its root LP alone takes ~34 s)
    mip_max_projects: int = 1000
    use_highs: bool = True  # HiGHS's searches, when highspy is installed
    lp_share: float = 0.25  # the money-flow LP bound may take at most this share of the time limit
    # v2: up to this size the LP bound has each project's shares of its sources (with four sources: bound
    # 239 against 228 at 200 projects / 0.6; 3 s of CPU at 500 projects, 15 s at 1000 against 4 without)
    lp_shares_max_projects: int = 500
    stop_margin_share: float = 0.02  # kept back: CP-SAT's workers stop ~0.5–1 s late on big models
    tie_break_share: float = 0.25  # the tie-break's deterministic work limit, as a share of the limit …
    tie_break_work_per_project: float = 0.01  # … and at most this much work per project
    portfolio_per_thread: int = 4  # CP-SAT subsolvers per granted thread, at most portfolio_max
    portfolio_max: int = 8
    pattern_reserve_seconds: float = 0.2  # kept back to turn HiGHS's answer into a schedule
    pattern_limit_seconds: float = 2.0
    highs_grace_seconds: float = 0.1  # HiGHS may run this long past its deadline or a cancel
    stop_poll_seconds: float = 0.05  # how often a cancel request is checked
    # A deterministic work limit (CP-SAT's deterministic seconds) for the whole search instead of the clock:
    # below lns_min_projects the search is then CP-SAT's alone (HiGHS's race depends on timing) and, with
    # one worker, the same input gives the same answer on any machine however busy — proven or not. The
    # time limit still stops a search that outlives it (then the answer depends on timing again).
    work_limit: float | None = None
    # an infeasible problem gets the least shortfall (an elastic solve); off when only feasibility matters
    # (the risk analysis's checks: thousands of them, nobody reads their diagnostics)
    shortfall: bool = True
    neighbourhoods: NeighbourhoodParams = field(default_factory=NeighbourhoodParams)

    def __post_init__(self) -> None:
        for name in ("first_stage_share", "lp_share", "stop_margin_share", "tie_break_share"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"SolveParams.{name} must be at least 0 and less than 1")
        if self.portfolio_per_thread < 1 or self.portfolio_max < 1:
            raise ValueError("SolveParams: the CP-SAT portfolio needs at least one subsolver")
        if self.work_limit is not None and not self.work_limit > 0:
            raise ValueError("SolveParams.work_limit must be more than 0 (or None for the clock alone)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SolveParams:
        """Params from a TOML table or JSON object of these field names ("neighbourhoods" a sub-table)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown solver parameter {unknown[0]!r}: use one of {', '.join(sorted(known))}"
            )
        values = dict(data)
        if "neighbourhoods" in values:
            sub = values["neighbourhoods"]
            allowed = {f.name for f in fields(NeighbourhoodParams)}
            bad = sorted(set(sub) - allowed)
            if bad:
                raise ValueError(
                    f"unknown neighbourhood parameter {bad[0]!r}: use one of {', '.join(sorted(allowed))}"
                )
            values["neighbourhoods"] = NeighbourhoodParams(**sub)
        return cls(**values)

    def but(self, **changes: Any) -> SolveParams:
        """A copy with some fields changed."""
        return replace(self, **changes)


DEFAULT_PARAMS = SolveParams()


def choose_strategy(projects: int, params: SolveParams, *, highs: bool) -> Strategy:
    """The search for a problem of `projects` projects; `highs` says whether HiGHS may run (highspy is
    installed and params allow it)."""
    highs = highs and params.use_highs and params.work_limit is None
    if projects >= params.lns_min_projects:
        if highs and projects <= params.mip_max_projects:
            return Strategy.MIP_AND_NEIGHBOURHOODS
        return Strategy.NEIGHBOURHOODS
    if highs and projects >= params.mip_min_projects:
        return Strategy.MIP_AND_CP_SAT
    return Strategy.CP_SAT
