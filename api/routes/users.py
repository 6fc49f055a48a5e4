"""Users: who am I (the page shows it and hides what the role may not do); finance lists users, creates
them, rotates and revokes their tokens, and changes their roles."""

from __future__ import annotations

from fastapi import APIRouter, Body, status

from api.deps import CurrentUser, FinanceUser, SessionDep, TokensDep, WriteSessionDep
from api.params import Id
from app.models import Role, TokenRenewal, UserAccount, UserCreate, UserPublic, UserUpdate, UserWithToken
from app.services import users
from app.services.users import timedelta_days

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserPublic)
async def me(user: CurrentUser) -> UserPublic:
    """The user holding the token."""
    return UserPublic.model_validate(user)


@router.get("/users", response_model=list[UserAccount])
def list_users(session: SessionDep, _: FinanceUser) -> list[UserAccount]:
    """Every user with its role, unit and whether its token works (finance)."""
    return [users.account(u) for u in users.list_users(session=session)]


@router.post("/users", response_model=UserWithToken, status_code=status.HTTP_201_CREATED)
def create_user(
    data: UserCreate, session: WriteSessionDep, tokens: TokensDep, by: FinanceUser
) -> UserWithToken:
    """A new user and its token, shown only in this answer (finance)."""
    user, token = users.add_user(
        session=session,
        name=data.name,
        role=data.role,
        unit=data.unit,
        valid_for=timedelta_days(data.expires_in_days),
        by=by,
    )
    session.commit()
    tokens.forget()  # the token check reads the users again
    return UserWithToken.model_validate(user, update={"active": users.is_active(user), "token": token})


@router.post("/users/{user_id}/revoke", response_model=UserAccount)
def revoke_user(user_id: Id, session: WriteSessionDep, tokens: TokensDep, by: FinanceUser) -> UserAccount:
    """The user's token stops working at once (finance; not your own)."""
    user = users.get(session=session, user_id=user_id)
    users.revoke(session=session, user=user, by=by)
    session.commit()
    tokens.forget()  # the token check reads the users again
    return users.account(user)


@router.post("/users/{user_id}/rotate", response_model=UserWithToken)
def rotate_token(
    user_id: Id,
    session: WriteSessionDep,
    tokens: TokensDep,
    by: FinanceUser,
    data: TokenRenewal | None = Body(default=None),
) -> UserWithToken:
    """A new token for the user, shown only in this answer; the old one stops working (finance)."""
    user = users.get(session=session, user_id=user_id)
    token = users.renew_token(
        session=session, user=user, valid_for=timedelta_days((data or TokenRenewal()).expires_in_days), by=by
    )
    session.commit()
    tokens.forget()  # the token check reads the users again
    return UserWithToken.model_validate(user, update={"active": users.is_active(user), "token": token})


@router.patch("/users/{user_id}", response_model=UserAccount)
def update_user(
    user_id: Id, data: UserUpdate, session: WriteSessionDep, tokens: TokensDep, by: FinanceUser
) -> UserAccount:
    """Change a user's role (and unit) (finance)."""
    user = users.get(session=session, user_id=user_id)
    users.set_role(session=session, user=user, role=data.role or Role(user.role), unit=data.unit, by=by)
    session.commit()
    tokens.forget()  # the token check reads the users again
    return users.account(user)
