"""`capsched solve`: JSON in, JSON out, exit codes 0 / 2 / 3 as API.md says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from app.resources import seed_portfolio_csv

runner = CliRunner()
SEED = str(seed_portfolio_csv())


def _problem(budget: int, *, deadline: int | None = None) -> dict:
    # One project of cost 10 that may take 1–2 years: with a cap of 5 a year it needs both years.
    project = {"id": "P1", "cost": 10, "planned_end": 2021, "max_years": 2}
    if deadline is not None:
        project["deadline"] = deadline
    return {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": budget, "2022": budget},
        "projects": [project],
    }


def _write(tmp_path: Path, data: object, name: str = "problem.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_an_optimal_solution_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, _problem(10))), "--out", str(out)])
    assert result.exit_code == 0, result.output
    solution = json.loads(out.read_text(encoding="utf-8"))
    # a cap of 10 lets the whole cost be drawn in 2021, the planned end: no slippage
    assert (solution["status"], solution["objective"]) == ("OPTIMAL", 0)


def test_solve_reports_slippage_when_money_is_short(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, _problem(5))), "--out", str(out)])
    assert result.exit_code == 0, result.output
    project = json.loads(out.read_text(encoding="utf-8"))["projects"][0]
    # 5 a year: 10 can only be drawn over 2021 and 2022, one year after the planned end
    assert (project["end"], project["slippage"]) == (2022, 1)


def test_summary_of_a_problem_json_shows_each_plan_end(tmp_path: Path) -> None:
    """A problem.json has no project list, but its projects still have planned ends to compare with."""
    result = runner.invoke(
        cli, ["solve", str(_write(tmp_path, _problem(5))), "--out", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "P1" in line)
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    # code, name, ★, start, end, plan end, slip
    assert cells[3:] == ["2021", "2022", "2021", "+1"]


def test_infeasible_problem_exits_3_and_still_writes_the_explanation(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    problem = _write(tmp_path, _problem(5, deadline=2021))
    result = runner.invoke(cli, ["solve", str(problem), "--out", str(out)])
    assert result.exit_code == 3, result.output
    solution = json.loads(out.read_text(encoding="utf-8"))
    # finishing by 2021 needs all 10 in 2021, the cap is 5: 5 more in 2021 is the least extra money
    assert solution["status"] == "INFEASIBLE"
    assert solution["diagnostics"]["shortfall"] == {"2021": 5}


def test_invalid_problem_exits_2_naming_project_and_field(tmp_path: Path) -> None:
    problem = _problem(10)
    problem["projects"][0]["cost"] = -3
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, problem)), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "P1" in result.output and "cost" in result.output
    assert "Traceback" not in result.output


def test_broken_json_exits_2_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "problem.json"
    path.write_text('{"first_year": 2021,\n "budget": }', encoding="utf-8")
    result = runner.invoke(cli, ["solve", str(path), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "not valid JSON (line 2" in result.output


def test_missing_input_file_exits_2_in_plain_words(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["solve", str(tmp_path / "nope.json"), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "no such file" in result.output


@pytest.mark.parametrize("args", [["--budget-flat", "5", "--budget", "2021=5"]])
def test_conflicting_budget_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(cli, ["solve", "x.csv", "--out", str(tmp_path / "s.json"), *args])
    assert result.exit_code == 2
    assert "either --budget-flat or --budget" in result.output


def test_emit_problem_writes_the_model_json_that_was_solved(tmp_path: Path) -> None:
    emitted = tmp_path / "emitted.json"
    source = _write(tmp_path, _problem(10))
    result = runner.invoke(
        cli, ["solve", str(source), "--out", str(tmp_path / "s.json"), "--emit-problem", str(emitted)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(emitted.read_text(encoding="utf-8"))["budget"] == {"2021": 10, "2022": 10}


def test_seed_list_at_1_2_yi_with_hard_star_deadlines_is_infeasible_and_names_the_money_missing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "solution.json"
    result = runner.invoke(
        cli, ["solve", SEED, "--budget-flat", "12000", "--out", str(out), "--time-limit", "5"]
    )
    assert result.exit_code == 3, result.output
    assert "年缺" in result.output and "--soft-star" in result.output
    shortfall = json.loads(out.read_text(encoding="utf-8"))["diagnostics"]["shortfall"]
    assert shortfall and all(int(year) <= 2025 for year in shortfall)


def test_seed_list_with_soft_star_writes_an_xlsx_schedule_of_all_19_projects(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "plan.xlsx"
    result = runner.invoke(cli, ["solve", SEED, "--soft-star", "--out", str(out), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "巫溪县凤凰中学校建设项目" in result.output
    matrix = load_workbook(out).worksheets[0]
    codes = {row[0] for row in matrix.iter_rows(min_row=2, values_only=True)}
    assert {f"WX-{n:02d}" for n in range(1, 20)} <= codes


def test_years_option_that_is_not_a_range_exits_2_in_plain_words(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["solve", SEED, "--years", "2021", "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2
    assert "expected FIRST-LAST" in result.output


def test_wrong_output_suffix_exits_2_naming_the_option(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["solve", SEED, "--out", str(tmp_path / "s.txt")])
    assert result.exit_code == 2
    assert "--out s.txt" in result.output


# ---------------------------------------------------------------- MODEL.md v2: funding sources


def _v2_problem(bond_2021: int) -> dict:
    # A (6, weight 2) may only use bonds; B (6) bonds or county money; both due 2021; the total caps have
    # room. With 6 bonds and 3 county money in 2021 one of them slips: B (cheaper), objective 1.
    return {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": 20, "2022": 20},
        "sources": [
            {"id": "bond", "budget": {"2021": bond_2021, "2022": 6}},
            {"id": "county", "budget": {"2021": 3, "2022": 10}, "carryover": False},
        ],
        "projects": [
            {"id": "A", "cost": 6, "planned_end": 2021, "weight": 2, "funding": [{"source": "bond"}]},
            {
                "id": "B",
                "cost": 6,
                "planned_end": 2021,
                "funding": [{"source": "bond", "max": 6}, {"source": "county", "min": 0}],
            },
        ],
    }


def test_solve_answers_a_v2_problem_with_each_draw_split_by_source(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, _v2_problem(6))), "--out", str(out)])
    assert result.exit_code == 0, result.output
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert (solution["status"], solution["objective"]) == ("OPTIMAL", 1)
    a = solution["projects"][0]
    assert a["sources"] == {"2021": {"bond": 6}} and a["funding"] == {"2021": 6}
    for project in solution["projects"]:
        for year, amount in project["funding"].items():
            assert sum(project["sources"][year].values()) == amount
    assert {(row["source"], row["year"]) for row in solution["source_years"]} == {
        (k, y) for k in ("bond", "county") for y in (2021, 2022)
    }
    assert solution["diagnostics"]["source_shortfall"] is None
    assert "draw vs cap by funding source" in result.output


def test_a_v1_problem_json_gets_no_v2_keys(tmp_path: Path) -> None:
    out = tmp_path / "solution.json"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, _problem(10))), "--out", str(out)])
    assert result.exit_code == 0, result.output
    solution = json.loads(out.read_text(encoding="utf-8"))
    assert "source_years" not in solution and "source_shortfall" not in solution["diagnostics"]
    assert "sources" not in solution["projects"][0]


def test_an_infeasible_v2_problem_exits_3_naming_the_source_short_in_chinese(tmp_path: Path) -> None:
    # Both projects due 2021 at the latest, A from bonds only (6 in 2021), B from county money only (3 in
    # 2021): the one least extra amount is 3 on the county's 2021 cap.
    problem = _v2_problem(6)
    problem["projects"][1]["funding"] = [{"source": "county"}]
    for project in problem["projects"]:
        project["deadline"] = 2021
    out = tmp_path / "solution.json"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, problem)), "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 3, result.output
    diagnostics = json.loads(out.read_text(encoding="utf-8"))["diagnostics"]
    assert (diagnostics["shortfall"], diagnostics["source_shortfall"]) == ({}, {"county": {"2021": 3}})
    assert "各资金来源额度：county 2021 年 3 万元。" in result.output
    assert "county 2021 年缺 3 万元" in result.output


def test_a_funding_rule_naming_an_unknown_source_exits_2_naming_project_and_field(tmp_path: Path) -> None:
    problem = _v2_problem(6)
    problem["projects"][1]["funding"][1]["source"] = "city"
    result = runner.invoke(cli, ["solve", str(_write(tmp_path, problem)), "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 2, result.output
    assert "'B'" in result.output and "funding[1].source" in result.output and "'city'" in result.output


def _many_projects(n: int) -> dict:
    """n projects of cost 10 in a horizon whose caps fund them all at once, three of them forced late: a
    project cannot end before its earliest start, so L1 (start ≥ 2023, plan 2021) ends 2 years late, L2
    (weight 5) 1 year late and L3 3 years late; every other project ends on plan."""
    projects = [{"id": f"P{i:03d}", "cost": 10, "planned_end": 2021} for i in range(n - 3)]
    projects += [
        {"id": "L1", "cost": 10, "planned_end": 2021, "earliest_start": 2023},
        {"id": "L2", "cost": 10, "planned_end": 2022, "earliest_start": 2023, "weight": 5},
        {"id": "L3", "cost": 10, "planned_end": 2021, "earliest_start": 2024},
    ]
    budget = {str(y): 10 * n for y in range(2021, 2026)}
    return {"first_year": 2021, "last_year": 2025, "budget": budget, "projects": projects}


def _table_codes(output: str) -> list[str]:
    """The code column of the projects table rows in the printed summary."""
    codes = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if line.startswith("│") and len(cells) == 7 and cells[0] not in {"", "code"}:
            codes.append(cells[0])
    return codes


def test_a_large_schedule_prints_only_the_projects_costing_most_slippage_and_full_prints_all(
    tmp_path: Path,
) -> None:
    from app.cli.solving import SUMMARY_ROWS

    n = SUMMARY_ROWS + 15
    source = _write(tmp_path, _many_projects(n))

    short = runner.invoke(cli, ["solve", str(source), "--out", str(tmp_path / "s.json")])
    full = runner.invoke(cli, ["solve", str(source), "--out", str(tmp_path / "s.json"), "--full"])

    assert short.exit_code == 0, short.output
    assert f"{n} projects · 3 late · 0 deferred" in short.output
    codes = _table_codes(short.output)
    # weighted slippage: L2 5 × 1, L3 1 × 3, L1 1 × 2; then on-plan projects by code
    assert codes[:3] == ["L2", "L3", "L1"]
    assert codes[3:] == [f"P{i:03d}" for i in range(SUMMARY_ROWS - 3)]
    assert "--full lists all" in short.output
    assert full.exit_code == 0, full.output
    assert sorted(_table_codes(full.output)) == sorted(p["id"] for p in _many_projects(n)["projects"])
    # the solution file has every project whatever the summary shows
    assert len(json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["projects"]) == n


def test_a_schedule_within_the_summary_size_lists_every_project(tmp_path: Path) -> None:
    from app.cli.solving import SUMMARY_ROWS

    source = _write(tmp_path, _many_projects(SUMMARY_ROWS))

    result = runner.invoke(cli, ["solve", str(source), "--out", str(tmp_path / "s.json")])

    assert result.exit_code == 0, result.output
    assert len(_table_codes(result.output)) == SUMMARY_ROWS
    assert "--full lists all" not in result.output
