"""`capsched risk`: how likely each ★ project is to finish on time when costs overrun, and the budget that
keeps every ★ on time with 80 % confidence. Thin: parse, call app.rules.risk on a Dask fan-out, format."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.errors import EXIT_OK, fail, fanout_exits, invalid_input_exits
from app.cli.root import cli

console = Console(highlight=False)

_OUT_SUFFIXES = {".json", ".xlsx"}
_CHART_FORMATS = ("html", "png", "svg", "pdf", "json")
_OVERRUN_HELP = (
    "overrun assumption, repeatable: KEY=SHARE,MEAN[,CORRELATION] with KEY default, a category or a nature "
    "(e.g. default=75%,25%  学前教育=80%,30%,0.6  续建=60%,15%), or none. Default: lognormal, 75% of projects "
    "over, mean overrun 25%, correlation 0.5 within a category (reference class: Flyvbjerg et al.)"
)


@cli.command("risk")
def risk_command(
    source: Path = typer.Argument(..., help="project list .csv/.xlsx, or problem.json"),
    samples: int = typer.Option(200, "--samples", min=1, max=10_000, help="Monte Carlo samples"),
    seed: int = typer.Option(1, "--seed", min=0, help="the same seed gives the same figures"),
    overrun: list[str] = typer.Option([], "--overrun", help=_OVERRUN_HELP),
    confidence: float = typer.Option(
        0.8, "--confidence", help="share of samples the budget must keep ★ on time in"
    ),
    years: str | None = typer.Option(None, "--years", help="horizon FIRST-LAST (project list only)"),
    budget_flat: int | None = typer.Option(None, "--budget-flat", help="the same cap every year, 万元"),
    budget: str | None = typer.Option(None, "--budget", help="caps per year: 2021=12000,2022=9000,…"),
    carryover: bool = typer.Option(False, "--carryover", help="unspent money stays available later"),
    soft_star: bool = typer.Option(False, "--soft-star", help="★ may slip past 2025 when re-scheduling"),
    plan: Path | None = typer.Option(None, "--plan", help="the fixed plan: an approved solution .json"),
    work_limit: float = typer.Option(5.0, "--work-limit", min=0.01, help="deterministic seconds per solve"),
    time_limit: float = typer.Option(120.0, "--time-limit", min=0.1, help="seconds per solve (a guard)"),
    dask_workers: int | None = typer.Option(
        None,
        "--dask-workers",
        min=1,
        help="worker processes of the local Dask cluster (default: one per core); "
        "CAPSCHED_DASK_ADDRESS=tcp://host:8786 uses that cluster instead",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="the figures .json or .xlsx"),
    charts: Path | None = typer.Option(None, "--charts", help="a folder for the three charts"),
    chart_format: str = typer.Option("html", "--chart-format", help="html, png, svg, pdf or json"),
    lang: str = typer.Option("zh", "--lang", help="language of tables and charts: zh or en"),
) -> None:
    """Cost risk: P(on time) per project and for every ★, slippage P50/P80/P90, extra cost per year and the
    P80 budget, re-scheduling each sample and keeping the plan fixed; the P80 budget alone on the last line."""
    from app.files import problem_files
    from app.i18n import render
    from app.rules.overruns import OverrunError, ProjectOverruns, describe_assumptions, parse_overrun_spec
    from app.rules.problem import PLAN_PERIOD_END
    from app.rules.risk import analyse

    if not 0 < confidence < 1:
        raise fail(f"--confidence {confidence:g}: must be more than 0 and less than 1 (e.g. 0.8)")
    if out is not None and out.suffix.lower() not in _OUT_SUFFIXES:
        raise fail(f"--out {out.name}: the file must end in .json or .xlsx")
    if chart_format not in _CHART_FORMATS:
        raise fail(f"--chart-format {chart_format!r}: use one of {', '.join(_CHART_FORMATS)}")
    with invalid_input_exits():
        loaded = problem_files.load(
            source,
            years=years,
            budget_flat=budget_flat,
            budget_spec=budget,
            carryover=carryover,
            star_deadline=None if soft_star else PLAN_PERIOD_END,
        )
    records = loaded.records
    problem = loaded.problem
    try:
        assumptions = parse_overrun_spec(
            overrun, sorted({r.category for r in records}), sorted({r.nature for r in records if r.nature})
        )
    except OverrunError as err:
        raise fail(str(err)) from None
    fixed = _read_plan(plan, problem) if plan is not None else None
    overruns = ProjectOverruns.compile(
        problem, assumptions, {r.code: r.category for r in records}, {r.code: r.nature for r in records}
    )
    stars = frozenset(r.code for r in records if r.star) if records else None
    shown = assumptions.to_json()
    console.print(f"[bold]{render(describe_assumptions(shown), lang)}[/]", soft_wrap=True)
    with fanout_exits(dask_workers) as fanout:
        with console.status(f"starting {fanout.describe()}…"):
            cores = fanout.cores
        console.print(
            f"{len(problem.projects)} projects, {samples} samples (seed {seed}), ≤ {work_limit:g} deterministic s "
            f"per solve, on {fanout.describe()} ({cores} at once); budget: {loaded.budget_note}"
        )
        with Progress(
            TextColumn("[bold]{task.description}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("plan", total=1)

            def progress(p) -> None:
                if p.phase == "budget":
                    bar.update(
                        task, description=f"P{round(100 * confidence)} budget {p.low}–{p.high}", total=None
                    )
                else:
                    bar.update(task, description=p.phase, completed=p.done, total=p.total or None)

            result = analyse(
                problem,
                overruns=overruns,
                samples=samples,
                seed=seed,
                plan=fixed,
                plan_source={"source": "given", "file": plan.name} if plan is not None else None,
                stars=stars,
                star_deadline=PLAN_PERIOD_END,
                confidence=confidence,
                work_limit=work_limit,
                time_limit=time_limit,
                fanout=fanout,
                progress=progress,
                assumptions=shown,
            )
    figures = result.figures()
    names = {r.code: r.name for r in records}
    _print(figures, names, lang)
    if out is not None:
        _write_out(out, figures, names, lang)
    if charts is not None:
        _write_charts(charts, chart_format, figures, names, problem, lang)
    amount = (figures.get("budget") or {}).get("amount_wan")
    typer.echo("" if amount is None else str(amount))
    raise typer.Exit(EXIT_OK)


def _read_plan(path: Path, problem):
    from solver import Solution

    try:
        solution = Solution.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise fail(f"--plan: no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise fail(f"--plan {path.name}: not a MODEL.md solution JSON ({exc})") from None
    missing = sorted({p.id for p in problem.projects} - {s.id for s in solution.projects if s.scheduled})
    if missing:
        raise fail(
            f"--plan {path.name}: project {missing[0]} is not scheduled in it; the fixed plan needs all"
        )
    return solution


def _print(figures: dict, names: dict[str, str], lang: str) -> None:
    from app.files import report_tables

    summary = Table(title="cost risk", title_justify="left", show_header=False)
    summary.add_column("figure")
    summary.add_column("value")
    for label, value in report_tables.risk_summary(figures, lang):
        summary.add_row(str(label), str(value))
    console.print(summary)
    for title, (header, rows) in (
        ("projects", report_tables.risk_project_table(figures, names, lang)),
        ("extra money per year (万元, mean)", report_tables.risk_year_table(figures, lang)),
    ):
        table = Table(title=title, title_justify="left")
        for column in header:
            table.add_column(column)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
    console.print(
        f"{figures['samples']} samples in {figures['wall_seconds']:.1f} s "
        f"({figures['samples_per_second']} samples/s) on {figures['fanout']}"
    )


def _write_out(out: Path, figures: dict, names: dict[str, str], lang: str) -> None:
    from app.files import report_tables

    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        out.write_bytes(report_tables.risk_xlsx(figures, names, lang))
    console.print(f"wrote {out}")


def _write_charts(folder: Path, fmt: str, figures: dict, names: dict[str, str], problem, lang: str) -> None:
    from app.charts.risk import CHARTS, risk_chart
    from app.files import figures as files

    folder.mkdir(parents=True, exist_ok=True)
    current = sum(problem.budget.values()) / problem.horizon_years
    for name in CHARTS:
        figure = risk_chart(name, figures, names=names, current_cap_wan=current, lang=lang)
        path = folder / f"risk-{name}.{fmt}"
        try:
            path.write_bytes(files.figure_bytes(figure, fmt))
        except files.ExportUnavailable as exc:
            raise fail(f"{exc} (the figures were computed; write them with --out)") from None
        console.print(f"wrote {path}")
