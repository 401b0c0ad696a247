"""Every Cypher statement of the partnership-intelligence queries, as named constants.

Functions elsewhere only fill parameters. Labels and relationship types are written out here and
checked against ``graph/schema.py`` by the tests (paths use ``TRAVERSABLE_LABELS`` and
``TIE_TYPES`` only, so they never shortcut through a Region, Country, Domain or Network node);
every constant runs under ``EXPLAIN`` in a test so a syntax error cannot hide.
"""

from __future__ import annotations

from typing import LiteralString

# -- graph version ------------------------------------------------------------------------------

# The version and the time of the last bump: a graph cleared and reloaded starts again at
# version 1, so the time tells two graphs of the same version apart.
GRAPH_STAMP: LiteralString = """
OPTIONAL MATCH (m:GraphMeta {key: 'graph'})
RETURN m.version AS version, toString(m.updated_at) AS updated_at
"""

# -- input resolution ---------------------------------------------------------------------------

FULLTEXT_SEARCH: LiteralString = """
CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit}) YIELD node, score
WITH node, score, [l IN labels(node) WHERE l IN $labels] AS kinds
WHERE size(kinds) > 0
RETURN kinds[0] AS label,
       coalesce(node.uid, node.nuts_id, node.code) AS key,
       coalesce(node.name, node.acronym, node.short_name, node.uid, node.nuts_id, node.code)
         AS name,
       [x IN [node.name, node.name_latin, node.acronym, node.short_name] WHERE x IS NOT NULL]
         + coalesce(node.aliases, []) AS names,
       node.level AS level,
       coalesce(node.country_code, node.code) AS country_code,
       head(COLLECT { MATCH (node)-[:LOCATED_IN]->(r:Region)
                      RETURN r.nuts_id ORDER BY r.level DESC }) AS located_in,
       score
ORDER BY score DESC
"""

REGION_BY_CODE: LiteralString = """
MATCH (r:Region {nuts_id: $code})
RETURN r.nuts_id AS key, r.name AS name, r.level AS level, r.country_code AS country_code
"""

COUNTRY_BY_CODE: LiteralString = """
MATCH (c:Country {code: $code})
RETURN c.code AS key, coalesce(c.name, c.code) AS name
"""

DOMAIN_BY_CODE: LiteralString = """
MATCH (d:Domain {code: $code})
RETURN d.code AS key, d.name AS name, d.kind AS kind
"""

ORGANISATION_BY_KEY: LiteralString = """
CALL () {
  MATCH (o:Organisation {uid: $key}) RETURN o
  UNION
  MATCH (o:Organisation {pic: $key}) RETURN o
}
RETURN o.uid AS key, o.name AS name, o.country_code AS country_code,
       head(COLLECT { MATCH (o)-[:LOCATED_IN]->(r:Region)
                      RETURN r.nuts_id ORDER BY r.level DESC }) AS located_in
"""

CONNECTOR_BY_UID: LiteralString = """
CALL () {
  MATCH (n:Hub {uid: $key}) RETURN n, 'Hub' AS label
  UNION
  MATCH (n:Cluster {uid: $key}) RETURN n, 'Cluster' AS label
  UNION
  MATCH (n:Project {uid: $key}) RETURN n, 'Project' AS label
  UNION
  MATCH (n:Consortium {uid: $key}) RETURN n, 'Consortium' AS label
  UNION
  MATCH (n:Partnership {uid: $key}) RETURN n, 'Partnership' AS label
}
RETURN label, n.uid AS key, coalesce(n.name, n.acronym, n.uid) AS name,
       n.country_code AS country_code
"""

REGION_NAMES: LiteralString = """
MATCH (r:Region)
RETURN r.nuts_id AS key, r.name AS name, r.level AS level, r.country_code AS country_code
"""

COUNTRY_NAMES: LiteralString = """
MATCH (c:Country)
RETURN c.code AS key, coalesce(c.name, c.code) AS name
"""

DOMAIN_NAMES: LiteralString = """
MATCH (d:Domain)
RETURN d.code AS key, d.name AS name, coalesce(d.aliases, []) AS aliases
"""

# -- regions, categories and domains ------------------------------------------------------------

# NUTS 2 regions of a category (or outermost ones) and the NUTS 3 regions that inherit it.
REGIONS_BY_CATEGORY: LiteralString = """
MATCH (r2:Region {level: 2})
WHERE ($category IS NULL OR r2.category = $category)
  AND ($outermost = false OR r2.outermost = true)
MATCH (r:Region)-[:PART_OF*0..1]->(r2)
RETURN collect(DISTINCT r.nuts_id) AS ids
"""

REGION_SUBTREE: LiteralString = """
MATCH (root:Region {nuts_id: $nuts_id})
MATCH (r:Region)-[:PART_OF*0..3]->(root)
RETURN collect(DISTINCT r.nuts_id) AS ids
"""

COUNTRY_REGIONS: LiteralString = """
MATCH (r:Region {country_code: $code})
RETURN collect(r.nuts_id) AS ids
"""

NUTS2_REGIONS: LiteralString = """
MATCH (r:Region {level: 2})
RETURN collect(r.nuts_id) AS ids
"""

ORGANISATIONS_IN_REGIONS: LiteralString = """
UNWIND $regions AS rid
MATCH (:Region {nuts_id: rid})<-[:LOCATED_IN]-(o:Organisation)
WITH DISTINCT o
RETURN o.uid AS uid
ORDER BY COUNT { (o)-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF]->() } DESC, uid
LIMIT $limit
"""

# The domain and every domain below it (SUBDOMAIN_OF points from the narrower to the broader).
DOMAIN_CLOSURE: LiteralString = """
MATCH (root:Domain {code: $code})
MATCH (d:Domain)-[:SUBDOMAIN_OF*0..5]->(root)
RETURN collect(DISTINCT d.code) AS codes
"""

# Every domain with all the domains above it.
DOMAIN_ANCESTORS: LiteralString = """
MATCH (d:Domain)
RETURN d.code AS code,
       COLLECT { MATCH (d)-[:SUBDOMAIN_OF*1..5]->(a:Domain) RETURN DISTINCT a.code } AS ancestors
"""

# Regions whose declared S3 priorities fall in the domains, and the regions below them.
REGIONS_WITH_DECLARED_DOMAINS: LiteralString = """
MATCH (r:Region)-[:HAS_PRIORITY]->(:S3Priority)-[:IN_DOMAIN]->(d:Domain)
WHERE d.code IN $domains
MATCH (x:Region)-[:PART_OF*0..3]->(r)
RETURN collect(DISTINCT x.nuts_id) AS ids
"""

# Region facts with the NUTS 2 category inherited by NUTS 3, and declared S3 domains: those of the
# region, of the regions above it (national strategies) and of the regions below it.
REGION_PROFILES: LiteralString = """
UNWIND $nuts_ids AS rid
MATCH (r:Region {nuts_id: rid})
OPTIONAL MATCH (r)-[:PART_OF*0..2]->(r2:Region {level: 2})
WITH r, head(collect(r2)) AS r2
RETURN r.nuts_id AS nuts_id, r.name AS name, r.level AS level, r.country_code AS country_code,
       r2.nuts_id AS nuts2,
       coalesce(r2.category, r.category) AS category,
       coalesce(r2.outermost, r.outermost, false) AS outermost,
       coalesce(r2.category_status, r.category_status) AS category_status,
       COLLECT { MATCH (r)-[:PART_OF*0..3]->(:Region)-[:HAS_PRIORITY]->(:S3Priority)
                       -[:IN_DOMAIN]->(d:Domain)
                 RETURN DISTINCT d.code } AS declared_up,
       COLLECT { MATCH (x:Region)-[:PART_OF*1..3]->(r)
                 MATCH (x)-[:HAS_PRIORITY]->(:S3Priority)-[:IN_DOMAIN]->(d:Domain)
                 RETURN DISTINCT d.code } AS declared_down
"""

# "Revealed" domains of a region: the domains of the projects, hubs and clusters of the
# organisations located in it (or below it), and of its own hubs and clusters, with how many
# distinct activities carry each domain.
REGION_REVEALED_DOMAINS: LiteralString = """
UNWIND $nuts_ids AS rid
MATCH (base:Region {nuts_id: rid})
CALL (base) {
  MATCH (x:Region)-[:PART_OF*0..3]->(base)
  MATCH (x)<-[:LOCATED_IN]-(:Organisation)-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF]->(c)
        -[:IN_DOMAIN|OFFERS|ACTIVE_IN]->(d:Domain)
  RETURN d.code AS code, c.uid AS via
  UNION
  MATCH (x:Region)-[:PART_OF*0..3]->(base)
  MATCH (x)<-[:LOCATED_IN]-(c:Hub|Cluster)-[:OFFERS|ACTIVE_IN]->(d:Domain)
  RETURN d.code AS code, c.uid AS via
  UNION
  MATCH (x:Region)-[:PART_OF*0..3]->(base)
  MATCH (x)<-[:LOCATED_IN]-(o:Organisation)-[:ACTIVE_IN]->(d:Domain)
  RETURN d.code AS code, o.uid AS via
}
RETURN base.nuts_id AS nuts_id, code, count(DISTINCT via) AS activities
"""

# -- paths ------------------------------------------------------------------------------------
# The in-memory route index (queries/route_index.py): every traversable node with what scoring
# needs, and every tie relationship between two of them, each in one row.
ROUTE_INDEX_NODES: LiteralString = """
MATCH (n)
WHERE n:Organisation OR n:Project OR n:Hub OR n:Cluster OR n:Partnership OR n:Consortium
WITH n, CASE
  WHEN n:Organisation THEN 'Organisation' WHEN n:Project THEN 'Project' WHEN n:Hub THEN 'Hub'
  WHEN n:Cluster THEN 'Cluster' WHEN n:Partnership THEN 'Partnership' ELSE 'Consortium'
END AS label
RETURN collect([
  n.uid, label, n.n_partners,
  COUNT { (n)<-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF|IN_PARTNERSHIP]-() },
  n.kind, toString(n.start_date), toString(n.end_date),
  COLLECT { MATCH (n)-[:LOCATED_IN]->(r:Region) RETURN r.nuts_id ORDER BY r.level DESC },
  COLLECT { MATCH (n)-[:IN_DOMAIN|OFFERS|ACTIVE_IN]->(d:Domain) RETURN DISTINCT d.code }
]) AS nodes
"""

ROUTE_INDEX_TIES: LiteralString = """
MATCH (a)-[r:PARTICIPATED_IN|PARTNER_IN|MEMBER_OF|IN_PARTNERSHIP|RUNS]->(b)
WHERE (a:Organisation OR a:Cluster OR a:Project OR a:Hub OR a:Partnership OR a:Consortium)
  AND (b:Organisation OR b:Project OR b:Hub OR b:Cluster OR b:Partnership OR b:Consortium)
RETURN collect([a.uid, b.uid, type(r), r.role]) AS ties
"""

# Regions where organisations are located: the ends a route can have.
REGIONS_WITH_ORGANISATIONS: LiteralString = """
MATCH (:Organisation)-[:LOCATED_IN]->(r:Region)
RETURN collect(DISTINCT r.nuts_id) AS ids
"""

# The two NUTS 2 regions with the most organisations: where a warm-up query has work to do.
BUSIEST_REGIONS: LiteralString = """
MATCH (o:Organisation)-[:LOCATED_IN]->(r:Region)
WITH substring(r.nuts_id, 0, 4) AS nuts_id, count(o) AS organisations
RETURN nuts_id
ORDER BY organisations DESC, nuts_id
LIMIT 2
"""

# Organisations tied directly to a hub, cluster, project or consortium, or to a cluster of a
# partnership: the people behind a connector named as X.
CONNECTOR_MEMBERS: LiteralString = """
CALL () {
  MATCH (n:Hub|Cluster|Project|Consortium {uid: $key})
        <-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF]-(o:Organisation)
  RETURN o
  UNION
  MATCH (:Partnership {uid: $key})<-[:IN_PARTNERSHIP]-(:Cluster)<-[:RUNS]-(o:Organisation)
  RETURN o
}
RETURN collect(DISTINCT o.uid) AS uids
"""

# What a path shows about each node it passes: one index seek per traversable label and uid.
NODE_DETAILS: LiteralString = """
UNWIND $uids AS uid
CALL (uid) {
  MATCH (n:Organisation {uid: uid}) RETURN n, 'Organisation' AS label
  UNION ALL
  MATCH (n:Project {uid: uid}) RETURN n, 'Project' AS label
  UNION ALL
  MATCH (n:Hub {uid: uid}) RETURN n, 'Hub' AS label
  UNION ALL
  MATCH (n:Cluster {uid: uid}) RETURN n, 'Cluster' AS label
  UNION ALL
  MATCH (n:Partnership {uid: uid}) RETURN n, 'Partnership' AS label
  UNION ALL
  MATCH (n:Consortium {uid: uid}) RETURN n, 'Consortium' AS label
}
RETURN label, n.uid AS uid,
       coalesce(n.name, n.acronym, n.short_name, n.uid) AS name,
       n.acronym AS acronym, n.n_partners AS n_partners, n.kind AS kind,
       n.topic AS topic, n.topic_title AS topic_title, n.programme AS programme,
       toString(n.start_date) AS start_date, toString(n.end_date) AS end_date,
       n.activity_type AS activity_type, n.country_code AS country_code,
       n.status AS status, n.network AS network,
       COUNT { (n)<-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF|IN_PARTNERSHIP]-() } AS members,
       head(COLLECT { MATCH (n)-[:LOCATED_IN]->(r:Region)
                      RETURN r.nuts_id ORDER BY r.level DESC }) AS region,
       COLLECT { MATCH (n)-[:IN_DOMAIN|OFFERS|ACTIVE_IN]->(d:Domain) RETURN DISTINCT d.code }
         AS domains
"""

# Type, direction and role of the relationships of the paths that are shown.
REL_DETAILS: LiteralString = """
UNWIND $ids AS id
MATCH (a)-[r]->()
WHERE elementId(r) = id
RETURN id, type(r) AS type, a.uid AS from, r.role AS role
"""

# The networks a node belongs to: its own (hubs, consortia, partnerships), or those of the hubs,
# consortia and cluster partnerships an organisation takes part in (and EEN for an organisation
# in an EEN consortium grant: that branch walks every participation of the organisation, thousands
# for the busiest, so it runs only when $een_grants says the graph holds such grants at all).
NODE_NETWORKS: LiteralString = """
CALL () {
  UNWIND $organisations AS uid MATCH (n:Organisation {uid: uid}) RETURN n
  UNION ALL
  UNWIND $hubs AS uid MATCH (n:Hub {uid: uid}) RETURN n
  UNION ALL
  UNWIND $clusters AS uid MATCH (n:Cluster {uid: uid}) RETURN n
  UNION ALL
  UNWIND $partnerships AS uid MATCH (n:Partnership {uid: uid}) RETURN n
  UNION ALL
  UNWIND $consortia AS uid MATCH (n:Consortium {uid: uid}) RETURN n
}
RETURN n.uid AS uid,
       COLLECT { MATCH (n)-[:IN_NETWORK]->(w:Network) RETURN w.name AS network
                 UNION
                 MATCH (n)-[:MEMBER_OF|PARTNER_IN|RUNS]->()-[:IN_NETWORK]->(w:Network)
                 RETURN w.name AS network
                 UNION
                 MATCH (n)-[:RUNS]->(:Cluster)-[:IN_PARTNERSHIP]->()-[:IN_NETWORK]->(w:Network)
                 RETURN w.name AS network
                 UNION
                 WITH n WHERE $een_grants
                 MATCH (n)-[:PARTICIPATED_IN]->(e:Project {kind: 'een'})
                 RETURN 'EEN' AS network } AS networks
"""

# Whether any project is an EEN consortium grant (asked once per graph version).
HAS_EEN_GRANTS: LiteralString = """
RETURN EXISTS { MATCH (e:Project) WHERE e.kind = 'een' } AS found
"""

# -- brokerage ----------------------------------------------------------------------------------

# Every tie between an organisation (or a cluster, for partnerships) and a connector; with
# $domains set, only connectors in those domains (for a partnership: its clusters in them).
BROKERAGE_TIES: LiteralString = """
MATCH (a)-[:PARTICIPATED_IN|PARTNER_IN|RUNS|MEMBER_OF|IN_PARTNERSHIP]->(c)
WHERE (a:Organisation OR a:Cluster)
  AND (c:Project OR c:Hub OR c:Consortium OR c:Cluster OR c:Partnership)
  AND ($domains IS NULL
       OR (NOT c:Partnership
           AND EXISTS { (c)-[:IN_DOMAIN|OFFERS|ACTIVE_IN]->(d:Domain) WHERE d.code IN $domains })
       OR (c:Partnership
           AND EXISTS { (a)-[:ACTIVE_IN]->(d:Domain) WHERE d.code IN $domains }))
RETURN a.uid AS source,
       CASE WHEN a:Organisation THEN 'Organisation' ELSE 'Cluster' END AS source_label,
       c.uid AS connector,
       [l IN labels(c) WHERE l IN $traversable][0] AS connector_label,
       c.n_partners AS n_partners, c.kind AS kind,
       toString(c.end_date) AS end_date
"""

BROKERAGE_ORGANISATIONS: LiteralString = """
MATCH (o:Organisation)-[:LOCATED_IN]->(r:Region)
OPTIONAL MATCH (r)-[:PART_OF*0..2]->(r2:Region {level: 2})
WITH o, r, head(collect(r2)) AS r2
RETURN o.uid AS uid, coalesce(o.name, o.uid) AS name, o.country_code AS country_code,
       r.nuts_id AS region, r2.category AS category, coalesce(r2.outermost, false) AS outermost
"""

# -- consortium ---------------------------------------------------------------------------------

REGIONS_IN_COUNTRIES: LiteralString = """
MATCH (r:Region)
WHERE r.country_code IN $codes
RETURN collect(r.nuts_id) AS ids
"""
