"""Numbers the solver cannot hold are refused when the Problem is built, naming the field (issue 18)."""

from __future__ import annotations

import pytest

from solver import Problem, ProblemError


def _problem(**project: object) -> dict:
    return {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": 10, "2022": 10},
        "projects": [{"id": "P1", "cost": 10, "planned_end": 2021, **project}],
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("cost", 2**63), ("max_annual", 10**13), ("weight", 2**40), ("defer_penalty", 10**15)],
)
def test_an_amount_over_the_solvers_limit_names_the_project_and_field(field: str, value: int) -> None:
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(_problem(**{field: value}))
    assert (caught.value.project_id, caught.value.field) == ("P1", field)
    assert "must be at most 1,000,000,000,000 (the solver's limit)" in caught.value.message


def test_a_budget_cap_of_two_to_the_63_is_refused_naming_its_year() -> None:
    data = _problem()
    data["budget"]["2022"] = 2**63
    with pytest.raises(ProblemError, match=r"field 'budget\[2022\]': must be at most 1,000,000,000,000"):
        Problem.from_json(data)


def test_a_year_is_a_calendar_year_and_a_horizon_at_most_200_years() -> None:
    with pytest.raises(ProblemError, match=r"planned_end.*must be a year from 1 to 9999, got -5"):
        Problem.from_json(_problem(planned_end=-5))
    wide = {"first_year": 1, "last_year": 5000, "budget": {str(y): 1 for y in range(1, 5001)}, "projects": []}
    with pytest.raises(ProblemError, match="the horizon may span at most 200 years"):
        Problem.from_json(wide)


def test_weights_whose_worst_slippage_overflows_are_refused_before_the_model() -> None:
    projects = [{"id": f"P{i}", "cost": 1, "planned_end": 1, "weight": 10**12} for i in range(1000)]
    data = {
        "first_year": 9000,
        "last_year": 9001,
        "budget": {"9000": 1000, "9001": 1000},
        "projects": projects,
    }
    with pytest.raises(ProblemError, match="could make the weighted slippage exceed"):
        Problem.from_json(data)
