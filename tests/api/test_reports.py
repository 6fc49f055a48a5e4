"""The documents of a run over HTTP: the run report PDF, the annual investment plan, MS Project XML."""

from __future__ import annotations

import subprocess

import pytest

from tests.api.conftest import wait_for_run


@pytest.fixture
def done_run(client, finance, scenario) -> dict:
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, {"done"})


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_report_pdf_names_the_portfolio_run_approval_and_every_project(
    client, finance, viewer, done_run, tmp_path
):
    client.post(f"/api/runs/{done_run['id']}/approve", headers=finance)
    response = client.get(f"/api/runs/{done_run['id']}/report.pdf", headers=viewer)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="run-{done_run["id"]}-report.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content, tmp_path)
    for words in (
        "测试项目库",
        "每年3000万",
        "已由 财务科",
        "城区幼儿园",
        "第二中学扩建",
        "职教中心实训楼",
        "城区小学新建",
    ):
        assert words in text, words


def test_report_html_is_the_same_document_in_english(client, viewer, done_run):
    response = client.get(f"/api/runs/{done_run['id']}/report.html?lang=en&paper=A3", headers=viewer)
    assert response.status_code == 200
    assert "size: A3 landscape" in response.text
    assert "Funding schedule report" in response.text


def test_annual_plan_xlsx_and_pdf_for_a_year(client, viewer, done_run, tmp_path):
    import io

    import openpyxl

    xlsx = client.get(f"/api/runs/{done_run['id']}/annual-plan.xlsx?year=2023", headers=viewer)
    assert xlsx.status_code == 200, xlsx.text
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert ws["A1"].value == "测试项目库2023年度投资计划表"
    spend = next(y["spend"] for y in done_run["result"]["years"] if y["year"] == 2023)
    assert ws.cell(5, 8).value == spend  # the grand total row: this year's plan is the schedule's spend
    pdf = client.get(f"/api/runs/{done_run['id']}/annual-plan.pdf?year=2023", headers=viewer)
    assert pdf.status_code == 200
    assert "2023年度投资计划表" in pdf_text(pdf.content, tmp_path)


def test_annual_plan_outside_the_horizon_is_422(client, viewer, done_run):
    response = client.get(f"/api/runs/{done_run['id']}/annual-plan.xlsx?year=2040", headers=viewer)
    assert response.status_code == 422
    assert "outside the schedule's years (2022–2028)" in response.json()["detail"]


def test_msproject_xml_round_trips_into_a_new_portfolio(client, finance, viewer, done_run):
    exported = client.get(f"/api/runs/{done_run['id']}/msproject.xml", headers=viewer)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/xml"
    assert b'<Project xmlns="http://schemas.microsoft.com/project">' in exported.content
    pid = client.post("/api/portfolios", json={"name": "来自 MS Project"}, headers=finance).json()["id"]
    files = {"file": ("plan.xml", exported.content, "application/xml")}
    imported = client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance)
    assert imported.status_code == 201, imported.text
    assert imported.json()["created"] == 4
    listed = client.get(f"/api/portfolios/{pid}/projects", headers=finance).json()
    assert {p["code"]: p["name"] for p in listed}["T-03"] == "职教中心实训楼"


def test_msproject_xml_with_a_bad_task_is_422_naming_its_row(client, finance, portfolio):
    xml = b"""<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project"><Tasks>
<Task><UID>1</UID><ID>1</ID><Name>A</Name><OutlineLevel>1</OutlineLevel><Start>2024-01-01T08:00:00</Start>
<Finish>2023-12-31T17:00:00</Finish><Cost>100000000</Cost></Task></Tasks></Project>"""
    files = {"file": ("plan.xml", xml, "application/xml")}
    response = client.post(f"/api/portfolios/{portfolio['id']}/import", files=files, headers=finance)
    assert response.status_code == 422
    messages = [e["msg"] for e in response.json()["errors"]]
    assert "row 1: category is missing" in messages
    assert "row 1: planned_end 2023 is before planned_start 2024" in messages


def test_moments_carry_their_zone_and_the_report_shows_them_in_the_offices(client, finance, viewer, done_run):
    """Issue 13's review: SQLite handed back naive UTC, the page showed it as local time, and the report
    printed UTC as if it were Beijing time."""
    from datetime import datetime, timedelta

    approved = client.post(f"/api/runs/{done_run['id']}/approve", headers=finance)
    run = client.get(f"/api/runs/{done_run['id']}", headers=viewer).json()
    report = client.get(f"/api/runs/{done_run['id']}/report.html", headers=viewer).text

    for moment in (run["created_at"], run["finished_at"], approved.json()["approved_at"]):
        assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment
    finished = datetime.fromisoformat(run["finished_at"]) + timedelta(hours=8)  # Asia/Shanghai, the default
    assert f"{finished:%Y-%m-%d %H:%M} (UTC+08:00)" in report
