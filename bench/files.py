"""How fast and how cheaply hostile files are refused (issue 18): each bomb of tests/bombs.py is read by
the importer in a fresh process (the file built by the parent, the modules a server holds already loaded),
which reports the wall time of `read_projects`, the peak of memory it allocated (tracemalloc: Python
objects, openpyxl's included) and how far it raised the process's peak resident memory (ru_maxrss, 0 when
it stayed under the peak the imports reached). A legitimate 10,000-project list (CSV and XLSX) is
read the same way for comparison. Targets: every refusal within 1 s and under 100 MB extra.

    python -m bench.files
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def _cases() -> dict[str, Callable[[], bytes]]:
    from tests import bombs

    def legit_rows(count: int) -> list[list[str]]:
        return [bombs.HEADER] + [
            [f"L-{i:05d}", f"第{i}小学新建工程", "义务教育", "2022", "2025", str(1000 + i)]
            for i in range(count)
        ]

    def legit_csv() -> bytes:
        return "\n".join(",".join(row) for row in legit_rows(10_000)).encode()

    def legit_xlsx() -> bytes:
        return bombs.workbook(legit_rows(10_000))

    return {
        "xlsx declaring A1:XFD1048576": bombs.declared_dimension_bomb,
        "xlsx shared strings declaring 700 MB": bombs.huge_shared_strings_declared,
        "xlsx one 40,000-character shared string": bombs.long_shared_string,
        "xlsx 32 MB of spaces (ratio ~1000)": lambda: bombs.ratio_bomb(32),
        "xlsx billion laughs": bombs.billion_laughs_xlsx,
        "MS Project XML billion laughs": bombs.billion_laughs_xml,
        "csv 200,000 columns": bombs.wide_csv,
        "csv 3,000 bad rows (error list)": lambda: bombs.many_bad_rows_csv(3_000),
        "legit csv, 10,000 projects": legit_csv,
        "legit xlsx, 10,000 projects": legit_xlsx,
    }


def _one(name: str, path: str) -> dict[str, object]:
    """Read one case (built by the parent into `path`) in this process; only the read is measured."""
    import charset_normalizer  # noqa: F401  (a server has loaded them long before the file arrives)
    import defusedxml.sax  # noqa: F401
    import openpyxl  # noqa: F401

    from app.files.importer import FileRejected, ProjectListError, read_projects

    data = Path(path).read_bytes()

    def read() -> str:
        try:
            return f"read {len(read_projects(data)):,} projects"
        except FileRejected as exc:
            return f"{413 if exc.too_large else 422}: {str(exc)[:90]}"
        except ProjectListError as exc:
            return f"422: {exc.total:,} problems, {len(exc.errors):,} kept"

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = read()
    seconds = time.perf_counter() - started  # timed untraced; a second read measures allocations
    extra_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    tracemalloc.start()
    read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "case": name,
        "bytes": len(data),
        "seconds": seconds,
        "peak_mb": peak / MB,
        "rss_mb": extra_kb / 1024,
        "outcome": outcome,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2], sys.argv[3]), ensure_ascii=False))
        return
    print(f"{'case':42} {'file':>10} {'time':>8} {'allocated':>10} {'RSS +':>8}  outcome")
    folder = Path(tempfile.mkdtemp(prefix="capsched-bench-files-"))
    for index, (name, build) in enumerate(_cases().items()):
        path = folder / f"case-{index}"
        path.write_bytes(build())
        done = subprocess.run(
            [sys.executable, "-m", "bench.files", "--one", name, str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        path.unlink()
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{row['case']:42} {row['bytes']:>10,} {row['seconds']:>7.3f}s {row['peak_mb']:>7.1f} MB"
            f" {row['rss_mb']:>5.1f} MB  {row['outcome']}"
        )


if __name__ == "__main__":
    main()
