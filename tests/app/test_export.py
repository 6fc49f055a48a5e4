"""Exported files are valid and say what the schedule says: real kaleido + Chromium, real openpyxl, pdftoppm."""

from __future__ import annotations

import csv
import io
import json
import struct
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.charts import funding_gantt, report_figures
from app.files import figures, schedule
from app.files.importer import read_projects

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"


@pytest.fixture(scope="module")
def records():
    return read_projects(FIXTURES / "wuxi_projects.csv")


@pytest.fixture(scope="module")
def solution():
    return json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gantt(solution, records):
    return funding_gantt(solution, records)


def funding_of(solution):
    return {p["id"]: {int(y): v for y, v in p["funding"].items()} for p in solution["projects"]}


def test_png_is_a_png_at_twice_the_chart_size(gantt):
    data = figures.figure_bytes(gantt, "png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (2 * gantt.layout.width, 2 * gantt.layout.height)


def test_svg_holds_the_chinese_project_names_as_text(gantt, records):
    svg = figures.figure_bytes(gantt, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    for r in records:
        assert f">{'★ ' if r.star else ''}{r.name}<" in svg
    assert "Noto Sans CJK SC" in svg


def test_pdf_report_renders_one_page_per_chart(solution, records, tmp_path):
    figs = report_figures(solution, records)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(figures.figures_pdf(figs))
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(figs) == 3
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pages)


def test_single_chart_pdf_is_one_page(gantt, tmp_path):
    pdf = tmp_path / "gantt.pdf"
    pdf.write_bytes(figures.figure_bytes(gantt, "pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = next(line for line in info.splitlines() if line.startswith("Pages:"))
    assert pages.split() == ["Pages:", "1"]


def test_a_chart_pdfs_text_is_searchable_as_written(gantt, records, tmp_path):
    """Issue 16: Chromium's PDF text layer held Kangxi radicals (U+2F6C for 目), so 项目 was not found."""
    pdf = tmp_path / "gantt.pdf"
    pdf.write_bytes(figures.figure_bytes(gantt, "pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "项目资金排程甘特图" in text
    assert not any("\u2e80" <= ch <= "\u2fdf" for ch in text)  # no radical stands in for an ideograph
    for r in records:
        assert r.name in text.replace("\n", ""), r.name


def test_html_is_self_contained_and_keeps_chinese(gantt):
    html = figures.figure_bytes(gantt, "html").decode("utf-8")
    assert '<meta charset="utf-8">' in html
    assert "巫溪县白马小学校建设项目" in html
    assert "<script src=" not in html  # plotly.js inline: works offline
    assert len(html) > 1_000_000  # the whole plotly.js bundle is in the page


def test_json_is_the_plotly_figure(gantt):
    data = json.loads(figures.figure_bytes(gantt, "json"))
    assert {"data", "layout"} <= set(data)


def test_an_unknown_chart_format_is_refused_in_plain_words(gantt):
    with pytest.raises(figures.ExportError, match="unknown chart format 'gif'"):
        figures.figure_bytes(gantt, "gif")


def test_no_browser_found_when_capsched_chromium_points_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv("CAPSCHED_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert figures.find_chromium() is None


def test_csv_opens_with_chinese_intact_and_equals_the_schedule(solution, records):
    data = schedule.schedule_csv(solution, records)
    assert data[:3] == b"\xef\xbb\xbf"  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["编号", "项目名称", "类别"]
    years = [y["year"] for y in solution["years"]]
    first_year = header.index(str(years[0]))
    funding = funding_of(solution)
    names = {r.code: r.name for r in records}
    for row in body:
        code = row[0]
        assert row[1] == names[code]
        draws = dict(zip(years, map(int, row[first_year : first_year + len(years)]), strict=True))
        assert {y: v for y, v in draws.items() if v} == funding[code]
        assert int(row[-1]) == sum(funding[code].values())
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert by_code["WX-08"]["延期(年)"] == "3"
    assert by_code["WX-08"]["重点(★)"] == "★"
    assert by_code["WX-08"]["投资依据"] == "估算"
    assert by_code["WX-19"]["是否排入"] == "否"


def test_xlsx_read_back_equals_the_schedule(solution, records):
    wb = load_workbook(io.BytesIO(schedule.schedule_xlsx(solution, records)))
    assert wb.sheetnames == ["排程", "项目", "年度"]
    matrix = wb["排程"]
    header = [c.value for c in matrix[1]]
    years = [y["year"] for y in solution["years"]]
    assert header == ["编号", "项目名称", "类别", "重点(★)", *years, "合计(万元)"]
    funding = funding_of(solution)
    body = list(matrix.iter_rows(min_row=2, values_only=True))
    for row in body[:-1]:
        draws = {y: v for y, v in zip(years, row[4:-1], strict=True) if v}
        assert draws == funding[row[0]]
        assert row[-1] == sum(funding[row[0]].values())
    totals = body[-1]
    assert totals[0] == "合计"
    assert list(totals[4:-1]) == [y["spend"] for y in solution["years"]]
    assert totals[-1] == sum(y["spend"] for y in solution["years"])
    assert matrix.freeze_panes == "C2"


def test_xlsx_project_sheet_marks_estimated_costs_and_keeps_numbers(solution, records):
    ws = load_workbook(io.BytesIO(schedule.schedule_xlsx(solution, records)))["项目"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["WX-08"]["开始年"] == 2023 and rows["WX-08"]["结束年"] == 2028
    assert rows["WX-08"]["延期(年)"] == 3
    assert rows["WX-08"]["总投资(万元)"] == 1085  # a number, not text
    assert rows["WX-08"]["投资依据"] == "估算"
    cost_col = header.index("总投资(万元)") + 1
    assert "估算" in ws.cell(2, cost_col).number_format
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].width >= 30  # the Chinese names fit


def test_xlsx_year_sheet_gives_cap_spend_and_headroom(solution, records):
    ws = load_workbook(io.BytesIO(schedule.schedule_xlsx(solution, records)))["年度"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows == [(y["year"], y["budget"], y["spend"], y["budget"] - y["spend"]) for y in solution["years"]]


def test_xlsx_in_english_names_sheets_and_headers_in_english(solution, records):
    wb = load_workbook(io.BytesIO(schedule.schedule_xlsx(solution, records, lang="en")))
    assert wb.sheetnames == ["schedule", "projects", "years"]
    assert [c.value for c in wb["years"][1]] == [
        "Year",
        "Cap (10k CNY)",
        "Spend (10k CNY)",
        "Headroom (10k CNY)",
    ]
