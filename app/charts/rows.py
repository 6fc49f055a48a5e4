"""A project as every chart and table sees it: the record's words joined with a run's schedule and its
ghost (the approved plan's years) and, when finance has approved one, the baseline's years."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.charts.text import plain
from app.i18n import UNCATEGORISED, category_label, money, status_label, t
from app.rules.run_context import NO_CONTEXT, RunContext

_MAX_LABEL = 20  # characters of a project name shown on the axis; the hover has it whole


@dataclass(frozen=True, slots=True)
class GanttRow:
    """One project as the charts see it: the record's words joined with the run's schedule."""

    code: str
    name: str
    category: str
    star: bool
    status: str | None
    responsible_unit: str | None
    cost_wan: int | None
    cost_is_estimate: bool
    scheduled: bool
    start: int | None
    end: int | None
    ghost_start: int | None  # the approved plan's interval, drawn behind the bar
    ghost_end: int | None
    funding: Mapping[int, int]
    baseline_start: int | None = None  # the baseline's scheduled years (None: no baseline, or deferred in it)
    baseline_end: int | None = None
    sources: Mapping[int, Mapping[str, int]] = field(default_factory=dict)  # year → source id → 万元 (v2)

    @property
    def late_years(self) -> int:
        """Years the bar runs past the plan's end (0 when on plan or not comparable)."""
        if not self.scheduled or self.end is None or self.ghost_end is None:
            return 0
        return max(0, self.end - self.ghost_end)

    def label(self) -> str:
        """The name as an axis shows it (chart text: plain, never HTML), shortened, ★ first."""
        name = self.name if len(self.name) <= _MAX_LABEL else self.name[: _MAX_LABEL - 1] + "…"
        return plain(f"★ {name}" if self.star else name)


def gantt_rows(
    solution: Mapping[str, Any], projects: Sequence[Any], *, baseline: Mapping[str, Any] | None = None
) -> list[GanttRow]:
    """Join the solution's schedules with the portfolio records (solution order; unknown codes by code)."""
    records = {p.code: p for p in projects}
    base = {p["id"]: p for p in (baseline or {}).get("projects", [])}
    rows = []
    for item in solution.get("projects", []):
        code = str(item["id"])
        rec = records.get(code)
        ghost_start, ghost_end = _planned_interval(rec)
        baseline_start, baseline_end = _baseline_interval(base.get(code))
        rows.append(
            GanttRow(
                code=code,
                name=(rec.name if rec is not None and rec.name else code),
                category=(rec.category if rec is not None and rec.category else UNCATEGORISED),
                star=bool(rec.star) if rec is not None else False,
                status=rec.status if rec is not None else None,
                responsible_unit=rec.responsible_unit if rec is not None else None,
                cost_wan=rec.cost_wan if rec is not None else None,
                cost_is_estimate=bool(rec.cost_is_estimate) if rec is not None else False,
                scheduled=bool(item.get("scheduled")),
                start=item.get("start"),
                end=item.get("end"),
                ghost_start=ghost_start,
                ghost_end=ghost_end,
                funding={int(y): int(v) for y, v in (item.get("funding") or {}).items() if int(v)},
                baseline_start=baseline_start,
                baseline_end=baseline_end,
                sources={
                    int(y): {k: int(v) for k, v in split.items() if int(v)}
                    for y, split in (item.get("sources") or {}).items()
                },
            )
        )
    return rows


def _baseline_interval(base_item: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """The baseline's scheduled years of a project (None when it has none)."""
    if base_item is not None and base_item.get("scheduled") and base_item.get("start") is not None:
        return int(base_item["start"]), int(base_item["end"])
    return None, None


def _planned_interval(record: Any) -> tuple[int | None, int | None]:
    """The record's planned years: the approved plan."""
    if record is None or record.planned_end is None:
        return None, None
    start = record.planned_start if record.planned_start is not None else record.planned_end
    return int(start), int(record.planned_end)


def category_order(rows: Sequence[GanttRow], projects: Sequence[Any]) -> list[str]:
    """Categories in the portfolio file's order, then any the file does not know."""
    order: list[str] = []
    for p in projects:
        if p.category and p.category not in order:
            order.append(p.category)
    for r in rows:
        if r.category not in order:
            order.append(r.category)
    return order


def draw_by_source(r: GanttRow, year: int, lang: str, context: RunContext = NO_CONTEXT) -> str:
    """A year's draw split by source, e.g. "中央预算内投资 2,000 · 县级自筹 1,000" ('' without sources);
    source names are the office's words, shown plain."""
    split = r.sources.get(year) or {}
    order = [s.id for s in context.sources]
    ids = sorted(split, key=lambda k: (order.index(k) if k in order else len(order), k))
    return " · ".join(f"{plain(context.name_of(k))} {money(split[k])}" for k in ids)


def hover(r: GanttRow, lang: str, context: RunContext = NO_CONTEXT) -> str:
    """A project's hover text: our own markup (<b>, <br>) around its words, which are shown plain."""
    parts = [
        f"<b>{'★ ' if r.star else ''}{plain(r.name)}</b> ({plain(r.code)})",
        f"{t('h_category', lang)}: {plain(category_label(r.category, lang))}",
    ]
    if r.scheduled:
        parts.append(f"{t('h_scheduled', lang)}: {r.start}–{r.end}")
    else:
        parts.append(f"{t('h_scheduled', lang)}: {t('deferred', lang)}")
    if r.ghost_end is not None:
        parts.append(f"{t('h_planned', lang)}: {r.ghost_start}–{r.ghost_end}")
    if r.baseline_end is not None:
        parts.append(f"{t('h_baseline', lang)}: {r.baseline_start}–{r.baseline_end}")
    if r.scheduled:
        late = t("late_years", lang, n=r.late_years) if r.late_years else t("on_plan", lang)
        parts.append(f"{t('h_slippage', lang)}: {late}")
    if r.cost_wan is not None:
        est = f"（{t('estimate', lang)}）" if r.cost_is_estimate else ""
        parts.append(f"{t('h_cost', lang)}: {money(r.cost_wan)} {t('wan', lang)}{est}")
    if r.status:
        parts.append(f"{t('h_status', lang)}: {plain(status_label(r.status, lang))}")
    if r.responsible_unit:
        parts.append(f"{t('h_unit', lang)}: {plain(r.responsible_unit)}")
    for year, amount in sorted(r.funding.items()):
        split = draw_by_source(r, year, lang, context)
        parts.append(f"  {year}: {money(amount)} {t('wan', lang)}" + (f"（{split}）" if split else ""))
    if r.sources and context.illustrative:
        parts.append(t("sources_illustrative_short", lang))
    return "<br>".join(parts)
