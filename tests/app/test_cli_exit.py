"""`capsched solve` ends once its answer is written (app/cli/root.py `_exit_now`): its exit functions run
and its output is flushed, but it does not wait for a HiGHS search the solver left behind (solver/race.py:
HiGHS stops only between some of its phases, so its thread may outlive the time limit; a normal Python
exit would wait for it). The left-behind search is played by a thread of HiGHS's name that never ends:
without the early exit the process would hang until the timeout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_CHILD = """
import atexit, pathlib, sys, threading
from solver.race import HIGHS_THREAD
marker = pathlib.Path(sys.argv.pop(1))
atexit.register(marker.write_text, "exit functions ran")
never = threading.Event()
threading.Thread(target=never.wait, name=HIGHS_THREAD).start()  # not a daemon, like HiGHS's
sys.argv = ["capsched", *sys.argv[1:]]
from app.cli.root import run  # the console script's entry point (pyproject.toml)
run()
"""


def _problem(budget: int) -> dict:
    return {
        "first_year": 2021,
        "last_year": 2021,
        "budget": {"2021": budget},
        "projects": [{"id": "P1", "cost": 10, "planned_end": 2021, "deadline": 2021}],
    }


@pytest.mark.parametrize(("budget", "code", "status"), [(10, 0, "OPTIMAL"), (5, 3, "INFEASIBLE")])
def test_solve_exits_with_its_code_and_output_while_a_left_behind_highs_still_runs(
    tmp_path: Path, budget: int, code: int, status: str
) -> None:
    source, out = tmp_path / "problem.json", tmp_path / "solution.json"
    source.write_text(json.dumps(_problem(budget)), encoding="utf-8")
    marker = tmp_path / "atexit.txt"

    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(marker), "solve", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,  # without the early exit: never ends
    )

    assert done.returncode == code, done.stdout + done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == status
    assert f"wrote {out}" in done.stdout.replace("\n", "")  # what it printed was flushed first
    assert marker.read_text() == "exit functions ran"  # as at a normal exit
