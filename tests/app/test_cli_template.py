"""`capsched template` and `capsched import --drafts`: a names-only list as a to-do list and a template."""

from __future__ import annotations

from openpyxl import load_workbook
from typer.testing import CliRunner

from app.cli.main import cli
from app.files.importer import read_projects
from app.resources import data_dir

WANZHOU = data_dir() / "wanzhou_projects.csv"
runner = CliRunner()


def test_import_with_drafts_lists_what_each_row_lacks():
    result = runner.invoke(cli, ["import", str(WANZHOU), "--drafts"])
    assert result.exit_code == 0, result.output
    assert "drafts 草稿: 46" in result.output
    assert "WZ-01 万州区上海幼儿园: missing planned_start, planned_end, cost_wan" in result.output


def test_import_without_drafts_still_lists_the_missing_figures_and_fails():
    result = runner.invoke(cli, ["import", str(WANZHOU)])
    assert result.exit_code == 1


def test_template_with_estimates_reads_back_as_drafts_with_labelled_costs(tmp_path):
    out = tmp_path / "wanzhou.xlsx"
    result = runner.invoke(cli, ["template", str(WANZHOU), "--estimate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "46 projects, 46 still lacking years or cost" in result.output
    assert load_workbook(out).sheetnames[:2] == ["项目清单", "填写说明"]
    back = read_projects(out, drafts=True)
    assert len(back) == 46
    assert all(r.cost_wan and r.cost_is_estimate and r.planned_start is None for r in back)
