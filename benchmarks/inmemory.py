"""The alternative to asking Neo4j: the graph pulled once into networkx, and the partnership
answers computed from it in memory, independently of ``queries/`` (only the pure scoring
functions of ``queries.scoring`` are shared, so that the cross-check tests the search, the
target sets and the aggregation rather than two copies of the same arithmetic).

Used by ``benchmarks.queries`` as a correctness cross-check (same routes, same brokers, same
overlap) and as a latency comparison.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, LiteralString

import networkx as nx
from neo4j import Driver

from graph.schema import TRAVERSABLE_LABELS

TRAVERSABLE = sorted(label.value for label in TRAVERSABLE_LABELS)

PULL_REGIONS: LiteralString = """
MATCH (r:Region)
OPTIONAL MATCH (r)-[:PART_OF]->(p:Region)
RETURN r.nuts_id AS nuts_id, r.level AS level, r.country_code AS country_code,
       r.category AS category, coalesce(r.outermost, false) AS outermost,
       p.nuts_id AS parent,
       COLLECT { MATCH (r)-[:HAS_PRIORITY]->(:S3Priority)-[:IN_DOMAIN]->(d:Domain)
                 RETURN DISTINCT d.code } AS declared
"""

PULL_NODES: LiteralString = """
MATCH (n)
WHERE n:Organisation OR n:Project OR n:Hub OR n:Cluster OR n:Partnership OR n:Consortium
RETURN n.uid AS uid,
       [l IN labels(n) WHERE l IN $traversable][0] AS label,
       coalesce(n.name, n.acronym, n.short_name, n.uid) AS name,
       n.n_partners AS n_partners, n.country_code AS country_code,
       n.activity_type AS activity_type,
       COLLECT { MATCH (n)-[:LOCATED_IN]->(r:Region) RETURN r.nuts_id } AS regions,
       COLLECT { MATCH (n)-[:IN_DOMAIN|OFFERS|ACTIVE_IN]->(d:Domain) RETURN DISTINCT d.code }
         AS domains,
       COLLECT { MATCH (n)-[:ACTIVE_IN]->(d:Domain) RETURN DISTINCT d.code } AS active_in
"""

PULL_TIES: LiteralString = """
MATCH (a)-[r:PARTICIPATED_IN|PARTNER_IN|MEMBER_OF|IN_PARTNERSHIP|RUNS]->(b)
RETURN a.uid AS a, b.uid AS b, type(r) AS type
"""

PULL_DOMAINS: LiteralString = """
MATCH (d:Domain)
RETURN d.code AS code, COLLECT { MATCH (d)-[:SUBDOMAIN_OF]->(p:Domain) RETURN p.code } AS parents
"""

OUT_TIES = frozenset({"PARTICIPATED_IN", "PARTNER_IN", "RUNS", "MEMBER_OF"})
CONNECTOR_LABELS = frozenset({"Project", "Hub", "Consortium", "Cluster", "Partnership"})
HOP_LENGTHS = (2, 4, 6)


@dataclass
class Region:
    nuts_id: str
    level: int
    country_code: str
    category: str | None
    outermost: bool
    parent: str | None
    declared: tuple[str, ...]


@dataclass
class Actor:
    uid: str
    label: str
    name: str
    n_partners: int | None
    regions: tuple[str, ...]
    domains: frozenset[str]
    active_in: frozenset[str]
    country_code: str | None = None
    activity_type: str | None = None
    out: list[tuple[str, str]] = field(default_factory=list)  # (type, target uid)


@dataclass
class RouteSet:
    routes: set[tuple[str, ...]]
    complete: bool


class PulledGraph:
    """Regions, actors (the traversable nodes), ties and domains, read once from Neo4j."""

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        def rows(query: LiteralString, **params: Any) -> list[Any]:
            records, _, _ = driver.execute_query(query, params, database_=database, routing_="r")
            return list(records)

        self.regions: dict[str, Region] = {
            r["nuts_id"]: Region(
                r["nuts_id"],
                int(r["level"]),
                r["country_code"] or r["nuts_id"][:2],
                r["category"],
                bool(r["outermost"]),
                r["parent"],
                tuple(sorted(r["declared"])),
            )
            for r in rows(PULL_REGIONS)
        }
        self.children: dict[str, list[str]] = defaultdict(list)
        for each in self.regions.values():
            if each.parent:
                self.children[each.parent].append(each.nuts_id)
        self.actors: dict[str, Actor] = {
            r["uid"]: Actor(
                r["uid"],
                r["label"],
                r["name"],
                r["n_partners"],
                tuple(r["regions"]),
                frozenset(r["domains"]),
                frozenset(r["active_in"]),
                r["country_code"],
                r["activity_type"],
            )
            for r in rows(PULL_NODES, traversable=TRAVERSABLE)
        }
        self.graph = nx.Graph()
        self.graph.add_nodes_from(self.actors)
        self.ties = 0
        for r in rows(PULL_TIES):
            if r["a"] in self.actors and r["b"] in self.actors:
                self.graph.add_edge(r["a"], r["b"])
                self.actors[r["a"]].out.append((r["type"], r["b"]))
                self.ties += 1
        self.domain_parents: dict[str, list[str]] = {
            r["code"]: list(r["parents"]) for r in rows(PULL_DOMAINS)
        }
        self.located: dict[str, list[str]] = defaultdict(list)  # region -> actors in it
        for actor in self.actors.values():
            for region in actor.regions:
                self.located[region].append(actor.uid)

    # -- regions and domains ------------------------------------------------------------------

    def subtree(self, nuts_id: str) -> set[str]:
        found = {nuts_id} if nuts_id in self.regions else set()
        todo = [nuts_id]
        while todo:
            for child in self.children.get(todo.pop(), []):
                found.add(child)
                todo.append(child)
        return found

    def nuts2_of(self, nuts_id: str) -> Region | None:
        region = self.regions.get(nuts_id)
        while region is not None and region.level > 2 and region.parent:
            region = self.regions.get(region.parent)
        return region if region is not None and region.level == 2 else None

    def category_regions(self, category: str) -> set[str]:
        """NUTS 2 regions of a category (or outermost ones) and the NUTS 3 regions below."""
        ids: set[str] = set()
        for region in self.regions.values():
            if region.level != 2:
                continue
            if (category == "outermost" and region.outermost) or region.category == category:
                ids.add(region.nuts_id)
                ids.update(self.children.get(region.nuts_id, []))
        return ids

    def country_regions(self, code: str) -> set[str]:
        return {r.nuts_id for r in self.regions.values() if r.country_code == code}

    def domain_closure(self, code: str) -> set[str]:
        found = {code}
        changed = True
        while changed:
            changed = False
            for child, parents in self.domain_parents.items():
                if child not in found and any(p in found for p in parents):
                    found.add(child)
                    changed = True
        return found

    def domain_ancestors(self) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for code in self.domain_parents:
            seen: set[str] = set()
            todo = list(self.domain_parents[code])
            while todo:
                parent = todo.pop()
                if parent not in seen:
                    seen.add(parent)
                    todo.extend(self.domain_parents.get(parent, []))
            out[code] = frozenset(seen)
        return out

    # -- partnership routes -------------------------------------------------------------------

    def tie_count(self, uid: str) -> int:
        return sum(1 for kind, _ in self.actors[uid].out if kind in OUT_TIES)

    def start_organisations(self, nuts_id: str, limit: int) -> list[str]:
        """Organisations located in the region or below it, most tied first."""
        orgs = {
            uid
            for region in self.subtree(nuts_id)
            for uid in self.located.get(region, [])
            if self.actors[uid].label == "Organisation"
        }
        return sorted(orgs, key=lambda u: (-self.tie_count(u), u))[:limit]

    def in_regions(self, regions: set[str]) -> Callable[[str], bool]:
        return lambda uid: any(r in regions for r in self.actors[uid].regions)

    def in_domains(self, codes: set[str]) -> Callable[[str], bool]:
        def test(uid: str) -> bool:
            actor = self.actors[uid]
            if actor.active_in & codes:
                return True
            return any(
                kind in OUT_TIES and self.actors[target].domains & codes
                for kind, target in actor.out
            )

        return test

    def routes(
        self,
        starts: Iterable[str],
        target: Callable[[str], bool],
        max_hops: int,
        max_partners: int,
        limit: int,
    ) -> RouteSet:
        """Every simple route of 2, 4 or 6 ties (up to ``max_hops``) from a start organisation
        to a target organisation, through actors only, never through another start
        organisation nor a project with more than ``max_partners`` partners."""
        starts = list(starts)
        start_set = set(starts)
        lengths = {h for h in HOP_LENGTHS if h <= max_hops}
        deepest = max(lengths, default=0)
        adjacency = self.graph.adj
        actors = self.actors

        def passable(uid: str) -> bool:
            actor = actors[uid]
            return actor.label != "Project" or (actor.n_partners or 0) <= max_partners

        found: set[tuple[str, ...]] = set()
        for start in starts:
            if start not in adjacency or deepest == 0:
                continue
            path = [start]
            on_path = {start}
            stack = [iter(adjacency[start])]
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    stack.pop()
                    on_path.discard(path.pop())
                    continue
                if nxt in on_path or nxt in start_set or not passable(nxt):
                    continue
                path.append(nxt)
                depth = len(path) - 1
                if depth in lengths and actors[nxt].label == "Organisation" and target(nxt):
                    found.add(tuple(path))
                    if len(found) >= limit:
                        return RouteSet(found, False)
                if depth < deepest:
                    on_path.add(nxt)
                    stack.append(iter(adjacency[nxt]))
                else:
                    path.pop()
        return RouteSet(found, True)

    # -- brokerage ----------------------------------------------------------------------------

    def brokerage(self, max_sources: int, max_top: int) -> list[tuple[str, float]]:
        """Betweenness (unnormalised) on the organisation-connector graph, from organisations
        in more developed regions (a fixed sample of ``max_sources``) to organisations in less
        developed ones; organisations with betweenness > 0, best first."""
        category: dict[str, str | None] = {}
        for actor in self.actors.values():
            if actor.label != "Organisation" or not actor.regions:
                continue
            nuts2 = self.nuts2_of(actor.regions[-1])
            category[actor.uid] = nuts2.category if nuts2 else None
        bipartite = nx.Graph()
        for actor in self.actors.values():
            if actor.label not in ("Organisation", "Cluster"):
                continue
            for _, target in actor.out:
                if self.actors[target].label in CONNECTOR_LABELS:
                    bipartite.add_edge(actor.uid, target)
        developed = sorted(
            u for u, c in category.items() if c == "more developed" and u in bipartite
        )
        less = sorted(u for u, c in category.items() if c == "less developed" and u in bipartite)
        sources = developed
        if len(sources) > max_sources:
            sources = sorted(random.Random(0).sample(developed, max_sources))
        if not sources or not less:
            return []
        betweenness = nx.betweenness_centrality_subset(
            bipartite, sources=sources, targets=less, normalized=False
        )
        ranked = sorted(
            ((u, b) for u, b in betweenness.items() if u in category and b > 0),
            key=lambda item: (-item[1], self.actors[item[0]].name),
        )
        return ranked[:max_top]

    # -- region domains -----------------------------------------------------------------------

    def region_domains(self, nuts_id: str, top: int) -> tuple[str, tuple[str, ...]]:
        """(basis, domains): declared S3 domains of the region, the regions above it and below
        it; else the ``top`` domains revealed by the activities of its NUTS 2 region."""
        declared: set[str] = set()
        up: str | None = nuts_id
        while up:
            declared.update(self.regions[up].declared)
            up = self.regions[up].parent
        for below in self.subtree(nuts_id):
            declared.update(self.regions[below].declared)
        if declared:
            return "declared", tuple(sorted(declared))
        nuts2 = self.nuts2_of(nuts_id)
        base = nuts2.nuts_id if nuts2 else nuts_id
        via: dict[str, set[str]] = defaultdict(set)
        for region in self.subtree(base):
            for uid in self.located.get(region, []):
                actor = self.actors[uid]
                if actor.label == "Organisation":
                    for kind, target in actor.out:
                        if kind in OUT_TIES:
                            for code in self.actors[target].domains:
                                via[code].add(target)
                    for code in actor.active_in:
                        via[code].add(uid)
                elif actor.label in ("Hub", "Cluster"):
                    for code in actor.domains:
                        via[code].add(uid)
        counts = Counter({code: len(v) for code, v in via.items()})
        ranked = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
        revealed = tuple(sorted(code for code, _ in ranked[:top]))
        return ("revealed" if revealed else "none"), revealed
