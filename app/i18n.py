"""Every user-facing label of charts and exports in Chinese (default) and English, in one place.

Project names stay as the portfolio file spells them; category and status words are translated when a
translation is known and shown as given otherwise.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # charts
    "gantt_title": ("项目资金排程甘特图", "Project funding schedule (Gantt)"),
    "spend_title": ("年度支出与预算上限", "Annual spend vs budget cap"),
    "slippage_title": ("项目延期（年）", "Project slippage (years)"),
    "year": ("年度", "Year"),
    "years_late": ("延期年数", "Years late"),
    "wan": ("万元", "10k CNY"),
    "amount_axis": ("金额（万元）", "Amount (10k CNY)"),
    "planned": ("计划期", "Planned"),
    "baseline": ("基准计划", "Baseline"),
    "late": ("延期部分", "Late part"),
    "late_years": ("+{n}年", "+{n} yr"),
    "deferred_group": ("暂缓（未排入本期）", "Deferred (not scheduled)"),
    "deferred": ("暂缓", "deferred"),
    "plan_end": ("规划期末 {year}", "Plan period ends {year}"),
    "cap": ("预算上限", "Budget cap"),
    "headroom": ("余 {amount}", "{amount} left"),
    "over_cap": ("超 {amount}", "{amount} over"),
    "shortfall": ("资金缺口", "Shortfall"),
    "shortfall_text": ("缺口 {amount}", "short {amount}"),
    "spend": ("支出", "Spend"),
    "total": ("合计", "Total"),
    "star": ("★ 重点项目", "★ key project"),
    "estimate": ("估算", "estimate"),
    "money_estimated_note": (
        "金额为估算（万元，建筑面积×单位造价，依据见 data/README.md）",
        "amounts are estimates (万元: floor area × unit cost, basis in data/README.md)",
    ),
    "page": ("第 {page}/{pages} 页", "page {page} of {pages}"),
    "projects_count": ("{n} 个项目", "{n} projects"),
    "no_slippage": ("所有已排入项目均按计划完成", "Every scheduled project finishes on plan"),
    "top_n": ("延期最多的前 {n} 项（共 {total} 项延期）", "Top {n} of {total} late projects"),
    "objective": ("加权延期 {value} 项目·年", "weighted slippage {value} project-years"),
    "status_OPTIMAL": ("最优", "optimal"),
    "status_FEASIBLE": ("可行（未证最优）", "feasible (not proven optimal)"),
    "status_INFEASIBLE": ("无可行方案", "infeasible"),
    "status_UNKNOWN": ("限时内未找到方案", "no schedule in time"),
    # hover
    "h_category": ("类别", "Category"),
    "h_scheduled": ("排程", "Scheduled"),
    "h_planned": ("计划", "Planned"),
    "h_slippage": ("延期", "Slippage"),
    "h_cost": ("总投资", "Cost"),
    "h_status": ("状态", "Status"),
    "h_unit": ("责任单位", "Responsible unit"),
    "on_plan": ("按期", "on plan"),
    # exports
    "sheet_schedule": ("排程", "schedule"),
    "sheet_projects": ("项目", "projects"),
    "sheet_years": ("年度", "years"),
    "col_code": ("编号", "Code"),
    "col_name": ("项目名称", "Project"),
    "col_category": ("类别", "Category"),
    "col_star": ("重点(★)", "Key (★)"),
    "col_status": ("状态", "Status"),
    "col_scheduled": ("是否排入", "Scheduled"),
    "col_start": ("开始年", "Start"),
    "col_end": ("结束年", "End"),
    "col_planned_start": ("计划开始年", "Planned start"),
    "col_planned_end": ("计划结束年", "Planned end"),
    "col_slippage": ("延期(年)", "Slippage (yr)"),
    "col_cost": ("总投资(万元)", "Cost (10k CNY)"),
    "col_cost_basis": ("投资依据", "Cost basis"),
    "col_total": ("合计(万元)", "Total (10k CNY)"),
    "col_year": ("年度", "Year"),
    "col_cap": ("预算上限(万元)", "Cap (10k CNY)"),
    "col_spend": ("支出(万元)", "Spend (10k CNY)"),
    "col_headroom": ("结余(万元)", "Headroom (10k CNY)"),
    "col_shortfall": ("缺口(万元)", "Shortfall (10k CNY)"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "estimated": ("估算", "estimated"),
    "approved": ("核定", "approved"),
}

# Category and status words of the seed and of typical county education portfolios.
_CATEGORIES: dict[str, str] = {
    "幼儿园": "Kindergarten",
    "学前教育": "Pre-school",
    "小学": "Primary school",
    "初中": "Junior secondary",
    "九年一贯制": "Nine-year school",
    "义务教育": "Compulsory education",
    "高中": "Senior secondary",
    "普通高中": "Senior secondary",
    "普通高中教育": "Senior secondary",
    "继续教育": "Continuing education",
    "高中教育": "Senior secondary",
    "完全中学": "Complete secondary",
    "职业教育": "Vocational education",
    "中职": "Vocational school",
    "特殊教育": "Special education",
    "教师周转房": "Teacher housing",
    "学生宿舍": "Student dormitories",
    "信息化": "Digital infrastructure",
    "教育信息化": "Digital infrastructure",
    "运动场": "Sports grounds",
    "食堂": "Canteens",
    "其他": "Other",
    "未分类": "Uncategorised",
}

_STATUSES: dict[str, str] = {
    "已完工": "completed",
    "完工": "completed",
    "在建": "under construction",
    "续建": "continuing",
    "新建": "new",
    "拟建": "proposed",
    "前期": "preparation",
    "前期工作": "preparation",
    "未开工": "not started",
    "已开工": "started",
    "规划": "planned",
    "规划项目": "planned",
    "已开工建设": "under construction",
    "正在进行选址": "selecting a site",
    "前期进展阶段": "early preparation",
    "完成立项、可研": "approved, feasibility study done",
    "已完成施工图审查": "construction drawings approved",
    "施工图审查": "construction drawings under review",
}

UNCATEGORISED = "未分类"


def check_lang(lang: str) -> Lang:
    """Return lang if it is one we speak, else raise ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The label `key` in `lang`, with {placeholders} filled from values."""
    zh, en = _LABELS[key]
    text = en if check_lang(lang) == "en" else zh
    return text.format(**values) if values else text


def category_label(category: str, lang: str = "zh") -> str:
    """A category as shown: the portfolio's own word in Chinese, its translation (if known) in English."""
    if check_lang(lang) == "zh":
        return category
    return _CATEGORIES.get(category, category)


def status_label(status: str | None, lang: str = "zh") -> str:
    """A status word as shown ('' when the file leaves it blank)."""
    if not status:
        return ""
    if check_lang(lang) == "zh":
        return status
    return _STATUSES.get(status, status)


def money(amount: int | float, lang: str = "zh") -> str:
    """An amount in 万元 with thousands separators, e.g. '12,000'."""
    check_lang(lang)
    return f"{round(amount):,}"
