// Cost risk view (风险分析, issue 17): start a Monte Carlo over cost overruns for a scenario, watch it on the
// Dask cluster, and read P(on time) per project and for every ★, the slippage S-curve and the P80 budget —
// always beside the overrun assumptions they rest on, labelled as assumptions.
import { api, get } from "./api.js";
import { busy, h, loading, money, mount, notify } from "./dom.js";
import { categoryLabel, getLang, runStatusLabel, t } from "./i18n.js";
import { loadPlotly } from "./run.js";

const FINISHED = new Set(["done", "failed", "cancelled"]);
const PLOT_CONFIG = { displaylogo: false, responsive: true };
const CHARTS = ["probability", "slippage", "budget"];
const pct = (value) => (value === null || value === undefined ? "—" : `${Math.round(100 * value)}%`);

export async function render(root, ctx, args, stillHere) {
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await ctx.reloadScenarios();
  const scenario = ctx.scenario;
  if (!scenario) return mount(root, h("div", { class: "panel empty" }, t("no_scenarios")));
  // the categories and natures the assumptions may name, counted by the server (the list may be 10,000 rows)
  const [jobs, summary] = await Promise.all([
    get(`/api/scenarios/${scenario.id}/risk`),
    get(`/api/portfolios/${ctx.portfolio.id}/projects/summary`),
  ]);
  if (!stillHere()) return;
  const area = h("div", { id: "risk-area" });
  mount(root, head(ctx, scenario), ctx.can("run") ? riskForm(ctx, scenario, summary) : null, area);
  const jobId = args[0] ? Number(args[0]) : jobs[0]?.id;
  if (jobId) await showRisk(area, ctx, jobId, stillHere);
  else mount(area, h("div", { class: "panel empty", id: "no-risk" }, ctx.can("run") ? t("risk_none") : t("risk_none_viewer")));
}

function head(ctx, scenario) {
  return h(
    "div",
    { class: "page-head" },
    h("div", {}, h("h1", {}, t("risk_title")), h("div", { class: "sub" }, t("risk_sub", { name: scenario.name }))),
    h(
      "label",
      { class: "field-inline" },
      t("scenario"),
      h(
        "select",
        { id: "risk-scenario", onchange: (e) => (ctx.selectScenario(Number(e.target.value)), ctx.go("#/risk")) },
        ctx.scenarios.map((s) => h("option", { value: String(s.id), selected: s.id === scenario.id }, s.name)),
      ),
    ),
  );
}

function number(id, value, attrs = {}) {
  return h("input", { type: "number", id, value: String(value), style: "width:80px", ...attrs });
}

/** Share / mean / correlation inputs for one group; blank inputs leave the group on the default. */
function overrunInputs(prefix, share, mean, corr) {
  return {
    share: number(`${prefix}-share`, share, { min: "0", max: "100", step: "1", "aria-label": t("risk_share") }),
    mean: number(`${prefix}-mean`, mean, { min: "-99", step: "1", "aria-label": t("risk_mean") }),
    corr: number(`${prefix}-corr`, corr, { min: "0", max: "1", step: "0.1", "aria-label": t("risk_corr") }),
  };
}

function readOverrun(inputs) {
  if (inputs.share.value === "" && inputs.mean.value === "") return null;
  return {
    share_over: Number(inputs.share.value) / 100,
    mean: Number(inputs.mean.value) / 100,
    correlation: inputs.corr.value === "" ? 0.5 : Number(inputs.corr.value),
  };
}

function riskForm(ctx, scenario, summary) {
  const samples = number("risk-samples", 200, { min: "1", max: "10000", step: "1" });
  const seed = number("risk-seed", 1, { min: "0", step: "1" });
  const confidence = number("risk-confidence", 80, { min: "1", max: "99", step: "1" });
  const work = number("risk-work-limit", 5, { min: "0.1", step: "0.5" });
  const plan = h(
    "select",
    { id: "risk-plan" },
    h("option", { value: "baseline" }, t("risk_plan_baseline_opt")),
    h("option", { value: "deterministic" }, t("risk_plan_deterministic_opt")),
  );
  const base = overrunInputs("risk-default", 75, 25, 0.5);
  const groups = [];
  const categories = [...summary.categories].sort();
  const natures = [...summary.natures].sort();
  const groupRows = [
    ...categories.map((name) => ({ kind: "categories", name, label: categoryLabel(name) })),
    ...natures.map((name) => ({ kind: "natures", name, label: name })),
  ].map((g, i) => {
    const inputs = overrunInputs(`risk-group-${i}`, "", "", "");
    groups.push({ ...g, inputs });
    return h(
      "tr",
      { "data-group": g.name },
      h("td", {}, g.kind === "categories" ? t("risk_by_category") : t("risk_by_nature")),
      h("td", {}, g.label),
      h("td", {}, inputs.share, " %"),
      h("td", {}, inputs.mean, " %"),
      h("td", {}, inputs.corr),
    );
  });
  const start = h("button", { type: "button", class: "primary", id: "start-risk" }, t("risk_start"));
  start.addEventListener("click", () =>
    busy(start, async () => {
      const overrun = { default: readOverrun(base), categories: {}, natures: {} };
      for (const g of groups) {
        const given = readOverrun(g.inputs);
        if (given) overrun[g.kind][g.name] = given;
      }
      const job = await api("POST", `/api/scenarios/${scenario.id}/risk`, {
        samples: Number(samples.value),
        seed: Number(seed.value),
        confidence: Number(confidence.value) / 100,
        work_limit: Number(work.value) || undefined,
        fixed_plan: plan.value,
        overrun,
      });
      ctx.go(`#/risk/${job.id}`);
    }),
  );
  return h(
    "section",
    { class: "panel", id: "risk-form" },
    h("h2", {}, t("risk_new")),
    h(
      "div",
      { class: "toolbar", style: "margin:0 0 8px" },
      h("label", { class: "field-inline" }, t("risk_samples"), samples),
      h("label", { class: "field-inline" }, t("risk_seed"), seed),
      h("label", { class: "field-inline" }, t("risk_confidence"), confidence, "%"),
      h("label", { class: "field-inline" }, t("risk_work_limit"), work),
      h("label", { class: "field-inline" }, t("risk_plan"), plan),
    ),
    h("p", { class: "assumption", id: "risk-assumption-help" }, h("b", {}, t("risk_assumption_label")), " ", t("risk_assumption_help")),
    h(
      "div",
      { class: "toolbar", style: "margin:0 0 8px" },
      h("span", { class: "group-label" }, t("risk_default")),
      h("label", { class: "field-inline" }, t("risk_share"), base.share, "%"),
      h("label", { class: "field-inline" }, t("risk_mean"), base.mean, "%"),
      h("label", { class: "field-inline" }, t("risk_corr"), base.corr),
    ),
    groupRows.length
      ? h(
          "details",
          { id: "risk-groups" },
          h("summary", {}, t("risk_groups")),
          h(
            "table",
            { class: "grid" },
            h("thead", {}, h("tr", {}, [t("risk_group_kind"), t("risk_group"), t("risk_share"), t("risk_mean"), t("risk_corr")].map((c) => h("th", {}, c)))),
            h("tbody", {}, groupRows),
          ),
        )
      : null,
    h("div", { class: "actions" }, start),
  );
}

async function showRisk(area, ctx, jobId, stillHere) {
  let job = await get(`/api/risk/${jobId}`);
  let shown = "";
  for (;;) {
    if (!stillHere()) return;
    const key = `${job.status}:${JSON.stringify(job.progress)}`;
    if (key !== shown) {
      shown = key;
      await drawRisk(area, ctx, job);
    }
    if (FINISHED.has(job.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 800));
    if (!stillHere()) return;
    job = await get(`/api/risk/${jobId}`);
  }
}

function progressText(job) {
  const p = job.progress || {};
  if (p.phase === "samples") return t("risk_phase_samples", { done: p.done, total: p.total });
  if (p.phase === "budget") return t("risk_phase_budget", { low: money(p.low), high: money(p.high) });
  if (p.phase === "plan") return t("risk_phase_plan");
  return runStatusLabel(job.status);
}

async function drawRisk(area, ctx, job) {
  const running = !FINISHED.has(job.status);
  const p = job.progress || {};
  const share = p.phase === "samples" && p.total ? (100 * p.done) / p.total : p.phase === "budget" ? 100 : 0;
  const cancel = h("button", { type: "button", class: "danger small", id: "cancel-risk" }, t("risk_cancel"));
  cancel.addEventListener("click", () => busy(cancel, () => api("DELETE", `/api/risk/${job.id}`)));
  const status = h(
    "section",
    { class: "panel", id: "risk-progress", "aria-busy": running ? "true" : "false" },
    h("div", { class: "panel-head" }, h("h2", {}, `${t("risk_title")} #${job.id}`), h("span", { class: "pill info", id: "risk-status" }, runStatusLabel(job.status))),
    h("p", { class: "assumption", id: "risk-assumptions" }, job.assumptions_note),
    h("p", { class: "muted small", id: "risk-plan-source" }, planSource(job.fixed_plan), " · ", t("risk_params", { samples: job.samples, seed: job.seed, confidence: Math.round(100 * job.confidence) })),
    running ? h("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(share)) }, h("div", { style: `width:${share}%` })) : null,
    running ? h("p", { class: "muted small", id: "risk-phase" }, progressText(job)) : null,
    running && ctx.can("run") ? cancel : null,
    job.error && job.status !== "done" ? h("p", { class: job.status === "failed" ? "error-text" : "muted", role: "alert" }, job.error) : null,
  );
  if (job.status !== "done" || !job.result) return mount(area, status);
  const r = job.result;
  const charts = CHARTS.map((name) => h("div", { id: `risk-${name}-chart`, class: "chart", style: "min-height:420px" }, loading(t("drawing"))));
  mount(area, status, headline(r), h("section", { class: "panel" }, charts), projectTable(r, job.names || {}), yearTable(r));
  try {
    await loadPlotly();
    for (const [i, name] of CHARTS.entries()) {
      const fig = await get(`/api/risk/${job.id}/${name}.json?lang=${getLang()}`);
      charts[i].replaceChildren();
      await window.Plotly.react(charts[i], fig.data, { ...fig.layout, width: charts[i].clientWidth || undefined, autosize: true }, PLOT_CONFIG);
    }
  } catch (error) {
    notify(t("chart_failed", { why: error.message }), "error");
  }
}

function planSource(plan) {
  if (plan?.source === "baseline") return t("risk_plan_is_baseline", { run: plan.run_id, who: plan.approved_by });
  if (plan?.reason === "baseline_mismatch") return t("risk_plan_is_mismatch");
  return t("risk_plan_is_deterministic");
}

function headline(r) {
  const b = r.budget || {};
  const level = Math.round(100 * (b.confidence ?? 0.8));
  const amount = b.amount_wan != null ? t("least_amount", { amount: money(b.amount_wan) }) : b.outcome === "none" ? t("risk_budget_none") : "—";
  const kpi = (id, label, value, note, kind = "") => h("div", { class: `kpi ${kind}`, id }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), note ? h("div", { class: "muted small" }, note) : null);
  return h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "kpis" },
      kpi("risk-all-stars", t("risk_all_stars"), pct(r.p_all_stars), t("risk_rescheduled_note")),
      kpi("risk-all-stars-fixed", t("risk_all_stars_fixed"), pct(r.p_all_stars_fixed), t("risk_fixed_note")),
      kpi("risk-p80", t("risk_budget_kpi", { pct: level }), amount, t("risk_least_note", { amount: money(r.deterministic?.least_budget_wan) }), "good"),
      kpi("risk-slippage", t("risk_slippage_kpi"), `${r.slippage.p50} / ${r.slippage.p80} / ${r.slippage.p90}`, t("risk_slippage_note", { value: r.deterministic?.objective ?? "—" })),
      kpi("risk-overrun", t("risk_overrun_kpi"), money(r.mean_overrun_wan), t("risk_unpaid_note", { amount: money(r.mean_unpaid_fixed_wan) })),
    ),
    h("p", { class: "muted small", id: "risk-reproducible" }, r.reproducible ? t("risk_reproducible") : t("risk_not_reproducible"), r.unproven_samples ? ` ${t("risk_unproven", { n: r.unproven_samples })}` : ""),
  );
}

function projectTable(r, names) {
  const rows = [...r.projects].sort((a, b) => Number(b.star) - Number(a.star) || a.id.localeCompare(b.id));
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("risk_projects")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "risk-table" },
        h(
          "thead",
          {},
          h("tr", {}, [t("col_code"), t("col_name"), t("risk_col_planned_end"), t("risk_col_p"), t("risk_col_p_fixed"), t("risk_col_deadline", { year: r.star_deadline }), t("risk_col_extra")].map((c, i) => h("th", { class: i >= 2 ? "num" : "" }, c))),
        ),
        h(
          "tbody",
          {},
          rows.map((p) =>
            h(
              "tr",
              { "data-code": p.id },
              h("td", {}, `${p.star ? "★ " : ""}${p.id}`),
              h("td", {}, names[p.id] || ""),
              h("td", { class: "num" }, p.planned_end),
              h("td", { class: "num p-on-time" }, pct(p.p_on_time)),
              h("td", { class: "num" }, pct(p.p_on_time_fixed)),
              h("td", { class: "num p-by-deadline" }, p.star ? `${pct(p.p_by_deadline)} / ${pct(p.p_by_deadline_fixed)}` : "—"),
              h("td", { class: "num" }, money(p.mean_extra_wan)),
            ),
          ),
        ),
      ),
    ),
  );
}

function yearTable(r) {
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("risk_years")),
    h(
      "table",
      { class: "grid", id: "risk-years" },
      h("thead", {}, h("tr", {}, [t("col_year"), t("risk_col_extra_rescheduled"), t("risk_col_extra_fixed")].map((c) => h("th", { class: "num" }, c)))),
      h(
        "tbody",
        {},
        r.extra_per_year.map((y) => h("tr", {}, h("td", { class: "num" }, y.year), h("td", { class: "num" }, money(y.rescheduled_wan)), h("td", { class: "num" }, money(y.fixed_wan)))),
      ),
    ),
  );
}
