"""The README's test command is what CI runs (issue 12): the same line in both, checking lint, format and
the solver's types before the suite."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_test_command() -> str:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("**Test it**"))
    return next(line.strip() for line in lines[heading + 1 :] if line.strip())


def test_ci_runs_the_readme_test_command_line_for_line() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line.strip() for line in ci if line.strip() and not line.lstrip().startswith("#")]

    assert commands[-1] == _readme_test_command()


def test_the_test_command_checks_lint_format_and_the_solver_types_before_the_suite() -> None:
    steps = [step.strip() for step in _readme_test_command().split("&&")]

    assert steps[-4:] == ["ruff check .", "ruff format --check .", "mypy solver/", "pytest"]
