"""Problem JSON and validation: every mistake names the project and the field."""

from __future__ import annotations

import json

import pytest

from solver import Problem, ProblemError, Project, Solution, solve
from solver.solution import ProjectSchedule


def _doc(**project_fields) -> dict:
    project = {"id": "WX-01", "cost": 100, "planned_end": 2022, **project_fields}
    return {
        "first_year": 2021,
        "last_year": 2023,
        "budget": {"2021": 100, "2022": 100, "2023": 100},
        "projects": [project, {"id": "WX-02", "cost": 50, "planned_end": 2021}],
    }


def test_problem_json_round_trip_keeps_every_field_and_chinese_ids():
    problem = Problem(
        2021,
        2024,
        {2021: 10, 2022: 0, 2023: 5, 2024: 7},
        (
            Project(
                "学校-1",
                9,
                2022,
                earliest_start=2022,
                min_years=2,
                max_years=3,
                min_annual=2,
                max_annual=5,
                deadline=2024,
                weight=3,
                deferrable=True,
                defer_penalty=4,
            ),
            Project("WX-2", 6, 2023, fixed_start=2021, profile=(1, 0, 5), after=("学校-1",)),
        ),
        carryover=True,
    )
    text = json.dumps(problem.to_json(), ensure_ascii=False)
    assert Problem.from_json(json.loads(text)) == problem
    assert '"2022": 0' in text and "学校-1" in text


def test_solution_json_round_trip():
    problem = Problem.from_json(_doc())
    solution = solve(problem, time_limit=5, workers=1)
    again = Solution.from_json(json.loads(json.dumps(solution.to_json())))
    assert again.projects == solution.projects and again.years == solution.years
    assert again.status == solution.status and again.objective == solution.objective
    # WX-02 (50, due 2021) leaves 50 of 2021's cap, so WX-01 (100) ends in 2022, its plan
    first = solution.to_json()["projects"][0]
    assert first["end"] == 2022 and sum(first["funding"].values()) == 100
    assert all(isinstance(year, str) for year in first["funding"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cost": -5}, "cost"),
        ({"cost": 0}, "cost"),
        ({"cost": "100"}, "cost"),
        ({"cost": True}, "cost"),
        ({"planned_end": None}, "planned_end"),
        ({"after": ["WX-99"]}, "after"),
        ({"after": "WX-02"}, "after"),
        ({"after": ["WX-01"]}, "after"),
        ({"profile": [50, 40]}, "profile"),
        ({"profile": [50, -1, 51]}, "profile[1]"),
        ({"min_annual": 60, "max_annual": 50}, "min_annual"),
        ({"min_years": 3, "max_years": 2}, "min_years"),
        ({"min_years": 0}, "min_years"),
        ({"weight": -1}, "weight"),
        ({"defer_penalty": -1}, "defer_penalty"),
        ({"deferrable": "yes"}, "deferrable"),
        ({"fixed_start": 2030}, "fixed_start"),
        ({"deadline": 2022.5}, "deadline"),
    ],
)
def test_invalid_project_field_is_rejected_naming_project_and_field(fields, field):
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(_doc(**fields))
    assert caught.value.project_id == "WX-01"
    assert caught.value.field == field
    assert "WX-01" in str(caught.value) and field in str(caught.value)


def test_missing_project_cost_is_named():
    doc = _doc()
    del doc["projects"][0]["cost"]
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(doc)
    assert (caught.value.project_id, caught.value.field) == ("WX-01", "cost")
    assert "missing" in caught.value.message


def test_cycle_in_after_is_rejected():
    doc = _doc(after=["WX-02"])
    doc["projects"][1]["after"] = ["WX-01"]
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(doc)
    assert caught.value.field == "after" and "cycle" in caught.value.message


def test_duplicate_id_is_rejected():
    doc = _doc()
    doc["projects"][1]["id"] = "WX-01"
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(doc)
    assert (caught.value.project_id, caught.value.field) == ("WX-01", "id")


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ({"2021": 100, "2022": 100}, "2023"),
        ({"2021": 100, "2022": 100, "2023": 100, "2024": 1}, "2024"),
        ({"2021": 100, "2022": -1, "2023": 100}, "at least 0"),
        ({"2021": 100, "x": 1, "2022": 1, "2023": 1}, "'x'"),
    ],
)
def test_budget_mistakes_are_rejected_naming_the_year(budget, message):
    doc = _doc()
    doc["budget"] = budget
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(doc)
    assert caught.value.project_id is None and caught.value.field.startswith("budget")
    assert message in str(caught.value)


@pytest.mark.parametrize("missing", ["first_year", "last_year", "budget", "projects"])
def test_missing_problem_field_is_named(missing):
    doc = _doc()
    del doc[missing]
    with pytest.raises(ProblemError) as caught:
        Problem.from_json(doc)
    assert caught.value.field == missing


def test_wrong_json_types_are_named():
    with pytest.raises(ProblemError) as caught:
        Problem.from_json({**_doc(), "projects": {"id": "x"}})
    assert caught.value.field == "projects"
    with pytest.raises(ProblemError) as caught:
        Problem.from_json({**_doc(), "carryover": "no"})
    assert caught.value.field == "carryover"
    with pytest.raises(ProblemError) as caught:
        Problem.from_json([1, 2])
    assert caught.value.field == "problem"


def test_dataclass_validation_applies_without_json():
    with pytest.raises(ProblemError) as caught:
        Project("A", 10, 2022, min_annual=5, max_annual=4)
    assert (caught.value.project_id, caught.value.field) == ("A", "min_annual")
    with pytest.raises(ProblemError):
        Problem(2022, 2021, {}, ())


def test_a_scheduled_projects_span_is_its_start_and_end_and_a_deferred_one_has_none() -> None:
    scheduled = ProjectSchedule("school", True, 2022, 2024, 1, {2022: 5, 2023: 5, 2024: 5})
    deferred = ProjectSchedule("clinic", False, None, None, None)

    assert scheduled.span == (2022, 2024)
    with pytest.raises(ValueError, match="clinic is deferred"):
        _ = deferred.span
