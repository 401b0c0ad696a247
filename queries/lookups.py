"""Look-ups behind the HTTP API and the visual explorer: lists with filters and pagination, search
by name through the full-text index ``entity_names``, one thing by its key, the neighbourhood of a
node, and the details (category, provenance) of nodes named by other queries.

Every query is a named constant; the few that need a label or relationship type in the pattern
are templates filled from the enums of ``graph/schema.py`` only. Values always travel as
parameters. Each call runs in a read transaction with a timeout (``Reader``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, LiteralString, TypeVar

import neo4j
from neo4j import Driver
from pydantic import BaseModel, Field

from graph.codes import fold_name
from graph.errors import NotFound
from graph.schema import FULLTEXT_INDEX, FULLTEXT_STOP_WORDS, NODE_KEYS, NodeLabel, RelType

T = TypeVar("T")

# -- running read queries ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Neo4j temporal values become Python ones, so pydantic and JSON take them."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    return value


@dataclass(frozen=True, slots=True)
class Reader:
    """Runs read queries, each in one explicit read transaction with the configured timeout.

    An explicit transaction (not ``execute_read``) is used on purpose: when Neo4j is down the
    caller hears it at once (and answers 503) instead of after 30 s of driver retries.
    """

    driver: Driver
    database: str | None
    timeout: float

    def rows(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        with (
            self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
            session.begin_transaction(timeout=self.timeout) as tx,
        ):
            result = tx.run(query, params)
            return [_plain(record.data()) for record in result]

    def one(self, query: LiteralString, **params: Any) -> dict[str, Any] | None:
        rows = self.rows(query, **params)
        return rows[0] if rows else None


# -- shared models ----------------------------------------------------------------------------


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, and how many match in all."""

    total: int
    limit: int
    offset: int
    items: list[T]


class Link(BaseModel):
    """A reference to another node, enough to show it and to link to its page."""

    label: str
    key: str
    name: str


class Provenance(BaseModel):
    sources: list[str] = Field(default_factory=list, description="Sources that stated it.")
    loaded_at: datetime | None = Field(default=None, description="When it was last loaded.")


class RegionSummary(BaseModel):
    nuts_id: str
    name: str
    level: int | None = None
    country_code: str | None = None
    category: str | None = Field(
        default=None,
        description="Cohesion category of the NUTS 2 region (NUTS 3 inherit their parent's).",
    )
    category_status: str | None = None
    outermost: bool = False
    parent: str | None = None


class RegionDetail(Provenance, RegionSummary):
    name_latin: str | None = None
    nuts_version: str | None = None
    children: list[Link] = Field(default_factory=list)
    domains: list[Link] = Field(default_factory=list, description="Domains of its S3 priorities.")
    organisations: int = Field(0, description="Organisations located in it or below it.")
    hubs: int = 0
    clusters: int = 0


class OrganisationSummary(BaseModel):
    uid: str
    name: str
    country_code: str | None = None
    region: str | None = Field(default=None, description="NUTS id it is located in.")
    region_name: str | None = None
    category: str | None = None
    activity_type: str | None = None
    web_domain: str | None = None


class OrganisationDetail(Provenance, OrganisationSummary):
    pic: str | None = None
    vat: str | None = None
    nuts_from: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    projects: int = 0
    hubs: list[Link] = Field(default_factory=list)
    consortia: list[Link] = Field(default_factory=list)
    clusters: list[Link] = Field(default_factory=list)


class HubSummary(BaseModel):
    uid: str
    name: str
    acronym: str | None = None
    status: str | None = None
    website: str | None = None
    country_code: str | None = None
    region: str | None = None
    region_name: str | None = None
    category: str | None = None


class HubDetail(Provenance, HubSummary):
    domains: list[Link] = Field(default_factory=list, description="Domains the hub offers.")
    partners: list[Link] = Field(default_factory=list)
    run_by: list[Link] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)


class ClusterSummary(BaseModel):
    uid: str
    name: str
    country_code: str | None = None
    region: str | None = None
    region_name: str | None = None
    category: str | None = None


class ClusterDetail(Provenance, ClusterSummary):
    domains: list[Link] = Field(default_factory=list)
    partnerships: list[Link] = Field(default_factory=list)
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Further facts the source gives (size figures...)."
    )


class DomainSummary(BaseModel):
    code: str
    name: str
    kind: str | None = None
    aliases: list[str] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)


class DomainDetail(Provenance, DomainSummary):
    subdomains: list[Link] = Field(default_factory=list)
    regions: int = Field(0, description="Regions with an S3 priority in this domain.")
    projects: int = 0
    hubs: int = 0
    clusters: int = 0


class SearchHit(BaseModel):
    label: str
    key: str
    name: str
    detail: str = ""
    score: float


# -- text search ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def lucene_query(text: str) -> str | None:
    """A safe full-text query from free text: every word must match, as a word or a prefix.

    Only word characters survive, so Lucene syntax in the input cannot break the query. The
    plain word goes through the index's accent folding; the prefix form is folded here, because
    Lucene does not analyse wildcard terms. Returns None when no word is left.

    >>> lucene_query("Univ. of Crete")
    '(univ OR univ*) AND (crete OR crete*)'
    """
    words = [w for w in _WORD.findall(text.casefold()) if w not in FULLTEXT_STOP_WORDS]
    if not words:
        return None
    return " AND ".join(f"({w} OR {fold_name(w)}*)" for w in words)


def normalise_text_filter(text: str | None) -> str | None:
    """Case-insensitive substring filter value, or None when empty."""
    if text is None:
        return None
    cleaned = text.strip().casefold()
    return cleaned or None


# -- Cypher fragments -------------------------------------------------------------------------
# The NUTS 2 region a node belongs to (itself, its NUTS 2 parent, or the region it is located
# in): NUTS 3 regions and the actors located in them take their NUTS 2 category.

_NUTS2_OF_X: LiteralString = """
head(COLLECT {
  MATCH (x)-[:LOCATED_IN*0..1]->(:Region)-[:PART_OF*0..1]->(c:Region {level: 2})
  RETURN c {.category, .category_status, .outermost} LIMIT 1
})"""

_PAGE_TAIL: LiteralString = (
    """
WITH size(hits) AS total, hits[$offset..($offset + $limit)] AS page
CALL (page) {
  UNWIND range(0, size(page) - 1) AS i
  WITH i, page[i] AS x
  ORDER BY i
  RETURN collect(x {.*, _cohesion: """
    + _NUTS2_OF_X
    + """,
    _region: head(COLLECT {
      MATCH (x)-[:LOCATED_IN]->(r:Region) RETURN r {.nuts_id, .name, .country_code}
    }),
    _parent: head(COLLECT { MATCH (x)-[:PART_OF]->(p:Region) RETURN p.nuts_id })
  }) AS items
}
RETURN total, items
"""
)

# -- regions ----------------------------------------------------------------------------------

REGIONS_PAGE: LiteralString = (
    """
MATCH (x:Region)
WHERE ($country IS NULL OR x.country_code = $country)
  AND ($level IS NULL OR x.level = $level)
  AND ($category IS NULL OR """
    + _NUTS2_OF_X
    + """.category = $category)
  AND ($text IS NULL OR toLower(x.name) CONTAINS $text
       OR toLower(coalesce(x.name_latin, '')) CONTAINS $text OR toLower(x.nuts_id) = $text)
WITH x ORDER BY x.nuts_id
WITH collect(x) AS hits
"""
    + _PAGE_TAIL
)

REGION_DETAIL: LiteralString = (
    """
MATCH (x:Region {nuts_id: $key})
RETURN x {.*, _cohesion: """
    + _NUTS2_OF_X
    + """,
  _parent: head(COLLECT { MATCH (x)-[:PART_OF]->(p:Region) RETURN p.nuts_id }),
  _children: COLLECT {
    MATCH (c:Region)-[:PART_OF]->(x)
    RETURN {label: 'Region', key: c.nuts_id, name: c.name} ORDER BY c.nuts_id
  },
  _domains: COLLECT {
    MATCH (x)-[:HAS_PRIORITY]->(:S3Priority)-[:IN_DOMAIN]->(d:Domain)
    WITH DISTINCT d ORDER BY d.code
    RETURN {label: 'Domain', key: d.code, name: d.name}
  },
  _organisations: COUNT {
    MATCH (:Organisation)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(x)
  },
  _hubs: COUNT { MATCH (:Hub)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(x) },
  _clusters: COUNT { MATCH (:Cluster)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(x) }
} AS x
"""
)

# -- organisations, hubs, clusters --------------------------------------------------------------
# Filters shared by the located actors: country, and region (the region it is located in or any
# region above it).

_ACTOR_FILTERS: LiteralString = """
  AND ($country IS NULL OR x.country_code = $country
       OR EXISTS { MATCH (x)-[:LOCATED_IN]->(:Region {country_code: $country}) })
  AND ($region IS NULL
       OR EXISTS {
         MATCH (x)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(:Region {nuts_id: $region})
       })
"""

ORGANISATIONS_PAGE: LiteralString = (
    "MATCH (x:Organisation) WHERE true"
    + _ACTOR_FILTERS
    + "WITH x ORDER BY x.name, x.uid\nWITH collect(x) AS hits"
    + _PAGE_TAIL
)

ORGANISATIONS_SEARCH: LiteralString = (
    """
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node AS x, score
WHERE x:Organisation"""
    + _ACTOR_FILTERS
    + "WITH x, score ORDER BY score DESC, x.name, x.uid\nWITH collect(x) AS hits"
    + _PAGE_TAIL
)

HUBS_PAGE: LiteralString = (
    "MATCH (x:Hub) WHERE true"
    + _ACTOR_FILTERS
    + """  AND ($text IS NULL OR toLower(x.name) CONTAINS $text
       OR toLower(coalesce(x.acronym, '')) CONTAINS $text)
  AND ($status IS NULL OR x.status = $status)
WITH x ORDER BY x.name, x.uid
WITH collect(x) AS hits"""
    + _PAGE_TAIL
)

CLUSTERS_PAGE: LiteralString = (
    "MATCH (x:Cluster) WHERE true"
    + _ACTOR_FILTERS
    + """  AND ($text IS NULL OR toLower(x.name) CONTAINS $text
       OR toLower(coalesce(x.acronym, '')) CONTAINS $text)
  AND ($domain IS NULL OR EXISTS { MATCH (x)-[:ACTIVE_IN]->(:Domain {code: $domain}) })
WITH x ORDER BY x.name, x.uid
WITH collect(x) AS hits"""
    + _PAGE_TAIL
)

ORGANISATION_DETAIL: LiteralString = (
    """
MATCH (x:Organisation {uid: $key})
RETURN x {.*, _cohesion: """
    + _NUTS2_OF_X
    + """,
  _region: head(COLLECT { MATCH (x)-[:LOCATED_IN]->(r:Region) RETURN r {.nuts_id, .name} }),
  _projects: COUNT { MATCH (x)-[:PARTICIPATED_IN]->(:Project) },
  _hubs: COLLECT {
    MATCH (x)-[:PARTNER_IN|RUNS]->(h:Hub) WITH DISTINCT h ORDER BY h.name
    RETURN {label: 'Hub', key: h.uid, name: h.name}
  },
  _consortia: COLLECT {
    MATCH (x)-[:MEMBER_OF]->(c:Consortium) WITH DISTINCT c ORDER BY c.name
    RETURN {label: 'Consortium', key: c.uid, name: c.name}
  },
  _clusters: COLLECT {
    MATCH (x)-[:RUNS]->(c:Cluster) WITH DISTINCT c ORDER BY c.name
    RETURN {label: 'Cluster', key: c.uid, name: c.name}
  }
} AS x
"""
)

HUB_DETAIL: LiteralString = (
    """
MATCH (x:Hub {uid: $key})
RETURN x {.*, _cohesion: """
    + _NUTS2_OF_X
    + """,
  _region: head(COLLECT {
    MATCH (x)-[:LOCATED_IN]->(r:Region) RETURN r {.nuts_id, .name, .country_code}
  }),
  _domains: COLLECT {
    MATCH (x)-[:OFFERS]->(d:Domain) WITH DISTINCT d ORDER BY d.code
    RETURN {label: 'Domain', key: d.code, name: d.name}
  },
  _partners: COLLECT {
    MATCH (o:Organisation)-[:PARTNER_IN]->(x) WITH DISTINCT o ORDER BY o.name
    RETURN {label: 'Organisation', key: o.uid, name: o.name}
  },
  _run_by: COLLECT {
    MATCH (o:Organisation)-[:RUNS]->(x) WITH DISTINCT o ORDER BY o.name
    RETURN {label: 'Organisation', key: o.uid, name: o.name}
  },
  _networks: COLLECT { MATCH (x)-[:IN_NETWORK]->(n:Network) RETURN DISTINCT n.name }
} AS x
"""
)

CLUSTER_DETAIL: LiteralString = (
    """
MATCH (x:Cluster {uid: $key})
RETURN x {.*, _cohesion: """
    + _NUTS2_OF_X
    + """,
  _region: head(COLLECT {
    MATCH (x)-[:LOCATED_IN]->(r:Region) RETURN r {.nuts_id, .name, .country_code}
  }),
  _domains: COLLECT {
    MATCH (x)-[:ACTIVE_IN]->(d:Domain) WITH DISTINCT d ORDER BY d.code
    RETURN {label: 'Domain', key: d.code, name: d.name}
  },
  _partnerships: COLLECT {
    MATCH (x)-[:IN_PARTNERSHIP]->(p:Partnership) WITH DISTINCT p ORDER BY p.acronym
    RETURN {label: 'Partnership', key: p.uid, name: coalesce(p.acronym, p.name, p.uid)}
  }
} AS x
"""
)

# -- domains ----------------------------------------------------------------------------------

DOMAINS_PAGE: LiteralString = """
MATCH (x:Domain)
WHERE ($kind IS NULL OR x.kind = $kind)
  AND ($text IS NULL OR toLower(x.name) CONTAINS $text OR x.code CONTAINS $text
       OR any(a IN coalesce(x.aliases, []) WHERE toLower(a) CONTAINS $text))
WITH x ORDER BY x.kind, x.code
WITH collect(x) AS hits
WITH size(hits) AS total, hits[$offset..($offset + $limit)] AS page
CALL (page) {
  UNWIND range(0, size(page) - 1) AS i
  WITH i, page[i] AS x
  ORDER BY i
  RETURN collect(x {.*,
    _parents: COLLECT { MATCH (x)-[:SUBDOMAIN_OF]->(p:Domain) RETURN p.code ORDER BY p.code }
  }) AS items
}
RETURN total, items
"""

DOMAIN_DETAIL: LiteralString = """
MATCH (x:Domain {code: $key})
RETURN x {.*,
  _parents: COLLECT { MATCH (x)-[:SUBDOMAIN_OF]->(p:Domain) RETURN p.code ORDER BY p.code },
  _subdomains: COLLECT {
    MATCH (s:Domain)-[:SUBDOMAIN_OF]->(x) WITH s ORDER BY s.code
    RETURN {label: 'Domain', key: s.code, name: s.name}
  },
  _regions: COUNT {
    MATCH (r:Region)-[:HAS_PRIORITY]->(:S3Priority)-[:IN_DOMAIN]->(x) RETURN DISTINCT r
  },
  _projects: COUNT { MATCH (:Project)-[:IN_DOMAIN]->(x) },
  _hubs: COUNT { MATCH (:Hub)-[:OFFERS]->(x) },
  _clusters: COUNT { MATCH (:Cluster)-[:ACTIVE_IN]->(x) }
} AS x
"""

# -- service ----------------------------------------------------------------------------------

HEALTH: LiteralString = """
OPTIONAL MATCH (m:GraphMeta {key: 'graph'})
RETURN coalesce(properties(m)['version'], 0) AS version, COUNT { MATCH (n) } AS nodes
"""

# -- search -----------------------------------------------------------------------------------

SEARCH: LiteralString = """
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node, score
WHERE $label IS NULL OR $label IN labels(node)
RETURN labels(node) AS labels, properties(node) AS props, score
ORDER BY score DESC
LIMIT $limit
"""

# Close matches for a key that does not exist, shown with a 404.
SUGGEST: LiteralString = """
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node, score
WHERE $label IN labels(node)
RETURN properties(node) AS props
ORDER BY score DESC
LIMIT 5
"""

# -- neighbourhoods and node details (label slots filled from NodeLabel only) ------------------

# Neighbour ordering for the cap: actors first, then whole-network nodes, then by name.
_NEIGHBOUR_RANK: LiteralString = """
CASE WHEN m:Organisation OR m:Hub OR m:Cluster OR m:Project OR m:Consortium OR m:Partnership
     THEN 0 WHEN m:Region OR m:Country THEN 1 ELSE 2 END"""

_NODE_VIEW: LiteralString = (
    "{labels: labels(x), props: properties(x), cohesion: "
    + _NUTS2_OF_X
    + ",\n region: head(COLLECT { MATCH (x)-[:LOCATED_IN]->(r:Region) RETURN r.nuts_id })}"
)

NEIGHBOURHOOD_TEMPLATE: LiteralString = (
    """
MATCH (n:__LABEL__ {__KEY__: $key})
CALL (n) {
  MATCH (n)--(m) WHERE NOT m:GraphMeta
  RETURN count(DISTINCT m) AS total
}
CALL (n) {
  MATCH (n)-[r]-(m)
  WHERE NOT m:GraphMeta
    AND ($neighbour_label IS NULL OR $neighbour_label IN labels(m))
    AND ($rel_type IS NULL OR type(r) = $rel_type)
    AND ($text IS NULL OR toLower(coalesce(m.name, m.acronym, m.title, '')) CONTAINS $text
         OR toLower(coalesce(m.nuts_id, m.code, m.uid, '')) = $text)
  WITH DISTINCT m
  WITH m ORDER BY """
    + _NEIGHBOUR_RANK
    + """, coalesce(m.name, m.acronym, m.title, ''), elementId(m)
  WITH collect(m) AS matched
  RETURN size(matched) AS matching, matched[..$limit] AS shown
}
WITH total, matching, [n] + shown AS nodes
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[r]->(b) WHERE b IN nodes
  RETURN collect({start: elementId(a), end: elementId(b), type: type(r),
                  props: properties(r)}) AS rels
}
UNWIND range(0, size(nodes) - 1) AS i
WITH total, matching, rels, i, nodes[i] AS x
ORDER BY i
RETURN total, matching, rels, collect({id: elementId(x), view: """
    + _NODE_VIEW
    + """}) AS nodes
"""
)

NEIGHBOUR_FACETS_TEMPLATE: LiteralString = """
MATCH (n:__LABEL__ {__KEY__: $key})-[r]-(m)
WHERE NOT m:GraphMeta
RETURN type(r) AS type, labels(m)[0] AS label, count(DISTINCT m) AS count
ORDER BY count DESC, type, label
"""

NODES_BY_KEY_TEMPLATE: LiteralString = (
    """
UNWIND $keys AS k
MATCH (x:__LABEL__ {__KEY__: k})
RETURN elementId(x) AS id, """
    + _NODE_VIEW
    + """ AS view
"""
)

SUGGEST_KEYS_TEMPLATE: LiteralString = """
MATCH (x:__LABEL__) WHERE x.__KEY__ STARTS WITH $prefix
RETURN properties(x) AS props ORDER BY x.__KEY__ LIMIT 5
"""

RELS_BETWEEN: LiteralString = """
UNWIND $pairs AS p
MATCH (a)-[r]->(b)
WHERE elementId(a) = p.start AND elementId(b) = p.end AND type(r) = p.type
RETURN p.start AS start, p.end AS end, type(r) AS type, properties(r) AS props
"""


def _fill(template: LiteralString, label: NodeLabel) -> LiteralString:
    """Fills a template's label and key slots from the schema enum (never from input)."""
    label = NodeLabel(label)
    filled = template.replace("__LABEL__", label.value).replace("__KEY__", NODE_KEYS[label])
    return filled  # type: ignore[return-value,unused-ignore]


def neighbourhood_query(label: NodeLabel) -> LiteralString:
    return _fill(NEIGHBOURHOOD_TEMPLATE, label)


def facets_query(label: NodeLabel) -> LiteralString:
    return _fill(NEIGHBOUR_FACETS_TEMPLATE, label)


def nodes_by_key_query(label: NodeLabel) -> LiteralString:
    return _fill(NODES_BY_KEY_TEMPLATE, label)


def suggest_keys_query(label: NodeLabel) -> LiteralString:
    return _fill(SUGGEST_KEYS_TEMPLATE, label)


# Labels a node page can be opened for: everything but the bookkeeping node.
BROWSABLE_LABELS: tuple[NodeLabel, ...] = tuple(
    label for label in NodeLabel if label is not NodeLabel.GRAPH_META
)

# Every named query with its parameters filled for EXPLAIN (tests run each one).
NAMED_QUERIES: dict[str, LiteralString] = {
    "REGIONS_PAGE": REGIONS_PAGE,
    "REGION_DETAIL": REGION_DETAIL,
    "ORGANISATIONS_PAGE": ORGANISATIONS_PAGE,
    "ORGANISATIONS_SEARCH": ORGANISATIONS_SEARCH,
    "ORGANISATION_DETAIL": ORGANISATION_DETAIL,
    "HUBS_PAGE": HUBS_PAGE,
    "HUB_DETAIL": HUB_DETAIL,
    "CLUSTERS_PAGE": CLUSTERS_PAGE,
    "CLUSTER_DETAIL": CLUSTER_DETAIL,
    "DOMAINS_PAGE": DOMAINS_PAGE,
    "DOMAIN_DETAIL": DOMAIN_DETAIL,
    "HEALTH": HEALTH,
    "SEARCH": SEARCH,
    "SUGGEST": SUGGEST,
    "RELS_BETWEEN": RELS_BETWEEN,
    **{f"NEIGHBOURHOOD[{label.value}]": neighbourhood_query(label) for label in BROWSABLE_LABELS},
    **{f"FACETS[{label.value}]": facets_query(label) for label in BROWSABLE_LABELS},
    **{f"NODES_BY_KEY[{label.value}]": nodes_by_key_query(label) for label in BROWSABLE_LABELS},
    **{f"SUGGEST_KEYS[{label.value}]": suggest_keys_query(label) for label in BROWSABLE_LABELS},
}


# -- row -> model -----------------------------------------------------------------------------


def display_name(label: str, props: dict[str, Any]) -> str:
    """The name a person would recognise: name, acronym or title, else the key."""
    for field in ("name", "acronym", "title", "short_name"):
        value = props.get(field)
        if value:
            return str(value)
    try:
        key_field = NODE_KEYS[NodeLabel(label)]
    except ValueError:
        return "?"
    return str(props.get(key_field, "?"))


def category_of(cohesion: dict[str, Any] | None) -> str | None:
    return cohesion.get("category") if cohesion else None


def _summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Fields shared by located actors: region, its name, category."""
    region = row.get("_region") or {}
    return {
        "region": region.get("nuts_id"),
        "region_name": region.get("name"),
        "category": category_of(row.get("_cohesion")),
        "country_code": row.get("country_code") or region.get("country_code"),
    }


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {"sources": row.get("sources") or [], "loaded_at": row.get("loaded_at")}


def _links(rows: Iterable[dict[str, Any]] | None) -> list[Link]:
    return [
        Link(label=r["label"], key=str(r["key"]), name=str(r["name"] or r["key"]))
        for r in rows or []
    ]


def _region_summary(row: dict[str, Any]) -> RegionSummary:
    cohesion = row.get("_cohesion") or {}
    return RegionSummary(
        nuts_id=row["nuts_id"],
        name=row.get("name") or row["nuts_id"],
        level=row.get("level"),
        country_code=row.get("country_code"),
        category=cohesion.get("category"),
        category_status=row.get("category_status") or cohesion.get("category_status"),
        outermost=bool(row.get("outermost") or cohesion.get("outermost")),
        parent=row.get("_parent"),
    )


def _organisation_summary(row: dict[str, Any]) -> OrganisationSummary:
    return OrganisationSummary(
        uid=row["uid"],
        name=row.get("name") or row["uid"],
        activity_type=row.get("activity_type"),
        web_domain=row.get("web_domain"),
        **_summary_fields(row),
    )


def _hub_summary(row: dict[str, Any]) -> HubSummary:
    return HubSummary(
        uid=row["uid"],
        name=row.get("name") or row.get("acronym") or row["uid"],
        acronym=row.get("acronym"),
        status=row.get("status"),
        website=row.get("website"),
        **_summary_fields(row),
    )


def _cluster_summary(row: dict[str, Any]) -> ClusterSummary:
    return ClusterSummary(
        uid=row["uid"], name=row.get("name") or row["uid"], **_summary_fields(row)
    )


def _domain_summary(row: dict[str, Any]) -> DomainSummary:
    return DomainSummary(
        code=row["code"],
        name=row.get("name") or row["code"],
        kind=row.get("kind"),
        aliases=row.get("aliases") or [],
        parents=row.get("_parents") or [],
    )


# -- look-ups ---------------------------------------------------------------------------------


def graph_health(reader: Reader) -> tuple[int, int]:
    """(graph version, node count): proves a read transaction goes through."""
    row = reader.one(HEALTH)
    return (int(row["version"]), int(row["nodes"])) if row else (0, 0)


def suggestions(reader: Reader, label: NodeLabel, text: str) -> list[str]:
    """Up to five ``label`` nodes close to ``text``: keys that share all but its last
    character (DK06 -> DK05...), then names that match its words."""
    key_field = NODE_KEYS[label]
    rows: list[dict[str, Any]] = []
    prefix = text.strip()[:-1]
    if len(prefix) >= 2:
        upper = prefix.upper() if label is NodeLabel.REGION else prefix
        rows += reader.rows(suggest_keys_query(label), prefix=upper)
    lucene = lucene_query(text)
    if lucene is not None:
        rows += reader.rows(SUGGEST, index=FULLTEXT_INDEX, lucene=lucene, label=label.value)
    found: list[str] = []
    for row in rows:
        props = row["props"]
        entry = f"{props.get(key_field)} ({display_name(label.value, props)})"
        if entry not in found:
            found.append(entry)
    return found[:5]


def _not_found(reader: Reader, label: NodeLabel, what: str, key: str) -> NotFound:
    return NotFound(f"no {what} with {NODE_KEYS[label]} '{key}'", suggestions(reader, label, key))


def _page(
    reader: Reader,
    query: LiteralString,
    limit: int,
    offset: int,
    **params: Any,
) -> tuple[int, list[dict[str, Any]]]:
    row = reader.one(query, limit=limit, offset=offset, **params)
    if row is None:
        return 0, []
    return int(row["total"]), list(row["items"])


def list_regions(
    reader: Reader,
    *,
    country: str | None = None,
    level: int | None = None,
    category: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[RegionSummary]:
    """Regions by country (EU-style code), NUTS level, cohesion category and name."""
    total, items = _page(
        reader,
        REGIONS_PAGE,
        limit,
        offset,
        country=country,
        level=level,
        category=category,
        text=normalise_text_filter(text),
    )
    return Page[RegionSummary](
        total=total, limit=limit, offset=offset, items=[_region_summary(r) for r in items]
    )


def get_region(reader: Reader, nuts_id: str) -> RegionDetail:
    key = nuts_id.strip().upper()
    row = reader.one(REGION_DETAIL, key=key)
    if row is None:
        raise _not_found(reader, NodeLabel.REGION, "region", nuts_id)
    x = row["x"]
    summary = _region_summary(x)
    return RegionDetail(
        **summary.model_dump(),
        **_provenance(x),
        name_latin=x.get("name_latin"),
        nuts_version=x.get("nuts_version"),
        children=_links(x.get("_children")),
        domains=_links(x.get("_domains")),
        organisations=x.get("_organisations") or 0,
        hubs=x.get("_hubs") or 0,
        clusters=x.get("_clusters") or 0,
    )


def list_organisations(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[OrganisationSummary]:
    """Organisations by name (full-text, best match first), country and region."""
    filters: dict[str, Any] = {"country": country, "region": region}
    lucene = lucene_query(text) if text else None
    if text and lucene is None:
        return Page[OrganisationSummary](total=0, limit=limit, offset=offset, items=[])
    if lucene is not None:
        total, items = _page(
            reader,
            ORGANISATIONS_SEARCH,
            limit,
            offset,
            index=FULLTEXT_INDEX,
            lucene=lucene,
            **filters,
        )
    else:
        total, items = _page(reader, ORGANISATIONS_PAGE, limit, offset, **filters)
    return Page[OrganisationSummary](
        total=total, limit=limit, offset=offset, items=[_organisation_summary(r) for r in items]
    )


def get_organisation(reader: Reader, uid: str) -> OrganisationDetail:
    row = reader.one(ORGANISATION_DETAIL, key=uid)
    if row is None:
        raise _not_found(reader, NodeLabel.ORGANISATION, "organisation", uid)
    x = row["x"]
    return OrganisationDetail(
        **_organisation_summary(x).model_dump(),
        **_provenance(x),
        pic=_str_or_none(x.get("pic")),
        vat=_str_or_none(x.get("vat")),
        nuts_from=x.get("nuts_from"),
        source_ids=x.get("source_ids") or [],
        aliases=x.get("aliases") or [],
        projects=x.get("_projects") or 0,
        hubs=_links(x.get("_hubs")),
        consortia=_links(x.get("_consortia")),
        clusters=_links(x.get("_clusters")),
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def list_hubs(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[HubSummary]:
    total, items = _page(
        reader,
        HUBS_PAGE,
        limit,
        offset,
        text=normalise_text_filter(text),
        country=country,
        region=region,
        status=status,
    )
    return Page[HubSummary](
        total=total, limit=limit, offset=offset, items=[_hub_summary(r) for r in items]
    )


def get_hub(reader: Reader, uid: str) -> HubDetail:
    row = reader.one(HUB_DETAIL, key=uid)
    if row is None:
        raise _not_found(reader, NodeLabel.HUB, "hub", uid)
    x = row["x"]
    return HubDetail(
        **_hub_summary(x).model_dump(),
        **_provenance(x),
        domains=_links(x.get("_domains")),
        partners=_links(x.get("_partners")),
        run_by=_links(x.get("_run_by")),
        networks=x.get("_networks") or [],
    )


def list_clusters(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    domain: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ClusterSummary]:
    total, items = _page(
        reader,
        CLUSTERS_PAGE,
        limit,
        offset,
        text=normalise_text_filter(text),
        country=country,
        region=region,
        domain=domain,
    )
    return Page[ClusterSummary](
        total=total, limit=limit, offset=offset, items=[_cluster_summary(r) for r in items]
    )


_CLUSTER_SHOWN = frozenset(
    {"uid", "name", "country_code", "sources", "loaded_at", "source_ids", "aliases"}
)


def get_cluster(reader: Reader, uid: str) -> ClusterDetail:
    row = reader.one(CLUSTER_DETAIL, key=uid)
    if row is None:
        raise _not_found(reader, NodeLabel.CLUSTER, "cluster", uid)
    x = row["x"]
    extra = {k: v for k, v in x.items() if not k.startswith("_") and k not in _CLUSTER_SHOWN}
    return ClusterDetail(
        **_cluster_summary(x).model_dump(),
        **_provenance(x),
        domains=_links(x.get("_domains")),
        partnerships=_links(x.get("_partnerships")),
        properties=extra,
    )


def list_domains(
    reader: Reader,
    *,
    kind: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[DomainSummary]:
    total, items = _page(
        reader, DOMAINS_PAGE, limit, offset, kind=kind, text=normalise_text_filter(text)
    )
    return Page[DomainSummary](
        total=total, limit=limit, offset=offset, items=[_domain_summary(r) for r in items]
    )


def get_domain(reader: Reader, code: str) -> DomainDetail:
    key = code.strip().lower()
    row = reader.one(DOMAIN_DETAIL, key=key)
    if row is None:
        raise _not_found(reader, NodeLabel.DOMAIN, "domain", code)
    x = row["x"]
    return DomainDetail(
        **_domain_summary(x).model_dump(),
        **_provenance(x),
        subdomains=_links(x.get("_subdomains")),
        regions=x.get("_regions") or 0,
        projects=x.get("_projects") or 0,
        hubs=x.get("_hubs") or 0,
        clusters=x.get("_clusters") or 0,
    )


def _hit_detail(label: str, props: dict[str, Any]) -> str:
    parts = []
    if label == NodeLabel.REGION.value:
        parts.append(f"NUTS {props.get('level')}")
    for field in ("country_code", "kind", "status"):
        if props.get(field):
            parts.append(str(props[field]))
    return ", ".join(parts)


def search(
    reader: Reader, text: str, *, label: NodeLabel | None = None, limit: int = 20
) -> list[SearchHit]:
    """Anything with a name, best match first (full-text index, accent-insensitive)."""
    lucene = lucene_query(text)
    if lucene is None:
        return []
    rows = reader.rows(
        SEARCH,
        index=FULLTEXT_INDEX,
        lucene=lucene,
        label=label.value if label else None,
        limit=limit,
    )
    hits = []
    for row in rows:
        node_label = primary_label(row["labels"])
        if node_label is None:
            continue
        props = row["props"]
        hits.append(
            SearchHit(
                label=node_label.value,
                key=str(props.get(NODE_KEYS[node_label])),
                name=display_name(node_label.value, props),
                detail=_hit_detail(node_label.value, props),
                score=float(row["score"]),
            )
        )
    return hits


# -- subgraphs: neighbourhoods and the nodes named by other queries ---------------------------


def primary_label(labels: Sequence[str]) -> NodeLabel | None:
    """The schema label of a node (the first one the schema knows)."""
    for label in labels:
        try:
            return NodeLabel(label)
        except ValueError:
            continue
    return None


def node_id(label: str, key: str) -> str:
    """A node's id in views and exports: label and natural key."""
    return f"{label}:{key}"


class GraphNode(BaseModel):
    """A node of a drawn subgraph, with what a hover needs: details and provenance."""

    id: str
    label: str
    key: str
    name: str
    category: str | None = None
    category_status: str | None = None
    outermost: bool = False
    region: str | None = None
    country_code: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    loaded_at: datetime | None = None


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    loaded_at: datetime | None = None


class Facet(BaseModel):
    """How many neighbours of one label are reached over one relationship type."""

    type: str
    label: str
    count: int


class Neighbourhood(BaseModel):
    centre: GraphNode
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total: int = Field(description="All neighbours of the centre.")
    matching: int = Field(description="Neighbours that pass the filters.")
    shown: int = Field(description="Neighbours drawn (at most the limit).")
    facets: list[Facet]


_HIDDEN_PROPS = frozenset({"sources", "loaded_at", "source_ids", "aliases", "name_key"})


def graph_node(view: dict[str, Any]) -> GraphNode | None:
    """A view row (labels, properties, NUTS 2 facts, region) as a ``GraphNode``."""
    label = primary_label(view["labels"])
    if label is None:
        return None
    props = view["props"]
    key = str(props.get(NODE_KEYS[label]))
    cohesion = view.get("cohesion") or {}
    return GraphNode(
        id=node_id(label.value, key),
        label=label.value,
        key=key,
        name=display_name(label.value, props),
        category=cohesion.get("category"),
        category_status=props.get("category_status") or cohesion.get("category_status"),
        outermost=bool(props.get("outermost") or cohesion.get("outermost")),
        region=view.get("region") or (key if label is NodeLabel.REGION else None),
        country_code=props.get("country_code"),
        properties={k: v for k, v in props.items() if k not in _HIDDEN_PROPS},
        sources=props.get("sources") or [],
        loaded_at=props.get("loaded_at"),
    )


def graph_edge(source: str, target: str, rel_type: str, props: dict[str, Any]) -> GraphEdge:
    return GraphEdge(
        source=source,
        target=target,
        type=rel_type,
        properties={k: v for k, v in props.items() if k not in _HIDDEN_PROPS},
        sources=props.get("sources") or [],
        loaded_at=props.get("loaded_at"),
    )


def neighbourhood(
    reader: Reader,
    label: NodeLabel,
    key: str,
    *,
    neighbour_label: NodeLabel | None = None,
    rel_type: RelType | None = None,
    text: str | None = None,
    limit: int = 100,
) -> Neighbourhood:
    """A node with at most ``limit`` of its neighbours (actors first, then by name), the
    relationships among them, and counts by label and type so a user can narrow down."""
    row = reader.one(
        neighbourhood_query(label),
        key=key,
        neighbour_label=neighbour_label.value if neighbour_label else None,
        rel_type=rel_type.value if rel_type else None,
        text=normalise_text_filter(text),
        limit=limit,
    )
    if row is None:
        raise _not_found(reader, label, label.value.lower(), key)
    by_element: dict[str, GraphNode] = {}
    for item in row["nodes"]:
        node = graph_node(item["view"])
        if node is not None:
            by_element[item["id"]] = node
    edges = [
        graph_edge(by_element[r["start"]].id, by_element[r["end"]].id, r["type"], r["props"])
        for r in row["rels"]
        if r["start"] in by_element and r["end"] in by_element
    ]
    nodes = list(by_element.values())
    facets = [Facet(**f) for f in reader.rows(facets_query(label), key=key)]
    return Neighbourhood(
        centre=nodes[0],
        nodes=nodes,
        edges=edges,
        total=int(row["total"]),
        matching=int(row["matching"]),
        shown=len(nodes) - 1,
        facets=facets,
    )


def nodes_by_key(
    reader: Reader, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, GraphNode]]:
    """Details of nodes named by (label, key): {(label, key): (element id, node)}. Unknown
    labels and keys are left out."""
    grouped: dict[NodeLabel, set[str]] = {}
    for label_text, key in keys:
        try:
            label = NodeLabel(label_text)
        except ValueError:
            continue
        grouped.setdefault(label, set()).add(key)
    found: dict[tuple[str, str], tuple[str, GraphNode]] = {}
    for label, label_keys in grouped.items():
        for row in reader.rows(nodes_by_key_query(label), keys=sorted(label_keys)):
            node = graph_node(row["view"])
            if node is not None:
                found[(node.label, node.key)] = (row["id"], node)
    return found


def rels_between(
    reader: Reader, pairs: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Properties of relationships given as (start element id, end element id, type)."""
    if not pairs:
        return {}
    rows = reader.rows(RELS_BETWEEN, pairs=[{"start": s, "end": e, "type": t} for s, e, t in pairs])
    return {(r["start"], r["end"], r["type"]): r["props"] for r in rows}
