"""Hostile files are refused before they are read, in plain words naming the limit (issue 18, item 2).

The bombs are built in tests/bombs.py; how fast and how cheaply they are refused is bench/files.py's job.
"""

from __future__ import annotations

import pytest

from app.files.importer import FileCaps, FileRejected, ProjectListError, UnreadableFileError, read_projects
from tests import bombs


def refusal(data: bytes, filename: str | None = None, caps: FileCaps | None = None) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        read_projects(data, filename=filename, **({"caps": caps} if caps else {}))
    return caught.value


def test_a_workbook_declaring_a1_to_xfd1048576_is_refused_by_its_dimension():
    data = bombs.declared_dimension_bomb()
    assert len(data) < 5_000
    error = refusal(data)
    assert error.too_large
    assert str(error) == (
        "the sheet declares the range A1:XFD1048576: 1,048,576 rows × 16,384 columns; at most 50,000 rows, "
        "200 columns and 500,000 cells are read. Delete the unused rows and columns and save again"
    )
    assert error.render("zh").startswith("工作表声明的范围 A1:XFD1048576 有 1,048,576 行 × 16,384 列")


def test_a_shared_string_table_declaring_hundreds_of_mb_is_refused_by_the_zip_directory():
    data = bombs.huge_shared_strings_declared(700 * 1024 * 1024)
    assert len(data) < 5_000
    error = refusal(data)
    assert error.too_large
    assert str(error).startswith("the XLSX unpacks to 700.0 MB, over the 64.0 MB limit")


def test_a_shared_string_longer_than_an_excel_cell_is_refused_as_it_streams():
    error = refusal(bombs.long_shared_string(40_000))
    assert str(error) == (
        "text 8 of the workbook is longer than 32,767 characters (Excel's cell limit): refused"
    )


def test_an_entry_inflating_a_thousandfold_is_refused_as_a_zip_bomb():
    data = bombs.ratio_bomb(8)
    assert len(data) < 60_000
    error = refusal(data)
    assert error.too_large
    assert str(error).startswith("xl/worksheets/sheet1.xml inside the XLSX inflates")
    assert "(a likely zip bomb): refused" in str(error)


def test_entity_bombs_are_refused_in_ms_project_xml_and_in_a_workbook():
    for data in (bombs.billion_laughs_xml(), bombs.billion_laughs_xlsx()):
        error = refusal(data)
        assert not error.too_large
        assert str(error) == (
            "the file declares a DTD or XML entities, which are refused for safety (a likely XML bomb)"
        )


def test_a_csv_with_200000_columns_is_refused_at_its_header():
    error = refusal(bombs.wide_csv(200_000))
    assert error.too_large
    assert str(error) == "row 1 has 200,000 columns, at most 200"


def test_a_csv_line_longer_than_the_cap_is_refused_naming_the_line():
    data = (
        "code,name,category,planned_start,planned_end,cost_wan\nA," + "长" * 100_001 + ",x,2022,2023,1\n"
    ).encode()
    error = refusal(data)
    assert str(error) == "line 2 has 100,017 characters, at most 100,000 in one line"


def test_rows_and_cells_beyond_the_caps_are_refused_as_they_are_read():
    small = FileCaps(max_rows=10, max_cells=30)
    rows = bombs.many_bad_rows_csv(20)
    assert str(refusal(rows, caps=small)) == "the file has more than 30 cells by row 6, over the limit"
    assert str(refusal(rows, caps=FileCaps(max_rows=10))) == "the file has more than 10 rows, over the limit"


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(bombs.many_bad_rows_csv(2_000))
    with pytest.raises(FileRejected, match=r"^the file is 0\.1 MB, over the 0\.0 MB that can be read$"):
        read_projects(path, caps=FileCaps(max_file_bytes=10_000))


def test_a_file_with_many_bad_rows_keeps_the_first_problems_and_counts_the_rest():
    with pytest.raises(ProjectListError) as caught:
        read_projects(bombs.many_bad_rows_csv(3_000), caps=FileCaps(max_problems=1_000))
    assert len(caught.value.errors) == 1_000
    assert caught.value.total == 3_000
    assert caught.value.errors[0].row == 2


# ── encodings ──────────────────────────────────────────────────────────────────────────────────────

BIG5_TEXT = (
    "項目編號,項目名稱,項目細類,開工年份,完工年份,總投資\n"
    "TW-01,臺北市立第一中學擴建工程,普通高中教育,2021,2023,12000\n"
    "TW-02,城區幼兒園新建工程,學前教育,2022,2024,3000\n"
)
SJIS_TEXT = (
    "code,name,category,planned_start,planned_end,cost_wan\n"
    "JP-01,東京都立第一高等学校の建設,高校,2021,2023,12000\n"
    "JP-02,大阪市立幼稚園の新築工事,幼稚園,2022,2024,3000\n"
)


def test_a_big5_file_is_refused_naming_big5_not_stored_as_gbk_garble():
    data = BIG5_TEXT.encode("big5")
    data.decode("gb18030")  # the trap: it decodes as GB18030, into garble
    error = refusal(data)
    assert not error.too_large
    assert str(error).startswith("the file looks like Big5, which reads as garble in GBK")
    assert error.render("zh").startswith("文件看起来是 Big5 编码")


def test_a_shift_jis_file_is_refused_naming_shift_jis():
    error = refusal(SJIS_TEXT.encode("shift_jis"))
    assert str(error).startswith("the file looks like Shift-JIS, which reads as garble in GBK")


def test_gbk_files_still_read():
    rows = "code,name,category,planned_start,planned_end,cost_wan\nWX-01,巫溪县城区幼儿园建设工程,学前教育,2024,2027,16543\n"
    assert read_projects(rows.encode("gbk"))[0].name == "巫溪县城区幼儿园建设工程"


def test_a_utf8_file_with_a_damaged_byte_names_the_line_and_byte():
    data = ("\ufeffcode,name,category,planned_start,planned_end,cost_wan\nA,学校,x,2022,2023,1\n").encode()
    data = data.replace("学".encode(), b"\xff\xfe", 1)
    error = refusal(data)
    assert str(error).startswith("the file says it is UTF-8 but line 2 holds the byte 0xFF")


def test_a_bom_inside_a_line_is_stripped_so_codes_have_no_look_alikes():
    text = "code,name,category,planned_start,planned_end,cost_wan\n\ufeffA-01,学\u200b校,x,2022,2023,1\n"
    (record,) = read_projects(text.encode())
    assert record.code == "A-01"
    assert record.name == "学校"


def test_a_control_character_in_a_cell_is_a_row_error_naming_the_column():
    padding = "".join(
        f"P-{i:04d},学校,x,2022,2023,1\n" for i in range(1_200)
    )  # past the quick 20,000-character scan
    text = f"code,name,category,planned_start,planned_end,cost_wan\n{padding}A,学\x00校,x,2022,2023,1\n"
    with pytest.raises(ProjectListError) as caught:
        read_projects(text.encode().replace(b"\x00", b"\x01"))
    (error,) = caught.value.errors
    assert (error.row, error.column) == (1_202, "name")
    assert str(error) == "row 1202: name holds the control character U+0001: remove it and import again"


def test_text_longer_than_its_column_and_money_over_the_maximum_are_row_errors():
    text = (
        "code,name,category,planned_start,planned_end,cost_wan\n"
        f"{'C' * 41},学校,x,2022,2023,9223372036854775808\n"
    )
    with pytest.raises(ProjectListError) as caught:
        read_projects(text.encode())
    assert [str(e) for e in caught.value.errors] == [
        "row 2: code has 41 characters, at most 40",
        "row 2: cost_wan 9,223,372,036,854,775,808 is over the limit of 1,000,000,000",
    ]


def test_an_unreadable_file_is_still_not_a_refusal():
    with pytest.raises(UnreadableFileError) as caught:
        read_projects(b"PK\x03\x04 not really a zip", filename="x.xlsx")
    assert not isinstance(caught.value, FileRejected)
