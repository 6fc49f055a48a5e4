"""Optimistic concurrency for every versioned row (projects, scenarios): an edit names the version it read,
and is applied only if the row is still at that version (compare-and-set), else it is a StaleVersion
naming the fields changed since. `changed_in` keeps, per field, the version at which it last changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import update as sql_update
from sqlmodel import Session

from app.errors import InvalidInput, NotFound, StaleVersion
from app.i18n import Field, Listing, Message
from app.models import utcnow


def changes_of(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that differ from the row's."""
    return {name: value for name, value in values.items() if getattr(row, name) != value}


def check_required_kept(changes: Mapping[str, Any], required: Iterable[str]) -> None:
    """InvalidInput naming the fields an edit would empty although they are required."""
    nulled = [name for name in required if name in changes and changes[name] is None]
    if nulled:
        raise InvalidInput(
            Message("fields_cannot_be_empty", fields=Listing(tuple(Field(n) for n in nulled))),
            [(("body", name), Message("cannot_be_empty")) for name in nulled],
        )


def compare_and_set(session: Session, row: Any, changes: Mapping[str, Any], yours: int) -> bool:
    """Apply `changes` to `row` only if it is still at version `yours` (then version + 1); whether it was."""
    table = type(row)
    version = yours + 1
    changed_in = {**row.changed_in, **dict.fromkeys(changes, version)}
    result = session.execute(
        sql_update(table)
        .where(table.id == row.id, table.version == yours)
        .values(**changes, version=version, changed_in=changed_in, updated_at=utcnow())
    )
    return result.rowcount == 1


def bump(row: Any, changes: Mapping[str, Any]) -> None:
    """Apply `changes` to a row loaded in this transaction (an import), as one new version."""
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.changed_in = {**row.changed_in, **dict.fromkeys(changes, row.version)}
    row.updated_at = utcnow()


def stale(
    session: Session, table: type, row_id: int, yours: int, what: str, name: Callable[[Any], object]
) -> StaleVersion:
    """The StaleVersion of an edit based on version `yours`, naming the fields changed since (the
    transaction is rolled back first, so the current row is read)."""
    session.rollback()
    current = session.get(table, row_id)
    if current is None:  # removed meanwhile
        raise NotFound(what, row_id)
    session.refresh(current)
    fields = sorted(field for field, version in current.changed_in.items() if version > yours)
    return StaleVersion(what, name(current), yours, current.version, fields)
