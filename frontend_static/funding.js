// Funding view (issue 15): the portfolio's funding sources (资金来源), each source's annual quota in the
// selected scenario, the rules on what each source may fund (per project or per category, expanded per
// project as runs get them), and imports of sources and rules. Finance edits; everyone reads.
import { api, get, upload } from "./api.js";
import { busy, h, money, mount, notify } from "./dom.js";
import { categoryLabel, fieldLabel, t } from "./i18n.js";

const KINDS = ["central", "bond", "city", "county", "social", "other"];
let quotaDraft = null; // {scenarioId, budgets: {sourceId: {year: amount}}}
let importReport = null; // {file, message, errors}

const years = (s) => Array.from({ length: s.last_year - s.first_year + 1 }, (_, i) => s.first_year + i);

export async function render(root, ctx) {
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await Promise.all([ctx.reloadScenarios(), ctx.projects.length ? null : ctx.reloadProjects()]);
  const funding = await get(`/api/portfolios/${ctx.portfolio.id}/funding`);
  const scenario = ctx.scenario;
  if (!quotaDraft || quotaDraft.scenarioId !== scenario?.id || quotaDraft.portfolioId !== ctx.portfolio.id) quotaDraft = draftOf(funding, scenario, ctx);
  draw(root, ctx, funding);
}

function draftOf(funding, scenario, ctx) {
  const budgets = {};
  for (const q of funding.quotas.filter((q) => q.scenario_id === scenario?.id)) budgets[q.source_id] = { ...q.budget };
  return { scenarioId: scenario?.id ?? null, portfolioId: ctx.portfolio.id, budgets };
}

async function reload(root, ctx) {
  const funding = await get(`/api/portfolios/${ctx.portfolio.id}/funding`);
  quotaDraft = draftOf(funding, ctx.scenario, ctx);
  draw(root, ctx, funding);
}

function draw(root, ctx, funding) {
  const canEdit = ctx.can("edit_budget");
  mount(
    root,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("funding_title")), h("div", { class: "sub" }, t("funding_sub")))),
    funding.illustrative ? h("div", { class: "notice notice-info", id: "funding-illustrative" }, t("funding_illustrative")) : null,
    canEdit ? null : h("div", { class: "notice notice-info" }, t("funding_read_only")),
    importReport ? importPanel(root, ctx) : null,
    sourcesPanel(root, ctx, funding, canEdit),
    funding.sources.length ? quotaPanel(root, ctx, funding, canEdit) : null,
    funding.sources.length ? rulesPanel(root, ctx, funding, canEdit) : null,
    funding.sources.length ? limitsPanel(funding) : null,
  );
}

// ---------------------------------------------------------------- sources

function sourcesPanel(root, ctx, funding, canEdit) {
  const code = h("input", { type: "text", id: "source-code", placeholder: "bond", style: "width:90px", "aria-label": t("source_code") });
  const name = h("input", { type: "text", id: "source-name", placeholder: t("source_name_placeholder"), style: "width:200px", "aria-label": t("source_name") });
  const kind = h("select", { id: "source-kind", "aria-label": t("source_kind") }, KINDS.map((k) => h("option", { value: k }, t(`kind_${k}`))));
  const carry = h("input", { type: "checkbox", id: "source-carryover" });
  const add = h("button", { type: "submit", class: "primary", id: "add-source" }, t("add_source"));
  const form = h(
    "form",
    {
      class: "toolbar",
      id: "source-form",
      onsubmit: (e) => {
        e.preventDefault();
        busy(add, async () => {
          const body = { code: code.value.trim(), name: name.value.trim(), kind: kind.value, carryover: carry.checked };
          await api("POST", `/api/portfolios/${ctx.portfolio.id}/sources`, body);
          notify(t("source_added", { name: body.name }), "ok");
          await reload(root, ctx);
        });
      },
    },
    code,
    name,
    kind,
    h("label", { class: "field-inline", title: t("carryover_help") }, carry, t("carryover")),
    add,
  );
  return h(
    "section",
    { class: "panel", id: "sources-panel" },
    h("div", { class: "panel-head" }, h("h2", {}, t("sources_title")), canEdit ? importButtons(root, ctx) : null),
    funding.sources.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid", id: "sources-table" },
            h("thead", {}, h("tr", {}, [t("source_code"), t("source_name"), t("source_kind"), t("carryover"), t("illustrative"), t("source_basis"), ""].map((c) => h("th", {}, c)))),
            h(
              "tbody",
              {},
              funding.sources.map((s) =>
                h(
                  "tr",
                  { "data-source": s.code },
                  h("td", { class: "nowrap" }, s.code),
                  h("td", {}, s.name),
                  h("td", {}, t(`kind_${s.kind}`)),
                  h("td", {}, s.carryover ? t("yes") : t("no")),
                  h("td", { class: "nowrap" }, s.illustrative ? h("span", { class: "tag-estimate" }, t("illustrative")) : ""),
                  h("td", { class: "small" }, s.basis || ""),
                  h("td", { class: "row-actions" }, canEdit ? deleteButton(root, ctx, `/api/sources/${s.id}`, `delete-source-${s.code}`, t("source_deleted", { name: s.name })) : null),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted", id: "no-sources" }, t("no_sources")),
    canEdit ? form : null,
  );
}

function deleteButton(root, ctx, path, id, done) {
  let armed = false;
  const button = h("button", { type: "button", class: "small danger", id }, t("delete"));
  button.addEventListener("click", () => {
    if (!armed) {
      armed = true;
      button.textContent = t("confirm_delete");
      return;
    }
    busy(button, async () => {
      await api("DELETE", path);
      notify(done, "ok");
      await reload(root, ctx);
    });
  });
  return button;
}

// ---------------------------------------------------------------- quotas of the selected scenario

function quotaPanel(root, ctx, funding, canEdit) {
  const s = ctx.scenario;
  if (!s) return h("section", { class: "panel empty" }, t("no_scenarios"));
  const ys = years(s);
  const sum = (y) => funding.sources.reduce((acc, src) => acc + (Number(quotaDraft.budgets[src.id]?.[String(y)]) || 0), 0);
  const save = h("button", { type: "button", class: "primary", id: "save-quotas" }, t("save_quotas"));
  save.addEventListener("click", () =>
    busy(save, async () => {
      const stored = new Map(funding.quotas.filter((q) => q.scenario_id === s.id).map((q) => [q.source_id, q.budget]));
      let changed = 0;
      for (const src of funding.sources) {
        const budget = Object.fromEntries(ys.map((y) => [String(y), Math.max(0, Math.round(Number(quotaDraft.budgets[src.id]?.[String(y)]) || 0))]));
        if (JSON.stringify(stored.get(src.id) || null) === JSON.stringify(budget)) continue;
        await api("PUT", `/api/scenarios/${s.id}/quotas/${src.id}`, { budget });
        changed += 1;
      }
      notify(t("quotas_saved", { n: changed, name: s.name }), "ok");
      await reload(root, ctx);
    }),
  );
  const missing = funding.sources.filter((src) => !funding.quotas.some((q) => q.scenario_id === s.id && q.source_id === src.id));
  return h(
    "section",
    { class: "panel", id: "quota-panel" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, t("quotas_title", { name: s.name })),
      h(
        "label",
        { class: "field-inline" },
        t("scenario"),
        h(
          "select",
          { id: "quota-scenario", onchange: (e) => (ctx.selectScenario(Number(e.target.value)), (quotaDraft = null), ctx.rerender()) },
          ctx.scenarios.map((x) => h("option", { value: String(x.id), selected: x.id === s.id }, x.name)),
        ),
      ),
    ),
    missing.length ? h("p", { class: "error-text", id: "quota-missing" }, t("quotas_missing", { names: missing.map((m) => m.name).join("、") })) : null,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid budget-grid", id: "quota-grid" },
        h("thead", {}, h("tr", {}, h("th", {}, t("source")), ys.map((y) => h("th", { class: "num" }, String(y))), h("th", { class: "num" }, t("total")))),
        h(
          "tbody",
          {},
          funding.sources.map((src) => {
            const row = (quotaDraft.budgets[src.id] ||= {});
            return h(
              "tr",
              { "data-source": src.code },
              h("th", { scope: "row" }, src.name),
              ys.map((y) =>
                h(
                  "td",
                  { class: "num" },
                  h("input", {
                    type: "number",
                    min: "0",
                    step: "100",
                    style: "width:84px",
                    "data-source": src.code,
                    "data-year": String(y),
                    "aria-label": t("quota_for", { source: src.name, year: y }),
                    value: row[String(y)] ?? "",
                    disabled: !canEdit,
                    onchange: (e) => {
                      row[String(y)] = Math.max(0, Math.round(Number(e.target.value) || 0));
                      draw(root, ctx, funding);
                    },
                  }),
                ),
              ),
              h("td", { class: "num" }, money(ys.reduce((acc, y) => acc + (Number(row[String(y)]) || 0), 0))),
            );
          }),
        ),
        h(
          "tfoot",
          {},
          h("tr", {}, h("th", {}, t("quota_sum")), ys.map((y) => h("td", { class: "num" }, money(sum(y)))), h("td", {})),
          h(
            "tr",
            {},
            h("th", {}, t("cap")),
            ys.map((y) => {
              const cap = Number(s.budget[String(y)]) || 0;
              return h("td", { class: `num ${sum(y) < cap ? "worse" : ""}`, title: sum(y) < cap ? t("quota_below_cap") : "" }, money(cap));
            }),
            h("td", {}),
          ),
        ),
      ),
    ),
    h("p", { class: "muted small" }, t("quotas_help")),
    canEdit ? h("div", { class: "actions", style: "margin-top:8px" }, save) : null,
  );
}

// ---------------------------------------------------------------- rules

function ruleWords(rule) {
  if (!rule.allowed) return t("rule_forbidden");
  const parts = [];
  if (rule.min_wan !== null && rule.min_wan === rule.max_wan) parts.push(t("rule_grant", { amount: money(rule.min_wan) }));
  else {
    if (rule.min_wan !== null) parts.push(t("rule_floor_wan", { amount: money(rule.min_wan) }));
    if (rule.min_percent !== null) parts.push(t("rule_floor_pct", { pct: rule.min_percent }));
    if (rule.max_wan !== null) parts.push(t("rule_cap_wan", { amount: money(rule.max_wan) }));
  }
  if (rule.max_percent !== null) parts.push(t("rule_cap_pct", { pct: rule.max_percent }));
  return parts.length ? parts.join("，") : t("rule_allowed");
}

function rulesPanel(root, ctx, funding, canEdit) {
  const names = new Map(funding.sources.map((s) => [s.code, s.name]));
  const categories = [...new Set(ctx.projects.map((p) => p.category))];
  const source = h("select", { id: "rule-source", "aria-label": t("source") }, funding.sources.map((s) => h("option", { value: s.code }, s.name)));
  const scope = h(
    "select",
    { id: "rule-scope", "aria-label": t("rule_scope") },
    h("optgroup", { label: t("rule_by_category") }, categories.map((c) => h("option", { value: `category:${c}` }, categoryLabel(c)))),
    h("optgroup", { label: t("rule_by_project") }, ctx.projects.map((p) => h("option", { value: `project:${p.code}` }, `${p.code} ${p.name}`))),
  );
  const kind = h("select", { id: "rule-kind", "aria-label": t("rule_kind") }, ["deny", "grant", "cap_pct", "cap_wan", "floor_pct", "floor_wan", "allow"].map((k) => h("option", { value: k }, t(`rule_kind_${k}`))));
  const amount = h("input", { type: "number", id: "rule-amount", min: "0", step: "any", style: "width:100px", "aria-label": t("rule_amount") });
  const add = h("button", { type: "submit", id: "add-rule" }, t("add_rule"));
  const form = h(
    "form",
    {
      class: "toolbar",
      id: "rule-form",
      onsubmit: (e) => {
        e.preventDefault();
        busy(add, async () => {
          const [by, target] = scope.value.split(/:(.*)/s);
          const value = amount.value === "" ? null : Number(amount.value);
          const body = { source: source.value, [by]: target, allowed: kind.value !== "deny" };
          if (kind.value === "grant") Object.assign(body, { min_wan: value, max_wan: value });
          if (kind.value === "cap_pct") body.max_percent = value;
          if (kind.value === "cap_wan") body.max_wan = value;
          if (kind.value === "floor_pct") body.min_percent = value;
          if (kind.value === "floor_wan") body.min_wan = value;
          await api("POST", `/api/portfolios/${ctx.portfolio.id}/funding-rules`, body);
          notify(t("rule_added"), "ok");
          await reload(root, ctx);
        });
      },
    },
    source,
    scope,
    kind,
    amount,
    h("span", { class: "muted small" }, t("rule_amount_hint")),
    add,
  );
  const rows = [...funding.rules].sort((a, b) => (a.category ? 0 : 1) - (b.category ? 0 : 1) || String(a.category || a.project).localeCompare(String(b.category || b.project)));
  return h(
    "section",
    { class: "panel", id: "rules-panel" },
    h("h2", {}, t("rules_title")),
    h("p", { class: "muted small" }, t("rules_help")),
    rows.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid", id: "rules-table" },
            h("thead", {}, h("tr", {}, [t("rule_scope"), t("source"), t("rule_kind"), t("note_col"), ""].map((c) => h("th", {}, c)))),
            h(
              "tbody",
              {},
              rows.map((r) =>
                h(
                  "tr",
                  { "data-rule": `${r.source}:${r.project || r.category}` },
                  h("td", {}, r.category ? t("rule_category_is", { category: categoryLabel(r.category) }) : r.project),
                  h("td", {}, names.get(r.source) || r.source),
                  h("td", {}, ruleWords(r)),
                  h("td", { class: "small" }, r.note || ""),
                  h("td", { class: "row-actions" }, canEdit ? deleteButton(root, ctx, `/api/funding-rules/${r.id}`, `delete-rule-${r.id}`, t("rule_deleted")) : null),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, t("no_rules")),
    canEdit ? form : null,
  );
}

/** Each project's limits as its runs get them: category rules expanded, shares turned into whole 万元. */
function limitsPanel(funding) {
  const codes = funding.sources.map((s) => s.code);
  const cell = (p, code) => {
    if (p.funding === null) return t("limit_any");
    const f = p.funding.find((x) => x.source === code);
    if (!f) return h("span", { class: "error-text" }, "×");
    if (f.max !== null && f.min === f.max) return `= ${money(f.min)}`;
    if (!f.min && f.max === null) return t("limit_any");
    return `${f.min ? money(f.min) : "0"}–${f.max === null ? "∞" : money(f.max)}`;
  };
  return h(
    "section",
    { class: "panel", id: "limits-panel" },
    h("h2", {}, t("limits_title")),
    h("p", { class: "muted small" }, t("limits_help")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "limits-table" },
        h("thead", {}, h("tr", {}, h("th", {}, t("col_code")), h("th", {}, t("col_category")), h("th", { class: "num" }, t("limit_cost")), funding.sources.map((s) => h("th", { class: "num" }, s.name)))),
        h(
          "tbody",
          {},
          funding.projects.map((p) =>
            h(
              "tr",
              { "data-code": p.code },
              h("td", { class: "nowrap" }, p.code),
              h("td", {}, categoryLabel(p.category)),
              h("td", { class: "num" }, money(p.cost_wan)),
              p.error ? h("td", { class: "error-text", colspan: String(codes.length) }, p.error) : codes.map((c) => h("td", { class: "num", "data-source": c }, cell(p, c))),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- imports

function importButtons(root, ctx) {
  const picker = (id, label, path) => {
    const input = h("input", { type: "file", id, accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", hidden: true });
    const button = h("button", { type: "button", class: "small", id: `${id}-button`, onclick: () => input.click() }, label);
    input.addEventListener("change", () => {
      const file = input.files[0];
      input.value = "";
      if (!file) return;
      busy(button, async () => {
        importReport = null;
        try {
          const summary = await upload(path(), file);
          notify(t("funding_import_ok", { name: file.name, rows: summary.rows, created: summary.created, updated: summary.updated, quotas: summary.quotas }), "ok");
        } catch (error) {
          if (error.status !== 422 && error.status !== 413) throw error;
          importReport = { file: file.name, message: error.message, errors: error.errors || [] };
        }
        quotaDraft = null;
        await reload(root, ctx);
      });
    });
    return [input, button];
  };
  return h(
    "div",
    { class: "actions" },
    picker("import-sources", t("import_sources"), () => `/api/portfolios/${ctx.portfolio.id}/sources/import${ctx.scenario ? `?scenario_id=${ctx.scenario.id}` : ""}`),
    picker("import-rules", t("import_rules"), () => `/api/portfolios/${ctx.portfolio.id}/funding-rules/import`),
  );
}

function importPanel(root, ctx) {
  return h(
    "section",
    { class: "panel import-errors", id: "funding-import-errors", role: "alert" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", { class: "error-text" }, t("import_failed", { name: importReport.file, n: importReport.errors.length || 1 })),
      h("button", { type: "button", class: "small", onclick: () => ((importReport = null), reload(root, ctx)) }, t("close")),
    ),
    h("p", {}, importReport.message),
    h(
      "ul",
      {},
      importReport.errors.map((e) => {
        const loc = (e.loc || []).filter((p) => p !== "file");
        return h("li", {}, loc.length ? `${loc.map((p) => (typeof p === "number" ? t("row_n", { n: p }) : fieldLabel(p))).join(" · ")}：${e.msg}` : e.msg);
      }),
    ),
  );
}
