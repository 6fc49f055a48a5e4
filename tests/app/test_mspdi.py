"""MS Project XML proven with a real reader: MPXJ (Java, through JPype) reads the export back — every
task's dates, cost, baseline, links and custom fields — and the importer turns MSPDI into a portfolio.

No skip: without Java or MPXJ these tests fail (under CI a skip would fail the run anyway)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.files.importer import ProjectListError, read_projects
from app.files.mspdi import mspdi_xml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solutions"
LINKS = {"WX-06": ["WX-04"], "WX-07": ["WX-04", "WX-05"]}  # finish-to-start: both end 2023, both start 2024


@pytest.fixture(scope="module")
def records():
    return read_projects(FIXTURES / "wuxi_projects.csv")


@pytest.fixture(scope="module")
def solution():
    return json.loads((FIXTURES / "wuxi_feasible.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def xml_file(solution, records, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mspdi") / "plan.xml"
    path.write_bytes(mspdi_xml(solution, records, title="巫溪县 默认情景", predecessors=LINKS))
    return path


@pytest.fixture(scope="module")
def mpxj_project(xml_file):
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(str(xml_file))
    assert project is not None, "MPXJ did not recognise the file as a project"
    return project


def _tasks(project) -> dict[str, object]:
    """The project tasks by 项目编号 (custom field Text1)."""
    return {str(t.getText(1)): t for t in project.getTasks() if not t.getSummary() and t.getUniqueID() != 0}


def test_mpxj_reads_every_project_with_its_years_cost_and_baseline(mpxj_project, solution, records):
    tasks = _tasks(mpxj_project)
    by_code = {r.code: r for r in records}
    assert set(tasks) == {p["id"] for p in solution["projects"]}
    for item in solution["projects"]:
        task = tasks[item["id"]]
        record = by_code[item["id"]]
        assert str(task.getName()) == record.name
        start, finish = task.getStart(), task.getFinish()
        first, last = (
            (item["start"], item["end"]) if item["scheduled"] else (record.planned_start, record.planned_end)
        )
        assert (start.getYear(), start.getMonthValue(), start.getDayOfMonth()) == (first, 1, 1)
        assert (finish.getYear(), finish.getMonthValue(), finish.getDayOfMonth()) == (last, 12, 31)
        assert bool(task.getActive()) == item["scheduled"]  # a deferred project is an inactive task
        funded = sum(item["funding"].values()) if item["scheduled"] else record.cost_wan - record.spent_wan
        assert float(task.getCost().doubleValue()) == funded * 10_000  # 元
        base_start, base_finish = task.getBaselineStart(), task.getBaselineFinish()
        assert (base_start.getYear(), base_finish.getYear()) == (record.planned_start, record.planned_end)
        assert float(task.getBaselineCost().doubleValue()) == funded * 10_000
        assert bool(task.getFlag(1)) == record.star
        assert str(task.getText(2)) == record.category


def test_mpxj_reads_the_per_year_draws_as_custom_fields(mpxj_project, solution):
    tasks = _tasks(mpxj_project)
    years = sorted(y["year"] for y in solution["years"])
    for item in solution["projects"]:
        task = tasks[item["id"]]
        text = str(task.getText(3) or "")
        assert text == "; ".join(
            f"{y}:{v}" for y, v in sorted((int(y), v) for y, v in item["funding"].items())
        )
        for index, year in enumerate(years, start=1):
            value = task.getNumber(index)
            assert (float(value.doubleValue()) if value is not None else 0.0) == item["funding"].get(
                str(year), 0
            )


def test_mpxj_reads_the_links_and_the_category_summaries(mpxj_project, records):
    tasks = _tasks(mpxj_project)
    for code, before in LINKS.items():
        predecessors = {str(r.getPredecessorTask().getText(1)) for r in tasks[code].getPredecessors()}
        from org.mpxj import RelationType

        assert predecessors == set(before)
        assert all(r.getType() == RelationType.FINISH_START for r in tasks[code].getPredecessors())
    summaries = [str(t.getName()) for t in mpxj_project.getTasks() if t.getSummary() and t.getUniqueID() != 0]
    assert summaries == list(dict.fromkeys(r.category for r in records))


def test_the_export_imports_back_as_the_same_projects(xml_file, solution, records):
    back = {r.code: r for r in read_projects(xml_file)}
    by_code = {r.code: r for r in records}
    assert set(back) == set(by_code)
    for item in solution["projects"]:
        record = back[item["id"]]
        assert record.name == by_code[item["id"]].name and record.category == by_code[item["id"]].category
        if item["scheduled"]:  # the schedule becomes the plan; a deferred project keeps its planned years
            assert (record.planned_start, record.planned_end) == (item["start"], item["end"])
            assert record.cost_wan == sum(item["funding"].values())
        assert record.star == by_code[item["id"]].star and record.cost_is_estimate


def test_a_plan_made_in_ms_project_imports_with_row_level_errors(tmp_path):
    ns = "http://schemas.microsoft.com/project"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="{ns}"><Name>plan</Name><Tasks>
<Task><UID>0</UID><ID>0</ID><Name>plan</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary></Task>
<Task><UID>1</UID><ID>1</ID><Name>义务教育</Name><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>
<Task><UID>2</UID><ID>2</ID><Name>城南小学新建</Name><OutlineLevel>2</OutlineLevel><Start>2024-03-01T08:00:00</Start>
  <Finish>2026-06-30T17:00:00</Finish><Cost>4500000000</Cost></Task>
<Task><UID>3</UID><ID>3</ID><Name>城北小学扩建</Name><OutlineLevel>2</OutlineLevel><Start>2025-03-01T08:00:00</Start>
  <Finish>2026-06-30T17:00:00</Finish></Task>
<Task><UID>4</UID><ID>4</ID><Name>开工仪式</Name><OutlineLevel>2</OutlineLevel><Milestone>1</Milestone></Task>
</Tasks></Project>""".encode()
    with pytest.raises(ProjectListError) as caught:
        read_projects(xml)
    assert [str(e) for e in caught.value.errors] == ["row 3: cost_wan is missing"]  # row = the task's ID
    records = read_projects(xml, drafts=True)
    assert [(r.code, r.name, r.category, r.planned_start, r.planned_end, r.cost_wan) for r in records] == [
        ("MSP-2", "城南小学新建", "义务教育", 2024, 2026, 4500),
        ("MSP-3", "城北小学扩建", "义务教育", 2025, 2026, None),
    ]


def test_xml_with_an_entity_bomb_is_refused_unread(tmp_path):
    bomb = b"""<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&b;</Name></Project>"""
    from app.files.importer import UnreadableFileError

    with pytest.raises(UnreadableFileError, match="declares a DTD or XML entities, which are refused"):
        read_projects(bomb)
