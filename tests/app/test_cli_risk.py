"""`capsched risk` as the README describes it: figures with their assumptions, the P80 budget on the last
line, files, plain errors, and its own Dask LocalCluster started and stopped when no cluster is named."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import psutil
import pytest
from typer.testing import CliRunner

from app.cli.main import cli

runner = CliRunner()


def _problem_json(tmp_path: Path) -> Path:
    # two ★ (deadline 2025) and one other project, 1,000 to fund over 2021–2026 at 250 a year
    problem = {
        "first_year": 2021,
        "last_year": 2026,
        "budget": {str(y): 250 for y in range(2021, 2027)},
        "projects": [
            {
                "id": "S1",
                "cost": 400,
                "planned_end": 2023,
                "min_years": 2,
                "max_annual": 200,
                "deadline": 2025,
                "weight": 3,
            },
            {
                "id": "S2",
                "cost": 300,
                "planned_end": 2024,
                "earliest_start": 2022,
                "min_years": 2,
                "max_annual": 150,
                "deadline": 2025,
                "weight": 3,
            },
            {"id": "N1", "cost": 300, "planned_end": 2024, "min_years": 2, "max_annual": 150},
        ],
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem), encoding="utf-8")
    return path


@pytest.fixture
def shared_cluster(monkeypatch: pytest.MonkeyPatch, dask_scheduler: str) -> None:
    monkeypatch.setenv("CAPSCHED_DASK_ADDRESS", dask_scheduler)


@pytest.mark.usefixtures("shared_cluster")
def test_risk_prints_the_assumptions_and_figures_and_ends_with_the_p80_budget(tmp_path: Path) -> None:
    out = tmp_path / "risk.json"
    args = ["risk", str(_problem_json(tmp_path)), "--samples", "6", "--seed", "2", "--work-limit", "0.5"]
    result = runner.invoke(cli, [*args, "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Assumption (not this county's data)" in result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["assumptions"]["assumption"] is True and figures["samples"] == 6
    assert result.output.strip().splitlines()[-1] == str(figures["budget"]["amount_wan"])
    assert [p["id"] for p in figures["projects"]] == ["S1", "S2", "N1"]


@pytest.mark.usefixtures("shared_cluster")
def test_risk_of_the_seed_list_takes_assumptions_per_category_and_writes_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "risk.xlsx"
    result = runner.invoke(
        cli,
        [
            "risk",
            "data/projects.csv",
            "--budget-flat",
            "20000",
            "--samples",
            "2",
            "--work-limit",
            "0.2",
            "--confidence",
            "0.5",
            "--overrun",
            "default=60%,15%",
            "--overrun",
            "学前教育=80%,30%,0.6",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "假设（用户设定）" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["成本风险分析", "项目", "年度"]
    summary = [row[0] for row in book["成本风险分析"].iter_rows(values_only=True)]
    assert summary[1] == "假设"  # the assumptions come first, labelled


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--overrun", "小学=75%,25%"], "'小学' is no category or nature of the list"),
        (["--overrun", "default=150%,25%"], "share_over"),
        (["--confidence", "1.5"], "--confidence 1.5"),
        (["--out", "risk.txt"], "must end in .json or .xlsx"),
    ],
)
def test_bad_options_exit_2_in_plain_words(tmp_path: Path, extra: list[str], words: str) -> None:
    result = runner.invoke(cli, ["risk", str(_problem_json(tmp_path)), "--samples", "2", *extra])
    assert result.exit_code == 2, result.output
    assert words in result.output


def test_without_a_cluster_address_the_command_starts_its_own_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAPSCHED_DASK_ADDRESS", raising=False)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    args = [
        "risk",
        str(_problem_json(tmp_path)),
        "--samples",
        "3",
        "--work-limit",
        "0.3",
        "--dask-workers",
        "2",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "on Dask LocalCluster, 2 worker process(es)" in result.output.replace("\n", " ")
    after = {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()}
    assert after <= before  # the cluster's worker processes are gone


def test_a_dask_scheduler_that_cannot_be_reached_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPSCHED_DASK_ADDRESS", "tcp://127.0.0.1:9")  # port 9: nobody listens
    monkeypatch.setenv("CAPSCHED_DASK_CONNECT_TIMEOUT", "2")  # Dask retries until then (default 20 s)
    result = runner.invoke(cli, ["risk", str(_problem_json(tmp_path)), "--samples", "2"])
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "after 2 s" in result.output
