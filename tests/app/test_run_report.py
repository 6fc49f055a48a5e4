"""The run report as a reader gets it: a real WeasyPrint PDF with kaleido's charts, read back with
pdftotext and pdfinfo (poppler) as a person searching it would."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from app.files import run_report
from app.files.importer import read_projects
from app.rules import slippage
from app.rules.problem import ScenarioOptions, build_problem
from solver import Solution

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"
FACTS = run_report.RunFacts(
    portfolio="巫溪县教育十四五重大项目", scenario="默认情景", run_id=7, run_status="done", started_by="admin"
)


@pytest.fixture(scope="module")
def records():
    return read_projects(FIXTURES / "wuxi_projects.csv")


@pytest.fixture(scope="module")
def solution():
    return json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(solution, records):
    caps = {int(y["year"]): int(y["budget"]) for y in solution["years"]}
    problem = build_problem(records, ScenarioOptions(min(caps), max(caps), caps, star_deadline=None))
    return slippage.slippage_report(problem, Solution.from_json(solution), records=records)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@pytest.fixture(scope="module")
def a4(solution, records, report, tmp_path_factory) -> Path:
    pdf = tmp_path_factory.mktemp("report") / "report.pdf"
    pdf.write_bytes(run_report.report_pdf(solution, records, facts=FACTS, slippage=report))
    return pdf


def test_report_text_is_searchable_chinese_with_every_project_name(a4, records):
    text = pdf_text(a4)
    assert "项目" in text and "项目资金排程报告" in text
    for record in records:
        assert record.name in text.replace(" ", "").replace("\n", ""), record.name
    kangxi = [ch for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF or 0xF900 <= ord(ch) <= 0xFAFF]
    assert kangxi == []  # 项目 / 资金 / 甘特 keep their unified code points (U+9879, U+76EE, U+91D1)


def test_report_is_a4_landscape_with_page_numbers_of_the_total(a4):
    info = pdf_info(a4)
    assert info["Page size"].startswith("841.89 x 595.276")  # A4 landscape, in points
    pages = int(info["Pages"])
    assert pages >= 7  # title, summary, 2 Gantt pages (19 projects at 16 a page), spend, tables
    text = pdf_text(a4)
    numbers = re.findall(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页", text)
    assert [int(n) for n, _ in numbers] == list(range(1, pages + 1))
    assert {int(total) for _, total in numbers} == {pages}


def test_report_title_page_names_the_run_and_its_estimates(a4):
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(a4), "-"], check=True, capture_output=True, text=True
    ).stdout
    for words in (
        "巫溪县教育十四五重大项目",
        "默认情景",
        "运行 #7",
        "admin",
        "未批准为基准计划",
        "估算",
        "2021–2030",
    ):
        assert words in first, words


def test_report_running_header_is_on_every_page_but_the_title(a4):
    pages = int(pdf_info(a4)["Pages"])
    for page in range(2, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(a4), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "巫溪县教育十四五重大项目·默认情景·运行#7" in re.sub(r"\s", "", text), page


def test_report_on_a3_in_english(solution, records, report, tmp_path):
    pdf = tmp_path / "report-en.pdf"
    pdf.write_bytes(
        run_report.report_pdf(solution, records, facts=FACTS, slippage=report, lang="en", paper="A3")
    )
    info = pdf_info(pdf)
    assert info["Page size"].startswith("1190.55 x 841.89")  # A3 landscape
    text = pdf_text(pdf)
    assert "Funding schedule report" in text and re.search(r"Page\s*1\s*of", text)
    assert "Slippage per project and why" in text


def test_report_summary_counts_late_and_star_late(solution, records):
    summary = run_report.summarize(solution, records)
    late = [p for p in solution["projects"] if p["scheduled"] and p["slippage"] > 0]
    stars = {r.code for r in records if r.star}
    assert summary.late == len(late)
    assert summary.star_late == sum(p["id"] in stars for p in late)
    assert summary.spend_wan == sum(y["spend"] for y in solution["years"])
