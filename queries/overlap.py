"""S3 overlap: shared and complementary domains of regions, and partner regions by S3 fit."""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import Driver

from queries.models import OverlapResult, PartnerRanking


def overlap(
    driver: Driver,
    regions: Sequence[str],
    *,
    database: str | None = None,
    timeout: float | None = None,
) -> OverlapResult:
    """The matrix of shared and complementary domains of ``regions`` (codes or names)."""
    raise NotImplementedError


def partner_regions(
    driver: Driver,
    region: str,
    *,
    among: Sequence[str] | None = None,
    k: int = 20,
    database: str | None = None,
    timeout: float | None = None,
) -> PartnerRanking:
    """Partner regions ranked by S3 fit with ``region`` (all NUTS 2 regions, or ``among``)."""
    raise NotImplementedError
