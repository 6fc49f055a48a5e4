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
