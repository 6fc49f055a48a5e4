"""read_projects: every format and encoding a finance office exports, and every mistake reported at once."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.files.importer import (
    ProjectListError,
    RowError,
    UnreadableFileError,
    read_projects,
    summarize,
)
from app.resources import seed_portfolio_csv

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HEADER = ["code", "name", "category", "planned_start", "planned_end", "cost_wan"]
GOOD = ["WX-01", "巫溪县白马小学校建设项目", "义务教育", "2020", "2023", "11590"]


def csv_bytes(rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def with_columns(extra: dict[str, str], row: list[str] = GOOD) -> bytes:
    """A one-project file with the required columns plus `extra` (column → cell)."""
    return csv_bytes([[*row, *extra.values()]], header=[*HEADER, *extra])


def errors_of(data: bytes, filename: str | None = None) -> list[str]:
    with pytest.raises(ProjectListError) as caught:
        read_projects(data, filename=filename)
    return [str(e) for e in caught.value.errors]


def unreadable_message(source: bytes | Path, filename: str | None = None) -> str:
    with pytest.raises(UnreadableFileError) as caught:
        read_projects(source, filename=filename)
    return caught.value.message


# --- valid files ------------------------------------------------------------------------------------------


def test_minimal_file_with_only_required_columns_gives_defaults() -> None:
    [record] = read_projects(csv_bytes([GOOD]))
    assert (record.code, record.name, record.category) == ("WX-01", "巫溪县白马小学校建设项目", "义务教育")
    assert (record.planned_start, record.planned_end, record.cost_wan) == (2020, 2023, 11590)
    assert (record.star, record.spent_wan, record.floor_area_m2, record.location) == (False, 0, None, None)


def test_seed_portfolio_reads_as_19_records_in_file_order() -> None:
    records = read_projects(seed_portfolio_csv())
    assert [r.code for r in records][:3] == ["WX-01", "WX-02", "WX-03"]
    assert len(records) == 19


@pytest.mark.parametrize(
    ("cell", "star"),
    [
        ("true", True),
        ("TRUE", True),
        ("★", True),
        ("是", True),
        ("1", True),
        ("false", False),
        ("否", False),
        ("0", False),
        ("", False),
    ],
)
def test_star_accepts_the_usual_spellings(cell: str, star: bool) -> None:
    [record] = read_projects(with_columns({"star": cell}))
    assert record.star is star


def test_numbers_accept_thousands_separators_decimals_and_full_width_digits() -> None:
    data = csv_bytes(
        [["WX-01", "白马小学", "义务教育", "２０２０", "2023.0", '"11,590"', '"30,500"', "60.5"]],
        header=[*HEADER, "floor_area_m2", "land_area_mu"],
    )
    [record] = read_projects(data)
    assert (record.planned_start, record.planned_end, record.cost_wan) == (2020, 2023, 11590)
    assert (record.floor_area_m2, record.land_area_mu) == (30500, 60.5)


def test_blank_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers() -> None:
    bad = ["WX-02", "先锋小学", "义务教育", "2020", "2023", ""]
    data = csv_bytes([GOOD, [""] * 6, bad, [""] * 6])
    assert errors_of(data) == ["row 4: cost_wan is missing"]


def test_chinese_headers_are_understood() -> None:
    header = [
        "项目编号",
        "项目名称",
        "项目细类",
        "开工年份",
        "完工年份",
        "总投资（万元）",
        "建设性质",
        "★",
        "项目责任单位",
    ]
    [record] = read_projects(csv_bytes([[*GOOD, "续建", "★", "县教委"]], header=header))
    assert (record.code, record.nature, record.star, record.responsible_unit) == (
        "WX-01",
        "续建",
        True,
        "县教委",
    )


def test_header_case_spaces_and_units_are_ignored() -> None:
    header = [" Code ", "NAME", "Category", "planned_start", "planned_end", "cost_wan (万元)"]
    [record] = read_projects(csv_bytes([GOOD], header=header))
    assert record.cost_wan == 11590


# --- encodings and formats --------------------------------------------------------------------------------


def test_gbk_file_with_chinese_headers_round_trips_names_intact() -> None:
    # An office export: GBK bytes, CRLF line ends, Chinese headers (tests/fixtures/gbk_chinese_headers.csv).
    records = read_projects(FIXTURES / "gbk_chinese_headers.csv")
    seed = {r.code: r for r in read_projects(seed_portfolio_csv())}
    for record in records:
        original = seed[record.code]
        assert (record.name, record.category, record.location, record.status, record.responsible_unit) == (
            original.name,
            original.category,
            original.location,
            original.status,
            original.responsible_unit,
        )
    assert [r.name for r in records] == [
        "巫溪县白马小学校建设项目",
        "巫溪县城厢中学校运动场建设项目",
        "巫溪县老年大学迁建工程",
    ]
    assert records[1].status == "已完成施工图审查"


def test_gbk_bytes_written_from_the_seed_read_back_equal() -> None:
    text = seed_portfolio_csv().read_text(encoding="utf-8").replace("m²", "平方米")
    from_gbk = read_projects(text.encode("gbk"), filename="projects.csv")
    from_utf8 = read_projects(text.encode("utf-8"), filename="projects.csv")
    assert from_gbk == from_utf8


def test_gb18030_characters_outside_gbk_survive() -> None:
    data = with_columns(
        {"cost_basis": "estimate: 100 m² × 3800 元/m²"}, ["WX-01", "㐀学校", "义务教育", "2022", "2023", "38"]
    )
    [record] = read_projects(data.decode("utf-8").encode("gb18030"))
    assert (record.name, record.cost_basis) == ("㐀学校", "estimate: 100 m² × 3800 元/m²")


def test_utf8_with_bom_keeps_the_first_column_name() -> None:
    [record] = read_projects(b"\xef\xbb\xbf" + csv_bytes([GOOD]))
    assert record.code == "WX-01"


def test_utf16_tab_separated_excel_unicode_text_is_read() -> None:
    text = "\t".join(HEADER) + "\r\n" + "\t".join(GOOD) + "\r\n"
    [record] = read_projects(text.encode("utf-16"), filename="projects.txt")
    assert record.name == "巫溪县白马小学校建设项目"


def test_semicolon_separated_csv_is_read() -> None:
    text = ";".join(HEADER) + "\n" + ";".join(GOOD) + "\n"
    [record] = read_projects(text.encode("utf-8"))
    assert record.cost_wan == 11590


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_numbers_and_chinese_text_is_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "项目清单.xlsx",
        [
            [*HEADER, "star", "floor_area_m2", "purchase_area_m2"],
            ["WX-01", "巫溪县城区幼儿园建设工程", "学前教育", 2024, 2027, 16543, None, 34000.0, 7245],
            ["WX-02", "巫溪县重点镇幼儿园建设工程", "学前教育", 2022.0, 2025, 4560, "★", 12000, None],
        ],
    )
    first, second = read_projects(path)
    assert (first.name, first.planned_start, first.floor_area_m2, first.purchase_area_m2) == (
        "巫溪县城区幼儿园建设工程",
        2024,
        34000,
        7245,
    )
    assert (first.star, second.star, second.planned_start, second.purchase_area_m2) == (
        False,
        True,
        2022,
        None,
    )


def test_xlsx_bytes_are_detected_without_a_filename(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "list.xlsx", [HEADER, GOOD]).read_bytes()
    [record] = read_projects(data)
    assert record.code == "WX-01"


def test_xlsx_errors_name_the_rows_excel_shows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [HEADER, GOOD, ["WX-02", "先锋小学", "义务教育", 2023, 2021, 9834]],
    )
    assert errors_of(path.read_bytes()) == ["row 3: planned_end 2021 is before planned_start 2023"]


# --- every kind of bad row, with the message a user reads ------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "白马小学", "义务教育", "2020", "2023", "100"], "row 2: code is missing"),
        (["WX-01", "", "义务教育", "2020", "2023", "100"], "row 2: name is missing"),
        (["WX-01", "白马小学", "", "2020", "2023", "100"], "row 2: category is missing"),
        (["WX-01", "白马小学", "义务教育", "", "2023", "100"], "row 2: planned_start is missing"),
        (["WX-01", "白马小学", "义务教育", "2020", "", "100"], "row 2: planned_end is missing"),
        (["WX-01", "白马小学", "义务教育", "2020", "2023", ""], "row 2: cost_wan is missing"),
        (
            ["WX-01", "白马小学", "义务教育", "2023", "2021", "100"],
            "row 2: planned_end 2021 is before planned_start 2023",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "1800", "2023", "100"],
            "row 2: planned_start 1800 is not a plausible year (1990–2100)",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "2020", "20235", "100"],
            "row 2: planned_end 20235 is not a plausible year (1990–2100)",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "二〇二〇", "2023", "100"],
            "row 2: planned_start '二〇二〇' is not a year",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "2020.5", "2023", "100"],
            "row 2: planned_start '2020.5' is not a year",
        ),
        (["WX-01", "白马小学", "义务教育", "2020", "2023", "0"], "row 2: cost_wan 0 must be greater than 0"),
        (
            ["WX-01", "白马小学", "义务教育", "2020", "2023", "-5"],
            "row 2: cost_wan -5 must be greater than 0",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "2020", "2023", "12.5"],
            "row 2: cost_wan '12.5' is not a whole number of 万元",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "2020", "2023", "约1亿"],
            "row 2: cost_wan '约1亿' is not a whole number of 万元",
        ),
        (
            ["WX-01", "白马小学", "义务教育", "2020", "2023", "100", "extra"],
            "row 2: the row has 7 cells but the header names only 6 columns",
        ),
    ],
)
def test_bad_required_values_are_reported_with_row_column_and_reason(row: list[str], message: str) -> None:
    assert errors_of(csv_bytes([row])) == [message]


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("floor_area_m2", "-10", "row 2: floor_area_m2 -10 must not be negative"),
        ("floor_area_m2", "约34000", "row 2: floor_area_m2 '约34000' is not a number"),
        ("purchase_area_m2", "nan", "row 2: purchase_area_m2 'nan' is not a number"),
        ("land_area_mu", "-1.5", "row 2: land_area_mu -1.5 must not be negative"),
        ("spent_wan", "-1", "row 2: spent_wan -1 must not be negative"),
        ("spent_wan", "20000", "row 2: spent_wan 20000 is more than cost_wan 11590"),
        ("spent_wan", "一百", "row 2: spent_wan '一百' is not a whole number of 万元"),
        ("seats_added", "-450", "row 2: seats_added -450 must not be negative"),
        ("seats_added", "1710.5", "row 2: seats_added '1710.5' is not a whole number"),
        ("star", "maybe", "row 2: star 'maybe' is not one of true/false, ★/blank, 是/否, 1/0"),
    ],
)
def test_bad_optional_values_are_reported(column: str, cell: str, message: str) -> None:
    assert errors_of(with_columns({column: cell})) == [message]


def test_duplicate_codes_name_the_first_row_using_the_code() -> None:
    data = csv_bytes([GOOD, ["WX-02", "先锋小学", "义务教育", "2020", "2023", "9834"], GOOD])
    assert errors_of(data) == ["row 4: code WX-01 is already used on row 2"]


def test_unknown_columns_are_reported_in_the_header_row() -> None:
    messages = errors_of(with_columns({"budget": "5"}))
    assert len(messages) == 1
    assert messages[0].startswith("row 1: unknown column 'budget' in the header (known columns: code, name,")


def test_a_column_given_twice_is_reported() -> None:
    data = csv_bytes([[*GOOD, "WX-09"]], header=[*HEADER, "项目编号"])
    assert errors_of(data) == ["row 1: column code appears twice in the header ('项目编号')"]


def test_a_header_without_project_rows_is_an_error() -> None:
    assert errors_of(csv_bytes([])) == ["the file has a header but no project rows"]


def test_a_file_with_many_errors_reports_all_of_them_in_row_order() -> None:
    data = csv_bytes(
        [
            ["WX-01", "白马小学", "义务教育", "2023", "2021", "100"],
            ["WX-01", "先锋小学", "义务教育", "2020", "2023", "0"],
            ["WX-03", "凤凰第二小学", "义务教育", "2022", "2025", "7600"],  # valid
            ["WX-04", "", "", "", "", ""],
        ],
        header=HEADER,
    )
    assert errors_of(data) == [
        "row 2: planned_end 2021 is before planned_start 2023",
        "row 3: cost_wan 0 must be greater than 0",
        "row 3: code WX-01 is already used on row 2",
        "row 5: name is missing",
        "row 5: category is missing",
        "row 5: planned_start is missing",
        "row 5: planned_end is missing",
        "row 5: cost_wan is missing",
    ]


def test_row_errors_carry_row_and_column_for_callers() -> None:
    with pytest.raises(ProjectListError) as caught:
        read_projects(csv_bytes([["WX-01", "白马小学", "义务教育", "2023", "2021", "100"]]))
    assert caught.value.errors == [
        RowError(2, "planned_end", "planned_end 2021 is before planned_start 2023"),
    ]
    assert str(caught.value) == "row 2: planned_end 2021 is before planned_start 2023"


# --- files that cannot be read at all ---------------------------------------------------------------------


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert unreadable_message(tmp_path / "nope.csv") == f"file not found: {tmp_path / 'nope.csv'}"


def test_a_folder_is_unreadable(tmp_path: Path) -> None:
    assert unreadable_message(tmp_path) == f"{tmp_path} is a folder, not a CSV or XLSX file"


@pytest.mark.parametrize("data", [b"", b"  \r\n\n"])
def test_empty_file_is_unreadable(data: bytes) -> None:
    assert unreadable_message(data) == "the file is empty"


def test_binary_garbage_is_unreadable() -> None:
    garbage = bytes(range(256)) * 4
    assert unreadable_message(garbage) == "this looks like a binary file, not a CSV or XLSX project list"


def test_control_characters_without_nul_are_unreadable() -> None:
    assert unreadable_message(b"\x01\x02\x03\x04abc\x05\x06") == (
        "this looks like a binary file, not a CSV or XLSX project list"
    )


def test_text_in_no_known_encoding_is_unreadable() -> None:
    assert unreadable_message(b"code,name\n\xff\xfe\xff\x80\n"[0:10] + b"\x80\xff") == (
        "the file is neither UTF-8 nor GBK (line 2, byte 0x80) and its encoding is not recognised: "
        "save it as 'CSV UTF-8' and import again"
    )


def test_old_xls_is_unreadable_with_advice() -> None:
    message = unreadable_message(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, filename="list.xls")
    assert message == "this is an old Excel .xls file; save it as .xlsx or as CSV (UTF-8) and import that"


def test_a_zip_that_is_not_a_workbook_is_unreadable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert unreadable_message(buffer.getvalue()).startswith("not a readable XLSX workbook")


def test_a_file_named_xlsx_that_is_text_is_unreadable() -> None:
    assert unreadable_message(csv_bytes([GOOD]), filename="list.xlsx").startswith(
        "not a readable XLSX workbook"
    )


def test_missing_required_column_names_it_and_the_likely_typo() -> None:
    header = ["code", "name", "category", "planned_start", "planned_end", "cost_wann"]
    message = unreadable_message(csv_bytes([GOOD], header=header))
    assert message.startswith(
        "the header (row 1) lacks the required column cost_wan; unknown columns found: 'cost_wann'."
    )


def test_a_file_without_a_header_is_unreadable() -> None:
    message = unreadable_message("WX-01,白马小学,义务教育,2020,2023,100\n".encode())
    assert message.startswith(
        "the header (row 1) lacks the required columns code, name, category, planned_start, planned_end, cost_wan;"
    )


# --- summary ----------------------------------------------------------------------------------------------


def test_summary_of_the_seed_counts_stars_area_and_estimated_cost() -> None:
    summary = summarize(read_projects(seed_portfolio_csv()))
    assert (summary.count, summary.star_count, summary.floor_area_m2, summary.purchase_area_m2) == (
        19,
        16,
        263460,
        7245,
    )
    assert (summary.cost_wan, summary.estimated_cost_wan, summary.costs_are_estimates) == (99163, 99163, True)
    assert (summary.first_year, summary.last_year) == (2020, 2027)


def test_summary_separates_estimated_from_known_costs() -> None:
    data = csv_bytes(
        [
            [*GOOD, "estimate: 30500 m² × 3800 元/m²"],
            ["WX-02", "先锋小学", "义务教育", "2020", "2023", "9000", "概算批复"],
        ],
        header=[*HEADER, "cost_basis"],
    )
    summary = summarize(read_projects(data))
    assert (summary.cost_wan, summary.estimated_cost_wan, summary.costs_are_estimates) == (20590, 11590, True)


def test_summary_without_estimates_says_so() -> None:
    summary = summarize(read_projects(csv_bytes([GOOD])))
    assert (summary.count, summary.star_count, summary.costs_are_estimates, summary.floor_area_m2) == (
        1,
        0,
        False,
        0,
    )
