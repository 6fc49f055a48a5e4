"""Application settings, read once from the environment (prefix CAPSCHED_), as the FastAPI template does."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be told from outside. `CAPSCHED_DATABASE_URL=...` sets `database_url`."""

    model_config = SettingsConfigDict(env_prefix="CAPSCHED_", extra="ignore")

    database_url: str = "sqlite:///./capsched.db"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, description="solves run at the same time (background pool)")
    solver_threads: int = Field(default=2, ge=1, description="CP-SAT search workers per solve")
    default_time_limit: float = Field(default=30.0, gt=0, description="seconds, when a run names none")
    max_time_limit: float = Field(default=600.0, gt=0, description="the longest solve a run may ask for")
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    dask_address: str | None = Field(
        default=None,
        description="the Dask scheduler sweeps, least-budget searches and risk batches fan out to "
        "(tcp://host:8786); default: a LocalCluster started in this process at first use",
    )
    dask_workers: int | None = Field(
        default=None, ge=1, description="worker processes of the local Dask cluster (default: one per core)"
    )
    seed: bool = Field(default=True, description="load the seed portfolio into an empty database on start")
    log_level: str = Field(
        default="info",
        pattern="^(?i:debug|info|warning|error|critical)$",
        description="the service's log level",
    )


def get_settings() -> Settings:
    """Settings from the environment as it is now (tests and the CLI build their own)."""
    return Settings()
