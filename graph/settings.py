"""All configuration of s3graph in one place, read from the environment (or a `.env` file)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _default_home() -> Path:
    """Follows the XDG convention: ~/.local/share/s3graph unless XDG_DATA_HOME says otherwise."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "s3graph"


class Settings(BaseSettings):
    """Connection and runtime settings.

    When ``NEO4J_URI`` is unset, s3graph uses (and starts) its own local Neo4j; when it is set,
    it connects there and never starts a server of its own.
    """

    # No populate_by_name: with it the field names (home, ...) are read from the environment too.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    # Only S3GRAPH_HOME: environment names are read case-insensitively, so a field that also
    # answered to "home" took the user's HOME and put the store in ~/neo4j/data.
    home: Path = Field(default_factory=_default_home, validation_alias="S3GRAPH_HOME")
    local_port: int = Field(default=7687, validation_alias="S3GRAPH_NEO4J_PORT", ge=1, le=65535)
    local_heap: str = Field(default="1g", validation_alias="S3GRAPH_NEO4J_HEAP")
    local_pagecache: str = Field(default="256m", validation_alias="S3GRAPH_NEO4J_PAGECACHE")
    local_start_timeout: float = Field(
        default=180.0, validation_alias="S3GRAPH_NEO4J_START_TIMEOUT"
    )
    query_timeout: float = Field(default=30.0, validation_alias="S3GRAPH_QUERY_TIMEOUT", gt=0)
    # Server-side cap on every transaction of the local Neo4j, including those that set no
    # timeout of their own: a runaway query is stopped by the server, not only by the client.
    local_tx_timeout: int = Field(
        default=120, validation_alias="S3GRAPH_NEO4J_TX_TIMEOUT", ge=1, le=86_400
    )

    batch_size: int = Field(default=5000, validation_alias="S3GRAPH_BATCH_SIZE", ge=1, le=100_000)
    data_dir: Path = Field(default=PROJECT_ROOT / "data", validation_alias="S3GRAPH_DATA_DIR")
    # Requests one client (address) may make to the HTTP service, in the ``limits`` notation
    # ("50/second", "50/second;1000/minute"); empty: no limit. Past it: 429 with Retry-After.
    rate_limit: str = Field(default="50/second", validation_alias="S3GRAPH_RATE_LIMIT")
    # How long the HTTP service trusts the graph version it last read before serving a
    # remembered answer again: a load shows in its answers within this time (0: check every
    # request, one more round trip to Neo4j each).
    version_check_seconds: float = Field(
        default=1.0, validation_alias="S3GRAPH_VERSION_CHECK_SECONDS", ge=0, le=60
    )
    # The named 2 % sample of Horizon 2020 only, without the near-complete participation files:
    # a graph that loads in seconds (tests, quick demos).
    cordis_sample_only: bool = Field(default=False, validation_alias="S3GRAPH_CORDIS_SAMPLE_ONLY")
    # A running ``s3graph serve`` that the query commands ask first (``cli/service.py``);
    # empty: they always query Neo4j themselves.
    service_url: str = Field(default="http://127.0.0.1:8000", validation_alias="S3GRAPH_SERVICE")
    cordis_base_url: str = Field(
        default="https://cordis.europa.eu/data", validation_alias="S3GRAPH_CORDIS_BASE_URL"
    )

    @field_validator("rate_limit")
    @classmethod
    def rate(cls, value: str) -> str:
        """Read by the HTTP service only, which checks it when it starts
        (``api.limits.parse_rate``): other commands need not import ``limits``."""
        return value.strip()

    @property
    def downloads_dir(self) -> Path:
        """Where ``s3graph fetch`` keeps the official files, one folder per source."""
        return self.home / "downloads"

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri

    @property
    def neo4j_location(self) -> str:
        """Which Neo4j this is, as ``/health`` shows it (no credentials)."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_port} (local server)"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
