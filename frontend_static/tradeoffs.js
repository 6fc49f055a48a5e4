// Trade-off view: the budget sweep of a scenario (live progress, the curve with the current budget marked,
// the table, CSV/XLSX) and the exact least budget for "every ★ on time" and "zero slippage".
import { api, download, get } from "./api.js";
import { busy, dash, fileStem, h, loading, money, mount, notify } from "./dom.js";
import { getLang, runStatusLabel, solverStatusLabel, t } from "./i18n.js";
import { loadPlotly } from "./run.js";

const FINISHED = new Set(["done", "failed", "cancelled"]);
const PLOT_CONFIG = { displaylogo: false, responsive: true };
let pollTimer = null;

export async function render(root, ctx, args, stillHere) {
  clearTimeout(pollTimer);
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await ctx.reloadScenarios();
  const scenario = ctx.scenario;
  if (!scenario) return mount(root, h("div", { class: "panel empty" }, t("no_scenarios")));
  const [sweeps, leasts] = await Promise.all([get(`/api/scenarios/${scenario.id}/sweeps`), get(`/api/scenarios/${scenario.id}/least-budget`)]);
  if (!stillHere()) return;
  const area = h("div", { id: "sweep-area" });
  mount(root, head(ctx, scenario), sweepForm(ctx, scenario), leastPanel(ctx, scenario, leasts, stillHere), area);
  const sweepId = args[0] ? Number(args[0]) : sweeps[0]?.id;
  if (sweepId) await showSweep(area, ctx, sweepId, stillHere);
  else mount(area, h("div", { class: "panel empty", id: "no-sweeps" }, ctx.can("run") ? t("no_sweeps") : t("no_sweeps_viewer")));
}

function head(ctx, scenario) {
  return h(
    "div",
    { class: "page-head" },
    h("div", {}, h("h1", {}, t("tradeoffs_title")), h("div", { class: "sub" }, t("tradeoffs_sub", { name: scenario.name }))),
    h(
      "label",
      { class: "field-inline" },
      t("scenario"),
      h(
        "select",
        { id: "tradeoff-scenario", onchange: (e) => (ctx.selectScenario(Number(e.target.value)), ctx.go("#/tradeoffs")) },
        ctx.scenarios.map((s) => h("option", { value: String(s.id), selected: s.id === scenario.id }, s.name)),
      ),
    ),
  );
}

function sweepForm(ctx, scenario) {
  if (!ctx.can("run")) return null;
  const levels = h("input", { type: "text", id: "sweep-levels", value: "0.5:1.5:0.1", style: "width:140px", "aria-label": t("sweep_levels"), title: t("sweep_levels_help") });
  const limit = h("input", { type: "number", id: "sweep-time-limit", min: "1", step: "1", value: "5", style: "width:60px", "aria-label": t("sweep_time") });
  const start = h("button", { type: "button", class: "primary", id: "start-sweep" }, t("start_sweep"));
  start.addEventListener("click", () =>
    busy(start, async () => {
      const sweep = await api("POST", `/api/scenarios/${scenario.id}/sweeps`, { levels: levels.value.trim() || undefined, time_limit: Number(limit.value) || undefined });
      ctx.go(`#/tradeoffs/${sweep.id}`);
    }),
  );
  return h(
    "div",
    { class: "panel" },
    h(
      "div",
      { class: "toolbar", style: "margin:0" },
      h("label", { class: "field-inline" }, t("sweep_levels"), levels),
      h("span", { class: "muted small" }, t("sweep_levels_help")),
      h("label", { class: "field-inline" }, t("sweep_time"), limit, t("seconds")),
      start,
    ),
  );
}

async function showSweep(area, ctx, sweepId, stillHere) {
  let sweep = await get(`/api/sweeps/${sweepId}`);
  let drawn = -1;
  for (;;) {
    if (!stillHere()) return;
    if (sweep.points.length !== drawn || FINISHED.has(sweep.status)) {
      drawn = sweep.points.length;
      await drawSweep(area, ctx, sweep);
    }
    if (FINISHED.has(sweep.status)) return;
    await new Promise((resolve) => (pollTimer = setTimeout(resolve, 700)));
    if (!stillHere()) return;
    sweep = await get(`/api/sweeps/${sweepId}`);
  }
}

async function drawSweep(area, ctx, sweep) {
  const running = !FINISHED.has(sweep.status);
  const p = sweep.progress || { done: sweep.points.length, total: sweep.points.length };
  const share = p.total ? (100 * p.done) / p.total : 0;
  const cancel = h("button", { type: "button", class: "danger small", id: "cancel-sweep" }, t("cancel_sweep"));
  cancel.addEventListener("click", () => busy(cancel, () => api("DELETE", `/api/sweeps/${sweep.id}`)));
  const chart = h("div", { id: "curve-chart", class: "chart", style: "min-height:420px" }, loading(t("drawing")));
  const counted = sweep.points.some((pt) => pt.seat_years !== null && pt.seat_years !== undefined);
  const measure = h(
    "select",
    { id: "curve-measure", "aria-label": t("curve_measure"), onchange: (e) => ((curveMeasure = e.target.value), drawCurve(chart, sweep)) },
    ["objective", "seat_years"].map((k) => h("option", { value: k, selected: curveMeasure === k }, t(`curve_measure_${k}`))),
  );
  mount(
    area,
    h(
      "section",
      { class: "panel", id: "sweep-progress", "aria-busy": running ? "true" : "false" },
      h("div", { class: "panel-head" }, h("h2", {}, `${t("curve_chart")} #${sweep.id}`), h("span", { class: "pill info", id: "sweep-status" }, runStatusLabel(sweep.status))),
      h("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(share)) }, h("div", { style: `width:${share}%` })),
      h("p", { class: "muted small", id: "sweep-count" }, t("sweep_progress", p)),
      running && ctx.can("run") ? cancel : null,
      sweep.error && sweep.status === "failed" ? h("p", { class: "error-text", role: "alert" }, sweep.error) : null,
      counted ? h("label", { class: "field-inline" }, t("curve_measure"), measure) : null,
      chart,
    ),
    curveTable(sweep),
    downloads(ctx, sweep),
  );
  if (!sweep.points.length) return mount(chart, h("p", { class: "muted" }, t("sweep_progress", p)));
  if (!counted) curveMeasure = "objective";
  await drawCurve(chart, sweep);
}

let curveMeasure = "objective"; // what the curve plots: the scenario's objective, or seat-years (issue 15)

async function drawCurve(chart, sweep) {
  try {
    await loadPlotly();
    const fig = await get(`/api/sweeps/${sweep.id}/curve.json?lang=${getLang()}&measure=${curveMeasure}`);
    chart.replaceChildren();
    await window.Plotly.react(chart, fig.data, { ...fig.layout, width: chart.clientWidth || undefined, autosize: true }, PLOT_CONFIG);
  } catch (error) {
    mount(chart, h("p", { class: "error-text", role: "alert" }, t("chart_failed", { why: error.message })));
  }
}

function curveTable(sweep) {
  const cols = [t("col_level"), t("col_mean_cap"), t("col_weighted"), t("col_late"), t("col_star_late"), t("col_deferred"), t("status"), t("col_proven")];
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("curve_table")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "curve-table" },
        h("thead", {}, h("tr", {}, cols.map((c, i) => h("th", { class: i < 6 ? "num" : "" }, c)))),
        h(
          "tbody",
          {},
          sweep.points.map((pt) =>
            h(
              "tr",
              { "data-level": String(pt.level), class: Math.abs(pt.mean_cap_wan - sweep.current_cap_wan) < 0.5 ? "current" : "" },
              h("td", { class: "num" }, pt.flat_wan != null ? money(pt.flat_wan) : `×${pt.level}`),
              h("td", { class: "num" }, money(pt.mean_cap_wan)),
              h("td", { class: "num" }, dash(pt.objective)),
              h("td", { class: "num" }, dash(pt.projects_late)),
              h("td", { class: "num" }, dash(pt.star_late)),
              h("td", { class: "num" }, dash(pt.deferred)),
              h("td", {}, solverStatusLabel(pt.status)),
              h("td", {}, pt.proven ? t("yes") : t("no")),
            ),
          ),
        ),
      ),
    ),
  );
}

function downloads(ctx, sweep) {
  const scenario = ctx.scenario;
  const stem = fileStem(`${scenario?.name || "sweep"}_curve${sweep.id}`);
  const lang = getLang();
  return h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "exports" },
      h("span", { class: "group-label" }, t("curve_download")),
      ["xlsx", "csv", "png", "html"].map((fmt) => {
        const b = h("button", { type: "button", class: "small", id: `export-curve-${fmt}` }, fmt.toUpperCase());
        b.addEventListener("click", () => busy(b, () => download(`/api/sweeps/${sweep.id}/curve.${fmt}?lang=${lang}`, `${stem}.${fmt}`)));
        return b;
      }),
    ),
  );
}

function leastPanel(ctx, scenario, leasts, stillHere) {
  const latest = (rule) => leasts.find((job) => job.rule === rule && job.mode === "flat");
  const row = (rule, label, id) => {
    const out = h("span", { class: "least-amount", id: `${id}-amount` });
    const show = (job) => {
      if (!job) return mount(out, "");
      if (!FINISHED.has(job.status)) return mount(out, h("span", { class: "muted" }, t("least_searching", { steps: job.progress?.steps ?? 0 })));
      if (job.outcome === "found") return mount(out, h("strong", {}, t("least_amount", { amount: money(job.amount_wan) })));
      return mount(out, h("span", { class: "error-text" }, t("least_not_found", { message: job.message || job.error || job.status })));
    };
    const watch = async (job) => {
      show(job);
      while (job && !FINISHED.has(job.status) && stillHere()) {
        await new Promise((resolve) => setTimeout(resolve, 800));
        job = await get(`/api/least-budget/${job.id}`);
        show(job);
      }
    };
    const button = h("button", { type: "button", id }, label);
    button.addEventListener("click", () =>
      busy(button, async () => {
        await watch(await api("POST", `/api/scenarios/${scenario.id}/least-budget`, { rule }));
      }),
    );
    watch(latest(rule)).catch((error) => notify(error.message, "error"));
    return h("div", { class: "toolbar", style: "margin:4px 0" }, ctx.can("run") ? button : h("span", {}, label), out);
  };
  return h(
    "section",
    { class: "panel", id: "least-budget" },
    h("h2", {}, t("least_title")),
    h("p", { class: "muted small" }, t("least_help")),
    row("star", t("least_star"), "least-star"),
    row("zero-slippage", t("least_zero"), "least-zero"),
  );
}
