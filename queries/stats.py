"""Counts of what is in the graph, by label, relationship type and source."""

from __future__ import annotations

from neo4j import Driver
from pydantic import BaseModel

NODES_BY_LABEL = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND labels(n) AS label
UNWIND coalesce(n.sources, ['(none)']) AS source
RETURN label, source, count(*) AS count ORDER BY label, source
"""

RELS_BY_TYPE = """
MATCH ()-[r]->()
UNWIND coalesce(r.sources, ['(none)']) AS source
RETURN type(r) AS type, source, count(*) AS count ORDER BY type, source
"""

ORGANISATION_RESOLUTION = """
OPTIONAL MATCH (o:Organisation)
RETURN count(o) AS organisations,
       sum(CASE WHEN EXISTS { (o)-[:LOCATED_IN]->(:Region) } THEN 1 ELSE 0 END) AS located,
       sum(CASE WHEN size(coalesce(o.sources, [])) > 1 THEN 1 ELSE 0 END) AS multi_source
"""


class CountRow(BaseModel):
    name: str
    source: str
    count: int


class GraphStats(BaseModel):
    nodes: list[CountRow]
    relationships: list[CountRow]
    organisations: int
    organisations_located: int
    organisations_in_several_sources: int

    @property
    def share_located(self) -> float:
        return self.organisations_located / self.organisations if self.organisations else 0.0


def graph_stats(driver: Driver, database: str | None = None) -> GraphStats:
    nodes, _, _ = driver.execute_query(NODES_BY_LABEL, database_=database, routing_="r")
    rels, _, _ = driver.execute_query(RELS_BY_TYPE, database_=database, routing_="r")
    orgs, _, _ = driver.execute_query(ORGANISATION_RESOLUTION, database_=database, routing_="r")
    org = orgs[0]
    return GraphStats(
        nodes=[CountRow(name=r["label"], source=r["source"], count=r["count"]) for r in nodes],
        relationships=[
            CountRow(name=r["type"], source=r["source"], count=r["count"]) for r in rels
        ],
        organisations=org["organisations"],
        organisations_located=org["located"],
        organisations_in_several_sources=org["multi_source"],
    )
