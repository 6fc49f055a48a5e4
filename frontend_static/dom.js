// Small DOM building blocks shared by the views: element builder, number formats, notices, busy states.
import { t } from "./i18n.js";

/** h("button", {class: "primary", onclick}, "保存") → element. `null`/`false` children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** 12345.6 → "12,346" (amounts are 万元). */
export function money(value) {
  if (value === null || value === undefined || value === "") return "—";
  return Math.round(Number(value)).toLocaleString("en-US");
}

export const dash = (value) => (value === null || value === undefined || value === "" ? "—" : value);

/** A notice under the header: kind is "error", "ok" or "info". Errors stay until closed. */
export function notify(message, kind = "info") {
  const box = document.getElementById("notices");
  const note = h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    h("span", {}, message),
    h("button", { class: "link", type: "button", "aria-label": t("close"), onclick: () => note.remove() }, "×"),
  );
  box.append(note);
  if (kind !== "error") setTimeout(() => note.remove(), 5000);
  return note;
}

export function clearNotices() {
  document.getElementById("notices").replaceChildren();
}

/** A "loading…" placeholder. */
export const loading = (text) => h("div", { class: "loading", role: "status" }, h("span", { class: "spinner" }), text || t("loading"));

/** Run `work` with `button` disabled and labelled busy; errors become notices. */
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.classList.add("is-busy");
  try {
    return await work();
  } catch (error) {
    notify(error.message || String(error), "error");
    return undefined;
  } finally {
    button.disabled = false;
    button.classList.remove("is-busy");
    button.textContent = label;
  }
}

/** A status pill. */
export const pill = (text, kind = "") => h("span", { class: `pill ${kind}` }, text);

/** Download name stem: safe letters only. */
export const fileStem = (text) => String(text).replace(/[\\/:*?"<>|\s]+/g, "_");

/** A small modal asking for one line of text; resolves to the text, or null when cancelled. */
export function askText(title, label, value = "") {
  return new Promise((resolve) => {
    const input = h("input", { type: "text", value, required: true, id: "ask-input" });
    let answer = null;
    const dialog = h(
      "dialog",
      { "aria-label": title },
      h(
        "form",
        {
          method: "dialog",
          onsubmit: (event) => {
            event.preventDefault();
            answer = input.value.trim() || null;
            dialog.close();
          },
        },
        h("h2", {}, title),
        h("label", { class: "field" }, h("span", {}, label), input),
        h("div", { class: "actions", style: "margin-top:14px" }, h("button", { type: "submit", class: "primary", id: "ask-ok" }, t("ok")), h("button", { type: "button", onclick: () => dialog.close() }, t("cancel"))),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  });
}
