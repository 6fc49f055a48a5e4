"""`capsched sweep`, `capsched least-budget` and `capsched slippage` as API.md describes them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli
from app.resources import seed_portfolio_csv

runner = CliRunner()


@pytest.fixture(autouse=True)
def _shared_dask_cluster(monkeypatch: pytest.MonkeyPatch, dask_scheduler: str) -> None:
    """The commands fan out to the tests' Dask cluster (CAPSCHED_DASK_ADDRESS) instead of starting one each."""
    monkeypatch.setenv("CAPSCHED_DASK_ADDRESS", dask_scheduler)


def _problem_json(tmp_path: Path) -> Path:
    # A (★, deadline 2022) needs 120 by 2022 while B takes 30 of 2021: (c − 30) + c ≥ 120 ⇔ c ≥ 75.
    problem = {
        "first_year": 2021,
        "last_year": 2023,
        "budget": {"2021": 100, "2022": 100, "2023": 100},
        "projects": [
            {"id": "A", "cost": 120, "planned_end": 2021, "deadline": 2022, "weight": 3},
            {"id": "B", "cost": 30, "planned_end": 2021, "fixed_start": 2021, "min_years": 1, "max_years": 1},
        ],
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem), encoding="utf-8")
    return path


def test_sweep_writes_one_curve_row_per_level_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    result = runner.invoke(
        cli,
        [
            "sweep",
            str(seed_portfolio_csv()),
            "--levels",
            "1.0:1.5:0.25",
            "--out",
            str(out),
            "--time-limit",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["预算水平", "年均预算(万元)", "预算合计(万元)", "加权延期"]
    assert [r[0] for r in rows[1:]] == ["1.0", "1.25", "1.5"]


def test_sweep_of_flat_amounts_writes_the_chart(tmp_path: Path) -> None:
    out, chart = tmp_path / "curve.xlsx", tmp_path / "curve.html"
    result = runner.invoke(
        cli,
        [
            "sweep",
            str(_problem_json(tmp_path)),
            "--amounts",
            "70,100,150",
            "--out",
            str(out),
            "--chart",
            str(chart),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert "预算与延期权衡曲线" in chart.read_text(encoding="utf-8")


def test_sweep_where_no_level_has_a_schedule_exits_3(tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    result = runner.invoke(
        cli, ["sweep", str(_problem_json(tmp_path)), "--amounts", "10,20", "--out", str(out)]
    )
    assert result.exit_code == 3, result.output
    assert out.exists()


def test_sweep_rejects_levels_and_amounts_together(tmp_path: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "sweep",
            str(_problem_json(tmp_path)),
            "--levels",
            "1",
            "--amounts",
            "5",
            "--out",
            str(tmp_path / "c.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "not both" in result.output


def test_least_budget_prints_the_amount_alone_on_the_last_line(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["least-budget", str(_problem_json(tmp_path)), "--rule", "star"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "75"


def test_least_budget_of_the_seed_portfolio_is_a_whole_amount(tmp_path: Path) -> None:
    out = tmp_path / "schedule.json"
    result = runner.invoke(
        cli, ["least-budget", str(seed_portfolio_csv()), "--rule", "zero-slippage", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].isdigit()
    assert json.loads(out.read_text(encoding="utf-8"))["objective"] == 0


def test_least_budget_rejects_an_unknown_rule(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["least-budget", str(_problem_json(tmp_path)), "--rule", "cheap"])
    assert result.exit_code == 2
    assert "use star or zero-slippage" in result.output


def test_slippage_writes_the_report_with_reasons(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    result = runner.invoke(
        cli, ["slippage", str(seed_portfolio_csv()), "--budget-flat", "15000", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    header, *rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert header[:3] == ["编号", "项目名称", "责任单位"]
    assert {r[header.index("原因")] for r in rows} <= {"按期", "资金约束", "进度约束", "前序项目约束", "暂缓"}
    assert any(r[header.index("原因")] != "按期" for r in rows)


def test_slippage_of_an_infeasible_budget_exits_3(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["slippage", str(seed_portfolio_csv()), "--budget-flat", "1000"])
    assert result.exit_code == 3
    assert "no schedule" in result.output
