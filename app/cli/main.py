"""Root of the `capsched` command with every command registered (app/cli/root.py has the Typer app and
the entry point, which registers only the command asked for)."""

from __future__ import annotations

from app.cli.root import COMMANDS, cli, register, run

register()

__all__ = ["COMMANDS", "cli", "run"]
