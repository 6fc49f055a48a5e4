"""`capsched import FILE`: check a project list and print its summary or every problem in it.

Exit codes: 0 the list is valid; 1 it has errors, or is refused before reading (over a size limit, a
refused encoding or XML): nothing is stored; 2 the file cannot be read at all.
Errors are in English by default (scripts grep them); `--lang zh` prints them in Chinese.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app.cli.root import cli
from app.files.importer import (
    FileRejected,
    ListTotals,
    ProjectListError,
    RowError,
    UnreadableFileError,
    read_projects,
    summarize,
)
from app.i18n import LANGS, field_label, t
from app.rules.portfolio import missing_figures

EXIT_ERRORS = 1
EXIT_UNREADABLE = 2
MAX_LISTED = 200  # problems printed, as an error body lists them (api/errors.py)


@cli.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Project list: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX."),
    lang: str = typer.Option("en", "--lang", help="Language of the error messages: zh (中文) or en."),
    drafts: bool = typer.Option(
        False,
        "--drafts",
        help="accept rows lacking only years or cost as drafts (listed with what they lack)",
    ),
) -> None:
    """Check a project list (项目清单) and print a summary, or every problem row by row."""
    if lang not in LANGS:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(LANGS)}", param_hint="--lang")
    out = Console(highlight=False, soft_wrap=True)
    try:
        records = read_projects(file, drafts=drafts)
    except FileRejected as exc:  # the file has a problem a person can fix, as a row error has: exit 1
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            t("cli_cannot_read", lang, file=file, reason=exc.render(lang)), markup=False
        )
        raise typer.Exit(EXIT_ERRORS) from None
    except UnreadableFileError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            t("cli_cannot_read", lang, file=file, reason=exc.render(lang)), markup=False
        )
        raise typer.Exit(EXIT_UNREADABLE) from None
    except ProjectListError as exc:
        _print_errors(out, file, exc, lang)
        raise typer.Exit(EXIT_ERRORS) from None
    complete = [r for r in records if not missing_figures(r)]
    _print_summary(out, file, summarize(complete))
    _print_drafts(out, [r for r in records if missing_figures(r)], lang)


def _print_errors(out: Console, file: Path, error: ProjectListError, lang: str) -> None:
    """One line per row, so a list with many blanks reads as a to-do list; the first MAX_LISTED problems,
    then how many more there are."""
    errors: list[RowError] = error.errors[:MAX_LISTED]
    rows = {e.row for e in error.errors if e.row is not None}
    headline = t(
        "cli_import_errors",
        lang,
        file=file,
        count=error.total,
        problems_word="problem" if error.total == 1 else "problems",
        rows=len(rows),
        rows_word="row" if len(rows) == 1 else "rows",
    )
    out.print(headline, markup=False)
    separator = "；" if lang == "zh" else "; "
    for row, group in groupby(errors, key=lambda e: e.row):
        messages = separator.join(e.render(lang, with_row=False) for e in group)
        out.print(messages if row is None else t("row_prefix", lang, row=row, message=messages), markup=False)
    if error.total > MAX_LISTED:
        out.print(t("more_problems", lang, n=f"{error.total - MAX_LISTED:,}", shown=MAX_LISTED), markup=False)


def _print_drafts(out: Console, drafts: list, lang: str) -> None:
    """The drafts, one a line with what each lacks (a to-do list for the template)."""
    if not drafts:
        return
    out.print(
        f"drafts 草稿: {len(drafts)} (left out of runs until filled in; `capsched template` makes a sheet)"
    )
    for record in drafts:
        lacking = ", ".join(field_label(f, lang) for f in missing_figures(record))
        out.print(f"  {record.code} {record.name}: missing {lacking}", markup=False)


def _print_summary(out: Console, file: Path, summary: ListTotals) -> None:
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
