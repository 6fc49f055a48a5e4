"""Who am I: the signed-in user (the page shows it and hides what the role may not do)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser
from app.models import UserPublic

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    """The user holding the token."""
    return UserPublic.model_validate(user)
