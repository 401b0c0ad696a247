"""What the pack says about each region and source, read from the graph: the partner regions'
category, S3 priorities and organisations, the category of every NUTS 2 region for the map, and
the provenance (sources, load dates) of what is shown.

The partnership analytics themselves (paths, brokers, overlap, consortia) come from ``queries/``;
this module only describes regions and sources. Its statements are in
``queries/cypher/workshop.py``; functions fill parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, LiteralString

from neo4j import Driver
from pydantic import BaseModel, Field

from queries import cypher
from queries.runner import Reader


class PartnerRegionProfile(BaseModel):
    nuts_id: str
    name: str
    level: int
    country_code: str
    country: str | None = None
    category: str | None = None
    category_status: str | None = None
    category_source: str | None = None
    outermost: bool = False
    parent_id: str | None = None
    sources: list[str] = Field(default_factory=list)

    @property
    def category_label(self) -> str:
        """What the report prints: the category, or why there is none (never a guess)."""
        label = self.category or self.category_status or "no category in the data"
        return f"{label}, outermost" if self.outermost else label


class TopOrganisation(BaseModel):
    uid: str
    name: str
    nuts_id: str | None = None
    activity_type: str | None = None
    projects: int = 0
    hubs: int = 0
    clusters: int = 0
    consortia: int = 0
    foreign_countries: int = 0
    sources: list[str] = Field(default_factory=list)


class RegionActors(BaseModel):
    nuts_id: str
    organisations: int = 0
    top_organisations: list[TopOrganisation] = Field(default_factory=list)
    hubs: int = 0
    hub_names: list[str] = Field(default_factory=list)
    clusters: int = 0


class S3PriorityRow(BaseModel):
    nuts_id: str
    territory: str
    territory_level: int
    uid: str
    title: str
    description: str = ""
    domains: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class SourceInGraph(BaseModel):
    source: str
    nodes: int
    first_loaded: datetime | None = None
    last_loaded: datetime | None = None


class GraphInfo(BaseModel):
    version: int = 0
    updated_at: datetime | None = None
    last_source: str | None = None


def nuts2_of(nuts_id: str | None) -> str | None:
    """NUTS 3 codes have five characters; their NUTS 2 region is the first four."""
    if not nuts_id:
        return None
    return nuts_id[:4] if len(nuts_id) >= 4 else nuts_id


def _read(
    driver: Driver, query: LiteralString, database: str | None, **params: Any
) -> list[dict[str, Any]]:
    return Reader(driver, database).dicts(query, **params)


def _native(value: Any) -> Any:
    """Neo4j temporal values as Python datetimes."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def region_profiles(
    driver: Driver, nuts_ids: Sequence[str], database: str | None = None
) -> dict[str, PartnerRegionProfile]:
    rows = _read(driver, cypher.WORKSHOP_REGIONS, database, nuts_ids=list(nuts_ids))
    return {row["nuts_id"]: PartnerRegionProfile(**row) for row in rows}


def region_actors(
    driver: Driver, nuts_ids: Sequence[str], top: int = 12, database: str | None = None
) -> dict[str, RegionActors]:
    """Organisations, hubs and clusters located in each region (NUTS 3 regions included)."""
    actors = {nuts_id: RegionActors(nuts_id=nuts_id) for nuts_id in nuts_ids}
    for row in _read(
        driver, cypher.WORKSHOP_ORGANISATIONS, database, nuts_ids=list(nuts_ids), top=top
    ):
        entry = actors[row["nuts_id"]]
        entry.organisations = row["total"]
        entry.top_organisations = [TopOrganisation(**o) for o in row["top"]]
    for row in _read(driver, cypher.WORKSHOP_ACTORS, database, nuts_ids=list(nuts_ids)):
        entry = actors[row["nuts_id"]]
        entry.hubs = row["hubs"]
        entry.clusters = row["clusters"]
        entry.hub_names = [n for n in row["hub_names"] if n]
    return actors


def s3_priorities(
    driver: Driver, nuts_ids: Sequence[str], database: str | None = None
) -> dict[str, list[S3PriorityRow]]:
    result: dict[str, list[S3PriorityRow]] = {nuts_id: [] for nuts_id in nuts_ids}
    for row in _read(driver, cypher.WORKSHOP_S3_PRIORITIES, database, nuts_ids=list(nuts_ids)):
        result[row["nuts_id"]].append(S3PriorityRow(**row))
    return result


def sources_in_graph(driver: Driver, database: str | None = None) -> list[SourceInGraph]:
    rows = _read(driver, cypher.WORKSHOP_SOURCES_IN_GRAPH, database)
    return [
        SourceInGraph(
            source=r["source"],
            nodes=r["nodes"],
            first_loaded=_native(r["first_loaded"]),
            last_loaded=_native(r["last_loaded"]),
        )
        for r in rows
    ]


def label_counts(driver: Driver, database: str | None = None) -> dict[str, int]:
    return {r["label"]: r["nodes"] for r in _read(driver, cypher.WORKSHOP_LABEL_COUNTS, database)}


def graph_info(driver: Driver, database: str | None = None) -> GraphInfo:
    rows = _read(driver, cypher.WORKSHOP_GRAPH_META, database)
    if not rows:
        return GraphInfo()
    row = rows[0]
    return GraphInfo(
        version=row["version"] or 0,
        updated_at=_native(row["updated_at"]),
        last_source=row["last_source"],
    )


def nuts2_children(driver: Driver, nuts_id: str, database: str | None = None) -> list[str]:
    """'CODE Name' of the NUTS 2 regions under a NUTS 0 or 1 region."""
    rows = _read(driver, cypher.WORKSHOP_REGION_CHILDREN, database, nuts_id=nuts_id)
    return [f"{r['nuts_id']} {r['name']}" for r in rows]


def organisation_region(driver: Driver, uid: str, database: str | None = None) -> str | None:
    rows = _read(driver, cypher.WORKSHOP_ORGANISATION_REGION, database, uid=uid)
    return str(rows[0]["nuts_id"]) if rows else None
