"""How long charts take to build and export for 20, 200 and 2000 projects (prints a Markdown table).

    python -m bench.gantt [--sizes 20,200,2000] [--page-size 120]

"build" makes every Gantt page's figure; "html" writes them as one self-contained page; "png" renders
page 1 through the shared kaleido browser (the first export of the process also starts Chromium:
reported apart as "browser start"); "png, all pages" renders every page; "pdf report" is Gantt pages +
spend vs cap + slippage as one PDF.
"""

from __future__ import annotations

import argparse
import random
import time

import kaleido

from app import charts
from app.charts import gantt_pages
from app.files import figures
from app.rules.portfolio import ProjectRecord

CATEGORIES = ("学前教育", "义务教育", "普通高中教育", "职业教育", "特殊教育", "继续教育")


def synthetic(n: int, seed: int = 5) -> tuple[dict, list[ProjectRecord]]:
    """n projects over 2021–2030 with a realistic mix of lengths, slippage, ★ and deferrals."""
    rng = random.Random(seed)
    records, items = [], []
    spend = dict.fromkeys(range(2021, 2031), 0)
    for i in range(n):
        code = f"P-{i + 1:04d}"
        start = rng.randint(2021, 2027)
        planned_end = min(2030, start + rng.randint(0, 3))
        cost = rng.randint(200, 9000)
        records.append(
            ProjectRecord(
                code,
                f"巫溪县第{i + 1}号教育建设项目",
                rng.choice(CATEGORIES),
                None,
                None,
                None,
                None,
                None,
                start,
                planned_end,
                rng.random() < 0.3,
                "规划项目",
                "县教委",
                cost,
                "estimate: synthetic",
                0,
                None,
                None,
            )
        )
        if rng.random() < 0.03:
            items.append(
                {"id": code, "scheduled": False, "start": None, "end": None, "slippage": None, "funding": {}}
            )
            continue
        end = min(2030, planned_end + rng.choice((0, 0, 0, 1, 2, 3)))
        years = range(start, end + 1)
        share = cost // len(years)
        funding = {str(y): share + (cost - share * len(years) if y == end else 0) for y in years}
        for y, v in funding.items():
            spend[int(y)] += v
        items.append(
            {
                "id": code,
                "scheduled": True,
                "start": start,
                "end": end,
                "slippage": end - planned_end,
                "funding": funding,
            }
        )
    years = [{"year": y, "budget": max(spend.values()), "spend": s} for y, s in spend.items()]
    solution = {
        "status": "FEASIBLE",
        "objective": None,
        "bound": None,
        "solve_seconds": 0.0,
        "projects": items,
        "years": years,
        "diagnostics": {"messages": [], "shortfall": None},
    }
    return solution, records


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def measure(n: int, page_size: int) -> str:
    """One table row for n projects."""
    solution, records = synthetic(n)
    pages = gantt_pages(n, page_size)
    figs, build = timed(lambda: charts.gantt_figures(solution, records, page_size=page_size))
    html, html_s = timed(lambda: figures.figures_html(figs))
    _, png1 = timed(lambda: figures.figure_bytes(figs[0], "png"))
    _, png_all = timed(lambda: [figures.figure_bytes(f, "png") for f in figs])
    report = charts.report_figures(solution, records)
    _, pdf = timed(lambda: figures.figures_pdf(report))
    return (
        f"| {n} | {pages} | {build:.2f} s | {html_s:.2f} s ({len(html) / 1e6:.1f}) | {png1:.2f} s "
        f"| {png_all:.2f} s | {pdf:.2f} s ({len(report)} pages) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,200,2000")
    parser.add_argument("--page-size", type=int, default=120)
    args = parser.parse_args()

    tiny, recs = synthetic(3)
    _, browser_start = timed(lambda: figures.figure_bytes(charts.gantt_figures(tiny, recs)[0], "png"))
    fig = charts.gantt_figures(tiny, recs)[0]
    _, reused = timed(lambda: figures.figure_bytes(fig, "png"))
    path = figures.find_chromium()
    _, fresh = timed(
        lambda: kaleido.calc_fig_sync(fig, {"format": "png"}, kopts={"path": path, "mathjax": False})
    )
    print(
        f"first PNG of the process (starts Chromium): {browser_start:.2f} s; next PNG, same browser: "
        f"{reused:.2f} s; a fresh browser per PNG (kaleido.calc_fig_sync): {fresh:.2f} s\n"
    )
    print("| projects | pages | build | html (MB) | png page 1 | png, all pages | pdf report |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (int(s) for s in args.sizes.split(",")):
        print(measure(n, args.page_size))
    figures.close_static_renderer()


if __name__ == "__main__":
    main()
