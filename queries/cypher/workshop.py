"""Cypher of the workshop pack's profiles: partner regions, their organisations and S3
priorities, every NUTS 2 category for the map, and the provenance of what is shown."""

from typing import LiteralString

WORKSHOP_REGIONS: LiteralString = """
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

# Organisations located in the region or one of its NUTS 3 regions, with how tied they are.
WORKSHOP_ORGANISATIONS: LiteralString = """
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

WORKSHOP_ACTORS: LiteralString = """
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
WORKSHOP_S3_PRIORITIES: LiteralString = """
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

WORKSHOP_SOURCES_IN_GRAPH: LiteralString = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND coalesce(n.sources, []) AS source
RETURN source, count(*) AS nodes, min(n.loaded_at) AS first_loaded,
       max(n.loaded_at) AS last_loaded
ORDER BY source
"""

WORKSHOP_LABEL_COUNTS: LiteralString = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND labels(n) AS label
RETURN label, count(*) AS nodes
"""

WORKSHOP_GRAPH_META: LiteralString = """
MATCH (m:GraphMeta {key: 'graph'})
RETURN m.version AS version, m.updated_at AS updated_at, m.last_source AS last_source
"""

WORKSHOP_REGION_CHILDREN: LiteralString = """
MATCH (c:Region {level: 2})-[:PART_OF*1..2]->(:Region {nuts_id: $nuts_id})
WHERE NOT coalesce(c.extra_regio, false)
RETURN c.nuts_id AS nuts_id, c.name AS name ORDER BY c.nuts_id
"""

# The organisation's region at NUTS 2 (it may be located at NUTS 3 or NUTS 2).
WORKSHOP_ORGANISATION_REGION: LiteralString = """
MATCH (o:Organisation {uid: $uid})-[:LOCATED_IN]->(x:Region)
MATCH (x)-[:PART_OF*0..1]->(r:Region {level: 2})
RETURN r.nuts_id AS nuts_id LIMIT 1
"""
