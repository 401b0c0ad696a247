"""Ingestion benchmark: one scale's data set through the real loaders and writer, against the
two alternatives a user has — one ``MERGE`` per row and transaction (the naive baseline) and a
bare ``UNWIND ... MERGE`` of the very same rows with no parsing or validation (the ceiling).

Each step runs in its own process so that peak memory is the step's own:

- ``load``: every loader of the plan through ``loaders.pipeline.run_loader`` (end to end: read,
  validate, resolve regions and entities, write with provenance); then the same loaders'
  records are produced once more without writing (parse-only time) and saved for the ceiling.
- ``ceiling`` (on an empty store): the saved rows written with bare ``UNWIND ... MERGE``
  batches of the writer's batch size; with ``--naive``, afterwards, a sample of them one
  ``MERGE`` per transaction (keys prefixed so every ``MERGE`` creates, as on an empty store).

``benchmarks.run`` drives both against its throwaway Neo4j and computes the ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import random
import resource
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, LiteralString

from neo4j import Driver, ManagedTransaction

from graph.connection import open_driver
from graph.schema import NODE_KEYS, NodeLabel, RelType
from graph.settings import Settings
from graph.writer import Node, Rel
from loaders.base import LoadContext, LoadReport
from loaders.pipeline import run_loader
from loaders.registry import LOADER_NAMES, get_loader

# Loaders of one benchmark load, in dependency order, and the path inside the scale's data set
# each reads (None: the project's own snapshot or mapping, the same at every scale).
PLAN: tuple[tuple[str, str | None], ...] = (
    ("domains", None),
    ("regions", None),
    ("s3", None),
    ("cordis", "cordis"),
    ("edih", "edih/edih_catalogue.csv"),
)

BARE_NODE_TEMPLATE = """
UNWIND $rows AS row
MERGE (n:{label} {{{key}: row.key}})
SET n += row.props
"""

BARE_REL_TEMPLATE = """
UNWIND $rows AS row
MATCH (a:{start_label} {{{start_key}: row.start}})
MATCH (b:{end_label} {{{end_key}: row.end}})
MERGE (a)-[r:{rel_type}]->(b)
SET r += row.props
"""

NAIVE_NODE_TEMPLATE = """
MERGE (n:{label} {{{key}: $key}})
SET n += $props
"""

NAIVE_REL_TEMPLATE = """
MATCH (a:{start_label} {{{start_key}: $start}})
MATCH (b:{end_label} {{{end_key}: $end}})
MERGE (a)-[r:{rel_type}]->(b)
SET r += $props
"""

NAIVE_PREFIX = "naive:"
NAIVE_ROWS = 1500  # per kind (nodes, relationships), bounded by NAIVE_SECONDS too
NAIVE_SECONDS = 8.0


def _fill(template: str, **names: str) -> LiteralString:
    """Fills label and type slots; callers pass enum values only."""
    return template.format(**names)  # type: ignore[return-value,unused-ignore]


def node_statement(template: str, label: NodeLabel) -> LiteralString:
    return _fill(template, label=NodeLabel(label).value, key=NODE_KEYS[label])


def rel_statement(template: str, rel: RelType, start: NodeLabel, end: NodeLabel) -> LiteralString:
    return _fill(
        template,
        rel_type=RelType(rel).value,
        start_label=NodeLabel(start).value,
        start_key=NODE_KEYS[start],
        end_label=NodeLabel(end).value,
        end_key=NODE_KEYS[end],
    )


# -- figures --------------------------------------------------------------------------------------


@dataclass
class LoaderFigures:
    name: str
    seconds: float
    nodes: int
    relationships: int
    rows_read: int
    rows_rejected: int
    parse_seconds: float = 0.0  # the same records produced without writing


@dataclass
class LoadFigures:
    """One scale loaded end to end."""

    data: str
    loaders: list[LoaderFigures] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.loaders)

    @property
    def nodes(self) -> int:
        return sum(f.nodes for f in self.loaders)

    @property
    def relationships(self) -> int:
        return sum(f.relationships for f in self.loaders)

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "seconds": self.seconds,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "parse_seconds": sum(f.parse_seconds for f in self.loaders),
        }


@dataclass
class Segment:
    """Rows of one label (or relationship type) as the loaders stated them, in load order."""

    label: NodeLabel | None
    rel: tuple[RelType, NodeLabel, NodeLabel] | None
    rows: list[dict[str, Any]]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def available_plan(data: Path) -> list[tuple[str, Path | None]]:
    """The plan's loaders that exist in this checkout, with their source paths."""
    plan: list[tuple[str, Path | None]] = []
    for name, folder in PLAN:
        if name not in LOADER_NAMES:
            continue
        try:
            get_loader(name)
        except ImportError:
            continue
        plan.append((name, data / folder if folder else None))
    return plan


def load(settings: Settings, driver: Driver, data: Path) -> LoadFigures:
    """Every loader of the plan, end to end, as ``s3graph load`` runs them."""
    figures = LoadFigures(data=str(data))
    for name, source in available_plan(data):
        began = time.perf_counter()
        result = run_loader(name, settings, driver, source_path=source, offline=True)
        seconds = time.perf_counter() - began
        figures.loaders.append(
            LoaderFigures(
                name=name,
                seconds=seconds,
                nodes=result.stats.node_total,
                relationships=result.stats.relationship_total,
                rows_read=result.report.rows_read,
                rows_rejected=result.report.rows_rejected,
            )
        )
    figures.peak_rss_mb = peak_rss_mb()
    return figures


def capture(settings: Settings, driver: Driver, data: Path, figures: LoadFigures) -> list[Segment]:
    """The records of every loader of the plan, produced again without writing (the graph is
    loaded, so look-ups find what they found before); the parse-only time of each loader is
    added to ``figures``. Returns the rows grouped as the writer groups them."""
    segments: list[Segment] = []
    by_name = {f.name: f for f in figures.loaders}
    for name, source in available_plan(data):
        ctx = LoadContext(settings=settings, driver=driver, source_path=source, offline=True)
        began = time.perf_counter()
        records = list(get_loader(name).records(ctx, LoadReport(source=name)))
        by_name[name].parse_seconds = time.perf_counter() - began
        segments.extend(_segments(records))
    return segments


def _segments(records: Sequence[Node | Rel]) -> Iterator[Segment]:
    """Nodes of a loader before its relationships (as the writer flushes them), one segment per
    label and per (type, start label, end label)."""
    nodes: dict[NodeLabel, list[dict[str, Any]]] = {}
    rels: dict[tuple[RelType, NodeLabel, NodeLabel], list[dict[str, Any]]] = {}
    for record in records:
        if isinstance(record, Node):
            nodes.setdefault(record.label, []).append({"key": record.key, "props": record.props})
        else:
            group = (record.type, record.start_label, record.end_label)
            rels.setdefault(group, []).append(
                {"start": record.start_key, "end": record.end_key, "props": record.props}
            )
    for label, rows in nodes.items():
        yield Segment(label, None, rows)
    for group, rows in rels.items():
        yield Segment(None, group, rows)


# -- the two alternatives -------------------------------------------------------------------------


def _statement(segment: Segment, node_template: str, rel_template: str) -> LiteralString:
    if segment.label is not None:
        return node_statement(node_template, segment.label)
    assert segment.rel is not None
    return rel_statement(rel_template, *segment.rel)


def write_bare(
    driver: Driver, segments: Sequence[Segment], batch_size: int, database: str | None = None
) -> dict[str, float]:
    """The raw ceiling: the same rows, bare ``UNWIND ... MERGE`` batches, nothing else."""
    nodes = rels = 0
    began = time.perf_counter()
    with driver.session(database=database) as session:
        for segment in segments:
            query = _statement(segment, BARE_NODE_TEMPLATE, BARE_REL_TEMPLATE)
            for start in range(0, len(segment.rows), batch_size):
                batch = segment.rows[start : start + batch_size]

                def work(tx: ManagedTransaction, q: LiteralString = query, b: Any = batch) -> None:
                    tx.run(q, rows=b).consume()

                session.execute_write(work)
            if segment.label is not None:
                nodes += len(segment.rows)
            else:
                rels += len(segment.rows)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "nodes": nodes, "relationships": rels}


def _sample(
    segments: Sequence[Segment], nodes: bool, count: int, rng: random.Random
) -> list[tuple[Segment, dict[str, Any]]]:
    pool = [(s, row) for s in segments if (s.label is not None) == nodes for row in s.rows]
    return rng.sample(pool, min(count, len(pool)))


def _prefixed(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in ("key", "start", "end"):
        if key in out:
            out[key] = NAIVE_PREFIX + str(out[key])
    return out


def naive(
    driver: Driver,
    segments: Sequence[Segment],
    batch_size: int,
    database: str | None = None,
    seed: int = 1,
) -> dict[str, float]:
    """The naive baseline: one ``MERGE`` per row and transaction, on a seeded sample of the
    rows (keys prefixed, so each ``MERGE`` creates as it would on an empty store). The end
    nodes of the sampled relationships are created beforehand, untimed."""
    rng = random.Random(seed)
    figures: dict[str, float] = {}
    with driver.session(database=database) as session:
        for kind in ("nodes", "relationships"):
            sample = _sample(segments, kind == "nodes", NAIVE_ROWS, rng)
            if kind == "relationships":
                _create_ends(driver, sample, batch_size, database)
            done = 0
            began = time.perf_counter()
            for segment, row in sample:
                query = _statement(segment, NAIVE_NODE_TEMPLATE, NAIVE_REL_TEMPLATE)
                params = _prefixed(row)

                def work(tx: ManagedTransaction, q: LiteralString = query, p: Any = params) -> None:
                    tx.run(q, p).consume()

                session.execute_write(work)
                done += 1
                if time.perf_counter() - began > NAIVE_SECONDS:
                    break
            seconds = time.perf_counter() - began
            figures[f"{kind}_rows"] = done
            figures[f"{kind}_seconds"] = seconds
            figures[f"{kind}_per_s"] = done / seconds if seconds else 0.0
    return figures


def _create_ends(
    driver: Driver,
    sample: Sequence[tuple[Segment, dict[str, Any]]],
    batch_size: int,
    database: str | None,
) -> None:
    ends: dict[NodeLabel, set[str]] = {}
    for segment, row in sample:
        assert segment.rel is not None
        _, start_label, end_label = segment.rel
        ends.setdefault(start_label, set()).add(NAIVE_PREFIX + str(row["start"]))
        ends.setdefault(end_label, set()).add(NAIVE_PREFIX + str(row["end"]))
    segments = [
        Segment(label, None, [{"key": k, "props": {}} for k in sorted(keys)])
        for label, keys in ends.items()
    ]
    write_bare(driver, segments, batch_size, database)


# -- command line (one step per process) ----------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One step of the ingestion benchmark.")
    parser.add_argument("step", choices=("load", "ceiling"))
    parser.add_argument("--data", type=Path, help="a scale's data set (load)")
    parser.add_argument("--rows", type=Path, required=True, help="captured rows (pickle)")
    parser.add_argument("--out", type=Path, required=True, help="figures (JSON)")
    parser.add_argument("--naive", action="store_true", help="also the naive baseline")
    parser.add_argument("--no-capture", action="store_true", help="load only (for profiling)")
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # the loaders' notices are not figures

    settings = Settings()
    driver = open_driver(settings, start_local=False)
    try:
        if args.step == "load":
            figures = load(settings, driver, args.data)
            if not args.no_capture:
                segments = capture(settings, driver, args.data, figures)
                with args.rows.open("wb") as handle:
                    pickle.dump(segments, handle, protocol=pickle.HIGHEST_PROTOCOL)
            result: dict[str, Any] = figures.summary()
        else:
            with args.rows.open("rb") as handle:
                segments = pickle.load(handle)
            result = {"ceiling": write_bare(driver, segments, settings.batch_size)}
            if args.naive:
                result["naive"] = naive(driver, segments, settings.batch_size)
    finally:
        driver.close()
    args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
