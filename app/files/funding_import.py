"""Read a funding-sources list and a funding-rules list (CSV in UTF-8 / UTF-8-BOM / GB18030-GBK, or XLSX),
with the project importer's standards: every problem of the file at once, each naming its row (the header
is row 1), column and reason, and nothing returned when there is any.

Sources: `code, name, kind` (required), `carryover, illustrative, basis`, an optional `scenario` and one
column per year (2024 or 2024年) holding that source's annual quota in 万元 in the row's scenario. A source
may take several rows (one per scenario); its name, kind and flags must then agree.

Rules: `source` and exactly one of `project` (a code) or `category` per row, then `allowed` (default yes),
`grant_wan` (a fixed grant: floor = cap), `min_wan`, `max_wan`, `min_percent`, `max_percent` ("20" or
"20%"), `note`. Whether sources, projects, categories and scenarios exist is checked by the service
(app/services/funding.py), which reports those problems by row in the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.files.importer import ProjectListError, RowError, UnreadableFileError, read_table
from app.i18n import Field, Listing, Message
from app.rules.funding import KIND_ALIASES, FundingRule, FundingRuleError, SourceKind
from app.rules.limits import MAX_WAN

SOURCE_COLUMNS = ("code", "name", "kind", "carryover", "illustrative", "basis", "scenario")
SOURCE_REQUIRED = ("code", "name", "kind")
RULE_COLUMNS = (
    "source",
    "project",
    "category",
    "allowed",
    "grant_wan",
    "min_wan",
    "max_wan",
    "min_percent",
    "max_percent",
    "note",
)
RULE_REQUIRED = ("source",)
MAX_QUOTA_WAN = MAX_WAN  # README "Limits": any amount of money

_SOURCE_ALIASES = {
    "来源编号": "code",
    "编号": "code",
    "来源名称": "name",
    "资金来源": "name",
    "名称": "name",
    "来源类别": "kind",
    "类别": "kind",
    "类型": "kind",
    "结转": "carryover",
    "可结转": "carryover",
    "示意": "illustrative",
    "示意数据": "illustrative",
    "额度依据": "basis",
    "依据": "basis",
    "说明": "basis",
    "方案": "scenario",
    "预算方案": "scenario",
}
_RULE_ALIASES = {
    "来源编号": "source",
    "资金来源": "source",
    "来源": "source",
    "项目编号": "project",
    "项目": "project",
    "项目细类": "category",
    "细类": "category",
    "类别": "category",
    "允许": "allowed",
    "可用": "allowed",
    "定额补助": "grant_wan",
    "定额": "grant_wan",
    "下限": "min_wan",
    "最低": "min_wan",
    "上限": "max_wan",
    "最高": "max_wan",
    "下限比例": "min_percent",
    "配套比例": "min_percent",
    "上限比例": "max_percent",
    "备注": "note",
}
_TRUE = {"true", "yes", "y", "1", "是", "√", "t"}
_FALSE = {"false", "no", "n", "0", "否", "", "f", "×"}
_YEAR = re.compile(r"^(\d{4})(年)?$")


class FundingListError(ProjectListError):
    """A sources or rules file with problems: every one, by row and column (nothing is stored)."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row of a sources list (a source, and its quota in `scenario` when the file gives years)."""

    row: int
    code: str
    name: str
    kind: SourceKind
    carryover: bool
    illustrative: bool
    basis: str | None
    scenario: str | None
    quota: dict[int, int | None] = field(default_factory=dict)  # year → 万元 (None: blank cell)


@dataclass(frozen=True, slots=True)
class SourceList:
    rows: tuple[SourceRow, ...]
    years: tuple[int, ...]  # the year columns, in file order
    has_scenario_column: bool


@dataclass(frozen=True, slots=True)
class RuleRow:
    row: int
    rule: FundingRule
    note: str | None


def _key(cell: str) -> str:
    key = unicodedata.normalize("NFKC", cell).strip().lstrip("\ufeff")
    key = re.sub(r"\(.*?\)|\[.*?\]", "", key)  # 上限（万元） → 上限
    return re.sub(r"[\s\"“”]", "", key).lower()


def _header(
    header: Sequence[str], columns: Sequence[str], aliases: dict[str, str], required: Sequence[str]
) -> tuple[dict[str, int], dict[int, int], list[RowError]]:
    """Known columns → position, year columns (year → position), and the header's problems."""
    known: dict[str, int] = {}
    years: dict[int, int] = {}
    errors: list[RowError] = []
    for position, cell in enumerate(header):
        if not cell:
            continue
        key = _key(cell)
        year = _YEAR.match(key)
        name = key if key in columns else aliases.get(key)
        if year is not None and "scenario" in columns:
            number = int(year.group(1))
            if number in years:
                errors.append(RowError.of(1, cell, "column_twice", column=cell, cell=cell))
            years[number] = position
        elif name is None:
            errors.append(RowError.of(1, cell, "unknown_column", cell=cell, known=", ".join(columns)))
        elif name in known:
            errors.append(RowError.of(1, name, "column_twice", column=Field(name), cell=cell))
        else:
            known[name] = position
    missing = [c for c in required if c not in known]
    if missing:
        raise UnreadableFileError(
            Message(
                "missing_required_columns" if len(missing) > 1 else "missing_required_column",
                missing=Listing(tuple(Field(c) for c in missing)),
                hint="",
                known=", ".join(columns),
            )
        )
    return known, years, errors


def _cell(cells: Sequence[str], position: int | None) -> str:
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _flag(raw: str, row: int, column: str, errors: list[RowError]) -> bool:
    key = unicodedata.normalize("NFKC", raw).strip().lower()
    if key in _TRUE:
        return True
    if key not in _FALSE:
        errors.append(RowError.of(row, column, "bad_flag", column=Field(column), raw=raw))
    return False


def _whole(raw: str, row: int, column: str, errors: list[RowError], *, label: object = None) -> int | None:
    """A whole number of 万元 ≥ 0 (thousands separators allowed), None when blank."""
    if not raw:
        return None
    cleaned = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
    shown = label if label is not None else Field(column)
    try:
        value = float(cleaned)
    except ValueError:
        value = None
    if value is None or not value.is_integer():
        errors.append(RowError.of(row, column, "not_whole_wan", column=shown, raw=raw))
        return None
    if value < 0:
        errors.append(RowError.of(row, column, "must_not_be_negative", column=shown, value=int(value)))
        return None
    if value > MAX_QUOTA_WAN:
        errors.append(RowError.of(row, column, "amount_implausible", column=shown, value=int(value)))
        return None
    return int(value)


def _percent(raw: str, row: int, column: str, errors: list[RowError]) -> float | None:
    if not raw:
        return None
    cleaned = unicodedata.normalize("NFKC", raw).replace(" ", "").removesuffix("%")
    try:
        value = float(cleaned)
    except ValueError:
        errors.append(RowError.of(row, column, "not_a_number", column=Field(column), raw=raw))
        return None
    if not 0 <= value <= 100:
        errors.append(RowError.of(row, column, "rule_share_out_of_range", value=f"{value:g}"))
        return None
    return value


def _table(source: bytes | Path, filename: str | None) -> list[list[str]]:
    if isinstance(source, Path):
        if not source.is_file():
            raise UnreadableFileError(Message("file_not_found", path=source))
        filename, source = filename or source.name, source.read_bytes()
    return read_table(source, filename)


def read_sources(source: bytes | Path, *, filename: str | None = None) -> SourceList:
    """Every row of a sources list, or FundingListError with every problem (UnreadableFileError when the
    file is not a table with the required columns)."""
    listed, errors = parse_sources(source, filename=filename)
    if errors:
        raise FundingListError(errors)
    return listed


def parse_sources(source: bytes | Path, *, filename: str | None = None) -> tuple[SourceList, list[RowError]]:
    """The rows of a sources list that read well, and every problem of the others (a caller adding its own
    checks of the good rows reports them all at once)."""
    table = _table(source, filename)
    columns, year_positions, errors = _header(table[0], SOURCE_COLUMNS, _SOURCE_ALIASES, SOURCE_REQUIRED)
    rows: list[SourceRow] = []
    first: dict[str, SourceRow] = {}
    seen: dict[tuple[str, str | None], int] = {}
    for offset, cells in enumerate(table[1:]):
        number = offset + 2
        if not any(cells):
            continue
        row_errors: list[RowError] = []
        value = {name: _cell(cells, position) for name, position in columns.items()}
        for name in SOURCE_REQUIRED:
            if not value.get(name):
                row_errors.append(RowError.of(number, name, "value_missing", column=Field(name)))
        for name, limit in (("code", 40), ("name", 100), ("basis", 500), ("scenario", 200)):
            if len(value.get(name, "")) > limit:
                row_errors.append(
                    RowError.of(
                        number,
                        name,
                        "text_too_long",
                        column=Field(name),
                        length=len(value[name]),
                        limit=limit,
                    )
                )
        kind = None
        if value.get("kind"):
            kind = KIND_ALIASES.get(unicodedata.normalize("NFKC", value["kind"]).strip().lower())
            if kind is None:
                choices = Listing(("中央预算内投资", "专项债", "市级补助", "县级自筹", "社会资金", "其他"))
                row_errors.append(RowError.of(number, "kind", "bad_kind", raw=value["kind"], choices=choices))
        carryover = _flag(value.get("carryover", ""), number, "carryover", row_errors)
        illustrative = _flag(value.get("illustrative", ""), number, "illustrative", row_errors)
        quota = {
            year: _whole(_cell(cells, position), number, str(year), row_errors, label=str(year))
            for year, position in year_positions.items()
        }
        if len(cells) > len(table[0]) and any(cells[len(table[0]) :]):
            row_errors.append(
                RowError.of(number, None, "too_many_cells", width=len(cells), header_width=len(table[0]))
            )
        if row_errors or kind is None:
            errors.extend(row_errors)
            continue
        parsed = SourceRow(
            row=number,
            code=value["code"],
            name=value["name"],
            kind=kind,
            carryover=carryover,
            illustrative=illustrative,
            basis=value.get("basis") or None,
            scenario=value.get("scenario") or None,
            quota=quota,
        )
        errors.extend(_agreement(parsed, first, seen))
        rows.append(parsed)
    if not rows and not errors:
        errors.append(RowError.of(None, None, "no_data_rows"))
    return SourceList(tuple(rows), tuple(year_positions), "scenario" in columns), errors


def _agreement(
    row: SourceRow, first: dict[str, SourceRow], seen: dict[tuple[str, str | None], int]
) -> list[RowError]:
    """A source named on several rows must be the same source each time, once per scenario."""
    errors = []
    key = (row.code, row.scenario)
    if key in seen:
        errors.append(RowError.of(row.row, "code", "source_row_twice", code=row.code, first_row=seen[key]))
    seen.setdefault(key, row.row)
    earlier = first.setdefault(row.code, row)
    for name in ("name", "kind", "carryover", "illustrative", "basis"):
        if earlier is not row and getattr(earlier, name) != getattr(row, name):
            errors.append(
                RowError.of(
                    row.row,
                    name,
                    "source_rows_disagree",
                    code=row.code,
                    column=Field(name),
                    first_row=earlier.row,
                )
            )
    return errors


def read_rules(source: bytes | Path, *, filename: str | None = None) -> list[RuleRow]:
    """Every rule of a funding-rules list, or FundingListError with every problem."""
    rows, errors = parse_rules(source, filename=filename)
    if errors:
        raise FundingListError(errors)
    return rows


def parse_rules(source: bytes | Path, *, filename: str | None = None) -> tuple[list[RuleRow], list[RowError]]:
    """The rules of a list that read well, and every problem of the other rows."""
    table = _table(source, filename)
    columns, _, errors = _header(table[0], RULE_COLUMNS, _RULE_ALIASES, RULE_REQUIRED)
    if "project" not in columns and "category" not in columns:
        raise UnreadableFileError(
            Message(
                "missing_required_column",
                missing=Message("rule_project_or_category"),
                hint="",
                known=", ".join(RULE_COLUMNS),
            )
        )
    rows: list[RuleRow] = []
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for offset, cells in enumerate(table[1:]):
        number = offset + 2
        if not any(cells):
            continue
        row_errors: list[RowError] = []
        value = {name: _cell(cells, position) for name, position in columns.items()}
        if not value.get("source"):
            row_errors.append(RowError.of(number, "source", "value_missing", column=Field("source")))
        project, category = value.get("project") or None, value.get("category") or None
        if (project is None) == (category is None):
            row_errors.append(RowError.of(number, "project", "rule_needs_one_scope"))
        allowed = (
            _flag(value.get("allowed", ""), number, "allowed", row_errors) if value.get("allowed") else True
        )
        grant = _whole(value.get("grant_wan", ""), number, "grant_wan", row_errors)
        low = _whole(value.get("min_wan", ""), number, "min_wan", row_errors)
        high = _whole(value.get("max_wan", ""), number, "max_wan", row_errors)
        if grant is not None:
            if low is not None or high is not None:
                row_errors.append(RowError.of(number, "grant_wan", "rule_grant_with_limits"))
            low = high = grant
        low_pct = _percent(value.get("min_percent", ""), number, "min_percent", row_errors)
        high_pct = _percent(value.get("max_percent", ""), number, "max_percent", row_errors)
        note = value.get("note") or None
        if note is not None and len(note) > 500:
            row_errors.append(
                RowError.of(
                    number, "note", "text_too_long", column=Field("note"), length=len(note), limit=500
                )
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        try:
            rule = FundingRule(value["source"], project, category, allowed, low, high, low_pct, high_pct)
        except FundingRuleError as err:
            errors.append(RowError(number, err.field, str(err.reason), err.reason))
            continue
        key = (rule.source, project, category)
        if key in seen:
            errors.append(RowError.of(number, "source", "rule_row_twice", first_row=seen[key]))
            continue
        seen[key] = number
        rows.append(RuleRow(number, rule, note))
    if not rows and not errors:
        errors.append(RowError.of(None, None, "no_data_rows"))
    return rows, errors
