"""Brokerage analytics with networkx on the organisation graph projected from Neo4j."""

from __future__ import annotations

from neo4j import Driver

from queries.models import BrokerageResult


def brokerage(
    driver: Driver,
    *,
    domain: str | None = None,
    top: int = 20,
    database: str | None = None,
    timeout: float | None = None,
) -> BrokerageResult:
    """Organisations that sit between developed and less developed regions (betweenness and
    Burt's constraint) and communities of organisations that work together; cached per graph
    version."""
    raise NotImplementedError
