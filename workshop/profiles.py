"""What the pack says about each region and source, read from the graph: the partner regions'
category, S3 priorities and organisations, the category of every NUTS 2 region for the map, and
the provenance (sources, load dates) of what is shown.

The partnership analytics themselves (paths, brokers, overlap, consortia) come from ``queries/``;
this module only describes regions and sources. Each query is a named constant; functions fill
parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, LiteralString

from neo4j import Driver
from pydantic import BaseModel, Field

REGIONS = """
UNWIND $nuts_ids AS id
MATCH (r:Region {nuts_id: id})
OPTIONAL MATCH (r)-[:PART_OF]->(parent:Region)
OPTIONAL MATCH (c:Country {code: r.country_code})
RETURN r.nuts_id AS nuts_id, r.name AS name, r.level AS level,
       r.country_code AS country_code, c.name AS country,
       coalesce(r.category, parent.category) AS category,
       coalesce(r.category_status, parent.category_status) AS category_status,
       coalesce(r.category_source, parent.category_source) AS category_source,
       coalesce(r.outermost, parent.outermost, false) AS outermost,
       parent.nuts_id AS parent_id,
       coalesce(r.sources, []) AS sources
"""

LEVEL2_CATEGORIES = """
MATCH (r:Region {level: 2})
RETURN r.nuts_id AS nuts_id, coalesce(r.category, r.category_status) AS category
"""

# Organisations located in the region or one of its NUTS 3 regions, with how tied they are.
ORGANISATIONS = """
UNWIND $nuts_ids AS id
MATCH (r:Region {nuts_id: id})
MATCH (x:Region)-[:PART_OF*0..1]->(r)
MATCH (o:Organisation)-[:LOCATED_IN]->(x)
WITH id, o, x
CALL (o) {
  RETURN count { (o)-[:PARTICIPATED_IN]->(:Project) } AS projects,
         count { (o)-[:PARTNER_IN|RUNS]->(:Hub) } AS hubs,
         count { (o)-[:RUNS]->(:Cluster) } AS clusters,
         count { (o)-[:MEMBER_OF]->(:Consortium) } AS consortia
}
CALL (o) {
  OPTIONAL MATCH (o)-[:PARTICIPATED_IN]->(:Project)<-[:PARTICIPATED_IN]-(other:Organisation)
  WHERE other.country_code <> o.country_code
  RETURN count(DISTINCT other.country_code) AS foreign_countries
}
WITH id, o, x, projects, hubs, clusters, consortia, foreign_countries,
     projects + 2 * hubs + 2 * clusters + consortia AS ties
ORDER BY ties DESC, foreign_countries DESC, o.name
WITH id, count(o) AS total,
     collect({uid: o.uid, name: o.name, nuts_id: x.nuts_id,
              activity_type: o.activity_type, projects: projects, hubs: hubs,
              clusters: clusters, consortia: consortia,
              foreign_countries: foreign_countries,
              sources: coalesce(o.sources, [])})[..$top] AS top
RETURN id AS nuts_id, total, top
"""

ACTORS = """
UNWIND $nuts_ids AS id
MATCH (r:Region {nuts_id: id})
RETURN id AS nuts_id,
       count { MATCH (h:Hub)-[:LOCATED_IN]->(x:Region)
               WHERE x = r OR (x)-[:PART_OF]->(r) } AS hubs,
       count { MATCH (c:Cluster)-[:LOCATED_IN]->(x:Region)
               WHERE x = r OR (x)-[:PART_OF]->(r) } AS clusters,
       [(h:Hub)-[:LOCATED_IN]->(x:Region) WHERE x = r OR (x)-[:PART_OF]->(r)
        | coalesce(h.acronym, h.name)][..12] AS hub_names
"""

# Priorities of the region, of its NUTS 3 regions, and of the levels above it (a national S3
# applies to every region of the country): ``territory`` says whose strategy it is.
S3_PRIORITIES = """
UNWIND $nuts_ids AS id
MATCH (r:Region {nuts_id: id})
CALL (r) {
  MATCH (x:Region)-[:PART_OF*0..1]->(r) RETURN x
  UNION
  MATCH (r)-[:PART_OF*1..3]->(x:Region) RETURN x
}
MATCH (x)-[:HAS_PRIORITY]->(p:S3Priority)
OPTIONAL MATCH (p)-[:IN_DOMAIN]->(d:Domain)
WITH id, x, p, collect(DISTINCT d.name) AS domains
ORDER BY x.level DESC, x.nuts_id, p.title
RETURN id AS nuts_id, x.nuts_id AS territory, x.level AS territory_level, p.uid AS uid,
       p.title AS title, coalesce(p.description, '') AS description, domains,
       coalesce(p.sources, []) AS sources
"""

SOURCES_IN_GRAPH = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND coalesce(n.sources, []) AS source
RETURN source, count(*) AS nodes, min(n.loaded_at) AS first_loaded,
       max(n.loaded_at) AS last_loaded
ORDER BY source
"""

LABEL_COUNTS = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND labels(n) AS label
RETURN label, count(*) AS nodes
"""

GRAPH_META = """
MATCH (m:GraphMeta {key: 'graph'})
RETURN m.version AS version, m.updated_at AS updated_at, m.last_source AS last_source
"""


class RegionProfile(BaseModel):
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


class OrganisationSummary(BaseModel):
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
    top_organisations: list[OrganisationSummary] = Field(default_factory=list)
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
    records, _, _ = driver.execute_query(query, params, database_=database, routing_="r")
    return [record.data() for record in records]


def _native(value: Any) -> Any:
    """Neo4j temporal values as Python datetimes."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def region_profiles(
    driver: Driver, nuts_ids: Sequence[str], database: str | None = None
) -> dict[str, RegionProfile]:
    rows = _read(driver, REGIONS, database, nuts_ids=list(nuts_ids))
    return {row["nuts_id"]: RegionProfile(**row) for row in rows}


def level2_categories(driver: Driver, database: str | None = None) -> dict[str, str | None]:
    """The category of every NUTS 2 region, or why it has none ('outside EU cohesion policy',
    'no data'), for the map and the badges."""
    return {r["nuts_id"]: r["category"] for r in _read(driver, LEVEL2_CATEGORIES, database)}


def region_actors(
    driver: Driver, nuts_ids: Sequence[str], top: int = 12, database: str | None = None
) -> dict[str, RegionActors]:
    """Organisations, hubs and clusters located in each region (NUTS 3 regions included)."""
    actors = {nuts_id: RegionActors(nuts_id=nuts_id) for nuts_id in nuts_ids}
    for row in _read(driver, ORGANISATIONS, database, nuts_ids=list(nuts_ids), top=top):
        entry = actors[row["nuts_id"]]
        entry.organisations = row["total"]
        entry.top_organisations = [OrganisationSummary(**o) for o in row["top"]]
    for row in _read(driver, ACTORS, database, nuts_ids=list(nuts_ids)):
        entry = actors[row["nuts_id"]]
        entry.hubs = row["hubs"]
        entry.clusters = row["clusters"]
        entry.hub_names = [n for n in row["hub_names"] if n]
    return actors


def s3_priorities(
    driver: Driver, nuts_ids: Sequence[str], database: str | None = None
) -> dict[str, list[S3PriorityRow]]:
    result: dict[str, list[S3PriorityRow]] = {nuts_id: [] for nuts_id in nuts_ids}
    for row in _read(driver, S3_PRIORITIES, database, nuts_ids=list(nuts_ids)):
        result[row["nuts_id"]].append(S3PriorityRow(**row))
    return result


def sources_in_graph(driver: Driver, database: str | None = None) -> list[SourceInGraph]:
    rows = _read(driver, SOURCES_IN_GRAPH, database)
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
    return {r["label"]: r["nodes"] for r in _read(driver, LABEL_COUNTS, database)}


def graph_info(driver: Driver, database: str | None = None) -> GraphInfo:
    rows = _read(driver, GRAPH_META, database)
    if not rows:
        return GraphInfo()
    row = rows[0]
    return GraphInfo(
        version=row["version"] or 0,
        updated_at=_native(row["updated_at"]),
        last_source=row["last_source"],
    )


REGION_CHILDREN = """
MATCH (c:Region {level: 2})-[:PART_OF*1..2]->(:Region {nuts_id: $nuts_id})
WHERE NOT coalesce(c.extra_regio, false)
RETURN c.nuts_id AS nuts_id, c.name AS name ORDER BY c.nuts_id
"""

# The organisation's region at NUTS 2 (it may be located at NUTS 3 or NUTS 2).
ORGANISATION_REGION = """
MATCH (o:Organisation {uid: $uid})-[:LOCATED_IN]->(x:Region)
MATCH (x)-[:PART_OF*0..1]->(r:Region {level: 2})
RETURN r.nuts_id AS nuts_id LIMIT 1
"""


def nuts2_children(driver: Driver, nuts_id: str, database: str | None = None) -> list[str]:
    """'CODE Name' of the NUTS 2 regions under a NUTS 0 or 1 region."""
    rows = _read(driver, REGION_CHILDREN, database, nuts_id=nuts_id)
    return [f"{r['nuts_id']} {r['name']}" for r in rows]


def organisation_region(driver: Driver, uid: str, database: str | None = None) -> str | None:
    rows = _read(driver, ORGANISATION_REGION, database, uid=uid)
    return str(rows[0]["nuts_id"]) if rows else None
