"""Users finance can manage: list, create, revoke (401 saying so), rotate, expire, change role — all audited."""

from __future__ import annotations

import sqlalchemy as sa


def _me(client, token: str):
    return client.get("/api/me", headers={"Authorization": f"Bearer {token}"})


def test_finance_lists_users_with_whether_their_token_works_and_others_may_not(
    client, finance, owner, viewer
):
    listed = client.get("/api/users", headers=finance)

    assert listed.status_code == 200
    by_name = {u["name"]: u for u in listed.json()}
    assert set(by_name) >= {"财务科", "县教委项目办", "审计"}
    assert by_name["县教委项目办"]["role"] == "owner" and by_name["县教委项目办"]["active"] is True
    assert client.get("/api/users", headers=owner).status_code == 403
    assert client.get("/api/users", headers=viewer).status_code == 403


def test_a_new_users_token_is_shown_once_and_signs_in(client, finance):
    created = client.post("/api/users", json={"name": "王出纳", "role": "viewer"}, headers=finance)

    assert created.status_code == 201
    assert _me(client, created.json()["token"]).json()["name"] == "王出纳"
    assert "token" not in client.get("/api/users", headers=finance).json()[0]
    twice = client.post("/api/users", json={"name": "王出纳", "role": "viewer"}, headers=finance)
    assert twice.status_code == 422 and "already exists" in twice.json()["detail"]


def test_a_revoked_token_gets_401_saying_who_revoked_it_and_when(client, finance):
    made = client.post("/api/users", json={"name": "临时用户", "role": "viewer"}, headers=finance).json()

    revoked = client.post(f"/api/users/{made['id']}/revoke", headers=finance)
    answer = _me(client, made["token"])

    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("the token of user 临时用户 was revoked by 财务科 on ")


def test_finance_cannot_revoke_its_own_token(client, finance):
    me = _me(client, finance["Authorization"].split()[1]).json()
    response = client.post(f"/api/users/{me['id']}/revoke", headers=finance)
    assert response.status_code == 409 and "your own token" in response.json()["detail"]


def test_rotating_a_token_ends_the_old_one_and_brings_a_revoked_user_back(client, finance):
    made = client.post("/api/users", json={"name": "张会计", "role": "finance"}, headers=finance).json()
    client.post(f"/api/users/{made['id']}/revoke", headers=finance)

    rotated = client.post(
        f"/api/users/{made['id']}/rotate", json={"expires_in_days": 30}, headers=finance
    ).json()

    assert _me(client, made["token"]).status_code == 401
    assert _me(client, rotated["token"]).status_code == 200
    assert rotated["active"] is True and rotated["expires_at"] is not None


def test_an_expired_token_gets_401_saying_it_expired(client, finance, engine):
    made = client.post(
        "/api/users", json={"name": "短期用户", "role": "viewer", "expires_in_days": 1}, headers=finance
    )
    with engine.begin() as connection:  # a day later
        connection.execute(
            sa.text("UPDATE app_user SET expires_at = '2020-01-01 00:00:00' WHERE name = '短期用户'")
        )

    answer = _me(client, made.json()["token"])

    assert answer.status_code == 401 and answer.json()["detail"] == (
        "the token of user 短期用户 expired on 2020-01-01 00:00; ask finance for a new one"
    )


def test_finance_changes_a_users_role_and_the_change_is_in_the_history(client, finance):
    made = client.post("/api/users", json={"name": "赵科员", "role": "viewer"}, headers=finance).json()

    owner = client.patch(
        f"/api/users/{made['id']}", json={"role": "owner", "unit": "县教委"}, headers=finance
    )
    no_unit = client.post("/api/users", json={"name": "孙科员", "role": "owner"}, headers=finance)

    assert owner.json()["role"] == "owner" and owner.json()["unit"] == "县教委"
    assert no_unit.status_code == 422 and "an owner needs --unit" in no_unit.json()["detail"]
    history = client.get(f"/api/audit?entity=user&id={made['id']}", headers=finance).json()
    assert {(r["action"], r["field"]) for r in history} >= {
        ("create", None),
        ("update", "role"),
        ("update", "unit"),
    }


def test_the_trail_of_a_rotation_holds_no_part_of_any_token(client, finance):
    made = client.post("/api/users", json={"name": "轮换用户", "role": "viewer"}, headers=finance).json()

    rotated = client.post(f"/api/users/{made['id']}/rotate", json={}, headers=finance).json()

    trail = client.get(f"/api/audit?entity=user&id={made['id']}", headers=finance).text
    assert "token_issued_at" in trail
    for token in (made["token"], rotated["token"]):
        assert token[:6] not in trail
