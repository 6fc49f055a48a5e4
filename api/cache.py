"""Answers of busy GET routes kept per data version: many readers of one page build it once.

A cached answer is keyed by the route's path and query, the reader's language and the data version
(app/db.py: a counter every committed write raises, in its own transaction, whichever process writes). A
route reads the version first, in its read-only transaction, and builds its answer in that same
transaction; so an answer kept under version v holds data at least as new as v, and after any write every
reader sees a newer version and builds afresh: a kept answer is never served after a write, also when
another server process or the command line made it. Answers are kept per process (a bounded LRU by
bytes); only the version is shared, through the database. Errors (404, 409, …) are never kept.

Only routes whose answer depends on nothing but the path, the query, the language, the data and the date
(charts mark today when no status date is set: the date is part of the key) use it, not on the user beyond
being signed in; an answer that depends on the clock (a running run's live `elapsed`) is sent unkept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from cachetools import LRUCache
from fastapi import Request
from fastapi.responses import Response
from pydantic import TypeAdapter
from sqlmodel import Session

from api.errors import request_lang
from app.db import data_version

CACHE_BYTES = 64 * 1024 * 1024
_Key = tuple[str, str, str, int, date]


class Unkept(Response):
    """An answer to send but not to keep (it depends on more than the key)."""


class _Kept(Response):
    """A kept answer sent again: its status, headers and body as they were built."""

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        self.raw_headers = list(raw_headers)


class ResponseCache:
    """The kept answers of this process (thread-safe); only the newest data version's are kept."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self._kept: LRUCache[_Key, tuple[int, list[tuple[bytes, bytes]], bytes]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: len(entry[2]) + 64 * len(entry[1]) + 256
        )
        self._version = -1
        self._lock = threading.Lock()

    def answer(self, request: Request, session: Session, build: Callable[[], Response]) -> Response:
        """The kept answer to this request at the data version `session` sees, or `build()`'s (then kept
        when it is a 200). Call it before the route reads anything else in `session`."""
        version = data_version(session.connection())
        key = (request.url.path, request.url.query, request_lang(request), version, date.today())
        with self._lock:
            if version > self._version:  # a write happened: no older answer can be asked for again
                self._kept.clear()
                self._version = version
            kept = self._kept.get(key)
        if kept is not None:
            return _Kept(*kept)
        response = build()
        if response.status_code == 200 and response.background is None and not isinstance(response, Unkept):
            with self._lock:
                if version == self._version and response.body is not None:
                    self._kept[key] = (response.status_code, list(response.raw_headers), bytes(response.body))
        return response


def json_answer(
    value: Any, adapter: TypeAdapter[Any], headers: Mapping[str, str] | None = None, *, keep: bool = True
) -> Response:
    """`value` as the JSON FastAPI would send for a route whose response_model `adapter` describes (an
    `Unkept` one unless `keep`)."""
    kind = Response if keep else Unkept
    return kind(adapter.dump_json(value, by_alias=True), media_type="application/json", headers=headers)
