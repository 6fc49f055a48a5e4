"""Hostile uploads are refused with 413/422 in plain words and store nothing (issue 18, item 2)."""

from __future__ import annotations

import pytest

from app.settings import Settings
from tests import bombs
from tests.api.conftest import SMALL_PORTFOLIO, csv_bytes, project_row, projects_by_code
from tests.app.test_hostile_files import BIG5_TEXT


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The server's own upload limit (5 MB), so the bombs reach the importer."""
    return Settings(database_url=database_url, seed=False, workers=1, solver_threads=1)


def upload(client, pid, headers, data: bytes, name: str, lang: str = "en", path: str = "import"):
    files = {"file": (name, data, "application/octet-stream")}
    return client.post(
        f"/api/portfolios/{pid}/{path}", files=files, headers={**headers, "Accept-Language": lang}
    )


def test_a_workbook_declaring_a1_to_xfd1048576_is_413_in_plain_words_and_stores_nothing(
    client, finance, portfolio
):
    response = upload(client, portfolio["id"], finance, bombs.declared_dimension_bomb(), "bomb.xlsx")
    assert response.status_code == 413
    assert response.json()["detail"].startswith(
        "cannot read the file: the sheet declares the range A1:XFD1048576: 1,048,576 rows × 16,384 columns"
    )
    assert set(projects_by_code(client, portfolio["id"], finance)) == {"T-01", "T-02", "T-03", "T-04"}


def test_the_refusal_is_in_chinese_unless_english_is_asked_for(client, finance, portfolio):
    response = upload(
        client, portfolio["id"], finance, bombs.huge_shared_strings_declared(), "b.xlsx", "zh-CN"
    )
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "无法读取文件：XLSX 解压后共 700.0 MB，超过上限 64.0 MB：请删除多余的工作表、图片或空行后另存"
    )


def test_a_zip_bomb_and_an_entity_bomb_store_nothing(client, finance, portfolio):
    ratio = upload(client, portfolio["id"], finance, bombs.ratio_bomb(8), "ratio.xlsx")
    assert ratio.status_code == 413
    assert "(a likely zip bomb): refused" in ratio.json()["detail"]
    laughs = upload(client, portfolio["id"], finance, bombs.billion_laughs_xml(), "plan.xml")
    assert laughs.status_code == 422
    assert laughs.json()["detail"] == (
        "cannot read the file: the file declares a DTD or XML entities, which are refused for safety "
        "(a likely XML bomb)"
    )
    assert len(projects_by_code(client, portfolio["id"], finance)) == 4


def test_a_200000_column_csv_gets_a_short_413(client, finance, portfolio):
    response = upload(client, portfolio["id"], finance, bombs.wide_csv(200_000), "wide.csv")
    assert response.status_code == 413
    assert response.json()["detail"] == "cannot read the file: row 1 has 200,000 columns, at most 200"
    assert len(response.content) < 2_000


def test_an_error_body_lists_the_first_200_problems_and_counts_the_rest(client, finance, portfolio):
    response = upload(client, portfolio["id"], finance, bombs.many_bad_rows_csv(1_000), "bad.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("the file has 1000 errors; nothing was imported: row 2: cost_wan")
    assert len(body["errors"]) == 201
    assert body["errors"][-1] == {
        "loc": ["file"],
        "msg": "and 800 more problems not listed (the first 200 are)",
    }
    assert len(response.content) < 60_000


def test_a_big5_file_is_422_naming_big5(client, finance, portfolio):
    response = upload(client, portfolio["id"], finance, BIG5_TEXT.encode("big5"), "big5.csv")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("cannot read the file: the file looks like Big5")


def test_a_bom_inside_a_line_does_not_make_a_look_alike_project(client, finance, portfolio):
    data = csv_bytes(SMALL_PORTFOLIO).replace(b"\nT-02,", "\n\ufeffT-02,".encode())
    response = upload(client, portfolio["id"], finance, data, "again.csv")
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 0
    assert set(projects_by_code(client, portfolio["id"], finance)) == {"T-01", "T-02", "T-03", "T-04"}


def test_a_bomb_as_a_new_portfolio_creates_no_portfolio(client, finance):
    files = {"file": ("bomb.xlsx", bombs.declared_dimension_bomb(), "application/octet-stream")}
    response = client.post("/api/portfolios/import?name=炸弹", files=files, headers=finance)
    assert response.status_code == 413
    assert [p["name"] for p in client.get("/api/portfolios", headers=finance).json()] == []


def test_an_owner_cannot_reach_the_bomb_through_the_actuals_import(client, owner, portfolio):
    response = upload(
        client, portfolio["id"], owner, bombs.declared_dimension_bomb(), "a.xlsx", path="actuals/import"
    )
    assert response.status_code == 413
    assert "A1:XFD1048576" in response.json()["detail"]
    assert client.get(f"/api/portfolios/{portfolio['id']}/actuals", headers=owner).json() == []


def test_an_imported_name_over_its_column_length_is_a_row_error_not_a_500(client, finance, portfolio):
    data = csv_bytes([project_row("T-09", name="长" * 301)])
    response = upload(client, portfolio["id"], finance, data, "long.csv")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["file", 2, "name"], "msg": "row 2: name has 301 characters, at most 300"}
    ]


def test_an_actuals_file_with_thousands_of_errors_answers_a_capped_list(client, finance, portfolio):
    lines = ["code,year,spent_wan,percent_complete"] + [f"X-{i:05d},2023,10,5" for i in range(1_500)]
    data = ("\n".join(lines) + "\n").encode()
    response = upload(client, portfolio["id"], finance, data, "actuals.csv", path="actuals/import")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("the file has 1500 errors; nothing was imported")
    assert len(body["errors"]) == 201
    assert body["errors"][-1]["msg"] == "and 1,300 more problems not listed (the first 200 are)"
