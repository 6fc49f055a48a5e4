// Portfolio view: the projects as a table a page at a time — filtered, sorted and sliced by the server, so
// 10,000 projects load as fast as 19 — with inline edit, import, add and remove.
import { api, describeLoc, download, get, getPage, upload } from "./api.js";
import { busy, dash, h, money, mount, notify, pill } from "./dom.js";
import { categoryLabel, fieldLabel, getLang, statusLabel, t } from "./i18n.js";
import { PLAN_FIELDS, openChangeRequest, openHistory } from "./records.js";

const EDITABLE = ["name", "category", "star", "status", "floor_area_m2", "planned_start", "planned_end", "cost_wan", "seats_added", "responsible_unit"];
const NUMBER_FIELDS = new Set(["floor_area_m2", "planned_start", "planned_end", "cost_wan", "seats_added", "spent_wan", "purchase_area_m2", "land_area_mu"]);
const INTEGER_FIELDS = new Set(["planned_start", "planned_end", "cost_wan", "seats_added", "spent_wan"]);

// View state survives re-rendering (language switch, reload) within one page visit.
const state = { sortKey: "code", sortDir: 1, text: "", category: "", unit: null, status: null, starOnly: false, offset: 0, pageSize: 100, editingId: null, conflict: null, rowError: null, importReport: null };
const PAGE_SIZES = [50, 100, 200, 500];

// The rows on screen: one page of the portfolio, filtered and sorted by the server (10,000 projects are
// never all loaded), the total it counted, and the portfolio's figures (GET …/projects/summary).
const view = { rows: [], total: 0, summary: null, serial: 0, portfolioId: null };

const COLUMNS = [
  { key: "code", label: "col_code" },
  { key: "name", label: "col_name" },
  { key: "category", label: "col_category" },
  { key: "star", label: "col_star", cls: "nowrap" },
  { key: "status", label: "col_status" },
  { key: "floor_area_m2", label: "col_area", cls: "num col-optional" },
  { key: "years", label: "col_years", cls: "nowrap" },
  { key: "cost_wan", label: "col_cost", cls: "num" },
  { key: "seats_added", label: "col_seats", cls: "num col-optional" },
  { key: "responsible_unit", label: "col_unit" },
];

const isEstimate = (p) => p.cost_is_estimate ?? String(p.cost_basis || "").trim().toLowerCase().startsWith("estimate");

export async function render(root, ctx, args, stillHere = () => true) {
  if (!ctx.portfolio) {
    mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
    return;
  }
  if (view.portfolioId !== ctx.portfolio.id) {
    Object.assign(state, { category: "", unit: null, status: null, offset: 0, editingId: null });
    view.portfolioId = ctx.portfolio.id;
  }
  await refresh(ctx);
  if (!stillHere()) return; // the reader moved to another view while the page loaded
  draw(root, ctx);
}

/** The page's query: filters, sort, slice. `star` sorts ★ first (the server sorts false before true). */
function pageQuery() {
  const params = new URLSearchParams();
  if (state.text.trim()) params.set("q", state.text.trim());
  if (state.category) params.set("category", state.category);
  if (state.unit !== null) params.set("unit", state.unit);
  if (state.status !== null) params.set("status", state.status);
  if (state.starOnly) params.set("star", "true");
  const ascending = state.sortKey === "star" ? state.sortDir < 0 : state.sortDir > 0;
  params.set("sort", state.sortKey);
  params.set("order", ascending ? "asc" : "desc");
  params.set("offset", String(state.offset));
  params.set("limit", String(state.pageSize));
  return params.toString();
}

/** Fetch the current page (a later request wins over an earlier one still on its way). */
async function loadRows(ctx) {
  const serial = ++view.serial;
  const page = await getPage(`/api/portfolios/${ctx.portfolio.id}/projects?${pageQuery()}`);
  if (serial !== view.serial) return false;
  if (!page.rows.length && state.offset > 0 && page.total > 0) {
    state.offset = Math.max(0, Math.floor((page.total - 1) / state.pageSize) * state.pageSize); // the list shrank
    return loadRows(ctx);
  }
  view.rows = page.rows;
  view.total = page.total;
  return true;
}

/** The figures and the page again, after a change; other views reload the whole list when they need it. */
async function refresh(ctx) {
  ctx.projects = [];
  const [summary] = await Promise.all([get(`/api/portfolios/${ctx.portfolio.id}/projects/summary`), loadRows(ctx)]);
  view.summary = summary;
}

function draw(root, ctx) {
  const s = view.summary;
  const canManage = ctx.can("manage_projects");
  const canEditAny = canManage || (ctx.me?.role === "owner" && ctx.me.unit && s.units.includes(ctx.me.unit));
  mount(
    root,
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", {}, ctx.portfolio.name), h("div", { class: "sub", id: "portfolio-summary" }, t("portfolio_summary", { n: money(s.projects), total: money(s.cost_wan), estimated: money(s.estimated_wan), stars: money(s.stars) }))),
      h(
        "div",
        { class: "actions" },
        canManage ? importButton(root, ctx) : null,
        templateButton(ctx),
        canManage && s.without_cost > 0 ? estimateButton(root, ctx) : null,
        canManage ? h("button", { type: "button", id: "add-project", class: "primary", onclick: () => openAddDialog(root, ctx) }, t("add_project")) : null,
      ),
    ),
    !canManage && !canEditAny ? h("div", { class: "notice notice-info", id: "read-only" }, t("read_only_note")) : null,
    state.importReport ? importReportPanel(root, ctx) : null,
    s.drafts ? h("div", { class: "notice notice-info", id: "drafts-note" }, t("drafts_note", { n: s.drafts })) : null,
    toolbar(root, ctx),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "projects-table", "aria-rowcount": String(view.total + 1) },
        h("thead", {}, h("tr", {}, COLUMNS.map((c) => headerCell(root, ctx, c)), h("th", { class: "row-actions" }, h("span", { class: "sr-only" }, "")))),
        h("tbody", {}, bodyRows(root, ctx)),
      ),
    ),
    h("div", { id: "no-match", class: "empty", hidden: view.total > 0 }, t("no_match")),
    pager(root, ctx),
    h("p", { class: "muted small", style: "margin-top:8px" }, t("estimate_legend")),
  );
}

const bodyRows = (root, ctx) => view.rows.map((p) => (state.editingId === p.id ? editRow(root, ctx, p) : viewRow(root, ctx, p)));

/** Reload the page of rows and redraw what shows it (the toolbar keeps its focus). */
async function reloadBody(root, ctx) {
  if (await loadRows(ctx)) redrawBody(root, ctx);
}

let typing = null;

function toolbar(root, ctx) {
  const s = view.summary;
  const search = h("input", {
    type: "search",
    id: "project-filter",
    placeholder: t("filter_placeholder"),
    "aria-label": t("filter_placeholder"),
    value: state.text,
    oninput: (e) => {
      state.text = e.target.value;
      state.offset = 0;
      clearTimeout(typing);
      typing = setTimeout(() => reloadBody(root, ctx).catch((error) => notify(error.message, "error")), 250);
    },
  });
  const refilter = async () => {
    state.offset = 0;
    if (await loadRows(ctx)) draw(root, ctx);
  };
  const choice = (id, label, all, values, current, shown, set) =>
    h(
      "select",
      { "aria-label": label, id, onchange: (e) => (set(e.target.value === "\u0000" ? null : e.target.value), refilter()) },
      h("option", { value: "\u0000" }, all),
      values.map((v) => h("option", { value: v, selected: v === current }, shown(v))),
    );
  return h(
    "div",
    { class: "toolbar" },
    search,
    choice("category-filter", t("col_category"), t("all_categories"), s.categories, state.category || null, categoryLabel, (v) => (state.category = v || "")),
    choice("unit-filter", t("col_unit"), t("all_units"), s.units, state.unit, (v) => v, (v) => (state.unit = v)),
    choice("status-filter", t("col_status"), t("all_statuses"), s.statuses, state.status, statusLabel, (v) => (state.status = v)),
    h("label", { class: "field-inline" }, h("input", { type: "checkbox", id: "star-only", checked: state.starOnly, onchange: (e) => ((state.starOnly = e.target.checked), refilter()) }), t("star_only")),
    h("span", { class: "spacer" }),
    h("span", { class: "muted", id: "shown-count", "aria-live": "polite" }, countText()),
  );
}

function countText() {
  if (!view.total) return t("page_rows", { from: 0, to: 0, total: 0 });
  return t("page_rows", { from: money(state.offset + 1), to: money(state.offset + view.rows.length), total: money(view.total) });
}

/** First, previous, page n of N, next, last, and rows per page. */
function pager(root, ctx) {
  const pages = Math.max(1, Math.ceil(view.total / state.pageSize));
  const page = Math.floor(state.offset / state.pageSize) + 1;
  const go = async (n) => {
    const target = Math.min(Math.max(1, n), pages);
    state.offset = (target - 1) * state.pageSize;
    state.editingId = null;
    await reloadBody(root, ctx);
    root.querySelector("#projects-table")?.scrollIntoView({ block: "start" });
  };
  const button = (id, label, symbol, target, disabled) => h("button", { type: "button", class: "small", id, "aria-label": label, title: label, disabled, onclick: (e) => busy(e.currentTarget, () => go(target)) }, symbol);
  const number = h("input", { type: "number", id: "page-number", min: "1", max: String(pages), value: String(page), style: "width:70px", "aria-label": t("page_number") });
  number.addEventListener("change", () => go(Number(number.value) || 1));
  const size = h(
    "select",
    { id: "page-size", "aria-label": t("page_size") },
    PAGE_SIZES.map((n) => h("option", { value: String(n), selected: n === state.pageSize }, `${n} ${t("rows_unit")}`)),
  );
  size.addEventListener("change", async () => {
    state.pageSize = Number(size.value);
    state.offset = 0;
    await reloadBody(root, ctx);
  });
  return h(
    "nav",
    { class: "toolbar pager", id: "projects-pager", "aria-label": t("page_number") },
    button("page-first", t("page_first"), "«", 1, page <= 1),
    button("page-prev", t("page_prev"), "‹", page - 1, page <= 1),
    h("span", { class: "field-inline" }, t("page_number"), number, h("span", { id: "page-of" }, `/ ${pages}`)),
    button("page-next", t("page_next"), "›", page + 1, page >= pages),
    button("page-last", t("page_last"), "»", pages, page >= pages),
    h("span", { class: "spacer" }),
    h("label", { class: "field-inline" }, t("page_size"), size),
  );
}

function redrawBody(root, ctx) {
  const body = root.querySelector("#projects-table tbody");
  if (!body) return;
  mount(body, bodyRows(root, ctx));
  root.querySelector("#projects-table").setAttribute("aria-rowcount", String(view.total + 1));
  root.querySelector("#shown-count").textContent = countText();
  root.querySelector("#no-match").hidden = view.total > 0;
  root.querySelector("#projects-pager").replaceWith(pager(root, ctx));
}

function headerCell(root, ctx, column) {
  const active = state.sortKey === column.key;
  return h(
    "th",
    { class: column.cls || "", "aria-sort": active ? (state.sortDir > 0 ? "ascending" : "descending") : null, scope: "col" },
    h(
      "button",
      {
        type: "button",
        class: "sort",
        "data-sort": column.key,
        onclick: async () => {
          state.sortDir = active ? -state.sortDir : 1;
          state.sortKey = column.key;
          state.offset = 0;
          if (!(await loadRows(ctx))) return;
          draw(root, ctx);
          root.querySelector(`[data-sort="${column.key}"]`)?.focus();
        },
      },
      t(column.label),
      h("span", { class: "arrow", "aria-hidden": "true" }, active ? (state.sortDir > 0 ? "▲" : "▼") : "↕"),
    ),
  );
}

function costCell(p) {
  if (p.cost_wan == null) return "—";
  return [money(p.cost_wan), isEstimate(p) ? h("span", { class: "tag-estimate", title: p.cost_basis || "" }, t("estimate")) : null];
}

/** A draft's mark: what it still lacks before it can be scheduled. */
function draftMark(p) {
  if (!p.missing?.length) return null;
  return h("div", { class: "code-sub", "data-draft": p.code }, pill(t("draft_pill"), "warn"), " ", t("draft_missing", { fields: p.missing.map(fieldLabel).join("、") }));
}

/** Change requests of the project waiting for finance: nothing in scheduling changes until they are decided. */
function pendingMark(p) {
  if (!p.pending_changes) return null;
  return h("div", { class: "code-sub", "data-pending": p.code }, pill(t("cr_pending_pill", { n: p.pending_changes }), "warn"));
}

function templateButton(ctx) {
  const button = h("button", { type: "button", id: "template-button" }, t("template_download"));
  button.addEventListener("click", () => busy(button, () => download(`/api/portfolios/${ctx.portfolio.id}/template.xlsx?lang=${getLang()}`, `${ctx.portfolio.name}_模板.xlsx`)));
  return button;
}

function estimateButton(root, ctx) {
  const button = h("button", { type: "button", id: "estimate-button" }, t("estimate_costs"));
  button.addEventListener("click", () =>
    busy(button, async () => {
      const result = await api("POST", `/api/portfolios/${ctx.portfolio.id}/estimate`);
      notify(t("estimate_done", { n: result.estimated }), "ok");
      await refresh(ctx);
      draw(root, ctx);
    }),
  );
  return button;
}

function viewRow(root, ctx, p) {
  const years = p.planned_start || p.planned_end ? `${dash(p.planned_start)}–${dash(p.planned_end)}` : "—";
  const actions = [];
  if (ctx.can("edit_project", p)) {
    actions.push(h("button", { type: "button", class: "small", "data-action": "edit", "aria-label": `${t("edit")} ${p.code}`, onclick: () => startEdit(root, ctx, p.id) }, t("edit")));
  }
  if (ctx.can("edit_project", p) && !ctx.can("manage_projects")) {
    // an owner changes the approved plan (years, ★, cost, seats, code, unit) only by a request finance decides
    const reload = async () => (await refresh(ctx), draw(root, ctx));
    actions.push(h("button", { type: "button", class: "small", "data-action": "request-change", "aria-label": `${t("cr_button")} ${p.code}`, onclick: () => openChangeRequest(p, reload) }, t("cr_button")));
  }
  actions.push(h("button", { type: "button", class: "small ghost", "data-action": "history", "aria-label": `${t("history")} ${p.code}`, onclick: (e) => busy(e.target, () => openHistory(p)) }, t("history")));
  if (ctx.can("manage_projects")) actions.push(deleteButton(root, ctx, p));
  return h(
    "tr",
    { "data-code": p.code, "data-id": String(p.id) },
    h("td", { class: "nowrap" }, p.code),
    h("td", { class: "name" }, p.name, p.location ? h("div", { class: "code-sub" }, p.location) : null, draftMark(p), pendingMark(p)),
    h("td", { class: "nowrap" }, categoryLabel(p.category)),
    h("td", {}, p.star ? h("span", { class: "star", title: t("star_title") }, "★") : ""),
    h("td", {}, p.status ? pill(statusLabel(p.status), /开工|在建|续建/.test(p.status) ? "info" : "") : "—"),
    h("td", { class: "num col-optional" }, p.floor_area_m2 == null ? "—" : money(p.floor_area_m2)),
    h("td", { class: "nowrap" }, years),
    h("td", { class: "num cost" }, costCell(p)),
    h("td", { class: "num col-optional" }, p.seats_added == null ? "—" : money(p.seats_added)),
    h("td", { class: "nowrap" }, dash(p.responsible_unit)),
    h("td", { class: "row-actions" }, actions),
  );
}

function deleteButton(root, ctx, p) {
  let armed = false;
  const button = h("button", {
    type: "button",
    class: "small danger",
    "data-action": "delete",
    "aria-label": `${t("delete")} ${p.code}`,
    onclick: () => {
      if (!armed) {
        armed = true;
        button.textContent = t("confirm_delete");
        setTimeout(() => {
          armed = false;
          if (button.isConnected) button.textContent = t("delete");
        }, 4000);
        return;
      }
      busy(button, async () => {
        await api("DELETE", `/api/projects/${p.id}`);
        notify(t("deleted", { code: p.code }), "ok");
        await refresh(ctx);
        draw(root, ctx);
      });
    },
  }, t("delete"));
  return button;
}

function startEdit(root, ctx, id) {
  state.editingId = id;
  state.conflict = null;
  state.rowError = null;
  redrawBody(root, ctx);
  root.querySelector("tr.editing input")?.focus();
}

function inputFor(field, value) {
  if (field === "star") return h("input", { type: "checkbox", name: field, checked: Boolean(value), "aria-label": fieldLabel(field) });
  const type = NUMBER_FIELDS.has(field) ? "number" : "text";
  return h("input", { type, name: field, value: value ?? "", "aria-label": fieldLabel(field), step: INTEGER_FIELDS.has(field) ? "1" : "any" });
}

function readInput(input) {
  if (input.type === "checkbox") return input.checked;
  const raw = input.value.trim();
  if (raw === "") return null;
  if (input.type === "number") return INTEGER_FIELDS.has(input.name) ? Math.round(Number(raw)) : Number(raw);
  return raw;
}

function editRow(root, ctx, p) {
  const inputs = Object.fromEntries(EDITABLE.map((f) => [f, inputFor(f, p[f])]));
  if (!ctx.can("manage_projects")) {
    // the plan fields are finance's: an owner asks for a change (button "申请变更")
    for (const f of PLAN_FIELDS) {
      if (!inputs[f]) continue;
      inputs[f].disabled = true;
      inputs[f].title = t("cr_locked_hint");
    }
  }
  const save = h("button", { type: "button", class: "small primary", "data-action": "save" }, t("save"));
  const cancel = h("button", { type: "button", class: "small", onclick: () => ((state.editingId = null), redrawBody(root, ctx)) }, t("cancel"));
  save.addEventListener("click", () => busy(save, () => saveEdit(root, ctx, p, inputs)));
  const row = h(
    "tr",
    { class: "editing", "data-code": p.code, "data-id": String(p.id) },
    h("td", { class: "nowrap" }, p.code),
    h("td", { class: "name" }, inputs.name, feedback(root, ctx, p)),
    h("td", {}, inputs.category),
    h("td", {}, inputs.star),
    h("td", {}, inputs.status),
    h("td", { class: "col-optional" }, inputs.floor_area_m2),
    h("td", { class: "nowrap" }, h("div", { style: "display:flex;gap:4px;min-width:150px" }, inputs.planned_start, inputs.planned_end)),
    h("td", {}, inputs.cost_wan),
    h("td", { class: "col-optional" }, inputs.seats_added),
    h("td", {}, inputs.responsible_unit),
    h("td", { class: "row-actions" }, save, " ", cancel),
  );
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName === "INPUT") save.click();
    if (event.key === "Escape") cancel.click();
  });
  if (state.rowError) {
    for (const field of state.rowError.fields) inputs[field]?.setAttribute("aria-invalid", "true");
  }
  return row;
}

function feedback(root, ctx, p) {
  if (state.conflict) {
    const c = state.conflict;
    return h(
      "div",
      { class: "conflict", role: "alert", id: "edit-conflict" },
      h("strong", {}, t("conflict_title")),
      c.changes.length
        ? h("ul", {}, c.changes.map((ch) => h("li", {}, `${fieldLabel(ch.field)}: ${dash(ch.before)} → ${dash(ch.after)}`)))
        : h("p", {}, t("conflict_unknown")),
      h("button", { type: "button", class: "small", id: "conflict-reload", onclick: () => ((state.conflict = null), draw(root, ctx), startEdit(root, ctx, p.id)) }, t("reload_latest")),
    );
  }
  if (state.rowError) return h("div", { class: "error-text small", role: "alert" }, state.rowError.message);
  return null;
}

async function saveEdit(root, ctx, original, inputs) {
  const changes = {};
  for (const [field, input] of Object.entries(inputs)) {
    const value = readInput(input);
    if ((value ?? null) !== (original[field] ?? null)) changes[field] = value;
  }
  if (!Object.keys(changes).length) {
    state.editingId = null;
    redrawBody(root, ctx);
    return;
  }
  try {
    await api("PATCH", `/api/projects/${original.id}`, { version: original.version, ...changes });
  } catch (error) {
    if (error.status === 409) {
      const latest = await get(`/api/projects/${original.id}`).catch(() => null);
      await loadRows(ctx);
      const changed = latest ? Object.keys(latest).filter((f) => !["version", "updated_at", "id"].includes(f) && JSON.stringify(latest[f]) !== JSON.stringify(original[f])) : [];
      state.conflict = { changes: changed.map((field) => ({ field, before: original[field], after: latest[field] })) };
      state.rowError = null;
    } else {
      state.conflict = null;
      const fields = error.errors.map((e) => (Array.isArray(e.loc) ? e.loc[e.loc.length - 1] : null)).filter(Boolean);
      const detail = error.errors.length ? error.errors.map((e) => `${fieldLabel(String(e.loc?.[e.loc.length - 1] ?? ""))}: ${e.msg}`).join("；") : error.message;
      state.rowError = { message: detail, fields };
    }
    keepEditing(root, ctx, original, inputs);
    return;
  }
  state.editingId = null;
  state.conflict = null;
  state.rowError = null;
  notify(t("saved_project", { code: original.code }), "ok");
  await refresh(ctx);
  redrawBody(root, ctx);
}

/** Re-draw the edited row with the user's typed values kept and the feedback shown. */
function keepEditing(root, ctx, original, inputs) {
  const typed = Object.fromEntries(Object.entries(inputs).map(([f, input]) => [f, input.type === "checkbox" ? input.checked : input.value]));
  redrawBody(root, ctx);
  const row = root.querySelector(`tr.editing[data-id="${original.id}"]`);
  if (!row || state.conflict) return;
  for (const [field, value] of Object.entries(typed)) {
    const input = row.querySelector(`[name="${field}"]`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
  }
}

// ---------------------------------------------------------------- import

function importButton(root, ctx) {
  const input = h("input", { type: "file", id: "import-file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", hidden: true });
  const button = h("button", { type: "button", id: "import-button", onclick: () => input.click() }, t("import_file"));
  const replace = h("input", { type: "checkbox", id: "import-replace" });
  input.addEventListener("change", () => {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    busy(button, async () => {
      if (replace.checked && !(await confirmReplace(ctx, file))) return;
      await importFile(root, ctx, file, false, replace.checked);
    });
  });
  return h("span", {}, input, button, " ", h("label", { class: "field-inline small", title: t("import_replace_help") }, replace, t("import_replace")));
}

/** A replace removes the projects the file lacks: preview them (nothing stored) and ask first. */
async function confirmReplace(ctx, file) {
  let preview;
  try {
    preview = await upload(`/api/portfolios/${ctx.portfolio.id}/import?replace=true&dry_run=true`, file);
  } catch {
    return true; // the import itself reports the file's errors
  }
  if (!preview.removed_codes.length) return true;
  return window.confirm(t("import_replace_confirm", { n: preview.removed_codes.length, codes: preview.removed_codes.join("、") }));
}

async function importFile(root, ctx, file, drafts = false, replace = false) {
  state.importReport = null;
  try {
    const query = [drafts ? "drafts=true" : "", replace ? "replace=true" : ""].filter(Boolean).join("&");
    const summary = await upload(`/api/portfolios/${ctx.portfolio.id}/import${query ? `?${query}` : ""}`, file);
    if (summary?.drafts) notify(t("import_drafts_ok", { name: file.name, created: summary.created, updated: summary.updated, drafts: summary.drafts }), "ok");
    else notify(t("import_ok", { name: file.name, rows: summary?.rows ?? "?", created: summary?.created ?? 0, updated: summary?.updated ?? 0, unchanged: summary?.unchanged ?? 0 }), "ok");
    await refresh(ctx);
  } catch (error) {
    if (error.status !== 422 && error.status !== 413) throw error;
    const offer = (error.errors || []).find((e) => Array.isArray(e.loc) && e.loc[0] === "query" && e.loc[1] === "drafts");
    const errors = (error.errors || []).filter((e) => e !== offer);
    state.importReport = { file: file.name, message: error.message, errors, rows: await readCsvRows(file), offer: offer ? { text: offer.msg, file } : null };
  }
  draw(root, ctx);
  root.querySelector("#import-errors")?.scrollIntoView({ block: "nearest" });
}

function importReportPanel(root, ctx) {
  const report = state.importReport;
  const byRow = new Map();
  const general = [];
  for (const error of report.errors) {
    const loc = Array.isArray(error.loc) ? error.loc : [];
    const row = loc.find((p) => typeof p === "number");
    const column = [...loc].reverse().find((p) => typeof p === "string" && !["body", "row", "file", "rows"].includes(p));
    const item = { column, msg: String(error.msg).replace(/^(row \d+:|第 \d+ 行：)\s*/, "") };
    if (row === undefined) general.push(item);
    else byRow.set(row, [...(byRow.get(row) || []), item]);
  }
  const rows = [...byRow.entries()].sort((a, b) => a[0] - b[0]);
  return h(
    "section",
    { class: "panel import-errors", id: "import-errors", role: "alert" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", { class: "error-text" }, t("import_failed", { name: report.file, n: report.errors.length || 1 })),
      h("button", { type: "button", class: "small", onclick: () => ((state.importReport = null), draw(root, ctx)) }, t("close")),
    ),
    rows.length ? h("p", { class: "muted" }, t("import_fix_hint")) : h("p", {}, report.message),
    report.offer
      ? h(
          "p",
          { id: "import-drafts-offer" },
          report.offer.text,
          " ",
          h("button", { type: "button", class: "small primary", id: "import-as-drafts", onclick: (e) => busy(e.target, () => importFile(root, ctx, report.offer.file, true)) }, t("import_drafts_offer")),
        )
      : null,
    general.length ? h("ul", {}, general.map((e) => h("li", {}, e.column ? `${fieldLabel(e.column)}: ${e.msg}` : e.msg))) : null,
    rows.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "grid" },
            h("thead", {}, h("tr", {}, h("th", {}, t("file_row")), h("th", {}, t("row_content")), h("th", {}, t("row_problems")))),
            h(
              "tbody",
              {},
              rows.map(([row, errors]) =>
                h(
                  "tr",
                  { class: "row-error", "data-row": String(row) },
                  h("td", { class: "rownum" }, t("row_n", { n: row })),
                  h("td", { class: "raw", title: report.rows?.[row - 1]?.join(", ") || "" }, report.rows?.[row - 1]?.slice(0, 3).join(" · ") || "—"),
                  h("td", {}, h("ul", {}, errors.map((e) => h("li", {}, e.column ? h("strong", {}, `${fieldLabel(e.column)}：`) : null, e.msg)))),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

/** The rows of a CSV file as arrays (line 1 = header), to show each error next to its row; null for XLSX. */
async function readCsvRows(file) {
  if (!/\.csv$/i.test(file.name)) return null;
  const bytes = await file.arrayBuffer();
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      text = new TextDecoder("gbk").decode(bytes);
    } catch {
      /* keep the UTF-8 reading */
    }
  }
  return parseCsv(text.replace(/^\uFEFF/, ""));
}

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

// ---------------------------------------------------------------- add

function openAddDialog(root, ctx) {
  const fields = ["code", "name", "category", "planned_start", "planned_end", "cost_wan", "cost_basis", "status", "responsible_unit", "location", "floor_area_m2", "seats_added"];
  const inputs = Object.fromEntries(fields.map((f) => [f, inputFor(f, f === "responsible_unit" ? ctx.me.unit : null)]));
  inputs.star = inputFor("star", false);
  const errors = Object.fromEntries(fields.map((f) => [f, h("span", { class: "error-text" })]));
  const general = h("p", { class: "error-text", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("add_project"));
  const dialog = h(
    "dialog",
    { id: "add-dialog", "aria-labelledby": "add-title" },
    h(
      "form",
      {
        method: "dialog",
        onsubmit: (event) => {
          event.preventDefault();
          busy(submit, async () => {
            const body = {};
            for (const [f, input] of Object.entries(inputs)) {
              const value = readInput(input);
              if (value !== null) body[f] = value;
            }
            for (const span of Object.values(errors)) span.textContent = "";
            general.textContent = "";
            try {
              await api("POST", `/api/portfolios/${ctx.portfolio.id}/projects`, body);
            } catch (error) {
              let placed = false;
              for (const e of error.errors) {
                const field = Array.isArray(e.loc) ? e.loc[e.loc.length - 1] : null;
                if (errors[field]) (errors[field].textContent = e.msg), (placed = true);
              }
              general.textContent = placed ? t("fix_fields") : error.message;
              return;
            }
            dialog.close();
            notify(t("added_project", { code: body.code }), "ok");
            await refresh(ctx);
            draw(root, ctx);
          });
        },
      },
      h("h2", { id: "add-title" }, t("add_project")),
      h(
        "div",
        { class: "form-grid" },
        fields.map((f) => h("label", { class: "field" }, h("span", {}, fieldLabel(f), ["code", "name", "category"].includes(f) ? " *" : ""), inputs[f], errors[f])),
        h("label", { class: "field-inline" }, inputs.star, t("star_title")),
      ),
      general,
      h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  inputs.code.focus();
}
