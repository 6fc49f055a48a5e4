"""Path and query parameters shared by the routes, bounded to what the database holds (app/rules/limits.py):
an id above PostgreSQL's INTEGER is a 422 naming the parameter, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from app.rules.limits import INT32_MAX

Id = Annotated[int, Path(ge=1, le=INT32_MAX, description="an id (a whole number from 1 to 2,147,483,647)")]


# a text query parameter: no control characters (TAB, CR and LF aside), as Checked bodies (app/models.py)
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
