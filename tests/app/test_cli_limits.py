"""`capsched solve problem.json` with numbers the solver cannot hold: exit 2 naming the field (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import cli

runner = CliRunner()


def test_a_problem_json_with_a_budget_cap_of_2_to_the_63_exits_2_naming_the_field(tmp_path: Path) -> None:
    problem = {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": 2**63, "2022": 10},
        "projects": [{"id": "P1", "cost": 10, "planned_end": 2021}],
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem), encoding="utf-8")
    result = runner.invoke(cli, ["solve", str(path), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "field 'budget[2021]': must be at most 1,000,000,000,000 (the solver's limit)" in result.stderr
    assert not (tmp_path / "s.json").exists()


def test_a_cost_bigger_than_any_json_integer_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "problem.json"
    path.write_text(
        '{"first_year": 2021, "last_year": 2021, "budget": {"2021": 10},'
        ' "projects": [{"id": "P1", "cost": 1e400, "planned_end": 2021}]}',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["solve", str(path), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "project 'P1', field 'cost': must be a whole number, got inf" in result.stderr
