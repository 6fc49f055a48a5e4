"""`capsched user add NAME --role finance|owner|viewer [--unit 县教委]`: prints the new token on its last line."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.cli.main import cli
from app.db import make_engine, migrate
from app.models import Role
from app.services import users as accounts
from app.settings import Settings

EXIT_USAGE = 2

user_cli = typer.Typer(help="Manage users (tokens are shown once and stored hashed).", no_args_is_help=True)
cli.add_typer(user_cli, name="user")


@user_cli.command("add")
def add(
    name: str = typer.Argument(..., help="User name, e.g. 张会计."),
    role: Role = typer.Option(
        ..., help="finance: everything; owner: its unit's projects; viewer: read and export."
    ),
    unit: str | None = typer.Option(None, help="Responsible unit of an owner, e.g. 县教委."),
    db: str | None = typer.Option(None, "--db", help="Database URL [default: CAPSCHED_DATABASE_URL]."),
) -> None:
    """Create a user and print its token (alone on the last line)."""
    settings = Settings(database_url=db) if db else Settings()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with Session(engine) as session:
            user, token = accounts.add_user(session=session, name=name, role=role, unit=unit)
            session.commit()
            described = f"{user.name} ({user.role}{', ' + user.unit if user.unit else ''})"
    except accounts.AccountError as err:
        typer.echo(f"capsched user add: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from err
    except SQLAlchemyError as err:
        typer.echo(f"capsched user add: cannot use the database: {err}", err=True)
        raise typer.Exit(EXIT_USAGE) from err
    finally:
        engine.dispose()
    typer.echo(f"Created user {described}. Its token (shown only now; send it as 'Authorization: Bearer …'):")
    typer.echo(token)
