"""The run report: a document a county can send upward, as PDF (app/files/documents.py) or the same HTML.

A title page (portfolio, scenario, budget per year, horizon, run, status and gap, who ran and approved it,
dates, the estimates note with its basis), the summary figures, the funding Gantt tiled over as many pages
as it needs (each page repeats the year header), spend against the cap, the slippage table with reasons,
the per-unit table and every project's cost with its basis. Charts are plotly figures drawn as SVG by
kaleido (app/files/figures.py) and embedded as vector images, so their text stays searchable too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.charts import gantt_figures, spend_vs_cap
from app.charts.rows import gantt_rows
from app.charts.sources import source_spend_chart, source_table, spend_words
from app.files import documents, figures
from app.files.documents import Markup, esc, table_html
from app.files.report_tables import (
    project_table,
    risk_project_table,
    risk_summary,
    risk_year_table,
    unit_table,
)
from app.i18n import category_label, check_lang, money, t
from app.rules.run_context import NO_CONTEXT, RunContext
from app.rules.seats import Objective, seat_years
from app.rules.slippage import SlippageReport

# Gantt rows (projects) per page and chart width in pixels, so a page's chart fills the landscape frame.
GANTT_ROWS = {"A4": 16, "A3": 26}
GANTT_WIDTH = {"A4": 1280, "A3": 1600}
_CHART_MM = {"A4": 160, "A3": 240}  # tallest chart on a page, under the running header


@dataclass(frozen=True, slots=True)
class RunFacts:
    """Where a schedule comes from, for the title page; None where unknown (a solution file has no run)."""

    portfolio: str | None = None
    scenario: str | None = None
    run_id: int | None = None
    run_status: str | None = None  # app.models.RunStatus value
    started_by: str | None = None
    finished_at: datetime | None = None
    approved_by: str | None = None  # the run is (or was) the portfolio's baseline
    approved_at: datetime | None = None
    rebuilt_problem: bool = False  # the CLI rebuilt the problem from the list (no run to read it from)


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """A finished cost risk analysis of the run's scenario (app/rules/risk.py figures) for the report."""

    job_id: int | None
    figures: Mapping[str, Any]
    finished_at: datetime | None = None
    same_problem: bool = True  # the analysis solved the same problem as the run (else the scenario changed)


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of a schedule."""

    projects: int
    stars: int
    late: int
    star_late: int
    deferred: int
    weighted_slippage: int | None
    seat_years: int | None  # pupil places × years late, when any project states its places
    spend_wan: int
    caps_wan: int


def summarize(
    solution: Mapping[str, Any], records: Sequence[Any], context: RunContext = NO_CONTEXT
) -> Summary:
    """Counts and totals of the schedule, ★ and places taken from the project records (the run's own count
    of places, the default for unstated ones included, when it has one)."""
    by_code = {r.code: r for r in records}
    items = solution.get("projects", [])
    scheduled = [p for p in items if p.get("scheduled")]
    late = [p for p in scheduled if (p.get("slippage") or 0) > 0]

    def star(item: Mapping[str, Any]) -> bool:
        record = by_code.get(str(item["id"]))
        return bool(record is not None and record.star)

    seats = [getattr(by_code.get(str(p["id"])), "seats_added", None) for p in items]
    seat_years_of_records = None
    if any(s for s in seats):
        seat_years_of_records = sum(
            (getattr(by_code.get(str(p["id"])), "seats_added", None) or 0) * int(p["slippage"]) for p in late
        )
    if context.seats is not None:
        seat_years_lost: int | None = seat_years(solution, context.seats).total
    else:
        seat_years_lost = seat_years_of_records
    years = solution.get("years", [])
    return Summary(
        projects=len(items),
        stars=sum(star(p) for p in items),
        late=len(late),
        star_late=sum(star(p) for p in late),
        deferred=len(items) - len(scheduled),
        weighted_slippage=solution.get("objective"),
        seat_years=seat_years_lost,
        spend_wan=sum(int(y.get("spend") or 0) for y in years),
        caps_wan=sum(int(y.get("budget") or 0) for y in years),
    )


def gap_text(solution: Mapping[str, Any], lang: str) -> str:
    """The distance to the proven bound: 0 when optimal, else (objective − bound) / objective."""
    objective, bound, status = solution.get("objective"), solution.get("bound"), solution.get("status")
    if status == "OPTIMAL":
        return t("report_gap_proven", lang)
    if objective is None or bound is None:
        return "—"
    if objective == 0:
        return "0 %"
    return t("report_gap", lang, gap=f"{100 * (objective - bound) / objective:.1f}", bound=bound)


def header_line(facts: RunFacts, lang: str) -> str:
    """The running header: portfolio · scenario · run."""
    parts = [facts.portfolio or t("report_title", lang)]
    if facts.scenario:
        parts.append(facts.scenario)
    if facts.run_id is not None:
        parts.append(t("report_run_no", lang, id=facts.run_id))
    return " · ".join(parts)


def report_html(
    solution: Mapping[str, Any],
    records: Sequence[Any],
    *,
    facts: RunFacts,
    slippage: SlippageReport | None,
    lang: str = "zh",
    paper: str = "A4",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    today: date | None = None,
    context: RunContext = NO_CONTEXT,
    risk: RiskFacts | None = None,
) -> str:
    """The whole report as one HTML document (the PDF's source; charts as embedded SVG). With funding
    sources (`context`) a page of spending by source against each quota follows spend vs cap; with `risk`,
    a cost risk page after the slippage tables."""
    check_lang(lang)
    paper = documents.check_paper(paper)
    pages = [
        _title_page(solution, records, facts, lang, today or date.today()),
        _summary_page(solution, records, lang, context),
        *gantt_tiles(
            solution, records, lang=lang, paper=paper, sort=sort, baseline=baseline, context=context
        ),
        _spend_page(solution, records, lang, paper),
    ]
    if source_table(solution):
        pages.append(_sources_page(solution, context, lang, paper))
    if slippage is not None:
        pages.append(_slippage_page(slippage, lang))
    if risk is not None:
        pages.append(_risk_page(risk, records, facts, lang, paper))
    pages.append(_costs_page(solution, records, lang))
    body = "\n".join(f'<section class="page">{p}</section>' for p in pages)
    title = f"{facts.portfolio or ''} {t('report_title', lang)}".strip()
    return documents.html_page(
        title=title, body=body, paper=paper, header=header_line(facts, lang), lang=lang
    )


def report_pdf(solution: Mapping[str, Any], records: Sequence[Any], **kw: Any) -> bytes:
    """The report as PDF (needs WeasyPrint's Pango and, for the charts, a Chromium for kaleido)."""
    return documents.pdf_bytes(report_html(solution, records, **kw))


# ── pages ────────────────────────────────────────────────────────────────────────────────────────


def _when(moment: datetime | None) -> str:
    """A moment as the office reads it, its offset from UTC shown: '2026-12-07 07:51 (UTC+08:00)'."""
    if moment is None:
        return "—"
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _estimate_note(records: Sequence[Any], solution: Mapping[str, Any], lang: str) -> str:
    codes = {str(p["id"]) for p in solution.get("projects", [])}
    estimated = [r for r in records if r.code in codes and r.cost_is_estimate and r.cost_wan is not None]
    if not estimated:
        return f"<p>{esc(t('report_no_estimates', lang))}</p>"
    total = sum(r.cost_wan for r in estimated)
    words = t("report_estimates_note", lang, n=len(estimated), total=money(total))
    return f'<p class="estimate"><b>{esc(t("estimate", lang))}</b> · {esc(words)}</p>'


def _title_page(
    solution: Mapping[str, Any], records: Sequence[Any], facts: RunFacts, lang: str, today: date
) -> str:
    years = sorted(solution.get("years", []), key=lambda y: int(y["year"]))
    horizon = f"{years[0]['year']}–{years[-1]['year']}" if years else "—"
    status = t(f"status_{solution.get('status')}", lang) if solution.get("status") else "—"
    run_status = t(f"run_status_{facts.run_status}", lang) if facts.run_status else "—"
    if facts.approved_by:
        approved = t("report_approved", lang, by=facts.approved_by, when=_when(facts.approved_at))
    else:
        approved = t("report_not_approved", lang)
    rows = [
        ("report_portfolio", facts.portfolio or "—"),
        ("report_scenario", facts.scenario or "—"),
        ("report_horizon", horizon),
        ("report_run", t("report_run_no", lang, id=facts.run_id) if facts.run_id is not None else "—"),
        ("report_run_status", run_status),
        ("report_solver_status", f"{status} · {gap_text(solution, lang)}"),
        ("report_started_by", facts.started_by or "—"),
        ("report_finished_at", _when(facts.finished_at)),
        ("report_approval", approved),
        ("report_date", today.isoformat()),
    ]
    facts_table = "".join(f"<tr><th>{esc(t(k, lang))}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    caps = table_html(
        [t("year", lang), *(str(y["year"]) for y in years)],
        [
            [t("cap", lang), *(int(y["budget"]) for y in years)],
            [t("spend", lang), *(int(y.get("spend") or 0) for y in years)],
        ],
        numeric=range(1, len(years) + 1),
    )
    notes = [_estimate_note(records, solution, lang)]
    if facts.rebuilt_problem:
        notes.append(f'<p class="note">{esc(t("report_rebuilt_problem", lang))}</p>')
    return (
        f"<h1>{esc(facts.portfolio or '')} {esc(t('report_title', lang))}</h1>"
        f'<p class="sub">{esc(t("report_subtitle", lang))}</p>'
        f'<table class="facts">{facts_table}</table>'
        f"<h2 style='margin-top:5mm'>{esc(t('report_budget_title', lang))}</h2>{caps}"
        f'<div style="margin-top:4mm">{"".join(notes)}</div>'
    )


def _summary_page(
    solution: Mapping[str, Any], records: Sequence[Any], lang: str, context: RunContext = NO_CONTEXT
) -> str:
    s = summarize(solution, records, context)
    share = f"{100 * s.spend_wan / s.caps_wan:.1f} %" if s.caps_wan else "—"
    rows: list[list[Any]] = [
        [t("report_projects", lang), s.projects],
        [t("report_stars", lang), s.stars],
        [t("report_late", lang), s.late],
        [t("report_star_late", lang), s.star_late],
        [t("report_deferred", lang), s.deferred],
        [
            t(
                "report_objective_seat_years"
                if context.objective == Objective.SEAT_YEARS
                else "report_weighted",
                lang,
            ),
            s.weighted_slippage if s.weighted_slippage is not None else "—",
        ],
    ]
    if s.seat_years is not None:
        rows.append([t("report_seat_years", lang), s.seat_years])
    rows += [
        [t("report_spend_total", lang), s.spend_wan],
        [t("report_caps_total", lang), s.caps_wan],
        [t("report_spend_share", lang), share],
    ]
    table = table_html([t("report_figure", lang), t("report_value", lang)], rows, numeric=[1])
    notes = ""
    if context.seats is not None and s.seat_years is not None:
        notes += f'<p class="note">{esc(t("seat_years_note", lang, default=context.seats.default, n=len(context.seats.assumed)))}</p>'
    return f"<h2>{esc(t('report_summary', lang))}</h2><div style='width:60%'>{table}{notes}</div>"


def gantt_tiles(
    solution: Mapping[str, Any],
    records: Sequence[Any],
    *,
    lang: str = "zh",
    paper: str = "A4",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    group: str = "category",
    collapsed: Sequence[str] = (),
    years: tuple[int | None, int | None] | None = None,
    status_date: date | None = None,
    context: RunContext = NO_CONTEXT,
) -> list[str]:
    """The funding Gantt cut into page-sized tiles (GANTT_ROWS rows each), each with the year header on
    top, as HTML of the document's pages (the charts as vector SVG). Rows are grouped and sorted once."""
    figs = gantt_figures(
        solution,
        records,
        lang=lang,
        sort=sort,
        baseline=baseline,
        group=group,
        collapsed=collapsed,
        years=years,
        page_size=GANTT_ROWS[paper],
        width=GANTT_WIDTH[paper],
        status_date=status_date,
        context=context,
    )
    return [
        documents.svg_image(figures.figure_bytes(fig, "svg"), max_height_mm=_CHART_MM[paper]) for fig in figs
    ]


def gantt_document(
    solution: Mapping[str, Any],
    records: Sequence[Any],
    *,
    facts: RunFacts,
    lang: str = "zh",
    paper: str = "A4",
    **tiles: Any,
) -> str:
    """The Gantt alone as a document (the run's `gantt.pdf`): the report's tiles, one a page, under the
    running header, with 第 N 页 / 共 M 页 at the foot. `tiles` are gantt_tiles' options."""
    check_lang(lang)
    paper = documents.check_paper(paper)
    pages = gantt_tiles(solution, records, lang=lang, paper=paper, **tiles)
    body = "\n".join(f'<section class="page">{p}</section>' for p in pages)
    header = f"{header_line(facts, lang)} · {t('gantt_title', lang)}"
    return documents.html_page(
        title=f"{facts.portfolio or ''} {t('gantt_title', lang)}".strip(),
        body=body,
        paper=paper,
        header=header,
        lang=lang,
        title_page=False,
    )


def _spend_page(solution: Mapping[str, Any], records: Sequence[Any], lang: str, paper: str) -> str:
    svg = figures.figure_bytes(spend_vs_cap(solution, records, lang=lang), "svg")
    return documents.svg_image(svg, max_height_mm=_CHART_MM[paper])


def _sources_page(solution: Mapping[str, Any], context: RunContext, lang: str, paper: str) -> str:
    """Spending by source against each quota: the stacked chart, each source's totals in words, and the
    illustrative note when the quotas are illustrative."""
    svg = figures.figure_bytes(source_spend_chart(solution, context=context, lang=lang), "svg")
    words = "".join(f"<li>{esc(w)}</li>" for w in spend_words(solution, context, lang))
    note = (
        f'<p class="estimate">{esc(t("sources_illustrative_note", lang))}</p>' if context.illustrative else ""
    )
    return documents.svg_image(svg, max_height_mm=_CHART_MM[paper] - 25) + f"<ul>{words}</ul>{note}"


def _slippage_page(report: SlippageReport, lang: str) -> str:
    header, rows = project_table(report, lang)
    late_col = header.index(t("slip_col_years_late", lang))
    classes = ["late" if (r[late_col] or 0) > 0 else "" for r in rows]
    unit_header, unit_rows = unit_table(report, lang)
    return (
        f"<h2>{esc(t('report_slippage_title', lang))}</h2>"
        + table_html(header, rows, row_classes=classes)
        + f"<h2 style='margin-top:6mm'>{esc(t('report_units_title', lang))}</h2>"
        + table_html(unit_header, unit_rows, numeric=range(1, len(unit_header)))
    )


def _costs_page(solution: Mapping[str, Any], records: Sequence[Any], lang: str) -> str:
    """Every scheduled project's cost, marked 估算 where estimated, with its basis."""
    rows = []
    for row in gantt_rows(solution, records):
        record = next((r for r in records if r.code == row.code), None)
        cost = "—" if row.cost_wan is None else money(row.cost_wan)
        if row.cost_is_estimate:
            cost = Markup(f'{esc(cost)} <span class="estimate">（{esc(t("estimate", lang))}）</span>')
        basis = getattr(record, "cost_basis", None) or t("report_basis_given", lang)
        funded = sum(row.funding.values())
        rows.append([row.code, row.name, category_label(row.category, lang), cost, funded, basis])
    header = [
        t("col_code", lang),
        t("col_name", lang),
        t("col_category", lang),
        t("col_cost", lang),
        t("report_funded", lang),
        t("col_cost_basis", lang),
    ]
    return (
        f"<h2>{esc(t('report_costs_title', lang))}</h2>"
        + table_html(header, rows, numeric=[3, 4])
        + f'<p class="note" style="margin-top:2mm">{esc(t("money_estimated_note", lang))}</p>'
    )


def _risk_page(risk: RiskFacts, records: Sequence[Any], facts: RunFacts, lang: str, paper: str) -> str:
    """Cost risk: the assumptions first (labelled as such), the headline figures, P(on time) per project
    (chart and table, ★ first) and the extra money per year."""
    from app.charts.risk import probability_chart

    f = risk.figures
    names = {r.code: r.name for r in records}
    title = t("risk_report_title", lang, id=risk.job_id if risk.job_id is not None else "—")
    intro = t(
        "risk_report_intro",
        lang,
        scenario=facts.scenario or "—",
        n=f["samples"],
        seed=f["seed"],
        when=_when(risk.finished_at),
    )
    notes = [f"<p>{esc(intro)}</p>"]
    if not risk.same_problem:
        notes.append(f'<p class="note">{esc(t("risk_report_stale", lang, when=_when(risk.finished_at)))}</p>')
    summary = risk_summary(f, lang)
    assumption = f'<p class="estimate"><b>{esc(summary[0][0])}</b> · {esc(summary[0][1])}</p>'
    figures_table = table_html([t("report_figure", lang), t("report_value", lang)], summary[1:])
    chart = figures.figure_bytes(probability_chart(f, names, lang=lang), "svg")
    header, rows = risk_project_table(f, names, lang)
    year_header, year_rows = risk_year_table(f, lang)
    return (
        f"<h2>{esc(title)}</h2>"
        + "".join(notes)
        + assumption
        + f"<div style='width:70%'>{figures_table}</div>"
        + documents.svg_image(chart, max_height_mm=_CHART_MM[paper])
        + table_html(header, rows, numeric=[3, 7])
        + f"<h2 style='margin-top:6mm'>{esc(t('risk_report_years', lang))}</h2>"
        + table_html(year_header, year_rows, numeric=[1, 2])
    )
