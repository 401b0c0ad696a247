"""Idempotent, batched writes: ``UNWIND $rows ... MERGE`` on each label's natural key.

Loaders yield ``Node`` and ``Rel`` records; this module alone turns them into Cypher. Every node
and relationship gets provenance: ``sources`` (the names of the sources that stated it) and
``loaded_at``. Relationships are matched on both keyed ends, so each row is two index seeks.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString

from neo4j import Driver, ManagedTransaction

from graph.schema import NODE_KEYS, NodeLabel, RelType


@dataclass(frozen=True, slots=True)
class Node:
    """A node stated by one source. ``source_ids`` and ``aliases`` accumulate across sources."""

    label: NodeLabel
    key: str
    props: dict[str, Any]
    source: str
    source_ids: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rel:
    """A relationship between two keyed nodes, stated by one source."""

    type: RelType
    start_label: NodeLabel
    start_key: str
    end_label: NodeLabel
    end_key: str
    props: dict[str, Any]
    source: str


Record = Node | Rel


@dataclass(frozen=True, slots=True)
class MissingEnd:
    """A relationship that could not be written because one of its ends does not exist."""

    rel: Rel
    start_found: bool
    end_found: bool


# A key is stored in its label's uniqueness index, which holds entries of at most about 8 KB;
# a longer one would make Neo4j refuse the whole batch. Such a node is set aside instead.
MAX_KEY_BYTES = 4096


@dataclass
class WriteStats:
    nodes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    relationships: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missing_ends: list[MissingEnd] = field(default_factory=list)
    oversized_keys: list[Node] = field(default_factory=list)

    @property
    def node_total(self) -> int:
        return sum(self.nodes.values())

    @property
    def relationship_total(self) -> int:
        return sum(self.relationships.values())


NODE_TEMPLATE = """
UNWIND $rows AS row
MERGE (n:{label} {{{key}: row.key}})
SET n += row.props,
    n.loaded_at = $loaded_at,
    n.sources = CASE WHEN $source IN coalesce(n.sources, []) THEN n.sources
                     ELSE coalesce(n.sources, []) + $source END,
    n.source_ids = reduce(acc = coalesce(n.source_ids, []), x IN row.source_ids |
                          CASE WHEN x IN acc THEN acc ELSE acc + x END),
    n.aliases = reduce(acc = coalesce(n.aliases, []), x IN row.aliases |
                       CASE WHEN x IN acc THEN acc ELSE acc + x END)
RETURN count(*) AS written
"""

REL_TEMPLATE = """
UNWIND $rows AS row
MATCH (a:{start_label} {{{start_key}: row.start}})
MATCH (b:{end_label} {{{end_key}: row.end}})
MERGE (a)-[r:{rel_type}]->(b)
SET r += row.props,
    r.loaded_at = $loaded_at,
    r.sources = CASE WHEN $source IN coalesce(r.sources, []) THEN r.sources
                     ELSE coalesce(r.sources, []) + $source END
RETURN count(*) AS written
"""

MISSING_ENDS_TEMPLATE = """
UNWIND range(0, size($rows) - 1) AS i
WITH i, $rows[i] AS row
OPTIONAL MATCH (a:{start_label} {{{start_key}: row.start}})
OPTIONAL MATCH (b:{end_label} {{{end_key}: row.end}})
WITH i, a IS NOT NULL AS start_found, b IS NOT NULL AS end_found
WHERE NOT (start_found AND end_found)
RETURN i, start_found, end_found
"""


def _fill(template: str, **names: str) -> LiteralString:
    """Fills label and type slots of a template; callers pass enum values only."""
    return template.format(**names)  # type: ignore[return-value,unused-ignore]


def node_query(label: NodeLabel) -> LiteralString:
    return _fill(NODE_TEMPLATE, label=NodeLabel(label).value, key=NODE_KEYS[label])


def rel_query(rel_type: RelType, start: NodeLabel, end: NodeLabel) -> LiteralString:
    return _fill(
        REL_TEMPLATE,
        rel_type=RelType(rel_type).value,
        start_label=NodeLabel(start).value,
        start_key=NODE_KEYS[start],
        end_label=NodeLabel(end).value,
        end_key=NODE_KEYS[end],
    )


def missing_ends_query(start: NodeLabel, end: NodeLabel) -> LiteralString:
    return _fill(
        MISSING_ENDS_TEMPLATE,
        start_label=NodeLabel(start).value,
        start_key=NODE_KEYS[start],
        end_label=NodeLabel(end).value,
        end_key=NODE_KEYS[end],
    )


NodeGroup = tuple[NodeLabel, str]
RelGroup = tuple[RelType, NodeLabel, NodeLabel, str]


class GraphWriter:
    """Buffers records per label (or type) and source, and writes each full buffer in one
    managed transaction (retried by the driver on transient errors).

    Pending nodes are always flushed before a relationship batch, so a relationship yielded
    after its end nodes never misses them, however the batches fall.

    Inside ``write`` one thread sends the batches, in order, while the records of the next are
    read: a loader's parsing and matching and Neo4j's writing overlap instead of taking turns.
    At most one batch waits behind the one being written, so memory stays two batches.
    """

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        batch_size: int = 5000,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.loaded_at = datetime.now(UTC)
        self.stats = WriteStats()
        self._nodes: dict[NodeGroup, list[Node]] = defaultdict(list)
        self._rels: dict[RelGroup, list[Rel]] = defaultdict(list)
        self._sender: ThreadPoolExecutor | None = None
        self._sent: deque[tuple[Future[Any], Callable[[Any], None]]] = deque()

    def write(self, records: Iterable[Record]) -> WriteStats:
        """Writes every record and returns the counts (also kept in ``self.stats``).

        When reading the records fails, or a batch is refused, the batches already sent are
        finished and counted before the error goes on."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-writer") as sender:
            self._sender = sender
            try:
                for record in records:
                    self.add(record)
                self.flush()
            finally:
                self._settle(raising=False)
                self._sender = None
        return self.stats

    def add(self, record: Record) -> None:
        if isinstance(record, Node):
            if len(record.key.encode("utf-8")) > MAX_KEY_BYTES:
                self.stats.oversized_keys.append(record)
                return
            node_group = (record.label, record.source)
            self._nodes[node_group].append(record)
            if len(self._nodes[node_group]) >= self.batch_size:
                self._flush_node_group(node_group)
        else:
            rel_group = (record.type, record.start_label, record.end_label, record.source)
            self._rels[rel_group].append(record)
            if len(self._rels[rel_group]) >= self.batch_size:
                self._flush_nodes()
                self._flush_rel_group(rel_group)

    def flush(self) -> None:
        self._flush_nodes()
        for group in list(self._rels):
            self._flush_rel_group(group)
        self._settle(raising=True)

    def _flush_nodes(self) -> None:
        for group in list(self._nodes):
            self._flush_node_group(group)

    def _flush_node_group(self, group: NodeGroup) -> None:
        batch = self._nodes.pop(group, [])
        if not batch:
            return
        label, source = group
        rows = [
            {
                "key": n.key,
                "props": n.props,
                "source_ids": list(n.source_ids),
                "aliases": list(n.aliases),
            }
            for n in batch
        ]
        query = node_query(label)

        def written(count: int) -> None:
            self.stats.nodes[label.value] += count
            self._report(len(batch))

        self._send(lambda: self._run(query, rows, source), written)

    def _flush_rel_group(self, group: RelGroup) -> None:
        batch = self._rels.pop(group, [])
        if not batch:
            return
        rel_type, start, end, source = group
        rows = [{"start": r.start_key, "end": r.end_key, "props": r.props} for r in batch]
        query = rel_query(rel_type, start, end)

        def work() -> tuple[int, list[MissingEnd]]:
            count = self._run(query, rows, source)
            missing = self._missing_ends(batch, rows, start, end) if count < len(batch) else []
            return count, missing

        def written(result: tuple[int, list[MissingEnd]]) -> None:
            self.stats.relationships[rel_type.value] += result[0]
            self.stats.missing_ends.extend(result[1])
            self._report(len(batch))

        self._send(work, written)

    def _send(self, work: Callable[[], Any], written: Callable[[Any], None]) -> None:
        """Runs ``work`` (one batch) on the sending thread inside ``write``, else at once;
        ``written`` counts its result here, in the caller's thread."""
        if self._sender is None:
            written(work())
            return
        self._sent.append((self._sender.submit(work), written))
        while len(self._sent) > 1:
            future, done = self._sent.popleft()
            done(future.result())

    def _settle(self, raising: bool) -> None:
        """Waits for the batches sent and counts them; the first refused one raises when
        ``raising``, otherwise (an error is already on its way) failures are left to it."""
        while self._sent:
            future, done = self._sent.popleft()
            if future.exception() is None:
                done(future.result())
            elif raising:
                self._settle(raising=False)
                future.result()

    def _missing_ends(
        self, batch: list[Rel], rows: list[dict[str, Any]], start: NodeLabel, end: NodeLabel
    ) -> list[MissingEnd]:
        query = missing_ends_query(start, end)

        def find(tx: ManagedTransaction) -> list[tuple[int, bool, bool]]:
            result = tx.run(query, rows=rows)
            return [(r["i"], r["start_found"], r["end_found"]) for r in result]

        with self.driver.session(database=self.database) as session:
            found = session.execute_read(find)
        return [MissingEnd(batch[index], start_ok, end_ok) for index, start_ok, end_ok in found]

    def _run(self, query: LiteralString, rows: list[dict[str, Any]], source: str) -> int:
        def work(tx: ManagedTransaction) -> int:
            record = tx.run(query, rows=rows, source=source, loaded_at=self.loaded_at).single()
            return int(record["written"]) if record else 0

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _report(self, count: int) -> None:
        if self.on_batch is not None:
            self.on_batch(count)


# What a source no longer states (``s3graph refresh``): ties and nodes of that source alone are
# removed; those another source states too only lose this source.
FORGET_TIES: LiteralString = """
UNWIND $ties AS tie
MATCH (a:Organisation|Cluster {uid: tie[1]})-[r]->(b)
WHERE b.uid = tie[2] AND type(r) = tie[0] AND $source IN coalesce(r.sources, [])
WITH r, [s IN r.sources WHERE s <> $source] AS others
FOREACH (_ IN CASE WHEN others = [] THEN [1] ELSE [] END | DELETE r)
FOREACH (_ IN CASE WHEN others <> [] THEN [1] ELSE [] END | SET r.sources = others)
"""

FORGET_NODES: LiteralString = """
UNWIND $uids AS uid
CALL (uid) {
  MATCH (n:Project {uid: uid}) RETURN n
  UNION
  MATCH (n:Organisation {uid: uid}) RETURN n
}
WITH n WHERE $source IN coalesce(n.sources, [])
WITH n, [s IN n.sources WHERE s <> $source] AS others
FOREACH (_ IN CASE WHEN others = [] THEN [1] ELSE [] END | DETACH DELETE n)
FOREACH (_ IN CASE WHEN others <> [] THEN [1] ELSE [] END | SET n.sources = others)
"""


def forget(
    driver: Driver,
    source: str,
    uids: list[str],
    ties: list[tuple[str, str, str]],
    database: str | None = None,
    batch_size: int = 5000,
) -> None:
    """Removes what ``source`` no longer states (see ``FORGET_*``), in batches."""
    rows = [list(t) for t in ties]
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        driver.execute_query(FORGET_TIES, {"ties": chunk, "source": source}, database_=database)
    for start in range(0, len(uids), batch_size):
        names = uids[start : start + batch_size]
        driver.execute_query(FORGET_NODES, {"uids": names, "source": source}, database_=database)
