"""The one way a table becomes a file: CSV in UTF-8 with a BOM (Excel then shows the Chinese), or an XLSX
workbook whose every sheet has the same look (bold shaded header, frozen panes, thousands separators on
money, widths that fit Chinese text).

A sheet may also carry title lines above its header, a second header row grouping columns, styled rows
(group headings, subtotals, totals), notes under the table, a print setup (paper, landscape, header rows
repeated) and data validation (dropdowns, whole-number ranges) on its columns.

No cell is ever a live formula (OWASP "CSV injection"): a text cell starting with = + - @, TAB or CR is
written as text — with a leading ' in CSV, as an explicit string with Excel's quote prefix in XLSX — so a
project named "=HYPERLINK(…)" stays a name in finance's export. Numbers (negative ones too) stay numbers.
This module is the only writer of CSV and XLSX, so the rule holds for every export."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MONEY_FORMAT = "#,##0"
# A text cell starting with one of these is taken for a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "E8ECF3"


ROW_FILLS = {"group": "F7F8FB", "subtotal": "F3F5F9", "total": HEADER_FILL}
MISSING_FILL = "FFF2CC"  # a cell still to be filled in (a draft's missing figure)


@dataclass(frozen=True, slots=True)
class Validation:
    """Data validation on one column's data rows (1-based column): a dropdown of `choices`, or whole
    numbers from `whole[0]` to `whole[1]`. `strict` refuses other values; otherwise Excel warns and lets
    them through (a list of categories is a help, not a law)."""

    column: int
    choices: Sequence[str] = ()
    whole: tuple[int, int] | None = None
    strict: bool = False
    prompt: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class PrintSetup:
    """How a sheet prints: paper (A3 or A4), landscape, one page wide, the header rows on every page."""

    paper: str = "A4"
    landscape: bool = True
    fit_width: bool = True


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its title, header and rows; which columns (1-based) hold money, where to freeze, whether
    the last row is a totals row, and number formats of single cells ({(row, column): format}, 1-based,
    header = row 1). Rows and cells are numbered from the header as row 1 even when title lines or a
    grouped header row stand above it.

    Optional: `title_lines` (merged across the table, above the header), `header_groups` ((label, first,
    last column): a group heading over those columns, the other headers spanning both rows), `row_styles`
    ({data row index from 0: "group" | "subtotal" | "total"}), `notes` (lines under the table), `printing`,
    `validations` and `missing` (cells to fill in, shaded, {(row, column)} numbered like cell_formats)."""

    title: str
    header: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    money_cols: Collection[int] = ()
    freeze: str = "A2"
    total_row: bool = False
    cell_formats: Mapping[tuple[int, int], str] = field(default_factory=dict)
    title_lines: Sequence[str] = ()
    header_groups: Sequence[tuple[str, int, int]] = ()
    row_styles: Mapping[int, str] = field(default_factory=dict)
    notes: Sequence[str] = ()
    printing: PrintSetup | None = None
    validations: Sequence[Validation] = ()
    missing: Collection[tuple[int, int]] = ()

    @property
    def offset(self) -> int:
        """Rows above the (last) header row, beyond the first: title lines and a group heading row."""
        return len(self.title_lines) + (1 if self.header_groups else 0)


def formula_risk(value: Any) -> bool:
    """True for a text cell a spreadsheet would read as a formula (it starts with = + - @, TAB or CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: None blank, a risky text prefixed with ' (OWASP), anything else as it is."""
    if value is None:
        return ""
    return "'" + value if formula_risk(value) else value


def csv_bytes(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> bytes:
    """A table as CSV (UTF-8 with BOM, CRLF line ends); None cells are blank; no cell is a formula."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def _clean(value: Any) -> Any:
    """openpyxl refuses control characters in text: show them as U+FFFD rather than fail the export."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def _as_text(cell: Any) -> None:
    """A cell holding risky text becomes an explicit string (never a formula) with Excel's quote prefix,
    so it stays text when someone edits it."""
    if formula_risk(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """Set one cell; text stays text."""
    cell = ws.cell(row, column)
    cell.value = _clean(value)
    _as_text(cell)


def _append(ws: Any, values: Sequence[Any]) -> None:
    """Append a row; its text cells stay text."""
    cleaned = [_clean(v) for v in values]
    ws.append(cleaned)
    row = ws.max_row
    for column, value in enumerate(cleaned, start=1):
        if formula_risk(value):
            _as_text(ws.cell(row, column))


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Sheets as one XLSX workbook, each styled the same way."""
    from openpyxl import Workbook  # only workbooks need it

    book = Workbook()
    for index, sheet in enumerate(sheets):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = sheet.title
        _write_top(ws, sheet)
        for row in sheet.rows:
            _append(ws, list(row))
        for (r, c), number_format in sheet.cell_formats.items():
            ws.cell(r + sheet.offset, c).number_format = number_format
        _style(ws, sheet)
    if any(v.choices for sheet in sheets for v in sheet.validations):
        _add_validations(book, sheets)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_top(ws: Any, sheet: Sheet) -> None:
    """Title lines, then the header (one row, or a group row over a leaf row)."""
    from openpyxl.styles import Alignment, Font

    width = max(1, len(sheet.header))
    for line_no, line in enumerate(sheet.title_lines, start=1):
        _append(ws, [line])
        ws.merge_cells(start_row=line_no, start_column=1, end_row=line_no, end_column=width)
        cell = ws.cell(line_no, 1)
        cell.font = Font(bold=line_no == 1, size=16 if line_no == 1 else 10)
        cell.alignment = Alignment(horizontal="center" if line_no == 1 else "left")
    if not sheet.header_groups:
        _append(ws, list(sheet.header))
        return
    top = len(sheet.title_lines) + 1
    grouped: dict[int, str] = {}
    for label, first, last in sheet.header_groups:
        grouped.update(dict.fromkeys(range(first, last + 1), label))
    _append(ws, [grouped.get(c, h) for c, h in enumerate(sheet.header, start=1)])
    _append(ws, [h if c in grouped else None for c, h in enumerate(sheet.header, start=1)])
    for label, first, last in sheet.header_groups:
        _put(ws, top, first, label)
        if last > first:
            ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
    for c in range(1, width + 1):
        if c not in grouped:
            ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)


def _style(ws: Any, sheet: Sheet) -> None:
    """Bold shaded header, thousands separators, frozen header, widths that fit Chinese text."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_from_string

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    header_row = 1 + sheet.offset
    first_header = len(sheet.title_lines) + 1
    for r in range(first_header, header_row + 1):
        for cell in ws[r]:
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    last_data = header_row + len(sheet.rows)
    for col in sheet.money_cols:
        for (cell,) in ws.iter_rows(min_row=header_row + 1, max_row=last_data, min_col=col, max_col=col):
            if cell.number_format == "General":
                cell.number_format = MONEY_FORMAT
    if sheet.total_row and ws.max_row > 1:
        for cell in ws[last_data]:
            cell.font = Font(bold=True)
            cell.fill = fill
    for index, style in sheet.row_styles.items():
        for cell in ws[header_row + 1 + index]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=ROW_FILLS[style])
    for r, c in sheet.missing:
        ws.cell(r + sheet.offset, c).fill = PatternFill("solid", fgColor=MISSING_FILL)
    for line in sheet.notes:
        _append(ws, [line])
        ws.cell(ws.max_row, 1).font = Font(size=9, color="5B6475")
    column, row = coordinate_from_string(sheet.freeze)
    ws.freeze_panes = f"{column}{row + sheet.offset}"
    for idx, cells in enumerate(ws.iter_cols(min_row=first_header, max_row=last_data), start=1):
        widest = max((_display_width(c.value, c.number_format) for c in cells), default=4)
        ws.column_dimensions[get_column_letter(idx)].width = min(48, max(6, widest + 2))
    if sheet.printing is not None:
        _print_setup(ws, sheet, first_header, header_row)


def _print_setup(ws: Any, sheet: Sheet, first_header: int, header_row: int) -> None:
    setup = sheet.printing
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if setup.paper.upper() == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    if setup.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{first_header}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"


def _add_validations(book: Any, sheets: Sequence[Sheet]) -> None:
    """Dropdowns read their choices from a hidden sheet (a list typed into the rule is capped at 255
    characters); whole-number rules need no list."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    list_col = 0
    for sheet in sheets:
        ws = book[sheet.title]
        first, last = 2 + sheet.offset, max(2 + sheet.offset, 1 + sheet.offset + len(sheet.rows)) + 500
        for rule in sheet.validations:
            target = f"{get_column_letter(rule.column)}{first}:{get_column_letter(rule.column)}{last}"
            if rule.choices:
                list_col += 1
                letter = get_column_letter(list_col)
                for r, choice in enumerate(rule.choices, start=1):
                    _put(lists, r, list_col, choice)
                dv = DataValidation(type="list", formula1=f"=lists!${letter}$1:${letter}${len(rule.choices)}")
            else:
                low, high = rule.whole or (0, 10**9)
                dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high))
            dv.allow_blank = True
            dv.errorStyle = "stop" if rule.strict else "warning"
            dv.showErrorMessage = True
            dv.showInputMessage = bool(rule.prompt)
            dv.prompt = rule.prompt or None
            dv.error = rule.error or None
            dv.add(target)
            ws.add_data_validation(dv)


def _display_width(value: Any, number_format: str) -> int:
    """Characters a cell needs, counting a Chinese character as two."""
    if value is None:
        return 0
    text = f"{value:,}" if isinstance(value, int) and number_format != "General" else str(value)
    if "估算" in number_format or "estimate" in number_format:
        text += " (估算)"
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
