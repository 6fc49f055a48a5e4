// Run view: start a solve of the scenario, watch it, then read the result: headline figures, the funding
// Gantt, spend against the cap, the slippage table, exports — or, when no schedule exists, why and how much is missing.
import { api, download, get } from "./api.js";
import { busy, dash, fileStem, h, loading, money, mount, notify, pill } from "./dom.js";
import { getLang, runStatusLabel, solverStatusLabel, t } from "./i18n.js";
import { when } from "./records.js";

const FINISHED = new Set(["done", "failed", "cancelled"]);
const TABLE_ROWS = 200; // rows a result table draws (10,000 rows of DOM freeze the page; XLSX/CSV hold all)
let pollTimer = null;

export async function render(root, ctx, args, stillHere) {
  clearTimeout(pollTimer);
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await ctx.reloadScenarios(); // the project list waits for a result to show: a running solve needs none of it
  let runId = args[0] ? Number(args[0]) : null;
  let scenario = ctx.scenario;
  if (runId) {
    const run = await get(`/api/runs/${runId}`);
    const owner = ctx.scenarios.find((s) => s.id === run.scenario_id);
    if (owner && owner.id !== scenario?.id) (ctx.selectScenario(owner.id), (scenario = owner));
  }
  if (!scenario) return mount(root, h("div", { class: "panel empty" }, t("no_scenarios")));
  const runs = await ctx.listRuns(scenario.id, { brief: true });
  if (!runId && runs.length) runId = runs[0].id;
  if (!stillHere()) return;
  const area = h("div", { id: "run-area" });
  mount(root, header(root, ctx, scenario, runs, runId), area);
  if (runId) await showRun(area, ctx, runId, stillHere);
  else mount(area, h("div", { class: "panel empty", id: "no-runs" }, ctx.can("run") ? t("no_runs_yet") : t("no_runs_viewer")));
}

function header(root, ctx, scenario, runs, runId) {
  const limit = h("input", { type: "number", id: "time-limit", min: "1", step: "1", style: "width:70px", value: scenario.time_limit ?? 10, "aria-label": t("time_limit") });
  const start = h("button", { type: "button", class: "primary", id: "start-run" }, t("start_run"));
  const replan = h("input", { type: "number", id: "replan-from", min: String(scenario.first_year), max: String(scenario.last_year), step: "1", style: "width:80px", placeholder: "—", title: t("replan_help"), "aria-label": t("replan_from") });
  start.addEventListener("click", () =>
    busy(start, async () => {
      const body = { time_limit: Number(limit.value) || undefined, replan_from: Number(replan.value) || undefined };
      const run = await api("POST", `/api/scenarios/${scenario.id}/runs`, body);
      ctx.rememberRun(scenario.id, run.id);
      ctx.go(`#/run/${run.id}`);
    }),
  );
  const budgetTotal = Object.values(scenario.budget || {}).reduce((a, b) => a + Number(b), 0);
  return h(
    "div",
    {},
    h(
      "div",
      { class: "page-head" },
      h(
        "div",
        {},
        h("h1", {}, t("run_title")),
        h("div", { class: "sub" }, t("run_sub", { first: scenario.first_year, last: scenario.last_year, total: money(budgetTotal), carry: scenario.carryover ? t("carryover_on") : t("carryover_off") })),
      ),
      h(
        "label",
        { class: "field-inline" },
        t("scenario"),
        h(
          "select",
          { id: "run-scenario", onchange: (e) => (ctx.selectScenario(Number(e.target.value)), ctx.go("#/run")) },
          ctx.scenarios.map((s) => h("option", { value: String(s.id), selected: s.id === scenario.id }, s.name)),
        ),
      ),
    ),
    h(
      "div",
      { class: "panel" },
      h(
        "div",
        { class: "toolbar", style: "margin:0" },
        ctx.can("run") ? [h("label", { class: "field-inline" }, t("time_limit"), limit, t("seconds")), h("label", { class: "field-inline", title: t("replan_help") }, t("replan_from"), replan), start] : h("span", { class: "muted" }, t("viewer_no_run")),
        h("span", { class: "spacer" }),
        runs.length
          ? h(
              "div",
              { class: "run-list", id: "run-list" },
              h("span", { class: "muted small" }, t("runs_of_scenario")),
              runs.slice(0, 8).map((r) =>
                h("a", { class: `button small ${r.id === runId ? "current" : ""}`, href: `#/run/${r.id}`, style: "text-decoration:none", "data-run": String(r.id) }, `#${r.id} ${r.solver_status ? solverStatusLabel(r.solver_status) : runStatusLabel(r.status)}`),
              ),
              runs.length > 1 ? h("a", { class: "button small", href: `#/compare/${runs[1].id}/${runs[0].id}`, style: "text-decoration:none" }, t("compare_last_two")) : null,
            )
          : null,
      ),
    ),
  );
}

async function showRun(area, ctx, runId, stillHere) {
  let run = await get(`/api/runs/${runId}`);
  if (!stillHere()) return;
  const watched = !FINISHED.has(run.status);
  while (!FINISHED.has(run.status)) {
    mount(area, progressPanel(ctx, run));
    await new Promise((resolve) => (pollTimer = setTimeout(resolve, 600)));
    if (!stillHere()) return;
    run = await get(`/api/runs/${runId}`);
  }
  if (!stillHere()) return;
  if (watched) return ctx.rerender(); // fresh run list and headline, now that the run is finished
  mount(area, loading(t("drawing")));
  await drawResult(area, ctx, run);
}

function progressPanel(ctx, run) {
  const p = run.progress || {};
  const elapsed = p.elapsed ?? 0;
  const share = Math.min(100, (elapsed / (run.time_limit || 1)) * 100);
  const cancel = h("button", { type: "button", class: "danger", id: "cancel-run" }, t("cancel_run"));
  cancel.addEventListener("click", () => busy(cancel, () => api("DELETE", `/api/runs/${run.id}`)));
  return h(
    "section",
    { class: "panel", id: "run-progress", "aria-busy": "true" },
    h("div", { class: "panel-head" }, h("h2", {}, h("span", { class: "spinner", style: "display:inline-block;vertical-align:-3px;margin-right:8px" }), t("run_in_progress", { id: run.id })), pill(runStatusLabel(run.status), "info")),
    h("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(share)) }, h("div", { style: `width:${share}%` })),
    h(
      "div",
      { class: "progress" },
      kpi(t("elapsed"), `${elapsed.toFixed(1)}`, t("seconds_short"), "", "p-elapsed"),
      kpi(t("best_slippage"), p.objective ?? "—", t("project_years"), "", "p-objective"),
      kpi(t("bound"), p.bound ?? "—", t("project_years"), "", "p-bound"),
      kpi(t("time_limit"), run.time_limit, t("seconds_short")),
    ),
    h("p", { class: "muted small" }, t("progress_help")),
    ctx.can("run") ? cancel : null,
  );
}

function kpi(label, value, unit = "", kind = "", id = null) {
  return h("div", { class: `kpi ${kind}`, id }, h("div", { class: "label" }, label), h("div", { class: "value" }, String(value), unit ? h("small", {}, unit) : null));
}

/** The headline figures of a Solution, with ★ taken from the portfolio's projects. */
export function headline(result, projects) {
  const byCode = new Map(projects.map((p) => [p.code, p]));
  const scheduled = result.projects.filter((p) => p.scheduled);
  const late = scheduled.filter((p) => (p.slippage || 0) > 0);
  const spend = result.years.reduce((sum, y) => sum + y.spend, 0);
  const peak = result.years.reduce((best, y) => (!best || y.spend > best.spend ? y : best), null);
  return {
    status: result.status,
    objective: result.objective,
    bound: result.bound,
    late: late.length,
    starLate: late.filter((p) => byCode.get(p.id)?.star).length,
    deferred: result.projects.length - scheduled.length,
    scheduled: scheduled.length,
    spend,
    peakYear: peak && peak.spend > 0 ? peak.year : null,
    peakSpend: peak ? peak.spend : 0,
  };
}

async function drawResult(area, ctx, run) {
  const result = run.result;
  if (result && !ctx.projects.length) await ctx.reloadProjects(); // names and ★ for the headline and tables
  const parts = [];
  slippageSeats = run.seat_years?.by_project || null;
  if (run.status === "failed") {
    parts.push(h("section", { class: "panel infeasible", id: "run-failed", role: "alert" }, h("h2", {}, t("run_failed", { id: run.id })), h("p", {}, run.error || t("no_reason"))));
  }
  if (run.status === "cancelled") parts.push(h("div", { class: "notice notice-info" }, result ? t("cancelled_with_result") : t("cancelled_no_result")));
  if (!result) return mount(area, parts);
  const noSchedule = result.status === "INFEASIBLE" || result.status === "UNKNOWN";
  if (run.replan_from && run.messages?.length) parts.push(replanNotes(run));
  if (noSchedule) parts.push(infeasiblePanel(ctx, run));
  else parts.push(headlinePanel(ctx, run), baselinePanel(ctx, run), chartPanels(run));
  const report = noSchedule ? null : h("section", { class: "panel", id: "slippage-report" }, h("h2", {}, t("slippage_report")), loading());
  if (!noSchedule) parts.push(slippagePanel(ctx, result), report, exportPanel(ctx, run));
  mount(area, parts);
  if (!noSchedule) await Promise.all([drawCharts(area, run, ctx), drawReport(report, ctx, run)]);
}

function headlinePanel(ctx, run) {
  const k = headline(run.result, ctx.projects);
  const statusKind = k.status === "OPTIMAL" ? "good" : "";
  const seatObjective = run.objective_kind === "seat_years";
  const seats = run.seat_years;
  return h(
    "section",
    { "aria-label": t("headline"), id: "headline" },
    h(
      "div",
      { class: "kpis" },
      kpi(t("status"), solverStatusLabel(k.status), "", statusKind, "k-status"),
      kpi(seatObjective ? t("objective_seat_years") : t("weighted_slippage"), k.objective === null || k.objective === undefined ? "—" : money(k.objective), seatObjective ? t("seat_years_unit") : t("project_years"), k.objective > 0 ? "bad" : "good", "k-objective"),
      seats && !seatObjective ? kpi(t("seat_years_kpi"), money(seats.total), t("seat_years_unit"), seats.total > 0 ? "bad" : "good", "k-seat-years") : null,
      kpi(t("projects_late"), k.late, t("of_n", { n: k.scheduled }), k.late ? "bad" : "good", "k-late"),
      kpi(t("star_late"), k.starLate, "", k.starLate ? "bad" : "good", "k-star-late"),
      kpi(t("deferred"), k.deferred, "", "", "k-deferred"),
      kpi(t("total_spend"), money(k.spend), t("wan"), "", "k-spend"),
      kpi(t("peak_year"), k.peakYear ?? "—", k.peakYear ? `${money(k.peakSpend)} ${t("wan")}` : "", "", "k-peak"),
    ),
    h("p", { class: "muted small" }, t("run_meta", { id: run.id, seconds: (run.result.solve_seconds ?? 0).toFixed(1), bound: dash(run.result.bound), by: run.started_by || "—" })),
    seats && seats.assumed.length ? h("p", { class: "muted small", id: "seat-years-note" }, t("seat_years_assumed", { n: seats.assumed.length, d: seats.default })) : null,
  );
}

function chartPanels(run) {
  const sources = run.sources || [];
  const sourcePanel = sources.length
    ? h(
        "section",
        { class: "panel", id: "sources-panel" },
        h("h2", {}, t("sources_chart")),
        sources.some((s) => s.illustrative) ? h("div", { class: "notice notice-info", id: "sources-illustrative" }, t("sources_illustrative_run")) : null,
        h("p", { class: "muted small" }, t("sources_chart_help")),
        h("div", { id: "sources-chart", class: "chart", style: "min-height:420px" }, loading(t("drawing"))),
      )
    : null;
  return [
    h(
      "section",
      { class: "panel", id: "gantt-panel" },
      h("div", { class: "panel-head" }, h("h2", {}, t("gantt"))),
      h("p", { class: "muted small" }, t("gantt_help")),
      h("div", { id: "gantt-controls", class: "gantt-controls" }),
      h("div", { id: "gantt", class: "chart" }, loading(t("drawing"))),
      h("div", { id: "gantt-pager-bottom" }),
    ),
    h("section", { class: "panel" }, h("h2", {}, t("spend_vs_cap")), h("div", { id: "spend-chart", class: "chart", style: "min-height:320px" }, loading(t("drawing")))),
    sourcePanel,
  ];
}

let plotlyLoading = null;
/** plotly.js (3 MB, served by the app) is fetched the first time a chart is drawn. */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  plotlyLoading ||= new Promise((resolve, reject) => {
    const script = h("script", { src: "/static/plotly.min.js" });
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => ((plotlyLoading = null), reject(new Error(t("plotly_missing")))));
    document.head.append(script);
  });
  return plotlyLoading;
}

const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

async function drawCharts(area, run, ctx) {
  const lang = getLang();
  await drawGantt(area.querySelector("#gantt"), run.id);
  const spend = area.querySelector("#spend-chart");
  try {
    await loadPlotly();
    spend.replaceChildren();
    await drawSpend(spend, run.result, lang);
  } catch (error) {
    mount(spend, h("p", { class: "error-text", role: "alert" }, t("chart_failed", { why: error.message })));
  }
  const bySource = area.querySelector("#sources-chart");
  if (bySource) await drawSources(bySource, run.id);
}

/** Spending by funding source against each quota, as the server draws it (app/charts/sources.py). */
async function drawSources(div, runId) {
  try {
    const fig = await get(`/api/runs/${runId}/sources.json?lang=${getLang()}`);
    const layout = { ...fig.layout, width: div.clientWidth || undefined, autosize: true };
    div.replaceChildren();
    await window.Plotly.react(div, fig.data, layout, PLOT_CONFIG);
  } catch (error) {
    mount(div, h("p", { class: "error-text", role: "alert" }, t("chart_failed", { why: error.message })));
  }
}

// The Gantt's view: order, grouping and folded groups, page, zoomed years. Kept while the page lives, so a
// language switch or a new run keeps the reader's place (the page and folds reset with a new grouping).
const gantt = { sort: "start", group: "category", collapsed: new Set(), page: 1, from: null, to: null, runId: null };

/** The Gantt's query: the same view for gantt.json and the exports (the PDF tiles every page of it). */
function ganttQuery({ page = true } = {}) {
  const params = new URLSearchParams({ lang: getLang(), sort: gantt.sort, group: gantt.group });
  if (page) params.set("page", String(gantt.page));
  for (const key of gantt.collapsed) params.append("collapsed", key);
  if (gantt.from !== null) params.set("from_year", String(gantt.from));
  if (gantt.to !== null) params.set("to_year", String(gantt.to));
  return params.toString();
}

/** The funding Gantt as the server draws it (app/charts/gantt.py), one page at a time, with Plotly.react;
 * its layout.meta (page, pages, groups, years) drives the pager, the group folds and the year zoom. */
async function drawGantt(div, runId) {
  if (gantt.runId !== runId) Object.assign(gantt, { page: 1, collapsed: new Set(), from: null, to: null, runId });
  try {
    await loadPlotly();
    const fig = await get(`/api/runs/${runId}/gantt.json?${ganttQuery()}`);
    const layout = { ...fig.layout, width: div.clientWidth || undefined, autosize: true };
    if (div.querySelector(".loading, .error-text")) div.replaceChildren();
    await window.Plotly.react(div, fig.data, layout, PLOT_CONFIG);
    div.dataset.page = String(fig.layout.meta.page);
    div.dataset.pages = String(fig.layout.meta.pages);
    if (!div.dataset.listening) {
      div.dataset.listening = "1";
      div.on("plotly_clickannotation", (event) => {
        const name = event.annotation?.name || "";
        if (name.startsWith("group:")) toggleGroup(div, runId, name.slice("group:".length));
      });
    }
    ganttControls(div, runId, fig.layout.meta);
  } catch (error) {
    if (error.status === 422 && gantt.page !== 1) {
      gantt.page = 1; // the view changed under the page (fewer pages now)
      return drawGantt(div, runId);
    }
    mount(div, h("p", { class: "error-text", role: "alert" }, t("chart_failed", { why: error.message })));
  }
}

function toggleGroup(div, runId, key) {
  if (gantt.collapsed.has(key)) gantt.collapsed.delete(key);
  else gantt.collapsed.add(key);
  gantt.page = 1;
  return drawGantt(div, runId);
}

/** Above the chart: order, grouping, years, the groups to fold, and the pager (repeated under the chart). */
function ganttControls(div, runId, meta) {
  const redraw = () => drawGantt(div, runId);
  const select = (id, label, options, current, set) =>
    h(
      "label",
      { class: "field-inline" },
      label,
      h(
        "select",
        { id, onchange: (e) => (set(e.target.value), redraw()) },
        options.map(([value, text]) => h("option", { value, selected: value === current }, text)),
      ),
    );
  const years = [];
  for (let y = meta.years[0]; y <= meta.years[1]; y += 1) years.push([String(y), String(y)]);
  const [shownFrom, shownTo] = meta.shown_years;
  const groupChips =
    meta.group === "none" && meta.groups.length <= 1
      ? null
      : h(
          "div",
          { class: "gantt-groups", id: "gantt-groups", role: "group", "aria-label": t("gantt_groups") },
          h("span", { class: "muted small" }, t("gantt_groups")),
          meta.groups.map((g) =>
            h(
              "button",
              {
                type: "button",
                class: `small chip ${g.collapsed ? "" : "current"}`,
                "data-group": g.key,
                "aria-pressed": String(!g.collapsed),
                title: t("gantt_group_toggle", { label: g.label }),
                onclick: () => toggleGroup(div, runId, g.key),
              },
              `${g.collapsed ? "▸" : "▾"} ${g.label} · ${g.count}`,
            ),
          ),
          h("button", { type: "button", class: "small link", id: "gantt-expand-all", onclick: () => ((gantt.collapsed = new Set()), (gantt.page = 1), redraw()) }, t("gantt_expand_all")),
          h("button", { type: "button", class: "small link", id: "gantt-collapse-all", onclick: () => ((gantt.collapsed = new Set(meta.groups.map((g) => g.key))), (gantt.page = 1), redraw()) }, t("gantt_collapse_all")),
        );
  mount(
    document.getElementById("gantt-controls"),
    h(
      "div",
      { class: "toolbar", style: "margin:0 0 6px" },
      select("gantt-sort", t("gantt_sort"), ["start", "slippage", "category"].map((k) => [k, t(`sort_${k}`)]), gantt.sort, (v) => ((gantt.sort = v), (gantt.page = 1))),
      select("gantt-group", t("gantt_group"), ["category", "unit", "status", "none"].map((k) => [k, t(`group_${k}`)]), gantt.group, (v) => ((gantt.group = v), (gantt.page = 1), (gantt.collapsed = new Set()))),
      h(
        "span",
        { class: "field-inline" },
        t("gantt_years"),
        h("select", { id: "gantt-from", "aria-label": `${t("gantt_years")} ≥`, onchange: (e) => ((gantt.from = Number(e.target.value)), (gantt.to = Math.max(gantt.from, gantt.to ?? shownTo)), redraw()) }, years.map(([v, text]) => h("option", { value: v, selected: Number(v) === shownFrom }, text))),
        "–",
        h("select", { id: "gantt-to", "aria-label": `${t("gantt_years")} ≤`, onchange: (e) => ((gantt.to = Number(e.target.value)), (gantt.from = Math.min(gantt.to, gantt.from ?? shownFrom)), redraw()) }, years.map(([v, text]) => h("option", { value: v, selected: Number(v) === shownTo }, text))),
        h("button", { type: "button", class: "small link", id: "gantt-years-all", disabled: gantt.from === null && gantt.to === null, onclick: () => ((gantt.from = null), (gantt.to = null), redraw()) }, t("gantt_years_all")),
      ),
      h("span", { class: "spacer" }),
      ganttPager(div, runId, meta, "gantt-pager"),
    ),
    groupChips,
  );
  mount(document.getElementById("gantt-pager-bottom"), meta.pages > 1 ? h("div", { class: "toolbar", style: "margin:6px 0 0" }, h("span", { class: "spacer" }), ganttPager(div, runId, meta, "gantt-pager-2")) : null);
}

function ganttPager(div, runId, meta, id) {
  const go = (n) => {
    gantt.page = Math.min(Math.max(1, n), meta.pages);
    return drawGantt(div, runId);
  };
  const button = (cls, label, symbol, target, disabled) => h("button", { type: "button", class: `small ${cls}`, "aria-label": label, title: label, disabled, onclick: (e) => busy(e.currentTarget, () => go(target)) }, symbol);
  const number = h("input", { type: "number", class: "gantt-page-number", min: "1", max: String(meta.pages), value: String(meta.page), style: "width:64px", "aria-label": t("page_number") });
  number.addEventListener("change", () => go(Number(number.value) || 1));
  return h(
    "nav",
    { class: "pager field-inline", id, "aria-label": t("page_number") },
    button("gantt-first", t("page_first"), "«", 1, meta.page <= 1),
    button("gantt-prev", t("page_prev"), "‹", meta.page - 1, meta.page <= 1),
    number,
    h("span", { class: "gantt-page-of" }, t("page_of", { page: meta.page, pages: meta.pages })),
    button("gantt-next", t("page_next"), "›", meta.page + 1, meta.page >= meta.pages),
    button("gantt-last", t("page_last"), "»", meta.pages, meta.page >= meta.pages),
  );
}

async function drawSpend(div, result, lang) {
  const years = result.years.map((y) => y.year);
  const data = [
    { type: "bar", name: t("spend"), x: years, y: result.years.map((y) => y.spend), marker: { color: "#3C6E9F" }, hovertemplate: `%{x}: %{y:,} ${t("wan")}<extra></extra>`, text: result.years.map((y) => (y.spend ? money(y.spend) : "")), textposition: "inside", insidetextanchor: "end", textfont: { color: "#fff", size: 11 } },
    { type: "scatter", mode: "lines+markers", line: { shape: "hvh", color: "#1F2A44", width: 2, dash: "dash" }, name: t("cap"), x: years, y: result.years.map((y) => y.budget), hovertemplate: `%{x}: %{y:,} ${t("wan")}<extra></extra>` },
  ];
  const layout = {
    height: 320,
    width: div.clientWidth || undefined,
    margin: { l: 70, r: 20, t: 10, b: 40 },
    font: { family: '"Noto Sans CJK SC", sans-serif', size: 12, color: "#1c2733" },
    xaxis: { tickmode: "array", tickvals: years, ticktext: years.map(String) },
    yaxis: { title: { text: t("amount_axis") }, separatethousands: true, tickformat: ",d", gridcolor: "#e6e9ef", rangemode: "tozero" },
    legend: { orientation: "h", y: 1.1, x: 0 },
    plot_bgcolor: "#fff",
    bargap: 0.35,
  };
  await window.Plotly.react(div, data, layout, PLOT_CONFIG);
  void lang;
}

let slippageSeats = null; // the run's seat-years per late project (run.seat_years.by_project)

function slippagePanel(ctx, result) {
  const byCode = new Map(ctx.projects.map((p) => [p.code, p]));
  const rows = [...result.projects].sort((a, b) => (b.scheduled ? b.slippage || 0 : 99) - (a.scheduled ? a.slippage || 0 : 99) || a.id.localeCompare(b.id));
  const showAll = { value: false };
  const table = h("tbody");
  const fill = () => {
    const matching = rows.filter((r) => showAll.value || !r.scheduled || (r.slippage || 0) > 0);
    const span = slippageSeats ? "9" : "8";
    if (!matching.length) return mount(table, h("tr", {}, h("td", { colspan: span, class: "empty" }, t("all_on_plan"))));
    const picked = matching.slice(0, TABLE_ROWS); // the latest first; every row is in the exports
    const more = matching.length > picked.length ? h("tr", { id: "slippage-more" }, h("td", { colspan: span, class: "muted small" }, t("slippage_more", { shown: picked.length, total: matching.length }))) : null;
    return mount(
      table,
      more,
      picked.map((r) => {
          const p = byCode.get(r.id) || {};
          const late = r.scheduled && (r.slippage || 0) > 0;
          return h(
            "tr",
            { "data-code": r.id },
            h("td", { class: "nowrap" }, r.id),
            h("td", { class: "name" }, p.name || ""),
            h("td", {}, p.star ? h("span", { class: "star" }, "★") : ""),
            h("td", { class: "num" }, `${dash(p.planned_start)}–${dash(p.planned_end)}`),
            h("td", { class: "num" }, r.scheduled ? `${r.start}–${r.end}` : "—"),
            h("td", { class: `num ${late ? "worse" : ""}` }, r.scheduled ? (late ? `+${r.slippage}` : "0") : "—"),
            h("td", {}, r.scheduled ? (late ? pill(t("late_pill"), "bad") : pill(t("on_plan"), "good")) : pill(t("deferred_pill"), "warn")),
            slippageSeats ? h("td", { class: "num", "data-seat-years": String(slippageSeats[r.id] || 0) }, slippageSeats[r.id] ? money(slippageSeats[r.id]) : "—") : null,
            h("td", { class: "num" }, money(Object.values(r.funding || {}).reduce((a, b) => a + b, 0))),
          );
        }),
    );
  };
  fill();
  return h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, t("slippage_table")),
      h("label", { class: "field-inline" }, h("input", { type: "checkbox", id: "show-all-projects", onchange: (e) => ((showAll.value = e.target.checked), fill()) }), t("show_all_projects")),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "slippage-table" },
        h("thead", {}, h("tr", {}, [t("col_code"), t("col_name"), "★", t("planned_years"), t("scheduled_years"), t("slippage_years"), t("col_status"), slippageSeats ? t("seat_years_col") : null, t("funded_total")].filter(Boolean).map((x, i) => h("th", { class: i >= 3 && i !== 6 ? "num" : "" }, x)))),
        table,
      ),
    ),
  );
}

function exportPanel(ctx, run) {
  const scenario = ctx.scenarios.find((s) => s.id === run.scenario_id);
  const years = (run.result?.years || []).map((y) => y.year);
  const thisYear = new Date().getFullYear();
  const year = h(
    "select",
    { id: "annual-plan-year", "aria-label": t("annual_plan_year") },
    years.map((y) => h("option", { value: String(y), selected: y === (years.includes(thisYear) ? thisYear : years[0]) }, String(y))),
  );
  const stem = fileStem(`${scenario?.name || "run"}_run${run.id}`);
  const lang = getLang();
  const button = (label, path, name, id) => {
    const b = h("button", { type: "button", class: "small", id }, label);
    b.addEventListener("click", () => busy(b, () => download(typeof path === "function" ? path() : path, typeof name === "function" ? name() : name)));
    return b;
  };
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("exports")),
    h(
      "div",
      { class: "exports" },
      h("span", { class: "group-label" }, t("gantt_chart")),
      ["png", "svg", "pdf", "html"].map((fmt) => button(fmt.toUpperCase(), () => `/api/runs/${run.id}/gantt.${fmt}?${ganttQuery({ page: fmt !== "pdf" && fmt !== "html" })}`, `${stem}_gantt.${fmt}`, `export-gantt-${fmt}`)),
      h("span", { class: "group-label" }, t("schedule_table")),
      ["xlsx", "csv"].map((fmt) => button(fmt.toUpperCase(), `/api/runs/${run.id}/schedule.${fmt}?lang=${lang}`, `${stem}_schedule.${fmt}`, `export-schedule-${fmt}`)),
    ),
    h(
      "div",
      { class: "exports", style: "margin-top:6px" },
      h("span", { class: "group-label" }, t("report_doc")),
      ["A4", "A3"].map((paper) => button(`PDF ${paper}`, `/api/runs/${run.id}/report.pdf?lang=${lang}&paper=${paper}&sort=${gantt.sort}`, `${stem}_report_${paper}.pdf`, `export-report-${paper.toLowerCase()}`)),
      h("span", { class: "group-label" }, t("annual_plan")),
      year,
      ["xlsx", "pdf"].map((fmt) => button(fmt.toUpperCase(), () => `/api/runs/${run.id}/annual-plan.${fmt}?year=${year.value}&lang=${lang}`, () => `${stem}_annual_plan_${year.value}.${fmt}`, `export-annual-plan-${fmt}`)),
      h("span", { class: "group-label" }, t("msproject")),
      button("XML", `/api/runs/${run.id}/msproject.xml`, `${stem}_msproject.xml`, "export-msproject"),
    ),
    h("p", { class: "muted small", style: "margin-top:6px" }, t("exports_help"), " ", t("report_help"), " ", t("msproject_help")),
  );
}

function infeasiblePanel(ctx, run) {
  const result = run.result;
  const shortfall = Object.entries(result.diagnostics?.shortfall || {})
    .map(([year, amount]) => [Number(year), Number(amount)])
    .filter(([, amount]) => amount > 0)
    .sort((a, b) => a[0] - b[0]);
  const messages = run.messages || []; // result.diagnostics.messages in the reader's language (API)
  const scenario = ctx.scenarios.find((s) => s.id === run.scenario_id);
  const apply = h("button", { type: "button", class: "primary", id: "apply-shortfall" }, t("apply_shortfall"));
  apply.addEventListener("click", () =>
    busy(apply, async () => {
      const budget = { ...scenario.budget };
      for (const [year, amount] of shortfall) budget[String(year)] = Number(budget[String(year)] || 0) + amount;
      await api("PATCH", `/api/scenarios/${scenario.id}`, { version: scenario.version, budget });
      await addSourceShortfall(scenario, result.diagnostics?.source_shortfall);
      await ctx.reloadScenarios();
      notify(t("shortfall_applied", { name: scenario.name }), "ok");
      apply.replaceWith(h("span", { class: "pill good", id: "shortfall-applied" }, t("shortfall_applied_short")));
    }),
  );
  const total = shortfall.reduce((sum, [, amount]) => sum + amount, 0);
  return h(
    "section",
    { class: "panel infeasible", id: "infeasible", role: "alert" },
    h("h2", {}, result.status === "UNKNOWN" ? t("unknown_title") : t("infeasible_title")),
    h("p", {}, result.status === "UNKNOWN" ? t("unknown_help") : t("infeasible_help")),
    messages.length ? [h("h3", {}, t("reasons")), h("ul", { id: "infeasible-reasons" }, messages.map((m) => h("li", {}, m)))] : null,
    run.source_shortfall?.length
      ? [h("h3", {}, t("source_shortfall_title")), h("ul", { class: "shortfall-list", id: "source-shortfall" }, run.source_shortfall.map((words) => h("li", {}, words)))]
      : null,
    shortfall.length
      ? [
          h("h3", {}, t("shortfall_title", { total: money(total) })),
          h("ul", { class: "shortfall-list", id: "shortfall" }, shortfall.map(([year, amount]) => h("li", {}, t("shortfall_year", { year, amount: money(amount) })))),
          scenario && ctx.can("edit_budget") ? h("div", { class: "actions" }, apply, h("a", { href: "#/budget", class: "button", style: "text-decoration:none" }, t("open_budget"))) : null,
        ]
      : null,
  );
}

/** With funding sources, the shortfall per source goes onto that source's quota in the scenario too (a source
without a quota is limited by the total alone, which the budget change already raises). */
async function addSourceShortfall(scenario, bySource) {
  if (!bySource || !Object.keys(bySource).length) return;
  const quotas = await get(`/api/scenarios/${scenario.id}/quotas`);
  for (const quota of quotas) {
    const extra = bySource[quota.source_code];
    if (!extra) continue;
    const budget = { ...quota.budget };
    for (const [year, amount] of Object.entries(extra)) if (year in budget) budget[year] = Number(budget[year]) + Number(amount);
    await api("PUT", `/api/scenarios/${scenario.id}/quotas/${quota.source_id}`, { budget });
  }
}

function replanNotes(run) {
  return h(
    "section",
    { class: "panel", id: "replan-notes" },
    h("h2", {}, `${t("replan_notes")} · ${t("replan_from")} ${run.replan_from}`),
    h("ul", {}, run.messages.map((m) => h("li", {}, m))),
  );
}

/** Who approved the portfolio's baseline, and (finance) a button to make this run the baseline. */
function baselinePanel(ctx, run) {
  const info = h("span", { class: "muted small", id: "baseline-info" });
  const show = (baseline) =>
    mount(info, baseline ? t("baseline_is", { id: baseline.run_id, by: baseline.approved_by, when: when(baseline.approved_at) }) : "");
  get(`/api/portfolios/${ctx.portfolio.id}/baseline`).then(show, () => show(null));
  const approve = h("button", { type: "button", class: "small", id: "approve-baseline" }, t("approve_baseline"));
  approve.addEventListener("click", () => {
    if (!window.confirm(t("approve_confirm", { id: run.id }))) return;
    busy(approve, async () => {
      const baseline = await api("POST", `/api/runs/${run.id}/approve`);
      show(baseline);
      notify(t("baseline_approved", { id: run.id }), "ok");
      ctx.rerender();
    });
  });
  return h("div", { class: "toolbar", style: "margin:0 0 10px" }, ctx.can("run") && run.status === "done" ? approve : null, info);
}

/** A variance in years with its sign: +2, 0, −1. */
const signed = (years) => (years > 0 ? `+${years}` : years < 0 ? `−${-years}` : "0");

/** The slippage report (app/slippage.py): per project how late and why, then per responsible unit.
 * With a baseline: plan end, baseline end, forecast end and both variances, as MS Project's baseline views. */
async function drawReport(section, ctx, run) {
  const lang = getLang();
  let report;
  try {
    report = await get(`/api/runs/${run.id}/slippage.json?lang=${lang}`);
  } catch (error) {
    return mount(section, h("h2", {}, t("slippage_report")), h("p", { class: "error-text", role: "alert" }, error.message));
  }
  const base = report.has_baseline;
  const cols = [t("col_code"), t("col_name"), t("col_unit"), t("col_planned_end"), base ? t("col_baseline_end") : null, t("col_forecast_end"), t("col_years_late"), base ? t("col_late_vs_baseline") : null, t("col_reason"), t("col_why")].filter(Boolean);
  const sorted = [...report.projects].sort((a, b) => (b.years_late ?? 99) - (a.years_late ?? 99) || a.code.localeCompare(b.code));
  const rows = sorted.slice(0, TABLE_ROWS);
  const unitCols = [t("col_unit"), t("col_projects"), t("col_late"), t("col_star_late"), t("col_deferred"), t("col_years_late"), t("col_weighted"), report.has_sources ? t("col_source_bound") : null].filter(Boolean);
  const stem = fileStem(`run${run.id}_slippage`);
  const button = (fmt) => {
    const b = h("button", { type: "button", class: "small", id: `export-report-${fmt}` }, fmt.toUpperCase());
    b.addEventListener("click", () => busy(b, () => download(`/api/runs/${run.id}/slippage.${fmt}?lang=${lang}`, `${stem}.${fmt}`)));
    return b;
  };
  mount(
    section,
    h("div", { class: "panel-head" }, h("h2", {}, t("slippage_report")), h("div", { class: "exports" }, button("xlsx"), button("csv"))),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "report-table" },
        h("thead", {}, h("tr", {}, cols.map((c) => h("th", {}, c)))),
        h(
          "tbody",
          {},
          rows.map((r) =>
            h(
              "tr",
              { "data-code": r.code, "data-reason": r.reason },
              h("td", { class: "nowrap" }, r.star ? `★ ${r.code}` : r.code),
              h("td", { class: "name" }, r.name),
              h("td", {}, r.unit),
              h("td", { class: "num" }, String(r.planned_end)),
              base ? h("td", { class: "num" }, dash(r.baseline_end)) : null,
              h("td", { class: "num" }, dash(r.forecast_end)),
              h("td", { class: `num ${r.years_late ? "worse" : ""}` }, dash(r.years_late)),
              base ? h("td", { class: `num ${r.late_vs_baseline > 0 ? "worse" : ""}`, "data-col": "late-vs-baseline" }, r.late_vs_baseline == null ? "—" : signed(r.late_vs_baseline)) : null,
              h("td", {}, r.years_late || r.reason === "deferred" ? pill(r.reason_label, r.reason === "budget" || r.reason === "source" ? "bad" : "warn") : pill(r.reason_label, "good")),
              h("td", { class: "small" }, r.why),
            ),
          ),
        ),
      ),
    ),
    sorted.length > rows.length ? h("p", { class: "muted small", id: "report-more" }, t("report_top_rows", { shown: rows.length, total: sorted.length })) : null,
    h("h3", {}, t("report_by_unit")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "report-units" },
        h("thead", {}, h("tr", {}, unitCols.map((c, i) => h("th", { class: i ? "num" : "" }, c)))),
        h(
          "tbody",
          {},
          report.units.map((u) =>
            h("tr", { "data-unit": u.unit }, h("td", {}, u.unit), [u.projects, u.late, u.star_late, u.deferred, u.years_late, u.weighted_slippage, ...(report.has_sources ? [u.source_bound] : [])].map((v) => h("td", { class: "num" }, String(v)))),
          ),
        ),
      ),
    ),
  );
}
