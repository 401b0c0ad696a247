"""The graph's schema: node labels and relationship types as allow-lists, their natural keys,
which nodes partnership paths may pass through, and the constraints and indexes that enforce it.

Every label or relationship type that reaches a Cypher string comes from these enums; values
always travel as parameters.
"""

from __future__ import annotations

from enum import StrEnum
from typing import LiteralString

from neo4j import Driver


class NodeLabel(StrEnum):
    REGION = "Region"
    COUNTRY = "Country"
    DOMAIN = "Domain"
    S3_PRIORITY = "S3Priority"
    ORGANISATION = "Organisation"
    CONSORTIUM = "Consortium"
    HUB = "Hub"
    CLUSTER = "Cluster"
    PARTNERSHIP = "Partnership"
    PROJECT = "Project"
    NETWORK = "Network"
    TECHNOLOGY = "Technology"
    GRAPH_META = "GraphMeta"


class RelType(StrEnum):
    PART_OF = "PART_OF"  # Region -> parent Region
    IN_COUNTRY = "IN_COUNTRY"  # Region(level 0) -> Country
    HAS_PRIORITY = "HAS_PRIORITY"  # Region -> S3Priority
    IN_DOMAIN = "IN_DOMAIN"  # S3Priority / Project -> Domain
    SUBDOMAIN_OF = "SUBDOMAIN_OF"  # Domain -> broader Domain
    LOCATED_IN = "LOCATED_IN"  # Organisation / Hub / Cluster -> Region
    MEMBER_OF = "MEMBER_OF"  # Organisation -> Consortium
    PARTNER_IN = "PARTNER_IN"  # Organisation -> Hub {role}
    OFFERS = "OFFERS"  # Hub -> Domain / Technology
    IN_PARTNERSHIP = "IN_PARTNERSHIP"  # Cluster -> Partnership
    ACTIVE_IN = "ACTIVE_IN"  # Cluster / Organisation -> Domain
    PARTICIPATED_IN = "PARTICIPATED_IN"  # Organisation -> Project {role, ec_contribution}
    IN_NETWORK = "IN_NETWORK"  # Consortium / Hub / Cluster / Partnership -> Network
    RUNS = "RUNS"  # Organisation -> Cluster / Hub (the legal body behind a cluster or hub)


NODE_KEYS: dict[NodeLabel, str] = {
    NodeLabel.REGION: "nuts_id",
    NodeLabel.COUNTRY: "code",
    NodeLabel.DOMAIN: "code",
    NodeLabel.S3_PRIORITY: "uid",
    NodeLabel.ORGANISATION: "uid",
    NodeLabel.CONSORTIUM: "uid",
    NodeLabel.HUB: "uid",
    NodeLabel.CLUSTER: "uid",
    NodeLabel.PARTNERSHIP: "uid",
    NodeLabel.PROJECT: "uid",
    NodeLabel.NETWORK: "name",
    NodeLabel.TECHNOLOGY: "uid",
    NodeLabel.GRAPH_META: "key",
}

# Labels a partnership path may pass through. Region, Country, Domain and Network nodes join
# thousands of members each: a path through them would make everybody two hops from everybody.
TRAVERSABLE_LABELS: frozenset[NodeLabel] = frozenset(
    {
        NodeLabel.ORGANISATION,
        NodeLabel.PROJECT,
        NodeLabel.HUB,
        NodeLabel.CLUSTER,
        NodeLabel.PARTNERSHIP,
        NodeLabel.CONSORTIUM,
    }
)

# Relationship types that are ties between actors (paths run over these only).
TIE_TYPES: frozenset[RelType] = frozenset(
    {
        RelType.PARTICIPATED_IN,
        RelType.PARTNER_IN,
        RelType.MEMBER_OF,
        RelType.IN_PARTNERSHIP,
        RelType.RUNS,
    }
)

# Names searched by the full-text index "entity_names": folded for accents and case.
FULLTEXT_INDEX = "entity_names"
FULLTEXT_LABELS: tuple[NodeLabel, ...] = (
    NodeLabel.REGION,
    NodeLabel.COUNTRY,
    NodeLabel.DOMAIN,
    NodeLabel.ORGANISATION,
    NodeLabel.HUB,
    NodeLabel.CLUSTER,
    NodeLabel.PARTNERSHIP,
    NodeLabel.PROJECT,
    NodeLabel.CONSORTIUM,
)
FULLTEXT_PROPERTIES: tuple[str, ...] = ("name", "name_latin", "aliases", "acronym", "short_name")

# Lucene's English stop words, which the analyser drops: a required word, prefix or fuzzy term
# built from one of them would never match, so queries leave them out.
FULLTEXT_STOP_WORDS: frozenset[str] = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    )
)

# Plain range indexes for frequent filters.
RANGE_INDEXES: tuple[tuple[NodeLabel, str], ...] = (
    (NodeLabel.REGION, "level"),
    (NodeLabel.REGION, "country_code"),
    (NodeLabel.REGION, "category"),
    (NodeLabel.ORGANISATION, "country_code"),
    (NodeLabel.ORGANISATION, "pic"),
    (NodeLabel.ORGANISATION, "vat"),
    (NodeLabel.ORGANISATION, "web_domain"),
    (NodeLabel.ORGANISATION, "name_key"),
)


CONSTRAINT_TEMPLATE = (
    "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
)
RANGE_INDEX_TEMPLATE = "CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
FULLTEXT_TEMPLATE = (
    "CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
    "OPTIONS {{indexConfig: {{`fulltext.analyzer`: 'standard-folding', "
    "`fulltext.eventually_consistent`: false}}}}"
)


def _ddl(template: str, **names: str) -> LiteralString:
    """Schema statements are filled from the enums above only, never from input."""
    return template.format(**names)  # type: ignore[return-value,unused-ignore]


def schema_statements() -> list[LiteralString]:
    """Every constraint and index, each idempotent (IF NOT EXISTS)."""
    statements: list[LiteralString] = []
    for label, key in NODE_KEYS.items():
        name = f"{label.value.lower()}_{key}_unique"
        statements.append(_ddl(CONSTRAINT_TEMPLATE, name=name, label=label.value, key=key))
    for label, prop in RANGE_INDEXES:
        name = f"{label.value.lower()}_{prop}"
        statements.append(_ddl(RANGE_INDEX_TEMPLATE, name=name, label=label.value, prop=prop))
    statements.append(
        _ddl(
            FULLTEXT_TEMPLATE,
            name=FULLTEXT_INDEX,
            labels="|".join(label.value for label in FULLTEXT_LABELS),
            props=", ".join(f"n.{p}" for p in FULLTEXT_PROPERTIES),
        )
    )
    return statements


def apply_schema(driver: Driver, database: str | None = None) -> int:
    """Creates every constraint and index that is missing and waits until they are online."""
    statements = schema_statements()
    with driver.session(database=database) as session:
        for statement in statements:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(statements)
