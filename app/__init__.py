"""capsched application layer: domain tables, import/export, planning services, charts, CLI."""

from __future__ import annotations

__version__ = "0.1.0"
