"""`capsched sweep`, `capsched least-budget` and `capsched slippage`: money against delay, from the terminal.

Thin: parse, call app.rules (sweep, least_budget, slippage), format. Each takes a project list (.csv/.xlsx, with
--years and caps) or a MODEL.md problem.json (its own horizon and caps).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.errors import EXIT_NO_SCHEDULE, EXIT_OK, fail, fanout_exits, invalid_input_exits
from app.cli.root import cli
from app.i18n import render

console = Console(highlight=False)

_TABLE_SUFFIXES = {".csv", ".xlsx"}
_CHART_SUFFIXES = {".html", ".png", ".svg", ".pdf", ".json"}
_SCHEDULE_SUFFIXES = {".json", ".csv", ".xlsx"}

_YEARS_HELP = "horizon FIRST-LAST (project list only)"
_FLAT_HELP = "the same cap every year, 万元"
_CAPS_HELP = "caps per year: 2021=12000,2022=9000,…"
_DASK_HELP = (
    "worker processes of the local Dask cluster (default: one per core); "
    "CAPSCHED_DASK_ADDRESS=tcp://host:8786 uses that cluster instead"
)


def _check_suffix(path: Path | None, allowed: set[str], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise fail(f"{option} {path.name}: the file must end in {', '.join(sorted(allowed))}")


def _load(source: Path, years: str | None, budget_flat: int | None, budget: str | None, carryover: bool):
    """A LoadedProblem from a project list or a problem.json (invalid input exits 2 with its reason)."""
    from app.files import problem_files

    with invalid_input_exits():
        return problem_files.load(
            source, years=years, budget_flat=budget_flat, budget_spec=budget, carryover=carryover
        )


def _stars(loaded) -> frozenset[str] | None:
    return frozenset(r.code for r in loaded.records if r.star) if loaded.records else None


def _write_figure(path: Path, figure, written_note: str) -> None:
    from app.files import figures

    try:
        path.write_bytes(figures.figure_bytes(figure, path.suffix.lower().lstrip(".")))
    except figures.ExportUnavailable as exc:
        raise fail(f"{exc} ({written_note})") from None
    console.print(f"wrote {path}")


# ── sweep ─────────────────────────────────────────────────────────────────────────────────────────


@cli.command("sweep")
def sweep_command(
    source: Path = typer.Argument(..., help="project list .csv/.xlsx, or problem.json"),
    out: Path = typer.Option(..., "--out", "-o", help="the curve, .csv or .xlsx (one row per level)"),
    levels: str | None = typer.Option(
        None, "--levels", help="scale factors of the caps: FROM:TO:STEP (inclusive) or 0.8,1,1.2"
    ),
    amounts: str | None = typer.Option(None, "--amounts", help="flat annual amounts instead: 8000,10000,…"),
    years: str | None = typer.Option(None, "--years", help=_YEARS_HELP),
    budget_flat: int | None = typer.Option(None, "--budget-flat", help=_FLAT_HELP + " (the level 1.0)"),
    budget: str | None = typer.Option(None, "--budget", help=_CAPS_HELP + " (the level 1.0)"),
    carryover: bool = typer.Option(False, "--carryover", help="unspent money stays available later"),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="seconds per level"),
    threads: int | None = typer.Option(
        None, "--threads", min=1, help="levels solved at once (default: cores ÷ 2, two CP-SAT workers each)"
    ),
    no_hints: bool = typer.Option(False, "--no-hints", help="solve every level from scratch"),
    chart: Path | None = typer.Option(None, "--chart", help="the curve chart .html/.png/.svg/.pdf"),
    lang: str = typer.Option("zh", "--lang", help="table and chart language: zh or en"),
    dask_workers: int | None = typer.Option(None, "--dask-workers", min=1, help=_DASK_HELP),
) -> None:
    """Budget trade-off curve: the least weighted slippage at each budget level."""
    from app.files import report_tables
    from app.rules import sweep as tradeoffs

    _check_suffix(out, _TABLE_SUFFIXES, "--out")
    _check_suffix(chart, _CHART_SUFFIXES, "--chart")
    if levels is not None and amounts is not None:
        raise fail("give either --levels (scale factors) or --amounts (flat amounts), not both")
    loaded = _load(source, years, budget_flat, budget, carryover)
    problem = loaded.problem
    with invalid_input_exits():
        if amounts is not None:
            points = tradeoffs.flat_levels(
                problem.first_year, problem.last_year, tradeoffs.parse_amounts(amounts)
            )
        else:
            points = tradeoffs.scaled_levels(problem.budget, tradeoffs.parse_levels(levels or "0.5:1.5:0.1"))
    with fanout_exits(dask_workers) as fanout:
        with console.status(f"starting {fanout.describe()}…"):
            cores = fanout.cores
        threads_used, _ = tradeoffs.sweep_threads(len(points), cores)
        console.print(
            f"{len(problem.projects)} projects, {len(points)} budget levels, "
            f"{threads or threads_used} at a time, ≤ {time_limit:g} s each, on {fanout.describe()}; "
            f"level 1.0: {loaded.budget_note}"
        )
        with Progress(
            TextColumn("[bold]sweep[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("sweep", total=len(points))
            curve = tradeoffs.sweep(
                problem,
                points,
                time_limit=time_limit,
                threads=threads,
                hints=not no_hints,
                stars=_stars(loaded),
                progress=lambda p: bar.update(task, completed=p.done),
                fanout=fanout,
            )
    rows = [p.to_json() for p in curve.points]
    console.print(_curve_table(rows))
    console.print(f"{len(rows)} levels in {curve.wall_seconds:.1f} s")
    out.write_bytes(
        report_tables.curve_csv(rows, lang)
        if out.suffix.lower() == ".csv"
        else report_tables.curve_xlsx(rows, lang)
    )
    console.print(f"wrote {out}")
    if chart is not None:
        from app.charts import curve_figure

        current = sum(problem.budget.values()) / problem.horizon_years
        _write_figure(
            chart, curve_figure(rows, current_cap_wan=current, lang=lang), f"the curve was written to {out}"
        )
    raise typer.Exit(EXIT_OK if any(p.status.has_schedule for p in curve.points) else EXIT_NO_SCHEDULE)


def _curve_table(rows: list[dict]) -> Table:
    table = Table(title="budget trade-off curve", title_justify="left")
    for column in ("level", "mean cap", "total", "slippage", "late", "★ late", "deferred", "status", "s"):
        table.add_column(column, justify="left" if column == "status" else "right")
    for r in rows:
        status = r["status"] + ("" if r["proven"] or r["status"] != "FEASIBLE" else " (unproven)")
        if r["note"]:
            status += f" — {r['note']}"
        table.add_row(
            f"{r['level']:g}",
            f"{r['mean_cap_wan']:,.0f}",
            f"{r['budget_total_wan']:,}",
            *(
                "—" if r[k] is None else str(r[k])
                for k in ("objective", "projects_late", "star_late", "deferred")
            ),
            status,
            f"{r['solve_seconds']:.2f}",
        )
    return table


# ── least budget ──────────────────────────────────────────────────────────────────────────────────


@cli.command("least-budget")
def least_budget_command(
    source: Path = typer.Argument(..., help="project list .csv/.xlsx, or problem.json"),
    rule: str = typer.Option("star", "--rule", help="star: every ★ on time; zero-slippage: nothing late"),
    years: str | None = typer.Option(None, "--years", help=_YEARS_HELP),
    budget: str | None = typer.Option(None, "--budget", help=_CAPS_HELP + ": find the least scale of these"),
    scale: bool = typer.Option(False, "--scale", help="problem.json: the least scale of its own caps"),
    carryover: bool = typer.Option(False, "--carryover", help="unspent money stays available later"),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="seconds per bisection step"),
    workers: int = typer.Option(2, "--workers", min=1, help="CP-SAT search workers"),
    out: Path | None = typer.Option(None, "--out", "-o", help="the schedule at that budget .json/.csv/.xlsx"),
    lang: str = typer.Option("zh", "--lang", help="language of the answer and the schedule: zh or en"),
    dask_workers: int | None = typer.Option(None, "--dask-workers", min=1, help=_DASK_HELP),
) -> None:
    """The least flat annual budget (or least scale of given caps) meeting the rule; the amount (or scale)
    alone on the last line. Exact: every bisection step is a proven answer."""
    from app.rules import least_budget as tradeoffs

    _check_suffix(out, _SCHEDULE_SUFFIXES, "--out")
    try:
        chosen = tradeoffs.Rule(rule)
    except ValueError:
        raise fail(f"--rule {rule!r}: use star or zero-slippage") from None
    loaded = _load(source, years, None, budget, carryover)
    problem = loaded.problem
    scale_of = problem.budget if (budget is not None or scale) else None
    mode = "the least scale of the caps" if scale_of is not None else "the least flat annual budget"
    console.print(
        f"{mode} with rule '{chosen}' ({len(problem.projects)} projects, {problem.first_year}-{problem.last_year})"
    )

    def step(s: tradeoffs.BisectionStep) -> None:
        shown = f"{s.key} 万元/年" if scale_of is None else f"scale {s.key / tradeoffs.SCALE_STEPS:.3f}"
        colour = {"meets": "green", "fails": "red"}.get(str(s.verdict), "yellow")
        console.print(f"  {shown:>18}  [{colour}]{s.verdict}[/]  {s.seconds:.2f} s")

    with fanout_exits(dask_workers) as fanout:
        result = tradeoffs.least_budget(
            problem,
            rule=chosen,
            scale_of=scale_of,
            time_limit=time_limit,
            workers=workers,
            stars=_stars(loaded),
            progress=step,
            fanout=fanout,
        )
    if result.outcome is not tradeoffs.Outcome.FOUND:
        raise fail(render(result.message, lang), EXIT_NO_SCHEDULE)
    solution = result.solution.to_json()
    console.print(f"[bold green]{render(result.message, lang)}[/]")
    console.print(
        f"schedule at that budget: {solution['status']}, weighted slippage {solution['objective']}, "
        f"{len(result.steps)} proven steps"
    )
    if scale_of is not None:
        console.print("caps: " + ", ".join(f"{y}={c}" for y, c in sorted(result.caps.items())))
    if out is not None:
        _write_schedule(out, solution, loaded.records, lang)
    typer.echo(result.answer_text)
    raise typer.Exit(EXIT_OK)


def _write_schedule(out: Path, solution: dict, records, lang: str) -> None:
    from app.files import schedule

    suffix = out.suffix.lower()
    if suffix == ".json":
        out.write_text(json.dumps(solution, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif suffix == ".csv":
        out.write_bytes(schedule.schedule_csv(solution, records, lang=lang))
    else:
        out.write_bytes(schedule.schedule_xlsx(solution, records, lang=lang))
    console.print(f"wrote {out}")


# ── slippage ──────────────────────────────────────────────────────────────────────────────────────


@cli.command("slippage")
def slippage_command(
    source: Path = typer.Argument(..., help="project list .csv/.xlsx, or problem.json"),
    years: str | None = typer.Option(None, "--years", help=_YEARS_HELP),
    budget_flat: int | None = typer.Option(None, "--budget-flat", help=_FLAT_HELP),
    budget: str | None = typer.Option(None, "--budget", help=_CAPS_HELP),
    carryover: bool = typer.Option(False, "--carryover", help="unspent money stays available later"),
    baseline: Path | None = typer.Option(None, "--baseline", help="the approved plan: a solution .json"),
    forecast: Path | None = typer.Option(
        None, "--forecast", help="use this solution .json instead of solving"
    ),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="seconds for the solver"),
    workers: int = typer.Option(2, "--workers", min=1, help="CP-SAT search workers"),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="the report .csv (projects) or .xlsx (+ units)"
    ),
    lang: str = typer.Option("zh", "--lang", help="report language: zh or en"),
) -> None:
    """Slippage per project and per responsible unit: planned, baseline and forecast end, years late, why."""
    from app.files import report_tables
    from app.rules import slippage
    from solver import solve

    _check_suffix(out, _TABLE_SUFFIXES, "--out")
    loaded = _load(source, years, budget_flat, budget, carryover)
    base = _read_solution(baseline, "--baseline") if baseline is not None else None
    if forecast is not None:
        solution = _read_solution(forecast, "--forecast")
    else:
        with console.status(f"solving {len(loaded.problem.projects)} projects (≤ {time_limit:g} s)…"):
            solution = solve(loaded.problem, time_limit=time_limit, workers=workers)
    if not solution.status.has_schedule:
        for message in solution.diagnostics.messages:
            console.print(f"[red]•[/] {message}", soft_wrap=True)
        raise fail(f"no schedule ({solution.status}): no slippage to report", EXIT_NO_SCHEDULE)
    unknown = sorted({p.id for p in solution.projects} - {p.id for p in loaded.problem.projects})
    if unknown:
        raise fail(f"--forecast: project {unknown[0]} is not in {source.name}")
    report = slippage.slippage_report(loaded.problem, solution, records=loaded.records, baseline=base)
    console.print(
        f"forecast: {solution.status}, weighted slippage {solution.objective}; budget: {loaded.budget_note}"
    )
    console.print(_rich_table("projects", *report_tables.project_table(report, lang)))
    console.print(_rich_table("responsible units", *report_tables.unit_table(report, lang)))
    if out is not None:
        data = (
            report_tables.slippage_csv(report, lang)
            if out.suffix.lower() == ".csv"
            else report_tables.slippage_xlsx(report, lang)
        )
        out.write_bytes(data)
        console.print(f"wrote {out}")
    raise typer.Exit(EXIT_OK)


def _read_solution(path: Path, option: str):
    from solver import Solution

    try:
        return Solution.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise fail(f"{option}: no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise fail(f"{option} {path.name}: not a MODEL.md solution JSON ({exc})") from None


def _rich_table(title: str, header: list[str], rows: list[list]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table
