// Portfolio view: the projects as a sortable, filterable table with inline edit, import, add and remove.
import { api, describeLoc, download, upload } from "./api.js";
import { busy, dash, h, money, mount, notify, pill } from "./dom.js";
import { categoryLabel, fieldLabel, getLang, statusLabel, t } from "./i18n.js";
import { PLAN_FIELDS, openChangeRequest, openHistory } from "./records.js";

const EDITABLE = ["name", "category", "star", "status", "floor_area_m2", "planned_start", "planned_end", "cost_wan", "seats_added", "responsible_unit"];
const NUMBER_FIELDS = new Set(["floor_area_m2", "planned_start", "planned_end", "cost_wan", "seats_added", "spent_wan", "purchase_area_m2", "land_area_mu"]);
const INTEGER_FIELDS = new Set(["planned_start", "planned_end", "cost_wan", "seats_added", "spent_wan"]);

// View state survives re-rendering (language switch, reload) within one page visit.
const state = { sortKey: "code", sortDir: 1, text: "", category: "", starOnly: false, editingId: null, conflict: null, rowError: null, importReport: null };

const COLUMNS = [
  { key: "code", label: "col_code", sort: (p) => p.code },
  { key: "name", label: "col_name", sort: (p) => p.name },
  { key: "category", label: "col_category", sort: (p) => p.category },
  { key: "star", label: "col_star", sort: (p) => (p.star ? 0 : 1), cls: "nowrap" },
  { key: "status", label: "col_status", sort: (p) => p.status || "" },
  { key: "floor_area_m2", label: "col_area", sort: (p) => p.floor_area_m2 ?? -1, cls: "num col-optional" },
  { key: "years", label: "col_years", sort: (p) => (p.planned_start ?? 0) * 10000 + (p.planned_end ?? 0), cls: "nowrap" },
  { key: "cost_wan", label: "col_cost", sort: (p) => p.cost_wan ?? -1, cls: "num" },
  { key: "seats_added", label: "col_seats", sort: (p) => p.seats_added ?? -1, cls: "num col-optional" },
  { key: "responsible_unit", label: "col_unit", sort: (p) => p.responsible_unit || "" },
];

const isEstimate = (p) => p.cost_is_estimate ?? String(p.cost_basis || "").trim().toLowerCase().startsWith("estimate");

export async function render(root, ctx) {
  if (!ctx.portfolio) {
    mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
    return;
  }
  await ctx.reloadProjects();
  draw(root, ctx);
}

function draw(root, ctx) {
  const projects = ctx.projects;
  const shown = visible(projects);
  const total = projects.reduce((sum, p) => sum + (p.cost_wan || 0), 0);
  const estimated = projects.filter(isEstimate).reduce((sum, p) => sum + (p.cost_wan || 0), 0);
  const canManage = ctx.can("manage_projects");
  const canEditAny = projects.some((p) => ctx.can("edit_project", p));
  mount(
    root,
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", {}, ctx.portfolio.name), h("div", { class: "sub", id: "portfolio-summary" }, t("portfolio_summary", { n: projects.length, total: money(total), estimated: money(estimated), stars: projects.filter((p) => p.star).length }))),
      h(
        "div",
        { class: "actions" },
        canManage ? importButton(root, ctx) : null,
        templateButton(ctx),
        canManage && projects.some((p) => p.cost_wan == null) ? estimateButton(root, ctx) : null,
        canManage ? h("button", { type: "button", id: "add-project", class: "primary", onclick: () => openAddDialog(root, ctx) }, t("add_project")) : null,
      ),
    ),
    !canManage && !canEditAny ? h("div", { class: "notice notice-info", id: "read-only" }, t("read_only_note")) : null,
    state.importReport ? importReportPanel(root, ctx) : null,
    projects.some((p) => p.missing?.length) ? h("div", { class: "notice notice-info", id: "drafts-note" }, t("drafts_note", { n: projects.filter((p) => p.missing?.length).length })) : null,
    toolbar(root, ctx, shown.length, projects),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "projects-table" },
        h("thead", {}, h("tr", {}, COLUMNS.map((c) => headerCell(root, ctx, c)), h("th", { class: "row-actions" }, h("span", { class: "sr-only" }, "")))),
        h("tbody", {}, shown.map((p) => (state.editingId === p.id ? editRow(root, ctx, p) : viewRow(root, ctx, p)))),
      ),
    ),
    shown.length ? null : h("div", { class: "empty" }, t("no_match")),
    h("p", { class: "muted small", style: "margin-top:8px" }, t("estimate_legend")),
  );
}

function visible(projects) {
  const text = state.text.trim().toLowerCase();
  const column = COLUMNS.find((c) => c.key === state.sortKey) || COLUMNS[0];
  return projects
    .filter((p) => !state.category || p.category === state.category)
    .filter((p) => !state.starOnly || p.star)
    .filter((p) => !text || [p.code, p.name, p.category, p.status, p.responsible_unit, p.location].some((v) => String(v || "").toLowerCase().includes(text)))
    .sort((a, b) => {
      const x = column.sort(a);
      const y = column.sort(b);
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return order * state.sortDir || a.code.localeCompare(b.code);
    });
}

function toolbar(root, ctx, count, projects) {
  const categories = [...new Set(projects.map((p) => p.category))].sort((a, b) => a.localeCompare(b, "zh-CN"));
  const search = h("input", {
    type: "search",
    id: "project-filter",
    placeholder: t("filter_placeholder"),
    "aria-label": t("filter_placeholder"),
    value: state.text,
    oninput: (e) => {
      state.text = e.target.value;
      redrawBody(root, ctx);
    },
  });
  return h(
    "div",
    { class: "toolbar" },
    search,
    h(
      "select",
      { "aria-label": t("col_category"), id: "category-filter", onchange: (e) => ((state.category = e.target.value), draw(root, ctx)) },
      h("option", { value: "" }, t("all_categories")),
      categories.map((c) => h("option", { value: c, selected: c === state.category }, categoryLabel(c))),
    ),
    h("label", { class: "field-inline" }, h("input", { type: "checkbox", checked: state.starOnly, onchange: (e) => ((state.starOnly = e.target.checked), draw(root, ctx)) }), t("star_only")),
    h("span", { class: "spacer" }),
    h("span", { class: "muted", id: "shown-count" }, t("shown_count", { shown: count, total: projects.length })),
  );
}

function redrawBody(root, ctx) {
  const shown = visible(ctx.projects);
  const body = root.querySelector("#projects-table tbody");
  mount(body, shown.map((p) => (state.editingId === p.id ? editRow(root, ctx, p) : viewRow(root, ctx, p))));
  root.querySelector("#shown-count").textContent = t("shown_count", { shown: shown.length, total: ctx.projects.length });
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
        onclick: () => {
          state.sortDir = active ? -state.sortDir : 1;
          state.sortKey = column.key;
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
      await ctx.reloadProjects();
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
    const reload = async () => (await ctx.reloadProjects(), draw(root, ctx));
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
        await ctx.reloadProjects();
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
      await ctx.reloadProjects();
      const latest = ctx.projects.find((q) => q.id === original.id);
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
  await ctx.reloadProjects();
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
    await ctx.reloadProjects();
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
            await ctx.reloadProjects();
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
