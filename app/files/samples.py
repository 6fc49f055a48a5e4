"""Seeded synthetic project lists shaped like a province's (38 districts and counties, thousands of
projects), as the CSV a finance office would import: for the benchmarks (import and page at 10,000 rows)
and the browser tests (the table and the Gantt at 2,000 rows). Every figure is invented; the names say so."""

from __future__ import annotations

import csv
import io
import random

from app.rules.portfolio import COLUMNS

CATEGORIES = ("学前教育", "义务教育", "普通高中教育", "职业教育", "特殊教育")
KINDS = {
    "学前教育": "幼儿园",
    "义务教育": "小学",
    "普通高中教育": "中学",
    "职业教育": "职教中心",
    "特殊教育": "特殊教育学校",
}
STATUSES = ("规划项目", "已开工建设", "前期")
UNITS = tuple(
    f"{name}教委" for name in ("万州区", "涪陵区", "黔江区", "巫溪县", "巫山县", "奉节县", "云阳县", "开州区")
)


def project_rows(n: int, *, seed: int = 14, first_year: int = 2022) -> list[dict[str, str]]:
    """n projects: code S-00001…, a category, unit and status each from a short list (so filters have
    something to find), planned over 1–4 years starting within 5 years of `first_year`, cost 300–9,000."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        unit = UNITS[rng.randrange(len(UNITS))]
        start = first_year + rng.randrange(5)
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            code=f"S-{i:05d}",
            name=f"{unit.removesuffix('教委')}第{i}号{KINDS[category]}（示例）",
            category=category,
            planned_start=str(start),
            planned_end=str(start + rng.randrange(4)),
            star="true" if rng.random() < 0.1 else "false",
            status=STATUSES[rng.randrange(len(STATUSES))],
            responsible_unit=unit,
            cost_wan=str(rng.randrange(300, 9001)),
            cost_basis="示例数据（合成）",
            spent_wan="0",
        )
        rows.append(row)
    return rows


def project_csv(rows: list[dict[str, str]]) -> bytes:
    """The rows as a UTF-8 CSV with the importer's English headers."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
