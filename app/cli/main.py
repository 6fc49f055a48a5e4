"""Root of the `capsched` command. Each command lives in its own module and registers itself on `cli`.

Exit codes (shared/docs/API.md): 0 a schedule was found / input valid; 1 the file has errors (import);
2 invalid input or usage; 3 infeasible or no schedule in time.
"""

from __future__ import annotations

import importlib

import typer

from app import __version__

cli = typer.Typer(
    name="capsched",
    help="capsched — capital-project portfolio scheduler (资本项目资金排程).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that register commands on `cli`; imported after `cli` exists.
_COMMAND_MODULES = (
    "app.cli.importing",
    "app.cli.solving",
    "app.cli.exporting",
    "app.cli.serving",
    "app.cli.users",
    "app.cli.tradeoffs",
    "app.cli.risk",
    "app.cli.templates",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"capsched {__version__}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """capsched: feasible annual funding schedules for a capital-project portfolio."""


for _name in _COMMAND_MODULES:
    importlib.import_module(_name)


def run() -> None:
    """Console-script entry point."""
    cli()
