"""One logging configuration for the whole service: level from settings, uvicorn's access log included,
the request id on every line, and no sign-in token in any line.

`config(level)` is a logging.config.dictConfig dictionary, passed to uvicorn as its `log_config` by
`capsched serve`; `REQUEST_ID` is set per request by api/middleware.py (and is "-" outside a request, e.g.
for the background pool's lines). `?token=…` in a logged URL (sign-in links, downloads) is written as
`token=[redacted]`.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("capsched_request_id", default="-")
FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
_TOKEN = re.compile(r"(?i)(\btoken=)[^&\s\"']+")


def redact(text: str) -> str:
    """The text with the value of every `token=` parameter replaced."""
    return _TOKEN.sub(r"\1[redacted]", text)


class RequestContext(logging.Filter):
    """Adds the request id to every record and removes tokens from its message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def config(level: str = "info") -> dict[str, Any]:
    """The dictConfig of the service (and of uvicorn): one stderr handler, one format, one filter."""
    upper = level.upper()
    handler = {"handlers": ["default"], "level": upper, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContext}},
        "formatters": {"default": {"format": FORMAT}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": handler,
            "uvicorn.error": handler,
            "uvicorn.access": handler,
            "app": handler,
            "api": handler,
            "solver": handler,
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
    }
