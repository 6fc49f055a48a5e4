"""Users and their tokens. Tokens are random, shown once, stored as a SHA-256 hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session, select

from app.models import Role, User
from app.services import audit

FIELDS = ("name", "role", "unit")
ADMIN_NAME = "admin"  # the built-in finance user whose token `capsched serve` prints
_TOKEN_ID_CHARS = 8


class AccountError(ValueError):
    """A user cannot be created as asked (duplicate name, owner without a unit); the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _set_token(user: User) -> str:
    token = _new_token()
    user.token_id = token[:_TOKEN_ID_CHARS]
    user.token_hash = _hash(token)
    return token


def add_user(
    *, session: Session, name: str, role: Role, unit: str | None = None, by: User | None = None
) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is known in clear)."""
    name = name.strip()
    unit = unit.strip() if unit else None
    if not name:
        raise AccountError("the user name is empty")
    if role is Role.OWNER and not unit:
        raise AccountError("an owner needs --unit: the responsible unit whose projects it may edit")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise AccountError(f"a user named {name!r} already exists")
    user = User(name=name, role=Role(role), unit=unit, token_id="", token_hash="")
    token = _set_token(user)
    session.add(user)
    session.flush()
    audit.record(
        session, actor=by, entity="user", entity_id=user.id, action="create", new=audit.snapshot(user, FIELDS)
    )
    return user, token


def renew_token(*, session: Session, user: User, by: User | None = None) -> str:
    """Replace a user's token with a fresh one (the old token stops working) and return it."""
    token = _set_token(user)
    session.add(user)
    session.flush()
    audit.record(
        session, actor=by, entity="user", entity_id=user.id, action="rotate", new={"token_id": user.token_id}
    )
    return token


def admin_token(*, session: Session) -> str:
    """A fresh token for the built-in finance user "admin", creating the user on first use."""
    admin = session.exec(select(User).where(User.name == ADMIN_NAME)).first()
    if admin is None:
        return add_user(session=session, name=ADMIN_NAME, role=Role.FINANCE)[1]
    return renew_token(session=session, user=admin)


def authenticate(*, session: Session, token: str) -> User | None:
    """The user holding `token`, or None. Compares hashes in constant time."""
    if len(token) < _TOKEN_ID_CHARS:
        return None
    digest = _hash(token)
    candidates = session.exec(select(User).where(User.token_id == token[:_TOKEN_ID_CHARS])).all()
    found = None
    for user in candidates:
        if hmac.compare_digest(user.token_hash, digest):
            found = user
    return found
