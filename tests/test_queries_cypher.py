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

from graph.schema import TIE_TYPES, TRAVERSABLE_LABELS
from graph.settings import Settings
from queries import cypher

TEMPLATE_SLOTS = ("__LABEL__", "__KEY__")


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


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_compiles(name: str, driver: Driver, settings: Settings) -> None:
    statement = STATEMENTS[name]
    params = dict.fromkeys(re.findall(r"\$(\w+)", statement))
    with driver.session(database=settings.neo4j_database) as session:
        summary = session.run("EXPLAIN " + statement, params).consume()  # type: ignore[arg-type]
    assert summary.plan is not None


def test_the_route_index_reads_ties_between_traversable_nodes_only() -> None:
    ties = cypher.ROUTE_INDEX_TIES
    types = set(re.search(r"\[r:([A-Z_|]+)\]", ties).group(1).split("|"))  # type: ignore[union-attr]
    assert types == {t.value for t in TIE_TYPES}
    for end in ("a", "b"):
        labels = set(re.findall(rf"\b{end}:([A-Za-z0-9]+)", ties))
        assert labels == {label.value for label in TRAVERSABLE_LABELS}
    nodes = set(re.findall(r"\bn:([A-Za-z0-9]+)", cypher.ROUTE_INDEX_NODES.split("WITH")[0]))
    assert nodes == {label.value for label in TRAVERSABLE_LABELS}


def test_no_statement_is_built_by_formatting() -> None:
    for name, statement in STATEMENTS.items():
        assert "{0}" not in statement and "%s" not in statement, name
