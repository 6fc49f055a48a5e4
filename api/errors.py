"""Every error as JSON `{"detail": "plain words", "errors": [{"loc": [...], "msg": "..."}]}` (API.md).

Domain exceptions of app/ are translated to HTTP here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import Conflict, InvalidInput, NotAllowed, NotFound, StaleVersion
from app.export import ExportUnavailable
from app.importer import ProjectListError, UnreadableFileError


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str
    errors: list[ErrorItem] = []


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": words}
    for code, words in (
        (401, "no token, or a token that is not valid"),
        (403, "the user's role or unit does not allow this"),
        (404, "no such item"),
        (409, "conflict: a stale version, a duplicate name, a finished run"),
        (413, "upload too large"),
        (422, "invalid input, with every error listed"),
    )
}


def error_response(
    status_code: int,
    detail: str,
    errors: Iterable[tuple[Sequence[str | int], str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"detail": detail, "errors": [{"loc": list(loc), "msg": msg} for loc, msg in errors]}
    return JSONResponse(body, status_code=status_code, headers=headers)


def _placed(loc: Sequence[str | int], msg: str) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return f"{'.'.join(parts)}: {msg}" if parts else msg


def _plain(error: dict[str, Any]) -> str:
    kind, msg = error.get("type", ""), error.get("msg", "")
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "missing":
        return "is required"
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    items = [(list(e.get("loc", ())), _plain(e)) for e in exc.errors()]
    detail = "; ".join(_placed(loc, msg) for loc, msg in items)
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, f"invalid input — {detail}", items)


def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    return error_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))


def _not_found(_: Request, exc: NotFound) -> JSONResponse:
    return error_response(status.HTTP_404_NOT_FOUND, str(exc), [((exc.what,), "does not exist")])


def _not_allowed(_: Request, exc: NotAllowed) -> JSONResponse:
    return error_response(status.HTTP_403_FORBIDDEN, str(exc))


def _conflict(_: Request, exc: Conflict) -> JSONResponse:
    msg = f"changed since version {exc.yours}" if isinstance(exc, StaleVersion) else str(exc)
    return error_response(status.HTTP_409_CONFLICT, str(exc), [(("body", f), msg) for f in exc.fields])


def _invalid(_: Request, exc: InvalidInput) -> JSONResponse:
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc), exc.errors)


def _project_list(_: Request, exc: ProjectListError) -> JSONResponse:
    items = [
        (["file", *([e.row] if e.row is not None else []), *([e.column] if e.column else [])], str(e))
        for e in exc.errors
    ]
    count = len(exc.errors)
    detail = f"the file has {count} error{'s' if count != 1 else ''}; nothing was imported: " + "; ".join(
        str(e) for e in exc.errors[:20]
    )
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, detail, items)


def _unreadable(_: Request, exc: UnreadableFileError) -> JSONResponse:
    return error_response(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        f"cannot read the file: {exc.message}",
        [(("file",), exc.message)],
    )


def _export_unavailable(_: Request, exc: ExportUnavailable) -> JSONResponse:
    return error_response(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))


def install(app: FastAPI) -> None:
    """Register every translation on `app`."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(InvalidInput, _invalid)
    app.add_exception_handler(ProjectListError, _project_list)
    app.add_exception_handler(UnreadableFileError, _unreadable)
    app.add_exception_handler(ExportUnavailable, _export_unavailable)
