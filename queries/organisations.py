"""Why an organisation node is what it is: the records of every source behind it, the evidence
of each merge (``merge_evidence``, written by ``loaders.entities``) and where it was located."""

from __future__ import annotations

from typing import LiteralString

from neo4j import Driver
from pydantic import BaseModel

from graph.schema import FULLTEXT_INDEX
from queries.lookups import lucene_query

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


class OrganisationExplanation(BaseModel):
    uid: str
    name: str | None
    country_code: str | None
    pic: str | None
    vat: str | None
    web_domain: str | None
    sources: list[str]
    source_ids: list[str]
    aliases: list[str]
    merge_evidence: list[str]
    nuts_from: str | None
    nuts_detail: str | None
    region: str | None
    score: float


def explain_organisations(
    driver: Driver, name: str, database: str | None = None, limit: int = 5
) -> list[OrganisationExplanation]:
    """Organisations whose names match ``name`` (every word, as a word or a prefix), best
    first, each with its source ids, merge evidence and location."""
    lucene = lucene_query(name)
    if lucene is None:
        return []
    records, _, _ = driver.execute_query(
        EXPLAIN_ORGANISATIONS,
        index=FULLTEXT_INDEX,
        lucene=lucene,
        scan=max(50, limit * 10),
        limit=limit,
        database_=database,
        routing_="r",
    )
    return [OrganisationExplanation.model_validate(r.data()) for r in records]
