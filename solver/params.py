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
    # CP-SAT's probing (presolve) in that first stage of a v1 problem (None: CP-SAT's default, 2): off
    # proves the seed portfolio in 0.21–0.26 s against 0.51 s; nine 20-project instances and the seed 3.95 s
    # against 4.88 s in all, tie-break included (bench/RESULTS.md)
    first_stage_probing: int | None = 0
    # … in a v2 problem (funding sources), whose proofs this search finds and the 8-subsolver portfolio on
    # 2 cores did not (seed portfolio with four sources: proven in 1.0–1.6 deterministic s; the portfolio
    # had 26–30 against a bound of 20 after 10 s)
    first_stage_share_with_sources: float = 0.6
    # CP-SAT's probing in that first stage of a v2 problem (None: CP-SAT's default, 2): off proves the seed
    # with solver.instances.with_sources' four sources in 1.2 s of search against 2.9 s (bench/RESULTS.md)
    first_stage_probing_with_sources: int | None = 0
    # v2 problems up to this size first solve the problem without its sources, a relaxation CP-SAT proves
    # in a fraction of the time, for at most relaxation_share of the limit; its bound bounds the v2
    # problem and its end years, kept and split over the sources, are often a v2 optimum (seed portfolio
    # with data/sources.csv: proven in ~1 s of CPU against ~3.8 s; solver/search.py `_without_sources`)
    relaxation_max_projects: int = 50
    relaxation_share: float = 0.5
    # … also when the money-flow LP with the sources is above the same LP without them (the sources bind
    # already in the LP, so that relaxation is a weak bound and its schedule rarely splits over them)
    relaxation_when_sources_bind: bool = False
    # CP-SAT's probing in that relaxation's search: off proves the seed's relaxation in 0.31 s of wall
    # against 0.57 s at level 2 and 1.3 s at level 1 (data/sources.csv, load 2, bench/RESULTS.md)
    relaxation_probing_level: int = 0
    # HiGHS on the MIP beside CP-SAT from this size (below it CP-SAT's first stage proves the seed and
    # 20-project instances in < 1 s; HiGHS needs 1.0 s at 20 projects)
    mip_min_projects: int = 51
    # from this size the neighbourhood search replaces CP-SAT on the whole model (300 projects at 10 s:
    # 473/230 → 305/138)
    lns_min_projects: int = 250
    # … in a v2 problem (funding sources), from where HiGHS runs: CP-SAT on the whole model of 200 projects
    # with four sources did not improve the warm start (349) in 8 deterministic s, its 4-subsolver
    # portfolio reached 310 in 130 s of CPU, the neighbourhoods 263 in 22 s
    lns_min_projects_with_sources: int = 51
    # up to this size HiGHS also runs beside the neighbourhoods (at 2000 its root LP alone takes ~34 s)
    mip_max_projects: int = 1000
    use_highs: bool = True  # HiGHS's searches, when highspy is installed
    lp_share: float = 0.25  # the money-flow LP bound may take at most this share of the time limit
    # from this size the bound comes from the Lagrangian relaxation (solver/lagrangian.py), which stops
    # when it has had its share of the limit in CPU time of its thread (counted from its start), or when
    # its wall-clock share is spent, whichever comes first: beside other work a wall-clock share of 20 %
    # bought too little CPU to converge (10,000 projects beside a CPU hog: an 80 % gap). The LP cannot be
    # stopped and takes 26 s at 10,000 projects
    lagrangian_min_projects: int = 250
    lagrangian_share: float = 0.2
    lagrangian_wall_share: float = 0.5
    # from this size HiGHS and CP-SAT (the MIP path) start from the Lagrangian's pattern made a schedule
    # (solver/rounding.py) when it is better than the warm start
    rounded_start_min_projects: int = 51
    # the greedy passes after the first two (solver/greedy.py) start only within this share of the limit
    warm_start_share: float = 0.1
    # kept back at the end of the limit to verify and return the schedule (verify: ~5 µs per project)
    finish_seconds_per_project: float = 2e-5
    # the windows and first greedy passes may run this long past the limit to give a schedule at all
    # (10,000 projects: ~0.3 s of CPU); then the solve stops with what it has
    overrun_seconds: float = 1.0
    # v2: up to this size the LP bound has each project's shares of its sources (with four sources: bound
    # 239 against 228 at 200 projects / 0.6; 3 s of CPU at 500 projects, 15 s at 1000 against 4 without)
    lp_shares_max_projects: int = 500
    # the money-flow LP's whole projects held at their ends, the rest solved by CP-SAT (solver/cpsat.py
    # `held_ends_schedule`) on the lanes' thread, at most this share of the limit. 200 projects with four
    # sources @ 0.6, 10 s, seeds 1-3: 0.15 244/230/257, 0.3 245/231/257, 0.5 243/230/256 idle; beside a
    # CPU hog 0.3 248/248/275, 0.5 247/249/258 (it ends sooner when it proves its optimum)
    held_ends_share: float = 0.5
    stop_margin_share: float = 0.02  # kept back: CP-SAT's workers stop ~0.5–1 s late on big models
    tie_break_share: float = 0.25  # the tie-break's deterministic work limit, as a share of the limit …
    tie_break_work_per_project: float = 0.01  # … and at most this much work per project
    # CP-SAT's probing in the tie-break (None: its default, 2). Off saves ~0.05 s on the seed portfolio but
    # picks another of the equal optima: v1 answers would no longer be the v1 answers (tests/fixtures)
    tie_break_probing: int | None = None
    portfolio_per_thread: int = 4  # CP-SAT subsolvers per granted thread, at most portfolio_max
    portfolio_max: int = 8
    pattern_reserve_seconds: float = 0.2  # kept back to turn HiGHS's answer into a schedule
    pattern_limit_seconds: float = 2.0
    highs_grace_seconds: float = 0.1  # HiGHS may run this long past its deadline or a cancel
    # the search beside HiGHS runs this many nice steps lower (Linux): when other work leaves one core
    # for both, HiGHS keeps most of it (200 projects at 0.8 with a CPU hog beside: see bench/RESULTS.md)
    partner_nice: int = 10
    # v2 (HiGHS beside the neighbourhood lanes, 51+ projects): fewer steps. At 10 the lanes' thread, which
    # also solves the LP with shares (~1.2 s alone), barely ran beside a CPU hog (1–3 re-plans in 10 s) and
    # HiGHS alone was left; at 4, with the hog, 200 projects with four sources, 10 s, seeds 1–3 ×
    # 0.6/0.8: 252/160/249/148/314/173 against 252/181/249/205/347/183 (0 gave 305 on seed 1 @ 0.6:
    # HiGHS then lacked the time for its incumbent); on idle cores nothing changes (bench/RESULTS.md)
    partner_nice_with_sources: int = 4
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
    # v2 (funding sources): smaller, shorter neighbourhoods — a sub-problem with the sources' split is
    # harder, and 150 projects of a 200-project portfolio is most of it. Measured beside HiGHS at 200
    # projects with four sources, 10 s (seeds 1–3 × 0.6/0.8): 30 projects 243/150/234/134/261/143, 50
    # projects 242/150/230/134/258/143, 80 projects 244/150/228/134/259/143; 150 (the v1 size) without
    # the sharing beside HiGHS 244/152/249/137/262/143; at 2000 projects (no HiGHS), 60 s: 2895 against
    # 2951 with 150 (bench/RESULTS.md)
    neighbourhoods_with_sources: NeighbourhoodParams = field(
        default_factory=lambda: NeighbourhoodParams(size=50, seconds=0.5)
    )

    def __post_init__(self) -> None:
        for name in (
            "first_stage_share",
            "first_stage_share_with_sources",
            "relaxation_share",
            "lp_share",
            "lagrangian_share",
            "lagrangian_wall_share",
            "held_ends_share",
            "warm_start_share",
            "stop_margin_share",
            "tie_break_share",
        ):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"SolveParams.{name} must be at least 0 and less than 1")
        if self.portfolio_per_thread < 1 or self.portfolio_max < 1:
            raise ValueError("SolveParams: the CP-SAT portfolio needs at least one subsolver")
        if self.work_limit is not None and not self.work_limit > 0:
            raise ValueError("SolveParams.work_limit must be more than 0 (or None for the clock alone)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SolveParams:
        """Params from a TOML table or JSON object of these field names ("neighbourhoods" and
        "neighbourhoods_with_sources" sub-tables)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown solver parameter {unknown[0]!r}: use one of {', '.join(sorted(known))}"
            )
        values = dict(data)
        for table in ("neighbourhoods", "neighbourhoods_with_sources"):
            if table not in values:
                continue
            sub = values[table]
            allowed = {f.name for f in fields(NeighbourhoodParams)}
            bad = sorted(set(sub) - allowed)
            if bad:
                raise ValueError(
                    f"unknown neighbourhood parameter {bad[0]!r}: use one of {', '.join(sorted(allowed))}"
                )
            values[table] = NeighbourhoodParams(**sub)
        return cls(**values)

    def but(self, **changes: Any) -> SolveParams:
        """A copy with some fields changed."""
        return replace(self, **changes)


DEFAULT_PARAMS = SolveParams()


def choose_strategy(projects: int, params: SolveParams, *, highs: bool, sources: bool = False) -> Strategy:
    """The search for a problem of `projects` projects; `highs` says whether HiGHS may run (highspy is
    installed and params allow it), `sources` whether it is a v2 problem (funding sources)."""
    highs = highs and params.use_highs and params.work_limit is None
    lns_from = params.lns_min_projects_with_sources if sources else params.lns_min_projects
    if projects >= lns_from:
        if highs and projects <= params.mip_max_projects:
            return Strategy.MIP_AND_NEIGHBOURHOODS
        return Strategy.NEIGHBOURHOODS
    if highs and projects >= params.mip_min_projects:
        return Strategy.MIP_AND_CP_SAT
    return Strategy.CP_SAT
