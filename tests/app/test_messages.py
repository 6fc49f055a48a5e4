"""Every error message exists in Chinese and English (app/i18n.py), and the importer speaks both."""

from __future__ import annotations

import re
import string

import pytest

from app.files.importer import ProjectListError, RowError, UnreadableFileError, read_projects
from app.i18n import MESSAGE_KEYS, Field, Listing, Message, Noun, lang_from_accept_language, t
from app.i18n.words import MESSAGES

CHINESE = re.compile(r"[\u4e00-\u9fff\uff1a]")  # CJK, or the full-width colon of "{what}：{message}"
HEADER = "code,name,category,planned_start,planned_end,cost_wan"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def zh_errors(data: bytes) -> list[str]:
    with pytest.raises(ProjectListError) as caught:
        read_projects(data)
    return [e.render("zh") for e in caught.value.errors]


@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_every_message_renders_in_both_languages_and_the_chinese_is_chinese(key: str) -> None:
    zh, en = MESSAGES[key]
    assert placeholders(zh) <= placeholders(en), key  # English may need a plural word Chinese does not
    sample = {name: "X1" for name in placeholders(en)}

    chinese, english = t(key, "zh", **sample), t(key, "en", **sample)

    assert CHINESE.search(chinese), chinese
    assert "{" not in chinese and "{" not in english
    assert all("X1" in text for text in (chinese, english)) or not sample


def test_an_end_before_start_row_reads_in_chinese_naming_columns_by_their_headers() -> None:
    data = f"{HEADER}\nWX-01,白马小学,义务教育,2023,2021,100\n".encode()
    assert zh_errors(data) == [
        "第 2 行：计划完工年份（planned_end）2021 早于计划开工年份（planned_start）2023"
    ]


@pytest.mark.parametrize(
    ("row", "chinese"),
    [
        ("WX-01,白马小学,义务教育,2020,2023,", "第 2 行：总投资（cost_wan）未填写"),
        (
            "WX-01,白马小学,义务教育,二〇二〇,2023,100",
            "第 2 行：计划开工年份（planned_start）“二〇二〇”不是年份",
        ),
        (
            "WX-01,白马小学,义务教育,1800,2023,100",
            "第 2 行：计划开工年份（planned_start）1800 不是合理的年份（1990–2100）",
        ),
        ("WX-01,白马小学,义务教育,2020,2023,0", "第 2 行：总投资（cost_wan）0 必须大于 0"),
        ("WX-01,白马小学,义务教育,2020,2023,约1亿", "第 2 行：总投资（cost_wan）“约1亿”不是整数万元"),
        ("WX-01,白马小学,义务教育,2020,2023,100,多余", "第 2 行：该行有 7 个单元格，但表头只有 6 列"),
    ],
)
def test_bad_rows_are_explained_in_chinese(row: str, chinese: str) -> None:
    assert zh_errors(f"{HEADER}\n{row}\n".encode()) == [chinese]


def test_a_reused_code_names_the_first_row_in_chinese() -> None:
    data = (
        f"{HEADER}\nWX-01,白马小学,义务教育,2020,2023,100\nWX-01,先锋小学,义务教育,2020,2023,100\n".encode()
    )
    assert zh_errors(data) == ["第 3 行：项目编号（code）WX-01 已在第 2 行使用"]


def test_chinese_and_english_errors_of_one_file_agree_on_row_and_column() -> None:
    data = f"{HEADER},star,spent_wan\nWX-01,白马小学,义务教育,2020,2023,100,也许,200\n".encode()
    with pytest.raises(ProjectListError) as caught:
        read_projects(data)
    errors = caught.value.errors
    assert [(e.row, e.column) for e in errors] == [(2, "star"), (2, "spent_wan")]
    assert [str(e) for e in errors] == [
        "row 2: star '也许' is not one of true/false, ★/blank, 是/否, 1/0",
        "row 2: spent_wan 200 is more than cost_wan 100",
    ]
    assert errors[1].render("zh") == "第 2 行：已完成投资（spent_wan）200 超过总投资（cost_wan）100"


def test_a_row_error_given_as_plain_text_keeps_its_words_under_a_chinese_row_number() -> None:
    error = RowError(4, "year", "year 'x' is not a year like 2023")
    assert error.render("zh") == "第 4 行：year 'x' is not a year like 2023"
    assert str(error) == "row 4: year 'x' is not a year like 2023"


def test_a_missing_required_column_is_explained_in_chinese() -> None:
    data = "code,name,category,planned_start,planned_end,cost_wann\nWX-01,白马小学,义务教育,2020,2023,100\n"
    with pytest.raises(UnreadableFileError) as caught:
        read_projects(data.encode())
    assert caught.value.render("zh").startswith(
        "表头（第 1 行）缺少必填列 总投资（cost_wan）；发现无法识别的列：'cost_wann'。"
    )
    assert caught.value.message.startswith("the header (row 1) lacks the required column cost_wan;")


def test_an_undecodable_file_is_explained_in_chinese() -> None:
    with pytest.raises(UnreadableFileError) as caught:
        read_projects(b"code,name\n\xff\xfe\xff\x80\x80\xff")
    assert caught.value.render("zh") == (
        "文件不是 UTF-8 或 GBK 编码（第 2 行的字节 0xFF 无法解读），编码无法识别；请另存为“CSV UTF-8”后再导入"
    )


def test_fields_nouns_and_lists_follow_the_language_of_their_message() -> None:
    message = Message(
        "stale_version",
        what=Noun("project"),
        item="T-02",
        yours=2,
        current=3,
        changed=Listing((Field("planned_end"), Field("cost_wan"))),
    )
    assert message.render("zh") == (
        "项目 T-02 在版本 2 之后已被他人修改（现为版本 3）；此后改动的字段：计划完工年份（planned_end）、"
        "总投资（cost_wan）。请重新加载后再编辑。"
    )
    assert str(message) == (
        "project T-02 was changed by someone else since version 2 (now version 3); changed since: "
        "planned_end, cost_wan. Reload it and make your edit again."
    )


def test_a_message_with_an_unknown_key_is_refused_when_built() -> None:
    with pytest.raises(KeyError, match="no message 'no_such_words'"):
        Message("no_such_words")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "zh"),
        ("", "zh"),
        ("*", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh;q=0.5, en", "en"),
        ("fr-FR, en;q=0.7", "en"),
        ("fr-FR, de", "zh"),
    ],
)
def test_the_reader_language_comes_from_accept_language(header: str | None, lang: str) -> None:
    assert lang_from_accept_language(header) == lang
