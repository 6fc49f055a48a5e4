"""`capsched solve` starts without the web, database and chart stack: each of those costs a few hundred
milliseconds of import at every start (`python -X importtime`), and the command needs none of them. A
top-level import of one of them creeping back into a module `capsched solve` loads fails this test.

Nor does it load pandas or HiGHS for a problem CP-SAT solves alone (solver/sat.py: OR-Tools' `cp_model`
imports pandas at its top, ~0.17 s; highspy only where HiGHS runs). numpy does load: OR-Tools' compiled
CP-SAT layer needs it (solver/sat.py imports it). Nor pydantic: typer 0.29 imports it and builds a
pydantic TypeAdapter for every option at each start (~0.1 s), so pyproject.toml keeps typer below 0.29."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.resources import seed_portfolio_csv

# Not needed to solve and print a schedule (JSON or CSV out, no chart).
WEB_AND_CHART_STACK = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlmodel",
    "sqlalchemy",
    "alembic",
    "pydantic_settings",
    "plotly",
    "kaleido",
    "weasyprint",
    "pypdf",
    "openpyxl",
    "dask",
    "distributed",
)

_CHILD = """
import atexit, json, sys
dump = sys.argv[1]
def _dump():
    with open(dump, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
atexit.register(_dump)
sys.argv = ["capsched", *sys.argv[2:]]
from app.cli.root import run  # the console script's entry point (pyproject.toml)
run()
"""


def _modules_loaded_by(tmp_path: Path, *args: str, packages: bool = True) -> set[str]:
    """The top-level packages (or, with `packages` off, the modules) a `capsched` process had imported
    when it exited."""
    dump = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(dump), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = json.loads(dump.read_text(encoding="utf-8"))
    return {name.split(".")[0] for name in names} if packages else set(names)


def test_solving_a_problem_json_loads_no_web_database_or_chart_module(tmp_path: Path) -> None:
    problem = {
        "first_year": 2021,
        "last_year": 2022,
        "budget": {"2021": 10, "2022": 10},
        "projects": [{"id": "P1", "cost": 10, "planned_end": 2021}],
    }
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(problem), encoding="utf-8")

    loaded = _modules_loaded_by(tmp_path, "solve", str(source), "--out", str(tmp_path / "s.json"))

    assert "solver" in loaded  # it did solve
    assert sorted(loaded.intersection(WEB_AND_CHART_STACK)) == []


def test_solving_the_seed_list_to_a_csv_schedule_loads_no_web_database_or_chart_module(
    tmp_path: Path,
) -> None:
    out = tmp_path / "plan.csv"

    loaded = _modules_loaded_by(
        tmp_path, "solve", str(seed_portfolio_csv()), "--soft-star", "--out", str(out)
    )

    assert out.read_bytes()
    assert sorted(loaded.intersection(WEB_AND_CHART_STACK)) == []
    assert "ortools" in loaded  # CP-SAT solved it…
    assert "pandas" not in loaded and "highspy" not in loaded  # …without pandas, and HiGHS was not needed
    assert "pydantic" not in loaded  # the command line parsed without pydantic (typer < 0.29)


def test_a_command_loads_only_its_own_command_module_and_help_lists_every_command(tmp_path: Path) -> None:
    problem = {
        "first_year": 2021,
        "last_year": 2021,
        "budget": {"2021": 10},
        "projects": [{"id": "P1", "cost": 10, "planned_end": 2021}],
    }
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(problem), encoding="utf-8")
    out = str(tmp_path / "s.json")

    loaded = _modules_loaded_by(tmp_path, "solve", str(source), "--out", out, packages=False)

    commands = {name for name in loaded if name.startswith("app.cli.") and name != "app.cli.errors"}
    assert commands == {"app.cli.root", "app.cli.solving"}
    listed = subprocess.run(
        [sys.executable, "-m", "capsched", "--help"], capture_output=True, text=True, encoding="utf-8"
    )
    assert listed.returncode == 0, listed.stderr
    for command in (
        "import",
        "solve",
        "export",
        "serve",
        "user",
        "sweep",
        "least-budget",
        "risk",
        "template",
    ):
        assert command in listed.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "capsched", "slove"], capture_output=True, text=True, encoding="utf-8"
    )
    assert wrong.returncode == 2 and "No such command" in wrong.stderr
