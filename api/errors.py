"""Every error as JSON `{"detail": "plain words", "errors": [{"loc": [...], "msg": "..."}]}` (API.md).

Domain exceptions of app/ are translated to HTTP here and nowhere else, in the reader's language: Chinese
unless the request's Accept-Language prefers English (app.i18n.lang_from_accept_language).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import refusal
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound, QueueFull, StaleVersion
from app.files.figures import ExportUnavailable
from app.files.importer import FileRejected, ProjectListError, UnreadableFileError
from app.i18n import Lang, Message, field_label, lang_from_accept_language, render, t

log = logging.getLogger(__name__)

_HIDDEN_LOC = ("body", "query", "path", "header")
RETRY_SECONDS = 2  # Retry-After of a 503 for a busy or unreachable database
QUEUE_RETRY_SECONDS = 30  # … and for a full queue of runs (a run takes seconds to minutes)
MAX_LISTED = (
    200  # problems listed in one error body; the rest are counted (a 200,000-column file is one line)
)
_SHOWN_CTX = ("ge", "gt", "le", "lt", "min_length", "max_length", "expected", "pattern", "char")


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
        (503, "busy or the queue of runs is full (Retry-After); the database cannot store anything now"),
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


def request_lang(request: Request) -> Lang:
    """The language errors are written in for this request: zh unless Accept-Language prefers en."""
    return lang_from_accept_language(request.headers.get("accept-language"))


def _separator(lang: Lang) -> str:
    return "；" if lang == "zh" else "; "


# --- request validation (FastAPI / pydantic) ----------------------------------------------------------


def _place(loc: Sequence[str | int], lang: Lang) -> str:
    """Where a validation error is, e.g. 'first_year' / '起始年份（first_year）', 'budget.2024'."""
    parts = [str(p) for p in loc if p not in _HIDDEN_LOC]
    if len(parts) == 1:
        return field_label(parts[0], lang)
    return ".".join(parts)


def _shown_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _validation_words(error: dict[str, Any], lang: Lang) -> str:
    """A pydantic error in plain words: the common types from app/i18n.py (v_<type>), else pydantic's."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(getattr(cause, "text", None), Message):
            return cause.text.render(lang)
        return error.get("msg", "").removeprefix("Value error, ").removeprefix("Assertion failed, ")
    key = f"v_{kind}"
    params = {name: ctx[name] for name in _SHOWN_CTX if name in ctx}
    params["input"] = _shown_input(error.get("input"))
    try:
        return Message(key, **params).render(lang)
    except (KeyError, IndexError):  # a type we do not word, or a template wanting a value pydantic omitted
        return t("v_other", lang, msg=error.get("msg", kind))


def _more(total: int, lang: Lang) -> str | None:
    """The line that counts the problems not listed, or None when all are."""
    if total <= MAX_LISTED:
        return None
    return t("more_problems", lang, n=f"{total - MAX_LISTED:,}", shown=MAX_LISTED)


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    lang = request_lang(request)
    items, placed = [], []
    errors = exc.errors()
    for error in errors[:MAX_LISTED]:
        loc, words = list(error.get("loc", ())), _validation_words(error, lang)
        items.append((loc, words))
        where = "" if error.get("type") == "json_invalid" else _place(loc, lang)
        placed.append(f"{where}{'：' if lang == 'zh' else ': '}{words}" if where else words)
    more = _more(len(errors), lang)
    if more:
        items.append(([], more))
        placed.append(more)
    detail = t("invalid_input", lang, errors=_separator(lang).join(placed))
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, detail, items)


# --- HTTP and domain errors -----------------------------------------------------------------------------

_STARLETTE_WORDS = {"Not Found": "http_not_found", "Method Not Allowed": "http_method_not_allowed"}


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    lang = request_lang(request)
    detail = exc.detail
    if isinstance(detail, str) and detail in _STARLETTE_WORDS:
        detail = Message(_STARLETTE_WORDS[detail])
    return error_response(exc.status_code, render(detail, lang), headers=getattr(exc, "headers", None))


def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    lang = request_lang(request)
    return error_response(
        status.HTTP_404_NOT_FOUND, exc.render(lang), [((exc.what,), t("does_not_exist", lang))]
    )


def _not_allowed(request: Request, exc: NotAllowed) -> JSONResponse:
    return error_response(status.HTTP_403_FORBIDDEN, exc.render(request_lang(request)))


def _conflict(request: Request, exc: Conflict) -> JSONResponse:
    lang = request_lang(request)
    detail = exc.render(lang)
    stale = isinstance(exc, StaleVersion)
    msg = t("changed_since_version", lang, yours=exc.yours) if stale else detail
    return error_response(status.HTTP_409_CONFLICT, detail, [(("body", f), msg) for f in exc.fields])


def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
    lang = request_lang(request)
    items = [(loc, render(msg, lang)) for loc, msg in exc.errors]
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.render(lang), items)


def _project_list(request: Request, exc: ProjectListError) -> JSONResponse:
    lang = request_lang(request)
    items = [
        (["file", *([e.row] if e.row is not None else []), *([e.column] if e.column else [])], e.render(lang))
        for e in exc.errors[:MAX_LISTED]
    ]
    count = exc.total
    more = _more(count, lang)
    if more:
        items.append((["file"], more))
    detail = t(
        "import_failed",
        lang,
        count=count,
        errors_word="error" if count == 1 else "errors",
        errors=_separator(lang).join(e.render(lang) for e in exc.errors[:20]),
    )
    if exc.draft_rows:  # the offer: only figures are missing, so the rows can be kept as drafts
        offer = t("import_offer_drafts", lang, n=len(exc.draft_rows))
        items.append((["query", "drafts"], offer))
        detail = f"{detail}{_separator(lang)}{offer}"
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, detail, items)


def _unreadable(request: Request, exc: UnreadableFileError) -> JSONResponse:
    """A file that cannot be read, or is refused before reading: 413 over a cap, else 422."""
    reason = exc.render(request_lang(request))
    too_large = isinstance(exc, FileRejected) and exc.too_large
    return error_response(
        status.HTTP_413_CONTENT_TOO_LARGE if too_large else status.HTTP_422_UNPROCESSABLE_CONTENT,
        t("cannot_read_file", request_lang(request), reason=reason),
        [(("file",), reason)],
    )


def _export_unavailable(request: Request, exc: ExportUnavailable) -> JSONResponse:
    return error_response(status.HTTP_503_SERVICE_UNAVAILABLE, exc.render(request_lang(request)))


_REFUSAL_WORDS = {
    "full": "database_full",
    "read_only": "database_read_only",
    "busy": "database_busy",
    "unreachable": "database_unreachable",
}
_READS = ("GET", "HEAD")


def _queue_full(request: Request, exc: QueueFull) -> JSONResponse:
    return error_response(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        exc.render(request_lang(request)),
        headers={"Retry-After": str(QUEUE_RETRY_SECONDS)},
    )


def _refused(request: Request, exc: Exception) -> JSONResponse:
    """The database or its disk cannot do the work now (full, read-only, busy, unreachable): 503 in plain
    words, nothing stored. Anything else is re-raised (a 500, logged with its traceback); so is a read-only
    refusal of a read, which can only be a route writing through its read-only session (a bug)."""
    url = request.app.state.engine.url
    kind = refusal(exc, url.database if url.get_backend_name() == "sqlite" else None)
    if kind is None or (kind == "read_only" and request.method in _READS):
        raise exc
    log.warning("%s %s refused by the database (%s): %s", request.method, request.url.path, kind, exc)
    headers = {"Retry-After": str(RETRY_SECONDS)} if kind in ("busy", "unreachable") else None
    words = Message(_REFUSAL_WORDS[kind], seconds=RETRY_SECONDS).render(request_lang(request))
    return error_response(status.HTTP_503_SERVICE_UNAVAILABLE, words, headers=headers)


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
    app.add_exception_handler(QueueFull, _queue_full)
    for refused in (DBAPIError, PoolTimeout, OSError):
        app.add_exception_handler(refused, _refused)
