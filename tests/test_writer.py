"""The batched writer against the real Neo4j: idempotency, provenance, missing ends."""

from __future__ import annotations

from neo4j import Driver

from graph.schema import NodeLabel, RelType
from graph.writer import GraphWriter, Node, Rel


def _records(source: str = "test") -> list[Node | Rel]:
    """Relationships interleaved with nodes, each after its own ends (as loaders yield them)."""

    def region(code: str, name: str, level: int) -> Node:
        return Node(NodeLabel.REGION, code, {"name": name, "level": level}, source)

    def part_of(child: str, parent: str) -> Rel:
        return Rel(RelType.PART_OF, NodeLabel.REGION, child, NodeLabel.REGION, parent, {}, source)

    return [
        region("DK", "Danmark", 0),
        region("DK0", "Danmark", 1),
        part_of("DK0", "DK"),
        region("DK05", "Nordjylland", 2),
        part_of("DK05", "DK0"),  # fills the relationship batch while DK05 is still buffered
    ]


def _counts(driver: Driver) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[r]->() } AS rels"
    )
    return records[0]["nodes"], records[0]["rels"]


def test_write_twice_changes_no_counts(graph: Driver) -> None:
    stats = GraphWriter(graph, batch_size=2).write(_records())
    assert stats.node_total == 3 and stats.relationship_total == 2
    first = _counts(graph)
    GraphWriter(graph, batch_size=2).write(_records())
    assert _counts(graph) == first == (3, 2)


def test_provenance_on_nodes_and_relationships(graph: Driver) -> None:
    GraphWriter(graph).write(_records("nuts"))
    GraphWriter(graph).write(_records("other"))
    records, _, _ = graph.execute_query(
        "MATCH (a:Region {nuts_id: 'DK05'})-[r:PART_OF]->() "
        "RETURN a.sources AS ns, r.sources AS rs, a.loaded_at IS NOT NULL AS stamped"
    )
    assert records[0]["ns"] == ["nuts", "other"]
    assert records[0]["rs"] == ["nuts", "other"]
    assert records[0]["stamped"]


def test_source_ids_and_aliases_accumulate(graph: Driver) -> None:
    writer = GraphWriter(graph)
    writer.write([Node(NodeLabel.ORGANISATION, "o1", {"name": "AAU"}, "a", ("pic:1",), ("AAU",))])
    writer.write(
        [
            Node(
                NodeLabel.ORGANISATION,
                "o1",
                {"name": "AAU"},
                "b",
                ("edih:7", "pic:1"),
                ("Aalborg",),
            )
        ]
    )
    records, _, _ = graph.execute_query(
        "MATCH (o:Organisation {uid: 'o1'}) RETURN o.source_ids AS ids, o.aliases AS aliases"
    )
    assert records[0]["ids"] == ["pic:1", "edih:7"]
    assert records[0]["aliases"] == ["AAU", "Aalborg"]


def test_relationship_with_missing_end_is_reported_not_lost(graph: Driver) -> None:
    records = [
        *_records(),
        Rel(RelType.PART_OF, NodeLabel.REGION, "XX99", NodeLabel.REGION, "DK", {}, "test"),
    ]
    stats = GraphWriter(graph).write(records)
    assert stats.relationship_total == 2
    assert len(stats.missing_ends) == 1
    missing = stats.missing_ends[0]
    assert missing.rel.start_key == "XX99" and not missing.start_found and missing.end_found


def test_batches_larger_than_batch_size(graph: Driver) -> None:
    nodes = [Node(NodeLabel.ORGANISATION, f"o{i}", {"name": f"Org {i}"}, "t") for i in range(2500)]
    batches: list[int] = []
    stats = GraphWriter(graph, batch_size=1000, on_batch=batches.append).write(nodes)
    assert stats.node_total == 2500
    assert batches == [1000, 1000, 500]
    assert _counts(graph)[0] == 2500
