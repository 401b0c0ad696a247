"""Counts of the graph by label, relationship type and source (``s3graph stats``, ``/stats``,
``s3graph db status``)."""

from typing import LiteralString

NODES_BY_LABEL: LiteralString = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND labels(n) AS label
UNWIND coalesce(n.sources, ['(none)']) AS source
RETURN label, source, count(*) AS count ORDER BY label, source
"""

RELS_BY_TYPE: LiteralString = """
MATCH ()-[r]->()
UNWIND coalesce(r.sources, ['(none)']) AS source
RETURN type(r) AS type, source, count(*) AS count ORDER BY type, source
"""

ORGANISATION_RESOLUTION: LiteralString = """
OPTIONAL MATCH (o:Organisation)
RETURN count(o) AS organisations,
       sum(CASE WHEN EXISTS { (o)-[:LOCATED_IN]->(:Region) } THEN 1 ELSE 0 END) AS located,
       sum(CASE WHEN size(coalesce(o.sources, [])) > 1 THEN 1 ELSE 0 END) AS multi_source
"""

NODE_COUNT: LiteralString = "MATCH (n) RETURN count(n) AS nodes"
