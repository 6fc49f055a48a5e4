"""The `capsched` command's root: the Typer app every command registers on, and the console-script entry
point, which imports only the module of the command asked for (`capsched solve …` does not load the
server's, the exports' or the risk analysis's command modules: ~30 ms of every start). app/cli/main.py
imports them all (help, tests, `from app.cli.main import cli`).

Exit codes (shared/docs/API.md): 0 a schedule was found / input valid; 1 the file has errors (import);
2 invalid input or usage; 3 infeasible or no schedule in time.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys

import typer

from app import __version__

cli = typer.Typer(
    name="capsched",
    help="capsched — capital-project portfolio scheduler (资本项目资金排程).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each command's module; importing it registers the command on `cli`.
COMMANDS = {
    "import": "app.cli.importing",
    "solve": "app.cli.solving",
    "export": "app.cli.exporting",
    "serve": "app.cli.serving",
    "user": "app.cli.users",
    "sweep": "app.cli.tradeoffs",
    "least-budget": "app.cli.tradeoffs",
    "slippage": "app.cli.tradeoffs",
    "risk": "app.cli.risk",
    "template": "app.cli.templates",
}


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


def register(names: list[str] | None = None) -> None:
    """Import the modules of the commands `names` (every command when None or when one is unknown, so
    that help lists them all and a mistyped name gets Typer's usual message)."""
    modules = [COMMANDS.get(name) for name in names] if names else [None]
    if None in modules:
        modules = list(COMMANDS.values())
    for module in dict.fromkeys(modules):
        importlib.import_module(str(module))


def run() -> None:
    """Console-script entry point: the command named first on the command line, or all of them."""
    first = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    register([first] if first is not None else None)
    try:
        cli()
    except SystemExit as done:
        if first == "solve":  # (the commands that fan out to Dask close their cluster at a normal exit)
            _exit_now(done)
        raise


def _exit_now(done: SystemExit) -> None:
    """Ends the process at once with `done`'s exit code, once the command's answer is written: its
    registered exit functions run and its output is flushed, but the interpreter is not torn down. Two
    reasons: tearing down numpy's and OR-Tools' modules took ~50 ms of the seed command's ~0.95 s here;
    and a HiGHS search the solver left behind (solver/race.py: HiGHS stops only between some of its
    phases — on 200 projects with four sources its root LP ran 1–1.5 s past a 10 s limit) would make a
    normal exit wait for its thread. os._exit, not a daemon thread: a normal exit with HiGHS running
    aborts in its C++."""
    code = done.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()  # what a normal exit runs (logging's shutdown among them)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)
