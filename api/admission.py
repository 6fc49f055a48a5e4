"""Admission: at most CAPSCHED_MAX_REQUESTS_IN_FLIGHT requests are being answered at once; one more is
answered at once with 503, a Retry-After and plain words, instead of waiting in a queue until it times out.
"""

from __future__ import annotations

from fastapi import status
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response
from app.i18n import Message, lang_from_accept_language

RETRY_AFTER_SECONDS = 2


class AdmissionLimit:
    """ASGI middleware counting the HTTP requests in flight (the event loop is one thread: no lock)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            header = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
            words = Message("server_busy", seconds=RETRY_AFTER_SECONDS).render(
                lang_from_accept_language(header)
            )
            response = error_response(
                status.HTTP_503_SERVICE_UNAVAILABLE, words, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
