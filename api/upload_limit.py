"""Refuse request bodies over CAPSCHED_MAX_UPLOAD_BYTES with 413, before and while they are read."""

from __future__ import annotations

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from app.i18n import Message as Words
from app.i18n import lang_from_accept_language


def too_large_words(limit: int) -> Words:
    """The 413's words (str() English; rendered in the reader's language by api/errors.py)."""
    return Words("upload_too_large", mb=f"{limit / 1024 / 1024:.1f}", limit=limit)


class BodySizeLimit:
    """ASGI middleware: a declared Content-Length over the limit is answered at once; a body that turns
    out longer while streaming stops the request with the same 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            header = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
            words = too_large_words(self.max_bytes).render(lang_from_accept_language(header))
            response = error_response(status.HTTP_413_CONTENT_TOO_LARGE, words)
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, too_large_words(self.max_bytes))
            return message

        await self.app(scope, limited, send)
