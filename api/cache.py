"""Answers of busy GET routes kept per data version: many readers of one page build it once.

A cached answer is keyed by the route's path and query, the reader's language and the data versions
(app/db.py: counters every committed write raises, in its own transaction, whichever process writes — WORK
for runs and jobs, DATA for every other table). A route reads the versions first, in its read-only
transaction, and builds its answer in that same transaction; so an answer kept under versions v holds data
at least as new as v, and after any write every reader sees a newer version and builds afresh: a kept
answer is never served after a write, also when another server process or the command line made it. An
answer that reads no run or job (the project list) follows DATA alone, so the progress a running solve
writes every half second does not make it stale; a run's status, its Gantt and a portfolio (which counts
its active runs) follow both. Answers are kept per process (a bounded LRU by bytes); only the versions are
shared, through the database. Errors (404, 409, …) are never kept.

`KeptAnswers` (ASGI middleware) sends a kept answer from the event loop: it signs the reader in
from memory as the routes do (api/deps.py), reads the version with one statement on a connection of its
own (read after the request arrived, so it sees every write committed before; `VersionReader`), and sends the answer kept
under it, with no thread, no session and no routing; anything else (no kept answer, no valid token, any
database error) goes on to the routes, which answer as they always do.

Only routes whose answer depends on nothing but the path, the query, the language, the data and the date
(charts mark today when no status date is set: the date is part of the key) use it, not on the user beyond
being signed in; a running run's answer, whose `progress.elapsed` counts on between writes, is kept with the
moment the run started and sent with its elapsed seconds as of the moment it is sent (`LiveRun`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from cachetools import LRUCache
from fastapi import Request
from fastapi.responses import Response
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import TypeAdapter
from sqlalchemy.engine import make_url
from sqlmodel import Session
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from app.db import VERSIONS_SQL, versions
from app.i18n import lang_from_accept_language
from app.services import runs

CACHE_BYTES = 64 * 1024 * 1024
PG_READ_SECONDS = 1.0  # a PostgreSQL version read slower than this: the routes answer instead
MAX_UNKEPT = 10_000  # keys remembered as not kept (bounded: each query string is a key)
BUILD_WAIT_SECONDS = 30.0  # how long a request waits for another's build of its answer before its own
_Key = tuple[str, str, str, date]  # path, query, language, day
Versions = tuple[int, int]  # the DATA and WORK versions (app/db.py)
_Build = tuple[_Key, tuple[int, int | None]]  # an answer being built, at the versions it reads


class LiveRun(Response):
    """A running run's JSON answer, kept with the moment it started: sent again with `progress.elapsed`
    counted up to the moment it is sent, as the route does (app/services/runs.py `public`)."""

    def __init__(self, content: bytes, started_at: datetime) -> None:
        super().__init__(content, media_type="application/json")
        self.started_at = started_at


class _Kept(Response):
    """A kept answer sent again: its status, headers and body as they were built (a running run's with its
    elapsed seconds as of now)."""

    def __init__(
        self,
        status_code: int,
        raw_headers: list[tuple[bytes, bytes]],
        body: bytes,
        started_at: datetime | None,
    ) -> None:
        self.status_code = status_code
        self.background = None
        if started_at is None:
            self.body = body
            self.raw_headers = list(raw_headers)
            return
        answer = orjson.loads(body)
        answer["progress"]["elapsed"] = round(runs.seconds_since(started_at), 3)
        self.body = orjson.dumps(answer)
        length = (b"content-length", str(len(self.body)).encode("latin-1"))
        self.raw_headers = [
            length if name == b"content-length" else (name, value) for name, value in raw_headers
        ]


@dataclass(frozen=True, slots=True)
class _Entry:
    """A kept answer and the versions it was built at: (DATA, WORK), WORK None when the route reads no run
    or job (then a solve's progress does not make it stale)."""

    versions: tuple[int, int | None]
    status_code: int
    raw_headers: list[tuple[bytes, bytes]]
    body: bytes
    started_at: datetime | None

    def fresh(self, found: Versions) -> bool:
        """Whether it holds the data of the versions `found` (read just now)."""
        data, work = self.versions
        return data == found[0] and (work is None or work == found[1])

    def response(self) -> _Kept:
        return _Kept(self.status_code, self.raw_headers, self.body, self.started_at)


def _size(entry: _Entry) -> int:
    return len(entry.body) + 64 * len(entry.raw_headers) + 256


class ResponseCache:
    """The kept answers of this process (thread-safe); only answers of the newest versions are kept."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self._kept: LRUCache[_Key, _Entry] = LRUCache(maxsize=max_bytes, getsizeof=_size)
        self._seen: Versions = (-1, -1)  # the newest versions read so far
        self._lock = threading.Lock()
        self._building: dict[_Build, threading.Event] = {}  # answers being built now
        # answers of the newest versions that are not kept (errors, built each time)
        self._unkept: set[_Build] = set()

    def answer(
        self, request: Request, session: Session, build: Callable[[], Response], *, work: bool = False
    ) -> Response:
        """The kept answer to this request at the versions `session` sees, or `build()`'s (then kept when
        it is a 200). `work`: the answer reads runs or jobs (so it follows the WORK version too). Call it
        before the route reads anything else in `session`. One request builds a given answer at a time:
        the others asking for it meanwhile wait for its answer (many readers of a new chart or after a
        write draw it once, not each on a thread of its own)."""
        found = versions(session.connection())
        key = (*request_key(request.scope), date.today())
        kept = self.get(key, found)
        if kept is not None:
            return kept.response()
        mine = (found[0], found[1] if work else None)
        building_key = (key, mine)
        with self._lock:
            unkept = building_key in self._unkept
            building = self._building.get(building_key) if not unkept else None
            first = building is None and not unkept
            if first:
                building = self._building[building_key] = threading.Event()
        if building is not None and not first:
            building.wait(BUILD_WAIT_SECONDS)
            kept = self.get(key, found)
            return kept.response() if kept is not None else build()
        try:
            response = build()
        except BaseException:
            self._done(building_key, building)
            raise
        keep = response.status_code == 200 and response.background is None and response.body is not None
        with self._lock:
            newest = mine[0] == self._seen[0] and (not work or mine[1] == self._seen[1])
            if keep and newest:
                started = response.started_at if isinstance(response, LiveRun) else None
                entry = _Entry(
                    mine, response.status_code, list(response.raw_headers), bytes(response.body), started
                )
                self._kept[key] = entry
            elif not keep and newest:
                if len(self._unkept) >= MAX_UNKEPT:
                    self._unkept.clear()
                self._unkept.add(building_key)  # an error, built each time: no one waits for another's
        self._done(building_key, building)
        return response

    def _done(self, key: _Build, building: threading.Event | None) -> None:
        if building is not None:
            with self._lock:
                self._building.pop(key, None)
            building.set()

    def holds(self, key: tuple[str, str, str]) -> bool:
        """Whether an answer to `key` is kept at the newest versions seen (without reading them)."""
        with self._lock:
            entry = self._kept.get((*key, date.today()))
            return entry is not None and entry.fresh(self._seen)

    def get(self, key: _Key, found: Versions) -> _Entry | None:
        """The answer kept under `key` if it holds the data of the versions `found` (read from the database
        just now)."""
        with self._lock:
            if found[0] > self._seen[0]:  # a write to the data: no older answer can be asked for again
                self._kept.clear()
                self._unkept.clear()
            elif found[1] > self._seen[1]:  # a run or job changed: answers that read one are stale
                self._unkept.clear()
            self._seen = (max(found[0], self._seen[0]), max(found[1], self._seen[1]))
            entry = self._kept.get(key)
            return entry if entry is not None and entry.fresh(found) else None


def request_key(scope: Scope) -> tuple[str, str, str]:
    """What a kept answer is found by, besides the version and the date: path, query, language."""
    language = b""
    for name, value in scope["headers"]:
        if name == b"accept-language":
            language = value
            break
    lang = lang_from_accept_language(language.decode("latin-1") or None)
    return scope["path"], scope["query_string"].decode("latin-1"), lang


def bearer_or_query_token(scope: Scope) -> str | None:
    """The token of a request as api/deps.py `get_current_user` takes it: `Authorization: Bearer …`, else
    `?token=`."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, credentials = get_authorization_scheme_param(value.decode("latin-1"))
            if scheme.lower() == "bearer" and credentials:
                return credentials
            break
    return QueryParams(scope["query_string"]).get("token") or None


class VersionReader:
    """The data version read by the event loop on a connection of its own, each read a statement of its own
    (autocommit), so it sees every write committed before it: on a SQLite file with sqlite3, on PostgreSQL
    with psycopg's asyncio connection, one statement at a time and shared by every request that arrived
    before it started. None on any error (the request then goes on to the routes)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        file = url.database if url.get_backend_name() == "sqlite" else None
        self.file = file if file and file != ":memory:" else None
        postgres = url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg"
        self._conninfo = (
            url.set(drivername="postgresql").render_as_string(hide_password=False) if postgres else None
        )
        self.enabled = self.file is not None or self._conninfo is not None
        self._db: sqlite3.Connection | None = None
        self._pg: Any = None  # psycopg.AsyncConnection, made on first use
        self._pg_lock: asyncio.Lock | None = None
        # when the last PostgreSQL read started, and what it found
        self._pg_read: tuple[float, Versions] = (float("-inf"), (0, 0))

    async def read(self) -> Versions | None:
        if self.file is not None:
            return self._read_sqlite()
        if self._conninfo is None:
            return None
        arrived = time.monotonic()
        if self._pg_lock is None:
            self._pg_lock = asyncio.Lock()
        async with self._pg_lock:
            started, found = self._pg_read
            if started >= arrived:  # a read that started after this request arrived: its answer will do
                return found
            started = time.monotonic()
            try:
                found = await asyncio.wait_for(self._read_pg(), PG_READ_SECONDS)
            except Exception:
                await self.aclose()
                return None
            self._pg_read = (started, found)
            return found

    def _read_sqlite(self) -> Versions | None:
        try:
            if self._db is None:
                self._db = sqlite3.connect(
                    self.file, timeout=0.05, check_same_thread=False, isolation_level=None
                )
                self._db.execute("PRAGMA query_only=1")
            (data,), (work,) = self._db.execute(VERSIONS_SQL).fetchall()
            return data, work
        except sqlite3.Error:
            self._close_sqlite()
            return None

    async def _read_pg(self) -> Versions:
        if self._pg is None:
            import psycopg  # only for a PostgreSQL database (the `postgres` extra)

            self._pg = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        cursor = await self._pg.execute(VERSIONS_SQL)
        (data,), (work,) = await cursor.fetchall()
        return data, work

    def _close_sqlite(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def aclose(self) -> None:
        self._close_sqlite()
        if self._pg is not None:
            connection, self._pg = self._pg, None
            with contextlib.suppress(Exception):
                await connection.close()


class KeptAnswers:
    """ASGI middleware sending kept answers from the event loop (see the module). It uses the
    app's `responses` (ResponseCache), `tokens` (TokenBook) and `versions` (VersionReader)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        cache: ResponseCache = state.responses
        key = request_key(scope)
        if not state.versions.enabled or not cache.holds(key):
            await self.app(scope, receive, send)
            return
        token = bearer_or_query_token(scope)
        signed = await state.tokens.sign_in(token.strip()) if token else None
        version = await state.versions.read() if signed is not None and signed.refusal is None else None
        kept = cache.get((*key, date.today()), version) if version is not None else None
        if kept is None:
            await self.app(scope, receive, send)
            return
        await kept.response()(scope, receive, send)


def json_answer(value: Any, adapter: TypeAdapter[Any], headers: Mapping[str, str] | None = None) -> Response:
    """`value` as the JSON FastAPI would send for a route whose response_model `adapter` describes."""
    return Response(adapter.dump_json(value, by_alias=True), media_type="application/json", headers=headers)
