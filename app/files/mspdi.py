"""MS Project XML (MSPDI, the schema of http://schemas.microsoft.com/project), written and read here.

Export: one summary task per category, one task per project from 1 January of its first funded year to 31
December of its last (a deferred project keeps its planned years and is inactive), baseline dates = the
plan's years, cost = the money the schedule draws (in 元: MSPDI costs are currency × 100), predecessors as
finish-to-start links, a Start-No-Earlier-Than constraint holding each start, and custom fields: Text1
项目编号, Text2 项目细类, Text3 the per-year draws "2024:3000; 2025:2500" (万元), Text4 投资依据 (估算 …),
Text5 项目责任单位, Flag1 ★, and Number1… one column per horizon year (万元, up to 20 years).
MSPDI's timephased data has no planned cost for a task without resources — only baseline and actual cost,
or work × rate — so the per-year draws are custom fields, which every MSPDI reader shows as columns.

Import: the tasks of a file prepared in MS Project (or exported here) become a table of project-list
columns — summary and milestone tasks skipped, the year of Start and Finish as planned years, Cost (or
FixedCost) in 元 as whole 万元, custom fields matched by their alias (项目编号, 项目细类, 建筑面积, ★, …) and the
category taken from the task's summary when no field gives it — which the importer then checks row by row
(the row is the task's ID, as MS Project numbers its rows). Streamed with defusedxml: no entities, no DTDs.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.i18n import UNCATEGORISED, Message

NS = "http://schemas.microsoft.com/project"
CURRENCY_CENTS_PER_WAN = 10_000 * 100  # 1 万元 = 10,000 元; MSPDI costs are in hundredths of the currency

# Task custom field ids (MS Project's, as MPXJ's FieldTypeHelper maps them).
TEXT = {1: 188743731, 2: 188743734, 3: 188743737, 4: 188743740, 5: 188743743, 6: 188743746}
FLAG1 = 188743752
NUMBER = dict(
    zip(
        range(1, 21),
        (188743767, 188743768, 188743769, 188743770, 188743771, *range(188743982, 188743997)),
        strict=True,
    )
)
MAX_YEAR_COLUMNS = 20

ALIAS_CODE, ALIAS_CATEGORY, ALIAS_DRAWS, ALIAS_BASIS, ALIAS_UNIT, ALIAS_STAR, ALIAS_AREA = (
    "项目编号",
    "项目细类",
    "年度拨款（万元）",
    "投资依据",
    "项目责任单位",
    "★",
    "建筑面积（平方米）",
)


class MspdiError(ValueError):
    """The bytes are not an MS Project XML file we can read; `text` says why (a Message)."""

    def __init__(self, text: Message) -> None:
        self.text = text
        super().__init__(str(text))


class MspdiRefused(MspdiError):
    """An XML file refused before it is read: a DTD or entities (an "XML bomb"), or too many tasks
    (`too_large`)."""

    def __init__(self, text: Message, *, too_large: bool) -> None:
        super().__init__(text)
        self.too_large = too_large


def is_mspdi(data: bytes) -> bool:
    """True when the bytes look like MS Project XML (its root element in the MSPDI namespace)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and NS.encode() in head


# ── export ───────────────────────────────────────────────────────────────────────────────────────


def _start(year: int) -> str:
    return f"{year}-01-01T08:00:00"


def _finish(year: int) -> str:
    return f"{year}-12-31T17:00:00"


def _hours(first: int, last: int) -> int:
    """Working hours (Monday–Friday, 8 a day) from 1 January of `first` to 31 December of `last`."""
    start, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    days = (end - start).days + 1
    weeks = days // 7
    working = weeks * 5 + sum((start + dt.timedelta(d)).weekday() < 5 for d in range(weeks * 7, days))
    return working * 8


def _duration(first: int, last: int) -> str:
    return f"PT{_hours(first, last)}H0M0S"


def _escape(value: Any) -> str:
    """XML text: &, < and > escaped, as xml.sax.saxutils.escape does (whose import pulls in urllib and
    http.client: ~20 ms of every `capsched` command, since the importer sniffs MSPDI with this module)."""
    return html.escape(str(value), quote=False)


def _el(name: str, value: Any) -> str:
    return f"<{name}>{_escape(value)}</{name}>"


def _attr(field_id: int, value: Any) -> str:
    return (
        f"<ExtendedAttribute><FieldID>{field_id}</FieldID><Value>{_escape(value)}</Value></ExtendedAttribute>"
    )


_CALENDAR = (
    "<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>"
    "<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>"
    + "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>0</DayWorking></WeekDay>"
        if d in (1, 7)
        else f"<WeekDay><DayType>{d}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
        "<WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
        "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
        "</WorkingTimes></WeekDay>"
        for d in range(1, 8)
    )
    + "</WeekDays></Calendar></Calendars>"
)


def _task(
    *,
    uid: int,
    name: str,
    level: int,
    outline: str,
    first: int,
    last: int,
    cost_cents: int,
    summary: bool,
    active: bool = True,
    links: Sequence[int] = (),
    attrs: Sequence[str] = (),
    baseline: tuple[int, int] | None = None,
) -> str:
    parts = [
        _el("UID", uid),
        _el("ID", uid),
        _el("Name", name),
        _el("Active", 1 if active else 0),
        _el("Manual", 0),
        _el("Type", 1),
        _el("IsNull", 0),
        _el("WBS", outline),
        _el("OutlineNumber", outline),
        _el("OutlineLevel", level),
        _el("Priority", 500),
        _el("Start", _start(first)),
        _el("Finish", _finish(last)),
        _el("Duration", _duration(first, last)),
        _el("DurationFormat", 7),
        _el("Milestone", 0),
        _el("Summary", 1 if summary else 0),
        _el("FixedCost", 0 if summary else cost_cents),
        _el("FixedCostAccrual", 3),
        _el("Cost", cost_cents),
    ]
    if not summary:
        parts += [_el("ConstraintType", 4), _el("CalendarUID", -1), _el("ConstraintDate", _start(first))]
    parts += [
        "<PredecessorLink>"
        + _el("PredecessorUID", p)
        + _el("Type", 1)
        + _el("CrossProject", 0)
        + _el("LinkLag", 0)
        + _el("LagFormat", 7)
        + "</PredecessorLink>"
        for p in links
    ]
    parts += attrs
    if baseline is not None:
        b_first, b_last = baseline
        parts.append(
            "<Baseline>"
            + _el("Number", 0)
            + _el("Start", _start(b_first))
            + _el("Finish", _finish(b_last))
            + _el("Duration", _duration(b_first, b_last))
            + _el("DurationFormat", 7)
            + _el("Cost", cost_cents)
            + "</Baseline>"
        )
    return "<Task>" + "".join(parts) + "</Task>"


def mspdi_xml(
    solution: Mapping[str, Any],
    records: Sequence[Any],
    *,
    title: str = "capsched",
    predecessors: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """The run as an MS Project XML file (see the module docstring for what goes where)."""
    by_code = {r.code: r for r in records}
    items = [p for p in solution.get("projects", [])]
    horizon = sorted(int(y["year"]) for y in solution.get("years", []))
    year_cols = horizon[:MAX_YEAR_COLUMNS] if len(horizon) <= MAX_YEAR_COLUMNS else []

    def years_of(item: Mapping[str, Any]) -> tuple[int, int]:
        record = by_code.get(str(item["id"]))
        if item.get("scheduled"):
            return int(item["start"]), int(item["end"])
        first = getattr(record, "planned_start", None) or (horizon[0] if horizon else 2020)
        return int(first), int(getattr(record, "planned_end", None) or first)

    categories = list(
        dict.fromkeys(getattr(by_code.get(str(p["id"])), "category", UNCATEGORISED) for p in items)
    )
    uid_of: dict[str, int] = {}
    next_uid = 1
    plan: list[tuple[str, list[Mapping[str, Any]], int]] = []
    for category in categories:
        members = [
            p for p in items if getattr(by_code.get(str(p["id"])), "category", UNCATEGORISED) == category
        ]
        summary_uid = next_uid
        next_uid += 1
        for item in members:
            uid_of[str(item["id"])] = next_uid
            next_uid += 1
        plan.append((category, members, summary_uid))

    tasks: list[str] = []
    all_years = [y for p in items for y in years_of(p)] or horizon or [2020]
    total_cents = (
        sum(sum(int(v) for v in (p.get("funding") or {}).values()) for p in items) * CURRENCY_CENTS_PER_WAN
    )
    tasks.append(
        _task(
            uid=0,
            name=title,
            level=0,
            outline="0",
            first=min(all_years),
            last=max(all_years),
            cost_cents=total_cents,
            summary=True,
        )
    )
    for index, (category, members, summary_uid) in enumerate(plan, start=1):
        spans = [years_of(p) for p in members]
        cents = (
            sum(sum(int(v) for v in (p.get("funding") or {}).values()) for p in members)
            * CURRENCY_CENTS_PER_WAN
        )
        tasks.append(
            _task(
                uid=summary_uid,
                name=category,
                level=1,
                outline=str(index),
                first=min(s for s, _ in spans),
                last=max(e for _, e in spans),
                cost_cents=cents,
                summary=True,
            )
        )
        for number, item in enumerate(members, start=1):
            tasks.append(
                _project_task(
                    item,
                    by_code.get(str(item["id"])),
                    uid_of,
                    f"{index}.{number}",
                    years_of(item),
                    year_cols,
                    predecessors or {},
                )
            )

    definitions = [
        (TEXT[1], "Text1", ALIAS_CODE),
        (TEXT[2], "Text2", ALIAS_CATEGORY),
        (TEXT[3], "Text3", ALIAS_DRAWS),
        (TEXT[4], "Text4", ALIAS_BASIS),
        (TEXT[5], "Text5", ALIAS_UNIT),
        (TEXT[6], "Text6", ALIAS_AREA),
        (FLAG1, "Flag1", ALIAS_STAR),
        *((NUMBER[i], f"Number{i}", f"{year}年拨款（万元）") for i, year in enumerate(year_cols, start=1)),
    ]
    extended = "".join(
        f"<ExtendedAttribute>{_el('FieldID', fid)}{_el('FieldName', name)}{_el('Alias', alias)}</ExtendedAttribute>"
        for fid, name, alias in definitions
    )
    header = "".join(
        [
            _el("SaveVersion", 14),
            _el("Name", f"{title}.xml"),
            _el("Title", title),
            _el("ScheduleFromStart", 1),
            _el("StartDate", _start(min(all_years))),
            _el("FinishDate", _finish(max(all_years))),
            _el("FYStartDate", 1),
            _el("CalendarUID", 1),
            _el("DefaultStartTime", "08:00:00"),
            _el("DefaultFinishTime", "17:00:00"),
            _el("MinutesPerDay", 480),
            _el("MinutesPerWeek", 2400),
            _el("DaysPerMonth", 20),
            _el("CurrencySymbol", "¥"),
            _el("CurrencyCode", "CNY"),
            _el("CurrencyDigits", 2),
        ]
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="{NS}">{header}'
        f"<ExtendedAttributes>{extended}</ExtendedAttributes>{_CALENDAR}<Tasks>{''.join(tasks)}</Tasks></Project>\n"
    )
    return xml.encode("utf-8")


def task_cost_wan(item: Mapping[str, Any], record: Any) -> int:
    """A project task's cost: what the schedule draws; for a deferred project, what it still costs."""
    funded = sum(int(v) for v in (item.get("funding") or {}).values())
    if item.get("scheduled") or record is None or record.cost_wan is None:
        return funded
    return max(0, int(record.cost_wan) - int(record.spent_wan or 0))


def _project_task(
    item: Mapping[str, Any],
    record: Any,
    uid_of: Mapping[str, int],
    outline: str,
    years: tuple[int, int],
    year_cols: Sequence[int],
    predecessors: Mapping[str, Sequence[str]],
) -> str:
    code = str(item["id"])
    funding = {int(y): int(v) for y, v in (item.get("funding") or {}).items() if int(v)}
    draws = "; ".join(f"{y}:{v}" for y, v in sorted(funding.items()))
    attrs = [_attr(TEXT[1], code), _attr(TEXT[2], getattr(record, "category", None) or UNCATEGORISED)]
    if draws:
        attrs.append(_attr(TEXT[3], draws))
    if getattr(record, "cost_basis", None):
        attrs.append(_attr(TEXT[4], record.cost_basis))
    if getattr(record, "responsible_unit", None):
        attrs.append(_attr(TEXT[5], record.responsible_unit))
    if getattr(record, "floor_area_m2", None) is not None:
        attrs.append(_attr(TEXT[6], f"{record.floor_area_m2:.12g}"))
    attrs.append(_attr(FLAG1, 1 if getattr(record, "star", False) else 0))
    attrs += [_attr(NUMBER[i], funding[year]) for i, year in enumerate(year_cols, start=1) if year in funding]
    planned = None
    if record is not None and record.planned_end is not None:
        planned = (record.planned_start or record.planned_end, record.planned_end)
    return _task(
        uid=uid_of[code],
        name=getattr(record, "name", None) or code,
        level=2,
        outline=outline,
        first=years[0],
        last=years[1],
        cost_cents=task_cost_wan(item, record) * CURRENCY_CENTS_PER_WAN,
        summary=False,
        active=bool(item.get("scheduled")),
        links=[uid_of[p] for p in predecessors.get(code, ()) if p in uid_of],
        attrs=attrs,
        baseline=planned,
    )


# ── import ───────────────────────────────────────────────────────────────────────────────────────

_OUR_FIELDS = {
    TEXT[1]: "code",
    TEXT[2]: "category",
    TEXT[4]: "cost_basis",
    TEXT[5]: "responsible_unit",
    TEXT[6]: "floor_area_m2",
    FLAG1: "star",
}


def _year(text: str | None) -> str:
    return text[:4] if text and len(text) >= 4 and text[:4].isdigit() else ""


def _wan(cents: str | None) -> str:
    try:
        value = float(cents or "")
    except ValueError:
        return cents or ""
    return str(int(value / CURRENCY_CENTS_PER_WAN + 0.5)) if value > 0 else ""


def read_table(
    data: bytes, column_of: Callable[[str], str | None], *, max_tasks: int = 50_000
) -> tuple[list[list[str]], list[int]]:
    """The tasks as a project-list table (header of column names, then one row per task) and each row's
    task ID. `column_of` maps a custom field's alias to a project-list column (the importer's headers).

    Streamed (defusedxml iterparse: no DTD, no entities), each task dropped once read, so a huge file costs
    one task's memory; more than `max_tasks` tasks is refused (MspdiRefused) as soon as it is seen."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    q = f"{{{NS}}}"
    fields: dict[int, str] = {}
    found: list[tuple[dict[str, str], int]] = []
    parents: dict[int, str] = {}
    tasks = 0
    path: list[str] = []
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                path.append(element.tag)
                continue
            path.pop()
            if element.tag == f"{q}ExtendedAttribute" and path[-1:] == [f"{q}ExtendedAttributes"]:
                _define_field(element, q, column_of, fields)
            elif element.tag == f"{q}Task" and path[-1:] == [f"{q}Tasks"]:
                tasks += 1
                if tasks > max_tasks:
                    raise MspdiRefused(
                        Message("mspdi_too_many_tasks", limit=f"{max_tasks:,}"), too_large=True
                    )
                row = _task_values(element, q, fields, parents)
                if row is not None:
                    found.append(row)
                element.clear()
    except MspdiRefused:
        raise
    except DefusedXmlException:
        raise MspdiRefused(Message("xml_entities_refused"), too_large=False) from None
    except (ParseError, ValueError) as exc:
        raise MspdiError(Message("mspdi_bad_xml", reason=exc)) from None
    if not tasks:
        raise MspdiError(Message("mspdi_no_tasks"))
    columns = list(
        dict.fromkeys(
            ["code", "name", "category", "planned_start", "planned_end", "cost_wan", *fields.values()]
        )
    )
    rows = [[values.get(c, "") for c in columns] for values, _ in found]
    return [columns, *rows], [number for _, number in found]


def _define_field(
    definition: Any, q: str, column_of: Callable[[str], str | None], fields: dict[int, str]
) -> None:
    """A custom field's definition: the project-list column its alias (or our own field id) names."""
    fid = int(definition.findtext(f"{q}FieldID") or 0)
    alias = definition.findtext(f"{q}Alias") or ""
    column = column_of(alias) if alias else None
    if column is None and fid in _OUR_FIELDS and not alias:
        column = _OUR_FIELDS[fid]
    if column is not None:
        fields[fid] = column


def _task_values(
    task: Any, q: str, fields: dict[int, str], parents: dict[int, str]
) -> tuple[dict[str, str], int] | None:
    """One task's project-list values and its ID; None for a summary (remembered as the category of the
    tasks under it), a milestone, a null task or the project's own summary task 0."""
    uid = task.findtext(f"{q}UID") or ""
    level = int(task.findtext(f"{q}OutlineLevel") or 1)
    name = (task.findtext(f"{q}Name") or "").strip()
    if uid == "0" or level == 0:
        return None
    if task.findtext(f"{q}Summary") == "1":
        parents[level] = name
        return None
    if task.findtext(f"{q}Milestone") == "1" or task.findtext(f"{q}IsNull") == "1":
        return None
    values = {
        "code": f"MSP-{uid}",
        "name": name,
        "category": parents.get(level - 1, ""),
        "planned_start": _year(task.findtext(f"{q}Start")),
        "planned_end": _year(task.findtext(f"{q}Finish")),
        "cost_wan": _wan(task.findtext(f"{q}Cost")) or _wan(task.findtext(f"{q}FixedCost")),
    }
    for attr in task.iterfind(f"{q}ExtendedAttribute"):
        column = fields.get(int(attr.findtext(f"{q}FieldID") or 0))
        value = (attr.findtext(f"{q}Value") or "").strip()
        if column is not None and value:
            values[column] = ("true" if value == "1" else "false") if column == "star" else value
    return values, int(task.findtext(f"{q}ID") or uid or 0)
