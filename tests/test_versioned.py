"""The per-graph-version cache: a load (a new stamp) drops what the old version answered; whole
answers are remembered through it."""

from __future__ import annotations

from neo4j import Driver

from graph.meta import bump_graph_version
from graph.settings import Settings
from queries.runner import Reader
from queries.versioned import VersionedCache

V1 = (1, "2026-12-01T10:00")
V2 = (2, "2026-12-02T10:00")


def test_a_value_holds_for_its_version_only() -> None:
    cache: VersionedCache[str] = VersionedCache()
    cache.put("neo4j", V1, "DK05", "more developed")
    assert cache.get("neo4j", V1, "DK05") == "more developed"
    assert cache.get("neo4j", V2, "DK05") is None
    cache.put("neo4j", V2, "BG31", "less developed")
    assert cache.get("neo4j", V1, "DK05") is None  # dropped with its version
    assert cache.get("neo4j", V2, "BG31") == "less developed"


def test_nothing_is_kept_without_a_version() -> None:
    cache: VersionedCache[str] = VersionedCache()
    cache.put("neo4j", None, "DK05", "x")
    assert cache.get("neo4j", None, "DK05") is None


def test_databases_are_apart_and_the_size_is_bounded() -> None:
    cache: VersionedCache[int] = VersionedCache(max_entries=2)
    cache.put("a", V1, "k", 1)
    cache.put("b", V1, "k", 2)
    assert (cache.get("a", V1, "k"), cache.get("b", V1, "k")) == (1, 2)
    cache.put("a", V1, "k2", 3)
    cache.put("a", V1, "k3", 4)  # full: starts afresh
    assert cache.get("a", V1, "k") is None
    assert cache.get("a", V1, "k3") == 4
    cache.clear()
    assert cache.get("b", V1, "k") is None


def test_whole_answers_are_remembered_per_graph_version(graph: Driver, settings: Settings) -> None:
    """The same question of the same graph version is answered from memory (with a copy the
    caller may change); a load makes it be asked again."""
    db = settings.neo4j_database
    bump_graph_version(graph, db, "test")
    calls: list[int] = []

    def work(_: Reader) -> dict[str, list[int]]:
        calls.append(1)
        return {"answer": [len(calls)]}

    first = Reader(graph, db).run(lambda r: r.remembered(("q", 1), work))
    first["answer"].append(99)
    again = Reader(graph, db).run(lambda r: r.remembered(("q", 1), work))
    assert again == {"answer": [1]} and len(calls) == 1
    Reader(graph, db).run(lambda r: r.remembered(("q", 2), work))
    assert len(calls) == 2  # another question
    bump_graph_version(graph, db, "test")
    after = Reader(graph, db).run(lambda r: r.remembered(("q", 1), work))
    assert after == {"answer": [3]}
