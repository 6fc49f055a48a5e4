"""`capsched export`: files from a saved solution, plain errors, and tables even without a browser."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from app.cli.main import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"
SOLUTION = FIXTURES / "wuxi_feasible.json"
PROJECTS = FIXTURES / "wuxi_projects.csv"

runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli, ["export", *map(str, args)])


def test_export_writes_schedule_xlsx_and_gantt_html(tmp_path):
    xlsx, html = tmp_path / "排程.xlsx", tmp_path / "gantt.html"
    result = run(SOLUTION, "--projects", PROJECTS, "--schedule", xlsx, "--gantt", html)
    assert result.exit_code == 0, result.output
    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert wb.sheetnames == ["排程", "项目", "年度"]
    assert "巫溪县老年大学迁建工程" in html.read_text(encoding="utf-8")


def test_export_report_pdf_is_the_a4_run_report(tmp_path):
    pdf = tmp_path / "report.pdf"
    result = run(SOLUTION, "--projects", PROJECTS, "--report", pdf)
    assert result.exit_code == 0, result.output
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "841.89 x 595.276" in info  # A4 landscape
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "项目资金排程报告" in text and "项目延期及原因" in text
    assert "默认规则重建" in text  # no run: the title page says the problem was rebuilt from the list


def test_export_gantt_png_in_english(tmp_path):
    png = tmp_path / "gantt.png"
    result = run(SOLUTION, "--projects", PROJECTS, "--gantt", png, "--lang", "en", "--sort", "slippage")
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_defaults_to_the_seed_portfolio_for_names(tmp_path):
    out = tmp_path / "s.csv"
    result = run(SOLUTION, "--schedule", out)
    assert result.exit_code == 0, result.output
    assert "巫溪县白马小学校建设项目" in out.read_bytes().decode("utf-8-sig")


def test_export_rejects_a_file_that_is_not_a_solution_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"projects": [{"id": "WX-01"}]}), encoding="utf-8")
    result = run(bad, "--schedule", tmp_path / "s.csv")
    assert result.exit_code == 2
    assert "bad.json: not a capsched solution" in result.output
    assert "Traceback" not in result.output


def test_export_rejects_an_unknown_chart_suffix(tmp_path):
    result = run(SOLUTION, "--gantt", tmp_path / "gantt.gif")
    assert result.exit_code == 2
    assert "--gantt gantt.gif: the file must end in .html, .png, .svg, .pdf" in result.output


def test_export_without_a_browser_explains_how_to_install_one_and_still_writes_tables(tmp_path):
    env = {**os.environ, "CAPSCHED_CHROMIUM": str(tmp_path / "no-chromium")}
    csv_out, png = tmp_path / "s.csv", tmp_path / "g.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app.cli.main import run; run()",
            "export",
            str(SOLUTION),
            "--projects",
            str(PROJECTS),
            "--schedule",
            str(csv_out),
            "--gantt",
            str(png),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2
    assert "apt-get install chromium fonts-noto-cjk" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not png.exists()


def test_a_report_from_files_names_its_portfolio_scenario_and_author(tmp_path):
    """Issue 16's review: the title page of `capsched export --report` said — for all of them."""
    html = tmp_path / "report.html"

    named = run(
        SOLUTION,
        "--projects",
        PROJECTS,
        "--report",
        html,
        "--portfolio",
        "巫溪县教育项目库",
        "--scenario",
        "每年1.2亿",
        "--prepared-by",
        "财务科张三",
    )
    given = html.read_text(encoding="utf-8")
    defaults = run(SOLUTION, "--report", html)
    derived = html.read_text(encoding="utf-8")

    assert named.exit_code == defaults.exit_code == 0, named.output + defaults.output
    for words in ("巫溪县教育项目库", "每年1.2亿", "财务科张三"):
        assert words in given
    caps = {int(y["budget"]) for y in json.loads(SOLUTION.read_text(encoding="utf-8"))["years"]}
    assert "巫溪县教育十四五重大项目" in derived  # the seed list's portfolio
    assert (
        f"每年 {min(caps):,} 万元" if len(caps) == 1 else f"年度上限 {min(caps):,}–{max(caps):,} 万元"
    ) in derived
