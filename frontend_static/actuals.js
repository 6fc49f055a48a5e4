// Actuals view: record a project's money spent and percent complete per year (owners: their own unit's
// projects; finance: all), import them from CSV/XLSX, and list what is recorded.
import { api, describeLoc, get, upload } from "./api.js";
import { busy, h, money, mount, notify } from "./dom.js";
import { t } from "./i18n.js";

export async function render(root, ctx, _args, stillHere) {
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  if (!ctx.projects.length) await ctx.reloadProjects();
  const actuals = await get(`/api/portfolios/${ctx.portfolio.id}/actuals`);
  if (!stillHere()) return;
  const mine = ctx.projects.filter((p) => ctx.can("edit_project", p));
  mount(
    root,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("actuals_title")), h("div", { class: "sub" }, t("actuals_sub")))),
    mine.length ? entryPanel(ctx, mine) : null,
    listPanel(ctx, actuals),
  );
}

function entryPanel(ctx, mine) {
  const project = h("select", { id: "actual-project", "aria-label": t("col_name") }, mine.map((p) => h("option", { value: String(p.id) }, `${p.code} ${p.name}`)));
  const year = h("input", { type: "number", id: "actual-year", min: "1900", max: "2200", value: String(new Date().getFullYear() - 1), style: "width:80px", "aria-label": t("col_year") });
  const spent = h("input", { type: "number", id: "actual-spent", min: "0", step: "1", value: "0", style: "width:100px", "aria-label": t("col_spent") });
  const percent = h("input", { type: "number", id: "actual-percent", min: "0", max: "100", step: "1", value: "0", style: "width:70px", "aria-label": t("col_percent") });
  const overrun = h("input", { type: "checkbox", id: "actual-overrun" });
  const reason = h("input", { type: "text", id: "actual-overrun-reason", maxlength: "1000", placeholder: t("overrun_reason"), "aria-label": t("overrun_reason"), style: "width:180px" });
  const save = h("button", { type: "button", class: "primary", id: "record-actual" }, t("record_actual"));
  save.addEventListener("click", () =>
    busy(save, async () => {
      const body = { spent_wan: Number(spent.value), percent_complete: Number(percent.value), overrun: overrun.checked, overrun_reason: reason.value.trim() || null };
      const saved = await api("PUT", `/api/projects/${project.value}/actuals/${Number(year.value)}`, body);
      notify(t("actual_saved", { code: saved.code, year: saved.year }), "ok");
      ctx.rerender();
    }),
  );
  const file = h("input", { type: "file", id: "actuals-file", accept: ".csv,.xlsx", hidden: true });
  const pick = h("button", { type: "button", id: "import-actuals", onclick: () => file.click() }, t("import_actuals"));
  const errors = h("div", { id: "actuals-import-errors" });
  file.addEventListener("change", () =>
    busy(pick, async () => {
      const chosen = file.files[0];
      file.value = "";
      if (!chosen) return;
      try {
        const summary = await upload(`/api/portfolios/${ctx.portfolio.id}/actuals/import`, chosen);
        notify(t("actuals_imported", { rows: summary.rows }), "ok");
        ctx.rerender();
      } catch (error) {
        mount(errors, h("p", { class: "error-text", role: "alert" }, error.message), h("ul", {}, (error.errors || []).map((e) => h("li", {}, `${describeLoc(e.loc)}: ${e.msg}`))));
      }
    }),
  );
  return h(
    "section",
    { class: "panel", id: "actual-entry" },
    h(
      "div",
      { class: "toolbar", style: "margin:0" },
      h("label", { class: "field-inline" }, t("col_name"), project),
      h("label", { class: "field-inline" }, t("col_year"), year),
      h("label", { class: "field-inline" }, t("col_spent"), spent),
      h("label", { class: "field-inline" }, t("col_percent"), percent),
      h("label", { class: "field-inline", title: t("overrun_help") }, overrun, t("overrun")),
      reason,
      save,
      h("span", { class: "spacer" }),
      pick,
      file,
    ),
    errors,
  );
}

function deleteActual(ctx, a) {
  const project = ctx.projects.find((p) => p.code === a.code);
  if (!project || !ctx.can("edit_project", project)) return null;
  const button = h("button", { type: "button", class: "small danger", "data-action": "delete-actual", "aria-label": `${t("delete")} ${a.code} ${a.year}` }, t("delete"));
  button.addEventListener("click", () => {
    if (!window.confirm(t("actual_confirm_delete", { code: a.code, year: a.year }))) return;
    busy(button, async () => {
      await api("DELETE", `/api/projects/${project.id}/actuals/${a.year}`);
      notify(t("actual_deleted", { code: a.code, year: a.year }), "ok");
      ctx.rerender();
    });
  });
  return button;
}

function listPanel(ctx, actuals) {
  const names = new Map(ctx.projects.map((p) => [p.code, p.name]));
  const cols = [t("col_code"), t("col_name"), t("col_year"), t("col_spent"), t("col_percent"), t("col_unit"), ""];
  const units = new Map(ctx.projects.map((p) => [p.code, p.responsible_unit || ""]));
  return h(
    "section",
    { class: "panel" },
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid", id: "actuals-table" },
        h("thead", {}, h("tr", {}, cols.map((c, i) => h("th", { class: i >= 2 && i <= 4 ? "num" : "" }, c)))),
        h(
          "tbody",
          {},
          actuals.length
            ? actuals.map((a) =>
                h(
                  "tr",
                  { "data-code": a.code, "data-year": String(a.year) },
                  h("td", { class: "nowrap" }, a.code),
                  h("td", { class: "name" }, names.get(a.code) || ""),
                  h("td", { class: "num" }, String(a.year)),
                  h("td", { class: "num" }, money(a.spent_wan)),
                  h("td", { class: "num" }, `${a.percent_complete}%`),
                  h("td", {}, units.get(a.code) || "", a.overrun_reason ? h("div", { class: "code-sub" }, `${t("overrun")}: ${a.overrun_reason}`) : null),
                  h("td", { class: "row-actions" }, deleteActual(ctx, a)),
                ),
              )
            : h("tr", {}, h("td", { colspan: "7", class: "empty" }, t("no_actuals"))),
        ),
      ),
    ),
  );
}
