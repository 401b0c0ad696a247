"""The per-graph-version cache: a load (a new stamp) drops what the old version answered; whole
answers are remembered through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver

from graph.meta import bump_graph_version
from graph.settings import Settings
from queries import route_index as route_index_module
from queries import versioned
from queries.paths import paths
from queries.runner import Reader, forget_answers
from queries.versioned import DiskCopy, VersionedCache
from tests.test_queries_graphs import LONG, fresh_toy_graph

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


@pytest.fixture
def copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Disk copies turned on for one test, in a folder of its own."""
    monkeypatch.setattr(versioned, "_copies", None)
    folder = tmp_path / "cache"
    versioned.keep_copies_in(folder, "bolt://test:7687")
    return folder


def test_a_disk_copy_is_found_again_for_its_version_only(copies: Path, tmp_path: Path) -> None:
    code = tmp_path / "builder.py"
    code.write_text("VERSION = 1\n")
    copy: DiskCopy[dict[str, int]] = DiskCopy("thing", code)
    assert copy.load("neo4j", V1) is None
    copy.save("neo4j", V1, {"a": 1})
    assert DiskCopy("thing", code).load("neo4j", V1) == {"a": 1}  # as a new process would
    assert copy.load("neo4j", V2) is None
    assert copy.load("other", V1) is None
    copy.save("neo4j", V2, {"a": 2})
    assert copy.load("neo4j", V1) is None  # the older version's file is gone
    assert len(list(copies.glob("thing-*.pickle"))) == 1
    code.write_text("VERSION = 2\n")  # the code that builds it changed: the copy is outdated
    assert copy.load("neo4j", V2) is None


def test_an_unreadable_disk_copy_is_rebuilt(
    copies: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    code = tmp_path / "builder.py"
    code.write_text("")
    copy: DiskCopy[list[int]] = DiskCopy("thing", code)
    copy.save("neo4j", V1, [1, 2])
    (held,) = copies.glob("thing-*.pickle")
    held.write_bytes(held.read_bytes()[:5])  # cut short, as by a full disk
    assert copy.load("neo4j", V1) is None
    assert "could not be read" in caplog.text


def test_no_disk_copy_unless_turned_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(versioned, "_copies", None)
    code = tmp_path / "builder.py"
    code.write_text("")
    DiskCopy("thing", code).save("neo4j", V1, [1])
    assert DiskCopy("thing", code).load("neo4j", V1) is None
    assert list(tmp_path.iterdir()) == [code]


def test_a_new_process_searches_the_route_index_kept_on_disk(
    driver: Driver, settings: Settings, copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's case: the index read from Neo4j once is found on disk by the next
    process, which gives the same answer without reading the ties again."""
    toy = fresh_toy_graph(driver)
    db = settings.neo4j_database
    monkeypatch.setattr(route_index_module, "_indexes", VersionedCache(1))
    monkeypatch.setattr(route_index_module, "_fits", VersionedCache(1))
    forget_answers()
    first = paths(toy, "DK05", database=db, timeout=LONG)
    assert {p.name.split("-")[0] for p in copies.glob("*.pickle")} == {"route", "region"}

    def no_read(*_: object) -> None:
        raise AssertionError("the index was read from Neo4j again")

    monkeypatch.setattr(route_index_module, "_indexes", VersionedCache(1))  # a new process
    monkeypatch.setattr(route_index_module, "_fits", VersionedCache(1))
    monkeypatch.setattr(route_index_module.RouteIndex, "read", classmethod(no_read))
    forget_answers()
    again = paths(toy, "DK05", database=db, timeout=LONG)
    assert again.model_dump() == first.model_dump() and first.paths
