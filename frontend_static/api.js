// Talks to the capsched HTTP API: adds the bearer token, turns error bodies into plain messages.
import { getLang, t } from "./i18n.js";

const TOKEN_KEY = "capsched.token";

/** An API failure with a message a person can read, plus the per-field errors of the body. */
export class ApiError extends Error {
  constructor(status, message, errors = [], body = null) {
    super(message);
    this.status = status;
    this.errors = errors;
    this.body = body;
  }
}

/** Take `?token=…` from the address at once: keep it in this tab's sessionStorage (gone when the tab
 * closes, never in localStorage) and replace the address with one without it, so it stays out of the
 * history, bookmarks and anything copied from the address bar. A token an older page kept in localStorage
 * moves to sessionStorage too. */
export function adoptTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token) {
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    sessionStorage.setItem(TOKEN_KEY, token.trim());
  }
  const old = localStorage.getItem(TOKEN_KEY);
  if (old !== null) {
    if (!token) sessionStorage.setItem(TOKEN_KEY, old);
    localStorage.removeItem(TOKEN_KEY);
  }
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token) => sessionStorage.setItem(TOKEN_KEY, token.trim());
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

let onUnauthorized = () => {};
/** Called when the server says the token is missing or wrong (the page then asks to sign in). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** Join `loc` of a validation error into a readable place, e.g. "第 3 行 · cost_wan". */
export function describeLoc(loc) {
  if (!Array.isArray(loc)) return "";
  const parts = loc.filter((p) => p !== "body" && p !== "query" && p !== "path");
  return parts
    .map((p) => (typeof p === "number" ? t("row_n", { n: p }) : String(p)))
    .join(" · ");
}

function messageFor(status, body) {
  const generic = ["Not Found", "Method Not Allowed", "Internal Server Error", "Unauthorized", "Forbidden"];
  if (body && typeof body.detail === "string" && body.detail && !generic.includes(body.detail)) return body.detail;
  if (body && Array.isArray(body.detail) && body.detail.length) {
    return body.detail.map((e) => `${describeLoc(e.loc)}: ${e.msg}`).join("；");
  }
  const known = { 401: "err_401", 403: "err_403", 404: "err_404", 409: "err_409", 413: "err_413", 422: "err_422" };
  return t(known[status] || "err_server", { status });
}

async function send(method, path, { json, form } = {}) {
  // The server writes its error words in the page's language (Chinese unless English is chosen).
  const headers = { Accept: "application/json", "Accept-Language": getLang() };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, t("err_network"));
  }
  if (response.ok) return response;
  let parsed = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  const errors = (parsed && Array.isArray(parsed.errors) && parsed.errors) ||
    (parsed && Array.isArray(parsed.detail) && parsed.detail) || [];
  const error = new ApiError(response.status, messageFor(response.status, parsed), errors, parsed);
  if (response.status === 401) onUnauthorized(error);
  throw error;
}

/** JSON request; returns the parsed body (null for 204). */
export async function api(method, path, json) {
  const response = await send(method, path, { json });
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => api("GET", path);

/** A list a page at a time: the rows and the total the server counted (header `X-Total-Count`). */
export async function getPage(path) {
  const response = await send("GET", path);
  const rows = await response.json();
  return { rows, total: Number(response.headers.get("X-Total-Count") ?? rows.length) };
}

/** Upload one file as multipart field `file`. */
export async function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await send("POST", path, { form });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Fetch a file with the token and hand it to the browser as a download. */
export async function download(path, filename) {
  const response = await send("GET", path);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
