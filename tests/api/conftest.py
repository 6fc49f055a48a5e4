"""API test set-up: a fresh database per test — a SQLite file always, and a PostgreSQL schema too when
CAPSCHED_TEST_DATABASE_URL is set — an app on it, and users of each role with their tokens."""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.models import Role
from app.rules.portfolio import COLUMNS
from app.services import users as accounts
from app.settings import Settings

PG_URL = os.environ.get("CAPSCHED_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
UPLOAD_LIMIT = 64 * 1024


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new schema in the test PostgreSQL (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'capsched.db'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def settings(database_url: str, dask_scheduler: str) -> Settings:
    return Settings(
        database_url=database_url,
        dask_address=dask_scheduler,
        seed=False,
        workers=1,
        solver_threads=1,
        default_time_limit=5.0,
        max_upload_bytes=UPLOAD_LIMIT,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # English error words, so the tests read like API.md; tests/api/test_messages_language.py covers Chinese
    with TestClient(create_app(settings), headers={"Accept-Language": "en"}) as test_client:
        yield test_client


@pytest.fixture
def engine(client: TestClient) -> Iterator[Engine]:
    """The app's database, opened separately (after the app migrated it) to add users."""
    own = make_engine(client.app.state.settings.database_url)
    yield own
    own.dispose()


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., dict[str, str]]:
    """Create a user; returns the Authorization header carrying its token."""

    def make(name: str, role: Role, unit: str | None = None) -> dict[str, str]:
        with Session(engine) as session:
            _, token = accounts.add_user(session=session, name=name, role=role, unit=unit)
            session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def finance(make_user) -> dict[str, str]:
    return make_user("财务科", Role.FINANCE)


@pytest.fixture
def owner(make_user) -> dict[str, str]:
    return make_user("县教委项目办", Role.OWNER, "县教委")


@pytest.fixture
def viewer(make_user) -> dict[str, str]:
    return make_user("审计", Role.VIEWER)


def project_row(code: str, **fields: Any) -> dict[str, Any]:
    """A valid project-list row; keyword arguments replace fields."""
    row = {
        "code": code,
        "name": f"{code} 学校建设工程",
        "category": "义务教育",
        "location": "柏杨街道",
        "nature": "新建",
        "floor_area_m2": "5000",
        "purchase_area_m2": "",
        "land_area_mu": "",
        "planned_start": "2022",
        "planned_end": "2024",
        "star": "false",
        "status": "规划项目",
        "responsible_unit": "县教委",
        "cost_wan": "3000",
        "cost_basis": "批复概算",
        "spent_wan": "0",
        "seats_added": "",
        "seats_source": "",
    }
    row.update({k: str(v) for k, v in fields.items()})
    return row


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


SMALL_PORTFOLIO = [
    project_row(
        "T-01", name="城区幼儿园", category="学前教育", planned_start=2022, planned_end=2023, cost_wan=2000
    ),
    project_row(
        "T-02", name="第二中学扩建", star="true", planned_start=2022, planned_end=2024, cost_wan=3000
    ),
    project_row(
        "T-03", name="职教中心实训楼", category="职业教育", responsible_unit="县人社局", cost_wan=1500
    ),
    project_row("T-04", name="城区小学新建", planned_start=2023, planned_end=2025, cost_wan=2400),
]


def flat_budget(first: int, last: int, cap: int) -> dict[str, int]:
    return {str(year): cap for year in range(first, last + 1)}


@pytest.fixture
def portfolio(client: TestClient, finance: dict[str, str]) -> dict[str, Any]:
    """A portfolio holding SMALL_PORTFOLIO, imported through the API."""
    created = client.post("/api/portfolios", json={"name": "测试项目库"}, headers=finance)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    files = {"file": ("projects.csv", csv_bytes(SMALL_PORTFOLIO), "text/csv")}
    imported = client.post(f"/api/portfolios/{pid}/import", files=files, headers=finance)
    assert imported.status_code == 201, imported.text
    return created.json()


@pytest.fixture
def scenario(client: TestClient, finance: dict[str, str], portfolio: dict[str, Any]) -> dict[str, Any]:
    body = {
        "name": "每年3000万",
        "first_year": 2022,
        "last_year": 2028,
        "budget": flat_budget(2022, 2028, 3000),
        "time_limit": 2,
    }
    created = client.post(f"/api/portfolios/{portfolio['id']}/scenarios", json=body, headers=finance)
    assert created.status_code == 201, created.text
    return created.json()


def wait_for_run(client: TestClient, run_id: int, headers: dict[str, str], until: set[str]) -> dict[str, Any]:
    """Poll a run until its status is in `until` (the test timeout guards against forever)."""
    while True:
        run = client.get(f"/api/runs/{run_id}", headers=headers)
        assert run.status_code == 200, run.text
        if run.json()["status"] in until:
            return run.json()
        time.sleep(0.05)


def projects_by_code(client: TestClient, pid: int, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    listed = client.get(f"/api/portfolios/{pid}/projects", headers=headers)
    assert listed.status_code == 200, listed.text
    return {p["code"]: p for p in listed.json()}
