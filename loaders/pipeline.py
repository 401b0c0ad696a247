"""Running loaders: each source's records go through the batched writer, its rejects (bad rows
and relationships whose ends do not exist) into a report, and the graph version is bumped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neo4j import Driver

from graph.meta import bump_graph_version
from graph.settings import Settings
from graph.writer import GraphWriter, WriteStats
from loaders.base import LoadContext, LoadReport
from loaders.registry import get_loader


@dataclass
class LoadResult:
    report: LoadReport
    stats: WriteStats
    rejects_file: Path | None


def run_loader(
    name: str,
    settings: Settings,
    driver: Driver,
    source_path: Path | None = None,
    offline: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> LoadResult:
    """Loads one source. A wholly wrong source raises ``SourceFormatError`` before any write."""
    loader = get_loader(name)
    report = LoadReport(source=name)
    ctx = LoadContext(settings=settings, driver=driver, source_path=source_path, offline=offline)
    writer = GraphWriter(
        driver, settings.neo4j_database, batch_size=settings.batch_size, on_batch=on_batch
    )
    stats = writer.write(loader.records(ctx, report))
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
