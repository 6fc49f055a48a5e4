"""Read an actuals file (CSV/XLSX: code, year, spent_wan, percent_complete, and optionally overrun and
overrun_reason; or the Chinese headers a finance office writes) into lines, with every problem of its shape found at once. Whether each code is a project
of the portfolio, and whether the user may write it, is the service's question (app/services/actuals.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.files.importer import RowError, read_table
from app.i18n import Field

COLUMNS = ("code", "year", "spent_wan", "percent_complete")
OPTIONAL = ("overrun", "overrun_reason")  # spending past the cost's tolerance, declared and explained
TRUE, FALSE = {"1", "true", "yes", "y", "是", "超概算"}, {"", "0", "false", "no", "n", "否"}
# Chinese headers a finance office writes, mapped to the columns
HEADER_ALIASES = {
    "项目编号": "code",
    "编号": "code",
    "年度": "year",
    "年份": "year",
    "实际支出(万元)": "spent_wan",
    "实际支出（万元）": "spent_wan",
    "实际支出": "spent_wan",
    "完成百分比": "percent_complete",
    "完成进度(%)": "percent_complete",
    "完成进度（%）": "percent_complete",
    "超概算": "overrun",
    "超概算原因": "overrun_reason",
}
FIRST_YEAR, LAST_YEAR = 1900, 2200


@dataclass(frozen=True, slots=True)
class ActualLine:
    """One row of the file: spreadsheet row number, project code, year, money spent, percent complete."""

    row: int
    code: str
    year: int
    spent_wan: int
    percent_complete: float
    overrun: bool = False
    overrun_reason: str | None = None


def read_actuals(
    source: bytes, filename: str | None, check_code: Callable[[int, str], list[RowError]]
) -> tuple[list[ActualLine], list[RowError]]:
    """The well-formed lines and every problem found, in row order; `check_code(row, code)` gives the
    problems of a non-empty code (no such project, not yours). A missing column stops at the header."""
    table = read_table(source, filename)
    columns, errors = _columns(table[0])
    if errors:
        return [], errors
    lines: list[ActualLine] = []
    for offset, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        line, row_errors = _parse_row(offset, columns, cells, check_code)
        errors.extend(row_errors)
        if line is not None:
            lines.append(line)
    return lines, errors


def _columns(header: Sequence[str]) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_ALIASES.get(cell.strip(), cell.strip().lower())
        if name in (*COLUMNS, *OPTIONAL) and name not in columns:
            columns[name] = index
    missing = [c for c in COLUMNS if c not in columns]
    needed = ", ".join(COLUMNS)
    errors = [RowError.of(1, c, "actuals_missing_column", column=Field(c), needed=needed) for c in missing]
    return columns, errors


def _number(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _parse_row(
    row: int, columns: dict[str, int], cells: Sequence[str], check_code: Callable[[int, str], list[RowError]]
) -> tuple[ActualLine | None, list[RowError]]:
    values: dict[str, Any] = {c: (cells[i].strip() if i < len(cells) else "") for c, i in columns.items()}
    errors: list[RowError] = []
    if not values["code"]:
        errors.append(RowError.of(row, "code", "actuals_code_empty", column=Field("code")))
    else:
        errors.extend(check_code(row, values["code"]))
    year = _number(values["year"])
    if year is None or year != int(year) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(RowError.of(row, "year", "actuals_bad_year", column=Field("year"), raw=values["year"]))
    spent = _number(values["spent_wan"])
    if spent is None or spent != int(spent) or spent < 0:
        errors.append(
            RowError.of(
                row, "spent_wan", "actuals_bad_spent", column=Field("spent_wan"), raw=values["spent_wan"]
            )
        )
    percent = _number(values["percent_complete"].rstrip("%"))
    if percent is None or not 0 <= percent <= 100:
        errors.append(
            RowError.of(
                row,
                "percent_complete",
                "actuals_bad_percent",
                column=Field("percent_complete"),
                raw=values["percent_complete"],
            )
        )
    overrun = values.get("overrun", "").lower()
    if overrun not in TRUE | FALSE:
        errors.append(
            RowError.of(row, "overrun", "actuals_bad_overrun", column=Field("overrun"), raw=overrun)
        )
    if errors:
        return None, errors
    reason = values.get("overrun_reason") or None
    return ActualLine(row, values["code"], int(year), int(spent), percent, overrun in TRUE, reason), []
