"""`capsched user list | add | revoke | rotate | set-role`: the users and their tokens, in the database
`capsched serve` uses (CAPSCHED_DATABASE_URL, or --db). A new token is printed alone on the last line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from app.cli.root import cli
from app.errors import InvalidInput
from app.roles import Role

if TYPE_CHECKING:
    from sqlmodel import Session

# The database stack (SQLAlchemy, SQLModel, the services) loads inside the commands, so that the other
# commands start without it (tests/app/test_cli_imports.py).

EXIT_USAGE = 2

user_cli = typer.Typer(help="Manage users (tokens are shown once and stored hashed).", no_args_is_help=True)
cli.add_typer(user_cli, name="user")
console = Console(highlight=False, soft_wrap=True)

_DB = typer.Option(
    None, "--db", help="Database URL [default: CAPSCHED_DATABASE_URL or sqlite:///./capsched.db]."
)
_EXPIRES = typer.Option(None, "--expires", help="the token stops working after this long: 90d, 12w, 6m, 1y")


@contextmanager
def _session(db: str | None, command: str) -> Iterator[Session]:
    """A session on the database `serve` would use (migrated first), committed at the end; the database
    is named on stderr, and a mistake exits 2 with its reason."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from app.db import make_engine, migrate
    from app.settings import Settings

    settings = Settings(database_url=db) if db else Settings()
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    typer.echo(f"capsched: database {shown}", err=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with Session(engine) as session:
            yield session
            session.commit()
    except InvalidInput as err:
        typer.echo(f"capsched user {command}: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from err
    except SQLAlchemyError as err:
        typer.echo(f"capsched user {command}: cannot use the database {shown}: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from err
    finally:
        engine.dispose()


def _valid_for(expires: str | None, command: str):
    if expires is None:
        return None
    from app.services import users as accounts

    try:
        return accounts.parse_duration(expires)
    except InvalidInput as err:
        typer.echo(f"capsched user {command}: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from err


def _described(user) -> str:
    expiry = f", expires {user.expires_at:%Y-%m-%d}" if user.expires_at else ""
    return f"{user.name} ({user.role}{', ' + user.unit if user.unit else ''}{expiry})"


@user_cli.command("list")
def list_command(db: str | None = _DB) -> None:
    """Every user: role, unit, whether its token works, when it was issued, expires or was revoked."""
    from app.services import users as accounts

    with _session(db, "list") as session:
        rows = accounts.list_users(session=session)
        table = Table(title="users", title_justify="left")
        for column in ("name", "role", "unit", "token", "issued", "expires", "revoked"):
            table.add_column(column)
        for user in rows:
            table.add_row(
                user.name,
                user.role,
                user.unit or "",
                "works" if accounts.is_active(user) else "revoked" if user.revoked_at else "expired",
                f"{user.token_issued_at:%Y-%m-%d}" if user.token_issued_at else "",
                f"{user.expires_at:%Y-%m-%d}" if user.expires_at else "never",
                f"{user.revoked_at:%Y-%m-%d} by {user.revoked_by}" if user.revoked_at else "",
            )
        console.print(table)


@user_cli.command("add")
def add(
    name: str = typer.Argument(..., help="User name, e.g. 张会计."),
    role: Role = typer.Option(
        ..., help="finance: everything; owner: its unit's projects; viewer: read and export."
    ),
    unit: str | None = typer.Option(None, help="Responsible unit of an owner, e.g. 县教委."),
    expires: str | None = _EXPIRES,
    db: str | None = _DB,
) -> None:
    """Create a user and print its token (alone on the last line)."""
    valid_for = _valid_for(expires, "add")
    from app.services import users as accounts

    with _session(db, "add") as session:
        user, token = accounts.add_user(session=session, name=name, role=role, unit=unit, valid_for=valid_for)
        described = _described(user)
    typer.echo(f"Created user {described}. Its token (shown only now; send it as 'Authorization: Bearer …'):")
    typer.echo(token)


@user_cli.command("revoke")
def revoke(
    name: str = typer.Argument(..., help="The user whose token stops working now."), db: str | None = _DB
) -> None:
    """Revoke a user's token: it answers 401 saying so until the user gets a new one (rotate)."""
    from app.services import users as accounts

    with _session(db, "revoke") as session:
        user = accounts.find(session=session, name=name)
        accounts.revoke(session=session, user=user)
    typer.echo(f"Revoked the token of {name}.")


@user_cli.command("rotate")
def rotate(
    name: str = typer.Argument(..., help="The user who gets a new token (the old one stops working)."),
    expires: str | None = _EXPIRES,
    db: str | None = _DB,
) -> None:
    """Issue a new token (printed alone on the last line); the old one stops working."""
    valid_for = _valid_for(expires, "rotate")
    from app.services import users as accounts

    with _session(db, "rotate") as session:
        user = accounts.find(session=session, name=name)
        token = accounts.renew_token(session=session, user=user, valid_for=valid_for)
        described = _described(user)
    typer.echo(f"New token of {described} (shown only now):")
    typer.echo(token)


@user_cli.command("set-role")
def set_role(
    name: str = typer.Argument(..., help="The user."),
    role: Role = typer.Option(..., help="finance, owner or viewer."),
    unit: str | None = typer.Option(None, help="Responsible unit (an owner needs one)."),
    db: str | None = _DB,
) -> None:
    """Change a user's role (and unit)."""
    from app.services import users as accounts

    with _session(db, "set-role") as session:
        user = accounts.find(session=session, name=name)
        accounts.set_role(session=session, user=user, role=role, unit=unit)
        described = _described(user)
    typer.echo(f"{described}.")
