"""`capsched import FILE`: check a project list and print its summary or every problem in it.

Exit codes: 0 the list is valid; 1 it has errors (nothing is stored); 2 the file cannot be read at all.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app.cli.main import cli
from app.importer import (
    ImportSummary,
    ProjectListError,
    RowError,
    UnreadableFileError,
    read_projects,
    summarize,
)

EXIT_ERRORS = 1
EXIT_UNREADABLE = 2


@cli.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Project list: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX."),
) -> None:
    """Check a project list (项目清单) and print a summary, or every problem row by row."""
    out = Console(highlight=False, soft_wrap=True)
    try:
        records = read_projects(file)
    except UnreadableFileError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"capsched import: cannot read {file}: {exc.message}", markup=False
        )
        raise typer.Exit(EXIT_UNREADABLE) from None
    except ProjectListError as exc:
        _print_errors(out, file, exc.errors)
        raise typer.Exit(EXIT_ERRORS) from None
    _print_summary(out, file, summarize(records))


def _print_errors(out: Console, file: Path, errors: list[RowError]) -> None:
    """One line per row, so a list with many blanks reads as a to-do list."""
    rows = {e.row for e in errors if e.row is not None}
    out.print(
        f"{file}: {len(errors)} problem{'s' if len(errors) != 1 else ''} in {len(rows)} "
        f"row{'s' if len(rows) != 1 else ''} — nothing was imported (文件有错误，未导入).",
        markup=False,
    )
    for row, group in groupby(errors, key=lambda e: e.row):
        messages = "; ".join(e.message for e in group)
        out.print(messages if row is None else f"row {row}: {messages}", markup=False)


def _print_summary(out: Console, file: Path, summary: ImportSummary) -> None:
    estimate = " (估算 estimate)" if summary.costs_are_estimates else ""
    out.print(f"{file}: valid project list (项目清单有效)", markup=False)
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("projects 项目数", str(summary.count))
    table.add_row("★ to finish in the plan period ★项目", str(summary.star_count))
    table.add_row("floor area 建筑面积", f"{summary.floor_area_m2:,.0f} m²")
    if summary.purchase_area_m2:
        table.add_row("purchased area 购置面积", f"{summary.purchase_area_m2:,.0f} m²")
    if summary.first_year is not None:
        table.add_row("planned years 建设年限", f"{summary.first_year}–{summary.last_year}")
    table.add_row(f"total cost 总投资{estimate}", f"{summary.cost_wan:,} 万元")
    if summary.costs_are_estimates and summary.estimated_cost_wan != summary.cost_wan:
        table.add_row("of which estimated 其中估算", f"{summary.estimated_cost_wan:,} 万元")
    out.print(table)
