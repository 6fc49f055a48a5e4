"""Errors answer in the reader's language: Chinese unless Accept-Language prefers English (or none is sent)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from app.rules.portfolio import COLUMNS
from tests.api.conftest import project_row, projects_by_code

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def gbk_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("gbk")


def import_bad_gbk_file(client: TestClient, portfolio: dict, finance: dict, language: dict) -> dict:
    rows = [project_row("T-10", planned_start=2025, planned_end=2023), project_row("T-11", cost_wan="很多")]
    files = {"file": ("项目清单.csv", gbk_csv(rows), "text/csv")}
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/import", files=files, headers={**finance, **language}
    )
    assert response.status_code == 422
    return response.json()


def test_a_gbk_file_with_errors_is_explained_in_chinese(client, finance, portfolio):
    body = import_bad_gbk_file(client, portfolio, finance, ZH)
    assert body["detail"] == (
        "文件有 2 处错误，未导入任何内容：第 2 行：计划完工年份（planned_end）2023 早于计划开工年份（planned_start）2025；"
        "第 3 行：总投资（cost_wan）“很多”不是整数万元"
    )
    assert body["errors"] == [
        {
            "loc": ["file", 2, "planned_end"],
            "msg": "第 2 行：计划完工年份（planned_end）2023 早于计划开工年份（planned_start）2025",
        },
        {"loc": ["file", 3, "cost_wan"], "msg": "第 3 行：总投资（cost_wan）“很多”不是整数万元"},
    ]
    assert "T-10" not in projects_by_code(client, portfolio["id"], finance)


def test_the_same_gbk_file_is_explained_in_english_on_request(client, finance, portfolio):
    body = import_bad_gbk_file(client, portfolio, finance, EN)
    assert body["detail"] == (
        "the file has 2 errors; nothing was imported: row 2: planned_end 2023 is before planned_start 2025; "
        "row 3: cost_wan '很多' is not a whole number of 万元"
    )


def test_a_request_without_accept_language_is_answered_in_chinese(client):
    bare = TestClient(client.app)  # the fixture's client asks for English; this one sends no language
    response = bare.get("/api/portfolios")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("未登录：请在请求头中发送 'Authorization: Bearer <token>'")


def test_an_unreadable_file_is_explained_in_chinese(client, finance, portfolio):
    files = {"file": ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv")}
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/import", files=files, headers={**finance, **ZH}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "无法读取文件：这似乎是二进制文件，不是 CSV 或 XLSX 项目清单"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (ZH, "token 无效（输错了，或已被新的 token 取代）；请索取新的 token"),
        (EN, "the token is not valid (mistyped, or replaced by a newer one); ask for a new one"),
    ],
)
def test_a_wrong_token_is_401_in_the_readers_language(client, language, words):
    headers = {"Authorization": "Bearer not-a-real-token-at-all", **language}
    response = client.get("/api/portfolios", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (ZH, "用户 审计 的角色是 viewer；只有 finance 可以执行此操作"),
        (EN, "user 审计 has role viewer; only finance may do this"),
    ],
)
def test_a_role_refusal_is_403_in_the_readers_language(client, viewer, language, words):
    response = client.post("/api/portfolios", json={"name": "x"}, headers={**viewer, **language})
    assert response.status_code == 403
    assert response.json()["detail"] == words


@pytest.mark.parametrize(
    ("language", "words", "msg"),
    [(ZH, "项目组合 999 不存在", "不存在"), (EN, "portfolio 999 does not exist", "does not exist")],
)
def test_an_unknown_item_is_404_in_the_readers_language(client, finance, language, words, msg):
    response = client.get("/api/portfolios/999", headers={**finance, **language})
    assert response.status_code == 404
    assert response.json() == {"detail": words, "errors": [{"loc": ["portfolio"], "msg": msg}]}


@pytest.mark.parametrize(
    ("language", "words", "msg"),
    [
        (
            ZH,
            "项目 T-02 在版本 1 之后已被他人修改（现为版本 2）；此后改动的字段：计划完工年份（planned_end）。"
            "请重新加载后再编辑。",
            "自版本 1 起已被修改",
        ),
        (
            EN,
            "project T-02 was changed by someone else since version 1 (now version 2); changed since: "
            "planned_end. Reload it and make your edit again.",
            "changed since version 1",
        ),
    ],
)
def test_a_stale_edit_is_409_in_the_readers_language(client, finance, portfolio, language, words, msg):
    url = f"/api/projects/{projects_by_code(client, portfolio['id'], finance)['T-02']['id']}"
    assert client.patch(url, json={"version": 1, "planned_end": 2026}, headers=finance).status_code == 200

    stale = client.patch(url, json={"version": 1, "name": "改名"}, headers={**finance, **language})

    assert stale.status_code == 409
    assert stale.json() == {"detail": words, "errors": [{"loc": ["body", "planned_end"], "msg": msg}]}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            ZH,
            "输入有误 — 起始年份（first_year）：应为整数，收到 '二〇二二'；结束年份（last_year）：必须填写；"
            "年度预算上限（budget）：必须填写",
        ),
        (
            EN,
            "invalid input — first_year: must be a whole number, not '二〇二二'; last_year: is required; "
            "budget: is required",
        ),
    ],
)
def test_missing_and_malformed_fields_are_422_in_the_readers_language(
    client, finance, portfolio, language, words
):
    body = {"name": "缺字段", "first_year": "二〇二二"}
    url = f"/api/portfolios/{portfolio['id']}/scenarios"
    response = client.post(url, json=body, headers={**finance, **language})
    assert response.status_code == 422
    assert response.json()["detail"] == words


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (ZH, "输入有误 — 项目名称（name）：至少需要 1 个字符；总投资（cost_wan）：不能小于 0，收到 -5"),
        (EN, "invalid input — name: must have at least 1 character(s); cost_wan: must be at least 0, not -5"),
    ],
)
def test_out_of_range_values_are_422_in_the_readers_language(client, finance, portfolio, language, words):
    url = f"/api/projects/{projects_by_code(client, portfolio['id'], finance)['T-02']['id']}"
    response = client.patch(
        url, json={"version": 1, "cost_wan": -5, "name": ""}, headers={**finance, **language}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == words


def test_a_body_that_is_not_json_is_422_in_chinese(client, finance):
    headers = {**finance, **ZH, "Content-Type": "application/json"}
    response = client.post("/api/portfolios", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "输入有误 — 请求内容不是有效的 JSON"
