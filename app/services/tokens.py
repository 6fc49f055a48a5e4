"""Who a token signs in, answered from memory: a server checks every request's token against a snapshot
of the users' token hashes instead of the database, so a flood of wrong tokens costs no database work.

The snapshot is re-read (one small SELECT) when it is older than `max_age` — so a token revoked or changed
by another process (`capsched user revoke`) stops working within that time — and at once after this
process changes a user (`forget`). A token the snapshot does not know is refused only by a snapshot read
after the request arrived, so a user just added from the command line signs in at once; those re-reads
happen at most once every `min_interval` seconds whatever the number of unknown tokens (the requests wait
for the next one in the event loop, holding no thread and no connection).

Hashes are looked up by their SHA-256 hex digest: a caller who does not know a token cannot choose its
digest, so the lookup's timing tells nothing about the stored ones.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

import anyio
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.db import reader
from app.models import User
from app.services.users import SignIn, hash_token, is_active


@dataclass(frozen=True, slots=True)
class Holder:
    """What a request needs of the user holding a token."""

    id: int
    name: str
    role: str
    unit: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    def user(self) -> User:
        """A fresh, detached User row for one request (never shared between requests)."""
        return User(
            id=self.id,
            name=self.name,
            role=self.role,
            unit=self.unit,
            token_id="",
            token_hash="",
            expires_at=self.expires_at,
            revoked_at=self.revoked_at,
            revoked_by=self.revoked_by,
        )


class TokenBook:
    """The snapshot of every user's token hash, and the sign-in check against it (see the module)."""

    def __init__(self, engine: Engine, *, max_age: float = 2.0, min_interval: float = 0.25) -> None:
        self._engine = reader(engine)
        self.max_age = max_age
        self.min_interval = min_interval
        self._holders: dict[str, Holder] = {}
        self._taken_at = float("-inf")  # when the snapshot's SELECT started (monotonic seconds)
        self._lock: asyncio.Lock | None = None
        self._limiter = anyio.CapacityLimiter(1)  # its own thread: not queued behind busy request threads

    def forget(self) -> None:
        """This process changed a user: the next sign-in reads the users again."""
        self._taken_at = float("-inf")

    async def sign_in(self, token: str) -> SignIn:
        """Who holds `token`, or why nobody does (unknown, revoked, expired)."""
        arrived = time.monotonic()
        digest = hash_token(token)
        holder = self._holders.get(digest)
        if holder is not None and arrived - self._taken_at <= self.max_age:
            return _judge(holder)
        if holder is None and self._taken_at >= arrived:
            return SignIn(None, "unknown")
        # known but old: any snapshot young enough will do; unknown: only one read after the request arrived
        await self._refresh(after=arrived if holder is None else arrived - self.max_age)
        holder = self._holders.get(digest)
        return SignIn(None, "unknown") if holder is None else _judge(holder)

    async def _refresh(self, *, after: float) -> None:
        """Re-read the users unless a snapshot taken after `after` exists (one re-read at a time)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._taken_at >= after:
                return
            wait = self._taken_at + self.min_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await anyio.to_thread.run_sync(self._load, limiter=self._limiter)

    def _load(self) -> None:
        taken_at = time.monotonic()
        columns = (User.id, User.name, User.role, User.unit, User.token_hash, User.expires_at,
                   User.revoked_at, User.revoked_by)  # fmt: skip
        with Session(self._engine) as session:
            rows = session.execute(select(*columns)).all()
        self._holders = {
            row.token_hash: Holder(
                row.id, row.name, row.role, row.unit, row.expires_at, row.revoked_at, row.revoked_by
            )
            for row in rows
        }
        self._taken_at = taken_at


def _judge(holder: Holder) -> SignIn:
    user = holder.user()
    if user.revoked_at is not None:
        return SignIn(user, "revoked")
    if not is_active(user):
        return SignIn(user, "expired")
    return SignIn(user)
