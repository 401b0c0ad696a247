"""The whole benchmark in one command (``make bench``): generate the scales, load each through
the real loaders, run the query mix with its in-memory cross-check, put HTTP load on
``s3graph serve``, write the ceiling and naive baselines, then print every figure and ratio,
write ``benchmarks/results/latest.json`` and a plot, and profile the slowest part.

Everything runs against a throwaway local Neo4j (own home folder, free port, 2g heap, 1g page
cache), never the user's database. The machine may be shared: figures are medians, compared
as ratios within the same run.

    uv run python -m benchmarks.run                 # 1x, 10x, 100x (the documented run)
    uv run python -m benchmarks.run --scale 1       # a smoke run
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver

from benchmarks.generate import DEFAULT_SEED, OUT_DIR, RealShape, generate, scale_dir
from benchmarks.ingest import matcher_curve
from benchmarks.inmemory import PulledGraph
from benchmarks.queries import HOME, QueryBench, latency_ratios, route_index_figures, run_mix
from benchmarks.server import BenchServer, free_port
from graph.errors import S3GraphError
from graph.settings import PROJECT_ROOT, Settings

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
SCALED_LOADERS = ("cordis", "edih")
MATCHER_SIZES = (2000, 4000, 8000, 16000)

# The targets of the speed issue (ms, requests/s, seconds, ratios).
GOALS = {
    "real_p50_ms": 30.0,  # paths and connect, warm, Python API, real graph
    "real_p95_ms": 100.0,
    "p95_ms_100x": 250.0,
    "vs_inmemory": 1.0,  # API no slower than the in-memory networkx computation
    "http_repeat_rps": 200.0,
    "http_p95_ms": 100.0,
    "http_distinct_rps": 50.0,
    "help_s": 0.3,
    "query_overhead_s": 0.5,
    "ingest_vs_ceiling": 0.5,
    "ingest_vs_naive": 50.0,
    "real_load_s": 180.0,
    "exponent": 1.05,  # cost no worse than linear (fitted exponent, 5 % slack for noise)
}
HTTP_DISTINCT = 400  # different /paths and /connect questions of the all-distinct mix
DEFAULT_RATE_LIMIT = str(Settings.model_fields["rate_limit"].default)


def log(text: str) -> None:
    print(text, flush=True)


def child(
    module: str,
    arguments: Sequence[str],
    env: dict[str, str],
    logfile: Path,
    timeout: float | None = None,
) -> bool:
    """Runs one benchmark step in a process of its own (so its memory is its own). Past
    ``timeout`` it is asked to stop (SIGTERM: it writes its figures so far); returns False
    then, True when it finished."""
    command = [sys.executable, "-m", module, *arguments]
    with logfile.open("ab") as handle:
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
        finished = True
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            finished = False
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if finished and process.returncode != 0:
        tail = logfile.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{module} {' '.join(arguments)} failed:\n{tail}")
    return finished


class Deadline:
    """The run's time budget (the issue asks for under 20 minutes on this machine). The smaller
    scales are measured in full where their caps allow, always leaving ``RESERVE_LARGEST`` for
    the largest scale, which gets whatever is left; a stage past its budget is stopped and
    reports what it did."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def budget(self, cap: float, keep: float, floor: float) -> float:
        return max(floor, min(cap, self.left() - keep))


RESERVE_LARGEST = 360.0  # seconds kept for the largest scale while the smaller ones run
LOAD_CAP = 600.0
AFTER_LOAD_S = 320.0  # pull, queries, HTTP, store reset and ceiling of the same scale, at least
AFTER_QUERIES_S = 80.0
PROFILE_S = 20.0  # reading the route index once more for its figures, at most
TAIL_S = 90.0  # store reset after the largest scale, report, plot: kept out of the budget


def fitted_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float | None:
    """Slope of log(cost) against log(size): 1 is linear."""
    if len(sizes) < 2:
        return None
    xs = [math.log(s) for s in sizes]
    ys = [math.log(c) for c in costs]
    slope, _ = statistics.linear_regression(xs, ys)
    return round(slope, 3)


# -- steps ----------------------------------------------------------------------------------------


@contextmanager
def serving(server: BenchServer, work: Path, rate_limit: str) -> Iterator[str]:
    """``s3graph serve`` on a free loopback port against the benchmark's Neo4j, with the given
    per-client limit ('' for none); yields its base URL."""
    port = free_port()
    env = {**server.env, "S3GRAPH_RATE_LIMIT": rate_limit}
    logfile = work / "serve.log"
    serve = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "s3graph"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-start-db",
        ],
        env=env,
        stdout=logfile.open("ab"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if serve.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"s3graph serve did not come up; see {logfile}")
            time.sleep(0.5)
        yield base
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()


def run_http(
    server: BenchServer, work: Path, seconds: float, distinct: list[str]
) -> dict[str, Any]:
    """The load from a second process: the repeat-heavy and all-distinct mixes and a look-up on
    a service with no per-client limit, then one client flooding a service with the default
    limit while another keeps asking."""
    distinct_file = work / "http-distinct.json"
    distinct_file.write_text(json.dumps(distinct), encoding="utf-8")
    figures: dict[str, Any] = {}
    with serving(server, work, rate_limit="") as base:
        out = work / "http.json"
        arguments = ["--base", base, "--seconds", str(seconds), "--distinct", str(distinct_file)]
        child("benchmarks.http", [*arguments, "--out", str(out)], server.env, work / "http.log")
        figures.update(json.loads(out.read_text()))
    with serving(server, work, rate_limit=DEFAULT_RATE_LIMIT) as base:
        out = work / "flood.json"
        arguments = ["--base", base, "--seconds", str(seconds), "--flood", "--out", str(out)]
        child("benchmarks.http", arguments, server.env, work / "http.log")
        figures["flood"] = {**json.loads(out.read_text()), "limit": DEFAULT_RATE_LIMIT}
    return figures


def label(scale: float | None) -> str:
    """'x10' for a generated scale, 'real' for the bundled real graph."""
    return "real" if scale is None else f"x{scale:g}"


def cli_figures(server: BenchServer, work: Path, api_seconds: float | None) -> dict[str, Any]:
    """Wall time of ``s3graph --help`` and of one query command (median of three), and what the
    command adds to the same question asked of the Python API (warm, ``api_seconds``): on its
    own (it connects to Neo4j and reads the route index's disk copy), and with an
    ``s3graph serve`` of the same graph running, which it then asks (``cli/service.py``)."""
    command = str(Path(sys.executable).parent / "s3graph")
    query = ["paths", HOME]  # the mix's first request: Nordjylland to less developed regions

    def wall(arguments: list[str], service: str) -> float:
        env = {**server.env, "S3GRAPH_SERVICE": service}
        began = time.perf_counter()
        subprocess.run([command, *arguments], env=env, capture_output=True, check=False)
        return time.perf_counter() - began

    def overhead(seconds: float) -> float | None:
        return round(seconds - api_seconds, 3) if api_seconds is not None else None

    help_s = statistics.median(wall(["--help"], "") for _ in range(3))
    alone_s = statistics.median(wall(query, "") for _ in range(3))
    with serving(server, work, rate_limit="") as base:
        served_s = statistics.median(wall(query, base) for _ in range(3))
    return {
        "help_s": round(help_s, 3),
        "query": " ".join(["s3graph", *query]),
        "api_s": round(api_seconds, 3) if api_seconds is not None else None,
        "query_s": round(served_s, 3),
        "query_overhead_s": overhead(served_s),
        "query_alone_s": round(alone_s, 3),
        "query_alone_overhead_s": overhead(alone_s),
    }


def run_scale(
    server: BenchServer,
    scale: float | None,
    options: argparse.Namespace,
    first: bool,
    largest: bool,
    http: bool,
    deadline: Deadline,
    work: Path,
) -> dict[str, Any]:
    """One scale (None: the bundled real graph, as ``s3graph load all`` loads it): load, query
    mix with its cross-check, HTTP load when asked, then the raw ceiling of the same rows."""
    name = label(scale)
    data = scale_dir(scale) if scale is not None else None
    rows = work / f"rows-{name}.pickle"
    logfile = work / f"{name}.log"
    figures: dict[str, Any] = {"scale": scale if scale is not None else "real"}
    reserve = 0.0 if largest else RESERVE_LARGEST
    if not first:
        server.reset()

    budget = deadline.budget(LOAD_CAP, reserve + AFTER_LOAD_S, floor=60.0)
    log(
        f"[{name}] loading {data or 'the bundled data'} through the real loaders "
        f"(budget {budget:.0f} s) ..."
    )
    out = work / f"load-{name}.json"
    arguments = load_arguments(rows, out, data)
    figures["load_finished"] = child("benchmarks.ingest", arguments, server.env, logfile, budget)
    figures["load"] = json.loads(out.read_text())
    if "loaders" not in figures["load"]:
        tail = logfile.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"the {name} load left no figures:\n{tail}")
    figures["load_budget_s"] = round(budget)

    budget = deadline.budget(options.query_cap, reserve + AFTER_QUERIES_S, floor=30.0)
    log(f"[{name}] pulling the graph into networkx; query mix (budget {budget:.0f} s) ...")
    driver = server.driver()
    try:
        began = time.perf_counter()
        pulled = PulledGraph(driver, server.settings.neo4j_database)
        figures["pull_seconds"] = round(time.perf_counter() - began, 2)
        figures["pulled"] = {"actors": len(pulled.actors), "ties": pulled.ties}
        bench = QueryBench(
            driver, pulled, options.seed, server.settings.neo4j_database, real=scale is None
        )
        repeats = options.repeats if (scale or 0) < 100 else max(1, options.repeats - 2)
        # the pull, the cold brokers call and the second read of the route index all come out
        # of the same budget
        budget = max(30.0, budget - figures["pull_seconds"] - PROFILE_S)
        brokers_budget = min(options.brokers_budget, max(20.0, budget / 4))
        figures["queries"] = run_mix(
            bench, server.settings, repeats, brokers_budget, budget - brokers_budget, log=log
        )
        figures["route_index"] = route_index_figures(driver, server.settings.neo4j_database)
        if figures["load_finished"] and options.profile:
            # the largest scale that loaded completely keeps its profile
            profile_query(driver, server.settings.neo4j_database, options.results)
    finally:
        driver.close()
    if http and options.http_seconds > 0:
        log(f"[{name}] command line, then HTTP load on s3graph serve ...")
        paths_p50 = next(
            (c["api_p50_s"] for c in figures["queries"].get("paths", {}).get("checks", [])),
            None,
        )
        figures["cli"] = cli_figures(server, work, paths_p50)
        distinct = bench.distinct_http(HTTP_DISTINCT)
        figures["http"] = run_http(server, work, options.http_seconds, distinct)

    budget = deadline.budget(options.ceiling_cap, reserve + 10.0, floor=20.0)
    log(
        f"[{name}] raw ceiling{' and naive baseline' if first else ''} on an empty store "
        f"(budget {budget:.0f} s) ..."
    )
    server.reset()
    out = work / f"ceiling-{name}.json"
    arguments = ["ceiling", "--rows", str(rows), "--out", str(out), "--budget", f"{budget:.0f}"]
    child("benchmarks.ingest", [*arguments, "--naive"] if first else arguments, server.env, logfile)
    figures.update(json.loads(out.read_text()))
    rows.unlink(missing_ok=True)
    if largest and options.profile:
        profile_load(server, work, data, options.results / "profile.txt", deadline)
    return figures


def load_arguments(rows: Path, out: Path, data: Path | None) -> list[str]:
    """``benchmarks.ingest load`` of a scale's data set (None: the bundled real data)."""
    arguments = ["load", "--rows", str(rows), "--out", str(out)]
    return arguments + (["--data", str(data)] if data is not None else [])


def profile_load(
    server: BenchServer,
    work: Path,
    data: Path | None,
    report: Path,
    deadline: Deadline,
) -> None:
    """pyinstrument over a second load of the same data on an empty store: where a load's time
    goes. Not the measured load: the profiler's hook on every call slowed the 100x load by half
    (311 s profiled, 213 s not)."""
    budget = deadline.budget(LOAD_CAP, 10.0, floor=30.0)
    log(f"[profile] the same load again under pyinstrument, not measured (budget {budget:.0f} s)")
    server.reset()
    rows = work / "profiled-rows.pickle"
    child(
        "benchmarks.ingest",
        [*load_arguments(rows, work / "profiled-load.json", data), "--profile", str(report)],
        server.env,
        work / "profile.log",
        budget,
    )
    rows.unlink(missing_ok=True)


def profile_query(driver: Driver, database: str, results: Path) -> None:
    """pyinstrument over one warm ``paths`` call (Nordjylland to less developed regions): where
    a query's time goes on the Python side."""
    from pyinstrument import Profiler

    from queries.paths import paths

    def call() -> None:
        paths(driver, HOME, to_category="less developed", database=database)

    try:
        call()
        profiler = Profiler(interval=0.001)
        profiler.start()
        try:
            call()
        finally:
            profiler.stop()
    except S3GraphError as exc:
        (results / "profile-paths.txt").write_text(f"paths failed: {exc}\n", encoding="utf-8")
        return
    (results / "profile-paths.txt").write_text(
        profiler.output_text(unicode=True, color=False), encoding="utf-8"
    )


# -- figures --------------------------------------------------------------------------------------


def summarise(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """Every ratio the issue asks for, from the figures of this one run."""
    out: dict[str, Any] = {"per_scale": []}
    naive = next((s["naive"] for s in scales if "naive" in s), None)
    naive_rate = None
    if naive:
        base = scales[0]["load"]
        nodes, rels = base["nodes"], base["relationships"]
        per_node = 1 / naive["nodes_per_s"] if naive["nodes_per_s"] else math.inf
        per_rel = 1 / naive["relationships_per_s"] if naive["relationships_per_s"] else math.inf
        naive_rate = (nodes + rels) / (nodes * per_node + rels * per_rel)
        out["naive"] = {**naive, "records_per_s_weighted": round(naive_rate, 1)}
    for s in scales:
        load = s["load"]
        every = [*load["loaders"]]
        if load.get("stopped_in"):
            every.append({**load["stopped_in"], "name": load["stopped_in"]["name"] + " (stopped)"})
        scaled = [f for f in every if f["name"].split(" ")[0] in SCALED_LOADERS]
        records = load["nodes"] + load["relationships"]
        rate = records / load["seconds"]
        ceiling_rate = (s["ceiling"]["nodes"] + s["ceiling"]["relationships"]) / s["ceiling"][
            "seconds"
        ]
        row = {
            "scale": s["scale"],
            "nodes": load["nodes"],
            "relationships": load["relationships"],
            "seconds": round(load["seconds"], 2),
            "scaled_seconds": round(sum(f["seconds"] for f in scaled), 2),
            "scaled_relationships": sum(f["relationships"] for f in scaled),
            "loader_seconds": round(load["loader_seconds"], 2),
            "writer_seconds": round(load["seconds"] - load["loader_seconds"], 2),
            "records_per_s": round(rate, 1),
            "nodes_per_s": round(load["nodes"] / load["seconds"], 1),
            "relationships_per_s": round(load["relationships"] / load["seconds"], 1),
            "ceiling_seconds": round(s["ceiling"]["seconds"], 2),
            "ceiling_records_per_s": round(ceiling_rate, 1),
            "vs_ceiling": round(rate / ceiling_rate, 3),
            "vs_naive": round(rate / naive_rate, 1) if naive_rate else None,
            "peak_rss_mb": round(load["peak_rss_mb"], 1),
            "load_complete": bool(load.get("complete", True)),
            "ceiling_complete": bool(s["ceiling"].get("complete", True)),
            "stopped_in": (load.get("stopped_in") or {}).get("name"),
            "loaders": {f["name"]: round(f["seconds"], 2) for f in every},
        }
        for kind in ("paths", "connect", "brokers", "overlap", "consortium"):
            q = s["queries"].get(kind)
            if q:
                row[f"{kind}_p50_ms"] = q["p50_ms"]
                row[f"{kind}_p95_ms"] = q["p95_ms"]
                ratios = latency_ratios(q["checks"])
                row[f"{kind}_api_vs_inmemory"] = ratios["api_vs_inmemory"]
                row[f"{kind}_search_vs_inmemory"] = ratios["search_vs_inmemory"]
                row[f"{kind}_compared"] = ratios["compared"]
                row[f"{kind}_api_vs_inmemory_at_most"] = ratios["api_vs_inmemory_at_most"]
                row[f"{kind}_bounded"] = ratios["bounded"]
                row[f"{kind}_verdicts"] = q["verdicts"]
        for kind in ("paths", "connect"):
            q = s["queries"].get(kind)
            if q:
                row[f"{kind}_remembered_p50_ms"] = q.get("remembered_p50_ms")
        out["per_scale"].append(row)
    # Cost against size over the generated scales that loaded completely (a stopped load has no
    # cost; the real graph has another shape).
    done = [r for r in out["per_scale"] if r["load_complete"] and r["scale"] != "real"]
    out["exponent_all"] = fitted_exponent(
        [r["relationships"] for r in done], [r["seconds"] for r in done]
    )
    out["exponent_scaled"] = fitted_exponent(
        [r["scaled_relationships"] for r in done], [r["scaled_seconds"] for r in done]
    )
    out["query_exponents"] = query_exponents(scales)
    return out


def query_exponents(scales: list[dict[str, Any]]) -> dict[str, float | None]:
    """How the route index's read and the warm ``paths``/``connect`` medians grow with the
    number of ties the index holds, over every scale that read it (the real graph included:
    the cost is the ties', whatever their origin)."""
    points = [
        (s["route_index"]["ties"], s["route_index"]["read_seconds"], s["queries"])
        for s in scales
        if (s.get("route_index") or {}).get("ties")
    ]
    out: dict[str, float | None] = {
        "route_index_read": fitted_exponent([p[0] for p in points], [p[1] for p in points])
    }
    for kind in ("paths", "connect"):
        measured = [(ties, q[kind]["p50_ms"]) for ties, _, q in points if q.get(kind)]
        out[f"{kind}_p50"] = fitted_exponent([m[0] for m in measured], [m[1] for m in measured])
    return out


def targets(summary: dict[str, Any], scales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of the issue with this run's value. A target of a scale whose load the time
    budget stopped is not measured (its figures cover only the part loaded)."""
    rows = summary["per_scale"]
    by_scale = {r["scale"]: r for r in rows}
    real = by_scale.get("real")
    x100 = next((r for r in rows if r["scale"] != "real" and r["scale"] >= 100), None)
    checks: list[dict[str, Any]] = []

    def add(
        name: str, value: float | None, target: float, higher: bool, row: dict[str, Any]
    ) -> None:
        if not row["load_complete"]:
            checks.append(
                {
                    "target": name,
                    "value": value,
                    "goal": target,
                    "met": False,
                    "note": f"not measured: the {_name(row['scale'])} load did not finish in its "
                    f"time budget (stopped in {row['stopped_in']}); value is for the part loaded",
                }
            )
            return
        met = value is not None and (value >= target if higher else value <= target)
        check: dict[str, Any] = {"target": name, "value": value, "goal": target, "met": met}
        if value is None:
            check["note"] = "not measured in this run"
        checks.append(check)

    latency = [(real, "p50", "real_p50_ms"), (real, "p95", "real_p95_ms")]
    latency.append((x100, "p95", "p95_ms_100x"))
    for row, share, goal in latency:
        if row is None:
            continue
        for kind in ("paths", "connect"):
            value = row.get(f"{kind}_{share}_ms")
            add(f"{kind} {share} ms ({_name(row['scale'])})", value, GOALS[goal], False, row)
    for row in (real, x100):
        if row is None:
            continue
        for kind in ("paths", "connect"):
            value = row.get(f"{kind}_api_vs_inmemory")
            compared = row.get(f"{kind}_compared", 0)
            bound = row.get(f"{kind}_api_vs_inmemory_at_most")
            if value is None and bound is not None:
                # no identical answer to time, but capped in-memory runs bound the ratio
                value, what = bound, f"at most, from {row.get(f'{kind}_bounded')} capped runs"
            else:
                what = f"{compared} identical answers"
            add(
                f"{kind} API / in-memory ({_name(row['scale'])}, {what})",
                value,
                GOALS["vs_inmemory"],
                False,
                row,
            )
    for scale, row in zip(scales, rows, strict=True):
        errors = sum(
            len(q.get("errors", [])) for q in scale["queries"].values() if isinstance(q, dict)
        )
        add(f"query errors ({_name(row['scale'])})", errors, 0, False, row)
        for kind in ("paths", "connect", "brokers", "overlap", "consortium"):
            verdicts = row.get(f"{kind}_verdicts")
            if verdicts:
                name = f"{kind} cross-check mismatches ({_name(row['scale'])})"
                add(name, verdicts["mismatch"], 0, False, row)
    served = next((s for s in scales if s.get("http")), None)
    if served is not None:
        row = by_scale[served["scale"]]
        http = served["http"]
        where = _name(served["scale"])
        repeat = http.get("repeat")
        if repeat:
            add(
                f"HTTP repeat-heavy requests/s ({where})",
                repeat["requests_per_s"],
                GOALS["http_repeat_rps"],
                True,
                row,
            )
            add(
                f"HTTP repeat-heavy p95 ms ({where})",
                repeat["p95_ms"],
                GOALS["http_p95_ms"],
                False,
                row,
            )
        distinct = http.get("distinct")
        if distinct:
            add(
                f"HTTP all-distinct requests/s ({where})",
                distinct["requests_per_s"],
                GOALS["http_distinct_rps"],
                True,
                row,
            )
        errors = sum(h.get("errors", 0) for k, h in http.items() if k != "flood")
        add(f"HTTP errors ({where})", errors, 0, False, row)
        flood = http.get("flood")
        if flood:
            add("HTTP flooding client refused (429)", flood["flooder"]["refused_429"], 1, True, row)
            add(
                "HTTP other client's errors while flooded",
                flood["other_client"]["errors"],
                0,
                False,
                row,
            )
        cli = served.get("cli")
        if cli:
            add("s3graph --help seconds", cli["help_s"], GOALS["help_s"], False, row)
            add(
                "query command overhead seconds (s3graph serve running)",
                cli["query_overhead_s"],
                GOALS["query_overhead_s"],
                False,
                row,
            )
            if cli.get("query_alone_overhead_s") is not None:
                add(
                    "query command overhead seconds (no service: Neo4j directly)",
                    cli["query_alone_overhead_s"],
                    GOALS["query_overhead_s"],
                    False,
                    row,
                )
    for row in rows:
        if row.get("vs_naive") is not None:
            add(
                f"end to end vs naive baseline ({_name(row['scale'])})",
                row["vs_naive"],
                GOALS["ingest_vs_naive"],
                True,
                row,
            )
    for row in rows:
        add(
            f"end to end / raw ceiling ({_name(row['scale'])})",
            row["vs_ceiling"],
            GOALS["ingest_vs_ceiling"],
            True,
            row,
        )
    if real is not None:
        add("the real graph loads in seconds", real["seconds"], GOALS["real_load_s"], False, real)
    done = [r for r in rows if r["load_complete"] and r["scale"] != "real"]
    span = f"{_name(done[0]['scale'])}-{_name(done[-1]['scale'])}" if done else ""
    if summary.get("exponent_all") is not None:
        add(
            f"fitted exponent, {span} (all loaders)",
            summary["exponent_all"],
            GOALS["exponent"],
            False,
            done[-1],
        )
    return checks


def _name(scale: float | str) -> str:
    return "real" if scale == "real" else f"{scale:g}x"


def _ms(value: float | None) -> str:
    return f"{value:>9}" if value is not None else f"{'-':>9}"


def print_report(result: dict[str, Any]) -> None:
    summary = result["summary"]
    log("")
    log(f"s3graph benchmark, {result['date']} on {result['machine']}")
    log(
        "Ingestion (end to end through the real loaders; "
        "ceiling = bare UNWIND MERGE of the same rows)"
    )
    log(
        f"{'scale':>6} {'nodes':>9} {'rels':>9} {'seconds':>8} {'rec/s':>8} {'rels/s':>8} "
        f"{'ceiling/s':>9} {'vs ceil':>7} {'vs naive':>8} {'loader s':>8} {'RSS MB':>7}"
    )
    for r in summary["per_scale"]:
        log(
            f"{_name(r['scale']):>6} {r['nodes']:>9,} {r['relationships']:>9,} "
            f"{r['seconds']:>8.1f} "
            f"{r['records_per_s']:>8,.0f} {r['relationships_per_s']:>8,.0f} "
            f"{r['ceiling_records_per_s']:>9,.0f} {r['vs_ceiling']:>7.2f} "
            f"{(r['vs_naive'] or 0):>8.1f} {r['loader_seconds']:>8.1f} {r['peak_rss_mb']:>7.0f}"
        )
        if not r["load_complete"]:
            log(
                f"        load stopped by the time budget in '{r['stopped_in']}': figures are "
                "for the part loaded"
            )
        if not r["ceiling_complete"]:
            log("        ceiling stopped by the time budget: rate of the rows written")
        log(
            f"        seconds per loader: {r['loaders']}; inside the loaders "
            f"{r['loader_seconds']:.1f} s, writing {r['writer_seconds']:.1f} s"
        )
    naive = summary.get("naive")
    if naive:
        log(
            f"Naive baseline (one MERGE per row and transaction, 1x sample): "
            f"{naive['nodes_per_s']:.1f} nodes/s, {naive['relationships_per_s']:.1f} rels/s, "
            f"{naive['records_per_s_weighted']:.1f} records/s weighted as the 1x data"
        )
    log(
        f"Fitted exponent of load time vs relationships: {summary['exponent_all']} (all loaders), "
        f"{summary['exponent_scaled']} (scaled loaders only)"
    )
    if summary.get("query_exponents"):
        growth = ", ".join(f"{k} {v}" for k, v in summary["query_exponents"].items())
        log(f"Fitted exponents of query cost vs the route index's ties: {growth}")
    log("Queries (Python API, warm; ms) and the in-memory networkx cross-check")
    for r, scale in zip(summary["per_scale"], result["scales"], strict=True):
        for kind in ("paths", "connect", "brokers", "overlap", "consortium"):
            if f"{kind}_p50_ms" in r:
                log(
                    f"{_name(r['scale']):>6} {kind:<10} p50 {_ms(r[f'{kind}_p50_ms'])} p95 "
                    f"{_ms(r[f'{kind}_p95_ms'])}  API/in-memory {r[f'{kind}_api_vs_inmemory']}  "
                    f"search/in-memory {r[f'{kind}_search_vs_inmemory']}  "
                    f"checks {r[f'{kind}_verdicts']}"
                )
        log(f"        brokers cold (first call) s: {scale['queries'].get('brokers_cold_s')}")
        log(f"        route index: {scale.get('route_index')}")
        for kind in ("paths", "connect"):
            if r.get(f"{kind}_remembered_p50_ms") is not None:
                log(
                    f"        {kind} asked again (remembered): p50 "
                    f"{r[f'{kind}_remembered_p50_ms']} ms"
                )
    for scale in result["scales"]:
        http = scale.get("http")
        if not http:
            continue
        for phase, h in http.items():
            if phase == "flood":
                continue
            log(
                f"HTTP {phase} ({_name(scale['scale'])}): {h['requests_per_s']} req/s, p50 "
                f"{h['p50_ms']} ms, p95 {h['p95_ms']} ms, errors {h['errors']} "
                f"({h['requests']} requests, concurrency {h['concurrency']})"
            )
        flood = http.get("flood")
        if flood:
            log(
                f"HTTP flood (limit {flood['limit']}): {flood['flooder']}; "
                f"other client {flood['other_client']}"
            )
        if scale.get("cli"):
            log(f"Command line: {scale['cli']}")
    log("Targets")
    for t in result["targets"]:
        verdict = "met" if t["met"] else ("not measured" if t.get("note") else "MISSED")
        log(f"  [{verdict}] {t['target']}: {t['value']} (goal {t['goal']})")


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    every = result["summary"]["per_scale"]
    rows = [r for r in every if r["scale"] != "real"]
    real = next((r for r in every if r["scale"] == "real"), None)
    xs = [r["scale"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind, colour in (("paths", "C0"), ("connect", "C1"), ("overlap", "C2"), ("brokers", "C3")):
        if all(f"{kind}_p95_ms" in r for r in rows):
            left.plot(
                xs, [r[f"{kind}_p50_ms"] for r in rows], "o--", color=colour, label=f"{kind} p50"
            )
            left.plot(
                xs, [r[f"{kind}_p95_ms"] for r in rows], "o-", color=colour, label=f"{kind} p95"
            )
            if real is not None and real.get(f"{kind}_p95_ms"):
                left.axhline(real[f"{kind}_p95_ms"], color=colour, ls=":", lw=1)
                left.annotate(
                    f"real {kind} p95", (xs[0], real[f"{kind}_p95_ms"]), fontsize=6, color=colour
                )
    left.set(xscale="log", yscale="log", xlabel="scale (x the snapshot)", ylabel="latency (ms)")
    left.set_title("Query latency (Python API, warm)")
    left.legend(fontsize=7)
    right.plot(xs, [r["records_per_s"] for r in rows], "o-", label="end to end, records/s")
    right.plot(xs, [r["relationships_per_s"] for r in rows], "o-", label="end to end, rels/s")
    right.plot(
        xs, [r["ceiling_records_per_s"] for r in rows], "o--", label="raw ceiling, records/s"
    )
    naive = result["summary"].get("naive")
    if naive:
        right.axhline(naive["records_per_s_weighted"], color="grey", ls=":", label="naive baseline")
    right.set(xscale="log", yscale="log", xlabel="scale (x the snapshot)", ylabel="per second")
    right.set_title("Ingestion throughput")
    right.legend(fontsize=7)
    fig.suptitle(f"s3graph benchmark {result['date']} ({result['machine']})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kb = int(handle.readline().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python "
        f"{platform.python_version()}, Neo4j 5.26 (local launcher, heap 2g, page cache 1g)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The s3graph benchmark, end to end.")
    parser.add_argument("--scale", type=float, action="append", help="default: 1, 10, 100")
    parser.add_argument(
        "--no-real",
        dest="real",
        action="store_false",
        help="leave out the bundled real graph (everything load all loads)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the data sets and request mix"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per request")
    parser.add_argument("--http-seconds", type=float, default=15.0, help="0: no HTTP load")
    parser.add_argument(
        "--brokers-budget", type=float, default=60.0, help="seconds for the cold brokers call"
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="time budget of the run")
    parser.add_argument("--query-cap", type=float, default=180.0, help="seconds per scale")
    parser.add_argument("--ceiling-cap", type=float, default=150.0, help="seconds per scale")
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="no pyinstrument profile"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="folder for the figures (JSON), plot, profiles",
    )
    parser.add_argument(
        "--report-only",
        type=Path,
        help="recompute the ratios, targets and plot of a saved latest.json (no measuring)",
    )
    args = parser.parse_args(argv)
    if args.report_only:
        saved = json.loads(args.report_only.read_text())
        saved["summary"] = {
            **summarise(saved["scales"]),
            "matcher_exponent": saved["matcher_curve"]["exponent"],
        }
        saved["targets"] = targets(saved["summary"], saved["scales"])
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / "latest.json").write_text(json.dumps(saved, indent=2, default=str))
        plot(saved, args.results / "latest.png")
        print_report(saved)
        return
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    # A stopped benchmark still stops its Neo4j (the context manager below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    deadline = Deadline(args.minutes * 60 - TAIL_S)
    scales = sorted(args.scale or [1.0, 10.0, 100.0])
    started = time.perf_counter()
    work = OUT_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)

    shape = RealShape.load()
    for scale in scales:
        manifest = scale_dir(scale) / "manifest.json"
        if manifest.exists() and json.loads(manifest.read_text()).get("seed") == args.seed:
            continue
        began = time.perf_counter()
        counts = generate(scale, args.seed, OUT_DIR, shape)["counts"]
        log(f"generated x{scale:g} in {time.perf_counter() - began:.1f} s: {counts}")

    largest_data = scale_dir(scales[-1]) / "cordis" / "organization.csv"
    log(f"entity matching cost curve on {largest_data} ...")
    curve = matcher_curve(largest_data, MATCHER_SIZES)
    log(f"  {curve}")

    # The real graph runs before the largest generated scale, which takes what time is left.
    plan: list[float | None] = [*scales]
    if args.real:
        plan.insert(max(0, len(scales) - 1) if len(scales) > 1 else len(scales), None)
    http_on = None if args.real else plan[0]  # the HTTP load runs on the graph users query
    results: list[dict[str, Any]] = []
    with BenchServer() as server:
        for i, scale in enumerate(plan):
            results.append(
                run_scale(
                    server,
                    scale,
                    args,
                    first=i == 0,
                    largest=i == len(plan) - 1,
                    http=scale == http_on,
                    deadline=deadline,
                    work=work,
                )
            )
        starts = server.start_seconds
    profile = str(args.results / "profile.txt") if args.profile else None

    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "seed": args.seed,
        "load_average": os.getloadavg(),
        "neo4j_start_seconds": [round(s, 1) for s in starts],
        "scales": results,
        "profile": profile,
    }
    result["matcher_curve"] = curve
    result["summary"] = summarise(results)
    result["summary"]["matcher_exponent"] = curve["exponent"]
    result["targets"] = targets(result["summary"], results)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.json").write_text(json.dumps(result, indent=2, default=str))
    plot(result, args.results / "latest.png")
    print_report(result)
    curve = result["matcher_curve"]
    log(
        "Entity matching alone (OrganisationMatcher, CPU s by organisations): "
        + ", ".join(f"{p['organisations']:,}: {p['cpu_seconds']}" for p in curve["points"])
        + f"; fitted exponent {curve['exponent']}"
    )
    log(f"Wall time {result['wall_seconds']:.0f} s; figures in {args.results / 'latest.json'}")


if __name__ == "__main__":
    main()
