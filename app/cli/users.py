"""Command registered on the `capsched` CLI (see app/cli/main.py)."""

from __future__ import annotations
