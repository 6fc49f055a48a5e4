// The page shell: sign-in, header (who, role, portfolio, language), the shared state, and the router.
import { adoptTokenFromUrl, ApiError, api, clearToken, get, getToken, setToken, setUnauthorizedHandler } from "./api.js";
import { clearNotices, h, loading, mount, notify } from "./dom.js";
import { getLang, setLang, t } from "./i18n.js";
import * as budgetView from "./budget.js";
import * as fundingView from "./funding.js";
import * as compareView from "./compare.js";
import * as portfolioView from "./portfolio.js";
import * as runView from "./run.js";
import * as tradeoffsView from "./tradeoffs.js";
import * as riskView from "./risk.js";
import * as actualsView from "./actuals.js";
import * as adminView from "./admin.js";

adoptTokenFromUrl(); // first, before anything else runs: the token leaves the address bar

const VIEWS = {
  portfolio: { module: portfolioView, label: "nav_portfolio" },
  budget: { module: budgetView, label: "nav_budget" },
  funding: { module: fundingView, label: "nav_funding" },
  run: { module: runView, label: "nav_run" },
  compare: { module: compareView, label: "nav_compare" },
  tradeoffs: { module: tradeoffsView, label: "nav_tradeoffs" },
  risk: { module: riskView, label: "nav_risk" },
  actuals: { module: actualsView, label: "nav_actuals" },
  admin: { module: adminView, label: "nav_admin" },
};
const RUNS_KEY = "capsched.runs";

/** Everything the views share: who is signed in, the portfolio, its projects and scenarios. */
const ctx = {
  me: null,
  portfolios: [],
  portfolio: null,
  projects: [],
  scenarios: [],
  scenarioId: Number(localStorage.getItem("capsched.scenario")) || null,

  /** May the signed-in user do `action` (on `project`)? The server checks again; this only hides buttons. */
  can(action, project = null) {
    const role = ctx.me?.role;
    if (role === "finance") return true;
    if (role === "owner" && action === "edit_project") {
      return Boolean(project && ctx.me.unit && project.responsible_unit === ctx.me.unit);
    }
    return false;
  },
  get scenario() {
    return ctx.scenarios.find((s) => s.id === ctx.scenarioId) || ctx.scenarios[0] || null;
  },
  selectScenario(id) {
    ctx.scenarioId = id;
    localStorage.setItem("capsched.scenario", String(id));
  },
  async reloadProjects() {
    ctx.projects = ctx.portfolio ? await get(`/api/portfolios/${ctx.portfolio.id}/projects`) : [];
    return ctx.projects;
  },
  async reloadScenarios() {
    ctx.scenarios = ctx.portfolio ? await get(`/api/portfolios/${ctx.portfolio.id}/scenarios`) : [];
    if (!ctx.scenarios.some((s) => s.id === ctx.scenarioId) && ctx.scenarios.length) {
      ctx.selectScenario(ctx.scenarios[0].id);
    }
    return ctx.scenarios;
  },
  /** Runs of a scenario, newest first (from the server; runs started here are remembered as a fallback).
   * `brief`: without their schedules (a 10,000-project schedule is megabytes; the run list needs its status). */
  async listRuns(scenarioId, { brief = false } = {}) {
    try {
      const runs = await get(`/api/scenarios/${scenarioId}/runs${brief ? "?result=false" : ""}`);
      return [...runs].sort((a, b) => b.id - a.id);
    } catch (error) {
      if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 405)) throw error;
    }
    const ids = rememberedRuns()[scenarioId] || [];
    const runs = await Promise.all(ids.map((id) => get(`/api/runs/${id}`).catch(() => null)));
    return runs.filter(Boolean).sort((a, b) => b.id - a.id);
  },
  rememberRun(scenarioId, runId) {
    const all = rememberedRuns();
    all[scenarioId] = [runId, ...(all[scenarioId] || []).filter((id) => id !== runId)].slice(0, 50);
    localStorage.setItem(RUNS_KEY, JSON.stringify(all));
  },
  go(hash) {
    if (window.location.hash === hash) route();
    else window.location.hash = hash;
  },
  rerender: () => route(),
};

function rememberedRuns() {
  try {
    return JSON.parse(localStorage.getItem(RUNS_KEY) || "{}");
  } catch {
    return {};
  }
}

const $ = (id) => document.getElementById(id);

function roleLabel(role) {
  return t(`role_${role}`);
}

function renderHeader() {
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  document.title = t("app_title");
  mount($("brand-sub"), t("app_subtitle"));
  const current = currentRoute().view;
  mount(
    $("tabs"),
    Object.entries(VIEWS).map(([name, view]) =>
      h("a", { href: `#/${name}`, class: name === current ? "tab active" : "tab", "aria-current": name === current ? "page" : null, "data-view": name }, t(view.label)),
    ),
  );
  const select = h(
    "select",
    {
      id: "portfolio-select",
      "aria-label": t("portfolio"),
      onchange: async (event) => {
        ctx.portfolio = ctx.portfolios.find((p) => String(p.id) === event.target.value);
        localStorage.setItem("capsched.portfolio", event.target.value);
        await loadPortfolio();
        route();
      },
    },
    ctx.portfolios.map((p) => h("option", { value: String(p.id), selected: p.id === ctx.portfolio?.id }, p.name)),
  );
  mount($("context"), ctx.portfolios.length ? h("label", { class: "field-inline" }, h("span", { class: "muted" }, t("portfolio")), select) : "");
  mount(
    $("user"),
    ctx.me
      ? [
          h("span", { class: "who", id: "who", title: ctx.me.unit || "" }, ctx.me.name),
          h("span", { class: `pill role role-${ctx.me.role}`, id: "role" }, roleLabel(ctx.me.role)),
          h("button", { type: "button", class: "link", onclick: signOut }, t("sign_out")),
        ]
      : "",
  );
  mount($("lang"), getLang() === "en" ? "中文" : "English");
}

function currentRoute() {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const view = VIEWS[parts[0]] ? parts[0] : "portfolio";
  return { view, args: parts.slice(1) };
}

let routeSerial = 0;
async function route() {
  if (!ctx.me) return;
  const serial = ++routeSerial;
  const { view, args } = currentRoute();
  renderHeader();
  clearNotices();
  const root = $("view");
  root.dataset.view = view;
  mount(root, loading());
  try {
    await VIEWS[view].module.render(root, ctx, args, () => serial === routeSerial);
  } catch (error) {
    if (serial !== routeSerial) return;
    mount(root, h("div", { class: "panel error-panel", role: "alert" }, h("h2", {}, t("load_failed")), h("p", {}, error.message || String(error))));
  }
  root.focus({ preventScroll: true });
}

async function loadPortfolio() {
  // The whole project list (10,000 rows at a province's scale) is loaded only by the views that need it,
  // when they need it; the project table fetches one page at a time.
  ctx.projects = [];
  await ctx.reloadScenarios();
}

function signOut() {
  clearToken();
  ctx.me = null;
  showSignIn();
}

function showSignIn(message) {
  renderHeader();
  mount($("tabs"));
  mount($("context"));
  const input = h("input", { id: "token-input", type: "password", autocomplete: "off", "aria-label": t("token"), placeholder: t("token_placeholder") });
  const form = h(
    "form",
    {
      class: "signin panel",
      onsubmit: async (event) => {
        event.preventDefault();
        if (!input.value.trim()) return;
        setToken(input.value);
        await start();
      },
    },
    h("h1", {}, t("signin_title")),
    h("p", {}, t("signin_help")),
    h("pre", { class: "code" }, "capsched serve\ncapsched user add 张三 --role finance"),
    message ? h("p", { class: "error-text", role: "alert" }, message) : null,
    h("label", { class: "field" }, h("span", {}, t("token")), input),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("sign_in"))),
  );
  mount($("view"), form);
  input.focus();
}

async function start() {
  mount($("view"), loading(t("signing_in")));
  if (!getToken()) return showSignIn();
  try {
    ctx.me = await get("/api/me");
    ctx.portfolios = await get("/api/portfolios");
  } catch (error) {
    ctx.me = null;
    if (error.status === 401) {
      clearToken();
      return showSignIn(signInRefused(error)); // the server says why: unknown, revoked, expired
    }
    return showSignIn(error.message);
  }
  const wanted = localStorage.getItem("capsched.portfolio");
  ctx.portfolio = ctx.portfolios.find((p) => String(p.id) === wanted) || ctx.portfolios[0] || null;
  try {
    await loadPortfolio();
  } catch (error) {
    notify(error.message, "error");
  }
  await route();
}

setUnauthorizedHandler((error) => {
  if (!ctx.me) return;
  clearToken();
  ctx.me = null;
  showSignIn(signInRefused(error));
});

/** Why the token was refused: the page's words, then the server's reason (revoked by whom, expired when). */
function signInRefused(error) {
  return error?.message ? `${t("token_rejected")} ${error.message}` : t("token_rejected");
}

$("lang").addEventListener("click", () => {
  setLang(getLang() === "en" ? "zh" : "en");
  if (ctx.me) route();
  else showSignIn();
});
window.addEventListener("hashchange", route);
window.capsched = { ctx, api }; // for the console and the browser tests

start();
