"""Read a project list (CSV in UTF-8 / UTF-8-BOM / GB18030-GBK, or XLSX) into validated ProjectRecords.

`read_projects` is pure: it returns every record, or raises `ProjectListError` carrying *all* the
problems of the file, so a caller stores a list only when it is wholly valid. A file that cannot be read
as a table at all raises `UnreadableFileError`.

Row numbers are those a spreadsheet shows: the header is row 1, the first project is row 2.
Every problem is a Message (app/i18n): `str()` is English, `render("zh")` Chinese.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.sax import SAXException

from app.files import intake, mspdi
from app.files.intake import DEFAULT_CAPS, FileCaps, FileRejected, UnreadableFileError
from app.i18n import Field, Listing, Message, t
from app.rules.limits import MAX_AREA, PROJECT_INT_RANGES, PROJECT_TEXT_LENGTHS
from app.rules.portfolio import COLUMNS, SCHEDULE_FIGURES, ProjectRecord

REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "category", "planned_start", "planned_end", "cost_wan")
FIRST_YEAR, LAST_YEAR = 1990, 2100  # plausible build years

# Header spellings accepted besides the column names themselves (compared after _header_key).
_ALIASES: dict[str, str] = {
    "项目编号": "code",
    "编号": "code",
    "序号": "code",
    "项目名称": "name",
    "名称": "name",
    "项目细类": "category",
    "细类": "category",
    "类别": "category",
    "建设地址": "location",
    "地址": "location",
    "建设地点": "location",
    "建设性质": "nature",
    "性质": "nature",
    "建筑面积": "floor_area_m2",
    "总建筑面积": "floor_area_m2",
    "新建建筑面积": "floor_area_m2",
    "购置面积": "purchase_area_m2",
    "占地面积": "land_area_mu",
    "开工年份": "planned_start",
    "开始年份": "planned_start",
    "计划开工": "planned_start",
    "计划开工年份": "planned_start",
    "完工年份": "planned_end",
    "竣工年份": "planned_end",
    "计划完工": "planned_end",
    "计划完工年份": "planned_end",
    "★": "star",
    "十四五期间完工": "star",
    "★代表十四五期间完工项目": "star",  # the 专栏4 header itself
    "项目进展情况": "status",
    "进展情况": "status",
    "项目责任单位": "responsible_unit",
    "责任单位": "responsible_unit",
    "总投资": "cost_wan",
    "投资": "cost_wan",
    "估算投资": "cost_wan",
    "投资依据": "cost_basis",
    "估算依据": "cost_basis",
    "已完成投资": "spent_wan",
    "累计完成投资": "spent_wan",
    "新增学位": "seats_added",
    "学位来源": "seats_source",
}

_TRUE = {"true", "yes", "y", "1", "★", "是", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "", "f"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc
_DELIMITERS = (",", "\t", ";")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a project list. `row` is the spreadsheet row (header = 1); None for the whole file.

    `message` is English; `text` (when built with `RowError.of`) renders the same problem in either language.
    """

    row: int | None
    column: str | None
    message: str
    text: Message | None = field(default=None, compare=False)

    @classmethod
    def of(cls, row: int | None, column: str | None, key: str, /, **params: object) -> RowError:
        """A problem from the message template `key` of app/i18n."""
        text = Message(key, **params)
        return cls(row, column, str(text), text)

    def render(self, lang: str = "zh", *, with_row: bool = True) -> str:
        """The problem in `lang`, led by its row ("第 3 行：…" / "row 3: …") unless with_row is False."""
        body = self.text.render(lang) if self.text is not None else self.message
        return body if self.row is None or not with_row else t("row_prefix", lang, row=self.row, message=body)

    def __str__(self) -> str:
        return self.render("en")


class ProjectListError(Exception):
    """The file is a table, but some rows or columns are wrong. `errors` lists the problems found (the first
    FileCaps.max_problems of them, in row order); `omitted` counts those found after them."""

    def __init__(self, errors: Sequence[RowError], omitted: int = 0) -> None:
        self.errors: list[RowError] = list(errors)
        self.omitted = omitted
        super().__init__("\n".join(str(e) for e in self.errors))

    @property
    def total(self) -> int:
        """Every problem found, listed or not."""
        return len(self.errors) + self.omitted

    @property
    def draft_rows(self) -> list[int]:
        """The rows that lack only schedule figures (years, cost) when that is all that is wrong with the
        file, else []: importing with drafts would keep them as drafts."""
        if not self.errors or not all(_only_missing_figure(e) for e in self.errors):
            return []
        return sorted({e.row for e in self.errors if e.row is not None})


def _only_missing_figure(error: RowError) -> bool:
    return (
        error.row is not None
        and error.column in SCHEDULE_FIGURES
        and error.text is not None
        and error.text.key == "value_missing"
    )


@dataclass(frozen=True, slots=True)
class ListTotals:
    """A valid project list in figures: counts, areas, costs (and how much of it is estimated), years."""

    count: int
    star_count: int
    floor_area_m2: float
    purchase_area_m2: float
    cost_wan: int
    estimated_cost_wan: int  # the part of cost_wan whose cost_basis says "estimate"
    costs_are_estimates: bool  # True when any cost is an estimate (label totals 估算)
    first_year: int | None
    last_year: int | None


def summarize(records: Iterable[ProjectRecord]) -> ListTotals:
    """Count projects and ★ projects and add up areas and costs."""
    records = list(records)
    costs = [r.cost_wan or 0 for r in records]
    estimated = sum(c for r, c in zip(records, costs, strict=True) if r.cost_is_estimate)
    starts = [r.planned_start for r in records if r.planned_start is not None]
    ends = [r.planned_end for r in records if r.planned_end is not None]
    return ListTotals(
        count=len(records),
        star_count=sum(r.star for r in records),
        floor_area_m2=sum(r.floor_area_m2 or 0 for r in records),
        purchase_area_m2=sum(r.purchase_area_m2 or 0 for r in records),
        cost_wan=sum(costs),
        estimated_cost_wan=estimated,
        costs_are_estimates=any(r.cost_is_estimate for r in records),
        first_year=min(starts, default=None),
        last_year=max(ends, default=None),
    )


def read_projects(
    source: Path | bytes,
    *,
    filename: str | None = None,
    drafts: bool = False,
    caps: FileCaps = DEFAULT_CAPS,
) -> list[ProjectRecord]:
    """Read and validate a whole project list; raise ProjectListError with every problem, or UnreadableFileError
    (FileRejected when a cap of `caps` or the encoding refuses the file before it is read).

    With `drafts`, a row lacking only its schedule figures (planned years, cost) is read as a draft
    record (those fields None) instead of an error; every other problem still fails the file."""
    data, filename = _load(source, filename, caps)
    numbers: list[int] | None = None  # row numbers other than the spreadsheet's (MS Project's task IDs)
    if mspdi.is_mspdi(data) or _looks_like_xml(data):
        try:
            table, numbers = mspdi.read_table(data, column_of, max_tasks=caps.max_rows)
        except mspdi.MspdiRefused as exc:
            raise FileRejected(exc.text, too_large=exc.too_large) from None
        except mspdi.MspdiError as exc:
            raise UnreadableFileError(exc.text) from None
        table = intake.bounded_rows(table, caps, str)
    else:
        table = read_table(data, filename, caps)
    header, rows = table[0], table[1:]
    columns, errors = _map_header(header, drafts=drafts)
    records: list[ProjectRecord] = []
    first_row_of_code: dict[str, int] = {}
    omitted = 0
    for offset, cells in enumerate(rows):
        row_number = numbers[offset] if numbers is not None else offset + 2  # header is row 1
        if not any(cells):
            continue  # blank line, as spreadsheets leave at the end
        values = _row_values(columns, cells)
        record, row_errors = _parse_row(row_number, values, len(cells), len(header), drafts=drafts)
        omitted += _keep(errors, row_errors, caps.max_problems)
        code = values.get("code", "")
        if code:
            if code in first_row_of_code:
                omitted += _keep(
                    errors,
                    [
                        RowError.of(
                            row_number,
                            "code",
                            "code_used_twice",
                            column=Field("code"),
                            code=code,
                            first_row=first_row_of_code[code],
                        )
                    ],
                    caps.max_problems,
                )
            else:
                first_row_of_code[code] = row_number
        if record is not None:
            records.append(record)
    if not first_row_of_code and not errors:
        errors.append(RowError.of(None, None, "no_project_rows"))
    if errors:
        raise ProjectListError(errors, omitted)
    return records


def _keep(errors: list[RowError], new: Sequence[RowError], limit: int) -> int:
    """Add `new` problems to `errors` up to `limit` of them; return how many did not fit (counted only)."""
    room = max(0, limit - len(errors))
    errors.extend(new[:room])
    return max(0, len(new) - room)


def _looks_like_xml(data: bytes) -> bool:
    """An XML document (a declaration or a DTD first): read as XML, never as a table of text."""
    head = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<!DOCTYPE", b"<!ENTITY"))


# --- reading bytes into a table of strings ------------------------------------------------------------


def _load(source: Path | bytes, filename: str | None, caps: FileCaps) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray):
        intake.check_size(len(source), caps)
        return bytes(source), filename
    path = Path(source)
    if not path.exists():
        raise UnreadableFileError(Message("file_not_found", path=path))
    if path.is_dir():
        raise UnreadableFileError(Message("file_is_folder", path=path))
    try:
        intake.check_size(path.stat().st_size, caps)
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        raise UnreadableFileError(Message("file_cannot_open", path=path, reason=exc.strerror or exc)) from exc


def read_table(data: bytes, filename: str | None, caps: FileCaps = DEFAULT_CAPS) -> list[list[str]]:
    """Turn file bytes into rows of stripped strings, the first being the header (within `caps`)."""
    if not data.strip():
        raise UnreadableFileError(Message("file_empty"))
    suffix = Path(filename).suffix.lower() if filename else ""
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise UnreadableFileError(Message("file_old_xls"))
    if data.startswith(_ZIP_MAGIC) or suffix in {".xlsx", ".xlsm"}:
        table = _read_xlsx(data, caps)
    else:
        table = _read_csv(intake.decode(data), caps)
    while table and not any(table[0]):
        table.pop(0)  # leading blank lines before the header
    if not table:
        raise UnreadableFileError(Message("file_no_header"))
    return table


def _read_xlsx(data: bytes, caps: FileCaps) -> list[list[str]]:
    """The first sheet's rows, streamed (openpyxl read-only) after the zip directory, the shared strings
    and the declared dimension passed the caps (app/files/intake.py)."""
    import openpyxl  # imported here: only XLSX files need it
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, IndexError)
    try:
        with intake.open_zip(data) as book:
            intake.check_zip(book, caps)
            intake.check_shared_strings(book, caps)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException:
        raise FileRejected(Message("xml_entities_refused"), too_large=False) from None
    except (*unreadable, SAXException) as exc:
        raise UnreadableFileError(Message("file_bad_xlsx", reason=exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        intake.check_declared_dimension(sheet, caps)
        sheet.reset_dimensions()  # pad rows to their own cells, never to a declared width
        return intake.bounded_rows(sheet.iter_rows(values_only=True), caps, _text)
    except DefusedXmlException:
        raise FileRejected(Message("xml_entities_refused"), too_large=False) from None
    except (*unreadable, ParseError) as exc:
        raise UnreadableFileError(Message("file_bad_xlsx", reason=exc)) from exc
    finally:
        workbook.close()


def _read_csv(text: str, caps: FileCaps) -> list[list[str]]:
    first_line = next((line for line in text[: caps.max_line_chars + 1].splitlines() if line.strip()), "")
    delimiter = max(_DELIMITERS, key=first_line.count)
    intake.check_lines(text, delimiter, caps)
    if _control_characters(text):
        raise UnreadableFileError(Message("file_binary"))
    try:
        return intake.bounded_rows(csv.reader(io.StringIO(text), delimiter=delimiter), caps, str)
    except csv.Error as exc:
        raise UnreadableFileError(Message("file_bad_csv", reason=exc)) from exc


def _control_characters(text: str) -> bool:
    """True when the text holds control characters no spreadsheet export writes."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:20000])


def _text(value: Any) -> str:
    """A cell as the text a user typed: 2022.0 → "2022", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- header ---------------------------------------------------------------------------------------------


def _header_key(cell: str) -> str:
    """Normalise a header cell: NFKC, no spaces, no unit in brackets, lower case."""
    key = unicodedata.normalize("NFKC", cell).strip().lstrip("\ufeff")
    key = re.sub(r"\(.*?\)|\[.*?\]", "", key)  # 总投资（万元） → 总投资 (after NFKC the brackets are ASCII)
    return re.sub(r"[\s\"“”]", "", key).lower()


def column_of(cell: str) -> str | None:
    """The project-list column a header cell (or an MS Project custom field's alias) names, or None."""
    key = _header_key(cell)
    return key if key in COLUMNS else _ALIASES.get(key)


def _map_header(header: Sequence[str], *, drafts: bool = False) -> tuple[dict[str, int], list[RowError]]:
    """Map each known column to its position; unknown and repeated columns are errors; missing required
    columns make the file unreadable (no row could be checked)."""
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    unknown: list[str] = []
    for position, cell in enumerate(header):
        if not cell:
            continue
        key = _header_key(cell)
        column = key if key in COLUMNS else _ALIASES.get(key)
        if column is None:
            unknown.append(cell)
            errors.append(RowError.of(1, cell, "unknown_column", cell=cell, known=", ".join(COLUMNS)))
        elif column in columns:
            errors.append(RowError.of(1, column, "column_twice", column=Field(column), cell=cell))
        else:
            columns[column] = position
    required = [c for c in REQUIRED_COLUMNS if not (drafts and c in SCHEDULE_FIGURES)]
    missing = [c for c in required if c not in columns]
    if missing:
        hint = Message("unknown_columns_hint", unknown=", ".join(repr(u) for u in unknown)) if unknown else ""
        raise UnreadableFileError(
            Message(
                "missing_required_columns" if len(missing) > 1 else "missing_required_column",
                missing=Listing(tuple(Field(c) for c in missing)),
                hint=hint,
                known=", ".join(COLUMNS),
            )
        )
    return columns, errors


def _row_values(columns: dict[str, int], cells: Sequence[str]) -> dict[str, str]:
    return {c: (cells[i] if i < len(cells) else "") for c, i in columns.items()}


# --- one row --------------------------------------------------------------------------------------------


class _RowParser:
    """Collects the values of one row and every problem with them."""

    def __init__(self, row: int, values: dict[str, str]) -> None:
        self.row, self.values, self.errors = row, values, []

    def error(self, column: str | None, key: str, **params: object) -> None:
        """Record the problem `key` (a message of app/i18n); `column` is passed as the Field `column`."""
        if column is not None:
            params.setdefault("column", Field(column))
        self.errors.append(RowError.of(self.row, column, key, **params))

    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self.values.get(column, "")
        if not value:
            if required:
                self.error(column, "value_missing")
            return None
        bad = next((ch for ch in value if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n"), None)
        if bad is not None:  # e.g. NUL from an XLSX "_x0000_": no database or export holds it
            self.error(column, "control_character", char=f"U+{ord(bad):04X}")
            return None
        longest = PROJECT_TEXT_LENGTHS.get(column)
        if longest is not None and len(value) > longest:
            self.error(column, "text_too_long", length=len(value), limit=longest)
            return None
        return value

    def number(
        self,
        column: str,
        convert: Callable[[str], float | int | None],
        *,
        required: bool = False,
        describe: str = "not_a_number",
    ) -> Any:
        raw = self.text(column, required=required)
        if raw is None:
            return None
        value = convert(raw)
        if value is None:
            self.error(column, describe, raw=raw)
        return value


def _to_float(raw: str) -> float | None:
    cleaned = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _to_int(raw: str) -> int | None:
    value = _to_float(raw)
    return int(value) if value is not None and value.is_integer() else None


def _parse_row(
    row: int, values: dict[str, str], width: int, header_width: int, *, drafts: bool = False
) -> tuple[ProjectRecord | None, list[RowError]]:
    p = _RowParser(row, values)
    figures = not drafts  # a draft may leave its schedule figures blank
    code = p.text("code", required=True)
    name = p.text("name", required=True)
    category = p.text("category", required=True)
    start = p.number("planned_start", _to_int, required=figures, describe="not_a_year")
    end = p.number("planned_end", _to_int, required=figures, describe="not_a_year")
    cost = p.number("cost_wan", _to_int, required=figures, describe="not_whole_wan")
    spent = p.number("spent_wan", _to_int, describe="not_whole_wan")
    seats = p.number("seats_added", _to_int, describe="not_whole_number")
    areas = {c: p.number(c, _to_float) for c in ("floor_area_m2", "purchase_area_m2", "land_area_mu")}
    star = _parse_star(p)

    plausible = True
    for column, year in (("planned_start", start), ("planned_end", end)):
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            p.error(column, "implausible_year", year=year, first=FIRST_YEAR, last=LAST_YEAR)
            plausible = False
    if plausible and start is not None and end is not None and end < start:
        p.error(
            "planned_end",
            "end_before_start",
            end_column=Field("planned_end"),
            end=end,
            start_column=Field("planned_start"),
            start=start,
        )
    if cost is not None and cost <= 0:
        p.error("cost_wan", "must_be_positive", value=cost)
    for column, value in (("cost_wan", cost), ("spent_wan", spent), ("seats_added", seats)):
        if value is not None and value > PROJECT_INT_RANGES[column][1]:
            p.error(
                column, "number_too_large", value=f"{value:,}", limit=f"{PROJECT_INT_RANGES[column][1]:,}"
            )
    for column, area in areas.items():
        if area is not None and area > MAX_AREA:
            p.error(column, "number_too_large", value=_show(area), limit=f"{MAX_AREA:,.0f}")
    for column, value in (("spent_wan", spent), ("seats_added", seats), *areas.items()):
        if value is not None and value < 0:
            p.error(column, "must_not_be_negative", value=_show(value))
    if spent is not None and cost is not None and cost > 0 and spent > cost:
        p.error(
            "spent_wan",
            "spent_over_cost",
            spent_column=Field("spent_wan"),
            spent=spent,
            cost_column=Field("cost_wan"),
            cost=cost,
        )
    if width > header_width and any(values.values()):
        p.error(None, "too_many_cells", width=width, header_width=header_width)

    if p.errors:
        return None, p.errors
    record = ProjectRecord(
        code=code,
        name=name,
        category=category,
        location=p.text("location"),
        nature=p.text("nature"),
        floor_area_m2=areas["floor_area_m2"],
        purchase_area_m2=areas["purchase_area_m2"],
        land_area_mu=areas["land_area_mu"],
        planned_start=start,
        planned_end=end,
        star=star,
        status=p.text("status"),
        responsible_unit=p.text("responsible_unit"),
        cost_wan=cost,
        cost_basis=p.text("cost_basis"),
        spent_wan=spent or 0,
        seats_added=seats,
        seats_source=p.text("seats_source"),
    )
    return record, []


def _parse_star(p: _RowParser) -> bool:
    raw = p.values.get("star", "")
    key = unicodedata.normalize("NFKC", raw).strip().lower()
    if key in _TRUE:
        return True
    if key not in _FALSE:
        p.error("star", "bad_star", raw=raw)
    return False


def _show(value: float | int) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
