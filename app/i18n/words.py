"""Every word a reader sees, in Chinese and English, in one place: labels of charts, tables and exports,
category and status words, field and thing names, and every message (errors, run messages, the solver's
diagnostics). app/i18n/core.py looks them up; nothing else in the app keeps its own table.

Each entry of LABELS and MESSAGES is (Chinese, English) with {placeholders}; CATEGORIES and STATUSES map the
portfolio's Chinese words to English; FIELD_LABELS and NOUNS give Chinese for field names and things.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
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
    # issue 14 (scale-page): the Gantt's frozen label columns and its groups by unit or status
    "gantt_col_code": ("项目编号", "Code"),
    "gantt_col_name": ("项目名称", "Project"),
    "gantt_col_unit": ("责任单位", "Unit"),
    "gantt_no_unit": ("未填责任单位", "no unit given"),
    "gantt_no_status": ("未填状态", "no status given"),
    # end issue 14 (scale-page)
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
    "h_baseline": ("基准", "Baseline"),
    "status_date": ("状态日期 {date}", "status date {date}"),
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
    # the budget trade-off curve (app/charts/curve.py)
    "curve_title": ("预算与延期权衡曲线", "Budget trade-off curve"),
    "curve_x": ("年均预算（万元/年）", "Mean annual budget (10k CNY a year)"),
    "curve_y": ("加权延期（项目·年）", "Weighted slippage (project-years)"),
    "curve_y2": ("★ 重点项目延期个数", "★ key projects late"),
    "curve_slippage": ("加权延期", "Weighted slippage"),
    "curve_unproven": ("加权延期（未证最优）", "Weighted slippage (not proven optimal)"),
    "curve_star_late": ("★ 延期", "★ late"),
    "curve_infeasible": ("无可行方案", "No feasible schedule"),
    "curve_unknown": ("限时内未找到方案", "No schedule in time"),
    "curve_current": ("当前预算 {amount}", "Current budget {amount}"),
    "curve_hover": (
        "年均预算 {mean}<br>合计 {total}<br>加权延期 {objective}<br>延期项目 {late}<br>★ 延期 {star}<br>暂缓 {deferred}<br>{status}",
        "Mean cap {mean}<br>Total {total}<br>Weighted slippage {objective}<br>Late {late}<br>★ late {star}<br>Deferred {deferred}<br>{status}",
    ),
    "curve_hover_seats": ("学位·年 {seat_years}", "Seat-years {seat_years}"),
    "curve_hover_seat_objective": (
        "年均预算 {mean}<br>合计 {total}<br>学位·年 {objective}<br>延期项目 {late}<br>★ 延期 {star}<br>暂缓 {deferred}<br>{status}",
        "Mean cap {mean}<br>Total {total}<br>Seat-years {objective}<br>Late {late}<br>★ late {star}<br>Deferred {deferred}<br>{status}",
    ),
    "curve_subtitle": ("{n} 个预算水平，{proven} 个已证明", "{n} budget levels, {proven} proven"),
    # the curve as a table (app/files/tables.py curve_table)
    "curve_col_level": ("预算水平", "Level"),
    "curve_col_mean_cap_wan": ("年均预算(万元)", "Mean annual cap (10k CNY)"),
    "curve_col_budget_total_wan": ("预算合计(万元)", "Budget total (10k CNY)"),
    "curve_col_objective": ("加权延期", "Weighted slippage"),
    "curve_col_projects_late": ("延期项目数", "Projects late"),
    "curve_col_star_late": ("★延期", "★ late"),
    "curve_col_deferred": ("暂缓", "Deferred"),
    "curve_col_status": ("状态", "Status"),
    "curve_col_proven": ("已证明", "Proven"),
    "curve_col_solve_seconds": ("用时(秒)", "Seconds"),
    "curve_col_note": ("备注", "Note"),
    "sheet_curve": ("预算-延期曲线", "curve"),
    # the slippage report (app/rules/slippage.py): why a project is late, and its tables
    "reason_on_time": ("按期", "on time"),
    "reason_budget": ("资金约束", "budget-bound"),
    "reason_pace": ("进度约束", "pace-bound"),
    "reason_predecessor": ("前序项目约束", "predecessor-bound"),
    "reason_deferred": ("暂缓", "deferred"),
    "why_on_time": ("按计划 {planned} 年或之前完成", "finishes by its planned {planned}"),
    "why_budget": (
        "资金不足：若资金充足可于 {earliest} 年完成（预测 {end} 年）",
        "budget-bound: with enough money it could finish in {earliest} (forecast {end})",
    ),
    "why_pace": (
        "自身进度所限：最早 {pace} 年完成（每年最多拨付、最短工期或已定开工年），增加资金无济于事",
        "pace-bound: its own limits (largest annual draw, least duration, fixed start) end it no earlier than {pace}; more money would not help",
    ),
    "why_predecessor": (
        "须待前序项目 {held} 完成，最早 {earliest} 年完成",
        "waits for its predecessor(s) {held}; it can finish no earlier than {earliest}",
    ),
    "why_deferred": ("本期未排入（暂缓）", "not scheduled in this horizon (deferred)"),
    "slip_col_code": ("编号", "Code"),
    "slip_col_name": ("项目名称", "Project"),
    "slip_col_unit": ("责任单位", "Responsible unit"),
    "slip_col_star": ("重点(★)", "Key (★)"),
    "slip_col_planned_end": ("计划完成年", "Planned end"),
    "slip_col_baseline_end": ("基准完成年", "Baseline end"),
    "slip_col_forecast_end": ("预测完成年", "Forecast end"),
    "slip_col_years_late": ("延期(年)", "Years late"),
    "slip_col_late_vs_baseline": ("较基准延期(年)", "Late vs baseline"),
    "slip_col_reason": ("原因", "Reason"),
    "slip_col_why": ("说明", "Why"),
    "unit_col_unit": ("责任单位", "Responsible unit"),
    "unit_col_projects": ("项目数", "Projects"),
    "unit_col_late": ("延期项目", "Late"),
    "unit_col_star_late": ("★延期", "★ late"),
    "unit_col_deferred": ("暂缓", "Deferred"),
    "unit_col_years_late": ("延期年数合计", "Years late"),
    "unit_col_weighted_slippage": ("加权延期", "Weighted slippage"),
    "unit_col_budget_bound": ("资金约束", "Budget-bound"),
    "unit_col_pace_bound": ("进度约束", "Pace-bound"),
    "unit_col_predecessor_bound": ("前序约束", "Predecessor-bound"),
    "sheet_slippage_projects": ("项目延期", "projects"),
    "sheet_slippage_units": ("责任单位", "units"),
    # the audit trail as a workbook (app/services/audit.py)
    "sheet_audit": ("变更记录", "audit trail"),
    "audit_col_at": ("时间", "When"),
    "audit_col_actor": ("操作人", "Who"),
    "audit_col_actor_role": ("角色", "Role"),
    "audit_col_entity": ("对象", "Entity"),
    "audit_col_entity_id": ("对象编号", "Entity id"),
    "audit_col_project_id": ("项目编号(内部)", "Project id"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_field": ("字段", "Field"),
    "audit_col_old": ("原值", "Old"),
    "audit_col_new": ("新值", "New"),
    "audit_col_request_id": ("请求编号", "Request id"),
    "audit_col_change_request_id": ("变更申请", "Change request"),
    "audit_col_note": ("说明", "Note"),
    # documents (app/files/documents.py): every page
    "doc_page_of": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "doc_made_by": ("capsched 资本项目资金排程", "capsched funding schedule"),
    # the run report (app/files/run_report.py)
    "report_title": ("项目资金排程报告", "Funding schedule report"),
    "report_subtitle": (
        "按年度预算上限编制的项目资金安排，经独立校验；金额单位：万元",
        "Annual funding of the projects within the budget caps, independently verified; amounts in 万元 (10k CNY)",
    ),
    "report_portfolio": ("项目组合", "Portfolio"),
    "report_scenario": ("预算方案", "Scenario"),
    "report_horizon": ("规划年度", "Horizon"),
    "report_run": ("运行", "Run"),
    "report_run_no": ("运行 #{id}", "run #{id}"),
    "report_run_status": ("运行状态", "Run status"),
    "report_solver_status": ("求解结果", "Solver result"),
    "report_gap": ("距下界 {gap} %（下界 {bound}）", "{gap} % above the bound ({bound})"),
    "report_gap_proven": ("已证明最优（差距 0 %）", "proven optimal (gap 0 %)"),
    "report_started_by": ("运行人", "Run by"),
    "report_finished_at": ("完成时间", "Finished"),
    "report_approval": ("批准情况", "Approval"),
    "report_approved": ("已由 {by} 于 {when} 批准为基准计划", "approved as the baseline by {by} on {when}"),
    "report_not_approved": ("未批准为基准计划", "not approved as the baseline"),
    "report_date": ("报告日期", "Report date"),
    "report_budget_title": ("年度预算上限与计划支出（万元）", "Budget caps and planned spend (10k CNY)"),
    "report_estimates_note": (
        "{n} 个项目的总投资为估算（合计 {total} 万元）：建筑面积×单位造价，单价依据见 data/README.md（重庆市县级学校"
        "项目公开投资额÷建筑面积），逐项依据见本报告“项目投资及依据”表。有核定投资后请替换。",
        "{n} projects' costs are estimates (together {total} 万元): floor area × unit cost, the unit costs from "
        "data/README.md (public investment ÷ floor area of Chongqing county school projects); each project's basis "
        "is in the table 'Project costs and their basis'. Replace them with approved figures when known.",
    ),
    "report_flat_caps": ("每年 {amount} 万元", "{amount} a year"),
    "report_caps_range": ("年度上限 {low}–{high} 万元", "annual caps {low}–{high}"),
    "report_no_estimates": ("全部总投资均为给定数额，无估算。", "Every cost is as given; none is estimated."),
    "report_rebuilt_problem": (
        "本报告由排程结果文件生成：延期原因按项目清单与默认规则重建的排程问题判断。",
        "Made from a solution file: slippage reasons are judged on the problem rebuilt from the project list "
        "with the default rules.",
    ),
    "report_summary": ("排程概况", "Summary"),
    "report_figure": ("指标", "Figure"),
    "report_value": ("数值", "Value"),
    "report_projects": ("项目数", "Projects"),
    "report_stars": ("★ 重点项目", "★ key projects"),
    "report_late": ("延期项目", "Projects late"),
    "report_star_late": ("★ 延期项目", "★ projects late"),
    "report_deferred": ("暂缓项目", "Projects deferred"),
    "report_weighted": ("加权延期（项目·年）", "Weighted slippage (project-years)"),
    "report_seat_years": ("学位·年延期（新增学位×延期年数）", "Seat-years late (places × years late)"),
    "report_spend_total": ("计划支出合计（万元）", "Planned spend, total (10k CNY)"),
    "report_caps_total": ("预算上限合计（万元）", "Budget caps, total (10k CNY)"),
    "report_spend_share": ("支出占上限", "Spend as a share of the caps"),
    "report_slippage_title": ("项目延期及原因", "Slippage per project and why"),
    "report_units_title": ("按责任单位汇总", "By responsible unit"),
    "report_costs_title": ("项目投资及依据", "Project costs and their basis"),
    "report_funded": ("本排程安排(万元)", "Funded here (10k CNY)"),
    "report_basis_given": ("给定数额", "as given"),
    "list_sep": ("；", "; "),
    # the project-list template (app/files/template.py)
    "tpl_sheet": ("项目清单", "projects"),
    "tpl_guide_sheet": ("填写说明", "how to fill in"),
    "tpl_guide_header": ("填写说明", "How to fill in"),
    "tpl_guide_1": (
        "每行一个项目；项目编号、项目名称、项目细类必填。黄色单元格是排程前还需填写的数据（计划开工年份、计划完工年份、总投资）。",
        "One project per row; code, name and category are required. Yellow cells are what a project still "
        "needs before it can be scheduled (planned start and end year, cost).",
    ),
    "tpl_guide_2": (
        "项目细类、建设性质、项目进展情况、项目责任单位可从下拉列表选择，也可填写列表以外的词；★ 表示十四五期间完工，否则留空。",
        "Category, nature, status and responsible unit have dropdowns (other words are allowed); ★ marks a "
        "project to finish within the plan period, else leave it blank.",
    ),
    "tpl_guide_3": (
        "总投资不详时可留空，并填写建筑面积：导入后“投资估算”按建筑面积×单位造价估算（标注“估算”及依据）；没有面积时按同类项目面积中位数估算。",
        "Leave the cost blank when unknown and give the floor area: after import, 'estimate costs' prices it at "
        "floor area × unit cost (labelled estimate, with its basis); without an area, at the category's median area.",
    ),
    "tpl_guide_4": (
        "金额单位为万元，面积单位为平方米（占地为亩）；年份填四位数字。",
        "Money in 万元 (10k CNY), areas in m² (land in 亩); years as four digits.",
    ),
    "tpl_guide_5": (
        "填好后在“项目库”页面导入本文件（勾选“保留草稿”可先导入尚缺数据的行），或执行 capsched import。",
        "Import the filled-in file on the Projects page (tick 'keep drafts' to import rows still lacking "
        "figures), or check it with capsched import.",
    ),
    "tpl_prompt_list": ("可从列表选择，也可填写其他", "pick from the list, or type another"),
    "tpl_prompt_star": ("★ = 十四五期间完工；否则留空", "★ = finish within the plan period; else blank"),
    "tpl_error_star": ("只能填写 ★ 或留空", "only ★ or blank"),
    "tpl_prompt_year": ("四位年份，{first}–{last}", "a year, {first}–{last}"),
    "tpl_prompt_cost": ("整数万元", "a whole number of 万元"),
    # the annual investment plan (app/files/annual_plan.py)
    "ap_title": ("{portfolio}{year}年度投资计划表", "{portfolio} annual investment plan {year}"),
    "ap_sheet": ("{year}年度投资计划", "plan {year}"),
    "ap_unit_line": ("单位：万元", "Amounts in 万元 (10k CNY)"),
    "ap_from_scenario": ("排程方案：{scenario}", "scenario: {scenario}"),
    "ap_no": ("序号", "No."),
    "ap_name": ("项目名称", "Project"),
    "ap_nature": ("建设性质", "Nature"),
    "ap_scale": ("建设规模（m²）", "Floor area (m²)"),
    "ap_years": ("建设年限", "Build years"),
    "ap_cost": ("总投资", "Total cost"),
    "ap_done": ("截至{year}年底累计完成投资", "Done by the end of {year}"),
    "ap_year_group": ("本年计划投资（{year}年）", "Plan for {year}"),
    "ap_year_total": ("合计", "Total"),
    "ap_source_central": ("中央", "Central"),
    "ap_source_city": ("市级", "City"),
    "ap_source_county": ("县级", "County"),
    "ap_source_bond": ("专项债", "Special bonds"),
    "ap_source_other": ("其他", "Other"),
    "ap_source_unsplit": ("未分来源", "Source not split"),
    "ap_remaining": ("剩余投资", "Remaining"),
    "ap_unit": ("责任单位", "Responsible unit"),
    "ap_remarks": ("备注", "Remarks"),
    "ap_grand_total": ("合计", "Grand total"),
    "ap_subtotal": ("{category}小计", "Subtotal {category}"),
    "ap_late": ("较计划延期{n}年（计划{planned}年完工）", "{n} yr late (planned end {planned})"),
    "ap_cost_estimated": ("总投资为估算", "cost estimated"),
    "ap_actuals_used": ("累计数含实际支出", "done includes recorded actuals"),
    "ap_note_done": (
        "截至上年底累计完成投资：开工前已完成投资，加上此前各年——有实际支出记录的年度按实际，其余按本排程。",
        "Done by the end of last year: money spent before the schedule, plus each earlier year's recorded "
        "actual where there is one, else the schedule's draw.",
    ),
    "ap_note_unsplit": (
        "本排程未按资金来源拆分（未设资金来源），本年计划投资列于“未分来源”。",
        "This schedule does not split its money by funding source; this year's plan is shown as 'source not split'.",
    ),
    "ap_note_estimates": (
        "标“估算”的总投资按建筑面积×单位造价估算，依据见项目的投资依据与 data/README.md；有核定投资后请替换。",
        "Costs marked 'estimate' are floor area × unit cost, basis in each project's cost basis and "
        "data/README.md; replace them with approved figures when known.",
    ),
    # issue 17: cost risk (app/charts/risk.py, the run report's risk page, the CLI)
    "risk_assumption": ("假设", "assumption"),
    "risk_assumption_note": (
        "假设（非本县数据）：成本倍数服从对数正态分布，约 {share} 的项目超支，平均超支 {mean}，"
        "同类项目相关 {corr}；依据：参考类预测（Flyvbjerg 等：约四分之三的建筑项目超支，平均超支 20–30%）{more}",
        "Assumption (not this county's data): lognormal cost multipliers, about {share} of projects over "
        "cost, mean overrun {mean}, correlation {corr} within a category; basis: reference class forecasting "
        "(Flyvbjerg et al.: about 3 in 4 building projects overrun, mean overrun 20–30 %){more}",
    ),
    "risk_assumption_user": (
        "假设（用户设定）：成本倍数服从对数正态分布，默认约 {share} 的项目超支，平均超支 {mean}，同类项目相关 {corr}{more}",
        "Assumption (set by the user): lognormal cost multipliers, by default about {share} of projects over "
        "cost, mean overrun {mean}, correlation {corr} within a category{more}",
    ),
    "risk_assumption_more": (
        "；另有 {n} 个类别/性质由用户单独设定",
        "; {n} categories/natures set apart by the user",
    ),
    "risk_prob_title": ("按期完工概率（成本超支情形）", "Chance of finishing on time under cost overruns"),
    "risk_prob_subtitle": (
        "{n} 个样本，种子 {seed}；★ 按 {deadline} 年底前完工计，其余按计划完工年计",
        "{n} samples, seed {seed}; ★ by the end of {deadline}, other projects by their planned end",
    ),
    "risk_prob_x": ("概率", "Probability"),
    "risk_rescheduled": ("重新排程", "Re-scheduled"),
    "risk_fixed": ("原计划不变", "Fixed plan"),
    "risk_s_title": ("加权延期的分布（S 曲线）", "Weighted slippage across samples (S-curve)"),
    "risk_s_x": ("加权延期（项目·年）", "Weighted slippage (project-years)"),
    "risk_s_y": ("不超过该值的样本占比", "Share of samples at or below"),
    "risk_quantile": ("P{pct} = {value}", "P{pct} = {value}"),
    "risk_deterministic": ("不超支时 {value}", "At the estimates {value}"),
    "risk_budget_title": (
        "年度预算与“★ 全部按期”的把握",
        "Annual budget against the chance every ★ is on time",
    ),
    "risk_budget_x": ("每年统一预算（万元/年）", "Flat annual budget (10k CNY a year)"),
    "risk_budget_y": ("★ 全部按期的样本占比", "Share of samples with every ★ on time"),
    "risk_budget_marker": ("P{pct} 预算 {amount}", "P{pct} budget {amount}"),
    "risk_least_marker": ("不超支时最低 {amount}", "Least at the estimates {amount}"),
    "risk_hover_level": (
        "每年 {amount} 万元：{meets}/{n} 个样本 ★ 全部按期",
        "{amount} a year: every ★ on time in {meets} of {n}",
    ),
    "risk_title": ("成本风险分析", "Cost risk"),
    "risk_report_title": ("成本风险分析（风险分析 #{id}）", "Cost risk (risk analysis #{id})"),
    "risk_report_intro": (
        "情景「{scenario}」，{n} 个样本（种子 {seed}），{when} 完成。每个样本按假设的成本倍数重新排程（财政在成本上涨时重新安排），"
        "并评估原计划不变时超支款项按预算余量尽晚支付的结果。",
        "Scenario “{scenario}”, {n} samples (seed {seed}), finished {when}. Each sample's costs are drawn from "
        "the assumptions; the schedule is solved again (the office re-plans when costs rise) and the fixed "
        "plan is evaluated with the overruns paid as late as the caps force.",
    ),
    "risk_report_stale": (
        "注意：该风险分析基于 {when} 时的情景，此后情景或项目可能已修改。",
        "Note: the analysis used the scenario as it was on {when}; it may have changed since.",
    ),
    "risk_report_years": ("每年多出的资金（平均，万元）", "Extra money per year (mean, 10k CNY)"),
    "risk_all_stars": ("★ 项目全部按期完工的概率", "Chance every ★ project finishes on time"),
    "risk_budget_line": (
        "P{pct} 预算（★ 全部按期的把握 ≥ {pct}%）",
        "P{pct} budget (every ★ on time in ≥ {pct} %)",
    ),
    "risk_budget_none": ("无论多少预算都达不到该把握", "no budget reaches that confidence"),
    "risk_budget_unproven": ("未能证明（{low}–{high} 万元之间）", "not proven (between {low} and {high})"),
    "risk_least_line": (
        "不超支时的最低预算（★ 全部按期）",
        "Least budget at the estimates (every ★ on time)",
    ),
    "risk_slippage_line": ("加权延期 P50 / P80 / P90", "Weighted slippage P50 / P80 / P90"),
    "risk_overrun_line": ("平均超支总额（万元）", "Mean total overrun (10k CNY)"),
    "risk_unpaid_line": (
        "原计划不变时规划期内付不出的超支（平均，万元）",
        "Fixed plan: overrun unpaid by the last year (mean)",
    ),
    "risk_col_project": ("项目", "Project"),
    "risk_col_planned_end": ("计划完工", "Planned end"),
    "risk_col_p": ("按期概率（重新排程）", "P(on time), re-scheduled"),
    "risk_col_p_fixed": ("按期概率（原计划不变）", "P(on time), fixed plan"),
    "risk_col_p_deadline": ("{deadline} 年底前完工概率", "P(done by {deadline})"),
    "risk_col_extra": ("平均超支（万元）", "Mean overrun (10k CNY)"),
    "risk_col_year": ("年度", "Year"),
    "risk_col_extra_rescheduled": ("重新排程：支出变化（万元）", "Re-scheduled: change in spend"),
    "risk_col_extra_fixed": ("原计划不变：超支支付（万元）", "Fixed plan: overrun paid"),
    "risk_reproducible": ("同一种子可重复得到相同结果", "the same seed repeats these figures"),
    "risk_not_reproducible": (
        "有 {n} 次求解被时钟截停，结果不保证可重复",
        "{n} solves were stopped by the clock: these figures may not repeat",
    ),
    "risk_unproven_note": (
        "{n} 个样本的排程在计算量上限内未证明最优（仍可重复）",
        "{n} samples' schedules were not proven optimal within the work limit (they still repeat)",
    ),
}


# Category and status words of the seed and of typical county education portfolios.
CATEGORIES: dict[str, str] = {
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


STATUSES: dict[str, str] = {
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


# Chinese header labels of the project-list columns and of API fields (errors name them "标签（field）").
FIELD_LABELS: dict[str, str] = {
    "code": "项目编号",
    "name": "项目名称",
    "category": "项目细类",
    "location": "建设地址",
    "nature": "建设性质",
    "floor_area_m2": "建筑面积",
    "purchase_area_m2": "购置面积",
    "land_area_mu": "占地面积",
    "planned_start": "计划开工年份",
    "planned_end": "计划完工年份",
    "star": "十四五期间完工★",
    "status": "项目进展情况",
    "responsible_unit": "项目责任单位",
    "cost_wan": "总投资",
    "cost_basis": "投资依据",
    "spent_wan": "已完成投资",
    "seats_added": "新增学位",
    "seats_source": "学位来源",
    "year": "年度",
    "percent_complete": "完成百分比",
    "first_year": "起始年份",
    "last_year": "结束年份",
    "budget": "年度预算上限",
    "carryover": "结转",
    "star_deadline": "★项目完工期限",
    "overrides": "项目调整",
    "version": "版本号",
    "time_limit": "求解时限",
    "replan_from": "重新排程起始年",
    "levels": "预算比例",
    "amounts": "预算金额",
    "rule": "规则",
    "role": "角色",
    "unit": "单位",
    "file": "文件",
    "fmt": "格式",
    "lang": "语言",
    "sort": "排序",
    "page": "页码",
}


# Words for the things a request names (NotFound, StaleVersion).
NOUNS: dict[str, str] = {
    "portfolio": "项目组合",
    "project": "项目",
    "scenario": "方案",
    "run": "运行",
    "sweep": "预算扫描",
    "least-budget job": "最低预算计算",
    "baseline of portfolio": "项目组合的基准计划",
    "baseline": "基准计划",
    "user": "用户",
    "actual": "实际支出",
    "change request": "变更申请",
}


# Messages: every error and notice a user reads. Solver diagnostics are "diag_<key>" for each template of
# solver/messages.py (their English is the solver's, word for word).
MESSAGES: dict[str, tuple[str, str]] = {
    # project-list import: one row
    "row_prefix": ("第 {row} 行：{message}", "row {row}: {message}"),
    "value_missing": ("{column}未填写", "{column} is missing"),
    "not_a_number": ("{column}“{raw}”不是数字", "{column} '{raw}' is not a number"),
    "not_a_year": ("{column}“{raw}”不是年份", "{column} '{raw}' is not a year"),
    "not_whole_wan": ("{column}“{raw}”不是整数万元", "{column} '{raw}' is not a whole number of 万元"),
    "not_whole_number": ("{column}“{raw}”不是整数", "{column} '{raw}' is not a whole number"),
    "implausible_year": (
        "{column}{year} 不是合理的年份（{first}–{last}）",
        "{column} {year} is not a plausible year ({first}–{last})",
    ),
    "end_before_start": (
        "{end_column}{end} 早于{start_column}{start}",
        "{end_column} {end} is before {start_column} {start}",
    ),
    "must_be_positive": ("{column}{value} 必须大于 0", "{column} {value} must be greater than 0"),
    "must_not_be_negative": ("{column}{value} 不能为负数", "{column} {value} must not be negative"),
    "spent_over_cost": (
        "{spent_column}{spent} 超过{cost_column}{cost}",
        "{spent_column} {spent} is more than {cost_column} {cost}",
    ),
    "too_many_cells": (
        "该行有 {width} 个单元格，但表头只有 {header_width} 列",
        "the row has {width} cells but the header names only {header_width} columns",
    ),
    "bad_star": (
        "{column}“{raw}”无法识别：请填 true/false、★/留空、是/否 或 1/0",
        "{column} '{raw}' is not one of true/false, ★/blank, 是/否, 1/0",
    ),
    "code_used_twice": (
        "{column}{code} 已在第 {first_row} 行使用",
        "{column} {code} is already used on row {first_row}",
    ),
    # project-list import: header and file
    "unknown_column": (
        "表头中有无法识别的列“{cell}”（可用的列：{known}）",
        "unknown column '{cell}' in the header (known columns: {known})",
    ),
    "column_twice": (
        "表头中{column}出现了两次（“{cell}”）",
        "column {column} appears twice in the header ('{cell}')",
    ),
    "no_project_rows": ("文件只有表头，没有项目行", "the file has a header but no project rows"),
    "missing_required_column": (
        "表头（第 1 行）缺少必填列 {missing}{hint}。第一行必须写明列名：{known}",
        "the header (row 1) lacks the required column {missing}{hint}. The first row must name the columns: {known}",
    ),
    "missing_required_columns": (
        "表头（第 1 行）缺少必填列 {missing}{hint}。第一行必须写明列名：{known}",
        "the header (row 1) lacks the required columns {missing}{hint}. The first row must name the columns: {known}",
    ),
    "unknown_columns_hint": ("；发现无法识别的列：{unknown}", "; unknown columns found: {unknown}"),
    "file_not_found": ("找不到文件：{path}", "file not found: {path}"),
    "file_is_folder": (
        "{path} 是文件夹，不是 CSV 或 XLSX 文件",
        "{path} is a folder, not a CSV or XLSX file",
    ),
    "file_cannot_open": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    "file_empty": ("文件是空的", "the file is empty"),
    "file_old_xls": (
        "这是旧版 Excel .xls 文件；请另存为 .xlsx 或 CSV（UTF-8）后再导入",
        "this is an old Excel .xls file; save it as .xlsx or as CSV (UTF-8) and import that",
    ),
    "file_bad_xlsx": ("不是可读取的 XLSX 工作簿（{reason}）", "not a readable XLSX workbook ({reason})"),
    "file_binary": (
        "这似乎是二进制文件，不是 CSV 或 XLSX 项目清单",
        "this looks like a binary file, not a CSV or XLSX project list",
    ),
    "file_bad_csv": ("无法按 CSV 读取文件：{reason}", "cannot read the file as CSV: {reason}"),
    "file_no_header": ("文件没有表头行", "the file has no header row"),
    "mspdi_bad_xml": (
        "不是可读取的 MS Project XML 文件（{reason}）",
        "not a readable MS Project XML file ({reason})",
    ),
    "mspdi_no_tasks": ("MS Project XML 文件中没有任务", "the MS Project XML file has no tasks"),
    # issue 18 (harden-files): hostile files refused before they are read (app/files/intake.py), limits at
    # the edge (app/rules/limits.py), capped error lists
    "file_over_size": (
        "文件有 {size} MB，超过可读取的上限 {limit} MB",
        "the file is {size} MB, over the {limit} MB that can be read",
    ),
    "zip_too_many_entries": (
        "XLSX 压缩包内有 {count} 个文件，最多 {limit} 个：这不是普通的工作簿",
        "the XLSX holds {count} files, at most {limit}: this is not an ordinary workbook",
    ),
    "zip_unpacked_too_big": (
        "XLSX 解压后共 {size} MB，超过上限 {limit} MB：请删除多余的工作表、图片或空行后另存",
        "the XLSX unpacks to {size} MB, over the {limit} MB limit: remove extra sheets, pictures or empty "
        "rows and save again",
    ),
    "zip_ratio_too_high": (
        "XLSX 内的 {name} 压缩比为 {ratio}:1，超过 {limit}:1（疑似“压缩炸弹”），不予读取",
        "{name} inside the XLSX inflates {ratio} times, over {limit} (a likely zip bomb): refused",
    ),
    "xlsx_too_many_strings": (
        "工作簿有超过 {limit} 个不同的文本（第 {count} 个起），超过上限",
        "the workbook holds more than {limit} distinct texts (at the {count}th), over the limit",
    ),
    "xlsx_string_too_long": (
        "工作簿的第 {index} 个文本超过 {limit} 个字符（Excel 单元格的上限），不予读取",
        "text {index} of the workbook is longer than {limit} characters (Excel's cell limit): refused",
    ),
    "xlsx_declares_too_much": (
        "工作表声明的范围 {ref} 有 {rows} 行 × {columns} 列；最多读取 {max_rows} 行、{max_columns} 列、"
        "{max_cells} 个单元格。请删除多余的行和列后另存",
        "the sheet declares the range {ref}: {rows} rows × {columns} columns; at most {max_rows} rows, "
        "{max_columns} columns and {max_cells} cells are read. Delete the unused rows and columns and save again",
    ),
    "table_too_many_rows": (
        "文件超过 {limit} 行，超过上限",
        "the file has more than {limit} rows, over the limit",
    ),
    "table_too_many_columns": (
        "第 {row} 行有 {count} 列，最多 {limit} 列",
        "row {row} has {count} columns, at most {limit}",
    ),
    "table_too_many_cells": (
        "到第 {row} 行时单元格已超过 {limit} 个，超过上限",
        "the file has more than {limit} cells by row {row}, over the limit",
    ),
    "cell_too_long": (
        "第 {row} 行第 {column} 列有 {length} 个字符，最多 {limit} 个",
        "row {row}, column {column} has {length} characters, at most {limit}",
    ),
    "line_too_long": (
        "第 {line} 行有 {length} 个字符，一行最多 {limit} 个",
        "line {line} has {length} characters, at most {limit} in one line",
    ),
    "file_looks_like_encoding": (
        "文件看起来是 {encoding} 编码，按 GBK 读出来是乱码（“{sample}”）；请在 Excel 或记事本中另存为“CSV UTF-8”后再导入",
        "the file looks like {encoding}, which reads as garble in GBK ('{sample}'); save it as 'CSV UTF-8' "
        "in Excel or Notepad and import again",
    ),
    "file_damaged_encoding": (
        "文件声明为 {encoding}，但第 {line} 行有无法解读的字节 {byte}：文件可能已损坏；请重新另存为“CSV UTF-8”",
        "the file says it is {encoding} but line {line} holds the byte {byte}, which {encoding} cannot hold: "
        "it may be damaged; save it again as 'CSV UTF-8'",
    ),
    "file_encoding_named": (
        "文件不是 UTF-8 或 GBK 编码（第 {line} 行的字节 {byte} 无法解读），看起来是 {encoding}；请另存为“CSV UTF-8”后再导入",
        "the file is neither UTF-8 nor GBK (line {line}, byte {byte}); it looks like {encoding}: save it as "
        "'CSV UTF-8' and import again",
    ),
    "file_encoding_unknown": (
        "文件不是 UTF-8 或 GBK 编码（第 {line} 行的字节 {byte} 无法解读），编码无法识别；请另存为“CSV UTF-8”后再导入",
        "the file is neither UTF-8 nor GBK (line {line}, byte {byte}) and its encoding is not recognised: "
        "save it as 'CSV UTF-8' and import again",
    ),
    "xml_entities_refused": (
        "文件含有 DTD 或 XML 实体声明，出于安全原因不予读取（可能是“XML 炸弹”）",
        "the file declares a DTD or XML entities, which are refused for safety (a likely XML bomb)",
    ),
    "mspdi_too_many_tasks": (
        "MS Project XML 文件超过 {limit} 个任务，超过上限",
        "the MS Project XML file has more than {limit} tasks, over the limit",
    ),
    "control_character": (
        "{column}含有控制字符 {char}，请删除后再导入",
        "{column} holds the control character {char}: remove it and import again",
    ),
    "text_too_long": (
        "{column}有 {length} 个字符，最多 {limit} 个",
        "{column} has {length} characters, at most {limit}",
    ),
    "number_too_large": ("{column}{value} 超过上限 {limit}", "{column} {value} is over the limit of {limit}"),
    "more_problems": (
        "另有 {n} 处问题未列出（只列出前 {shown} 处）",
        "and {n} more problems not listed (the first {shown} are)",
    ),
    "v_control_character": (
        "含有控制字符 {char}，不能保存",
        "holds the control character {char}, which cannot be stored",
    ),
    "portfolio_too_many_projects": (
        "项目组合最多 {limit} 个项目，此操作后将有 {count} 个",
        "a portfolio holds at most {limit} projects; this would make {count}",
    ),
    "budget_cap_too_large": (
        "{field}中 {years} 年的上限超过 {limit} 万元",
        "{field} cap is over {limit} 万元 for year(s) {years}",
    ),
    "override_out_of_range": (
        "应为 {low} 到 {high} 之间的整数，收到 {value}",
        "must be a whole number from {low} to {high}, not {value}",
    ),
    # HTTP answers around the import
    "import_failed": (
        "文件有 {count} 处错误，未导入任何内容：{errors}",
        "the file has {count} {errors_word}; nothing was imported: {errors}",
    ),
    "cannot_read_file": ("无法读取文件：{reason}", "cannot read the file: {reason}"),
    "import_offer_drafts": (
        "其中 {n} 行只缺计划年份或总投资：可加 drafts=true 重新导入，将它们保留为草稿（排程时不参加，并列出所缺数据）",
        "{n} rows lack only their years or cost: import again with drafts=true to keep them as drafts "
        "(left out of runs, shown with what they lack)",
    ),
    "drafts_left_out": (
        "{n} 个草稿项目未参加本次排程（缺少排程所需数据）：{drafts}{more}",
        "{n} draft projects were left out of this run (schedule figures missing): {drafts}{more}",
    ),
    "draft_named": ("{code} {name}（缺：{missing}）", "{code} {name} (missing {missing})"),
    "drafts_more": ("，另有 {n} 个", ", and {n} more"),
    "portfolio_only_drafts": (
        "该项目组合的 {n} 个项目都是草稿（缺计划年份或总投资），无法排程：{codes}。请补全数据或使用投资估算。",
        "all {n} projects of the portfolio are drafts (years or cost missing), nothing can be scheduled: "
        "{codes}. Fill in their figures or estimate their costs.",
    ),
    "cli_import_errors": (
        "{file}：{count} 处问题，涉及 {rows} 行 — 未导入任何内容。",
        "{file}: {count} {problems_word} in {rows} {rows_word} — nothing was imported (文件有错误，未导入).",
    ),
    "cli_cannot_read": (
        "capsched import：无法读取 {file}：{reason}",
        "capsched import: cannot read {file}: {reason}",
    ),
    # sign-in and rights
    "http_not_found": ("找不到该地址", "Not Found"),
    "http_method_not_allowed": ("该地址不支持此请求方法", "Method Not Allowed"),
    "no_token": (
        "未登录：请在请求头中发送 'Authorization: Bearer <token>'，token 由 capsched serve 打印",
        "no token: send the header 'Authorization: Bearer <token>' with the token printed by capsched serve",
    ),
    "bad_token": (
        "token 无效（输错了，或已被新的 token 取代）；请索取新的 token",
        "the token is not valid (mistyped, or replaced by a newer one); ask for a new one",
    ),
    "token_revoked": (
        "用户 {user} 的 token 已于 {when} 被 {by} 撤销；请向财务索取新的 token",
        "the token of user {user} was revoked by {by} on {when}; ask finance for a new one",
    ),
    "token_expired": (
        "用户 {user} 的 token 已于 {when} 过期；请向财务索取新的 token",
        "the token of user {user} expired on {when}; ask finance for a new one",
    ),
    "user_name_empty": ("用户名为空", "the user name is empty"),
    "owner_needs_unit": (
        "项目责任单位用户需要 --unit：可修改其项目的责任单位",
        "an owner needs --unit: the responsible unit whose projects it may edit",
    ),
    "user_exists": ("已有名为“{name}”的用户", "a user named '{name}' already exists"),
    "user_unknown": ("没有名为“{name}”的用户", "there is no user named '{name}'"),
    "user_bad_duration": (
        "--expires “{text}”：请填写天数、周数、月数或年数，例如 90d、12w、6m、1y",
        "--expires '{text}': give a number of days, weeks, months or years, e.g. 90d, 12w, 6m, 1y",
    ),
    "user_cannot_revoke_self": (
        "不能撤销自己的 token（否则可能无人能够恢复）；请由另一位财务用户操作",
        "you cannot revoke your own token (nobody might be left to undo it); ask another finance user",
    ),
    "role_not_allowed": (
        "用户 {user} 的角色是 {role}；只有 {allowed} 可以执行此操作",
        "user {user} has role {role}; only {allowed} may do this",
    ),
    # issue 14 (scale-page): the project list a page at a time
    "project_sort_unknown": (
        "无法按“{sort}”排序：可选 {choices}",
        "cannot sort by '{sort}': use one of {choices}",
    ),
    "project_order_unknown": (
        "排序方向“{order}”无效：可选 asc 或 desc",
        "order '{order}' is not asc or desc",
    ),
    # end issue 14 (scale-page)
    # services' own words (app/services/)
    "owner_other_unit": (
        "项目责任单位用户 {user} 只能修改本单位“{unit}”的项目，不能修改“{other}”的项目",
        "owner {user} may only change projects of its own unit '{unit}', not of '{other}'",
    ),
    "no_unit": ("无单位", "no unit"),
    "plan_fields_locked": (
        "{fields}属于批准的计划，只有财务可以直接修改；请提交变更申请（POST /api/projects/{project}/change-requests），"
        "由财务审批",
        "{fields} belong to the approved plan and only finance may change them directly; send a change request "
        "(POST /api/projects/{project}/change-requests) for finance to decide",
    ),
    "owner_may_not_add": (
        "新增项目会改变批准的计划，只有财务可以添加；请联系财务添加项目（{user} 是项目单位用户）",
        "adding a project changes the approved plan and only finance may do it; ask finance to add it "
        "({user} is a project owner)",
    ),
    "owner_may_not_remove": (
        "移除项目会改变批准的计划，只有财务可以直接移除；请提交变更申请（POST /api/projects/{project}/change-requests，"
        "remove: true），由财务审批",
        "removing a project changes the approved plan and only finance may do it directly; send a change request "
        "(POST /api/projects/{project}/change-requests with remove: true) for finance to decide",
    ),
    "change_request_empty": (
        "变更申请没有要修改的计划字段",
        "the change request names no plan field to change",
    ),
    "change_request_same": ("{fields}的新值与现值相同，无需申请", "{fields} already have these values"),
    "change_request_decided": (
        "变更申请 {id} 已{state}，不能再次处理",
        "change request {id} is already {state}; it cannot be decided again",
    ),
    "change_request_stale": (
        "项目 {code} 自申请以来已被修改（{fields}），此申请已过时；请重新提交",
        "project {code} has changed since the request ({fields}); the request is stale, file a new one",
    ),
    "cr_state_pending": ("待审批", "pending"),
    "cr_state_approved": ("批准", "approved"),
    "cr_state_rejected": ("驳回", "rejected"),
    "role_may_not_change_projects": (
        "用户 {user} 的角色是 {role}，不能修改项目",
        "user {user} has role {role} and may not change projects",
    ),
    "portfolio_busy": (
        "项目组合“{name}”还有 {count} 个运行或计算在排队或进行中；请先取消或等待其结束再删除",
        "portfolio '{name}' still has {count} run(s) or job(s) queued or running; cancel them or wait before deleting it",
    ),
    "portfolio_name_taken": ("已有名为“{name}”的项目组合", "a portfolio named '{name}' already exists"),
    "scenario_name_taken": (
        "该项目组合已有名为“{name}”的方案",
        "this portfolio already has a scenario named '{name}'",
    ),
    "project_code_taken": (
        "项目组合 {portfolio} 已有编号为“{code}”的项目",
        "portfolio {portfolio} already has a project with code '{code}'",
    ),
    "fields_cannot_be_empty": ("{fields}不能为空", "{fields} cannot be empty"),
    "cannot_be_empty": ("不能为空", "cannot be empty"),
    "end_before_start_value": ("{end} 早于{start_column}{start}", "{end} is before {start_column} {start}"),
    "time_limit_over_max": (
        "求解时限 {seconds} 秒超过本服务器允许的上限（{limit} 秒）",
        "time_limit {seconds} s is more than this server allows ({limit} s)",
    ),
    "at_most": ("最多 {limit}", "at most {limit}"),
    "run_already_finished": (
        "运行 {run} 已结束（{status}），无法取消",
        "run {run} has already finished ({status}); there is nothing to cancel",
    ),
    "prefixed": ("{what}：{message}", "{what}: {message}"),
    "actuals_code_empty": ("{column}为空", "{column} is empty"),
    "actuals_no_project": ("本项目组合中没有项目 {code}", "no project {code} in this portfolio"),
    "actuals_bad_year": ("{column}“{raw}”不是年份（例如 2023）", "{column} '{raw}' is not a year like 2023"),
    "actuals_bad_spent": (
        "{column}“{raw}”不是 ≥ 0 的整数万元",
        "{column} '{raw}' is not a whole number ≥ 0 of 万元",
    ),
    "actuals_bad_overrun": (
        "{column} 应填“是”或“否”（或 true/false、1/0），实际为“{raw}”",
        "{column} must be yes or no (true/false, 1/0), got '{raw}'",
    ),
    "actuals_bad_percent": (
        "{column}“{raw}”不在 0 到 100 之间",
        "{column} '{raw}' is not between 0 and 100",
    ),
    "actuals_given_twice": (
        "{code} {year} 已在第 {first_row} 行给出",
        "{code} {year} is already given in row {first_row}",
    ),
    "actuals_missing_column": (
        "缺少列{column}（表头需要 {needed}）",
        "column {column} is missing (the header needs {needed})",
    ),
    "actual_year_outside": (
        "{code} {year} 年：年度不在项目组合的年度 {first}–{last} 之内",
        "{code} {year}: the year is outside the portfolio's years {first}–{last}",
    ),
    "actual_year_future": (
        "{code} {year} 年：晚于状态日期 {status_date}，不能录入未来年度的实际支出",
        "{code} {year}: after the status date {status_date}; actuals cannot be recorded for a future year",
    ),
    "actual_over_cost": (
        "{code} {year} 年：累计实际支出 {total} 万元超过总投资 {cost} 万元的 {percent}%（{limit} 万元）；"
        "如确属超支，请标明 overrun 并写明原因",
        "{code} {year}: cumulative actual spending {total} is more than {percent} % of its cost {cost} ({limit}); "
        "if it really overran, say overrun and give the reason",
    ),
    "actual_overrun_needs_reason": (
        "{code} {year} 年：标明超支（overrun）时必须写明原因",
        "{code} {year}: an overrun needs its reason",
    ),
    "actual_percent_below_earlier": (
        "{code} {year} 年：完成百分比 {percent}% 低于 {other_year} 年的 {other}%；完成进度不能倒退",
        "{code} {year}: percent complete {percent} is below {other} in {other_year}; progress cannot go back",
    ),
    "actual_percent_above_later": (
        "{code} {year} 年：完成百分比 {percent}% 高于 {other_year} 年的 {other}%；完成进度不能倒退",
        "{code} {year}: percent complete {percent} is above {other} in {other_year}; progress cannot go back",
    ),
    "actual_none": ("{code} {year} 年没有实际支出记录", "{code} has no actual recorded for {year}"),
    "actuals_no_rows": ("文件只有表头，没有实际支出行", "the file has a header but no rows of actuals"),
    # domain errors (app/errors.py)
    "not_found": ("{what} {item} 不存在", "{what} {item} does not exist"),
    "does_not_exist": ("不存在", "does not exist"),
    "stale_version": (
        "{what} {item} 在版本 {yours} 之后已被他人修改（现为版本 {current}）；此后改动的字段：{changed}。"
        "请重新加载后再编辑。",
        "{what} {item} was changed by someone else since version {yours} (now version {current}); "
        "changed since: {changed}. Reload it and make your edit again.",
    ),
    "stale_nothing_visible": ("无您可见的字段", "nothing you can see"),
    "changed_since_version": ("自版本 {yours} 起已被修改", "changed since version {yours}"),
    # request validation (FastAPI / pydantic), one key per pydantic error type we explain
    "invalid_input": ("输入有误 — {errors}", "invalid input — {errors}"),
    "v_missing": ("必须填写", "is required"),
    "v_json_invalid": ("请求内容不是有效的 JSON", "the body is not valid JSON"),
    "v_int_parsing": ("应为整数，收到 {input}", "must be a whole number, not {input}"),
    "v_int_from_float": ("应为整数，收到 {input}", "must be a whole number, not {input}"),
    "v_int_type": ("应为整数", "must be a whole number"),
    "v_float_parsing": ("应为数字，收到 {input}", "must be a number, not {input}"),
    "v_float_type": ("应为数字", "must be a number"),
    "v_bool_parsing": ("应为 true 或 false，收到 {input}", "must be true or false, not {input}"),
    "v_bool_type": ("应为 true 或 false", "must be true or false"),
    "v_string_type": ("应为文本", "must be text"),
    "v_string_too_short": ("至少需要 {min_length} 个字符", "must have at least {min_length} character(s)"),
    "v_string_too_long": ("最多 {max_length} 个字符", "must have at most {max_length} characters"),
    "v_string_pattern_mismatch": (
        "格式不对（应匹配 {pattern}）",
        "has the wrong form (it must match {pattern})",
    ),
    "v_greater_than_equal": ("不能小于 {ge}，收到 {input}", "must be at least {ge}, not {input}"),
    "v_greater_than": ("必须大于 {gt}，收到 {input}", "must be more than {gt}, not {input}"),
    "v_less_than_equal": ("不能大于 {le}，收到 {input}", "must be at most {le}, not {input}"),
    "v_less_than": ("必须小于 {lt}，收到 {input}", "must be less than {lt}, not {input}"),
    "v_enum": ("应为以下之一：{expected}，收到 {input}", "must be one of {expected}, not {input}"),
    "v_literal_error": ("应为以下之一：{expected}，收到 {input}", "must be one of {expected}, not {input}"),
    "v_dict_type": ("应为对象（键: 值）", "must be an object (key: value pairs)"),
    "v_list_type": ("应为列表（[…]）", "must be a list ([…])"),
    "v_model_attributes_type": ("应为对象（键: 值）", "must be an object (key: value pairs)"),
    "v_model_type": ("应为对象（键: 值）", "must be an object (key: value pairs)"),
    "v_too_short": ("至少需要 {min_length} 项", "must have at least {min_length} item(s)"),
    "v_too_long": ("最多 {max_length} 项", "must have at most {max_length} item(s)"),
    "v_extra_forbidden": ("不是可用的字段", "is not a field this request takes"),
    "v_other": ("取值无效（{msg}）", "{msg}"),
    # statuses named inside messages (RunStatus; solver statuses reuse status_OPTIMAL… above)
    "run_status_queued": ("排队中", "queued"),
    "run_status_running": ("运行中", "running"),
    "run_status_done": ("已完成", "done"),
    "run_status_failed": ("失败", "failed"),
    "run_status_cancelled": ("已取消", "cancelled"),
    "solver_status_none": ("无", "none"),
    "solver_status_OPTIMAL": ("最优", "OPTIMAL"),
    "solver_status_FEASIBLE": ("可行（未证最优）", "FEASIBLE"),
    "solver_status_INFEASIBLE": ("无可行方案", "INFEASIBLE"),
    "solver_status_UNKNOWN": ("限时内未找到方案", "UNKNOWN"),
    # scenario checks (app/models.py)
    "horizon_too_long": (
        "规划年度最多跨 51 年（起始年份到结束年份）",
        "the horizon may span at most 51 years",
    ),
    "budget_years_missing": (
        "{field}缺少 {years} 年的上限，规划期内每一年都要填写",
        "{field} has no cap for year(s) {years}",
    ),
    "budget_years_outside": (
        "{field}填写了规划期 {first}–{last} 以外的年度 {years}",
        "{field} names year(s) {years} outside {first}–{last}",
    ),
    "budget_cap_negative": (
        "{field}中 {years} 年的上限是负数",
        "{field} cap is negative for year(s) {years}",
    ),
    # runs, baselines, reports (app/services/runs.py, baselines.py, exports.py)
    "portfolio_has_no_projects": (
        "该项目组合中没有项目，无法排程",
        "the portfolio has no projects to schedule",
    ),
    "no_projects": ("没有项目", "no projects"),
    "baseline_needs_schedule": (
        "运行 {run} 不能设为基准计划：只有已完成并得出排程的运行才可以（此运行状态为“{status}”，"
        "求解结果为“{solver_status}”）",
        "run {run} cannot be the baseline: only a finished run with a schedule can "
        "(this one is {status}, solver status {solver_status})",
    ),
    "run_no_schedule_yet": (
        "运行 {run} 还没有排程结果（状态：{status}）",
        "run {run} has no schedule yet (status {status})",
    ),
    "run_no_schedule_to_report": (
        "运行 {run} 没有排程结果，无法生成延期报告（状态：{status}）",
        "run {run} has no schedule to report on (status {status})",
    ),
    # from project records to a problem (app/rules/problem.py)
    "planning_error": ("项目 {code} 的{field}：{message}", "{code}: {field}: {message}"),
    "planning_error_scenario": ("方案的{field}：{message}", "{code}: {field}: {message}"),
    "field_message": ("{field}：{message}", "{field} {message}"),
    "override_unknown_code": (
        "项目组合中没有这个编号的项目",
        "no project with this code in the portfolio",
    ),
    "override_not_a_field": (
        "不是方案可以调整的项目字段",
        "not a project field that a scenario can override",
    ),
    "cost_missing_for_schedule": (
        "未填写：项目要有总投资才能排程",
        "missing: a project needs a cost to be scheduled",
    ),
    "years_missing_for_schedule": (
        "未填写：项目要有计划开工和完工年份才能排程",
        "missing: a project needs planned years to be scheduled",
    ),
    "replan_outside_years": (
        "{year} 不在方案的年度范围 {first}–{last} 之内",
        "{year} is outside the scenario's years {first}–{last}",
    ),
    "replan_too_slow": (
        "{code}：到 {last_year} 年底已支出 {spent} 万元（总投资 {cost} 万元）；每年最多投入 {max_annual} 万元，"
        "无法在 {target} 年前完工（最早 {earliest} 年）",
        "{code}: {spent} of {cost} spent by {last_year}; at most {max_annual} a year it cannot finish by "
        "{target} (earliest {earliest})",
    ),
    "run_paid_in_full": (
        "{code}：已支出 {spent} 万元，达到总投资 {cost} 万元，本次不排程",
        "{code}: {spent} already spent pays its cost {cost} in full; this run does not schedule it",
    ),
    "run_overspent": (
        "{code}：已支出 {spent} 万元，超过总投资 {cost} 万元，本次不排程；请核对已支出或总投资",
        "{code}: {spent} already spent is more than its cost {cost}; this run does not schedule it — check "
        "the amount spent or the cost",
    ),
    "replan_continued": (
        "到 {last_year} 年底已有实际支出的项目按在建项目从 {year} 年起续建，只排剩余投资：{projects}",
        "projects with actual spending by the end of {last_year} continue as under way from {year}, only what is "
        "left to fund scheduled: {projects}",
    ),
    "replan_continued_one": (
        "{code}（已支出 {spent} 万元，剩余 {left} 万元）",
        "{code} ({spent} spent, {left} left)",
    ),
    "replan_paid_in_full": (
        "{code}：到 {last_year} 年底已支出 {spent} 万元，达到总投资 {cost} 万元，本次不再排程",
        "{code}: {spent} spent by the end of {last_year} pays its cost {cost} in full; it is not scheduled again",
    ),
    "replan_overspent": (
        "{code}：到 {last_year} 年底已支出 {spent} 万元，超过总投资 {cost} 万元，本次不再排程；请核对实际支出或调整总投资",
        "{code}: {spent} spent by the end of {last_year} is more than its cost {cost}; it is not scheduled again "
        "— check the actuals or the cost",
    ),
    "replan_actuals_before_years": (
        "{code}：{years} 年的实际支出在方案年度 {first}–{last} 之外，计入已支出，但不在排程中显示",
        "{code}: actuals of {years} lie before the scenario's years {first}–{last}; they count as spent but are "
        "not drawn",
    ),
    "replan_actuals_not_used": (
        "{code}：{years} 年的实际支出不早于重新排程起始年 {year}，本次不计入",
        "{code}: actuals of {years} are not before the re-plan year {year}; this re-plan does not use them",
    ),
    "replan_deadline_lifted": (
        "{flag}；本次重新排程不再要求其按期完工",
        "{flag}; its deadline is lifted for this re-plan",
    ),
    # trade-off jobs (app/services/jobs.py)
    "sweep_levels_and_amounts": (
        "预算比例（levels，按现有上限的倍数）和预算金额（amounts，每年固定万元）只能填写其中一项",
        "give either levels (scale factors) or amounts (flat 万元 a year), not both",
    ),
    "not_with_amounts": ("不能与预算金额（amounts）同时填写", "not with amounts"),
    "sweep_already_finished": (
        "预算扫描 {job} 已结束（{status}），无法取消",
        "job {job} has already finished ({status}); there is nothing to cancel",
    ),
    "least_budget_already_finished": (
        "最低预算计算 {job} 已结束（{status}），无法取消",
        "job {job} has already finished ({status}); there is nothing to cancel",
    ),
    # uploads and exports (api/upload_limit.py, app/files/figures.py)
    "upload_too_large": (
        "上传的文件超过本服务器允许的大小（{mb} MB，{limit} 字节）；请把文件拆小，"
        "或请管理员调高 CAPSCHED_MAX_UPLOAD_BYTES",
        "the upload is larger than this server accepts ({mb} MB, {limit} bytes); "
        "split the file or ask the administrator to raise CAPSCHED_MAX_UPLOAD_BYTES",
    ),
    "export_needs_browser": (
        "PNG、SVG 和 PDF 图表需要本机装有 Chromium 浏览器和中文字体：请执行 "
        "`apt-get install chromium fonts-noto-cjk`（Debian/Ubuntu）安装，或把 CAPSCHED_CHROMIUM "
        "设为 Chrome/Chromium 程序的路径。HTML 图表、CSV 和 XLSX 不需要它们，现在就可以下载。",
        "PNG, SVG and PDF charts need a Chromium browser and Chinese fonts on this machine: "
        "install them with `apt-get install chromium fonts-noto-cjk` (Debian/Ubuntu), or point "
        "CAPSCHED_CHROMIUM at a Chrome/Chromium executable. HTML charts, CSV and XLSX work without them.",
    ),
    "export_needs_pango": (
        "PDF 文档需要 WeasyPrint 及其 Pango 库：请执行 `apt-get install libpango-1.0-0 libpangoft2-1.0-0`"
        "（Debian/Ubuntu）并 `pip install weasyprint`（{reason}）。XLSX 表格不需要它们。",
        "PDF documents need WeasyPrint and its Pango library: install them with `apt-get install "
        "libpango-1.0-0 libpangoft2-1.0-0` (Debian/Ubuntu) and `pip install weasyprint` ({reason}). XLSX tables "
        "work without them.",
    ),
    "export_browser_failed": (
        "位于 {path} 的 Chromium 未能启动（{reason}）。{advice}",
        "Chromium at {path} did not start ({reason}). {advice}",
    ),
    # why a run or job failed or stopped (app/i18n/failures.py)
    "err_interrupted_restart": (
        "服务器重启，运行未完成即中断",
        "interrupted by a restart of the server before it finished",
    ),
    "err_interrupted_shutdown": (
        "服务器关闭，运行未完成即中断",
        "interrupted by a shutdown of the server before it finished",
    ),
    "err_cancelled_queued": ("开始前已取消", "cancelled before it started"),
    "err_cancelled_running": ("求解中已取消", "cancelled while solving"),
    "err_cancelled_killed": (
        "求解中已取消；求解器未在 1 秒内停止，已被终止，未保留方案",
        "cancelled while solving; the solver did not stop within a second and was ended, keeping no schedule",
    ),
    "err_killed_past_limit": (
        "求解器超过时间限制仍未停止，已被终止，未保留方案",
        "the solver did not stop at its time limit and was ended; no schedule was kept",
    ),
    "err_solver_died": (
        "求解进程意外结束（可能内存不足，或被外部终止），未保留方案",
        "the solver's process ended unexpectedly (out of memory, or ended from outside); no schedule was kept",
    ),
    "err_internal": ("内部错误（请报告）：{detail}", "{detail}"),
    # least budget (app/rules/least_budget.py): the answer in words
    "lb_flat": ("每年 {amount} 万元", "{amount} 万元 a year"),
    "lb_scale": ("现有预算的 {scale} 倍", "scale {scale}"),
    "lb_nothing": ("零预算", "nothing"),
    "lb_rule_star": ("★ 项目按期完工", "every ★ on time"),
    "lb_rule_zero_slippage": ("全部零延期", "zero slippage"),
    "lb_found": (
        "{at} 满足“{rule}”；{below} 不满足（{why}）",
        "{at} meets the rule '{rule}'; {below} does not ({why})",
    ),
    "lb_proof_solver": ("求解器已证明不可行", "proven infeasible by the solver"),
    "lb_proof_caps_short": (
        "各年预算之和小于必须安排的 {must} 万元",
        "its caps sum to less than the {must} 万元 that must be funded",
    ),
    "lb_unproven": (
        "在{at}时，求解器在 {seconds} 秒内既未找到排程，也未证明排程不存在；最小预算介于{low}（不满足）与{high}"
        "之间，请放宽时间限制",
        "at {at} the solver neither found a schedule nor proved that none exists within {seconds} s; the "
        "least budget lies between {low} (fails) and {high}; give a longer time limit",
    ),
    "lb_none_structural": (
        "即使{at}（预算已不构成约束），也没有排程能满足“{rule}”：项目自身的限制（年度拨款、工期、截止年、前置项目）"
        "使其无法实现",
        "even at {at}, where no cap binds, no schedule meets the rule '{rule}': the projects' own limits "
        "(draws, durations, deadlines, predecessors) forbid it",
    ),
    "lb_all_caps_zero": (
        "各年预算均为 0：任何倍数都无法安排资金",
        "every cap is 0: no scale of them can fund anything",
    ),
    "lb_cancelled": ("已取消", "cancelled"),
    # solver diagnostics: "diag_<key>" for each template of solver/diagnostics.py MESSAGE_TEMPLATES (the
    # English is the solver's, word for word; app/i18n/solver.py renders the solver's keys)
    "diag_project_cannot_be_scheduled": ("{project}：{reason}", "{project}: {reason}"),
    "diag_no_money_helps": (
        "增加资金也无济于事：这些项目的日期和规则无法同时满足。",
        "No amount of money helps: the dates and rules of these projects cannot all hold.",
    ),
    "diag_must_cost_more_than_caps": (
        "不可暂缓的项目总投资共 {must} 万元，但 {first_year}–{last_year} 年的预算上限合计只有 {total} 万元。",
        "The projects that cannot be deferred cost {must} in total, but the caps of "
        "{first_year}-{last_year} add up to {total}.",
    ),
    "diag_rules_cannot_hold": (
        "增加资金也无济于事：完工期限、固定开工年份、建设年限和前置项目的要求无法同时满足。",
        "No amount of money helps: the deadlines, fixed starts, durations and predecessor rules "
        "cannot all hold together.",
    ),
    "diag_shortfall_not_worked_out": (
        "在预算上限内排不出方案；限时内未能算出最少还需增加多少资金。",
        "No schedule fits the caps; the least extra money could not be worked out in time.",
    ),
    "diag_shortfall_least": (
        "在预算上限内排不出方案。至少还需增加 {total} 万元（{per_year}），不能再少。",
        "No schedule fits the caps. At least {total} more in total is needed ({per_year}); no less will do.",
    ),
    "diag_shortfall_enough": (
        "在预算上限内排不出方案。再增加 {total} 万元（{per_year}）即可排出；限时内未能证明这是最少的数额。",
        "No schedule fits the caps. {total} more in total ({per_year}) is enough; "
        "it was not proven to be the least in the time allowed.",
    ),
    "diag_profile_too_long": (
        "其资金使用计划长达 {years} 年，超过规划期 {first_year}–{last_year} 年",
        "its cash-flow profile lasts {years} years, longer than the horizon {first_year}-{last_year}",
    ),
    "diag_cost_below_min_annual": (
        "总投资 {cost} 万元少于每年最低投入 {min_annual} 万元",
        "cost {cost} is less than its smallest annual draw {min_annual}",
    ),
    "diag_cost_cannot_be_drawn": (
        "总投资 {cost} 万元无法在最多 {years} 年内、每年不超过 {max_annual} 万元的条件下投完",
        "cost {cost} cannot be drawn in at most {years} years at ≤ {max_annual} a year",
    ),
    "diag_cost_cannot_last": (
        "总投资 {cost} 万元在每年不少于 {min_annual} 万元的条件下无法持续至少 {min_years} 年",
        "cost {cost} cannot last at least {min_years} years at ≥ {min_annual} a year",
    ),
    "diag_longer_than_horizon": (
        "至少需要 {years} 年，超过规划期",
        "it needs at least {years} years, more than the horizon",
    ),
    "diag_predecessor_unschedulable": (
        "其前置项目 {predecessor} 无法排入",
        "its predecessor {predecessor} cannot be scheduled",
    ),
    "diag_fixed_start_too_early": (
        "固定开工年份 {fixed_start} 年过早：{why_start}",
        "its fixed start {fixed_start} is too early: {why_start}",
    ),
    "diag_cannot_finish_by": (
        "无法在{limit}前完工：{why_start}，且至少需要 {years} 年",
        "it cannot finish by {limit}: {why_start} and needs at least {years} years",
    ),
    "diag_must_end_before_successor": (
        "须在 {end_by} 年及以前完工，{successor} 才能在 {start_by} 年及以前开工，但它最早 {end_lo} 年才能完工",
        "it must end by {end_by} so that {successor} can start by {start_by}, but cannot end before {end_lo}",
    ),
    "diag_start_not_before": ("最早 {start} 年才能开工", "it cannot start before {start}"),
    "diag_start_after_predecessor": (
        "其前置项目 {predecessor} 最早 {end} 年完工",
        "its predecessor {predecessor} ends in {end} at the earliest",
    ),
    "diag_start_fixed": ("固定于 {start} 年开工", "it starts in {start} (fixed)"),
    "diag_limit_deadline": ("完工期限 {deadline} 年底", "its deadline {deadline}"),
    "diag_limit_horizon": ("规划期末 {last_year} 年底", "the end of the horizon {last_year}"),
    "diag_shortfall_year": ("{year} 年 {amount} 万元", "{year}: {amount}"),
    "diag_deferred_by_mip": ("按混合整数规划的方案暂缓", "deferred by the MIP's pattern"),
    "diag_deferred_by_lp": ("按资金流线性规划的解暂缓", "deferred by the money-flow LP"),
    # issue 17: cost risk (app/services/jobs.py)
    "risk_already_finished": (
        "风险分析 {job} 已结束（{status}），无法取消",
        "risk analysis {job} has already finished ({status}); there is nothing to cancel",
    ),
    "risk_not_finished": (
        "风险分析 {job} 尚无结果（{status}）",
        "risk analysis {job} has no figures yet ({status})",
    ),
    "risk_overrun_invalid": (
        "成本超支假设无效：{detail}",
        "the overrun assumptions cannot be used: {detail}",
    ),
    "risk_unknown_group": (
        "成本超支假设中的{kind}「{name}」不在本项目库中；可用：{known}",
        "the overrun assumptions name the {kind} {name!r}, which no project of this portfolio has; use {known}",
    ),
    "risk_kind_category": ("项目细类", "category"),
    "risk_kind_nature": ("建设性质", "nature"),
    "risk_work_limit_over_max": (
        "每次求解的计算量 {seconds} 超过本服务器允许的最长求解时间 {limit} 秒",
        "a work limit of {seconds} per solve is more than this server's longest solve, {limit} s",
    ),
    "risk_plan_baseline": (
        "原计划：{who} 于 {when} 批准的基准（运行 {run}）",
        "fixed plan: the baseline {who} approved on {when} (run {run})",
    ),
    "risk_plan_deterministic": (
        "原计划：按估算成本求解的排程（无已批准的基准）",
        "fixed plan: the schedule at the estimated costs (no approved baseline)",
    ),
    "risk_plan_baseline_mismatch": (
        "原计划：按估算成本求解的排程（已批准的基准不覆盖本情景的全部项目或年度）",
        "fixed plan: the schedule at the estimated costs (the approved baseline does not cover this scenario's projects or years)",
    ),
    "risk_plan_asked": (
        "原计划：按估算成本求解的排程（按要求）",
        "fixed plan: the schedule at the estimated costs (as asked)",
    ),
    # issue 15 (solver, MODEL.md v2 funding sources): diagnostics of solver/messages.py's v2 templates
    "diag_must_cost_more_than_sources": (
        "不可暂缓的项目总投资共 {must} 万元，但 {first_year}–{last_year} 年各资金来源的额度合计只有 {total} 万元。",
        "The projects that cannot be deferred cost {must} in total, but the funding sources' caps of "
        "{first_year}-{last_year} add up to {total}.",
    ),
    "diag_source_mins_above_quota": (
        "不可暂缓的项目须从{source}至少获得 {mins} 万元，但该来源 {first_year}–{last_year} 年的额度合计只有 {total} 万元。",
        "The projects that cannot be deferred must draw at least {mins} from {source}, but its caps of "
        "{first_year}-{last_year} add up to {total}.",
    ),
    "diag_shortfall_sources_least": (
        "在预算上限和各资金来源额度内排不出方案。总额上限与各来源额度合计至少还需增加 {total} 万元，不能再少。",
        "No schedule fits the caps. At least {total} more is needed, counting the total caps and the "
        "sources' caps together; no less will do.",
    ),
    "diag_shortfall_sources_enough": (
        "在预算上限和各资金来源额度内排不出方案。总额上限与各来源额度合计再增加 {total} 万元即可排出；"
        "限时内未能证明这是最少的数额。",
        "No schedule fits the caps. {total} more, counting the total caps and the sources' caps together, "
        "is enough; it was not proven to be the least in the time allowed.",
    ),
    "diag_shortfall_on_total_caps": ("总额上限：{per_year}。", "On the total caps: {per_year}."),
    "diag_shortfall_on_sources": ("各资金来源额度：{per_source}。", "On the sources' caps: {per_source}."),
    "diag_funding_no_source": (
        "其资金来源清单为空，没有任何来源可以为其出资",
        "its funding list names no source, so nothing may fund it",
    ),
    "diag_funding_mins_exceed_cost": (
        "各资金来源的最低出资合计 {mins} 万元，超过其总投资 {cost} 万元",
        "its funding minimums add up to {mins}, more than its cost {cost}",
    ),
    "diag_funding_maxes_below_cost": (
        "各资金来源的最高出资合计 {maxes} 万元，低于其总投资 {cost} 万元",
        "its funding maximums add up to {maxes}, less than its cost {cost}",
    ),
    "diag_source_quota_below_min": (
        "须从{source}至少获得 {least} 万元，但在其可安排资金的 {first_year}–{last_year} 年，"
        "{source}最多只能提供 {quota} 万元",
        "it must draw at least {least} from {source}, but {source} can give at most {quota} in "
        "{first_year}-{last_year}, the years it can be funded in",
    ),
    "diag_sources_quota_below_cost": (
        "总投资 {cost} 万元，但在其可安排资金的 {first_year}–{last_year} 年，"
        "允许为其出资的各来源最多只能提供 {quota} 万元",
        "its cost is {cost}, but the sources allowed to fund it can give at most {quota} in "
        "{first_year}-{last_year}, the years it can be funded in",
    ),
    "diag_source_shortfall_year": ("{source} {year} 年 {amount} 万元", "{source} {year}: {amount}"),
    # issue 18 (harden-server): overload, the queue of background work, a database that cannot write
    "server_busy": (
        "服务器正忙（同时处理的请求已达上限）；请 {seconds} 秒后重试",
        "the server is busy (it is answering as many requests as it can at once); try again in {seconds} s",
    ),
    "queue_full": (
        "等待开始的运算已有 {queued} 个（上限 {limit}，CAPSCHED_MAX_QUEUED）；请等其中一个完成，或取消一个，再提交",
        "{queued} runs and searches are already waiting to start (the limit is {limit}, CAPSCHED_MAX_QUEUED); "
        "wait for one to finish or cancel one, then try again",
    ),
    "database_full": (
        "数据库所在的磁盘已满，本次修改没有保存；请管理员腾出磁盘空间后再试",
        "the disk holding the database is full, so nothing was saved; "
        "ask the administrator to free some space, then try again",
    ),
    "database_read_only": (
        "数据库目前只读（文件或磁盘只读，或连接的是只读库），本次修改没有保存；请告知管理员",
        "the database is read-only just now (a read-only file or disk, or a read-only server), so nothing "
        "was saved; tell the administrator",
    ),
    "database_busy": (
        "数据库正忙（另一项修改尚未完成），本次请求没有执行；请 {seconds} 秒后重试",
        "the database is busy with another change, so nothing was done; try again in {seconds} s",
    ),
    "database_unreachable": (
        "暂时无法连接数据库，本次请求没有执行；请稍后重试，或告知管理员",
        "the database cannot be reached just now, so nothing was done; try again later or tell the administrator",
    ),
}


# ── issue 15: funding sources (资金来源) and seat-years (学位·年) ── one block, merged into the tables above
FIELD_LABELS.update(
    {
        "source": "资金来源",
        "project": "项目编号",
        "allowed": "允许",
        "grant_wan": "定额补助",
        "min_wan": "下限（万元）",
        "max_wan": "上限（万元）",
        "min_percent": "下限比例（%）",
        "max_percent": "上限比例（%）",
        "note": "备注",
        "kind": "来源类别",
        "illustrative": "示意",
        "basis": "额度依据",
        "scenario": "预算方案",
        "objective": "优化目标",
        "default_seats": "缺省学位数",
        "quotas": "年度额度",
        "source_id": "资金来源",
    }
)
LABELS.update(
    {
        "sources_illustrative_short": ("资金来源为示意数据", "funding sources are illustrative"),
        "sources_illustrative_note": (
            "资金来源及年度额度为示意数据（规划未给出分来源数字，依据见 data/README.md）",
            "funding sources and their quotas are illustrative (the plan gives no split by source); "
            "basis in data/README.md",
        ),
        "objective_seat_years": ("学位·年 {value}", "seat-years {value}"),
        "src_title": ("分来源年度支出与额度", "Annual spend by funding source vs quota"),
        "src_subtitle": (
            "每年左列：各来源额度（浅色）· 右列：各来源支出（深色）· 折线：总预算上限",
            "each year, left: each source's quota (light) · right: its spend (solid) · line: the total cap",
        ),
        "src_quota_of": ("{source} 额度", "{source} quota"),
        "src_quota": ("额度", "quota"),
        "src_full": ("额度已用满", "quota used up"),
        "src_full_under": ("{n} 项满额", "{n} used up"),
        "src_total_words": (
            "{source}：支出 {spend} 万元 / 额度 {quota} 万元",
            "{source}: spent {spend} of a {quota} quota (万元)",
        ),
        "col_source": ("资金来源", "Source"),
        "col_source_code": ("来源编号", "Source code"),
        "col_amount": ("金额（万元）", "Amount (10k CNY)"),
        "col_quota": ("额度", "Quota"),
        "sheet_by_source": ("项目×来源×年度", "by source"),
        "sheet_source_years": ("来源年度额度", "source years"),
        "reason_source": ("资金来源受限", "source-bound"),
        "why_source": (
            "资金来源受限：{sources} 在 {years} 年的额度已用满，而总预算仍有余额；增加这些来源的额度可使其早于 "
            "{end} 年完成（资金充足时最早 {earliest} 年）",
            "source-bound: the quota of {sources} is used up in {years} while the total budget has room; more "
            "of those sources would finish it before {end} (with enough money: {earliest})",
        ),
        "unit_col_source_bound": ("来源受限", "Source-bound"),
        "report_objective_seat_years": ("学位·年（优化目标）", "Seat-years (the objective)"),
        "curve_seat_years": ("学位·年", "Seat-years"),
        "curve_y_seat_years": ("学位·年（新增学位×延期年数）", "Seat-years (places × years late)"),
        "curve_col_seat_years": ("学位·年", "Seat-years"),
        "seat_years_note": (
            "学位·年 = 新增学位 × 延期年数；未填新增学位的 {n} 个项目按缺省 {default} 个学位计",
            "seat-years = places added × years late; {n} project(s) stating no places count as {default}",
        ),
    }
)
NOUNS.update({"funding source": "资金来源", "funding rule": "资金来源规则"})
MESSAGES.update(
    {
        "rule_needs_one_scope": (
            "每条规则须且只能填写项目编号或项目细类之一",
            "a rule names exactly one of a project (code) or a category",
        ),
        "rule_forbidden_with_limits": (
            "不允许使用的来源不能再设下限或上限",
            "a source that is not allowed cannot also have a floor or a cap",
        ),
        "rule_floor_twice": (
            "下限只能填金额或比例之一",
            "give the floor as an amount or as a share, not both",
        ),
        "rule_cap_twice": ("上限只能填金额或比例之一", "give the cap as an amount or as a share, not both"),
        "rule_amount_negative": ("金额 {value} 不能为负数", "amount {value} must not be negative"),
        "rule_share_out_of_range": (
            "比例 {value}% 不在 0–100% 之间",
            "share {value}% is not between 0 and 100%",
        ),
        "rule_floor_over_cap": (
            "下限 {floor} 万元超过上限 {cap} 万元",
            "the floor {floor} (万元) is more than the cap {cap}",
        ),
        "rule_share_floor_over_cap": (
            "下限比例 {floor}% 超过上限比例 {cap}%",
            "the floor share {floor}% is more than the cap share {cap}%",
        ),
        "override_funding_shape": (
            "funding 须为由 source、min、max 组成的列表",
            "funding must be a list of objects with source, min and max",
        ),
        "bad_flag": (
            "{column}“{raw}”无法识别：请填 是/否、true/false 或 1/0",
            "{column} '{raw}' is not one of yes/no, true/false, 1/0",
        ),
        "amount_implausible": (
            "{column}{value} 万元不是合理的金额（超过 10 万亿元）",
            "{column} {value} (万元) is not a plausible amount (over 10 trillion yuan)",
        ),
        "bad_kind": (
            "来源类别“{raw}”无法识别：请填 {choices} 之一",
            "source kind '{raw}' is not one of {choices}",
        ),
        "no_data_rows": ("文件只有表头，没有数据行", "the file has a header but no rows"),
        "source_row_twice": (
            "资金来源 {code} 在同一方案中已在第 {first_row} 行出现",
            "source {code} already appears for the same scenario on row {first_row}",
        ),
        "source_rows_disagree": (
            "资金来源 {code} 的{column}与第 {first_row} 行不一致",
            "source {code}: {column} differs from row {first_row}",
        ),
        "rule_project_or_category": ("项目编号或项目细类", "project or category"),
        "rule_grant_with_limits": (
            "填了定额补助就不能再填下限或上限金额（定额即下限 = 上限）",
            "a fixed grant is floor = cap: do not also give min_wan or max_wan",
        ),
        "rule_row_twice": (
            "同一来源和项目（或细类）的规则已在第 {first_row} 行出现",
            "a rule for the same source and project (or category) is already on row {first_row}",
        ),
        "source_code_taken": (
            "本项目库已有编号为 {code} 的资金来源",
            "the portfolio already has a funding source with code {code}",
        ),
        "quota_years_missing": (
            "资金来源 {source} 在方案“{scenario}”中缺少 {years} 年的额度",
            "source {source} lacks a quota for {years} in scenario '{scenario}'",
        ),
        "quota_years_outside": (
            "资金来源 {source} 的额度年份 {years} 不在方案年份 {first}–{last} 内",
            "source {source}: quota years {years} are outside the scenario's years {first}–{last}",
        ),
        "quota_negative": (
            "资金来源 {source} 在 {years} 年的额度为负数",
            "source {source}: the quota for {years} is negative",
        ),
        "quota_implausible": (
            "资金来源 {source} 在 {years} 年的额度超过 10 万亿元，不是合理的金额",
            "source {source}: the quota for {years} is over 10 trillion yuan, not a plausible amount",
        ),
        "source_other_portfolio": (
            "资金来源 {source} 属于另一个项目库",
            "source {source} belongs to another portfolio",
        ),
        "not_here": ("不在本项目库中", "not in this portfolio"),
        "rule_unknown_project": ("本项目库没有项目 {code}", "the portfolio has no project {code}"),
        "rule_unknown_category": (
            "本项目库没有细类为“{category}”的项目",
            "no project of the portfolio has the category '{category}'",
        ),
        "rule_unknown_source": ("本项目库没有资金来源 {code}", "the portfolio has no funding source {code}"),
        "rule_unknown_source_row": (
            "本项目库没有资金来源 {code}（已有：{known}）",
            "the portfolio has no funding source {code} (it has: {known})",
        ),
        "rule_exists": (
            "资金来源 {source} 对 {scope} 已有规则：请修改那条规则",
            "source {source} already has a rule for {scope}: edit that rule",
        ),
        "quota_unknown_scenario": (
            "本项目库没有方案“{name}”（已有：{known}）",
            "the portfolio has no scenario '{name}' (it has: {known})",
        ),
        "none_word": ("无", "none"),
        "quota_no_scenario": (
            "文件按年份给出额度，但没有“预算方案”列，也没有指定方案",
            "the file gives quotas by year but names no scenario (add a scenario column or choose one)",
        ),
        "quota_year_column_missing": (
            "方案“{scenario}”需要 {year} 年的额度，但文件没有 {year} 列",
            "scenario '{scenario}' needs a quota for {year} but the file has no {year} column",
        ),
        "quota_cell_blank": (
            "方案“{scenario}”的 {year} 年额度未填写",
            "the {year} quota for scenario '{scenario}' is blank",
        ),
        "quota_year_outside": (
            "{year} 年不在方案“{scenario}”的年份 {first}–{last} 内（请留空）",
            "{year} is outside the years {first}–{last} of scenario '{scenario}' (leave it blank)",
        ),
        "source_quota_missing_run": (
            "资金来源 {sources} 在本方案中未设 {years} 年的额度：这些年份仅受总预算上限约束",
            "the funding source(s) {sources} have no quota in this scenario for {years}: those years they are "
            "limited by the total cap alone",
        ),
        "source_short_in_year": (
            "{source} {year} 年缺 {amount} 万元",
            "{source}: {amount} (万元) short in {year}",
        ),
    }
)
