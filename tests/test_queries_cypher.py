"""Every Cypher statement of the query layer compiles (EXPLAIN), and the path statements walk
only the traversable labels and tie types of the schema."""

from __future__ import annotations

import re

import pytest
from neo4j import Driver

from graph.schema import TIE_TYPES, TRAVERSABLE_LABELS, NodeLabel
from graph.settings import Settings
from queries import cypher

STATEMENTS = {
    name: value
    for name, value in vars(cypher).items()
    if name.isupper() and not name.startswith("_") and isinstance(value, str)
} | {f"PATHS_BY_HOPS[{hops}]": statement for hops, statement in cypher.PATHS_BY_HOPS.items()}


def test_the_catalogue_is_not_empty() -> None:
    assert len(STATEMENTS) >= 25
    assert set(cypher.PATHS_BY_HOPS.values()) <= set(STATEMENTS.values())


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_compiles(name: str, driver: Driver, settings: Settings) -> None:
    with driver.session(database=settings.neo4j_database) as session:
        summary = session.run("EXPLAIN " + STATEMENTS[name]).consume()  # type: ignore[arg-type]
    assert summary.plan is not None


@pytest.mark.parametrize("hops", sorted(cypher.PATHS_BY_HOPS))
def test_paths_walk_ties_between_traversable_nodes_only(hops: int) -> None:
    statement = cypher.PATHS_BY_HOPS[hops]
    pattern = statement[statement.index("MATCH p =") : statement.index("(t:Organisation)")]
    assert f"{{{hops}}}" in pattern
    types = set(re.search(r"-\[:([A-Z_|]+)\]-", pattern).group(1).split("|"))  # type: ignore[union-attr]
    assert types == {t.value for t in TIE_TYPES}
    labels = set(re.findall(r"\bb:([A-Za-z0-9]+)", pattern))
    assert labels == {label.value for label in TRAVERSABLE_LABELS}
    for forbidden in (NodeLabel.REGION, NodeLabel.COUNTRY, NodeLabel.DOMAIN, NodeLabel.NETWORK):
        assert forbidden.value not in pattern


def test_no_statement_is_built_by_formatting() -> None:
    for name, statement in STATEMENTS.items():
        assert "{0}" not in statement and "%s" not in statement, name
