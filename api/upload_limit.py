"""Refuse request bodies over CAPSCHED_MAX_UPLOAD_BYTES with 413, before and while they are read."""

from __future__ import annotations

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response


def too_large_words(limit: int) -> str:
    return (
        f"the upload is larger than this server accepts ({limit / 1024 / 1024:.1f} MB, {limit} bytes); "
        "split the file or ask the administrator to raise CAPSCHED_MAX_UPLOAD_BYTES"
    )


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
            response = error_response(status.HTTP_413_CONTENT_TOO_LARGE, too_large_words(self.max_bytes))
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
