"""Files from a run: charts as JSON/HTML/PNG/SVG/PDF and the schedule as CSV/XLSX.

HTML is self-contained (plotly.js inline) and needs nothing else. PNG/SVG/PDF are drawn by kaleido in a
Chromium found on the machine (`CAPSCHED_CHROMIUM`, `BROWSER_PATH`, or `chromium` on PATH); one browser
is started on first use and kept for later exports, because starting it costs about two seconds.
Without a browser these raise ExportUnavailable, whose message says how to install one.
"""

from __future__ import annotations

import asyncio
import atexit
import csv
import io
import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from app.charts import (
    DEFAULT_PAGE_SIZE,
    GanttRow,
    funding_gantt,
    gantt_pages,
    gantt_rows,
    slippage_chart,
    spend_vs_cap,
)
from app.i18n import Message, category_label, check_lang, render, status_label, t

FIGURE_FORMATS: tuple[str, ...] = ("json", "html", "png", "svg", "pdf")
STATIC_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
SCHEDULE_FORMATS: tuple[str, ...] = ("csv", "xlsx")
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
INSTALL_ADVICE = t("export_needs_browser", "en")  # the CLI's words; over HTTP in the reader's language
_TYPICAL_BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
_RENDER_TIMEOUT_S = 180.0
_PNG_SCALE = 2  # report-grade: twice the layout's pixels
_log = logging.getLogger(__name__)


class ExportUnavailable(RuntimeError):
    """A static chart format cannot be made on this machine (no browser); the message says what to do.

    `str()` is English (the CLI's words); `render(lang)` writes the same advice in the reader's language.
    """

    def __init__(self, message: str | Message = Message("export_needs_browser")) -> None:
        self.text = message
        super().__init__(str(message))

    def render(self, lang: str = "zh") -> str:
        return render(self.text, lang)


class ExportError(ValueError):
    """A request for a file we cannot make (unknown format or suffix); the message names the choices."""


# ---------------------------------------------------------------------------------------------- charts


def figure_bytes(fig: go.Figure, fmt: str) -> bytes:
    """One figure as json, html (self-contained), png, svg or pdf bytes."""
    if fmt == "json":
        return fig.to_json().encode("utf-8")
    if fmt == "html":
        return figures_html([fig])
    if fmt == "pdf":
        return figures_pdf([fig])
    if fmt in STATIC_FORMATS:
        return _RENDERER.render(fig, fmt)
    raise ExportError(f"unknown chart format {fmt!r}: use one of {', '.join(FIGURE_FORMATS)}")


def figures_html(figs: Sequence[go.Figure], *, title: str = "capsched") -> bytes:
    """Several figures in one offline HTML page (plotly.js inlined once)."""
    parts = [
        fig.to_html(
            full_html=False,
            include_plotlyjs=(i == 0),
            config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": _PNG_SCALE}},
        )
        for i, fig in enumerate(figs)
    ]
    body = "\n".join(f'<section style="margin:0 auto 32px;width:max-content">{p}</section>' for p in parts)
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{title}</title></head>\n<body style="margin:16px;background:#fff">\n{body}\n</body></html>\n'
    )
    return page.encode("utf-8")


def figures_pdf(figs: Sequence[go.Figure]) -> bytes:
    """Several figures as one PDF, one page per figure (each page sized to its chart)."""
    from pypdf import PdfWriter  # only PDF reports need it

    writer = PdfWriter()
    for fig in figs:
        writer.append(io.BytesIO(_RENDERER.render(fig, "pdf")))
    title = re.sub(r"<[^>]+>", "", (figs[0].layout.title.text or "") if figs else "")
    writer.add_metadata({"/Title": title or "capsched", "/Creator": "capsched"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def gantt_figures(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
    page_size: int | None = DEFAULT_PAGE_SIZE,
) -> list[go.Figure]:
    """Every page of the funding Gantt (one figure for a portfolio that fits on a page)."""
    n_rows = len(solution.get("projects", []))
    return [
        funding_gantt(
            solution, projects, lang=lang, sort=sort, baseline=baseline, page=page, page_size=page_size
        )
        for page in range(1, gantt_pages(n_rows, page_size) + 1)
    ]


def report_figures(
    solution: Mapping[str, Any],
    projects: Sequence[Any],
    *,
    lang: str = "zh",
    sort: str = "start",
    baseline: Mapping[str, Any] | None = None,
) -> list[go.Figure]:
    """The report: Gantt page(s), then spend against the cap, then slippage."""
    figs = gantt_figures(solution, projects, lang=lang, sort=sort, baseline=baseline)
    return [*figs, spend_vs_cap(solution, projects, lang=lang), slippage_chart(solution, projects, lang=lang)]


def write_figures(path: Path, figs: Sequence[go.Figure]) -> list[Path]:
    """Write figures to `path` by its suffix: one HTML or PDF holding all; PNG/SVG one file per figure
    (the second as name-2.png, …). Returns the files written."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "html":
        path.write_bytes(figures_html(figs))
        return [path]
    if fmt == "pdf":
        path.write_bytes(figures_pdf(figs))
        return [path]
    if fmt in ("png", "svg", "json"):
        written = []
        for i, fig in enumerate(figs, start=1):
            target = path if i == 1 else path.with_name(f"{path.stem}-{i}{path.suffix}")
            target.write_bytes(figure_bytes(fig, fmt))
            written.append(target)
        return written
    raise ExportError(f"{path.name}: a chart file must end in .html, .png, .svg or .pdf")


# ------------------------------------------------------------------------------------ static renderer


def find_chromium() -> str | None:
    """The browser kaleido should drive: CAPSCHED_CHROMIUM, else what choreographer finds (it honours
    BROWSER_PATH and looks for chromium/chrome on PATH), else a Debian/Ubuntu default path."""
    configured = os.environ.get("CAPSCHED_CHROMIUM")  # TODO: move to app.settings.Settings.chromium
    if configured:
        return configured if _is_executable(configured) else None
    from choreographer.browsers.chromium import Chromium

    found = Chromium.find_browser(skip_local=False)
    if found and _is_executable(found):
        return found
    return next((p for p in _TYPICAL_BROWSERS if _is_executable(p)), None)


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


class _StaticRenderer:
    """One kaleido browser in a background event loop, shared by every export in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None

    def render(self, fig: go.Figure, fmt: str) -> bytes:
        with self._lock:
            try:
                return self._render(fig, fmt)
            except (ExportUnavailable, FutureTimeout):
                raise
            except Exception:  # the browser may have died since the last export: start afresh, once
                self._close()
                return self._render(fig, fmt)

    def _render(self, fig: go.Figure, fmt: str) -> bytes:
        self._open()
        opts = {"format": fmt, "scale": _PNG_SCALE if fmt == "png" else 1}
        job = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig, opts=opts), self._loop)
        return job.result(timeout=_RENDER_TIMEOUT_S)

    def _open(self) -> None:
        if self._kaleido is not None:
            return
        path = find_chromium()
        if path is None:
            raise ExportUnavailable(Message("export_needs_browser"))
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="capsched-kaleido", daemon=True).start()

        async def start() -> Any:
            import kaleido

            k = kaleido.Kaleido(path=path, mathjax=False, n=1)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=60)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            advice = Message("export_needs_browser")
            words = Message("export_browser_failed", path=path, reason=exc, advice=advice)
            raise ExportUnavailable(words) from None
        self._loop = loop
        # Registered after the browser's temporary profile exists, so it runs before that profile's own
        # clean-up at exit (atexit is last-in, first-out) and Chromium is gone when the folder is removed.
        atexit.register(self.close)

    def _close(self) -> None:
        if self._kaleido is None or self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(timeout=20)
        except Exception:  # closing a dead browser fails; nothing is left to release
            _log.debug("kaleido browser was already gone", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._kaleido, self._loop = None, None

    def close(self) -> None:
        with self._lock:
            self._close()


_RENDERER = _StaticRenderer()


def close_static_renderer() -> None:
    """Stop the shared browser (the next static export starts a new one)."""
    _RENDERER.close()


# ------------------------------------------------------------------------------------------- schedule


def schedule_years(solution: Mapping[str, Any]) -> list[int]:
    """The horizon's years, plus any funded year outside it."""
    years = {int(y["year"]) for y in solution.get("years", [])}
    for item in solution.get("projects", []):
        years |= {int(y) for y in (item.get("funding") or {})}
    return sorted(years)


def _cost_basis(row: GanttRow, lang: str) -> str:
    if row.cost_wan is None:
        return ""
    return t("estimated" if row.cost_is_estimate else "approved", lang)


def _project_fields(row: GanttRow, slippage: int | None, lang: str) -> list[Any]:
    return [
        row.code,
        row.name,
        category_label(row.category, lang),
        "★" if row.star else "",
        status_label(row.status, lang),
        t("yes" if row.scheduled else "no", lang),
        row.start,
        row.end,
        row.ghost_start,
        row.ghost_end,
        slippage,
        row.cost_wan,
        _cost_basis(row, lang),
    ]


_PROJECT_HEADERS = (
    "col_code",
    "col_name",
    "col_category",
    "col_star",
    "col_status",
    "col_scheduled",
    "col_start",
    "col_end",
    "col_planned_start",
    "col_planned_end",
    "col_slippage",
    "col_cost",
    "col_cost_basis",
)


def _slippages(solution: Mapping[str, Any]) -> dict[str, int | None]:
    return {str(p["id"]): p.get("slippage") for p in solution.get("projects", [])}


def schedule_csv(solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh") -> bytes:
    """The schedule as CSV in UTF-8 with a BOM (Excel then shows Chinese): one row per project with its
    start, end, slippage, ★, status and cost (marked 估算 when estimated), then one column per year."""
    check_lang(lang)
    rows = gantt_rows(solution, projects)
    years = schedule_years(solution)
    slip = _slippages(solution)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*(t(h, lang) for h in _PROJECT_HEADERS), *map(str, years), t("col_total", lang)])
    for row in rows:
        draws = [row.funding.get(y, 0) for y in years]
        writer.writerow([*_csv_cells(_project_fields(row, slip.get(row.code), lang)), *draws, sum(draws)])
    return out.getvalue().encode("utf-8-sig")


def _csv_cells(values: list[Any]) -> list[Any]:
    return ["" if v is None else v for v in values]


def schedule_xlsx(solution: Mapping[str, Any], projects: Sequence[Any], *, lang: str = "zh") -> bytes:
    """The schedule as an Excel workbook: the project × year matrix (totals row and column), the projects
    (start, end, slippage, ★, status, cost marked 估算), and the years (cap, spend, headroom)."""
    from openpyxl import Workbook

    check_lang(lang)
    rows = gantt_rows(solution, projects)
    wb = Workbook()
    _matrix_sheet(wb.active, rows, schedule_years(solution), lang)
    _projects_sheet(wb.create_sheet(), rows, _slippages(solution), lang)
    _years_sheet(wb.create_sheet(), solution, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_MONEY = "#,##0"


def _matrix_sheet(ws: Any, rows: list[GanttRow], years: list[int], lang: str) -> None:
    ws.title = t("sheet_schedule", lang)
    head = [t("col_code", lang), t("col_name", lang), t("col_category", lang), t("col_star", lang)]
    ws.append([*head, *years, t("col_total", lang)])
    for row in rows:
        draws = [row.funding.get(y) or None for y in years]  # blank, not 0, where nothing is drawn
        total = sum(row.funding.get(y, 0) for y in years)
        ws.append(
            [row.code, row.name, category_label(row.category, lang), "★" if row.star else "", *draws, total]
        )
    totals = [sum(r.funding.get(y, 0) for r in rows) for y in years]
    ws.append([t("total", lang), None, None, None, *totals, sum(totals)])
    first_money, last_col = len(head) + 1, len(head) + len(years) + 1
    _style(ws, money_cols=range(first_money, last_col + 1), freeze="C2", total_row=True)


def _projects_sheet(ws: Any, rows: list[GanttRow], slip: dict[str, int | None], lang: str) -> None:
    ws.title = t("sheet_projects", lang)
    ws.append([t(h, lang) for h in _PROJECT_HEADERS])
    cost_col = _PROJECT_HEADERS.index("col_cost") + 1
    for i, row in enumerate(rows, start=2):
        ws.append(_project_fields(row, slip.get(row.code), lang))
        if row.cost_is_estimate:  # still a number; the format writes 估算 after it
            ws.cell(i, cost_col).number_format = f'#,##0" ({t("estimate", lang)})"'
    _style(ws, money_cols=[cost_col], freeze="C2")


def _years_sheet(ws: Any, solution: Mapping[str, Any], lang: str) -> None:
    ws.title = t("sheet_years", lang)
    shortfall = {int(k): v for k, v in ((solution.get("diagnostics") or {}).get("shortfall") or {}).items()}
    heads = ["col_year", "col_cap", "col_spend", "col_headroom"] + (["col_shortfall"] if shortfall else [])
    ws.append([t(h, lang) for h in heads])
    for y in sorted(solution.get("years", []), key=lambda y: int(y["year"])):
        year, cap, spend = int(y["year"]), int(y["budget"]), int(y.get("spend") or 0)
        ws.append([year, cap, spend, cap - spend] + ([shortfall.get(year, 0)] if shortfall else []))
    _style(ws, money_cols=range(2, len(heads) + 1), freeze="A2")


def _style(ws: Any, *, money_cols: Any, freeze: str, total_row: bool = False) -> None:
    """Bold shaded header, thousands separators, frozen header, widths that fit Chinese text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="E8ECF3")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col in money_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.number_format == "General":
                cell.number_format = _MONEY
    if total_row:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
    ws.freeze_panes = freeze
    for idx, column in enumerate(ws.iter_cols(), start=1):
        widest = max((_display_width(c.value, c.number_format) for c in column), default=4)
        ws.column_dimensions[get_column_letter(idx)].width = min(48, max(6, widest + 2))


def _display_width(value: Any, number_format: str) -> int:
    """Characters a cell needs, counting a Chinese character as two."""
    if value is None:
        return 0
    text = f"{value:,}" if isinstance(value, int) and number_format != "General" else str(value)
    if "估算" in number_format or "estimate" in number_format:
        text += " (估算)"
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
