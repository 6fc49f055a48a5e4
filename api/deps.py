"""Dependencies declared once: the database sessions (read-only, or for a write), the signed-in user, role
checks, settings, the background pool.

`SessionDep` is a read-only session (app/db.py `reader`: it never takes SQLite's write lock); a route that
writes takes `WriteSessionDep`. The user is found from memory (app/services/tokens.py) in the event loop,
so a request without a valid token is refused before any thread or database connection is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from api.cache import ResponseCache
from app.background import BackgroundPool
from app.i18n import Message
from app.models import Role, User
from app.services import users as accounts
from app.services.tokens import TokenBook
from app.settings import Settings

_bearer = HTTPBearer(
    auto_error=False, description="the token printed by `capsched serve` or `capsched user add`"
)
_query_token = APIKeyQuery(
    name="token", auto_error=False, description="the same token as a query parameter (links, downloads)"
)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A read-only session: reads of the request never wait for, nor hold, the write lock."""
    async for session in _session(request.app.state.reader):
        yield session


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """A session for a request that writes (its transaction takes SQLite's write lock at once)."""
    async for session in _session(request.app.state.engine):
        yield session


async def _session(engine: Engine) -> AsyncIterator[Session]:
    """A session made in the event loop (it connects only when the route first queries, on the route's
    thread). A sync generator dependency would enter and exit on threads of their own: two thread hops per
    request, which cost more CPU than the queries of a small read (bench/load.py). Closing it ends its
    transaction: on SQLite a rollback that does no I/O, done here; on PostgreSQL a round trip to the
    server, done on a worker thread so that a slow server cannot stall the event loop."""
    session = Session(engine)
    try:
        yield session
    finally:
        if session.in_transaction() and engine.dialect.name != "sqlite":
            await anyio.to_thread.run_sync(session.close)
        else:
            session.close()


async def get_tokens(request: Request) -> TokenBook:
    return request.app.state.tokens


async def get_pool(request: Request) -> BackgroundPool:
    return request.app.state.pool


async def get_responses(request: Request) -> ResponseCache:
    return request.app.state.responses


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
TokensDep = Annotated[TokenBook, Depends(get_tokens)]
PoolDep = Annotated[BackgroundPool, Depends(get_pool)]
ResponsesDep = Annotated[ResponseCache, Depends(get_responses)]


async def get_current_user(
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    query_token: Annotated[str | None, Depends(_query_token)],
) -> User:
    """The user holding the bearer token (or `?token=`); 401 in plain words otherwise (api/errors.py renders
    the Message details in the reader's language)."""
    token = credentials.credentials if credentials is not None else query_token
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            Message("no_token"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    signed = await tokens.sign_in(token.strip())
    if signed.refusal is not None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, _refusal(signed), headers={"WWW-Authenticate": "Bearer"}
        )
    return signed.user


def _refusal(signed: accounts.SignIn) -> Message:
    """Why a token signs nobody in: unknown, revoked (by whom, when) or expired (when)."""
    user = signed.user
    if signed.refusal == "revoked" and user is not None:
        return Message(
            "token_revoked", user=user.name, by=user.revoked_by, when=f"{user.revoked_at:%Y-%m-%d %H:%M}"
        )
    if signed.refusal == "expired" and user is not None:
        return Message("token_expired", user=user.name, when=f"{user.expires_at:%Y-%m-%d %H:%M}")
    return Message("bad_token")


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency that lets only users with one of `roles` through (403 otherwise). Like every dependency
    here that does no I/O it is `async`, so FastAPI runs it in the event loop, not on a request thread."""
    allowed = ", ".join(roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                Message("role_not_allowed", user=user.name, role=user.role, allowed=allowed),
            )
        return user

    return check


FinanceUser = Annotated[User, Depends(require_role(Role.FINANCE))]
WriterUser = Annotated[User, Depends(require_role(Role.FINANCE, Role.OWNER))]
