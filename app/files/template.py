"""The project-list template: an XLSX with the importer's columns under Chinese headers, dropdowns (data
validation) for category, nature, status, responsible unit and ★, whole-number checks on years and money,
the rows of a (names-only) list pre-filled and the figures a draft still lacks shaded. Filled in and
imported again, it becomes a runnable portfolio; the importer reads its first sheet, the second explains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.files.importer import FIRST_YEAR, LAST_YEAR
from app.files.tables import Sheet, Validation, xlsx_bytes
from app.i18n import check_lang, t
from app.i18n.words import STATUSES
from app.rules.portfolio import COLUMNS, SCHEDULE_FIGURES

# Headers the importer reads back (app/files/importer.py _ALIASES; a unit in brackets is ignored).
HEADERS_ZH: dict[str, str] = {
    "code": "项目编号",
    "name": "项目名称",
    "category": "项目细类",
    "location": "建设地址",
    "nature": "建设性质",
    "floor_area_m2": "建筑面积（m²）",
    "purchase_area_m2": "购置面积（m²）",
    "land_area_mu": "占地面积（亩）",
    "planned_start": "计划开工年份",
    "planned_end": "计划完工年份",
    "star": "★（十四五期间完工）",
    "status": "项目进展情况",
    "responsible_unit": "项目责任单位",
    "cost_wan": "总投资（万元）",
    "cost_basis": "投资依据",
    "spent_wan": "已完成投资（万元）",
    "seats_added": "新增学位",
    "seats_source": "学位来源",
}

CATEGORIES: tuple[str, ...] = (
    "学前教育",
    "义务教育",
    "普通高中教育",
    "职业教育",
    "特殊教育",
    "继续教育",
    "高等教育",
    "社区教育",
    "老年教育",
)
NATURES: tuple[str, ...] = (
    "新建",
    "续建",
    "改扩建",
    "扩建",
    "迁建",
    "复建",
    "扩容",
    "综合改造",
    "改善办学条件",
)
DEFAULT_UNITS: tuple[str, ...] = ("县教委", "区教委")
STAR = "★"


def _choices(fixed: Sequence[str], found: Sequence[str | None]) -> list[str]:
    return list(dict.fromkeys([*fixed, *(f for f in found if f)]))


def _cell(record: Any, column: str) -> Any:
    value = getattr(record, column)
    if column == "star":
        return STAR if value else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def template_xlsx(records: Sequence[Any] = (), *, lang: str = "zh") -> bytes:
    """The template with `records` pre-filled (a names-only list's rows, or a portfolio's projects)."""
    check_lang(lang)
    col = {name: i for i, name in enumerate(COLUMNS, start=1)}
    header = [HEADERS_ZH[c] if lang == "zh" else c for c in COLUMNS]
    rows = [[_cell(r, c) for c in COLUMNS] for r in records]
    missing = {
        (i, col[name])
        for i, r in enumerate(records, start=2)
        for name in SCHEDULE_FIGURES
        if getattr(r, name) is None
    }
    years = t("tpl_prompt_year", lang, first=FIRST_YEAR, last=LAST_YEAR)
    validations = [
        Validation(
            col["category"],
            _choices(CATEGORIES, [r.category for r in records]),
            prompt=t("tpl_prompt_list", lang),
        ),
        Validation(
            col["nature"], _choices(NATURES, [r.nature for r in records]), prompt=t("tpl_prompt_list", lang)
        ),
        Validation(
            col["status"],
            _choices(tuple(STATUSES), [r.status for r in records]),
            prompt=t("tpl_prompt_list", lang),
        ),
        Validation(
            col["responsible_unit"],
            _choices(
                () if any(r.responsible_unit for r in records) else DEFAULT_UNITS,
                [r.responsible_unit for r in records],
            ),
            prompt=t("tpl_prompt_list", lang),
        ),
        Validation(
            col["star"],
            [STAR],
            strict=True,
            prompt=t("tpl_prompt_star", lang),
            error=t("tpl_error_star", lang),
        ),
        Validation(
            col["planned_start"], whole=(FIRST_YEAR, LAST_YEAR), strict=True, prompt=years, error=years
        ),
        Validation(col["planned_end"], whole=(FIRST_YEAR, LAST_YEAR), strict=True, prompt=years, error=years),
        Validation(
            col["cost_wan"],
            whole=(1, 10**8),
            strict=True,
            prompt=t("tpl_prompt_cost", lang),
            error=t("tpl_prompt_cost", lang),
        ),
        Validation(col["spent_wan"], whole=(0, 10**8), strict=True, prompt=t("tpl_prompt_cost", lang)),
    ]
    projects = Sheet(
        t("tpl_sheet", lang),
        header,
        rows,
        money_cols=[col["cost_wan"], col["spent_wan"]],
        freeze="C2",
        validations=validations,
        missing=missing,
    )
    guide = Sheet(
        t("tpl_guide_sheet", lang),
        [t("tpl_guide_header", lang)],
        [[t(f"tpl_guide_{i}", lang)] for i in range(1, 6)],
    )
    return xlsx_bytes([projects, guide])
