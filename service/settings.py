"""Configuration, read once at an entry point and passed in (never a module-level instance)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path.home() / ".local" / "share" / "contact-lookup"
DEFAULT_CACHE = Path.home() / ".cache" / "contact-lookup"


class Settings(BaseSettings):
    """Every knob of the product; environment variables use the ``CONTACT_LOOKUP_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="CONTACT_LOOKUP_", extra="ignore", frozen=True)

    home: Path = Field(DEFAULT_HOME, description="Where the SQLite file and the local node's data live.")
    cache_dir: Path = Field(DEFAULT_CACHE, description="Where the OpenSearch distribution is unpacked.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file under `home`.")
    opensearch_url: str = Field(
        "", description="Cluster URL; empty means the local node started by `contact-lookup opensearch start`."
    )
    opensearch_version: str = "2.19.6"
    opensearch_heap: str = "512m"
    opensearch_request_timeout_s: float = Field(
        10.0, gt=0, description="Client-side timeout of engine calls other than searches (indexer, admin)."
    )
    opensearch_max_retries: int = Field(2, ge=0, description="Retries of the indexer's and the CLI's engine calls.")
    opensearch_pool_size: int = Field(20, ge=1, description="Connections the API keeps open to the engine.")
    search_timeout_ms: int = Field(2000, gt=0, description="Engine-side timeout of every search.")
    search_max_retries: int = Field(
        1,
        ge=0,
        description="Retries of an API search whose connection failed (refused or dropped); never of a timeout.",
    )
    index_prefix: str = Field("contact-lookup", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    default_phone_region: str = Field("FR", min_length=2, max_length=2)
    max_value_length: int = Field(100, gt=0, description="Longest value of one search criterion, in characters.")
    max_page_size: int = Field(100, gt=0)
    default_page_size: int = Field(20, gt=0)
    index_replicas: int = Field(
        0, ge=0, description="Replicas of a serving index; a rebuild loads with none and sets these before the swap."
    )
    bulk_request_timeout_s: float = Field(120.0, gt=0, description="Per bulk request; searches keep a short one.")
    max_criteria: int = Field(20, gt=0, description="Most criteria one advanced or communications search may hold.")
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body; a larger one is a 413.")
    rate_limit_per_s: float = Field(
        10.0, ge=0, description="Requests per second each token may sustain, per worker process; 0 turns it off."
    )
    rate_limit_burst: int = Field(50, ge=1, description="Requests a token may send at once before the rate applies.")
    database_connect_timeout_s: int = Field(5, ge=1, description="PostgreSQL connect timeout.")
    audit_backlog: int = Field(
        10_000, ge=0, description="Audit entries kept in memory for a retry while the database refuses them."
    )
    audit_backlog_bytes: int = Field(
        16 * 1024 * 1024,
        ge=0,
        description="Bytes (of their JSON) the audit entries kept in memory may take, queued or held for a retry.",
    )
    audit_gather_s: float = Field(
        0.05, ge=0, le=5, description="How long the audit thread lets entries gather before one INSERT writes them."
    )
    # Audit retention: entries older than this are removed by the background task beside the sync worker.
    audit_retention_days: int = Field(400, ge=1, description="Days an audit entry is kept.")
    audit_retention_batch: int = Field(
        5000, ge=1, description="Audit entries one retention transaction deletes (short locks, small WAL bursts)."
    )
    audit_retention_interval_s: float = Field(3600.0, gt=0, description="Seconds between two retention passes.")
    bulk_chunk_bytes: int = Field(5 * 1024 * 1024, gt=0)
    bulk_chunk_docs: int = Field(1000, gt=0)
    bulk_senders: int = Field(
        2, ge=1, description="Bulk requests a rebuild keeps in flight: one is serialised while another is indexed."
    )
    load_batch_size: int = Field(1000, gt=0)
    sync_max_backoff_s: float = Field(
        30.0, gt=0, description="Longest pause of the outbox sync between tries while the engine or database is down."
    )
    definitions_refresh_s: float = Field(0.5, gt=0, description="How stale a worker's active definition may be.")
    token_recall_s: float = Field(
        1.0, ge=0, description="How long a worker trusts a token it checked; a rotated token stops working after it."
    )

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.home / 'contact-lookup.db'}")
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size must not exceed max_page_size")
        return self

    @property
    def search_request_timeout_s(self) -> float:
        """The client gives up one second after the engine should have: its own timeout answers first."""
        return self.search_timeout_ms / 1000 + 1

    @property
    def node_dir(self) -> Path:
        """State of the local OpenSearch node (pid, port, data, logs)."""
        return self.home / "opensearch"

    @property
    def contacts_alias(self) -> str:
        return f"{self.index_prefix}-contacts"

    @property
    def quick_alias(self) -> str:
        """The contacts' root fields alone, sorted by name: what quick search reads (`indexer.mappings`)."""
        return f"{self.index_prefix}-quick"

    @property
    def communications_alias(self) -> str:
        return f"{self.index_prefix}-communications"
