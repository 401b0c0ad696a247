"""Why an organisation node is what it is: the records of every source behind it, the evidence
of each merge (``merge_evidence``, written by ``loaders.entities``) and where it was located."""

from __future__ import annotations

from neo4j import Driver
from pydantic import BaseModel

from graph.schema import FULLTEXT_INDEX
from queries import cypher
from queries.browse import all_words_lucene_query
from queries.runner import Reader


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
    lucene = all_words_lucene_query(name)
    if lucene is None:
        return []
    records = Reader(driver, database).rows(
        cypher.EXPLAIN_ORGANISATIONS,
        index=FULLTEXT_INDEX,
        lucene=lucene,
        scan=max(50, limit * 10),
        limit=limit,
    )
    return [OrganisationExplanation.model_validate(r.data()) for r in records]
