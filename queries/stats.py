"""Counts of what is in the graph, by label, relationship type and source."""

from __future__ import annotations

from neo4j import Driver
from pydantic import BaseModel

from queries import cypher
from queries.runner import Reader


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
    return Reader(driver, database).run(_graph_stats)


def _graph_stats(reader: Reader) -> GraphStats:
    nodes = reader.rows(cypher.NODES_BY_LABEL)
    rels = reader.rows(cypher.RELS_BY_TYPE)
    org = reader.rows(cypher.ORGANISATION_RESOLUTION)[0]
    return GraphStats(
        nodes=[CountRow(name=r["label"], source=r["source"], count=r["count"]) for r in nodes],
        relationships=[
            CountRow(name=r["type"], source=r["source"], count=r["count"]) for r in rels
        ],
        organisations=org["organisations"],
        organisations_located=org["located"],
        organisations_in_several_sources=org["multi_source"],
    )


def node_count(driver: Driver, database: str | None = None) -> int:
    """How many nodes the graph holds (``s3graph db status``)."""
    record = Reader(driver, database).one(cypher.NODE_COUNT)
    return int(record["nodes"]) if record is not None else 0
