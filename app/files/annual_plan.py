"""The annual investment plan table (年度投资计划表) as the county submits it: XLSX (A3 landscape print
setup, frozen two-row header, 万元 number formats) or PDF (A3 landscape, header repeated on each page).

序号, 项目名称, 建设性质, 建设规模 (m²), 建设年限, 总投资, 截至上年底累计完成投资, 本年计划投资 (合计 and by
source: 中央, 市级, 县级, 专项债, 其他, and 未分来源 when the schedule does not split its money), 剩余投资,
责任单位, 备注 (★, late, estimated cost); grouped by 项目细类 with subtotals, the grand total first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.files import documents
from app.files.documents import Markup, esc
from app.files.tables import PrintSetup, Sheet, xlsx_bytes
from app.i18n import category_label, check_lang, money, t
from app.rules.annual_plan import SOURCE_COLUMNS, UNSPLIT, AnnualPlan, Money, PlanRow

_CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """The plan's heading: whose plan, from which run."""

    portfolio: str | None = None
    scenario: str | None = None
    run_id: int | None = None
    approved: str | None = None  # who approved the run as the baseline, and when (words)


def _group_number(index: int, lang: str) -> str:
    if lang == "en":
        return f"{index + 1}."
    if index < 10:
        return _CHINESE_NUMBERS[index] + "、"
    return f"{index + 1}、"


def _source_keys(plan: AnnualPlan) -> list[str]:
    return [*SOURCE_COLUMNS, *([UNSPLIT] if plan.unsplit else [])]


def header(plan: AnnualPlan, lang: str) -> list[str]:
    """The leaf headers, in column order."""
    return [
        t("ap_no", lang),
        t("ap_name", lang),
        t("ap_nature", lang),
        t("ap_scale", lang),
        t("ap_years", lang),
        t("ap_cost", lang),
        t("ap_done", lang, year=plan.year - 1),
        t("ap_year_total", lang),
        *(t(f"ap_source_{k}", lang) for k in _source_keys(plan)),
        t("ap_remaining", lang),
        t("ap_unit", lang),
        t("ap_remarks", lang),
    ]


def _remarks(row: PlanRow, lang: str) -> str:
    parts = []
    if row.star:
        parts.append("★")
    if row.late_years:
        parts.append(t("ap_late", lang, n=row.late_years, planned=row.planned_end))
    if row.cost_is_estimate:
        parts.append(t("ap_cost_estimated", lang))
    if row.actuals_used:
        parts.append(t("ap_actuals_used", lang))
    return t("list_sep", lang).join(parts)


def _money_cells(m: Money, plan: AnnualPlan) -> list[Any]:
    sources = [m.sources.get(k) or None for k in _source_keys(plan)]
    return [m.cost_wan, m.done_wan, m.year_wan, *sources, m.remaining_wan]


@dataclass(frozen=True, slots=True)
class _Line:
    kind: str  # "total" | "group" | "project" | "subtotal"
    cells: list[Any]
    row: PlanRow | None = None


def _lines(plan: AnnualPlan, lang: str) -> list[_Line]:
    """The table's rows: the grand total, then per category a heading, its projects and a subtotal."""
    blank4 = [None, None, None]
    lines = [
        _Line(
            "total", [None, t("ap_grand_total", lang), *blank4, *_money_cells(plan.total, plan), None, None]
        )
    ]
    number = 0
    for index, group in enumerate(plan.groups):
        label = category_label(group.category, lang)
        lines.append(_Line("group", [_group_number(index, lang), label, *[None] * (len(lines[0].cells) - 2)]))
        for row in group.rows:
            number += 1
            area = round(row.floor_area_m2) if row.floor_area_m2 else None
            cells = [
                number,
                row.name,
                row.nature,
                area,
                f"{row.start}—{row.end}",
                *_money_cells(row.money, plan),
                row.unit,
                _remarks(row, lang),
            ]
            lines.append(_Line("project", cells, row))
        subtotal = [None, t("ap_subtotal", lang, category=label), *blank4]
        lines.append(_Line("subtotal", [*subtotal, *_money_cells(group.subtotal, plan), None, None]))
    return lines


def title(plan: AnnualPlan, facts: PlanFacts, lang: str) -> str:
    return t("ap_title", lang, portfolio=facts.portfolio or "", year=plan.year).strip()


def _subtitle(plan: AnnualPlan, facts: PlanFacts, lang: str) -> str:
    parts = [t("ap_unit_line", lang)]
    if facts.scenario:
        parts.append(t("ap_from_scenario", lang, scenario=facts.scenario))
    if facts.run_id is not None:
        parts.append(t("report_run_no", lang, id=facts.run_id))
    if facts.approved:
        parts.append(facts.approved)
    return " · ".join(parts)


def notes(plan: AnnualPlan, lang: str) -> list[str]:
    lines = [t("ap_note_done", lang)]
    if not plan.has_sources:
        lines.append(t("ap_note_unsplit", lang))
    if plan.sources_illustrative:
        lines.append(t("sources_illustrative_note", lang))
    if any(r.cost_is_estimate for g in plan.groups for r in g.rows):
        lines.append(t("ap_note_estimates", lang))
    return [f"{i}. {line}" for i, line in enumerate(lines, start=1)]


def plan_xlsx(plan: AnnualPlan, *, facts: PlanFacts = PlanFacts(), lang: str = "zh") -> bytes:
    """The plan as a workbook: A3 landscape, one page wide, the two header rows repeated when printed."""
    check_lang(lang)
    head = header(plan, lang)
    lines = _lines(plan, lang)
    first_money = 6
    last_money = first_money + 3 + len(_source_keys(plan))  # cost, done, year, sources…, remaining
    estimate = f'#,##0" ({t("estimate", lang)})"'
    formats = {
        (i, first_money): estimate
        for i, line in enumerate(lines, start=2)
        if line.row is not None and line.row.cost_is_estimate
    }
    formats.update({(i, 4): "#,##0" for i in range(2, len(lines) + 2)})
    year_first, year_last = first_money + 2, first_money + 2 + len(_source_keys(plan))
    return xlsx_bytes(
        [
            Sheet(
                t("ap_sheet", lang, year=plan.year),
                head,
                [line.cells for line in lines],
                money_cols=range(first_money, last_money + 1),
                freeze="C2",
                cell_formats=formats,
                title_lines=[title(plan, facts, lang), _subtitle(plan, facts, lang)],
                header_groups=[(t("ap_year_group", lang, year=plan.year), year_first, year_last)],
                row_styles={i: line.kind for i, line in enumerate(lines) if line.kind != "project"},
                notes=notes(plan, lang),
                printing=PrintSetup(paper="A3"),
            )
        ]
    )


def plan_html(
    plan: AnnualPlan, *, facts: PlanFacts = PlanFacts(), lang: str = "zh", paper: str = "A3"
) -> str:
    """The plan as an HTML document for the PDF: the same rows, the two header rows on every page."""
    check_lang(lang)
    head = header(plan, lang)
    keys = _source_keys(plan)
    group_first = 7  # 0-based: after 序号 … 截至上年底累计完成投资
    group_last = group_first + len(keys)
    top = []
    for i, label in enumerate(head):
        if i == group_first:
            top.append(f'<th colspan="{len(keys) + 1}">{esc(t("ap_year_group", lang, year=plan.year))}</th>')
        elif not group_first <= i <= group_last:
            top.append(f'<th rowspan="2">{esc(label)}</th>')
    leaf = "".join(f"<th>{esc(label)}</th>" for label in head[group_first : group_last + 1])
    header_html = f"<tr>{''.join(top)}</tr><tr>{leaf}</tr>"
    lines = _lines(plan, lang)
    rows = []
    for line in lines:
        cells = list(line.cells)
        if line.row is not None and line.row.cost_is_estimate:
            cells[5] = Markup(
                f'{money(cells[5])}<br><span class="estimate">（{esc(t("estimate", lang))}）</span>'
            )
        rows.append(cells)
    numeric = [0, 3, *range(5, group_last + 2)]
    table = documents.table_html(
        head,
        rows,
        numeric=numeric,
        row_classes=["" if line.kind == "project" else line.kind for line in lines],
        header_html=header_html,
    )
    body = (
        f'<h1 style="text-align:center">{esc(title(plan, facts, lang))}</h1>'
        f'<p class="sub">{esc(_subtitle(plan, facts, lang))}</p>{table}'
        + "".join(f'<p class="note" style="margin-top:1.5mm">{esc(n)}</p>' for n in notes(plan, lang))
    )
    return documents.html_page(
        title=title(plan, facts, lang), body=body, paper=paper, header=title(plan, facts, lang), lang=lang
    )


def plan_pdf(plan: AnnualPlan, **kw: Any) -> bytes:
    """The plan as PDF (A3 landscape by default)."""
    return documents.pdf_bytes(plan_html(plan, **kw))


def totals_of(plan: AnnualPlan) -> Mapping[str, int]:
    """The grand total's money columns by name (for checks against the schedule)."""
    return {
        "cost_wan": plan.total.cost_wan,
        "done_wan": plan.total.done_wan,
        "year_wan": plan.total.year_wan,
        "remaining_wan": plan.total.remaining_wan,
        **{f"source_{k}": v for k, v in plan.total.sources.items()},
    }
