"""Partnership paths: from an organisation or region to organisations in regions of a cohesion
category (or a given region or country), over ties between actors only."""

from __future__ import annotations

from neo4j import Driver

from queries.models import PathsResult

MAX_HOPS = 6
MAX_K = 50


def paths(
    driver: Driver,
    start: str,
    *,
    to_category: str | None = "less developed",
    to: str | None = None,
    domain: str | None = None,
    k: int = 10,
    max_hops: int = 4,
    database: str | None = None,
    timeout: float | None = None,
) -> PathsResult:
    """The ``k`` best paths from ``start`` (organisation or region) to organisations in regions
    of ``to_category`` ('less developed', 'transition', 'more developed' or 'outermost'), or in
    the region or country ``to`` (which then replaces the category)."""
    raise NotImplementedError
