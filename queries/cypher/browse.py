"""Cypher of the browsing look-ups: lists with filters and pagination, details of one thing,
full-text search, neighbourhoods. The few that need a label in the pattern are templates filled
from the enums of ``graph/schema.py`` only (never from input); values travel as parameters."""

from __future__ import annotations

from typing import LiteralString

from graph.schema import NODE_KEYS, NodeLabel

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

# The category of every NUTS 2 region, or why it has none: the background of the maps.
LEVEL2_CATEGORIES: LiteralString = """
MATCH (r:Region {level: 2})
RETURN collect([r.nuts_id, coalesce(r.category, r.category_status)]) AS categories
"""

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

# What lies in a region or below it, ranked by its ties (a busy organisation first), one page;
# the label slot is filled from the schema enum (``REGION_MEMBERS`` below). Projects are ranked
# by their participants located there.
REGION_MEMBERS_TEMPLATE: LiteralString = """
MATCH (x:__LABEL__)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(:Region {nuts_id: $key})
WITH DISTINCT x
WITH x, COUNT { (x)--(:!Region&!Domain&!GraphMeta) } AS ties
ORDER BY ties DESC, x.name, x.uid
WITH collect({label: '__LABEL__', key: x.uid, name: coalesce(x.name, x.acronym, x.uid),
              ties: ties}) AS hits
RETURN size(hits) AS total, hits[$offset..($offset + $limit)] AS items
"""

REGION_PROJECTS: LiteralString = """
MATCH (o:Organisation)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(:Region {nuts_id: $key})
MATCH (o)-[:PARTICIPATED_IN]->(p:Project)
WITH p, count(DISTINCT o) AS ties
ORDER BY ties DESC, p.end_date DESC, p.uid
WITH collect({label: 'Project', key: p.uid, name: coalesce(p.acronym, p.name, p.uid), ties: ties})
     AS hits
RETURN size(hits) AS total, hits[$offset..($offset + $limit)] AS items
"""

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

# The label templates filled for every browsable label (the EXPLAIN test runs each one).
FILLED_TEMPLATES: dict[str, LiteralString] = {
    **{f"NEIGHBOURHOOD[{label.value}]": neighbourhood_query(label) for label in BROWSABLE_LABELS},
    **{f"FACETS[{label.value}]": facets_query(label) for label in BROWSABLE_LABELS},
    **{f"NODES_BY_KEY[{label.value}]": nodes_by_key_query(label) for label in BROWSABLE_LABELS},
    **{f"SUGGEST_KEYS[{label.value}]": suggest_keys_query(label) for label in BROWSABLE_LABELS},
}

# What a region page lists: located organisations, hubs and clusters.
REGION_MEMBERS: dict[str, LiteralString] = {
    kind: _fill(REGION_MEMBERS_TEMPLATE, label)
    for kind, label in (
        ("organisations", NodeLabel.ORGANISATION),
        ("hubs", NodeLabel.HUB),
        ("clusters", NodeLabel.CLUSTER),
    )
}

# The full-text index covers several labels: ask for more hits than wanted, keep organisations.
EXPLAIN_ORGANISATIONS: LiteralString = """
CALL db.index.fulltext.queryNodes($index, $lucene, {limit: $scan}) YIELD node, score
WITH node, score WHERE node:Organisation
RETURN node.uid AS uid, node.name AS name, node.country_code AS country_code,
       node.pic AS pic, node.vat AS vat, node.web_domain AS web_domain,
       coalesce(node.sources, []) AS sources, coalesce(node.source_ids, []) AS source_ids,
       coalesce(node.aliases, []) AS aliases,
       coalesce(node.merge_evidence, []) AS merge_evidence,
       node.nuts_from AS nuts_from, node.nuts_detail AS nuts_detail,
       head(COLLECT { MATCH (node)-[:LOCATED_IN]->(r:Region)
                      RETURN r.nuts_id + ' ' + coalesce(r.name, '') }) AS region,
       score
ORDER BY score DESC
LIMIT $limit
"""
