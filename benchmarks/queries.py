"""Query benchmark: a fixed, seeded mix of realistic requests (paths, connect, brokers, overlap,
consortium) through the Python API, with p50/p95 per kind, and beside each the same answer
computed in memory with networkx on the graph pulled once (``benchmarks.inmemory``): the
answers must agree, and the latency ratio is printed. ``PROFILE`` gives the db hits of the
route search behind ``paths`` and ``connect``.

Warm caches, stated: every request runs once untimed before its timed repeats (Neo4j's page
cache and query plans are warm, and so are the per-graph-version caches of region profiles and
brokerage, whose cold first call is reported on its own).
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from queue import Empty
from typing import Any
from urllib.parse import urlencode

from neo4j import Driver

from benchmarks.inmemory import PulledGraph
from graph.connection import open_driver
from graph.errors import S3GraphError
from graph.settings import Settings
from queries import cypher
from queries.brokerage import MAX_SOURCES, MAX_TOP, brokerage
from queries.connect import connect
from queries.consortium import consortium, load_call
from queries.models import (
    CallRules,
    ConnectResult,
    ConsortiumProposal,
    ConsortiumResult,
    Entity,
    EntityKind,
    OverlapResult,
    PathsResult,
)
from queries.overlap import overlap
from queries.paths import (
    MAX_START_ORGANISATIONS,
    Route,
    TargetFilter,
    best_paths,
    domain_closure,
    paths,
    region_ids,
    score_routes,
    search_routes,
    start_organisations,
)
from queries.regions import REVEALED_TOP
from queries.route_index import MAX_PROJECT_PARTNERS, RouteIndex
from queries.runner import Reader, forget_answers
from queries.scoring import overlap_share, shared_domains, unmatched_domains

# The partnership of the issue: Nordjylland and a Portuguese, Sicilian, Bulgarian, Greek,
# Cypriot and Norwegian region.
PARTNERSHIP = ("DK05", "PT11", "ITG1", "BG31", "EL43", "CY00", "NO06")
HOME = "DK05"
# The real graph's mix also asks from these homes (developed regions with many organisations)
# and the questions of the seed's example (Nordjylland to Kriti, to tourism; Norte to digital).
REAL_HOMES = ("PT11", "ITG1", "EL43", "DE21", "FR10")
REAL_CONNECT: tuple[tuple[str, str, EntityKind], ...] = (
    ("DK05", "EL43", "region"),
    ("DK05", "tourism", "domain"),
    ("PT11", "digital", "domain"),
)
REMEMBERED_KINDS = frozenset({"paths", "connect"})  # answers the service keeps per graph version
NX_ROUTE_CAP = 100_000  # the in-memory search stops here (then only containment is checked)


@dataclass
class Request:
    kind: str  # paths | connect | brokers | overlap | consortium
    label: str
    call: Callable[[], Any]
    check: Callable[[Any], CheckResult] | None = None


@dataclass
class CheckResult:
    verdict: str  # identical | consistent | mismatch | skipped
    detail: str
    neo4j_search_s: float = 0.0
    inmemory_s: float = 0.0
    inmemory_capped: bool = False  # the in-memory enumeration stopped at NX_ROUTE_CAP


@dataclass
class RouteComparison:
    verdict: str
    result: CheckResult
    nx_routes: list[Route]


def latency_ratios(checks: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """The API call (what a user waits for) and the route search alone, each against the same
    answer computed in memory on the pulled graph: medians of the ratios' parts over the
    requests of one kind whose answers were identical (a capped in-memory enumeration is no
    like-for-like computation, so it is left out)."""
    timed = [
        c for c in checks if c["verdict"] == "identical" and c["inmemory_s"] > 0 and c["api_p50_s"]
    ]
    searched = [c for c in timed if c["neo4j_search_s"] > 0]
    # An in-memory enumeration stopped at its cap took less than the whole computation would:
    # the API against it is an upper bound of the like-for-like ratio.
    bounded = [
        c
        for c in checks
        if c["verdict"] == "consistent"
        and c.get("inmemory_capped")
        and c["inmemory_s"] > 0
        and c["api_p50_s"]
    ]

    def ratio(rows: list[dict[str, Any]], key: str) -> float | None:
        if not rows:
            return None
        mem = statistics.median(c["inmemory_s"] for c in rows)
        return round(statistics.median(c[key] for c in rows) / mem, 3) if mem else None

    return {
        "api_vs_inmemory": ratio(timed, "api_p50_s"),
        "search_vs_inmemory": ratio(searched, "neo4j_search_s"),
        "compared": len(timed),
        "api_vs_inmemory_at_most": ratio(bounded, "api_p50_s"),
        "bounded": len(bounded),
    }


@dataclass
class KindFigures:
    samples: list[float] = field(default_factory=list)
    remembered: list[float] = field(default_factory=list)  # the same question asked again
    checks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.samples)
        n = len(ordered)
        p95 = ordered[min(n - 1, round(0.95 * (n - 1)))] if n else 0.0
        return {
            **latency_ratios(self.checks),
            "n": n,
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if n else None,
            "p95_ms": round(p95 * 1000, 2) if n else None,
            "remembered_p50_ms": (
                round(statistics.median(self.remembered) * 1000, 3) if self.remembered else None
            ),
            "checks": self.checks,
            "errors": self.errors,
            "skipped": self.skipped,
            "verdicts": {
                v: sum(1 for c in self.checks if c["verdict"] == v)
                for v in ("identical", "consistent", "mismatch", "skipped")
            },
        }


# -- the request mix ------------------------------------------------------------------------------


def interleave(requests: Sequence[Request]) -> list[Request]:
    """One request of each kind in turn, so that a budget cut still leaves every kind timed."""
    by_kind: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        by_kind[request.kind].append(request)
    queues = list(by_kind.values())
    out: list[Request] = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop(0))
    return out


def _org_in(pulled: PulledGraph, category: str) -> list[str]:
    """Organisations located in regions of a category with 1-8 ties, sorted (for seeding)."""
    regions = pulled.category_regions(category)
    return sorted(
        uid
        for uid, actor in pulled.actors.items()
        if actor.label == "Organisation"
        and any(r in regions for r in actor.regions)
        and 1 <= pulled.tie_count(uid) <= 8
    )


class QueryBench:
    """The request mix of one scale and its cross-checks against ``PulledGraph``."""

    def __init__(
        self,
        driver: Driver,
        pulled: PulledGraph,
        seed: int,
        database: str | None = None,
        real: bool = False,
    ) -> None:
        self.driver = driver
        self.pulled = pulled
        self.database = database
        self.rng = random.Random(seed)
        self.real = real  # the bundled real graph: its own homes and questions too

    def reader(self) -> Reader:
        return Reader(self.driver, self.database)

    def requests(self) -> list[Request]:
        developed = _org_in(self.pulled, "more developed")
        less = _org_in(self.pulled, "less developed")
        origins = self.rng.sample(developed, min(3, len(developed)))
        mix: list[Request] = [self._paths(HOME, "less developed")]
        for org in origins:
            mix.append(self._paths(org, "less developed"))
        mix.append(self._paths(HOME, "transition"))
        mix.append(self._connect(HOME, "BG31", "region"))
        if self.real:
            mix += [self._paths(home, "less developed") for home in REAL_HOMES]
            mix += [self._connect(us, x, kind) for us, x, kind in REAL_CONNECT]
        # X as users ask it: a place, a theme or an organisation within reach of us (a random
        # pick among everything would mostly ask for the unreachable).
        for org in origins:
            reach = self._reachable(org)
            less_reached = sorted(
                {
                    nuts2.nuts_id
                    for uid in reach
                    for r in self.pulled.actors[uid].regions
                    if (nuts2 := self.pulled.nuts2_of(r)) and nuts2.category == "less developed"
                }
            )
            if less_reached:
                mix.append(self._connect(org, self.rng.choice(less_reached), "region"))
            domains = self._reached_domains(org, reach)
            if domains:
                mix.append(self._connect(org, self.rng.choice(domains), "domain"))
            if reach:
                mix.append(self._connect(org, self.rng.choice(sorted(reach)), "organisation"))
        if less and not origins:
            mix.append(self._connect(HOME, self.rng.choice(less), "organisation"))
        mix.append(self._overlap(list(PARTNERSHIP)))
        for call, seed in zip(("i3-strand1", "i3-strand2a"), origins, strict=False):
            themes = self._reached_domains(seed)
            if themes:
                mix.append(self._consortium(call, self.rng.choice(themes), seed))
        return interleave(mix)

    def distinct_http(self, n: int) -> list[str]:
        """``n`` different ``/paths`` and ``/connect`` questions (alternating) from seeded
        organisations of developed regions, for the HTTP benchmark's all-distinct mix."""
        developed = _org_in(self.pulled, "more developed")
        regions = sorted(self.pulled.category_regions("less developed"))
        if not developed or not regions:
            return []
        chosen = self.rng.sample(developed, min(n, len(developed)))
        out: list[str] = []
        for i, uid in enumerate(chosen):
            if i % 2:
                query = {"us": uid, "x": self.rng.choice(regions), "kind": "region"}
                out.append("/connect?" + urlencode(query))
            else:
                out.append("/paths?" + urlencode({"from": uid, "to_category": "less developed"}))
        return out

    def _reached_domains(self, org: str, reach: set[str] | None = None) -> list[str]:
        """Domains of the projects of the organisations ``org`` reaches."""
        reach = self._reachable(org) if reach is None else reach
        return sorted(
            {
                code
                for uid in reach
                for kind, target in self.pulled.actors[uid].out
                if kind == "PARTICIPATED_IN"
                for code in self.pulled.actors[target].domains
            }
        )

    def _reachable(self, org: str) -> set[str]:
        """Organisations 2 or 4 ties away from ``org`` (through passable actors)."""
        found = self.pulled.routes([org], lambda _: True, 4, MAX_PROJECT_PARTNERS, NX_ROUTE_CAP)
        return {route[-1] for route in found.routes}

    # -- paths --------------------------------------------------------------------------------

    def _paths(self, start: str, category: str) -> Request:
        def call() -> PathsResult:
            return paths(self.driver, start, to_category=category, database=self.database)

        def check(result: PathsResult) -> CheckResult:
            reader = self.reader()
            theirs = reader.run(
                lambda r: r.one(cypher.REGIONS_BY_CATEGORY, category=category, outermost=False)
            )
            neo_regions = set(theirs["ids"]) if theirs else set()
            mem_regions = self.pulled.category_regions(category)
            target = TargetFilter(regions=sorted(neo_regions))
            outcome = self._compare_routes(
                start, target, self.pulled.in_regions(mem_regions), neo_regions == mem_regions
            )
            if outcome.verdict != "identical":
                return outcome.result
            best = best_paths(score_routes(reader, outcome.nx_routes), result.k)
            ours = [list(s.route.uids) for s in best]
            api = [[n.key for n in p.nodes] for p in result.paths]
            if ours != api:
                outcome.result.verdict = "mismatch"
                outcome.result.detail += "; the k best paths differ"
            return outcome.result

        return Request("paths", f"paths {start} -> {category}", call, check)

    # -- connect ------------------------------------------------------------------------------

    def _connect(self, us: str, x: str, kind: EntityKind) -> Request:
        def call() -> ConnectResult:
            return connect(self.driver, us, x, kind=kind, database=self.database)

        def check(result: ConnectResult) -> CheckResult:
            reader = self.reader()
            if kind == "region":
                neo = set(reader.run(lambda r: region_ids(r, Entity(kind="region", key=x, name=x))))
                mem = self.pulled.subtree(x)
                target, test, same = (
                    TargetFilter(regions=sorted(neo)),
                    self.pulled.in_regions(mem),
                    neo == mem,
                )
            elif kind == "domain":
                neo = set(reader.run(lambda r: domain_closure(r, x)))
                mem = self.pulled.domain_closure(x)
                target, test, same = (
                    TargetFilter(domains=sorted(neo)),
                    self.pulled.in_domains(mem),
                    neo == mem,
                )
            else:
                target, test, same = TargetFilter(organisations=[x]), (lambda u: u == x), True
            outcome = self._compare_routes(us, target, test, same)
            if outcome.verdict != "identical":
                return outcome.result
            scored = score_routes(reader, outcome.nx_routes)
            tally: dict[str, list[float]] = defaultdict(list)
            for item in scored:
                for uid in dict.fromkeys(item.route.uids[1:-1]):
                    tally[uid].append(item.path.score)
            names = {
                uid: item.path.nodes[item.route.uids.index(uid)].name
                for item in reversed(scored)
                for uid in item.route.uids[1:-1]
            }
            ranked = sorted(tally.items(), key=lambda kv: (-sum(kv[1]), -len(kv[1]), names[kv[0]]))[
                : len(result.brokers) or 10
            ]
            ours = [(uid, len(scores)) for uid, scores in ranked]
            api = [(b.node.key, b.routes) for b in result.brokers]
            if ours != api or len(scored) != result.routes_found:
                outcome.result.verdict = "mismatch"
                outcome.result.detail += "; brokers or route counts differ"
            return outcome.result

        return Request("connect", f"connect {us} -> {x} ({kind})", call, check)

    # -- shared by paths and connect ----------------------------------------------------------

    def _compare_routes(
        self, start: str, target: TargetFilter, test: Callable[[str], bool], same_target: bool
    ) -> RouteComparison:
        """Routes found by the Cypher search against those found in memory."""
        reader = self.reader()
        is_region = start in self.pulled.regions
        entity = Entity(kind="region" if is_region else "organisation", key=start, name=start)
        neo_starts = reader.run(lambda r: start_organisations(r, entity))
        mem_starts = (
            self.pulled.start_organisations(start, MAX_START_ORGANISATIONS)
            if is_region
            else [start]
        )
        began = time.perf_counter()
        search = reader.run(lambda r: search_routes(r, neo_starts, target, None, [], 4))
        neo_s = time.perf_counter() - began
        began = time.perf_counter()
        found = self.pulled.routes(mem_starts, test, 4, MAX_PROJECT_PARTNERS, NX_ROUTE_CAP)
        mem_s = time.perf_counter() - began
        neo_routes = {r.uids for r in search.routes}
        stopped = " (stopped at the limit)" if search.truncated else ""
        capped = "" if found.complete else " (capped)"
        detail = (
            f"{len(neo_routes)} routes in Neo4j{stopped}, {len(found.routes)} in memory{capped}"
        )
        result = CheckResult("identical", detail, neo_s, mem_s, not found.complete)
        nx_routes = [self._route(uids) for uids in sorted(found.routes)]
        if neo_starts != mem_starts or not same_target:
            result.verdict = "mismatch"
            result.detail += "; start organisations or target regions differ"
        elif not search.truncated and found.complete:
            if neo_routes != found.routes:
                result.verdict = "mismatch"
                result.detail += (
                    f"; {len(neo_routes - found.routes)} only in Neo4j, "
                    f"{len(found.routes - neo_routes)} only in memory"
                )
        elif found.complete and neo_routes <= found.routes:
            result.verdict = "consistent"
            result.detail += "; every Neo4j route is among the in-memory ones"
        elif not found.complete:
            valid = all(self._valid(uids, test) for uids in neo_routes)
            result.verdict = "consistent" if valid else "mismatch"
            result.detail += "; Neo4j routes checked edge by edge" + ("" if valid else ": invalid")
        else:
            result.verdict = "mismatch"
            result.detail += "; Neo4j returned routes the in-memory search does not have"
        return RouteComparison(result.verdict, result, nx_routes)

    def _valid(self, uids: Sequence[str], test: Callable[[str], bool]) -> bool:
        graph = self.pulled.graph
        return (
            len(set(uids)) == len(uids)
            and all(graph.has_edge(a, b) for a, b in itertools.pairwise(uids))
            and test(uids[-1])
        )

    def _route(self, uids: tuple[str, ...]) -> Route:
        """A route in the form ``queries.paths`` scores: labels and tie directions from the
        pulled graph."""
        actors = self.pulled.actors
        rels: list[dict[str, str | None]] = []
        for a, b in itertools.pairwise(uids):
            kind = next((t for t, end in actors[a].out if end == b), None)
            if kind is not None:
                rels.append({"type": kind, "from": a, "role": None})
            else:
                kind = next((t for t, end in actors[b].out if end == a), "")
                rels.append({"type": kind, "from": b, "role": None})
        return Route(uids, tuple(actors[u].label for u in uids), tuple(rels))

    # -- overlap and brokers ------------------------------------------------------------------

    def _overlap(self, regions: list[str]) -> Request:
        present = [r for r in regions if r in self.pulled.regions]

        def call() -> OverlapResult:
            return overlap(self.driver, present, database=self.database)

        def check(result: OverlapResult) -> CheckResult:
            began = time.perf_counter()
            ancestors = self.pulled.domain_ancestors()
            mine = {r: self.pulled.region_domains(r, REVEALED_TOP) for r in present}
            cells = []
            for i, a in enumerate(present):
                for b in present[i + 1 :]:
                    da, db = mine[a][1], mine[b][1]
                    cells.append(
                        (
                            a,
                            b,
                            list(shared_domains(da, db, ancestors)),
                            list(unmatched_domains(da, db, ancestors)),
                            list(unmatched_domains(db, da, ancestors)),
                            round(overlap_share(da, db, ancestors), 4),
                        )
                    )
            mem_s = time.perf_counter() - began
            theirs_regions = {r.region.nuts_id: (r.basis, tuple(r.domains)) for r in result.regions}
            theirs_cells = [
                (c.a, c.b, c.shared, c.only_a, c.only_b, c.jaccard) for c in result.cells
            ]
            same = theirs_regions == mine and theirs_cells == cells
            bases = sorted({basis for basis, _ in mine.values()})
            return CheckResult(
                "identical" if same else "mismatch",
                f"{len(present)} regions ({', '.join(bases)} domains), {len(cells)} pairs",
                0.0,
                mem_s,
            )

        return Request("overlap", f"overlap {len(present)} regions", call, check)

    def check_brokers(self, top: list[tuple[str, float]]) -> CheckResult:
        """The brokers' ranking recomputed on the pulled graph."""
        began = time.perf_counter()
        ranked = self.pulled.brokerage(MAX_SOURCES, MAX_TOP)[: len(top)]
        mem_s = time.perf_counter() - began
        ours = [(uid, round(value, 4)) for uid, value in ranked]
        same = [u for u, _ in ours] == [u for u, _ in top] and all(
            abs(a[1] - b[1]) <= 1e-3 for a, b in zip(ours, top, strict=False)
        )
        return CheckResult(
            "identical" if same else "mismatch", f"top {len(top)} brokers", 0.0, mem_s
        )

    def _consortium(self, call: str, domain: str, seed: str) -> Request:
        def run() -> ConsortiumResult:
            return consortium(self.driver, call, domain, seed, database=self.database)

        def check(result: ConsortiumResult) -> CheckResult:
            """Each proposal's rules evaluated again on the pulled graph, and each link a real
            path there (the greedy search itself is not recomputed)."""
            if not result.feasible:
                blocking = "; ".join(b.rule for b in result.blocking)
                return CheckResult("skipped", f"infeasible ({blocking})")
            rules = load_call(call)
            agree = all(
                self._rules_hold(p, rules) == all(c.passed for c in p.checks)
                and all(
                    self._valid([n.key for n in link.nodes], lambda _: True) for link in p.links
                )
                for p in result.proposals
            )
            return CheckResult(
                "identical" if agree else "mismatch",
                f"{len(result.proposals)} proposals, rules and links verified",
            )

        return Request("consortium", f"consortium {call} {domain} around {seed}", run, check)

    def _rules_hold(self, proposal: ConsortiumProposal, rules: CallRules) -> bool:
        if any(m.organisation.key not in self.pulled.actors for m in proposal.members):
            return False
        members = [self.pulled.actors[m.organisation.key] for m in proposal.members]
        regions, categories = [], []
        for actor in members:
            nuts2 = next(
                (n for r in reversed(actor.regions) if (n := self.pulled.nuts2_of(r))), None
            )
            regions.append(nuts2.nuts_id if nuts2 else None)
            found = set()
            if nuts2 is not None and nuts2.category:
                found.add(nuts2.category)
            if nuts2 is not None and nuts2.outermost:
                found.add("outermost")
            categories.append(found)
        countries = {a.country_code for a in members if a.country_code}
        coordinator = members[0]
        return (
            len(members) >= rules.min_partners
            and len({r for r in regions if r}) >= rules.min_regions
            and len(countries) >= rules.min_countries
            and all(a.country_code in rules.eligible_countries for a in members)
            and (
                not rules.coordinator_categories
                or bool(categories[0] & set(rules.coordinator_categories))
            )
            and (
                not rules.coordinator_activity_types
                or coordinator.activity_type in rules.coordinator_activity_types
            )
            and (
                not rules.require_partner_categories
                or any(c & set(rules.require_partner_categories) for c in categories)
            )
        )


def _brokers_child(settings: Settings, repeats: int, queue: Any) -> None:
    """In a process of its own (so that it can be stopped): the cold call, then the warm
    (cached) ones."""
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    driver = open_driver(settings, start_local=False)
    try:
        began = time.perf_counter()
        result = brokerage(driver, top=20, database=settings.neo4j_database)
        cold = time.perf_counter() - began
        warm = []
        for _ in range(repeats):
            began = time.perf_counter()
            brokerage(driver, top=20, database=settings.neo4j_database)
            warm.append(time.perf_counter() - began)
        top = [(b.node.key, b.betweenness) for b in result.brokers]
        queue.put({"cold_s": cold, "warm_s": warm, "top": top, "cached": result.cached})
    finally:
        driver.close()


def measure_brokers(settings: Settings, repeats: int, budget_s: float) -> dict[str, Any] | None:
    """Brokerage analytics computes betweenness in Python: its cold call may take longer than
    a benchmark can wait. It runs in a child process stopped after ``budget_s`` (None then)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_brokers_child, args=(settings, repeats, queue))
    process.start()
    try:
        found: dict[str, Any] = queue.get(timeout=budget_s)
        return found
    except Empty:
        return None
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
            process.join()


# -- running the mix ------------------------------------------------------------------------------


def run_mix(
    bench: QueryBench,
    settings: Settings,
    repeats: int,
    brokers_budget_s: float,
    budget_s: float = math.inf,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Each request once untimed (warm-up), then ``repeats`` timed calls; p50/p95 per kind
    over all timed calls of that kind. Then, while ``budget_s`` lasts, each answer is
    cross-checked in memory (the checks come second so that every request is timed even when
    the in-memory side is slow). Requests not started within the budget are listed as skipped.
    Brokers: the cold call (bounded by ``brokers_budget_s``) and the warm, cached ones."""
    figures: dict[str, KindFigures] = defaultdict(KindFigures)
    started = time.perf_counter()
    answered: list[tuple[Request, Any, list[float]]] = []
    for request in bench.requests():
        if time.perf_counter() - started > budget_s:
            figures[request.kind].skipped.append(request.label)
            log(f"  {request.label}: skipped (query budget of {budget_s:g} s spent)")
            continue
        try:
            answer = request.call()
            samples = []
            remembered = []
            for _ in range(repeats):
                forget_answers()  # timed: the search itself, with the route index warm
                began = time.perf_counter()
                request.call()
                samples.append(time.perf_counter() - began)
                if request.kind in REMEMBERED_KINDS:
                    began = time.perf_counter()
                    request.call()  # the same question again: answered from memory
                    remembered.append(time.perf_counter() - began)
        except S3GraphError as exc:  # a timeout is a figure too, not the end of the run
            figures[request.kind].errors.append(f"{request.label}: {exc}")
            log(f"  {request.label}: ERROR {exc}")
            continue
        figures[request.kind].samples.extend(samples)
        figures[request.kind].remembered.extend(remembered)
        log(f"  {request.label}: p50 {statistics.median(samples) * 1000:.1f} ms")
        answered.append((request, answer, samples))
    for request, answer, samples in answered:
        if request.check is None:
            continue
        if time.perf_counter() - started > budget_s:
            outcome = CheckResult("skipped", f"query budget of {budget_s:g} s spent")
        else:
            try:
                outcome = request.check(answer)
            except S3GraphError as exc:
                outcome = CheckResult("skipped", f"the check's own queries failed: {exc}")
        figures[request.kind].checks.append(_check_row(request.label, outcome, samples))
        log(f"  {request.label}: {outcome.verdict} ({outcome.detail})")
    result: dict[str, Any] = {kind: f.summary() for kind, f in figures.items()}

    measured = measure_brokers(settings, repeats, brokers_budget_s)
    if measured is None:
        result["brokers_cold_s"] = f"> {brokers_budget_s:g} (stopped)"
        log(f"  brokers: the cold call did not finish within {brokers_budget_s:g} s")
        return result
    result["brokers_cold_s"] = round(measured["cold_s"], 2)
    brokers = KindFigures(samples=list(measured["warm_s"]))
    if measured["cold_s"] <= brokers_budget_s / 4:
        outcome = bench.check_brokers([(u, float(b)) for u, b in measured["top"]])
        outcome.neo4j_search_s = measured["cold_s"]
        # The warm call is served from the cache: the like-for-like comparison with the
        # in-memory computation is the cold call.
        brokers.checks.append(_check_row("brokers (all domains)", outcome, [measured["cold_s"]]))
        log(f"  brokers: {outcome.verdict} ({outcome.detail})")
    else:
        log("  brokers: in-memory recomputation skipped (cold call too slow to repeat)")
    result["brokers"] = brokers.summary()
    return result


def _check_row(label: str, outcome: CheckResult, samples: Sequence[float]) -> dict[str, Any]:
    return {
        "request": label,
        "verdict": outcome.verdict,
        "detail": outcome.detail,
        "neo4j_search_s": round(outcome.neo4j_search_s, 4),
        "inmemory_s": round(outcome.inmemory_s, 4),
        "inmemory_capped": outcome.inmemory_capped,
        "api_p50_s": round(statistics.median(samples), 4) if samples else None,
    }


def route_index_figures(driver: Driver, database: str | None = None) -> dict[str, Any]:
    """What the in-memory route index costs: the seconds to read it from Neo4j, its nodes and
    ties (the searches then run in memory, so there are no db hits per search to profile)."""
    reader = Reader(driver, database)
    began = time.perf_counter()
    index = reader.run(RouteIndex.read)
    return {
        "read_seconds": round(time.perf_counter() - began, 2),
        "nodes": len(index.uids),
        "ties": len(index.ties),
    }
