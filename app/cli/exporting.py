"""`capsched export`: charts and the schedule from a saved solution.json (MODEL.md Solution JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from app.cli.errors import EXIT_OK, fail, invalid_input_exits
from app.cli.root import cli

console = Console(highlight=False)

_CHART_SUFFIXES = (".html", ".png", ".svg", ".pdf")
_SCHEDULE_SUFFIXES = (".csv", ".xlsx")


@cli.command("export")
def export_command(
    solution: Path = typer.Argument(..., help="solution.json written by `capsched solve`"),
    gantt: Path | None = typer.Option(None, "--gantt", help="funding Gantt: .html, .png, .svg or .pdf"),
    schedule: Path | None = typer.Option(None, "--schedule", help="schedule table: .csv or .xlsx"),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="the run report (title page, summary, Gantt pages, spend vs cap, slippage and unit tables, "
        "costs with their basis): .pdf (A4 landscape; --paper A3) or the same document as .html",
    ),
    paper: str = typer.Option("A4", "--paper", help="report paper: A4 or A3 (landscape)"),
    annual_plan: Path | None = typer.Option(
        None, "--annual-plan", help="the year's investment plan table (年度投资计划表): .xlsx or .pdf (A3)"
    ),
    year: int | None = typer.Option(None, "--year", help="the annual plan's year (inside the horizon)"),
    msproject: Path | None = typer.Option(
        None, "--msproject", help="MS Project XML (MSPDI, .xml); links from --problem when given"
    ),
    problem: Path | None = typer.Option(
        None,
        "--problem",
        help="the problem.json the solution solved (`solve --emit-problem`, GET /api/runs/{rid}/problem): "
        "slippage reasons and MS Project links; default: rebuilt from the project list",
    ),
    projects: Path | None = typer.Option(
        None, "--projects", help="project list for names and categories (default: the seed data/projects.csv)"
    ),
    baseline: Path | None = typer.Option(None, "--baseline", help="a solution.json drawn as the plan"),
    risk: Path | None = typer.Option(
        None, "--risk", help="figures of `capsched risk --out risk.json`: the report gains its cost risk page"
    ),
    portfolio: str | None = typer.Option(
        None,
        "--portfolio",
        help="the report's portfolio name (default: the seed's name, else the list's file name)",
    ),
    scenario: str | None = typer.Option(
        None, "--scenario", help="the report's scenario name (default: the caps, e.g. 每年 12,000 万元)"
    ),
    prepared_by: str | None = typer.Option(
        None, "--prepared-by", help="who made the schedule, for the report (default: this computer's user)"
    ),
    lang: str = typer.Option("zh", "--lang", help="labels: zh or en"),
    sort: str = typer.Option("start", "--sort", help="Gantt rows by start, category or slippage"),
    page_size: int = typer.Option(120, "--page-size", min=1, help="Gantt rows per page (more make pages)"),
) -> None:
    """Charts (HTML/PNG/SVG/PDF) and the schedule (CSV/XLSX) of a saved solution."""
    from app import charts
    from app.files import figures as figure_files
    from app.files import schedule as schedule_tables
    from app.i18n import LANGS

    if gantt is None and schedule is None and report is None and annual_plan is None and msproject is None:
        raise fail("nothing to export: give --gantt, --schedule, --report and/or --annual-plan")
    _check_suffix(annual_plan, (".xlsx", ".pdf"), "--annual-plan")
    if annual_plan is not None and year is None:
        raise fail("--annual-plan needs --year (e.g. --year 2024)")
    _check_suffix(gantt, _CHART_SUFFIXES, "--gantt")
    _check_suffix(schedule, _SCHEDULE_SUFFIXES, "--schedule")
    _check_suffix(report, (".html", ".pdf"), "--report")
    if lang not in LANGS:
        raise fail(f"--lang {lang}: use one of {', '.join(LANGS)}")
    if paper.upper() not in ("A4", "A3"):
        raise fail(f"--paper {paper}: use A4 or A3")
    if sort not in charts.SORT_KEYS:
        raise fail(f"--sort {sort}: use one of {', '.join(charts.SORT_KEYS)}")

    with invalid_input_exits():
        result = _read_solution(solution)
        plan = _read_solution(baseline) if baseline is not None else None
        records = _read_records(projects)

    unavailable: list[str] = []
    if msproject is not None:
        _check_suffix(msproject, (".xml",), "--msproject")
        _write_msproject(msproject, result, records, problem)
        console.print(f"wrote {msproject}")
    if annual_plan is not None:
        try:
            _write_annual_plan(annual_plan, result, records, year, lang)
            console.print(f"wrote {annual_plan}")
        except figure_files.ExportUnavailable as exc:
            unavailable.append(f"{annual_plan.name}: {exc}")
    if schedule is not None:  # tables first: they never need a browser
        csv = schedule.suffix.lower() == ".csv"
        maker = schedule_tables.schedule_csv if csv else schedule_tables.schedule_xlsx
        schedule.write_bytes(maker(result, records, lang=lang))
        console.print(f"wrote {schedule}")
    for target, figures in (
        (
            gantt,
            lambda: charts.gantt_figures(
                result, records, lang=lang, sort=sort, baseline=plan, page_size=page_size
            ),
        ),
    ):
        if target is None:
            continue
        try:
            for path in figure_files.write_figures(target, figures()):
                console.print(f"wrote {path}")
        except figure_files.ExportUnavailable as exc:
            unavailable.append(f"{target.name}: {exc}")
    if report is not None:
        try:
            facts = _offline_facts(
                solution,
                result,
                projects,
                portfolio=portfolio,
                scenario=scenario,
                prepared_by=prepared_by,
                rebuilt_problem=problem is None,
                lang=lang,
            )
            _write_report(
                report,
                result,
                records,
                plan,
                problem,
                facts,
                lang=lang,
                paper=paper,
                sort=sort,
                risk=_read_risk(risk),
            )
            console.print(f"wrote {report}")
        except figure_files.ExportUnavailable as exc:
            unavailable.append(f"{report.name}: {exc}")
    if unavailable:
        raise fail("; ".join(unavailable))
    raise typer.Exit(EXIT_OK)


def _read_risk(path: Path | None) -> dict[str, Any] | None:
    """The figures of a `capsched risk --out` JSON file (exit 2 when it is not one)."""
    if path is None:
        return None
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(f"--risk: no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise fail(f"--risk {path.name}: not JSON ({exc})") from None
    if not isinstance(figures, dict) or not {"projects", "samples", "assumptions"} <= figures.keys():
        raise fail(f"--risk {path.name}: not the figures of `capsched risk --out risk.json`")
    return figures


def _offline_facts(
    solution_file: Path,
    result: dict[str, Any],
    projects: Path | None,
    *,
    portfolio: str | None,
    scenario: str | None,
    prepared_by: str | None,
    rebuilt_problem: bool,
    lang: str,
) -> Any:
    """The title page of a report made from files: names as given, else what the files tell (the seed's
    portfolio name, the caps, this computer's user, when the solution file was written); no run id."""
    import getpass
    from datetime import datetime

    from app.files.run_report import RunFacts
    from app.i18n import t
    from app.services.seeding import SEED_PORTFOLIO_NAME
    from app.settings import get_settings

    if portfolio is None:
        portfolio = SEED_PORTFOLIO_NAME if projects is None else projects.stem
    if scenario is None:
        caps = sorted({int(y["budget"]) for y in result.get("years", [])})
        if caps:
            low, high = f"{caps[0]:,}", f"{caps[-1]:,}"
            scenario = (
                t("report_flat_caps", lang, amount=low)
                if low == high
                else t("report_caps_range", lang, low=low, high=high)
            )
    written = datetime.fromtimestamp(solution_file.stat().st_mtime, get_settings().zone)
    return RunFacts(
        portfolio=portfolio,
        scenario=scenario,
        started_by=prepared_by or getpass.getuser(),
        finished_at=written,
        rebuilt_problem=rebuilt_problem,
    )


def _write_report(
    target: Path,
    result: dict[str, Any],
    records: list[Any],
    plan: dict[str, Any] | None,
    problem_file: Path | None,
    facts: Any,
    *,
    lang: str,
    paper: str,
    sort: str,
    risk: dict[str, Any] | None = None,
) -> None:
    """The run report of a solution file: the slippage reasons judged on `problem_file`, else on the
    problem rebuilt from the list with the solution's caps and the default rules (the title page says so)."""
    from app.files import documents, run_report

    problem = _read_problem(problem_file) if problem_file is not None else _rebuilt_problem(result, records)
    report = _slippage_of(problem, result, records, plan)
    document = run_report.report_html(
        result,
        records,
        facts=facts,
        slippage=report,
        lang=lang,
        paper=paper,
        sort=sort,
        baseline=plan,
        risk=run_report.RiskFacts(None, risk) if risk is not None else None,
    )
    if target.suffix.lower() == ".html":
        target.write_text(document, encoding="utf-8")
    else:
        target.write_bytes(documents.pdf_bytes(document))


def _write_msproject(
    target: Path, result: dict[str, Any], records: list[Any], problem_file: Path | None
) -> None:
    from app.files.mspdi import mspdi_xml

    links = {}
    if problem_file is not None:
        links = {p.id: list(p.after) for p in _read_problem(problem_file).projects}
    target.write_bytes(mspdi_xml(result, records, title=target.stem, predecessors=links))


def _write_annual_plan(
    target: Path, result: dict[str, Any], records: list[Any], year: int, lang: str
) -> None:
    from app.files import annual_plan as plan_files
    from app.rules.annual_plan import annual_plan

    try:
        plan = annual_plan(result, records, year=year)
    except ValueError as exc:
        raise fail(f"--year {year}: {exc}") from None
    if target.suffix.lower() == ".pdf":
        target.write_bytes(plan_files.plan_pdf(plan, lang=lang))
    else:
        target.write_bytes(plan_files.plan_xlsx(plan, lang=lang))


def _read_problem(path: Path) -> Any:
    from solver import Problem, ProblemError

    try:
        return Problem.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, ProblemError, ValueError, KeyError) as exc:
        raise fail(f"{path.name}: not a capsched problem ({exc})") from None


def _rebuilt_problem(result: dict[str, Any], records: list[Any]) -> Any:
    from app.rules.problem import PlanningError, ScenarioOptions, build_problem

    caps = {int(y["year"]): int(y["budget"]) for y in result.get("years", [])}
    codes = {str(p["id"]) for p in result.get("projects", [])}
    mine = [r for r in records if r.code in codes]
    if not caps or not mine:
        return None
    try:
        return build_problem(mine, ScenarioOptions(min(caps), max(caps), caps))
    except (PlanningError, ValueError):
        return None


def _slippage_of(
    problem: Any, result: dict[str, Any], records: list[Any], plan: dict[str, Any] | None
) -> Any:
    from app.rules.slippage import slippage_report
    from solver import Solution

    solution = Solution.from_json(result)
    if problem is None or not solution.status.has_schedule:
        return None
    baseline = Solution.from_json(plan) if plan is not None else None
    try:
        return slippage_report(problem, solution, records=records, baseline=baseline)
    except (ValueError, KeyError):
        return None


def _check_suffix(path: Path | None, allowed: tuple[str, ...], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise fail(f"{option} {path.name}: the file must end in {', '.join(allowed)}")


def _read_solution(path: Path) -> dict[str, Any]:
    """A MODEL.md solution from a JSON file, checked and normalised by solver.Solution."""
    from solver import Solution

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise fail(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise fail(f"{path.name}: not a UTF-8 text file") from None
    if not isinstance(data, dict):
        raise fail(f"{path.name}: expected a solution object with status, projects and years")
    try:
        return Solution.from_json(data).to_json()
    except ValueError as exc:
        raise fail(f"{path.name}: not a capsched solution ({exc})") from None


def _read_records(path: Path | None) -> list[Any]:
    from app.files.importer import read_projects
    from app.resources import seed_portfolio_csv

    return read_projects(path if path is not None else seed_portfolio_csv())
