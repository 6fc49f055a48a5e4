"""The one way a table becomes a file: CSV in UTF-8 with a BOM (Excel then shows the Chinese), or an XLSX
workbook whose every sheet has the same look (bold shaded header, frozen panes, thousands separators on
money, widths that fit Chinese text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MONEY_FORMAT = "#,##0"
HEADER_FILL = "E8ECF3"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its title, header and rows; which columns (1-based) hold money, where to freeze, whether
    the last row is a totals row, and number formats of single cells ({(row, column): format}, 1-based,
    header = row 1)."""

    title: str
    header: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    money_cols: Collection[int] = ()
    freeze: str = "A2"
    total_row: bool = False
    cell_formats: Mapping[tuple[int, int], str] = field(default_factory=dict)


def csv_bytes(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> bytes:
    """A table as CSV (UTF-8 with BOM, CRLF line ends); None cells are blank."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Sheets as one XLSX workbook, each styled the same way."""
    from openpyxl import Workbook  # only workbooks need it

    book = Workbook()
    for index, sheet in enumerate(sheets):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = sheet.title
        ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append(list(row))
        for (r, c), number_format in sheet.cell_formats.items():
            ws.cell(r, c).number_format = number_format
        _style(ws, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style(ws: Any, sheet: Sheet) -> None:
    """Bold shaded header, thousands separators, frozen header, widths that fit Chinese text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col in sheet.money_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if cell.number_format == "General":
                cell.number_format = MONEY_FORMAT
    if sheet.total_row and ws.max_row > 1:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = fill
    ws.freeze_panes = sheet.freeze
    for idx, column in enumerate(ws.iter_cols(), start=1):
        widest = max((_display_width(c.value, c.number_format) for c in column), default=4)
        ws.column_dimensions[get_column_letter(idx)].width = min(48, max(6, widest + 2))


def _display_width(value: Any, number_format: str) -> int:
    """Characters a cell needs, counting a Chinese character as two."""
    if value is None:
        return 0
    text = f"{value:,}" if isinstance(value, int) and number_format != "General" else str(value)
    if "估算" in number_format or "estimate" in number_format:
        text += " (估算)"
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
