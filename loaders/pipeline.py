"""Running loaders: each source's records go through the batched writer, its rejects (bad rows
and relationships whose ends do not exist) into a report, and the graph version is bumped."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from neo4j import Driver
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.errors import DatabaseUnavailable, WriteRefused
from graph.meta import bump_graph_version
from graph.schema import NODE_KEYS
from graph.settings import Settings
from graph.writer import GraphWriter, Node, Record, WriteStats
from loaders.base import LoadContext, LoadReport
from loaders.fetch import fetched_folder, read_manifest
from loaders.registry import entry, get_loader


@dataclass
class Stated:
    """The keys of what one load stated (nodes and relationships), for ``s3graph refresh``
    to tell what a new file no longer states."""

    nodes: set[tuple[str, str]] = field(default_factory=set)  # (label, key)
    rels: set[tuple[str, str, str]] = field(default_factory=set)  # (type, start key, end key)

    def watch(self, records: Iterator[Record]) -> Iterator[Record]:
        for record in records:
            if isinstance(record, Node):
                self.nodes.add((record.label.value, record.key))
            else:
                self.rels.add((record.type.value, record.start_key, record.end_key))
            yield record


@dataclass
class LoadResult:
    report: LoadReport
    stats: WriteStats
    rejects_file: Path | None
    stated: Stated = field(default_factory=Stated)


def run_loader(
    name: str,
    settings: Settings,
    driver: Driver,
    source_path: Path | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> LoadResult:
    """Loads one source. A wholly wrong source raises ``SourceFormatError`` before any write.

    Losing Neo4j part-way raises ``DatabaseUnavailable`` (after the driver's retries): each
    batch is one transaction, so the graph holds whole batches only, and re-running the source
    completes it without duplicates.
    """
    loader = get_loader(name)
    report = LoadReport(source=name)
    paths: list[Path | None] = [source_path]
    if source_path is None:
        paths = list(fetched_sources(name, settings, report)) or [None]
    stated = Stated()
    records = stated.watch(
        chain.from_iterable(
            loader.records(LoadContext(settings=settings, driver=driver, source_path=path), report)
            for path in paths
        )
    )
    writer = GraphWriter(
        driver, settings.neo4j_database, batch_size=settings.batch_size, on_batch=on_batch
    )
    try:
        with _rare_collections():
            result = _load(name, settings, driver, records, report, writer)
        result.stated = stated
        return result
    except (ServiceUnavailable, SessionExpired) as exc:
        written = writer.stats.node_total + writer.stats.relationship_total
        raise DatabaseUnavailable(
            f"Neo4j stopped answering while loading {name} ({written:,} records written, in "
            f"whole batches): start it again ('s3graph db start') and re-run 's3graph load "
            f"{name}'; loading is idempotent, nothing is duplicated ({_first_line(exc)})"
        ) from exc
    except Neo4jError as exc:
        raise WriteRefused(
            f"Neo4j refused a write while loading {name} ({exc.code}: {_first_line(exc)}); "
            "the batches written before it are kept"
        ) from exc


# A load keeps most of what it allocates (validated rows, the matcher's names, records waiting
# for their batch), so the cyclic collector's default pace (a pass per 700 objects, a full pass
# as the heap grows by a quarter) walks the same live objects over and over: 830,693 EDIH
# topics at 100x validate in 2.8 s instead of 6.7 s with these thresholds, as with none.
LOAD_GC_THRESHOLDS = (100_000, 50, 50)


@contextmanager
def _rare_collections() -> Iterator[None]:
    """The cyclic garbage collector runs rarely while a source loads (see above)."""
    before = gc.get_threshold()
    gc.set_threshold(*LOAD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def fetched_sources(name: str, settings: Settings, report: LoadReport) -> Iterator[Path]:
    """The folders of files ``s3graph fetch`` brought for this source (Horizon 2020 and Horizon
    Europe for cordis), each read in turn instead of the bundled snapshot; none when nothing
    was fetched. The report says which were read."""
    for fetched_as in entry(name).fetched_as:
        folder = fetched_folder(settings.downloads_dir, fetched_as)
        if folder is None:
            continue
        manifest = read_manifest(folder.parent)
        when = manifest.fetched_at if manifest else "?"
        report.notes.append(f"read the files fetched from {fetched_as} on {when} ({folder})")
        yield folder


def _first_line(exc: Exception) -> str:
    """Driver messages run over several lines; a one-line error keeps the first."""
    text = str(exc.message if isinstance(exc, Neo4jError) else exc)
    return (text.strip().splitlines() or [type(exc).__name__])[0]


def _load(
    name: str,
    settings: Settings,
    driver: Driver,
    records: Iterator[Record],
    report: LoadReport,
    writer: GraphWriter,
) -> LoadResult:
    stats = writer.write(records)
    for node in stats.oversized_keys:
        report.reject(
            "(graph)",
            0,
            NODE_KEYS[node.label],
            f"{node.label.value} key of {len(node.key.encode('utf-8')):,} bytes: too long to index",
            node.key,
        )
    for missing in stats.missing_ends:
        rel = missing.rel
        absent = rel.start_key if not missing.start_found else rel.end_key
        report.reject(
            "(graph)",
            0,
            rel.type.value,
            "relationship end not in the graph (load its source first)",
            absent,
        )
    rejects_file = None
    if report.rejects:
        rejects_file = report.write_rejects(settings.home / "reports" / f"{name}-rejects.csv")
    bump_graph_version(driver, settings.neo4j_database, name)
    return LoadResult(report, stats, rejects_file)
