"""The audit trail: every write recorded in the same transaction as the write — who, when, what changed.

Services call `record(...)` after their change is flushed and before they commit, so a write and its
audit rows commit together or not at all (rows go in by one INSERT: an import of 10,000 projects writes
its 10,000 rows in one statement). One row per changed field (old → new); a creation or removal
is one row carrying the whole record as `new` or `old`. The request id (X-Request-ID, app/logging.py)
ties the rows of one request together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from app.files.tables import Sheet, xlsx_bytes
from app.i18n import field_label, noun, t
from app.logging import REQUEST_ID
from app.models import AuditEntry, User, utcnow

SYSTEM = "capsched"  # the actor of writes no person made (the seed portfolio at first start)


def plain(value: Any) -> Any:
    """A value as JSON can store it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def entries(
    *,
    actor: User | None,
    entity: str,
    entity_id: int | None,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    old: Any = None,
    new: Any = None,
    portfolio_id: int | None = None,
    project_id: int | None = None,
    change_request_id: int | None = None,
    note: str | None = None,
) -> list[dict[str, Any]]:
    """The audit rows of one write, as values: one per field in `changes` ({field: (old, new)}), else one
    row for the action with `old`/`new` (a record as a dict)."""
    name, role = (actor.name, str(actor.role)) if actor is not None else (SYSTEM, "system")
    request_id = REQUEST_ID.get()
    common = {
        "at": utcnow(),
        "actor": name,
        "actor_role": role,
        "entity": entity,
        "entity_id": entity_id,
        "portfolio_id": portfolio_id,
        "project_id": project_id if project_id is not None else (entity_id if entity == "project" else None),
        "action": action,
        "request_id": None if request_id == "-" else request_id,
        "change_request_id": change_request_id,
        "note": note[:1000] if note else None,
    }
    if changes:
        return [{**common, "field": f, "old": plain(a), "new": plain(b)} for f, (a, b) in changes.items()]
    return [{**common, "field": None, "old": plain(old), "new": plain(new)}]


def write(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert audit rows in the session's transaction (one statement, however many)."""
    if rows:
        session.execute(insert(AuditEntry), list(rows))


def record(session: Session, **what: Any) -> None:
    """Write the audit rows of one write (see `entries`) in the session's transaction, before it commits."""
    write(session, entries(**what))


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row, as a dict to store in `old` or `new`."""
    return {name: plain(getattr(row, name)) for name in fields}


def history(
    *,
    session: Session,
    entity: str | None = None,
    entity_id: int | None = None,
    portfolio_id: int | None = None,
    project_id: int | None = None,
    limit: int = 500,
    offset: int = 0,
) -> Sequence[AuditEntry]:
    """Recorded changes, newest first, filtered by entity (and id), portfolio and/or project (a project's
    history: its own edits, its actuals and its change requests)."""
    query = select(AuditEntry)
    if project_id is not None:
        query = query.where(AuditEntry.project_id == project_id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if portfolio_id is not None:
        query = query.where(AuditEntry.portfolio_id == portfolio_id)
    query = query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.exec(query))


COLUMNS = (
    "at",
    "actor",
    "actor_role",
    "entity",
    "entity_id",
    "project_id",
    "action",
    "field",
    "old",
    "new",
    "request_id",
    "change_request_id",
    "note",
)


def workbook(rows: Sequence[AuditEntry], lang: str = "zh") -> bytes:
    """Recorded changes as an XLSX sheet, one row per change, headers in `lang`."""

    def cell(value: Any) -> Any:
        if value is None or isinstance(value, int | float | str):
            return value
        return json.dumps(plain(value), ensure_ascii=False)

    def value(row: AuditEntry, column: str) -> Any:
        if column == "at":
            return row.at.isoformat(timespec="seconds")  # UTC, the offset written out
        if column == "field" and row.field:
            return field_label(row.field, lang)
        if column == "entity":
            return noun(row.entity, lang)
        return cell(getattr(row, column))

    body = [[value(row, c) for c in COLUMNS] for row in rows]
    return xlsx_bytes([Sheet(t("sheet_audit", lang), [t(f"audit_col_{c}", lang) for c in COLUMNS], body)])
