"""Ingestion benchmark: one scale's data set through the real loaders and writer, against the
two alternatives a user has — one ``MERGE`` per row and transaction (the naive baseline) and a
bare ``UNWIND ... MERGE`` of the very same rows with no parsing or validation (the ceiling).

Each step runs in its own process so that peak memory is the step's own:

- ``load``: every loader of the plan through ``loaders.pipeline.run_loader`` (end to end: read,
  validate, resolve regions and entities, write with provenance); the time inside each loader
  is told apart from the writer's, and the records are saved for the ceiling as they pass.
- ``ceiling`` (on an empty store): the saved rows written with bare ``UNWIND ... MERGE``
  batches of the writer's batch size; with ``--naive``, afterwards, a sample of them one
  ``MERGE`` per transaction (keys prefixed so every ``MERGE`` creates, as on an empty store).

``benchmarks.run`` drives both against its throwaway Neo4j and computes the ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import pickle
import random
import resource
import signal
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, LiteralString

from neo4j import Driver, ManagedTransaction

from graph.connection import open_driver
from graph.schema import NODE_KEYS, NodeLabel, RelType
from graph.settings import Settings
from graph.writer import Node, Rel
from loaders.base import LoadContext, LoadReport
from loaders.entities import Candidate, OrganisationMatcher
from loaders.pipeline import run_loader
from loaders.registry import LOADER_NAMES, LOADERS, get_loader
from loaders.tables import read_table

# Loaders of one benchmark load, in dependency order, and the path inside the scale's data set
# each reads (None: the project's own snapshot or mapping, the same at every scale).
PLAN: tuple[tuple[str, str | None], ...] = (
    ("domains", None),
    ("regions", None),
    ("s3", None),
    ("cordis", "cordis"),
    ("edih", "edih/edih_catalogue.csv"),
    ("een", "cordis/organization.csv"),
    ("eccp", None),
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
    loader_seconds: float = 0.0  # inside the loader: read, validate, resolve, match


@dataclass
class LoadFigures:
    """One scale loaded end to end."""

    data: str
    loaders: list[LoaderFigures] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    # When the time budget stopped the load: the loader it stopped in, as far as it got
    # (records written, split into nodes and relationships as the loader yielded them).
    stopped_in: LoaderFigures | None = None

    def _all(self) -> list[LoaderFigures]:
        return [*self.loaders, *([self.stopped_in] if self.stopped_in else [])]

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self._all())

    @property
    def nodes(self) -> int:
        return sum(f.nodes for f in self._all())

    @property
    def relationships(self) -> int:
        return sum(f.relationships for f in self._all())

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "seconds": self.seconds,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "loader_seconds": sum(f.loader_seconds for f in self._all()),
            "complete": self.stopped_in is None,
        }


@dataclass
class Segment:
    """Rows of one label (or relationship type) as the loaders stated them, in load order."""

    label: NodeLabel | None
    rel: tuple[RelType, NodeLabel, NodeLabel] | None
    rows: list[dict[str, Any]]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far: Linux's VmHWM (the high-water mark of
    this program's own memory; ``ru_maxrss`` would carry over the parent's peak from before
    the fork), else ``ru_maxrss`` (KiB on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def available_plan(data: Path | None) -> list[tuple[str, Path | None]]:
    """The plan's loaders that exist in this checkout, with their source paths; with no data
    set, the real graph: every loader of ``s3graph load all`` on the bundled data."""
    if data is None:
        return [(entry.name, None) for entry in LOADERS]
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


class Recorder:
    """Instrument around a loader's ``records``: times the loader's own work (from the writer
    asking for the next record until it gets it: reading, validating, resolving regions and
    entities) and streams every record to a file for the ceiling, in chunks, so that neither
    a second pass over the sources nor a list of every record in memory is needed. The time
    spent streaming is measured too and left out of the end-to-end figure."""

    CHUNK = 10_000

    def __init__(self, handle: BinaryIO | None) -> None:
        self.handle = handle
        self.buffer: list[Node | Rel] = []
        self.loader_seconds = 0.0
        self.sink_seconds = 0.0
        self.yielded_nodes = 0
        self.yielded_rels = 0

    def wrap(self, name: str, records: Iterator[Node | Rel]) -> Iterator[Node | Rel]:
        self.loader_seconds = self.sink_seconds = 0.0
        self.yielded_nodes = self.yielded_rels = 0
        while True:
            began = time.perf_counter()
            try:
                record = next(records)
            except StopIteration:
                self.loader_seconds += time.perf_counter() - began
                break
            self.loader_seconds += time.perf_counter() - began
            if STOP_REQUESTED.is_set():
                raise SystemExit("stopped by the time budget")
            if isinstance(record, Node):
                self.yielded_nodes += 1
            else:
                self.yielded_rels += 1
            if self.handle is not None:
                began = time.perf_counter()
                self.buffer.append(record)
                if len(self.buffer) >= self.CHUNK:
                    self.flush(name)
                self.sink_seconds += time.perf_counter() - began
            yield record
        began = time.perf_counter()
        self.flush(name)
        self.sink_seconds += time.perf_counter() - began

    def flush(self, name: str) -> None:
        if self.handle is not None and self.buffer:
            pickle.dump((name, self.buffer), self.handle, protocol=pickle.HIGHEST_PROTOCOL)
            self.buffer = []


def load(
    settings: Settings,
    driver: Driver,
    data: Path | None,
    record_to: BinaryIO | None = None,
    figures_out: list[LoadFigures] | None = None,
) -> LoadFigures:
    """Every loader of the plan, end to end, as ``s3graph load`` runs them (through
    ``run_loader``), with each loader's ``records`` watched by a ``Recorder``. Stopped by a
    signal, the figures so far are left in ``figures_out``."""
    figures = LoadFigures(data=str(data) if data else "the bundled real data (load all)")
    if figures_out is not None:
        figures_out.append(figures)
    recorder = Recorder(record_to)
    for name, source in available_plan(data):
        loader = get_loader(name)
        original = loader.records
        written = 0

        def watched(
            ctx: LoadContext,
            report: LoadReport,
            original: Any = original,
            name: str = name,
        ) -> Iterator[Node | Rel]:
            return recorder.wrap(name, iter(original(ctx, report)))

        def progress(count: int) -> None:
            nonlocal written
            written += count

        setattr(loader, "records", watched)  # noqa: B010 - an instrument, removed below
        began = time.perf_counter()
        try:
            result = run_loader(name, settings, driver, source_path=source, on_batch=progress)
        except (KeyboardInterrupt, SystemExit):
            yielded = recorder.yielded_nodes + recorder.yielded_rels
            share = recorder.yielded_nodes / yielded if yielded else 0.0
            figures.stopped_in = LoaderFigures(
                name=name,
                seconds=time.perf_counter() - began - recorder.sink_seconds,
                nodes=round(written * share),
                relationships=written - round(written * share),
                rows_read=0,
                rows_rejected=0,
                loader_seconds=recorder.loader_seconds,
            )
            figures.peak_rss_mb = peak_rss_mb()
            raise
        finally:
            delattr(loader, "records")
        figures.loaders.append(
            LoaderFigures(
                name=name,
                seconds=time.perf_counter() - began - recorder.sink_seconds,
                nodes=result.stats.node_total,
                relationships=result.stats.relationship_total,
                rows_read=result.report.rows_read,
                rows_rejected=result.report.rows_rejected,
                loader_seconds=recorder.loader_seconds,
            )
        )
    figures.peak_rss_mb = peak_rss_mb()
    return figures


def read_recorded(path: Path) -> list[Segment]:
    """The recorded records, grouped per loader as the writer groups them."""
    by_loader: dict[str, list[Node | Rel]] = {}
    with path.open("rb") as handle:
        while True:
            try:
                name, chunk = pickle.load(handle)
            except EOFError:
                break
            by_loader.setdefault(name, []).extend(chunk)
    segments: list[Segment] = []
    for records in by_loader.values():
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


# -- entity matching cost ---------------------------------------------------------------------


def matcher_curve(organization_csv: Path, sizes: Sequence[int]) -> dict[str, Any]:
    """CPU seconds of ``loaders.entities.OrganisationMatcher`` matching and registering the
    first ``n`` organisations of a CORDIS file, for each ``n``, and the fitted exponent: how
    entity resolution grows with the number of organisations, apart from the database and
    from the other loaders' work."""
    firsts: dict[str, dict[str, str]] = {}
    largest = max(sizes)
    for _, row in read_table(organization_csv, required=("organisationID", "name", "country")):
        pic = (row["organisationID"] or "").strip()
        if pic and pic not in firsts:
            firsts[pic] = {k: v or "" for k, v in row.items()}
            if len(firsts) >= largest:
                break
    pics = list(firsts)
    points: list[tuple[int, float]] = []
    for n in sizes:
        matcher = OrganisationMatcher()
        began = time.process_time()
        for pic in pics[:n]:
            first = firsts[pic]
            matcher.match_and_register(
                Candidate(
                    uid=f"org:pic:{pic}",
                    source_id=f"cordis:pic:{pic}",
                    name=first["name"],
                    country_code=first["country"],
                    pic=pic,
                    vat=first.get("vatNumber") or None,
                    website=first.get("organizationURL") or None,
                )
            )
        points.append((min(n, len(pics)), time.process_time() - began))
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(c, 1e-6)) for _, c in points]
    slope = statistics.linear_regression(xs, ys).slope if len(points) > 1 else None
    return {
        "points": [{"organisations": n, "cpu_seconds": round(c, 3)} for n, c in points],
        "exponent": round(slope, 2) if slope is not None else None,
    }


# -- the two alternatives -------------------------------------------------------------------------


def _statement(segment: Segment, node_template: str, rel_template: str) -> LiteralString:
    if segment.label is not None:
        return node_statement(node_template, segment.label)
    assert segment.rel is not None
    return rel_statement(rel_template, *segment.rel)


def write_bare(
    driver: Driver,
    segments: Sequence[Segment],
    batch_size: int,
    database: str | None = None,
    budget_s: float = math.inf,
) -> dict[str, Any]:
    """The raw ceiling: the same rows, bare ``UNWIND ... MERGE`` batches, nothing else; stops
    after ``budget_s`` (then the rows written so far count)."""
    nodes = rels = 0
    began = time.perf_counter()
    complete = True
    with driver.session(database=database) as session:
        for segment in segments:
            if time.perf_counter() - began > budget_s:
                complete = False
                break
            query = _statement(segment, BARE_NODE_TEMPLATE, BARE_REL_TEMPLATE)
            for start in range(0, len(segment.rows), batch_size):
                batch = segment.rows[start : start + batch_size]

                def work(tx: ManagedTransaction, q: LiteralString = query, b: Any = batch) -> None:
                    tx.run(q, rows=b).consume()

                session.execute_write(work)
                if segment.label is not None:
                    nodes += len(batch)
                else:
                    rels += len(batch)
                if time.perf_counter() - began > budget_s:
                    complete = False
                    break
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "nodes": nodes, "relationships": rels, "complete": complete}


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


STOP_REQUESTED = threading.Event()


def _stop(signum: int, frame: Any) -> None:
    """The benchmark's time budget ran out. A load stops at its next record (``Recorder``),
    never inside the driver: an exception raised half-way through sending a batch would leave
    a half-written message on the connection. Any other step unwinds at once."""
    if STOP_REQUESTED.is_set() or not LOADING.is_set():
        raise SystemExit(f"stopped by signal {signum}")
    STOP_REQUESTED.set()


LOADING = threading.Event()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One step of the ingestion benchmark.")
    parser.add_argument("step", choices=("load", "ceiling"))
    parser.add_argument("--data", type=Path, help="a scale's data set (load; none: the real one)")
    parser.add_argument("--rows", type=Path, required=True, help="recorded records (pickle)")
    parser.add_argument("--out", type=Path, required=True, help="figures (JSON)")
    parser.add_argument("--naive", action="store_true", help="also the naive baseline")
    parser.add_argument("--budget", type=float, default=math.inf, help="ceiling: seconds")
    parser.add_argument("--profile", type=Path, help="load: pyinstrument text report here")
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # the loaders' notices are not figures
    signal.signal(signal.SIGTERM, _stop)

    settings = Settings()
    driver = open_driver(settings, start_local=False)
    result: dict[str, Any] = {}
    try:
        if args.step == "load":
            result = _load_step(settings, driver, args)
        else:
            segments = read_recorded(args.rows)
            result = {
                "ceiling": write_bare(driver, segments, settings.batch_size, budget_s=args.budget)
            }
            if args.naive:
                result["naive"] = naive(driver, segments, settings.batch_size)
    finally:
        driver.close()
        args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def _load_step(settings: Settings, driver: Driver, args: argparse.Namespace) -> dict[str, Any]:
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    so_far: list[LoadFigures] = []
    LOADING.set()
    try:
        with args.rows.open("wb") as handle:
            load(settings, driver, args.data, handle, so_far)
    except SystemExit:
        pass  # stopped by the budget: the figures so far are the result
    finally:
        LOADING.clear()
        if profiler is not None:
            profiler.stop()
            args.profile.write_text(
                profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8"
            )
    return so_far[0].summary() if so_far else {}


if __name__ == "__main__":
    main()
