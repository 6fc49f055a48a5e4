"""Users and their tokens. A token is random, shown once, stored as a SHA-256 hash and compared in constant
time; it may expire, and finance may revoke it (then it answers 401 saying so). The built-in finance user
`admin` gets its token at the first `capsched serve`; later starts keep it unless asked for a new one.
Every change is audited."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import Message
from app.models import Role, User, UserAccount, utcnow
from app.services import audit

FIELDS = ("name", "role", "unit", "expires_at")
ADMIN_NAME = "admin"  # the built-in finance user whose token `capsched serve` prints
_TOKEN_ID_CHARS = 8
_DURATION = re.compile(r"^\s*(\d{1,4})\s*([dwmy])\s*$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


class AccountError(InvalidInput):
    """A user cannot be created or changed as asked (duplicate name, owner without a unit, unknown user);
    its words say why (str() English, render(lang) either language)."""

    def __init__(self, key: str, field: str, **params: object) -> None:
        words = Message(key, **params)
        super().__init__(words, [(("body", field), words)])


@dataclass(frozen=True, slots=True)
class SignIn:
    """Who a token belongs to, or why it does not sign anyone in ("unknown", "revoked", "expired")."""

    user: User | None
    refusal: str | None = None


def parse_duration(text: str) -> timedelta:
    """'90d', '12w', '6m' (30 days), '1y' (365 days) → a duration; AccountError otherwise."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise AccountError("user_bad_duration", "expires", text=text)
    return timedelta(days=int(match.group(1)) * _DAYS[match.group(2)])


def hash_token(token: str) -> str:
    """The SHA-256 hex digest a token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def _set_token(user: User, valid_for: timedelta | None) -> str:
    token = secrets.token_urlsafe(32)
    user.token_id = token[:_TOKEN_ID_CHARS]
    user.token_hash = hash_token(token)
    user.token_issued_at = utcnow()
    user.expires_at = user.token_issued_at + valid_for if valid_for else None
    user.revoked_at = user.revoked_by = None
    return token


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=utcnow().tzinfo)


def is_active(user: User) -> bool:
    expires = _aware(user.expires_at)
    return user.revoked_at is None and (expires is None or expires > utcnow())


def account(user: User) -> UserAccount:
    return UserAccount.model_validate(user, update={"active": is_active(user)})


def list_users(*, session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.exec(select(User).order_by(User.name)))


def get(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def find(*, session: Session, name: str) -> User:
    """The user named `name`; AccountError naming it when there is none."""
    user = session.exec(select(User).where(User.name == name.strip())).first()
    if user is None:
        raise AccountError("user_unknown", "name", name=name)
    return user


def add_user(
    *,
    session: Session,
    name: str,
    role: Role,
    unit: str | None = None,
    valid_for: timedelta | None = None,
    by: User | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its token (the only time the token is known in clear)."""
    name = name.strip()
    unit = unit.strip() if unit else None
    if not name:
        raise AccountError("user_name_empty", "name")
    if role is Role.OWNER and not unit:
        raise AccountError("owner_needs_unit", "unit")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise AccountError("user_exists", "name", name=name)
    user = User(name=name, role=Role(role), unit=unit, token_id="", token_hash="")
    token = _set_token(user, valid_for)
    session.add(user)
    session.flush()
    audit.record(
        session, actor=by, entity="user", entity_id=user.id, action="create", new=audit.snapshot(user, FIELDS)
    )
    return user, token


def renew_token(
    *, session: Session, user: User, valid_for: timedelta | None = None, by: User | None = None
) -> str:
    """Replace a user's token with a fresh one (the old one stops working; a revoked user is active again)."""
    # the trail says when the token changed, never any part of it (token_id is a prefix of the token)
    before = {
        "token_issued_at": user.token_issued_at,
        "revoked_at": user.revoked_at,
        "expires_at": user.expires_at,
    }
    token = _set_token(user, valid_for)
    session.add(user)
    session.flush()
    after = {
        "token_issued_at": user.token_issued_at,
        "revoked_at": user.revoked_at,
        "expires_at": user.expires_at,
    }
    audit.record(
        session,
        actor=by,
        entity="user",
        entity_id=user.id,
        action="rotate",
        changes={k: (before[k], after[k]) for k in before if before[k] != after[k]},
    )
    return token


def revoke(*, session: Session, user: User, by: User | None = None) -> None:
    """The user's token stops working at once (401 saying it was revoked); a finance user cannot revoke
    itself (that could leave nobody to undo it)."""
    if by is not None and by.id == user.id:
        raise Conflict(Message("user_cannot_revoke_self"), ["id"])
    if user.revoked_at is not None:
        return
    user.revoked_at = utcnow()
    user.revoked_by = by.name if by is not None else audit.SYSTEM
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=by,
        entity="user",
        entity_id=user.id,
        action="revoke",
        changes={"revoked_at": (None, user.revoked_at)},
    )


def set_role(
    *, session: Session, user: User, role: Role, unit: str | None = None, by: User | None = None
) -> None:
    """A new role (and unit: an owner needs one)."""
    unit = (unit.strip() if unit else None) or (user.unit if role is Role.OWNER else None)
    if role is Role.OWNER and not unit:
        raise AccountError("owner_needs_unit", "unit")
    changes = {
        k: (getattr(user, k), v)
        for k, v in {"role": str(role), "unit": unit}.items()
        if getattr(user, k) != v
    }
    if not changes:
        return
    user.role, user.unit = str(role), unit
    session.add(user)
    session.flush()
    audit.record(session, actor=by, entity="user", entity_id=user.id, action="update", changes=changes)


def admin_token(*, session: Session, new: bool = False) -> str | None:
    """The built-in finance user "admin": created with a token on first use; on later starts a new token
    only when `new` (else None: its token stays the one printed before)."""
    admin = session.exec(select(User).where(User.name == ADMIN_NAME)).first()
    if admin is None:
        return add_user(session=session, name=ADMIN_NAME, role=Role.FINANCE)[1]
    if new:
        return renew_token(session=session, user=admin)
    return None


def admin(*, session: Session) -> User | None:
    return session.exec(select(User).where(User.name == ADMIN_NAME)).first()


def authenticate(*, session: Session, token: str) -> SignIn:
    """Who holds `token`, or why nobody does. Compares hashes in constant time."""
    if len(token) < _TOKEN_ID_CHARS:
        return SignIn(None, "unknown")
    digest = hash_token(token)
    candidates = session.exec(select(User).where(User.token_id == token[:_TOKEN_ID_CHARS])).all()
    found = None
    for user in candidates:
        if hmac.compare_digest(user.token_hash, digest):
            found = user
    if found is None:
        return SignIn(None, "unknown")
    if found.revoked_at is not None:
        return SignIn(found, "revoked")
    expires = _aware(found.expires_at)
    if expires is not None and expires <= utcnow():
        return SignIn(found, "expired")
    return SignIn(found)


def timedelta_days(days: int | None) -> timedelta | None:
    return timedelta(days=days) if days else None
