"""`python -m capsched` runs the capsched command line, exactly as the `capsched` console script does."""

from __future__ import annotations

from app.cli.root import run

if __name__ == "__main__":
    run()
