"""Configuration, read once at an entry point and passed in (never a module-level instance)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = Path.home() / ".local" / "share" / "contact-lookup"
DEFAULT_CACHE = Path.home() / ".cache" / "contact-lookup"


class Settings(BaseSettings):
    """Every knob of the product; environment variables use the ``CONTACT_LOOKUP_`` prefix."""

    model_config = SettingsConfigDict(
        env_prefix="CONTACT_LOOKUP_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    home: Path = Field(DEFAULT_HOME, description="Where the SQLite file and the local node's data live.")
    cache_dir: Path = Field(DEFAULT_CACHE, description="Where the OpenSearch distribution is unpacked.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means a SQLite file under `home`.")
    opensearch_url: str = Field(
        "",
        description="Cluster URL, or several comma-separated (one per node); empty means the local node started by "
        "`contact-lookup opensearch start`. Never credentials in it: they go to OPENSEARCH_USERNAME/PASSWORD.",
    )
    opensearch_username: str = Field("", description="Basic-auth user of the engine; empty: no basic auth.")
    opensearch_password: SecretStr = Field(SecretStr(""), description="Basic-auth password (never logged).")
    opensearch_ca_certs: Path | None = Field(
        None, description="CA bundle (PEM) the engine's certificate must chain to; unset: certifi's public CAs."
    )
    opensearch_verify_certs: bool = Field(
        True, description="Check the engine's certificate and host name; false only for a test node, with a warning."
    )
    opensearch_client_cert: Path | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    opensearch_client_key: Path | None = Field(None, description="Private key (PEM) of the client certificate.")
    opensearch_auth: Literal["basic", "sigv4"] = Field(
        "basic", description="basic: username/password if set; sigv4: AWS-signed requests (the `[aws]` extra)."
    )
    opensearch_aws_region: str = Field("", description="Region of an Amazon OpenSearch Service domain (sigv4).")
    opensearch_aws_service: Literal["es", "aoss"] = Field(
        "es", description="es: a managed domain; aoss: OpenSearch Serverless (sigv4)."
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
    index_shards_contacts: int = Field(1, ge=1, le=1024, description="Primary shards of a new contacts index.")
    index_shards_quick: int = Field(1, ge=1, le=1024, description="Primary shards of a new quick index.")
    index_shards_communications: int = Field(
        1, ge=1, le=1024, description="Primary shards of a new communications index (the first to outgrow one)."
    )
    index_green_timeout_s: float = Field(
        300.0, gt=0, description="How long a rebuild waits for a new index to be green before failing, unswapped."
    )
    ready_check_timeout_s: float = Field(
        3.0, gt=0, description="Longest wait of one readiness check (database, figures); longer is a failed check."
    )
    bulk_request_timeout_s: float = Field(120.0, gt=0, description="Per bulk request; searches keep a short one.")
    max_criteria: int = Field(20, gt=0, description="Most criteria one advanced or communications search may hold.")
    like_max_candidates: int = Field(
        1000,
        gt=0,
        description="Most documents per shard a several-part `like` may leave to the check of its order (else 422).",
    )
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
    max_secrets_per_write: int = Field(
        10, ge=1, description="Access-token secrets one contact write may set (each costs a scrypt hash); 422 beyond."
    )
    secret_hash_workers: int = Field(1, ge=1, description="Threads of a worker process that hash secrets: the cores.")
    voucher_secret_keys: SecretStr = Field(
        SecretStr(""),
        description="Fernet keys (comma-separated) of the voucher secret codes: the first encrypts, every one "
        "decrypts (rotation); empty: no voucher secret can be stored or read (503).",
    )
    contact_writes_per_token: int = Field(
        2, ge=1, description="Contact writes one token may have in flight at once, per worker process; 429 beyond."
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
    # Authentication: failed attempts, and the OpenID Connect provider (off while `oidc_issuer` is empty).
    auth_failures_per_minute: float = Field(
        30.0, ge=0, description="Failed authentications per client address and token prefix per minute; 0: no limit."
    )
    auth_failures_burst: int = Field(20, ge=1, description="Failures at once before the per-minute rate applies.")
    oidc_issuer: str = Field("", description="The provider's issuer URL; its discovery document names the keys.")
    oidc_audience: str = Field("", description="What the access tokens' `aud` must hold (the API's client id).")
    oidc_client_id: str = Field("", description="The console's public client (Authorization Code with PKCE).")
    oidc_scope: str = Field("openid profile", description="Scopes the console asks for.")
    oidc_role_claim: str = Field("roles", description="Claim holding the role(s); dotted: `realm_access.roles`.")
    oidc_agent_role: str = "agent"
    oidc_admin_role: str = "admin"
    oidc_business_unit_claim: str = Field("business_unit", description="Claim holding the caller's unit.")
    oidc_agents_need_business_unit: bool = Field(
        True, description="An agent's token without a unit is a 403 (not a view of every unit)."
    )
    oidc_algorithms: list[str] = Field(["RS256", "PS256", "ES256"], description="Accepted signing algorithms.")
    oidc_leeway_s: float = Field(30.0, ge=0, le=300, description="Clock skew allowed on `exp` and `nbf`.")
    oidc_keys_max_age_s: float = Field(3600.0, gt=0, description="How long the provider's keys are kept.")

    _database_defaulted: bool = PrivateAttr(False)

    # PostgreSQL pool and session (SSL goes in the URL: `?sslmode=verify-full&sslrootcert=/path/ca.pem`).
    database_pool_size: int = Field(
        10, ge=1, description="Connections each process keeps open to PostgreSQL; times processes < max_connections."
    )
    database_max_overflow: int = Field(5, ge=0, description="Connections a process may open past the pool at peaks.")
    database_pool_timeout_s: float = Field(
        5.0, gt=0, description="How long a request waits for a free connection before its 503."
    )
    database_statement_timeout_ms: int = Field(
        15_000, ge=0, description="PostgreSQL `statement_timeout` of every connection; 0 turns it off."
    )
    database_application_name: str = Field(
        "contact-lookup", max_length=63, description="What `pg_stat_activity` shows for the connections."
    )
    # Telemetry.
    log_format: Literal["text", "json"] = Field("text", description="`json`: one JSON object a line.")
    log_level: str = Field("INFO", description="Level of the product's, uvicorn's and the indexer's loggers.")

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()

    @field_validator("voucher_secret_keys")
    @classmethod
    def _fernet_keys(cls, value: SecretStr) -> SecretStr:
        """Each key must be a Fernet key (32 url-safe base64 bytes); the message never shows one."""
        for position, key in enumerate(_split_hosts(value.get_secret_value())):
            try:
                raw = base64.urlsafe_b64decode(key.encode())
            except (ValueError, binascii.Error):
                raw = b""
            if len(raw) != 32:
                raise ValueError(f"key {position + 1} is no Fernet key (32 url-safe base64-encoded bytes)")
        return value

    @field_validator("opensearch_url")
    @classmethod
    def _no_credentials_in_url(cls, value: str) -> str:
        for host in _split_hosts(value):
            parts = urlsplit(host if "://" in host else f"http://{host}")
            if parts.username or parts.password:
                raise ValueError(
                    "credentials in the engine URL would be shown wherever the URL is; "
                    "set CONTACT_LOOKUP_OPENSEARCH_USERNAME and CONTACT_LOOKUP_OPENSEARCH_PASSWORD instead"
                )
        return value

    @model_validator(mode="after")
    def _engine_access(self) -> Settings:
        if (self.opensearch_client_cert is None) != (self.opensearch_client_key is None):
            raise ValueError("opensearch_client_cert and opensearch_client_key go together (mutual TLS needs both)")
        if self.opensearch_auth == "sigv4":
            if not self.opensearch_aws_region:
                raise ValueError("opensearch_auth=sigv4 needs opensearch_aws_region")
            if self.opensearch_username:
                raise ValueError("opensearch_auth=sigv4 signs requests with AWS credentials; unset opensearch_username")
        if self.opensearch_password.get_secret_value() and not self.opensearch_username:
            raise ValueError("opensearch_password is set but opensearch_username is empty")
        return self

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.home / 'contact-lookup.db'}")
            self._database_defaulted = True
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError("oidc_audience is needed with oidc_issuer: tokens for another API must be refused")
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size must not exceed max_page_size")
        return self

    @property
    def search_request_timeout_s(self) -> float:
        """The client gives up one second after the engine should have: its own timeout answers first."""
        return self.search_timeout_ms / 1000 + 1

    @property
    def database_defaulted(self) -> bool:
        """No database URL was given: the local SQLite file stands in (fine for `run`, never for `serve`)."""
        return self._database_defaulted

    @property
    def opensearch_hosts(self) -> list[str]:
        """The configured nodes, in order; empty when the local node is meant."""
        return _split_hosts(self.opensearch_url)

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


def _split_hosts(value: str) -> list[str]:
    return [host.strip() for host in value.split(",") if host.strip()]
