"""Chart text from data is shown as typed: a project named like an HTML link is a label, not a link (issue 18)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from app.charts import funding_gantt
from app.files import figures
from app.files.importer import read_projects

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"
LINK_NAME = '<a href="http://x">x</a>'


def test_a_project_named_like_a_link_shows_literally_in_the_gantt_page(page, tmp_path):
    records = read_projects(FIXTURES / "wuxi_projects.csv")
    target = next(r for r in records if not r.star)
    records = [dataclasses.replace(r, name=LINK_NAME) if r is target else r for r in records]
    solution = json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))
    html = tmp_path / "gantt.html"
    html.write_bytes(figures.figures_html([funding_gantt(solution, records)]))

    page.goto(html.as_uri())
    page.wait_for_selector(".annotation-text")

    assert page.locator("svg a").count() == 0, "plotly made a link from the name"
    labels = page.locator(".annotation-text").all_text_contents()  # the frozen label columns
    assert '<a href="http://x">x<…' in labels  # the name column shortens names to 22 characters, as typed
