// The admin view (管理): change requests waiting for finance, the portfolio's history (every recorded
// change, exportable), the portfolios (create, import as new, rename, status date, delete) and, for
// finance, the users (add, revoke, new token).
import { api, download, get, upload } from "./api.js";
import { askText, busy, h, mount, notify, pill } from "./dom.js";
import { getLang, t } from "./i18n.js";
import { auditTable, requestLine, when } from "./records.js";

const state = { requests: "pending" };

export async function render(root, ctx) {
  const finance = ctx.me.role === "finance";
  const pid = ctx.portfolio?.id;
  const [requests, history, users] = await Promise.all([
    pid ? get(`/api/portfolios/${pid}/change-requests${state.requests === "pending" ? "?state=pending" : ""}`) : [],
    pid ? get(`/api/audit?portfolio=${pid}&limit=200`) : [],
    finance ? get("/api/users") : [],
  ]);
  const again = () => render(root, ctx);
  mount(
    root,
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, t("admin_title")), h("div", { class: "sub" }, t("admin_sub")))),
    pid ? requestsPanel(ctx, requests, again) : null,
    finance ? portfoliosPanel(ctx, again) : null,
    finance ? usersPanel(ctx, users, again) : null,
    pid ? historyPanel(ctx, history) : null,
  );
}

function requestsPanel(ctx, requests, again) {
  const toggle = h(
    "select",
    { id: "requests-filter", "aria-label": t("cr_heading"), onchange: (e) => ((state.requests = e.target.value), again()) },
    h("option", { value: "pending", selected: state.requests === "pending" }, t("cr_state_pending")),
    h("option", { value: "all", selected: state.requests === "all" }, t("cr_all")),
  );
  const decide = ctx.me.role === "finance" ? again : null;
  return h(
    "section",
    { class: "panel", id: "change-requests" },
    h("div", { class: "panel-head" }, h("h2", {}, t("cr_heading")), toggle),
    requests.length ? h("ul", { class: "plain" }, requests.map((r) => requestLine(r, decide))) : h("p", { class: "muted", id: "no-requests" }, t("cr_none")),
  );
}

function historyPanel(ctx, entries) {
  const button = h("button", { type: "button", class: "small", id: "history-export" }, t("history_export"));
  button.addEventListener("click", () => busy(button, () => download(`/api/audit.xlsx?portfolio=${ctx.portfolio.id}&lang=${getLang()}`, `${ctx.portfolio.name}_变更记录.xlsx`)));
  return h("section", { class: "panel", id: "portfolio-history" }, h("div", { class: "panel-head" }, h("h2", {}, t("history_portfolio")), button), auditTable(entries));
}

async function refreshPortfolios(ctx) {
  ctx.portfolios = await get("/api/portfolios");
  if (ctx.portfolio) ctx.portfolio = ctx.portfolios.find((p) => p.id === ctx.portfolio.id) || ctx.portfolios[0] || null;
}

function portfoliosPanel(ctx, again) {
  const create = h("button", { type: "button", id: "portfolio-create" }, t("pf_create"));
  create.addEventListener("click", async () => {
    const name = await askText(t("pf_create"), t("pf_name"));
    if (!name) return;
    await busy(create, async () => {
      await api("POST", "/api/portfolios", { name });
      notify(t("pf_created", { name }), "ok");
      await refreshPortfolios(ctx);
      again();
    });
  });
  const file = h("input", { type: "file", id: "portfolio-import-file", accept: ".csv,.xlsx,.xml", hidden: true });
  const importNew = h("button", { type: "button", id: "portfolio-import", onclick: () => file.click() }, t("pf_import_new"));
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    const name = await askText(t("pf_import_new"), t("pf_name"), chosen.name.replace(/\.[^.]+$/, ""));
    if (!name) return;
    await busy(importNew, async () => {
      const summary = await upload(`/api/portfolios/import?name=${encodeURIComponent(name)}`, chosen);
      notify(t("pf_imported", { name, n: summary.created }), "ok");
      await refreshPortfolios(ctx);
      again();
    });
  });
  const rows = ctx.portfolios.map((p) => portfolioRow(ctx, p, again));
  return h(
    "section",
    { class: "panel", id: "portfolios-admin" },
    h("div", { class: "panel-head" }, h("h2", {}, t("pf_heading")), h("span", { class: "actions" }, create, file, importNew)),
    h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, ["pf_name", "pf_projects", "pf_status_date", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
      h("tbody", {}, rows),
    ),
  );
}

function portfolioRow(ctx, p, again) {
  const rename = h("button", { type: "button", class: "small", "data-action": "rename" }, t("pf_rename"));
  rename.addEventListener("click", async () => {
    const name = await askText(t("pf_rename"), t("pf_name"), p.name);
    if (!name || name === p.name) return;
    await busy(rename, async () => {
      await api("PATCH", `/api/portfolios/${p.id}`, { name });
      await refreshPortfolios(ctx);
      again();
    });
  });
  const status = h("input", { type: "date", value: p.status_date || "", "aria-label": t("pf_status_date"), "data-field": "status_date" });
  status.addEventListener("change", () =>
    busy(status, async () => {
      await api("PATCH", `/api/portfolios/${p.id}`, { status_date: status.value || null });
      notify(t("pf_status_set", { name: p.name, date: status.value || t("pf_today") }), "ok");
      await refreshPortfolios(ctx);
    }),
  );
  const remove = h("button", { type: "button", class: "small danger", "data-action": "delete-portfolio" }, t("delete"));
  remove.addEventListener("click", () => {
    if (!window.confirm(t("pf_confirm_delete", { name: p.name, n: p.project_count }))) return;
    busy(remove, async () => {
      await api("DELETE", `/api/portfolios/${p.id}`);
      notify(t("pf_deleted", { name: p.name }), "ok");
      await refreshPortfolios(ctx);
      again();
    });
  });
  return h(
    "tr",
    { "data-portfolio": String(p.id) },
    h("td", {}, p.name, p.active_runs ? h("div", { class: "code-sub" }, pill(t("pf_busy", { n: p.active_runs }), "warn")) : null),
    h("td", { class: "num" }, String(p.project_count)),
    h("td", {}, status),
    h("td", { class: "row-actions" }, rename, " ", remove),
  );
}

function usersPanel(ctx, users, again) {
  const add = h("button", { type: "button", id: "user-add" }, t("user_add"));
  add.addEventListener("click", () => openUserDialog(again));
  return h(
    "section",
    { class: "panel", id: "users-admin" },
    h("div", { class: "panel-head" }, h("h2", {}, t("users_heading")), add),
    h(
      "table",
      { class: "grid", id: "users-table" },
      h("thead", {}, h("tr", {}, ["user_name", "user_role", "user_unit", "user_token", ""].map((k) => h("th", { scope: "col" }, k ? t(k) : "")))),
      h("tbody", {}, users.map((u) => userRow(ctx, u, again))),
    ),
  );
}

function tokenState(u) {
  if (u.revoked_at) return pill(t("user_revoked", { who: u.revoked_by, when: when(u.revoked_at) }), "bad");
  if (!u.active) return pill(t("user_expired", { when: when(u.expires_at) }), "bad");
  return pill(u.expires_at ? t("user_works_until", { when: when(u.expires_at) }) : t("user_works"), "good");
}

function userRow(ctx, u, again) {
  const revoke = h("button", { type: "button", class: "small danger", "data-action": "revoke" }, t("user_revoke"));
  revoke.addEventListener("click", () => {
    if (!window.confirm(t("user_confirm_revoke", { name: u.name }))) return;
    busy(revoke, async () => {
      await api("POST", `/api/users/${u.id}/revoke`);
      notify(t("user_revoked_note", { name: u.name }), "ok");
      again();
    });
  });
  const rotate = h("button", { type: "button", class: "small", "data-action": "rotate" }, t("user_rotate"));
  rotate.addEventListener("click", () =>
    busy(rotate, async () => {
      const made = await api("POST", `/api/users/${u.id}/rotate`, {});
      showToken(made);
      again();
    }),
  );
  const self = u.id === ctx.me.id;
  return h(
    "tr",
    { "data-user": u.name },
    h("td", {}, u.name),
    h("td", {}, t(`role_${u.role}`)),
    h("td", {}, u.unit || "—"),
    h("td", {}, tokenState(u)),
    h("td", { class: "row-actions" }, rotate, " ", self || u.revoked_at ? null : revoke),
  );
}

function openUserDialog(again) {
  const name = h("input", { type: "text", name: "name", required: true, id: "new-user-name" });
  const role = h("select", { name: "role", id: "new-user-role" }, ["viewer", "owner", "finance"].map((r) => h("option", { value: r }, t(`role_${r}`))));
  const unit = h("input", { type: "text", name: "unit", id: "new-user-unit" });
  const days = h("input", { type: "number", name: "expires_in_days", min: "1", id: "new-user-days" });
  const error = h("p", { class: "error-text", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("user_add"));
  const dialog = h(
    "dialog",
    { id: "user-dialog", "aria-labelledby": "user-title" },
    h(
      "form",
      {
        method: "dialog",
        onsubmit: (event) => {
          event.preventDefault();
          busy(submit, async () => {
            try {
              const made = await api("POST", "/api/users", { name: name.value, role: role.value, unit: unit.value || null, expires_in_days: days.value ? Number(days.value) : null });
              dialog.close();
              showToken(made);
              again();
            } catch (failure) {
              error.textContent = failure.message;
            }
          });
        },
      },
      h("h2", { id: "user-title" }, t("user_add")),
      h("label", { class: "field" }, h("span", {}, t("user_name"), " *"), name),
      h("label", { class: "field" }, h("span", {}, t("user_role")), role),
      h("label", { class: "field" }, h("span", {}, t("user_unit")), unit),
      h("label", { class: "field" }, h("span", {}, t("user_days")), days),
      error,
      h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** A new token, shown once with the sign-in link to pass on. */
function showToken(made) {
  const link = `${window.location.origin}/?token=${made.token}`;
  const dialog = h(
    "dialog",
    { id: "token-dialog", "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, t("user_token_title", { name: made.name })),
    h("p", {}, t("user_token_once")),
    h("pre", { class: "code", id: "new-token" }, made.token),
    h("p", { class: "small muted" }, link),
    h("div", { class: "actions" }, h("button", { type: "button", class: "primary", onclick: () => dialog.close() }, t("close"))),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
