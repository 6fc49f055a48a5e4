"""Domain errors of the app services. Each carries the words a person needs; api/errors.py maps them to HTTP.

Their words are a Message of app/i18n (or plain text): `str(error)` is English, `error.render(lang)` is
the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.i18n import Field, Listing, Message, Noun, render


class _Worded:
    """Mixin: `text` is the error's words (Message or plain str); render(lang) writes them in lang."""

    text: Message | str

    def render(self, lang: str = "zh") -> str:
        return render(self.text, lang)


class NotFound(_Worded, LookupError):
    """No such portfolio / project / scenario / run."""

    def __init__(self, what: str, key: object) -> None:
        self.text = Message("not_found", what=Noun(what), item=key)
        super().__init__(str(self.text))
        self.what = what
        self.key = key


class NotAllowed(_Worded, PermissionError):
    """The user's role or unit does not allow this action."""

    def __init__(self, message: str | Message = "") -> None:
        self.text = message
        super().__init__(str(message))


class Conflict(_Worded, Exception):
    """The request clashes with what is stored (a duplicate name, a finished run)."""

    def __init__(self, message: str | Message, fields: Sequence[str] = ()) -> None:
        self.text = message
        super().__init__(str(message))
        self.fields = tuple(fields)


class StaleVersion(Conflict):
    """An edit was based on an old version; `fields` changed since that version."""

    def __init__(self, what: str, key: object, yours: int, current: int, fields: Sequence[str]) -> None:
        changed = Listing(tuple(Field(f) for f in fields)) if fields else Message("stale_nothing_visible")
        words = Message(
            "stale_version", what=Noun(what), item=key, yours=yours, current=current, changed=changed
        )
        super().__init__(words, fields)
        self.yours = yours
        self.current = current


class InvalidInput(_Worded, ValueError):
    """Input that passes the schema but breaks a rule; `errors` is a list of (loc, message)."""

    def __init__(
        self, message: str | Message, errors: Sequence[tuple[Sequence[str | int], str | Message]] = ()
    ) -> None:
        self.text = message
        super().__init__(str(message))
        self.errors = [(tuple(loc), msg) for loc, msg in errors]


class QueueFull(_Worded, Exception):
    """As many runs and searches as CAPSCHED_MAX_QUEUED allows already wait to start."""

    def __init__(self, queued: int, limit: int) -> None:
        self.text = Message("queue_full", queued=queued, limit=limit)
        super().__init__(str(self.text))
        self.queued = queued
        self.limit = limit
