"""A problem without `sources` is a v1 problem and gets exactly the v1 answer (MODEL.md v2).

tests/fixtures/v1_answers holds problems and the solutions the solver gave them before funding sources
existed (commit a3dcad6, `solve(problem, time_limit=60, workers=2)`, the same with 1 worker; seed_default's
re-made when the v1 first stage's probing was turned off, which picks another of its equal optima —
objective 22 either way — because the tie-break finds nothing within its work limit there): each is a
proven optimum (made reproducible by the deterministic tie-break), an infeasible problem's least shortfall,
or a structural impossibility, so the answer does not depend on timing. Solving them again must give the
same JSON, key for key (only `solve_seconds` differs), and no v2 key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solver import Problem, solve

ANSWERS = Path(__file__).resolve().parents[1] / "fixtures" / "v1_answers"
NAMES = sorted(p.name.removesuffix(".problem.json") for p in ANSWERS.glob("*.problem.json"))
V2_KEYS = {"sources", "source_years", "source_shortfall"}


def _keys(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | set().union(*(_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data)) if data else set()
    return set()


def test_the_fixtures_cover_optimal_infeasible_and_structural_answers() -> None:
    statuses = {json.loads((ANSWERS / f"{n}.solution.json").read_text())["status"] for n in NAMES}
    assert statuses == {"OPTIMAL", "INFEASIBLE"} and len(NAMES) >= 6


@pytest.mark.parametrize("name", NAMES)
def test_a_v1_problem_gets_exactly_the_v1_answer(name: str) -> None:
    problem_json = json.loads((ANSWERS / f"{name}.problem.json").read_text(encoding="utf-8"))
    expected = json.loads((ANSWERS / f"{name}.solution.json").read_text(encoding="utf-8"))
    problem = Problem.from_json(problem_json)

    got = solve(problem, time_limit=60, workers=2).to_json()
    got.pop("solve_seconds")

    assert problem.to_json() == problem_json  # the problem round-trips as v1 too
    assert list(got) == list(expected)  # same keys, same order
    assert got == expected
    assert not _keys(got) & V2_KEYS
