"""The trade-off curve and the slippage report as tables: header and rows in the reader's language, then
CSV or a workbook through app/files/tables.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.files.tables import Sheet, csv_bytes, xlsx_bytes
from app.i18n import t
from app.rules.slippage import SlippageReport, reason_label

_CURVE_COLUMNS = (
    "level",
    "mean_cap_wan",
    "budget_total_wan",
    "objective",
    "projects_late",
    "star_late",
    "deferred",
    "status",
    "proven",
    "solve_seconds",
    "note",
)


def curve_table(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the curve, one row per level (points as `CurvePoint.to_json()`)."""
    columns = list(_CURVE_COLUMNS)
    if any(p.get("seat_years") is not None for p in points):
        columns.insert(columns.index("objective") + 1, "seat_years")
    header = [t(f"curve_col_{c}", lang) for c in columns]
    rows = []
    for point in points:
        values = dict(point)
        values["proven"] = t("yes" if point["proven"] else "no", lang)
        rows.append([values.get(key) for key in columns])
    return header, rows


def curve_csv(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> bytes:
    """The curve as CSV, one row per budget level."""
    return csv_bytes(*curve_table(points, lang))


def curve_xlsx(points: Sequence[Mapping[str, Any]], lang: str = "zh") -> bytes:
    """The curve as a one-sheet workbook."""
    header, rows = curve_table(points, lang)
    return xlsx_bytes([Sheet(t("sheet_curve", lang), header, rows, money_cols=(2, 3))])


_PROJECT_COLUMNS = (
    "code",
    "name",
    "unit",
    "star",
    "planned_end",
    "baseline_end",
    "forecast_end",
    "years_late",
    "late_vs_baseline",
    "reason",
    "why",
)


_UNIT_COLUMNS = (
    "unit",
    "projects",
    "late",
    "star_late",
    "deferred",
    "years_late",
    "weighted_slippage",
    "budget_bound",
    "pace_bound",
    "predecessor_bound",
)


def project_table(report: SlippageReport, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the per-project report (the baseline columns only when there is a baseline)."""
    columns = [
        c for c in _PROJECT_COLUMNS if report.has_baseline or c not in {"baseline_end", "late_vs_baseline"}
    ]
    header = [t(f"slip_col_{c}", lang) for c in columns]
    rows = []
    for row in report.projects:
        values = {
            "code": row.code,
            "name": row.name,
            "unit": row.unit,
            "star": "★" if row.star else "",
            "planned_end": row.planned_end,
            "baseline_end": row.baseline_end,
            "forecast_end": row.forecast_end,
            "years_late": row.years_late,
            "late_vs_baseline": row.late_vs_baseline,
            "reason": reason_label(row.reason, lang),
            "why": row.why(lang),
        }
        rows.append([values[key] for key in columns])
    return header, rows


def unit_table(report: SlippageReport, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    columns = [*_UNIT_COLUMNS, *(("source_bound",) if report.has_sources else ())]
    header = [t(f"unit_col_{c}", lang) for c in columns]
    return header, [[getattr(u, key) for key in columns] for u in report.units]


def slippage_csv(report: SlippageReport, lang: str = "zh") -> bytes:
    """The per-project report as CSV."""
    return csv_bytes(*project_table(report, lang))


def slippage_xlsx(report: SlippageReport, lang: str = "zh") -> bytes:
    """Two sheets: per project and per responsible unit."""
    return xlsx_bytes(
        [
            Sheet(t("sheet_slippage_projects", lang), *project_table(report, lang)),
            Sheet(t("sheet_slippage_units", lang), *unit_table(report, lang)),
        ]
    )


# ── a cost risk analysis (issue 17) ──────────────────────────────────────────────────────────────


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def risk_summary(figures: Mapping[str, Any], lang: str = "zh") -> list[list[Any]]:
    """The headline figures as (label, value) rows, the assumptions first and labelled as such."""
    from app.i18n import money, render
    from app.rules.overruns import describe_assumptions

    budget = figures.get("budget") or {}
    pct = round(100 * budget.get("confidence", 0.8))
    if budget.get("amount_wan") is not None:
        at = t("lb_flat", lang, amount=money(budget["amount_wan"], lang))
    elif budget.get("outcome") == "none":
        at = t("risk_budget_none", lang)
    elif budget:
        at = t(
            "risk_budget_unproven",
            lang,
            low=money(budget["low"], lang),
            high=money(budget["high"] or 0, lang),
        )
    else:
        at = "—"
    least = figures["deterministic"].get("least_budget_wan")
    s = figures["slippage"]
    rows: list[list[Any]] = [
        [t("risk_assumption", lang), render(describe_assumptions(figures.get("assumptions", {})), lang)],
        [t("risk_all_stars", lang) + f"（{t('risk_rescheduled', lang)}）", _pct(figures["p_all_stars"])],
        [t("risk_all_stars", lang) + f"（{t('risk_fixed', lang)}）", _pct(figures["p_all_stars_fixed"])],
        [t("risk_budget_line", lang, pct=pct), at],
        [t("risk_least_line", lang), "—" if least is None else t("lb_flat", lang, amount=money(least, lang))],
        [t("risk_slippage_line", lang), f"{s['p50']} / {s['p80']} / {s['p90']}"],
        [t("risk_overrun_line", lang), money(figures["mean_overrun_wan"], lang)],
        [t("risk_unpaid_line", lang), money(figures["mean_unpaid_fixed_wan"], lang)],
    ]
    clock = figures.get("clock_limited_samples", 0) + sum(
        lv.get("clock_limited", 0) for lv in budget.get("levels", [])
    )
    rows.append(
        [
            "",
            t("risk_reproducible", lang)
            if figures.get("reproducible")
            else t("risk_not_reproducible", lang, n=clock),
        ]
    )
    if figures.get("unproven_samples"):
        rows.append(["", t("risk_unproven_note", lang, n=figures["unproven_samples"])])
    return rows


def risk_project_table(
    figures: Mapping[str, Any], names: Mapping[str, str] | None = None, lang: str = "zh"
) -> tuple[list[str], list[list[Any]]]:
    """One row per project, ★ first: planned end, P(on time) re-scheduled and fixed, P(by the ★ deadline)."""
    names = names or {}
    deadline = figures.get("star_deadline")
    header = [
        t("col_code", lang),
        t("risk_col_project", lang),
        "★",
        t("risk_col_planned_end", lang),
        t("risk_col_p", lang),
        t("risk_col_p_fixed", lang),
        t("risk_col_p_deadline", lang, deadline=deadline),
        t("risk_col_extra", lang),
    ]
    rows = []
    for r in sorted(figures["projects"], key=lambda r: (not r["star"], r["id"])):
        by_deadline = "—"
        if "p_by_deadline" in r:
            by_deadline = f"{_pct(r['p_by_deadline'])} / {_pct(r['p_by_deadline_fixed'])}"
        rows.append(
            [
                r["id"],
                names.get(r["id"], ""),
                "★" if r["star"] else "",
                r["planned_end"],
                _pct(r["p_on_time"]),
                _pct(r["p_on_time_fixed"]),
                by_deadline,
                round(r["mean_extra_wan"]),
            ]
        )
    return header, rows


def risk_year_table(figures: Mapping[str, Any], lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    """Expected extra money per year: the change in spend when re-scheduled, the overrun paid by the fixed plan."""
    header = [
        t("risk_col_year", lang),
        t("risk_col_extra_rescheduled", lang),
        t("risk_col_extra_fixed", lang),
    ]
    rows = [
        [y["year"], round(y["rescheduled_wan"]), round(y["fixed_wan"])] for y in figures["extra_per_year"]
    ]
    return header, rows


def risk_xlsx(figures: Mapping[str, Any], names: Mapping[str, str] | None = None, lang: str = "zh") -> bytes:
    """The figures as a workbook: summary (the assumptions first), projects, years."""
    summary = risk_summary(figures, lang)
    header, rows = risk_project_table(figures, names, lang)
    year_header, year_rows = risk_year_table(figures, lang)
    return xlsx_bytes(
        [
            Sheet(t("risk_title", lang), [t("report_figure", lang), t("report_value", lang)], summary),
            Sheet(t("risk_col_project", lang), header, rows, money_cols=(8,)),
            Sheet(t("risk_col_year", lang), year_header, year_rows, money_cols=(2, 3)),
        ]
    )
