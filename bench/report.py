"""How long the run report takes (prints a Markdown table): the HTML with its charts (kaleido draws each
Gantt tile as SVG in Chromium) and the PDF (WeasyPrint lays out the tables and draws the SVG charts).

    python -m bench.report [--sizes 19,300,1000] [--paper A4]

Projects from `bench.gantt.synthetic` (invented, 2021–2030); "cpu" is this process's CPU time (kaleido's
Chromium works in other processes: its time shows in "wall" only). Run it beside a CPU hog to see the
shared machine's figures (`python -c "while True: pass" &`).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time

from app.files import documents, figures, run_report
from app.rules import slippage
from app.rules.problem import ScenarioOptions, build_problem
from bench.gantt import synthetic
from solver import Solution


def _timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    value = call()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def measure(n: int, paper: str) -> str:
    solution, records = synthetic(n)
    facts = run_report.RunFacts(
        portfolio=f"{n} 个示例项目", scenario="示例情景", run_id=1, run_status="done", started_by="bench"
    )
    caps = {int(y["year"]): int(y["budget"]) for y in solution["years"]}
    problem = build_problem(records, ScenarioOptions(min(caps), max(caps), caps, star_deadline=None))
    report = slippage.slippage_report(problem, Solution.from_json(solution), records=records)
    html, html_wall, html_cpu = _timed(
        lambda: run_report.report_html(solution, records, facts=facts, slippage=report, paper=paper)
    )
    pdf, pdf_wall, pdf_cpu = _timed(lambda: documents.pdf_bytes(html))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
    pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    return (
        f"| {n} | {pages} | {html_wall:.1f} s ({html_cpu:.1f}) | {pdf_wall:.1f} s ({pdf_cpu:.1f}) "
        f"| {html_wall + pdf_wall:.1f} s | {len(pdf) / 1e6:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="19,300,1000")
    parser.add_argument("--paper", default="A4")
    args = parser.parse_args()
    print("| projects | pages | html + charts, wall (cpu) | pdf, wall (cpu) | total wall | MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in (int(s) for s in args.sizes.split(",")):
        print(measure(n, args.paper), flush=True)
    figures.close_static_renderer()


if __name__ == "__main__":
    main()
