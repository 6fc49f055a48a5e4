"""The services' own errors (uploads, exports, budgets, baselines, sweeps, re-plans) in the reader's
language: Chinese unless Accept-Language prefers English, with the English words unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlmodel import Session

from app.files import figures
from app.models import Run, RunStatus
from app.rules.problem import PlanningError, ScenarioOptions, build_problem, replan
from tests.api.conftest import UPLOAD_LIMIT, csv_bytes, flat_budget, project_row, wait_for_run

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def done_run(client, finance, scenario) -> dict:
    run = client.post(f"/api/scenarios/{scenario['id']}/runs", headers=finance).json()
    return wait_for_run(client, run["id"], finance, {"done"})


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            ZH,
            "上传的文件超过本服务器允许的大小（0.1 MB，65536 字节）；请把文件拆小，"
            "或请管理员调高 CAPSCHED_MAX_UPLOAD_BYTES",
        ),
        (
            EN,
            "the upload is larger than this server accepts (0.1 MB, 65536 bytes); "
            "split the file or ask the administrator to raise CAPSCHED_MAX_UPLOAD_BYTES",
        ),
    ],
)
def test_an_upload_over_the_limit_is_413_in_the_readers_language(client, finance, portfolio, language, words):
    big = csv_bytes([project_row(f"B-{i:04d}") for i in range(UPLOAD_LIMIT // 100)])
    files = {"file": ("big.csv", big, "text/csv")}
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/import", files=files, headers={**finance, **language}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == words


@pytest.mark.parametrize(
    ("language", "start"),
    [
        (ZH, "PNG、SVG 和 PDF 图表需要本机装有 Chromium 浏览器和中文字体"),
        (EN, "PNG, SVG and PDF charts need a Chromium browser and Chinese fonts on this machine"),
    ],
)
def test_a_chart_without_a_browser_is_503_with_advice_in_the_readers_language(
    client, viewer, done_run, monkeypatch, language, start
):
    figures.close_static_renderer()
    monkeypatch.setenv("CAPSCHED_CHROMIUM", "/nonexistent/chromium")
    response = client.get(f"/api/runs/{done_run['id']}/gantt.png", headers={**viewer, **language})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail.startswith(start)
    assert "apt-get install chromium fonts-noto-cjk" in detail


def test_the_install_advice_stays_english_for_the_command_line() -> None:
    error = figures.ExportUnavailable()
    assert str(error) == figures.INSTALL_ADVICE
    assert figures.INSTALL_ADVICE.startswith("PNG, SVG and PDF charts need a Chromium browser")
    assert error.render("zh").endswith("HTML 图表、CSV 和 XLSX 不需要它们，现在就可以下载。")


def test_a_budget_missing_a_year_is_422_in_chinese(client, finance, portfolio):
    budget = flat_budget(2022, 2026, 3000)
    del budget["2024"], budget["2025"]
    body = {"name": "缺年", "first_year": 2022, "last_year": 2026, "budget": budget}
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers={**finance, **ZH}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "输入有误 — 年度预算上限（budget）缺少 2024、2025 年的上限，规划期内每一年都要填写"
    )


@pytest.mark.parametrize(
    ("first", "last", "budget", "words"),
    [
        (2026, 2022, {}, "结束年份（last_year）2022 早于起始年份（first_year）2026"),
        (
            2022,
            2023,
            {"2022": 1, "2023": 1, "2031": 1},
            "年度预算上限（budget）填写了规划期 2022–2023 以外的年度 2031",
        ),
        (2022, 2023, {"2022": 1, "2023": -5}, "年度预算上限（budget）中 2023 年的上限是负数"),
    ],
)
def test_other_budget_mistakes_are_422_in_chinese(client, finance, portfolio, first, last, budget, words):
    body = {"name": "错预算", "first_year": first, "last_year": last, "budget": budget}
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers={**finance, **ZH}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == f"输入有误 — {words}"


def test_a_new_project_ending_before_it_starts_is_422_in_chinese(client, finance, portfolio):
    body = {
        "code": "T-09",
        "name": "新校区",
        "category": "义务教育",
        "planned_start": 2025,
        "planned_end": 2023,
    }
    response = client.post(
        f"/api/portfolios/{portfolio['id']}/projects", json=body, headers={**finance, **ZH}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "输入有误 — 计划完工年份（planned_end）2023 早于计划开工年份（planned_start）2025"
    )


def test_approving_a_run_without_a_schedule_is_409_in_chinese(client, engine, finance, scenario):
    with Session(engine) as session:
        run = Run(
            scenario_id=scenario["id"], status=RunStatus.FAILED, time_limit=1, problem={}, started_by="x"
        )
        session.add(run)
        session.commit()
        run_id = run.id
    response = client.post(f"/api/runs/{run_id}/approve", headers={**finance, **ZH})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"运行 {run_id} 不能设为基准计划：只有已完成并得出排程的运行才可以（此运行状态为“失败”，求解结果为“无”）"
    )


def test_a_run_without_a_schedule_has_no_files_in_chinese(client, engine, viewer, scenario):
    with Session(engine) as session:
        run = Run(
            scenario_id=scenario["id"], status=RunStatus.QUEUED, time_limit=1, problem={}, started_by="x"
        )
        session.add(run)
        session.commit()
        run_id = run.id
    schedule = client.get(f"/api/runs/{run_id}/schedule.csv", headers={**viewer, **ZH})
    report = client.get(f"/api/runs/{run_id}/slippage.json", headers={**viewer, **ZH})
    assert (schedule.status_code, report.status_code) == (409, 409)
    assert schedule.json()["detail"] == f"运行 {run_id} 还没有排程结果（状态：排队中）"
    assert report.json()["detail"] == f"运行 {run_id} 没有排程结果，无法生成延期报告（状态：排队中）"


def test_a_sweep_with_both_levels_and_amounts_is_422_in_chinese(client, finance, scenario):
    response = client.post(
        f"/api/scenarios/{scenario['id']}/sweeps",
        json={"levels": "1", "amounts": [1]},
        headers={**finance, **ZH},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "预算比例（levels，按现有上限的倍数）和预算金额（amounts，每年固定万元）只能填写其中一项",
        "errors": [{"loc": ["body", "levels"], "msg": "不能与预算金额（amounts）同时填写"}],
    }


def test_a_replan_year_outside_the_horizon_is_422_in_chinese(client, finance, scenario):
    response = client.post(
        f"/api/scenarios/{scenario['id']}/runs", json={"replan_from": 2040}, headers={**finance, **ZH}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "重新排程起始年（replan_from）：2040 不在方案的年度范围 2022–2028 之内",
        "errors": [{"loc": ["body", "replan_from"], "msg": "2040 不在方案的年度范围 2022–2028 之内"}],
    }


def test_an_override_of_an_unknown_project_is_422_in_chinese(client, finance, scenario):
    patched = client.patch(
        f"/api/scenarios/{scenario['id']}",
        json={"version": scenario["version"], "overrides": {"WX-99": {"deferrable": True}}},
        headers=finance,
    )
    assert patched.status_code == 200, patched.text
    response = client.post(f"/api/scenarios/{scenario['id']}/runs", headers={**finance, **ZH})
    assert response.status_code == 422
    assert response.json()["detail"] == "项目 WX-99 的项目调整（overrides）：项目组合中没有这个编号的项目"


# ── the problem builder's words, without a server ──────────────────────────────────────────────────


def _record(code: str, **fields: object) -> SimpleNamespace:
    values = {
        "code": code,
        "name": code,
        "planned_start": 2022,
        "planned_end": 2023,
        "star": False,
        "status": None,
        "nature": None,
        "floor_area_m2": None,
        "cost_wan": 100,
        "spent_wan": 0,
        "seats_added": None,
    }
    return SimpleNamespace(**{**values, **fields})


def flat_budget_ints(first: int, last: int, cap: int) -> dict[int, int]:
    return {year: cap for year in range(first, last + 1)}


def test_a_planning_error_is_english_as_text_and_chinese_when_rendered() -> None:
    options = ScenarioOptions(2022, 2025, flat_budget_ints(2022, 2025, 100))
    with pytest.raises(PlanningError) as caught:
        build_problem([_record("T-01", cost_wan=None)], options)
    error = caught.value
    assert str(error) == "T-01: cost_wan: missing: a project needs a cost to be scheduled"
    assert error.message == "missing: a project needs a cost to be scheduled"
    assert error.render("zh") == "项目 T-01 的总投资（cost_wan）：未填写：项目要有总投资才能排程"


def test_a_replan_flag_reads_in_english_and_in_chinese() -> None:
    # 1000 over 2 years draws at most 500 a year; 100 spent by 2024 leaves 900, two years from 2025:
    # the earliest end is 2026, after the planned end 2023.
    record = _record("T-01", cost_wan=1000, planned_start=2022, planned_end=2023, floor_area_m2=5000)
    options = ScenarioOptions(2022, 2028, flat_budget_ints(2022, 2028, 1000), replan_from=2025)
    plan = replan([record], options, {"T-01": {2023: 100}})
    assert plan.messages == tuple(str(flag) for flag in plan.flags)
    assert plan.messages[1].endswith("T-01 (100 spent, 900 left)")  # changed by the actuals: named too
    assert plan.messages[0].startswith("T-01: 100 of 1000 spent by 2024; at most ")
    assert plan.flags[0].render("zh").startswith("T-01：到 2024 年底已支出 100 万元（总投资 1000 万元）")
