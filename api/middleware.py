"""ASGI middleware of the service: a request id for every request (`X-Request-ID`), on every log line."""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging import REQUEST_ID

_GIVEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # a proxy's id is kept only when it is plain and short


class RequestId:
    """Takes the request id a reverse proxy sent (X-Request-ID) or makes one, puts it on every log line of
    the request (app/logging.py) and sends it back in the response's X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _GIVEN.match(given) else uuid.uuid4().hex[:16]
        token = REQUEST_ID.set(request_id)

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            REQUEST_ID.reset(token)
