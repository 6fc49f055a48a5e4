"""Requests generated from the OpenAPI schema (schemathesis, property-based on hypothesis), sent as finance to
a seeded SQLite app: no request is answered 500, every answer matches the schema its route declares, and
every timestamp carries its time zone (issue 18, item 6). Bounded (a few examples per route) and
deterministic (derandomized), so it runs in the suite like any test; each 500 it found is a regression test
elsewhere, named for its input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlmodel import Session

from api.main import create_app
from app.db import make_engine
from app.models import Role
from app.services import users as accounts
from app.settings import Settings

EXAMPLES_PER_ROUTE = 10
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_WITH_ZONE = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


# The schema is the app's own OpenAPI document (create_app touches no database until it starts).
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://", seed=False)).openapi())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app on a new SQLite file with the seed portfolio and its scenarios, and finance's header; one for
    every route (what one route's requests change, the next sees)."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}",
        seed=True,
        workers=1,
        solver_threads=1,
        default_time_limit=0.5,
        max_time_limit=1.0,
        max_upload_bytes=64 * 1024,
    )
    with TestClient(create_app(settings), headers={"Accept-Language": "en"}) as client:
        engine = make_engine(settings.database_url)
        with Session(engine) as session:
            _, token = accounts.add_user(session=session, name="财务科", role=Role.FINANCE)
            session.commit()
        engine.dispose()
        yield client, {"Authorization": f"Bearer {token}"}


def timestamps_have_a_zone(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every timestamp in a JSON answer says its time zone ("Z" or "+08:00")."""
    if not response.content or "json" not in str(response.headers.get("content-type")):
        return None
    naive = [s for s in _strings(response.json()) if _TIMESTAMP.match(s) and not _WITH_ZONE.search(s)]
    assert not naive, f"timestamps without a time zone: {naive[:3]}"
    return None


def _pairs(files: Any) -> list[tuple[str, Any]]:
    return list(files.items()) if isinstance(files, dict) else list(files)


def _as_upload(value: Any) -> Any:
    if isinstance(value, tuple):
        return (value[0], _as_upload(value[1]), *value[2:])
    return value if isinstance(value, bytes | str) else str(value).encode()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_generated_request_is_answered_500_and_answers_match_their_schema(operation, fuzzed):
    client, finance = fuzzed

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def requests_are_answered_well(case: Any) -> None:
        request = case.as_transport_kwargs(base_url="http://testserver", headers=finance)
        if not request.get("cookies"):
            request.pop("cookies", None)
        if request.get("files"):  # a generated "file" may be a number: send it as the text of one
            request["files"] = [(name, _as_upload(value)) for name, value in _pairs(request["files"])]
        response = client.request(**request)
        response.request.read()  # a multipart body is streamed; the checks read it back
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance, timestamps_have_a_zone]
        )

    requests_are_answered_well()
