"""Tables in PDF documents: a long table gets its column widths from its text (laid out fixed, so a
province-size report does not spend its time measuring every cell), a short one keeps the automatic
layout; both read back whole from the PDF."""

from __future__ import annotations

import re
import subprocess

from app.files.documents import Markup, html_page, pdf_bytes, table_html

HEADER = ["编号", "项目名称", "投资（万元）"]


def _rows(n: int) -> list[list[object]]:
    return [[f"S-{i:05d}", f"巫溪县第{i}号特殊教育学校迁建工程（示例）", 1000 + i] for i in range(n)]


def _widths(table: str) -> list[float]:
    return [float(w) for w in re.findall(r'<col style="width:([0-9.]+)%">', table)]


def test_a_long_table_is_fixed_with_widths_from_its_text() -> None:
    table = table_html(HEADER, _rows(40), numeric=[2])
    widths = _widths(table)
    assert 'class="fixed"' in table and len(widths) == 3
    assert abs(sum(widths) - 100) < 0.1
    code, name, money = widths
    assert name > 2 * code and name > 2 * money  # the long Chinese names get the room


def test_a_short_table_keeps_the_automatic_layout() -> None:
    table = table_html(HEADER, _rows(5), numeric=[2])
    assert 'class="fixed"' not in table and _widths(table) == []


def test_html_cells_are_measured_by_their_text_not_their_markup() -> None:
    rows = [["A", Markup('<span class="late">很长很长很长很长的说明<br>第二行</span>')] for _ in range(30)]
    first, second = _widths(table_html(["编号", "说明"], rows))
    # "很长…的说明" is 11 wide characters: 22 units + padding, against "编号"'s 4 + padding
    assert abs(second / first - (22 + 3) / (4 + 3)) < 0.01


def test_every_row_of_a_long_fixed_table_reads_back_from_the_pdf(tmp_path) -> None:
    body = table_html(HEADER, _rows(60), numeric=[2])
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf_bytes(html_page(title="表", body=body, paper="A4", header="表", lang="zh")))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for i in range(60):
        assert f"S-{i:05d}" in flat and f"巫溪县第{i}号特殊教育学校迁建工程（示例）" in flat
