// Budget view: the scenarios of the portfolio and, for one, a grid of annual caps with quick tools.
import { api, get } from "./api.js";
import { askText, busy, h, money, mount, notify } from "./dom.js";
import { t } from "./i18n.js";

let draft = null; // the scenario being edited: {id, version, first_year, last_year, budget, carryover, star_deadline}

const years = (d) => Array.from({ length: d.last_year - d.first_year + 1 }, (_, i) => d.first_year + i);

function fromScenario(s) {
  return { id: s.id, version: s.version, name: s.name, first_year: s.first_year, last_year: s.last_year, budget: { ...s.budget }, carryover: Boolean(s.carryover), star_deadline: s.star_deadline ?? null, objective: s.objective || "weighted_slippage", default_seats: s.default_seats ?? 100 };
}

const EDITED = ["first_year", "last_year", "budget", "carryover", "star_deadline", "objective", "default_seats"];

function isDirty(ctx) {
  const s = ctx.scenario;
  if (!draft || !s || draft.id !== s.id) return false;
  const a = fromScenario(s);
  return JSON.stringify(EDITED.map((k) => a[k])) !== JSON.stringify(EDITED.map((k) => draft[k]));
}

export async function render(root, ctx) {
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await Promise.all([ctx.reloadScenarios(), ctx.projects.length ? null : ctx.reloadProjects()]);
  const s = ctx.scenario;
  if (s && (!draft || draft.id !== s.id)) draft = fromScenario(s);
  draw(root, ctx);
}

function draw(root, ctx) {
  const s = ctx.scenario;
  mount(root, h("div", { class: "layout-side" }, scenarioList(root, ctx), s ? detail(root, ctx, s) : h("div", { class: "panel empty" }, t("no_scenarios"))));
}

function scenarioList(root, ctx) {
  const canEdit = ctx.can("edit_budget");
  return h(
    "aside",
    { class: "panel", "aria-label": t("scenarios") },
    h("h2", {}, t("scenarios")),
    h(
      "ul",
      { class: "scenario-list", id: "scenario-list" },
      ctx.scenarios.map((s) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              "aria-current": s.id === ctx.scenario?.id ? "true" : "false",
              "data-scenario": String(s.id),
              onclick: () => {
                if (isDirty(ctx) && !window.confirm(t("discard_changes"))) return;
                ctx.selectScenario(s.id);
                draft = fromScenario(s);
                draw(root, ctx);
              },
            },
            h("span", {}, s.name),
            h("span", { class: "muted small nowrap" }, `${s.first_year}–${s.last_year}`),
          ),
        ),
      ),
    ),
    canEdit ? h("div", { class: "actions", style: "margin-top:10px" }, h("button", { type: "button", id: "new-scenario", onclick: (e) => createScenario(root, ctx, e.currentTarget) }, t("new_scenario"))) : null,
  );
}

function detail(root, ctx, s) {
  const canEdit = ctx.can("edit_budget");
  const dirty = isDirty(ctx);
  const ys = years(draft);
  const demand = plannedDemand(ctx.projects, draft);
  const totalCap = ys.reduce((sum, y) => sum + (Number(draft.budget[String(y)]) || 0), 0);
  const totalDemand = ys.reduce((sum, y) => sum + demand[y], 0);
  const remaining = ctx.projects.reduce((sum, p) => sum + Math.max(0, (p.cost_wan || 0) - (p.spent_wan || 0)), 0);
  const save = h("button", { type: "button", class: "primary", id: "save-budget", disabled: !dirty }, t("save_budget"));
  save.addEventListener("click", () => busy(save, () => saveDraft(root, ctx)));
  return h(
    "section",
    {},
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", { id: "scenario-name" }, s.name), h("div", { class: "sub" }, t("scenario_sub", { first: s.first_year, last: s.last_year, version: s.version }))),
      canEdit
        ? h(
            "div",
            { class: "actions" },
            h("button", { type: "button", id: "rename-scenario", onclick: (e) => renameScenario(root, ctx, s, e.currentTarget) }, t("rename")),
            h("button", { type: "button", id: "copy-scenario", onclick: (e) => copyScenario(root, ctx, s, e.currentTarget) }, t("copy")),
            deleteScenarioButton(root, ctx, s),
            h("a", { class: "button", href: "#/run", style: "text-decoration:none" }, t("go_run")),
          )
        : null,
    ),
    canEdit ? null : h("div", { class: "notice notice-info", id: "read-only" }, t("read_only_budget")),
    h(
      "div",
      { class: "panel" },
      h("div", { class: "panel-head" }, h("h2", {}, t("caps_title"))),
      h(
        "div",
        { class: "toolbar" },
        h("label", { class: "field-inline" }, t("horizon"), yearInput(root, ctx, "first_year", canEdit), "–", yearInput(root, ctx, "last_year", canEdit)),
        h("label", { class: "switch", title: t("carryover_help") }, h("input", { type: "checkbox", id: "carryover", role: "switch", checked: draft.carryover, disabled: !canEdit, onchange: (e) => ((draft.carryover = e.target.checked), draw(root, ctx)) }), t("carryover")),
        h("label", { class: "field-inline", title: t("star_deadline_help") }, t("star_deadline"), h("input", { type: "number", style: "width:90px", placeholder: t("star_deadline_none"), value: draft.star_deadline ?? "", disabled: !canEdit, onchange: (e) => ((draft.star_deadline = e.target.value ? Number(e.target.value) : null), draw(root, ctx)) })),
      ),
      h(
        "div",
        { class: "toolbar", id: "objective-tools" },
        h(
          "label",
          { class: "field-inline", title: t("objective_help") },
          t("objective_label"),
          h(
            "select",
            { id: "objective", disabled: !canEdit, onchange: (e) => ((draft.objective = e.target.value), draw(root, ctx)) },
            ["weighted_slippage", "seat_years"].map((k) => h("option", { value: k, selected: draft.objective === k }, t(`objective_${k}`))),
          ),
        ),
        h(
          "label",
          { class: "field-inline", title: t("objective_help") },
          t("default_seats"),
          h("input", { type: "number", id: "default-seats", min: "0", step: "10", style: "width:80px", value: draft.default_seats, disabled: !canEdit, onchange: (e) => ((draft.default_seats = Math.max(0, Math.round(Number(e.target.value) || 0))), draw(root, ctx)) }),
        ),
        h("span", { class: "muted small" }, t("objective_help")),
      ),
      h(
        "div",
        { class: "budget-body" },
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid budget-grid", id: "budget-grid" },
            h(
              "thead",
              {},
              h("tr", {}, h("th", { scope: "col" }, t("year")), h("th", { scope: "col", class: "num" }, t("cap_row")), h("th", { scope: "col", class: "num", title: t("demand_help") }, t("demand_row"), " ⓘ"), h("th", { scope: "col", class: "num" }, t("gap_row"))),
            ),
            h(
              "tbody",
              {},
              ys.map((y) => {
                const gap = (Number(draft.budget[String(y)]) || 0) - demand[y];
                return h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, String(y)),
                  h(
                    "td",
                    { class: "num" },
                    h("input", {
                      type: "number",
                      min: "0",
                      step: "100",
                      "data-year": String(y),
                      "aria-label": t("cap_for_year", { year: y }),
                      value: draft.budget[String(y)] ?? 0,
                      disabled: !canEdit,
                      onchange: (e) => {
                        draft.budget[String(y)] = Math.max(0, Math.round(Number(e.target.value) || 0));
                        draw(root, ctx);
                        root.querySelector(`input[data-year="${y + 1}"]`)?.focus();
                      },
                    }),
                  ),
                  h("td", { class: "num" }, money(demand[y])),
                  h("td", { class: `num ${gap < 0 ? "worse" : ""}` }, gap < 0 ? `−${money(-gap)}` : money(gap)),
                );
              }),
            ),
            h(
              "tfoot",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "row" }, t("total")),
                h("td", { class: "num", id: "cap-total" }, money(totalCap)),
                h("td", { class: "num" }, money(totalDemand)),
                h("td", { class: `num ${totalCap < totalDemand ? "worse" : ""}` }, money(totalCap - totalDemand)),
              ),
            ),
          ),
        ),
        h(
          "div",
          { class: "budget-side" },
          h(
            "div",
            { class: "totals" },
            h("div", {}, h("span", { class: "label" }, t("total_caps")), h("span", { class: "value", id: "total-caps" }, `${money(totalCap)} ${t("wan")}`)),
            h("div", {}, h("span", { class: "label" }, t("remaining_cost")), h("span", { class: "value" }, `${money(remaining)} ${t("wan")}`)),
            h("div", {}, h("span", { class: "label" }, t("coverage")), h("span", { class: `value ${totalCap < remaining ? "error-text" : ""}` }, remaining ? `${Math.round((totalCap / remaining) * 100)}%` : "—")),
          ),
          canEdit ? quickTools(root, ctx) : null,
          canEdit
            ? h(
                "div",
                { class: "actions save-row" },
                save,
                h("button", { type: "button", disabled: !dirty, onclick: () => ((draft = fromScenario(s)), draw(root, ctx)) }, t("discard")),
                dirty ? h("span", { class: "dirty", id: "dirty" }, t("unsaved")) : null,
              )
            : null,
          h("p", { class: "muted small" }, t("demand_help")),
        ),
      ),
    ),
  );
}

function yearInput(root, ctx, field, canEdit) {
  return h("input", {
    type: "number",
    style: "width:80px",
    id: field,
    value: draft[field],
    disabled: !canEdit,
    "aria-label": t(field),
    onchange: (e) => {
      const value = Math.round(Number(e.target.value));
      if (!value) return draw(root, ctx);
      draft[field] = value;
      if (draft.last_year < draft.first_year) notify(t("horizon_backwards"), "error");
      else {
        const fallback = Number(draft.budget[String(draft.last_year - 1)] ?? Object.values(draft.budget).at(-1) ?? 0);
        draft.budget = Object.fromEntries(years(draft).map((y) => [String(y), draft.budget[String(y)] ?? fallback]));
      }
      draw(root, ctx);
    },
  });
}

function quickTools(root, ctx) {
  const flat = h("input", { type: "number", min: "0", step: "100", id: "flat-amount", placeholder: "12000", "aria-label": t("flat_label") });
  const pct = h("input", { type: "number", step: "1", id: "scale-pct", placeholder: "10", "aria-label": t("scale_label") });
  const apply = (fn) => {
    draft.budget = Object.fromEntries(years(draft).map((y) => [String(y), Math.max(0, Math.round(fn(Number(draft.budget[String(y)]) || 0)))]));
    draw(root, ctx);
  };
  return h(
    "div",
    { class: "quick" },
    h(
      "form",
      { class: "field-inline", onsubmit: (e) => (e.preventDefault(), flat.value !== "" && apply(() => Number(flat.value))) },
      h("span", {}, t("flat_label")),
      flat,
      h("span", { class: "muted" }, t("wan_per_year")),
      h("button", { type: "submit", id: "apply-flat" }, t("apply")),
    ),
    h(
      "form",
      { class: "field-inline", onsubmit: (e) => (e.preventDefault(), pct.value !== "" && apply((v) => v * (1 + Number(pct.value) / 100))) },
      h("span", {}, t("scale_label")),
      pct,
      h("span", { class: "muted" }, "%"),
      h("button", { type: "submit", id: "apply-scale" }, t("apply")),
      h("span", { class: "muted small" }, t("scale_hint")),
    ),
  );
}

/** Each project's remaining cost spread evenly over its planned years inside the horizon: what the plan asks for. */
function plannedDemand(projects, d) {
  const demand = Object.fromEntries(years(d).map((y) => [y, 0]));
  for (const p of projects) {
    const rest = Math.max(0, (p.cost_wan || 0) - (p.spent_wan || 0));
    if (!rest) continue;
    const start = Math.max(p.planned_start || d.first_year, d.first_year);
    const end = Math.min(Math.max(p.planned_end || d.last_year, start), d.last_year);
    if (start > d.last_year) continue;
    const share = rest / (end - start + 1);
    for (let y = start; y <= end; y += 1) demand[y] += share;
  }
  return demand;
}

async function saveDraft(root, ctx) {
  const body = { version: draft.version, first_year: draft.first_year, last_year: draft.last_year, budget: draft.budget, carryover: draft.carryover, star_deadline: draft.star_deadline, objective: draft.objective, default_seats: draft.default_seats };
  try {
    await api("PATCH", `/api/scenarios/${draft.id}`, body);
  } catch (error) {
    if (error.status === 409) {
      const note = notify(t("scenario_conflict"), "error");
      note.querySelector("span").append(" ", h("button", { type: "button", class: "small", onclick: async () => (note.remove(), await ctx.reloadScenarios(), (draft = fromScenario(ctx.scenario)), draw(root, ctx)) }, t("reload_latest")));
      return;
    }
    throw error;
  }
  await ctx.reloadScenarios();
  draft = fromScenario(ctx.scenario);
  notify(t("budget_saved", { name: draft.name }), "ok");
  draw(root, ctx);
}

function scenarioBody(s, name) {
  return { name, first_year: s.first_year, last_year: s.last_year, budget: { ...s.budget }, carryover: Boolean(s.carryover), star_deadline: s.star_deadline ?? null, overrides: s.overrides || {}, time_limit: s.time_limit ?? null, objective: s.objective || "weighted_slippage", default_seats: s.default_seats ?? 100 };
}

/** A copy keeps the funding sources' quotas of the scenario it copies, for the years both have. */
async function copyQuotas(fromId, to) {
  const quotas = await get(`/api/scenarios/${fromId}/quotas`);
  const ys = years(to);
  for (const q of quotas) {
    if (!ys.every((y) => String(y) in q.budget)) continue;
    await api("PUT", `/api/scenarios/${to.id}/quotas/${q.source_id}`, { budget: Object.fromEntries(ys.map((y) => [String(y), q.budget[String(y)]])) });
  }
}

async function createScenario(root, ctx, button) {
  const name = await askText(t("new_scenario"), t("scenario_name"));
  if (!name) return;
  const base = ctx.scenario;
  const first = base?.first_year ?? 2021;
  const last = base?.last_year ?? 2025;
  const budget = Object.fromEntries(Array.from({ length: last - first + 1 }, (_, i) => [String(first + i), base?.budget?.[String(first + i)] ?? 0]));
  await busy(button, async () => {
    const created = await api("POST", `/api/portfolios/${ctx.portfolio.id}/scenarios`, { name, first_year: first, last_year: last, budget, carryover: false });
    await afterChange(root, ctx, created.id, t("scenario_created", { name }));
  });
}

async function copyScenario(root, ctx, s, button) {
  const name = await askText(t("copy"), t("scenario_name"), t("copy_of", { name: s.name }));
  if (!name) return;
  await busy(button, async () => {
    const created = await api("POST", `/api/portfolios/${ctx.portfolio.id}/scenarios`, scenarioBody(draft.id === s.id ? { ...s, ...draft } : s, name));
    await copyQuotas(s.id, created);
    await afterChange(root, ctx, created.id, t("scenario_created", { name }));
  });
}

async function renameScenario(root, ctx, s, button) {
  const name = await askText(t("rename"), t("scenario_name"), s.name);
  if (!name || name === s.name) return;
  await busy(button, async () => {
    const updated = await api("PATCH", `/api/scenarios/${s.id}`, { version: s.version, name });
    if (draft?.id === s.id) draft.version = updated.version;
    await afterChange(root, ctx, s.id, t("renamed", { name }), false);
  });
}

function deleteScenarioButton(root, ctx, s) {
  let armed = false;
  const button = h("button", { type: "button", class: "danger", id: "delete-scenario" }, t("delete"));
  button.addEventListener("click", () => {
    if (!armed) {
      armed = true;
      button.textContent = t("confirm_delete");
      setTimeout(() => ((armed = false), button.isConnected && (button.textContent = t("delete"))), 4000);
      return;
    }
    busy(button, async () => {
      await api("DELETE", `/api/scenarios/${s.id}`);
      draft = null;
      await afterChange(root, ctx, null, t("scenario_deleted", { name: s.name }));
    });
  });
  return button;
}

async function afterChange(root, ctx, selectId, message, resetDraft = true) {
  await ctx.reloadScenarios();
  if (selectId) ctx.selectScenario(selectId);
  const s = ctx.scenario;
  if (s && (resetDraft || !draft || draft.id !== s.id)) draft = fromScenario(s);
  else if (s && draft) (draft.name = s.name), (draft.version = s.version);
  notify(message, "ok");
  draw(root, ctx);
}
