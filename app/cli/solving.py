"""`capsched solve`: a MODEL.md problem JSON, or a project list (CSV/XLSX) with a horizon and caps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app.cli.errors import EXIT_NO_SCHEDULE, EXIT_OK, fail, invalid_input_exits
from app.cli.root import cli
from app.rules.portfolio import ProjectRecord
from app.rules.problem import PLAN_PERIOD_END

console = Console(highlight=False, soft_wrap=True)

_SCHEDULE_SUFFIXES = {".json", ".csv", ".xlsx"}
_GANTT_SUFFIXES = {".html", ".png", ".svg", ".pdf", ".json"}

# Above this many projects the summary lists only the worst ones (a table of 10,000 rows took 7 s to print
# and is read by nobody); `--full` lists them all, and the --out file always has every project.
SUMMARY_ROWS = 25


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the summary needs of a problem's project: its planned end and what a year late or a deferral
    costs in the objective."""

    planned_end: int
    weight: int
    defer_penalty: int


@cli.command("solve")
def solve_command(
    source: Path = typer.Argument(..., help="problem.json (MODEL.md) or a project list .csv/.xlsx"),
    out: Path = typer.Option(..., "--out", "-o", help="solution .json, or schedule .csv/.xlsx"),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="seconds for the solver"),
    workers: int = typer.Option(2, "--workers", min=1, help="CP-SAT search workers"),
    years: str | None = typer.Option(None, "--years", help="horizon FIRST-LAST (project list only)"),
    budget_flat: int | None = typer.Option(None, "--budget-flat", help="the same cap every year, 万元"),
    budget: str | None = typer.Option(None, "--budget", help="caps per year: 2021=12000,2022=9000,…"),
    carryover: bool = typer.Option(False, "--carryover", help="unspent money stays available later"),
    star_deadline: int = typer.Option(
        PLAN_PERIOD_END, "--star-deadline", help="★ projects must end by this year"
    ),
    soft_star: bool = typer.Option(False, "--soft-star", help="★ may slip past the deadline (weighted)"),
    emit_problem: Path | None = typer.Option(None, "--emit-problem", help="also write the MODEL.md problem"),
    gantt: Path | None = typer.Option(None, "--gantt", help="funding Gantt chart .html/.png/.svg/.pdf"),
    lang: str = typer.Option("zh", "--lang", help="chart and table language: zh or en"),
    full: bool = typer.Option(
        False, "--full", help=f"list every project (default: above {SUMMARY_ROWS}, the {SUMMARY_ROWS} worst)"
    ),
) -> None:
    """Schedule a portfolio: a feasible annual funding plan with the least weighted slippage."""
    from app.files import problem_files
    from solver import solve

    _check_suffix(out, _SCHEDULE_SUFFIXES, "--out")
    if gantt is not None:
        _check_suffix(gantt, _GANTT_SUFFIXES, "--gantt")
    with invalid_input_exits():
        loaded = problem_files.load(
            source,
            years=years,
            budget_flat=budget_flat,
            budget_spec=budget,
            carryover=carryover,
            star_deadline=None if soft_star else star_deadline,
        )
    if emit_problem is not None:
        _write_json(emit_problem, loaded.problem.to_json())
    with console.status(f"solving {len(loaded.problem.projects)} projects (≤ {time_limit:g} s)…"):
        solution = solve(loaded.problem, time_limit=time_limit, workers=workers)
    result = solution.to_json()
    plans = {p.id: _Plan(p.planned_end, p.weight, p.defer_penalty) for p in loaded.problem.projects}
    _print_summary(result, loaded.records, plans, loaded.budget_note, lang, full=full)
    _write_outputs(result, loaded.records, out=out, gantt=gantt, lang=lang)
    raise typer.Exit(EXIT_OK if result["status"] in {"OPTIMAL", "FEASIBLE"} else EXIT_NO_SCHEDULE)


def _check_suffix(path: Path, allowed: set[str], option: str) -> None:
    if path.suffix.lower() not in allowed:
        raise fail(f"{option} {path.name}: the file must end in {', '.join(sorted(allowed))}")


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_outputs(
    result: dict, records: tuple[ProjectRecord, ...], *, out: Path, gantt: Path | None, lang: str
) -> None:
    from app.files import schedule

    suffix = out.suffix.lower()
    if suffix == ".json":
        _write_json(out, result)
    elif suffix == ".csv":
        out.write_bytes(schedule.schedule_csv(result, records, lang=lang))
    else:
        out.write_bytes(schedule.schedule_xlsx(result, records, lang=lang))
    console.print(f"wrote {out}")
    if gantt is not None:
        from app import charts
        from app.files import figures

        try:
            written = figures.write_figures(gantt, charts.gantt_figures(result, records, lang=lang))
        except figures.ExportUnavailable as exc:
            raise fail(f"{exc} (the schedule itself was written to {out})") from None
        console.print("wrote " + ", ".join(str(path) for path in written))


def _print_summary(
    result: dict,
    records: tuple[ProjectRecord, ...],
    plans: dict[str, _Plan],
    budget_note: str,
    lang: str,
    *,
    full: bool = False,
) -> None:
    from app.i18n.solver import solver_messages

    names = {r.code: r for r in records}
    status = result["status"]
    colour = {"OPTIMAL": "green", "FEASIBLE": "yellow"}.get(status, "red")
    console.print(
        f"[bold {colour}]{status}[/]  weighted slippage {result['objective']}  bound {result['bound']}"
        f"  {result['solve_seconds']:.2f} s  budget: {budget_note}"
    )
    if result["projects"]:
        items = result["projects"]
        if full or len(items) <= SUMMARY_ROWS:
            console.print(_projects_table(items, names, plans, "projects"))
        else:
            console.print(_counts_line(items, names))
            worst = sorted(items, key=lambda item: _worst_first(item, plans))[:SUMMARY_ROWS]
            title = (
                f"the {len(worst)} projects costing the most slippage, of {len(items):,} (--full lists all)"
            )
            console.print(_projects_table(worst, names, plans, title))
        console.print(_years_table(result))
        if result.get("source_years"):
            console.print(_sources_table(result))
    for message in solver_messages(result["diagnostics"], lang):
        console.print(f"[red]•[/] {message}", soft_wrap=True)
    shortfall = result["diagnostics"].get("shortfall")
    if shortfall:
        word = "{year} 年缺 {amount:,} 万元" if lang == "zh" else "{year}: {amount:,} 万元 short"
        gaps = ", ".join(word.format(year=y, amount=a) for y, a in sorted(shortfall.items()) if a)
        console.print(f"[bold red]shortfall:[/] {gaps}")
    by_source = result["diagnostics"].get("source_shortfall")
    if by_source:  # MODEL.md v2: the extra each funding source needs, in the same least solution
        word = (
            "{source} {year} 年缺 {amount:,} 万元"
            if lang == "zh"
            else "{source} {year}: {amount:,} 万元 short"
        )
        gaps = ", ".join(
            word.format(source=k, year=y, amount=a)
            for k, years in by_source.items()
            for y, a in sorted(years.items())
        )
        console.print(f"[bold red]shortfall by source:[/] {gaps}")
    if status == "INFEASIBLE" and any(r.star for r in records):
        console.print(
            "hint: --soft-star shows the best schedule when ★ projects may slip past their deadline"
        )


def _worst_first(item: dict, plans: dict[str, _Plan]) -> tuple[int, int, str]:
    """Sort key: the project's share of the objective (weight × years late, or its deferral penalty),
    largest first, then years late, then code; on-plan projects keep their order by code."""
    plan = plans.get(item["id"])
    slip = int(item.get("slippage") or 0)
    if not item["scheduled"]:
        cost = plan.defer_penalty if plan else 0
    else:
        cost = (plan.weight if plan else 1) * slip
    return (-cost, -slip, item["id"])


def _counts_line(items: list[dict], names: dict[str, ProjectRecord]) -> str:
    scheduled = [item for item in items if item["scheduled"]]
    late = [item for item in scheduled if item.get("slippage")]
    star_late = sum(1 for item in late if (record := names.get(item["id"])) and record.star)
    words = [f"{len(items):,} projects", f"{len(late):,} late", f"{len(items) - len(scheduled):,} deferred"]
    if names:
        words.append(f"{star_late:,} ★ late")
    return " · ".join(words)


def _projects_table(
    items: list[dict], names: dict[str, ProjectRecord], plans: dict[str, _Plan], title: str
) -> Table:
    """One row per project; the plan end is the project list's, or the problem's for a problem.json."""
    table = Table(title=title, title_justify="left")
    for column in ("code", "name", "★", "start", "end", "plan end", "slip"):
        table.add_column(
            column, justify="right" if column in {"start", "end", "plan end", "slip"} else "left"
        )
    for item in items:
        record = names.get(item["id"])
        plan = plans.get(item["id"])
        slip = item["slippage"]
        planned_end = record.planned_end if record else (plan.planned_end if plan else "")
        table.add_row(
            item["id"],
            record.name if record else "",
            "★" if record and record.star else "",
            str(item["start"]) if item["scheduled"] else "deferred",
            str(item["end"]) if item["scheduled"] else "",
            str(planned_end),
            f"[red]+{slip}[/]" if slip else ("0" if item["scheduled"] else ""),
        )
    return table


def _sources_table(result: dict) -> Table:
    """MODEL.md v2: each funding source's cap and draw per year (years as rows, a cap/draw pair per source)."""
    sources = list(dict.fromkeys(row["source"] for row in result["source_years"]))
    cells = {(row["source"], row["year"]): row for row in result["source_years"]}
    table = Table(title="draw vs cap by funding source (万元)", title_justify="left")
    table.add_column("year", justify="right")
    for source in sources:
        table.add_column(source, justify="right")
    for year in sorted({row["year"] for row in result["source_years"]}):
        table.add_row(
            str(year), *(f"{cells[(k, year)]['spend']}/{cells[(k, year)]['budget']}" for k in sources)
        )
    return table


def _years_table(result: dict) -> Table:
    table = Table(title="spend vs cap (万元)", title_justify="left")
    for column in ("year", "cap", "spend", "headroom"):
        table.add_column(column, justify="right")
    for year in result["years"]:
        table.add_row(
            str(year["year"]), str(year["budget"]), str(year["spend"]), str(year["budget"] - year["spend"])
        )
    return table
