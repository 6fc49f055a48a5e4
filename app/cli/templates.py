"""`capsched template`: the project-list template (XLSX, dropdowns, Chinese headers), pre-filled with the rows
of a list — a names-only one too — and, with --estimate, its missing costs estimated (估算, with the basis)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console

from app.cli.errors import EXIT_OK, fail
from app.cli.root import cli

console = Console(highlight=False, soft_wrap=True)


@cli.command("template")
def template_command(
    file: Path | None = typer.Argument(
        None, help="a project list to pre-fill (rows may lack years and cost)"
    ),
    out: Path = typer.Option(..., "--out", help="the template: .xlsx"),
    estimate: bool = typer.Option(
        False, "--estimate", help="fill missing costs: floor area × unit cost, or the category's median area"
    ),
    lang: str = typer.Option("zh", "--lang", help="headers: zh (Chinese) or en (column names)"),
) -> None:
    """The project-list template: fill in the shaded figures, then `capsched import` or the page's import."""
    from app.files.importer import ProjectListError, UnreadableFileError, read_projects
    from app.files.template import template_xlsx
    from app.i18n import LANGS
    from app.resources import seed_portfolio_csv
    from app.rules.estimator import estimate_costs
    from app.rules.portfolio import missing_figures

    if lang not in LANGS:
        raise fail(f"--lang {lang}: use one of {', '.join(LANGS)}")
    if out.suffix.lower() != ".xlsx":
        raise fail(f"--out {out.name}: the template must end in .xlsx")
    records = []
    if file is not None:
        try:
            records = read_projects(file, drafts=True)
        except UnreadableFileError as exc:
            raise fail(f"{file}: {exc.render('en')}") from None
        except ProjectListError as exc:
            raise fail(
                f"{file}: {len(exc.errors)} problems: " + "; ".join(str(e) for e in exc.errors[:10])
            ) from None
    if estimate and records:
        found = {e.code: e for e in estimate_costs(records, reference=read_projects(seed_portfolio_csv()))}
        for code, item in found.items():
            console.print(
                f"{code}: {item.cost_wan:,} 万元 (估算 estimate, {item.method}) — {item.basis}", markup=False
            )
        records = [
            replace(r, cost_wan=found[r.code].cost_wan, cost_basis=found[r.code].basis)
            if r.code in found
            else r
            for r in records
        ]
    out.write_bytes(template_xlsx(records, lang=lang))
    drafts = sum(bool(missing_figures(r)) for r in records)
    console.print(f"wrote {out}: {len(records)} projects, {drafts} still lacking years or cost", markup=False)
    raise typer.Exit(EXIT_OK)
