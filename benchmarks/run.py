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
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver

from benchmarks.generate import DEFAULT_SEED, OUT_DIR, RealShape, generate, scale_dir
from benchmarks.ingest import matcher_curve
from benchmarks.inmemory import PulledGraph
from benchmarks.queries import HOME, QueryBench, route_index_figures, run_mix
from benchmarks.server import BenchServer, free_port
from graph.errors import S3GraphError
from graph.settings import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
SCALED_LOADERS = ("cordis", "edih")
MATCHER_SIZES = (2000, 4000, 8000, 16000)

TARGETS = {
    "ingest_vs_naive": 50.0,  # end to end at least 50x the naive baseline
    "ingest_vs_ceiling": 0.5,  # end to end at least half of the raw ceiling
    "rels_per_s_100x": 15_000.0,
    "exponent": 1.05,  # cost no worse than linear (fitted exponent, with 5 % slack for noise)
    "p95_ms_1x": 50.0,  # connect and paths
    "p95_ms_100x": 250.0,
    "consortium_ms_100x": 1000.0,
    "http_rps": 200.0,
    "http_p95_ms": 100.0,
}


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


def run_http(server: BenchServer, work: Path, seconds: float) -> dict[str, Any]:
    """``s3graph serve`` on a free loopback port against the benchmark's Neo4j, and the load
    from a second process."""
    port = free_port()
    env = dict(server.env)
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
        stdout=logfile.open("wb"),
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
        out = work / "http.json"
        child(
            "benchmarks.http",
            ["--base", base, "--seconds", str(seconds), "--out", str(out)],
            env,
            work / "http.log",
        )
        return dict(json.loads(out.read_text()))
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()


def run_scale(
    server: BenchServer,
    scale: float,
    options: argparse.Namespace,
    first: bool,
    largest: bool,
    deadline: Deadline,
    work: Path,
) -> dict[str, Any]:
    data = scale_dir(scale)
    rows = work / f"rows-x{scale:g}.pickle"
    logfile = work / f"x{scale:g}.log"
    figures: dict[str, Any] = {"scale": scale}
    reserve = 0.0 if largest else RESERVE_LARGEST
    if not first:
        server.reset()

    budget = deadline.budget(LOAD_CAP, reserve + AFTER_LOAD_S, floor=60.0)
    log(f"[x{scale:g}] loading {data} through the real loaders (budget {budget:.0f} s) ...")
    out = work / f"load-x{scale:g}.json"
    arguments = ["load", "--data", str(data), "--rows", str(rows), "--out", str(out)]
    if largest and options.profile:
        arguments += ["--profile", str(options.results / "profile.txt")]
    figures["load_finished"] = child("benchmarks.ingest", arguments, server.env, logfile, budget)
    figures["load"] = json.loads(out.read_text())
    if "loaders" not in figures["load"]:
        tail = logfile.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"the x{scale:g} load left no figures:\n{tail}")
    figures["load_budget_s"] = round(budget)

    budget = deadline.budget(options.query_cap, reserve + AFTER_QUERIES_S, floor=30.0)
    log(f"[x{scale:g}] pulling the graph into networkx; query mix (budget {budget:.0f} s) ...")
    driver = server.driver()
    try:
        began = time.perf_counter()
        pulled = PulledGraph(driver, server.settings.neo4j_database)
        figures["pull_seconds"] = round(time.perf_counter() - began, 2)
        figures["pulled"] = {"actors": len(pulled.actors), "ties": pulled.ties}
        bench = QueryBench(driver, pulled, options.seed, server.settings.neo4j_database)
        repeats = options.repeats if scale < 100 else max(1, options.repeats - 2)
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
    if first and options.http_seconds > 0:
        log(f"[x{scale:g}] HTTP load on s3graph serve ...")
        figures["http"] = run_http(server, work, options.http_seconds)

    budget = deadline.budget(options.ceiling_cap, reserve + 10.0, floor=20.0)
    log(
        f"[x{scale:g}] raw ceiling{' and naive baseline' if first else ''} on an empty store "
        f"(budget {budget:.0f} s) ..."
    )
    server.reset()
    out = work / f"ceiling-x{scale:g}.json"
    arguments = ["ceiling", "--rows", str(rows), "--out", str(out), "--budget", f"{budget:.0f}"]
    child("benchmarks.ingest", [*arguments, "--naive"] if first else arguments, server.env, logfile)
    figures.update(json.loads(out.read_text()))
    rows.unlink(missing_ok=True)
    return figures


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
                row[f"{kind}_api_vs_inmemory"] = q["api_vs_inmemory"]
                row[f"{kind}_search_vs_inmemory"] = q["search_vs_inmemory"]
                row[f"{kind}_verdicts"] = q["verdicts"]
        out["per_scale"].append(row)
    # Cost against size over the scales that loaded completely (a stopped load has no cost).
    done = [r for r in out["per_scale"] if r["load_complete"]]
    out["exponent_all"] = fitted_exponent(
        [r["relationships"] for r in done], [r["seconds"] for r in done]
    )
    out["exponent_scaled"] = fitted_exponent(
        [r["scaled_relationships"] for r in done], [r["scaled_seconds"] for r in done]
    )
    return out


def targets(summary: dict[str, Any], scales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of the issue with this run's value. A target of a scale whose load the time
    budget stopped is not measured (its figures cover only the part loaded)."""
    rows = summary["per_scale"]
    smallest, largest = rows[0], rows[-1]
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
                    "note": f"not measured: the {row['scale']:g}x load did not finish in its "
                    f"time budget (stopped in {row['stopped_in']}); value is for the part loaded",
                }
            )
            return
        met = value is not None and (value >= target if higher else value <= target)
        checks.append({"target": name, "value": value, "goal": target, "met": met})

    for row in rows:
        if row.get("vs_naive") is not None:
            add(f"end to end vs naive baseline ({row['scale']:g}x)", row["vs_naive"], 50, True, row)
    for row in rows:
        add(f"end to end / raw ceiling ({row['scale']:g}x)", row["vs_ceiling"], 0.5, True, row)
    if largest["scale"] >= 100:
        add("relationships/s at 100x", largest["relationships_per_s"], 15_000, True, largest)
    done = [r for r in rows if r["load_complete"]]
    span = f"{done[0]['scale']:g}x-{done[-1]['scale']:g}x" if done else ""
    if summary.get("exponent_all") is not None:
        add(
            f"fitted exponent, {span} (all loaders)", summary["exponent_all"], 1.05, False, done[-1]
        )
        add(
            f"fitted exponent, {span} (scaled loaders)",
            summary["exponent_scaled"],
            1.05,
            False,
            done[-1],
        )
    if summary.get("matcher_exponent") is not None:
        add(
            "fitted exponent of entity matching vs organisations",
            summary["matcher_exponent"],
            1.05,
            False,
            smallest,
        )
    for kind in ("paths", "connect"):
        add(f"{kind} p95 ms at 1x", smallest.get(f"{kind}_p95_ms"), 50, False, smallest)
        if largest["scale"] >= 100:
            add(f"{kind} p95 ms at 100x", largest.get(f"{kind}_p95_ms"), 250, False, largest)
    if largest["scale"] >= 100:
        value = largest.get("consortium_p95_ms")
        add("consortium p95 ms at 100x", value, 1000, False, largest)
    http = scales[0].get("http", {}).get("/connect")
    if http:
        add("HTTP /connect requests/s at 1x", http["requests_per_s"], 200, True, smallest)
        add("HTTP /connect p95 ms at 1x", http["p95_ms"], 100, False, smallest)
        add("HTTP /connect errors at 1x", http["errors"], 0, False, smallest)
    for scale, row in zip(scales, rows, strict=True):
        errors = sum(
            len(q.get("errors", [])) for q in scale["queries"].values() if isinstance(q, dict)
        )
        add(f"query errors ({scale['scale']:g}x)", errors, 0, False, row)
        for kind in ("paths", "connect", "brokers", "overlap", "consortium"):
            verdicts = row.get(f"{kind}_verdicts")
            if verdicts:
                name = f"{kind} cross-check mismatches ({row['scale']:g}x)"
                add(name, verdicts["mismatch"], 0, False, row)
    return checks


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
            f"{r['scale']:>5g}x {r['nodes']:>9,} {r['relationships']:>9,} {r['seconds']:>8.1f} "
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
    log("Queries (Python API, warm; ms) and the in-memory networkx cross-check")
    for r, scale in zip(summary["per_scale"], result["scales"], strict=True):
        for kind in ("paths", "connect", "brokers", "overlap", "consortium"):
            if f"{kind}_p50_ms" in r:
                log(
                    f"{r['scale']:>5g}x {kind:<10} p50 {_ms(r[f'{kind}_p50_ms'])} p95 "
                    f"{_ms(r[f'{kind}_p95_ms'])}  API/in-memory {r[f'{kind}_api_vs_inmemory']}  "
                    f"search/in-memory {r[f'{kind}_search_vs_inmemory']}  "
                    f"checks {r[f'{kind}_verdicts']}"
                )
        log(f"        brokers cold (first call) s: {scale['queries'].get('brokers_cold_s')}")
        log(f"        PROFILE db hits: {scale['profile']}")
    http = result["scales"][0].get("http")
    if http:
        for endpoint, h in http.items():
            log(
                f"HTTP {endpoint}: {h['requests_per_s']} req/s, p50 {h['p50_ms']} ms, "
                f"p95 {h['p95_ms']} ms, errors {h['errors']} ({h['requests']} requests, "
                f"concurrency {h['concurrency']})"
            )
    log("Targets")
    for t in result["targets"]:
        verdict = "met" if t["met"] else ("not measured" if t.get("note") else "MISSED")
        log(f"  [{verdict}] {t['target']}: {t['value']} (goal {t['goal']})")


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["summary"]["per_scale"]
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
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the data sets and request mix"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per request")
    parser.add_argument("--http-seconds", type=float, default=15.0, help="0: no HTTP load")
    parser.add_argument(
        "--brokers-budget", type=float, default=60.0, help="seconds for the cold brokers call"
    )
    parser.add_argument("--minutes", type=float, default=19.0, help="time budget of the run")
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
    args = parser.parse_args(argv)
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

    results: list[dict[str, Any]] = []
    with BenchServer() as server:
        for i, scale in enumerate(scales):
            results.append(
                run_scale(
                    server,
                    scale,
                    args,
                    first=i == 0,
                    largest=i == len(scales) - 1,
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
