"""One place that turns a user's mistake into a plain message and an exit code (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from app.fanout import Fanout

err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_FILE_ERRORS = 1
EXIT_INVALID = 2
EXIT_NO_SCHEDULE = 3


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print `message` on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def invalid_input_exits() -> Iterator[None]:
    """Run a command body; any invalid-input error becomes its message and exit code 2."""
    from app.files.importer import ProjectListError, UnreadableFileError
    from app.files.problem_files import ProblemFileError
    from app.rules.budgets import BudgetSpecError
    from app.rules.problem import PlanningError
    from solver import ProblemError

    try:
        yield
    except ProjectListError as exc:
        for row_error in exc.errors[:200]:
            err_console.print(f"  {row_error}", soft_wrap=True)
        if exc.total > 200:
            err_console.print(f"  … and {exc.total - 200:,} more", soft_wrap=True)
        raise fail(f"the project list has {exc.total} error(s); nothing was scheduled") from None
    except (ProblemError, PlanningError, BudgetSpecError, UnreadableFileError, ProblemFileError) as exc:
        raise fail(str(exc)) from None
    except FileNotFoundError as exc:
        raise fail(f"no such file: {exc.filename}") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise fail(f"cannot read {exc.filename}: {exc.strerror}") from None


@contextmanager
def fanout_exits(workers: int | None = None) -> Iterator[Fanout]:
    """The command's Dask fan-out: the cluster at CAPSCHED_DASK_ADDRESS, or a LocalCluster of `workers`
    processes (default CAPSCHED_DASK_WORKERS, else one per core) started here and closed on the way out,
    also on Ctrl-C. A scheduler that cannot be reached, or workers without this capsched, exit 2."""
    from app.fanout import DaskFanout, FanoutError
    from app.settings import Settings

    settings = Settings()
    fanout = DaskFanout(
        address=settings.dask_address,
        workers=workers or settings.dask_workers,
        connect_timeout=settings.dask_connect_timeout,
    )
    try:
        yield fanout
    except FanoutError as exc:
        raise fail(str(exc)) from None
    finally:
        fanout.close()
