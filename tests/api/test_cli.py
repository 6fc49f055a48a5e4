"""`capsched user add` and `capsched serve`: tokens printed for people to sign in with."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from app.cli.main import cli
from app.services.seeding import SEED_PORTFOLIO_NAME


def test_user_add_prints_a_token_alone_on_the_last_line_that_signs_in(settings):
    result = CliRunner().invoke(
        cli, ["user", "add", "张三", "--role", "owner", "--unit", "县教委", "--db", settings.database_url]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]

    with TestClient(create_app(settings)) as client:
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"id": 1, "name": "张三", "role": "owner", "unit": "县教委"}


def test_user_add_refuses_an_owner_without_a_unit(settings):
    result = CliRunner().invoke(
        cli, ["user", "add", "李四", "--role", "owner", "--db", settings.database_url]
    )
    assert result.exit_code == 2
    assert "an owner needs --unit" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_seeds_a_fresh_database_and_prints_a_login_url_that_works(tmp_path):
    port = _free_port()
    command = [sys.executable, "-c", "from app.cli.main import run; run()", "serve", "--port", str(port),
               "--db", f"sqlite:///{tmp_path / 'capsched.db'}"]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = next(line.strip() for line in server.stdout if "?token=" in line)
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        token = url.split("?token=")[1]
        while True:  # until uvicorn listens (the test timeout guards)
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/api/portfolios", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer.status_code == 200
        assert [p["name"] for p in answer.json()] == [SEED_PORTFOLIO_NAME]
        assert answer.json()[0]["project_count"] == 19
    finally:
        server.terminate()
        server.wait(timeout=30)


def _user(*args: str):
    return CliRunner().invoke(cli, ["user", *args])


def test_user_commands_list_revoke_rotate_and_set_role_in_the_database_serve_uses(settings):
    db = ["--db", settings.database_url]
    added = _user("add", "钱会计", "--role", "finance", "--expires", "90d", *db)
    token = added.output.strip().splitlines()[-1]
    revoked = _user("revoke", "钱会计", *db)
    with TestClient(create_app(settings)) as client:
        refused = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    rotated = _user("rotate", "钱会计", *db)
    new_token = rotated.output.strip().splitlines()[-1]
    role = _user("set-role", "钱会计", "--role", "owner", "--unit", "县教委", *db)
    listed = _user("list", *db)

    assert (
        added.exit_code == revoked.exit_code == rotated.exit_code == role.exit_code == listed.exit_code == 0
    )
    assert "capsched: database sqlite:///" in added.output or "capsched: database postgresql" in added.output
    assert refused.status_code == 401 and "撤销" in refused.json()["detail"]
    assert new_token != token and "owner, 县教委" in role.output
    assert "钱会计" in listed.output and "works" in listed.output
    with TestClient(create_app(settings)) as client:
        assert (
            client.get("/api/me", headers={"Authorization": f"Bearer {new_token}"}).json()["role"] == "owner"
        )


def test_user_commands_name_what_is_wrong(settings):
    db = ["--db", settings.database_url]
    assert "there is no user named '无此人'" in _user("revoke", "无此人", *db).output
    bad = _user("add", "周会计", "--role", "finance", "--expires", "soon", *db)
    assert bad.exit_code == 2 and "90d" in bad.output


def test_a_restart_keeps_the_admin_token_unless_asked_for_a_new_one(settings):
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.services import users

    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        with Session(engine) as session:
            first = users.admin_token(session=session)
            kept = users.admin_token(session=session)
            renewed = users.admin_token(session=session, new=True)
            session.commit()
            signed = users.authenticate(session=session, token=renewed)
            old = users.authenticate(session=session, token=first)
    finally:
        engine.dispose()
    assert first and kept is None and renewed and renewed != first
    assert signed.user is not None and signed.user.name == "admin" and old.refusal == "unknown"
