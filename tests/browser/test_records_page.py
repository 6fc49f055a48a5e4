"""The plan of record in a real Chromium: an owner asks to change a plan field, finance approves it on the
admin view, the project's history shows who did what; finance manages users (issue 13)."""

from __future__ import annotations

import csv
import io
import uuid

from playwright.sync_api import Page, expect

from app.rules.portfolio import COLUMNS
from tests.browser.conftest import Server, add_user, sign_in, snap

UNIT = "县教委"
# the plan fields the inline edit row shows (the code is not edited inline)
# the plan fields the edit row shows (spent_wan, also a plan field, is asked for in the change request dialog)
PLAN_FIELDS_IN_ROW = ("planned_start", "planned_end", "star", "cost_wan", "seats_added", "responsible_unit")


def _portfolio(server: Server) -> dict:
    """A portfolio of its own (the seed stays as other tests expect it) with one project of 县教委."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        code="R-01",
        name="记录测试小学",
        category="义务教育",
        planned_start="2022",
        planned_end="2024",
        star="false",
        responsible_unit=UNIT,
        cost_wan="3000",
        cost_basis="批复概算",
        spent_wan="0",
    )
    writer.writerow(row)
    name = f"记录测试{uuid.uuid4().hex[:4]}"
    with server.client() as api:
        files = {"file": ("p.csv", out.getvalue().encode("utf-8"), "text/csv")}
        made = api.post(f"/api/portfolios/import?name={name}", files=files)
        assert made.status_code == 201, made.text
        return {"id": made.json()["portfolio_id"], "name": name}


def _choose(page: Page, portfolio: dict) -> None:
    page.select_option("#portfolio-select", str(portfolio["id"]))
    page.wait_for_selector('tr[data-code="R-01"]')


def test_an_owner_requests_a_plan_change_and_finance_approves_it(page: Page, server: Server) -> None:
    portfolio = _portfolio(server)
    owner = add_user(server, f"教委项目办{uuid.uuid4().hex[:4]}", "owner", UNIT)

    sign_in(page, server, owner)
    _choose(page, portfolio)
    row = page.locator('tr[data-code="R-01"]')
    row.locator('[data-action="edit"]').click()
    editing = page.locator("tr.editing")
    for field in PLAN_FIELDS_IN_ROW:  # plan fields are finance's
        expect(editing.locator(f'input[name="{field}"]')).to_be_disabled()
    expect(editing.locator('input[name="status"]')).to_be_enabled()  # descriptive: the owner's
    editing.locator("text=取消").click()
    row.locator('[data-action="request-change"]').click()
    dialog = page.locator("#change-request-dialog")
    dialog.locator('input[name="cost_wan"]').fill("3600")
    dialog.locator("#cr-submit").click()  # no reason yet: the browser asks for it
    expect(dialog).to_be_visible()
    dialog.locator("#cr-reason").fill("增加风雨操场")
    dialog.locator("#cr-submit").click()
    expect(page.locator('[data-pending="R-01"]')).to_contain_text("1 项变更待审批")
    snap(page, "owner-change-request-pending")

    sign_in(page, server, view="admin")
    page.wait_for_selector("#users-table")
    page.select_option("#portfolio-select", str(portfolio["id"]))
    page.wait_for_selector("#change-requests li.change-request")
    request = page.locator("#change-requests li.change-request").first
    expect(request).to_contain_text("总投资")
    expect(request).to_contain_text("3000 → 3600")
    expect(request).to_contain_text("增加风雨操场")
    snap(page, "finance-change-requests")
    request.locator('[data-action="approve"]').click()
    expect(page.locator("#no-requests")).to_be_visible()

    page.goto(f"{server.base_url}/#/portfolio")
    page.wait_for_selector('tr[data-code="R-01"]')
    page.locator('tr[data-code="R-01"] [data-action="edit"]').click()
    for field in PLAN_FIELDS_IN_ROW:  # finance edits them directly
        expect(page.locator(f'tr.editing input[name="{field}"]')).to_be_enabled()
    page.locator("tr.editing").locator("text=取消").click()
    expect(page.locator('tr[data-code="R-01"] td.cost')).to_contain_text("3,600")
    page.locator('tr[data-code="R-01"] [data-action="history"]').click()
    history = page.locator("#history-dialog")
    expect(history.locator("#history-table")).to_contain_text("总投资")
    expect(history.locator("li.change-request")).to_contain_text("已批准")
    snap(page, "project-history")


def test_a_replace_import_lists_what_it_removes_before_it_removes_it(page: Page, server: Server) -> None:
    portfolio = _portfolio(server)
    with server.client() as api:
        body = {
            "code": "R-02",
            "name": "将被移除的项目",
            "category": "义务教育",
            "star": False,
            "spent_wan": 0,
        }
        api.post(f"/api/portfolios/{portfolio['id']}/projects", json=body)
    sign_in(page, server)
    page.select_option("#portfolio-select", str(portfolio["id"]))
    page.wait_for_selector('tr[data-code="R-02"]')
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=["code", "name", "category", "planned_start", "planned_end", "cost_wan"]
    )
    writer.writeheader()
    writer.writerow(
        {
            "code": "R-01",
            "name": "记录测试小学",
            "category": "义务教育",
            "planned_start": 2022,
            "planned_end": 2024,
            "cost_wan": 3000,
        }
    )
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.check("#import-replace")
    page.set_input_files(
        "#import-file", {"name": "only-r01.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
    )

    expect(page.locator('tr[data-code="R-02"]')).to_have_count(0)
    assert asked and "R-02" in asked[0] and "R-01" not in asked[0]


def test_finance_adds_a_user_sees_its_token_once_and_revokes_it(page: Page, server: Server) -> None:
    name = f"临时审计{uuid.uuid4().hex[:4]}"
    sign_in(page, server, view="admin")
    page.wait_for_selector("#users-table")
    page.click("#user-add")
    page.fill("#new-user-name", name)
    page.select_option("#new-user-role", "viewer")
    page.locator("#user-dialog button[type=submit]").click()
    token = page.locator("#new-token").inner_text().strip()
    assert len(token) > 20
    page.locator("#token-dialog button").click()

    page.once("dialog", lambda d: d.accept())
    page.locator(f'tr[data-user="{name}"] [data-action="revoke"]').click()

    expect(page.locator(f'tr[data-user="{name}"]')).to_contain_text("撤销")
    with server.client(token) as api:
        refused = api.get("/api/me")
    assert refused.status_code == 401 and "撤销" in refused.json()["detail"]
    snap(page, "finance-users")
