"""Who can connect us to X: ranked intermediaries on the routes from us to X."""

from __future__ import annotations

from neo4j import Driver

from queries.models import ConnectResult, EntityKind


def connect(
    driver: Driver,
    us: str,
    x: str,
    *,
    kind: EntityKind | None = None,
    k: int = 10,
    max_hops: int = 4,
    database: str | None = None,
    timeout: float | None = None,
) -> ConnectResult:
    """Brokers between ``us`` (organisation or region) and ``x`` (region, country,
    organisation or domain term; ``kind`` forces one reading)."""
    raise NotImplementedError
