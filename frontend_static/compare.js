// Compare view: two runs side by side — headline figures, spend per year, and per-project start, end and
// slippage, with every difference highlighted.
import { get } from "./api.js";
import { dash, h, money, mount, pill } from "./dom.js";
import { solverStatusLabel, t } from "./i18n.js";
import { headline } from "./run.js";

export async function render(root, ctx, args, stillHere) {
  if (!ctx.portfolio) return mount(root, h("div", { class: "panel empty" }, t("no_portfolio")));
  await Promise.all([ctx.reloadScenarios(), ctx.projects.length ? null : ctx.reloadProjects()]);
  const lists = await Promise.all(ctx.scenarios.map((s) => ctx.listRuns(s.id)));
  const names = new Map(ctx.scenarios.map((s) => [s.id, s.name]));
  const runs = lists.flat().filter((r) => r.result && r.result.status !== "UNKNOWN").sort((a, b) => b.id - a.id);
  if (!stillHere()) return;
  if (runs.length < 2) {
    return mount(root, h("div", { class: "page-head" }, h("h1", {}, t("compare_title"))), h("div", { class: "panel empty", id: "compare-empty" }, t("compare_need_two")));
  }
  let [a, b] = args.map(Number);
  if (!runs.some((r) => r.id === a)) a = runs[1].id;
  if (!runs.some((r) => r.id === b)) b = runs[0].id;
  const label = (r) => `${names.get(r.scenario_id) || t("scenario")} · #${r.id} · ${solverStatusLabel(r.result.status)}${r.result.objective != null ? ` · ${t("slip_short", { n: r.result.objective })}` : ""}`;
  const picker = (id, value, other) =>
    h(
      "select",
      { id, "aria-label": id === "run-a" ? t("run_a") : t("run_b"), onchange: (e) => ctx.go(id === "run-a" ? `#/compare/${e.target.value}/${other}` : `#/compare/${other}/${e.target.value}`) },
      runs.map((r) => h("option", { value: String(r.id), selected: r.id === value }, label(r))),
    );
  const [runA, runB] = await Promise.all([get(`/api/runs/${a}`), get(`/api/runs/${b}`)]);
  if (!stillHere()) return;
  mount(
    root,
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", {}, t("compare_title")), h("div", { class: "sub" }, t("compare_sub"))),
      h("div", { class: "actions" }, h("label", { class: "field-inline" }, h("strong", {}, "A"), picker("run-a", a, b)), h("label", { class: "field-inline" }, h("strong", {}, "B"), picker("run-b", b, a))),
    ),
    h("div", { class: "two-col" }, headlineTable(ctx, runA, runB, names), yearTable(runA, runB)),
    projectTable(ctx, runA, runB),
  );
}

/** A cell for B − A, highlighted when not 0: green when B is better, red when worse, plain when `neutral`. */
function deltaCell(a, b, { lowerIsBetter = true, neutral = false, format = (x) => String(x) } = {}) {
  if (a == null || b == null) return h("td", { class: "num" }, "—");
  const d = b - a;
  if (d === 0) return h("td", { class: "num muted" }, "0");
  const better = lowerIsBetter ? d < 0 : d > 0;
  const tone = neutral ? "" : better ? "better" : "worse";
  return h("td", { class: `num diff-cell ${tone}` }, `${d > 0 ? "+" : "−"}${format(Math.abs(d))}`);
}

function headlineTable(ctx, runA, runB, names) {
  const ka = headline(runA.result, ctx.projects);
  const kb = headline(runB.result, ctx.projects);
  const rows = [
    [t("scenario"), names.get(runA.scenario_id), names.get(runB.scenario_id), null],
    [t("status"), solverStatusLabel(ka.status), solverStatusLabel(kb.status), null],
    [t("weighted_slippage"), dash(ka.objective), dash(kb.objective), deltaCell(ka.objective, kb.objective)],
    [t("projects_late"), ka.late, kb.late, deltaCell(ka.late, kb.late)],
    [t("star_late"), ka.starLate, kb.starLate, deltaCell(ka.starLate, kb.starLate)],
    [t("deferred"), ka.deferred, kb.deferred, deltaCell(ka.deferred, kb.deferred)],
    [t("total_spend_wan"), money(ka.spend), money(kb.spend), deltaCell(ka.spend, kb.spend, { neutral: true, format: money })],
    [t("peak_year"), `${dash(ka.peakYear)} (${money(ka.peakSpend)})`, `${dash(kb.peakYear)} (${money(kb.peakSpend)})`, null],
  ];
  return h(
    "section",
    { class: "panel", id: "compare-headline" },
    h("h2", {}, t("headline")),
    h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", { class: "num" }, `A · #${runA.id}`), h("th", { class: "num" }, `B · #${runB.id}`), h("th", { class: "num" }, t("difference")))),
      h("tbody", {}, rows.map(([name, x, y, d]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", { class: "num" }, String(x ?? "—")), h("td", { class: "num" }, String(y ?? "—")), d || h("td", {}, "")))),
    ),
  );
}

function yearTable(runA, runB) {
  const ya = new Map(runA.result.years.map((y) => [y.year, y]));
  const yb = new Map(runB.result.years.map((y) => [y.year, y]));
  const years = [...new Set([...ya.keys(), ...yb.keys()])].sort();
  return h(
    "section",
    { class: "panel", id: "compare-years" },
    h("h2", {}, t("spend_per_year")),
    h(
      "table",
      { class: "grid" },
      h("thead", {}, h("tr", {}, [t("year"), t("cap_a"), t("spend_a"), t("cap_b"), t("spend_b"), t("spend_diff")].map((x, i) => h("th", { class: i ? "num" : "" }, x)))),
      h(
        "tbody",
        {},
        years.map((year) => {
          const a = ya.get(year);
          const b = yb.get(year);
          return h(
            "tr",
            {},
            h("td", {}, String(year)),
            h("td", { class: `num ${a && b && a.budget !== b.budget ? "diff-cell" : ""}` }, money(a?.budget)),
            h("td", { class: "num" }, money(a?.spend)),
            h("td", { class: `num ${a && b && a.budget !== b.budget ? "diff-cell" : ""}` }, money(b?.budget)),
            h("td", { class: "num" }, money(b?.spend)),
            deltaCell(a?.spend, b?.spend, { neutral: true, format: money }),
          );
        }),
      ),
    ),
  );
}

function projectTable(ctx, runA, runB) {
  const byCode = new Map(ctx.projects.map((p) => [p.code, p]));
  const pa = new Map(runA.result.projects.map((p) => [p.id, p]));
  const pb = new Map(runB.result.projects.map((p) => [p.id, p]));
  const codes = [...new Set([...pa.keys(), ...pb.keys()])].sort();
  const span = (p) => (!p ? "—" : p.scheduled ? `${p.start}–${p.end}` : t("deferred_pill"));
  const slip = (p) => (p && p.scheduled ? p.slippage || 0 : null);
  const rows = codes.map((code) => {
    const a = pa.get(code);
    const b = pb.get(code);
    const changed = span(a) !== span(b) || JSON.stringify(a?.funding || {}) !== JSON.stringify(b?.funding || {});
    return { code, a, b, changed };
  });
  const changedCount = rows.filter((r) => r.changed).length;
  const onlyChanged = { value: changedCount > 0 };
  const body = h("tbody");
  const fill = () =>
    mount(
      body,
      rows
        .filter((r) => !onlyChanged.value || r.changed)
        .map(({ code, a, b, changed }) => {
          const p = byCode.get(code) || {};
          const startDiff = a?.start !== b?.start;
          const endDiff = a?.end !== b?.end || a?.scheduled !== b?.scheduled;
          return h(
            "tr",
            { class: changed ? "changed" : "", "data-code": code },
            h("td", { class: "nowrap" }, code),
            h("td", { class: "name" }, p.name || "", p.star ? h("span", { class: "star", style: "margin-left:4px" }, "★") : null),
            h("td", { class: "num" }, `${dash(p.planned_start)}–${dash(p.planned_end)}`),
            h("td", { class: `num ${startDiff || endDiff ? "diff-cell" : ""}` }, span(a)),
            h("td", { class: `num ${startDiff || endDiff ? "diff-cell" : ""}` }, span(b)),
            h("td", { class: "num" }, dash(slip(a))),
            h("td", { class: "num" }, dash(slip(b))),
            deltaCell(slip(a), slip(b)),
            h("td", {}, changed ? pill(t("changed"), "warn") : ""),
          );
        }),
    );
  fill();
  return h(
    "section",
    { class: "panel", id: "compare-projects" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, t("per_project"), " ", h("span", { class: "muted small", id: "changed-count" }, t("changed_count", { n: changedCount, total: rows.length }))),
      h("label", { class: "field-inline" }, h("input", { type: "checkbox", id: "only-changed", checked: onlyChanged.value, onchange: (e) => ((onlyChanged.value = e.target.checked), fill()) }), t("only_changed")),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "grid" },
        h("thead", {}, h("tr", {}, [t("col_code"), t("col_name"), t("planned_years"), t("years_a"), t("years_b"), t("slip_a"), t("slip_b"), t("slip_diff"), ""].map((x, i) => h("th", { class: i >= 2 && i < 8 ? "num" : "" }, x)))),
        body,
      ),
    ),
  );
}
