"""Application settings, read once from the environment (prefix CAPSCHED_), as the FastAPI template does."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.fanout import CONNECT_TIMEOUT_SECONDS


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
    dask_connect_timeout: float = Field(
        default=CONNECT_TIMEOUT_SECONDS,
        gt=0,
        le=600,
        description="seconds to reach the Dask scheduler, and for its first worker to join, before a job fails",
    )
    request_threads: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="threads answering requests; the database pool is sized to them",
    )
    max_requests_in_flight: int = Field(
        default=100, ge=1, description="requests being answered at once; more get 503 with Retry-After"
    )
    solver_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU priority (Linux nice) of solves: requests are answered first",
    )
    max_queued: int = Field(
        default=20,
        ge=1,
        description="runs, sweeps, least-budget searches and risk analyses waiting to start; more get 503",
    )
    database_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        description="how long a request waits for a database connection or SQLite's write lock",
    )
    seed: bool = Field(default=True, description="load the seed portfolio into an empty database on start")
    timezone: str = Field(
        default="Asia/Shanghai",
        description="the office's time zone (IANA name): moments in documents (report, annual plan) are shown in it",
    )
    log_level: str = Field(
        default="info",
        pattern="^(?i:debug|info|warning|error|critical)$",
        description="the service's log level",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {name!r}: give an IANA name such as Asia/Shanghai") from err
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def get_settings() -> Settings:
    """Settings from the environment as it is now (tests and the CLI build their own)."""
    return Settings()
