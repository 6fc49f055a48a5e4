// The plan of record on the page: a project's change request (owners ask, finance decides) and its history
// (every recorded change: who, when, field, old → new). Used by the projects view and the admin view.
import { api, get } from "./api.js";
import { busy, dash, h, notify, pill } from "./dom.js";
import { fieldLabel, getLang, t } from "./i18n.js";

// The fields of the approved plan (app.models.PLAN_FIELDS): an owner changes them only by a request.
export const PLAN_FIELDS = ["planned_start", "planned_end", "star", "cost_wan", "spent_wan", "seats_added", "code", "responsible_unit"];
const INTEGER = new Set(["planned_start", "planned_end", "cost_wan", "spent_wan", "seats_added"]);

/** A moment in the reader's locale: 2026/12/2 18:05 (zh) or 12/2/2026, 6:05 PM (en). */
export const when = (iso) => (iso ? new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", { dateStyle: "medium", timeStyle: "short" }) : "—");

const shown = (value) => (value === true ? "★" : value === false ? "—" : dash(value));

/** The dialog an owner (or finance) files a change request with: new plan values and a reason. */
export function openChangeRequest(project, onDone) {
  const inputs = Object.fromEntries(
    PLAN_FIELDS.map((f) => [
      f,
      f === "star"
        ? h("input", { type: "checkbox", name: f, checked: Boolean(project[f]) })
        : h("input", { type: INTEGER.has(f) ? "number" : "text", name: f, value: project[f] ?? "", step: "1" }),
    ]),
  );
  const remove = h("input", { type: "checkbox", name: "remove", id: "cr-remove" });
  const reason = h("textarea", { name: "reason", id: "cr-reason", required: true, rows: 3, maxlength: 1000 });
  const error = h("p", { class: "error-text", role: "alert", id: "cr-error" });
  const submit = h("button", { type: "submit", class: "primary", id: "cr-submit" }, t("cr_submit"));
  const dialog = h(
    "dialog",
    { id: "change-request-dialog", "aria-labelledby": "cr-title" },
    h(
      "form",
      {
        method: "dialog",
        onsubmit: (event) => {
          event.preventDefault();
          busy(submit, async () => {
            const changes = {};
            for (const [f, input] of Object.entries(inputs)) {
              const value = input.type === "checkbox" ? input.checked : input.value.trim() === "" ? null : INTEGER.has(f) ? Math.round(Number(input.value)) : input.value.trim();
              if ((value ?? null) !== (project[f] ?? null)) changes[f] = value;
            }
            error.textContent = "";
            try {
              await api("POST", `/api/projects/${project.id}/change-requests`, { changes, remove: remove.checked, reason: reason.value });
            } catch (failure) {
              error.textContent = failure.message;
              return;
            }
            dialog.close();
            notify(t("cr_filed", { code: project.code }), "ok");
            onDone?.();
          });
        },
      },
      h("h2", { id: "cr-title" }, t("cr_title", { code: project.code })),
      h("p", { class: "muted small" }, t("cr_help")),
      h("div", { class: "form-grid" }, PLAN_FIELDS.map((f) => h("label", { class: f === "star" ? "field-inline" : "field" }, h("span", {}, fieldLabel(f)), inputs[f]))),
      h("label", { class: "field-inline" }, remove, t("cr_remove")),
      h("label", { class: "field" }, h("span", {}, t("cr_reason"), " *"), reason),
      error,
      h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))),
    ),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** One change request as a line: who asked, when, old → new per field, the reason, and its state. */
export function requestLine(request, decide = null) {
  const changes = Object.entries(request.changes).map(([f, v]) => `${fieldLabel(f)}: ${shown(v.old)} → ${shown(v.new)}`);
  if (request.remove) changes.push(t("cr_remove"));
  const kind = request.state === "pending" ? "warn" : request.state === "approved" ? "ok" : "";
  return h(
    "li",
    { class: "change-request", "data-request": String(request.id), "data-state": request.state },
    pill(t(`cr_state_${request.state}`), kind === "ok" ? "good" : kind),
    " ",
    h("strong", {}, request.project_code),
    ` ${changes.join("；")} — `,
    h("span", { class: "muted" }, t("cr_by", { who: request.requested_by, when: when(request.requested_at), reason: request.reason })),
    request.decided_by ? h("span", { class: "muted" }, " ", t("cr_decided", { who: request.decided_by, when: when(request.decided_at), note: request.decision_note || "" })) : null,
    decide && request.state === "pending" ? decideButtons(request, decide) : null,
  );
}

function decideButtons(request, done) {
  const button = (action, label, kind) => {
    const b = h("button", { type: "button", class: `small ${kind}`, "data-action": action }, t(label));
    b.addEventListener("click", () =>
      busy(b, async () => {
        await api("POST", `/api/change-requests/${request.id}/${action}`, {});
        notify(t(action === "approve" ? "cr_approved_note" : "cr_rejected_note", { code: request.project_code }), "ok");
        done();
      }),
    );
    return b;
  };
  return h("span", { class: "row-actions" }, " ", button("approve", "cr_approve", "primary"), " ", button("reject", "cr_reject", "danger"));
}

/** A project's history: its recorded changes (edits, actuals, requests), newest first. */
export async function openHistory(project) {
  const [entries, requests] = await Promise.all([get(`/api/audit?project=${project.id}`), get(`/api/projects/${project.id}/change-requests`)]);
  const dialog = h(
    "dialog",
    { id: "history-dialog", "aria-labelledby": "history-title", class: "wide" },
    h("h2", { id: "history-title" }, t("history_title", { code: project.code })),
    requests.length ? h("section", {}, h("h3", {}, t("cr_heading")), h("ul", { class: "plain" }, requests.map((r) => requestLine(r)))) : null,
    auditTable(entries),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => dialog.close() }, t("close"))),
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

/** Recorded changes as a table: when, who (role), what, field, old → new. */
export function auditTable(entries) {
  if (!entries.length) return h("p", { class: "muted", id: "history-empty" }, t("history_empty"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "grid", id: "history-table" },
      h("thead", {}, h("tr", {}, ["h_when", "h_who", "h_action", "h_field", "h_old", "h_new"].map((k) => h("th", { scope: "col" }, t(k))))),
      h(
        "tbody",
        {},
        entries.map((e) =>
          h(
            "tr",
            { "data-entity": e.entity, "data-action": e.action },
            h("td", { class: "nowrap" }, when(e.at)),
            h("td", {}, `${e.actor} (${t(`role_${e.actor_role}`)})`),
            h("td", {}, `${t(`entity_${e.entity}`)} · ${t(`action_${e.action.split(":")[0]}`)}`, e.note ? h("div", { class: "code-sub" }, e.note) : null),
            h("td", {}, e.field ? fieldLabel(e.field.replace(/^\d{4}\./, "")) + (/^\d{4}\./.test(e.field) ? ` (${e.field.slice(0, 4)})` : "") : "—"),
            h("td", { class: "small" }, value(e.old)),
            h("td", { class: "small" }, value(e.new)),
          ),
        ),
      ),
    ),
  );
}

function value(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") {
    return Object.entries(v)
      .filter(([, x]) => x !== null && x !== "" && x !== undefined)
      .map(([k, x]) => `${fieldLabel(k)}: ${typeof x === "object" ? JSON.stringify(x) : shown(x)}`)
      .join("；");
  }
  return shown(v);
}
