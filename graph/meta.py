"""The graph version: bumped by every load, so cached analytics know when to recompute."""

from __future__ import annotations

from neo4j import Driver

BUMP_VERSION = """
MERGE (m:GraphMeta {key: 'graph'})
SET m.version = coalesce(m.version, 0) + 1,
    m.updated_at = datetime(),
    m.last_source = $source
RETURN m.version AS version
"""

READ_VERSION = "MATCH (m:GraphMeta {key: 'graph'}) RETURN m.version AS version"


def bump_graph_version(driver: Driver, database: str | None, source: str) -> int:
    records, _, _ = driver.execute_query(BUMP_VERSION, source=source, database_=database)
    return int(records[0]["version"])


def graph_version(driver: Driver, database: str | None = None) -> int:
    records, _, _ = driver.execute_query(READ_VERSION, database_=database, routing_="r")
    return int(records[0]["version"]) if records else 0
