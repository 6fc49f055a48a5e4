"""Why a run, sweep or least-budget search failed or was cancelled, in the reader's language.

The database keeps the English reason (stable, greppable in logs); the API renders it on the way out. A
reason no entry knows (an unexpected exception, a bug) is shown as it is, under a Chinese heading in zh."""

from __future__ import annotations

from app.i18n.core import t

INTERRUPTED_BY_RESTART = "interrupted by a restart of the server before it finished"
INTERRUPTED_BY_SHUTDOWN = "interrupted by a shutdown of the server before it finished"
CANCELLED_QUEUED = "cancelled before it started"
CANCELLED_RUNNING = "cancelled while solving"
CANCELLED_KILLED = (
    "cancelled while solving; the solver did not stop within a second and was ended, keeping no schedule"
)
KILLED_PAST_LIMIT = "the solver did not stop at its time limit and was ended; no schedule was kept"
SOLVER_DIED = (
    "the solver's process ended unexpectedly (out of memory, or ended from outside); no schedule was kept"
)

_KEYS = {
    INTERRUPTED_BY_RESTART: "err_interrupted_restart",
    INTERRUPTED_BY_SHUTDOWN: "err_interrupted_shutdown",
    CANCELLED_QUEUED: "err_cancelled_queued",
    CANCELLED_RUNNING: "err_cancelled_running",
    CANCELLED_KILLED: "err_cancelled_killed",
    KILLED_PAST_LIMIT: "err_killed_past_limit",
    SOLVER_DIED: "err_solver_died",
}


def error_text(error: str | None, lang: str = "zh") -> str | None:
    """The stored reason in `lang`."""
    if error is None:
        return None
    key = _KEYS.get(error)
    if key is not None:
        return t(key, lang)
    return t("err_internal", lang, detail=error)
