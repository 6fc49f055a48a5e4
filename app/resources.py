"""Locate the shipped data files and the static web page, in a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_APP_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _APP_DIR.parent


def data_dir() -> Path:
    """The folder holding projects.csv (repository `data/`, or the copy packed into the wheel)."""
    in_repo = _REPO_ROOT / "data"
    return in_repo if (in_repo / "projects.csv").exists() else _APP_DIR / "_data"


def seed_portfolio_csv() -> Path:
    """The default portfolio: the Wuxi County major project list."""
    return data_dir() / "projects.csv"


def seed_sources_csv() -> Path:
    """The seed portfolio's illustrative funding sources and their quotas per seeded scenario (issue 15)."""
    return data_dir() / "sources.csv"


def seed_funding_rules_csv() -> Path:
    """The seed portfolio's illustrative funding rules (which source may fund what, and how much)."""
    return data_dir() / "funding_rules.csv"


def static_dir() -> Path:
    """The web page (repository `frontend_static/`, or the copy packed into the wheel)."""
    in_repo = _REPO_ROOT / "frontend_static"
    if in_repo.is_dir():
        return in_repo
    return _REPO_ROOT / "api" / "_static"
