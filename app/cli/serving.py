"""`capsched serve`: migrate and seed the database, print a login URL (like Jupyter), run the web app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from app.cli.root import cli

if TYPE_CHECKING:
    from app.settings import Settings

EXIT_USAGE = 2

# The database and web stack load inside the command: every other command (`capsched solve` above all)
# starts without them (tests/app/test_cli_imports.py).


def _settings(host: str | None, port: int | None, db: str | None) -> Settings:
    from app.settings import Settings

    given = {"host": host, "port": port, "database_url": db}
    return Settings(**{k: v for k, v in given.items() if v is not None})


def _admin_token(settings: Settings, new: bool) -> tuple[str | None, str | None]:
    """The admin's new token (None when it keeps the one printed before) and when that one was issued."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.services import users as accounts

    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            token = accounts.admin_token(session=session, new=new)
            session.commit()
            admin = accounts.admin(session=session)
            issued = f"{admin.token_issued_at:%Y-%m-%d %H:%M}" if admin and admin.token_issued_at else None
            return token, issued
    finally:
        engine.dispose()


@cli.command("serve")
def serve(
    host: str | None = typer.Option(None, help="Address to listen on [default: 127.0.0.1]."),
    port: int | None = typer.Option(None, help="Port [default: 8000]."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL [default: CAPSCHED_DATABASE_URL or sqlite:///./capsched.db]."
    ),
    new_admin_token: bool = typer.Option(
        False, "--new-admin-token", help="Issue admin a new token (the old sign-in link stops working)."
    ),
) -> None:
    """Run the web app; create, migrate and seed the database on first start; print a login URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from app.services import users as accounts
    from app.startup import prepare_database

    settings = _settings(host, port, db)
    shown_db = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        report = prepare_database(settings)
        token, issued = _admin_token(settings, new_admin_token)
    except SQLAlchemyError as err:
        typer.echo(
            f"capsched serve: cannot use the database {shown_db}: {err.__class__.__name__}: {err.orig or err}",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE) from err
    typer.echo(f"capsched: database {shown_db} is ready.")
    if report.seeded:
        typer.echo(
            f'capsched: loaded the portfolio {report.seeded!r} ({report.seeded_projects} projects) and its two scenarios (see README "The seeded scenarios").'
        )
    if report.interrupted_runs:
        typer.echo(
            f"capsched: {report.interrupted_runs} run(s) left unfinished by the last start are marked failed."
        )
    base = f"http://{settings.host}:{settings.port}/"
    if token is not None:
        typer.echo(
            f"capsched: open this address to sign in as {accounts.ADMIN_NAME} (finance). Only its hash is stored,\n"
            "so keep it: later starts keep this token (`capsched serve --new-admin-token` issues a new one):\n"
        )
        typer.echo(f"    {base}?token={token}\n")
    else:
        typer.echo(
            f"capsched: {accounts.ADMIN_NAME} (finance) keeps the token issued {issued}: sign in with the address\n"
            f"printed then ({base}?token=…), or restart with --new-admin-token for a new one."
        )

    import uvicorn

    from api.main import create_app  # the one place app reaches into api: the command that serves it
    from app.logging import config as log_config

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=log_config(settings.log_level),
    )
