"""Every Cypher statement of the query layer compiles (EXPLAIN), and the path statements walk
only the traversable labels and tie types of the schema."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest
from neo4j import Driver

from graph.schema import TIE_TYPES, TRAVERSABLE_LABELS, NodeLabel
from graph.settings import Settings
from queries import cypher

TEMPLATE_SLOTS = ("__LABEL__", "__KEY__", "{HOPS}")


def _defined_in(module: ModuleType) -> set[str]:
    """Names a module assigns itself (not those it imports, such as the schema's key map)."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _catalogue() -> dict[str, str]:
    """Every statement of every module of ``queries.cypher`` (found by walking the package, so
    that a new one cannot escape), templates as filled for each allowed value."""
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(cypher.__path__):
        module = importlib.import_module(f"{cypher.__name__}.{info.name}")
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_") or name not in _defined_in(module):
                continue
            if isinstance(value, str) and not any(slot in value for slot in TEMPLATE_SLOTS):
                found[f"{info.name}.{name}"] = value
            elif isinstance(value, dict):
                for key, statement in value.items():
                    if isinstance(statement, str):
                        found[f"{info.name}.{name}[{key}]"] = statement
    return found


STATEMENTS = _catalogue()


def test_the_catalogue_is_not_empty() -> None:
    assert len(STATEMENTS) >= 100
    assert set(cypher.FILLED_TEMPLATES.values()) <= set(STATEMENTS.values())
    assert set(cypher.PATHS_BY_HOPS.values()) <= set(STATEMENTS.values())


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_compiles(name: str, driver: Driver, settings: Settings) -> None:
    statement = STATEMENTS[name]
    params = dict.fromkeys(re.findall(r"\$(\w+)", statement))
    with driver.session(database=settings.neo4j_database) as session:
        summary = session.run("EXPLAIN " + statement, params).consume()  # type: ignore[arg-type]
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
