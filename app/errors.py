"""Domain errors of the app services. Each carries the words a person needs; api/errors.py maps them to HTTP."""

from __future__ import annotations

from collections.abc import Sequence


class NotFound(LookupError):
    """No such portfolio / project / scenario / run."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} does not exist")
        self.what = what
        self.key = key


class NotAllowed(PermissionError):
    """The user's role or unit does not allow this action."""


class Conflict(Exception):
    """The request clashes with what is stored (a duplicate name, a finished run)."""

    def __init__(self, message: str, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.fields = tuple(fields)


class StaleVersion(Conflict):
    """An edit was based on an old version; `fields` changed since that version."""

    def __init__(self, what: str, key: object, yours: int, current: int, fields: Sequence[str]) -> None:
        changed = ", ".join(fields) if fields else "nothing you can see"
        super().__init__(
            f"{what} {key} was changed by someone else since version {yours} (now version {current}); "
            f"changed since: {changed}. Reload it and make your edit again.",
            fields,
        )
        self.yours = yours
        self.current = current


class InvalidInput(ValueError):
    """Input that passes the schema but breaks a rule; `errors` is a list of (loc, message)."""

    def __init__(self, message: str, errors: Sequence[tuple[Sequence[str | int], str]] = ()) -> None:
        super().__init__(message)
        self.errors = [(tuple(loc), msg) for loc, msg in errors]
