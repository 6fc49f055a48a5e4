"""`capsched import FILE`: summary and exit 0, every error and exit 1, unreadable file and exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import cli
from app.resources import data_dir, seed_portfolio_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
runner = CliRunner()


def test_import_of_the_seed_prints_the_summary_and_exits_0() -> None:
    result = runner.invoke(cli, ["import", str(seed_portfolio_csv())])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "valid project list" in lines[0]
    assert any("projects 项目数" in line and line.rstrip("│ ").endswith("19") for line in lines)
    assert any("★" in line and line.rstrip("│ ").endswith("16") for line in lines)
    assert "263,460 m²" in result.stdout
    assert "total cost 总投资 (估算 estimate)" in result.stdout
    assert "99,163 万元" in result.stdout


def test_import_of_the_wanzhou_list_reports_missing_figures_per_row_and_exits_1() -> None:
    result = runner.invoke(cli, ["import", str(data_dir() / "wanzhou_projects.csv")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("138 problems in 46 rows — nothing was imported (文件有错误，未导入).")
    assert lines[1] == "row 2: planned_start is missing; planned_end is missing; cost_wan is missing"
    assert lines[-1] == "row 47: planned_start is missing; planned_end is missing; cost_wan is missing"
    assert len(lines) == 47


def test_import_prints_every_error_of_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,category,planned_start,planned_end,cost_wan,budget\n"
        "WX-01,白马小学,义务教育,2023,2021,100,\n"
        "WX-01,先锋小学,义务教育,2020,2023,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "row 1: unknown column 'budget' in the header (known columns: code, name, category, location, nature, "
        "floor_area_m2, purchase_area_m2, land_area_mu, planned_start, planned_end, star, status, responsible_unit, "
        "cost_wan, cost_basis, spent_wan, seats_added, seats_source)",
        "row 2: planned_end 2021 is before planned_start 2023",
        "row 3: cost_wan is missing; code WX-01 is already used on row 2",
    ]


def test_import_of_a_gbk_file_shows_its_summary() -> None:
    result = runner.invoke(cli, ["import", str(FIXTURES / "gbk_chinese_headers.csv")])
    assert result.exit_code == 0, result.output
    assert "15,970 万元" in result.stdout  # 11590 + 1720 + 2660, two of them estimates
    assert "of which estimated 其中估算" in result.stdout
    assert "14,250 万元" in result.stdout


def test_import_of_a_missing_file_exits_2_with_a_message(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = runner.invoke(cli, ["import", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"capsched import: cannot read {missing}: file not found: {missing}"
    assert result.stdout == ""


def test_import_of_binary_garbage_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 2
    assert "this looks like a binary file, not a CSV or XLSX project list" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_import_without_a_file_is_a_usage_error() -> None:
    result = runner.invoke(cli, ["import"])
    assert result.exit_code == 2


def test_installed_console_script_imports_the_seed() -> None:
    bin_dirs = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("capsched", path=bin_dirs)
    assert script is not None, "the capsched console script is not installed (pip install -e .)"
    done = subprocess.run(
        [script, "import", str(seed_portfolio_csv())],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "99,163 万元" in done.stdout


def test_import_with_lang_zh_prints_every_error_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,category,planned_start,planned_end,cost_wan\n"
        "WX-01,白马小学,义务教育,2023,2021,100\n"
        "WX-01,先锋小学,义务教育,2020,2023,\n",
        encoding="gbk",
    )
    result = runner.invoke(cli, ["import", str(path), "--lang", "zh"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}：3 处问题，涉及 2 行 — 未导入任何内容。",
        "第 2 行：计划完工年份（planned_end）2021 早于计划开工年份（planned_start）2023",
        "第 3 行：总投资（cost_wan）未填写；项目编号（code）WX-01 已在第 2 行使用",
    ]


def test_import_with_lang_zh_says_in_chinese_why_a_file_cannot_be_read(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", str(tmp_path / "nope.csv"), "--lang", "zh"])
    assert result.exit_code == 2
    assert f"capsched import：无法读取 {tmp_path / 'nope.csv'}：找不到文件" in result.stderr


def test_import_refuses_a_language_it_does_not_speak(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", str(seed_portfolio_csv()), "--lang", "fr"])
    assert result.exit_code == 2
    assert "'fr' is not one of zh, en" in result.stderr


def test_a_refused_workbook_exits_1_with_the_words_the_api_gives(tmp_path: Path) -> None:
    from tests import bombs

    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bombs.declared_dimension_bomb())
    result = runner.invoke(cli, ["import", str(path), "--lang", "zh"])
    assert result.exit_code == 1
    assert "工作表声明的范围 A1:XFD1048576 有 1,048,576 行 × 16,384 列" in result.stderr


def test_a_file_with_thousands_of_errors_prints_the_first_200_and_counts_the_rest(tmp_path: Path) -> None:
    from tests import bombs

    path = tmp_path / "bad.csv"
    path.write_bytes(bombs.many_bad_rows_csv(500))
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("500 problems in 500 rows — nothing was imported (文件有错误，未导入).")
    assert len(lines) == 202
    assert lines[-1] == "and 300 more problems not listed (the first 200 are)"
