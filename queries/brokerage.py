"""Brokerage analytics with networkx on the organisation graph projected from Neo4j.

- Betweenness between developed and less developed regions: on the graph of organisations and
  the projects, hubs, clusters, partnerships and EEN consortia that tie them (never regions or
  networks), the share of shortest routes from organisations in more developed regions to
  organisations in less developed regions that pass through each organisation
  (``betweenness_centrality_subset``). With a domain, only connectors in that domain (or its
  subdomains) count.
- Burt's constraint of the top brokers on the organisation-to-organisation projection (tie weight
  = tie strength as in ``queries.scoring``): low constraint = contacts that are not connected to
  each other, i.e. a broker spanning structural holes.
- Communities of organisations that work together: Louvain on the same projection.

Computed once per graph version (``graph.meta``) and domain, then served from memory.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import networkx as nx
from neo4j import Driver, Record

from queries import cypher
from queries.models import BrokerageResult, BrokerScore, Community, Entity, PathNode, RegionRef
from queries.paths import TRAVERSABLE, ambiguities_of, check_range, domain_closure, node_networks
from queries.regions import region_profiles
from queries.resolve import resolve_with
from queries.runner import Reader
from queries.scoring import NodeInfo, segment_tie
from queries.versioned import VersionedCache

MAX_TOP = 200
MAX_SOURCES = 150  # developed organisations used as sources of the betweenness (sampled beyond)
MAX_PROJECTION_MEMBERS = 60  # larger connectors are left out of the projection (no cliques)
MAX_COMMUNITIES = 10
MEMBERS_SHOWN = 10
CONSTRAINT_FOR = 50  # constraint is computed for this many top brokers


@dataclass(frozen=True, slots=True)
class _Org:
    uid: str
    name: str
    country_code: str | None
    region: str
    category: str | None


@dataclass(frozen=True, slots=True)
class _Analysis:
    graph_version: int
    organisations: int
    ties: int
    brokers: list[BrokerScore]
    communities: list[Community]
    explanation: str


_analyses: VersionedCache[_Analysis] = VersionedCache(64)


def brokerage(
    driver: Driver,
    *,
    domain: str | None = None,
    top: int = 20,
    database: str | None = None,
    timeout: float | None = None,
) -> BrokerageResult:
    """Organisations that sit between developed and less developed regions (betweenness and
    Burt's constraint) and communities of organisations that work together; cached per graph
    version."""
    top = check_range("top", top, 1, MAX_TOP)
    # Reads run in read transactions; the networkx work runs between them, outside any
    # transaction, so the server-side timeout bounds the queries and not the computation.
    return _brokerage(Reader(driver, database, timeout), domain, top)


def clear_cache() -> None:
    _analyses.clear()


def _brokerage(reader: Reader, domain: str | None, top: int) -> BrokerageResult:
    entity: Entity | None = None
    if domain is not None:
        resolution = reader.run(lambda r: resolve_with(r, domain, ["domain"], role="domain"))
        if resolution.entity is None:
            ambiguities = ambiguities_of({"domain": resolution})
            return BrokerageResult(
                status="ambiguous",
                ambiguities=ambiguities,
                graph_version=0,
                organisations=0,
                ties=0,
                brokers=[],
                communities=[],
                cached=False,
                explanation=ambiguities[0].explanation,
            )
        entity = resolution.entity
    stamp = reader.stamp()
    key = entity.key if entity else ""
    analysis = _analyses.get(reader.database, stamp, key)
    cached = analysis is not None
    if analysis is None:
        analysis = _analyse(reader, entity, stamp[0] if stamp else 0)
        _analyses.put(reader.database, stamp, key, analysis)
    return BrokerageResult(
        graph_version=analysis.graph_version,
        domain=entity,
        organisations=analysis.organisations,
        ties=analysis.ties,
        brokers=analysis.brokers[:top],
        communities=analysis.communities,
        cached=cached,
        explanation=analysis.explanation
        + (" Served from the cache of this graph version." if cached else ""),
    )


def _fetch(reader: Reader, domain: Entity | None) -> tuple[list[Record], list[Record]]:
    codes = domain_closure(reader, domain.key) if domain else None
    organisations = reader.rows(cypher.BROKERAGE_ORGANISATIONS)
    ties = reader.rows(cypher.BROKERAGE_TIES, domains=codes, traversable=TRAVERSABLE)
    return organisations, ties


def _analyse(reader: Reader, domain: Entity | None, version: int) -> _Analysis:
    org_rows, tie_rows = reader.run(lambda r: _fetch(r, domain))
    orgs = {
        r["uid"]: _Org(r["uid"], r["name"], r["country_code"], r["region"], r["category"])
        for r in org_rows
    }
    bipartite = nx.Graph()
    members: dict[str, set[str]] = defaultdict(set)
    connectors: dict[str, NodeInfo] = {}
    runs: dict[str, set[str]] = defaultdict(set)  # cluster -> organisations running it
    in_partnership: dict[str, set[str]] = defaultdict(set)  # partnership -> clusters
    for r in tie_rows:
        bipartite.add_edge(r["source"], r["connector"])
        connectors[r["connector"]] = NodeInfo(
            label=r["connector_label"],
            uid=r["connector"],
            name=r["connector"],
            n_partners=r["n_partners"],
            kind=r["kind"],
            end_date=r["end_date"],
        )
        if r["source_label"] == "Organisation":
            members[r["connector"]].add(r["source"])
            if r["connector_label"] == "Cluster":
                runs[r["connector"]].add(r["source"])
        elif r["connector_label"] == "Partnership":
            in_partnership[r["connector"]].add(r["source"])
    for partnership, clusters in in_partnership.items():
        for cluster in clusters:
            members[partnership].update(runs.get(cluster, set()))
    for uid in orgs:
        if uid in bipartite:
            bipartite.nodes[uid]["org"] = True

    developed = sorted(
        u for u, o in orgs.items() if o.category == "more developed" and u in bipartite
    )
    less = sorted(u for u, o in orgs.items() if o.category == "less developed" and u in bipartite)
    sources = developed
    if len(sources) > MAX_SOURCES:
        sources = sorted(random.Random(0).sample(developed, MAX_SOURCES))
    betweenness: dict[str, float] = {}
    if sources and less:
        betweenness = nx.betweenness_centrality_subset(
            bipartite, sources=sources, targets=less, normalized=False
        )
    projection = _projection(members, connectors, set(orgs))
    ranked = sorted(
        ((u, b) for u, b in betweenness.items() if u in orgs and b > 0),
        key=lambda item: (-item[1], orgs[item[0]].name),
    )[:MAX_TOP]
    constraint_nodes = [u for u, _ in ranked[:CONSTRAINT_FOR] if u in projection]
    constraints = burt_constraint(projection, constraint_nodes)
    details, profiles = reader.run(
        lambda r: (
            _details(r, [u for u, _ in ranked]),
            region_profiles(r, {orgs[u].region for u, _ in ranked}),
        )
    )
    brokers = []
    for uid, value in ranked:
        org = orgs[uid]
        networks = details.get(uid, [])
        degree = projection.degree(uid) if uid in projection else 0
        constraint = constraints.get(uid)
        ref = profiles[org.region].ref if org.region in profiles else None
        brokers.append(
            BrokerScore(
                node=PathNode(
                    label="Organisation",
                    key=uid,
                    name=org.name,
                    region=org.region,
                    country_code=org.country_code,
                    networks=networks,
                ),
                region=ref,
                betweenness=round(value, 4),
                constraint=None if constraint is None else round(constraint, 4),
                degree=degree,
                networks=networks,
                explanation=_explain_broker(org, value, constraint, degree, networks, ref),
            )
        )
    communities = _communities(projection, orgs)
    sample = f" (a fixed sample of {len(developed)})" if len(sources) < len(developed) else ""
    explanation = (
        f"{len(orgs)} organisations located in a region; the tie graph has "
        f"{bipartite.number_of_nodes()} nodes and {bipartite.number_of_edges()} ties"
        + (f" in {domain.name} (and its subdomains)" if domain else "")
        + f". Betweenness counts the shortest routes from the {len(sources)} organisations in "
        f"more developed regions{sample} "
        f"to the {len(less)} in less developed regions that run through each organisation "
        "(ties through projects, hubs, clusters, partnerships and EEN consortia; never regions "
        "or whole networks). Constraint (Burt) is low for brokers whose partners are not tied "
        "to each other. Communities: Louvain on the organisation-to-organisation projection "
        f"(connectors with more than {MAX_PROJECTION_MEMBERS} members left out)."
    )
    return _Analysis(
        graph_version=version,
        organisations=len(orgs),
        ties=bipartite.number_of_edges(),
        brokers=brokers,
        communities=communities,
        explanation=explanation,
    )


def burt_constraint(
    graph: nx.Graph, nodes: Sequence[str], weight: str = "weight"
) -> dict[str, float]:
    """Burt's constraint of ``nodes`` in an undirected weighted graph, as ``nx.constraint``
    defines it, in time linear in the neighbours' degrees (``nx.constraint`` is cubic in a
    node's degree, too slow for an organisation with hundreds of partners).

    c(i) = sum over neighbours j of (p_ij + sum over common neighbours q of p_iq p_qj)^2, with
    p_ij = w_ij / (sum of i's tie weights).

    >>> g = nx.Graph([("a", "b"), ("a", "c"), ("b", "c"), ("a", "d")])
    >>> round(burt_constraint(g, ["a"])["a"], 4) == round(nx.constraint(g, ["a"])["a"], 4)
    True
    """
    strength: dict[str, float] = {}

    def total(node: str) -> float:
        if node not in strength:
            strength[node] = sum(a.get(weight, 1.0) for a in graph[node].values())
        return strength[node]

    found: dict[str, float] = {}
    for i in nodes:
        if i not in graph or not graph[i] or total(i) == 0:
            continue
        direct = {j: a.get(weight, 1.0) / total(i) for j, a in graph[i].items() if j != i}
        indirect: dict[str, float] = defaultdict(float)
        for q, p_iq in direct.items():
            t_q = total(q)
            if t_q == 0:
                continue
            for j, a in graph[q].items():
                if j != i and j in direct:
                    indirect[j] += p_iq * a.get(weight, 1.0) / t_q
        found[i] = sum((p + indirect[j]) ** 2 for j, p in direct.items())
    return found


def _projection(
    members: dict[str, set[str]], connectors: dict[str, NodeInfo], orgs: set[str]
) -> nx.Graph:
    """Organisation-to-organisation graph: two organisations are tied when they share a
    connector; the weight is the strongest such tie."""
    today = date.today()
    graph = nx.Graph()
    for connector, people in members.items():
        people = {p for p in people if p in orgs}
        if len(people) < 2 or len(people) > MAX_PROJECTION_MEMBERS:
            graph.add_nodes_from(people)
            continue
        info = connectors[connector]
        chain = (
            [info]
            if info.label != "Partnership"
            else [NodeInfo("Cluster", "", ""), info, NodeInfo("Cluster", "", "")]
        )
        strength = segment_tie(chain, today).strength
        for a, b in combinations(sorted(people), 2):
            if graph.has_edge(a, b):
                graph[a][b]["weight"] = max(graph[a][b]["weight"], strength)
            else:
                graph.add_edge(a, b, weight=strength)
    return graph


def _communities(projection: nx.Graph, orgs: dict[str, _Org]) -> list[Community]:
    if projection.number_of_edges() == 0:
        return []
    found = nx.community.louvain_communities(projection, weight="weight", seed=0)
    groups = sorted((sorted(c) for c in found if len(c) > 1), key=lambda c: (-len(c), c[0]))
    result = []
    for i, group in enumerate(groups[:MAX_COMMUNITIES], start=1):
        strength = {u: projection.degree(u, weight="weight") for u in group}
        top = sorted(group, key=lambda u: (-strength[u], orgs[u].name))[:MEMBERS_SHOWN]
        countries = sorted({orgs[u].country_code or "?" for u in group})
        categories = Counter(orgs[u].category or "no category" for u in group)
        result.append(
            Community(
                id=i,
                size=len(group),
                members=[
                    PathNode(
                        label="Organisation",
                        key=u,
                        name=orgs[u].name,
                        region=orgs[u].region,
                        country_code=orgs[u].country_code,
                    )
                    for u in top
                ],
                countries=countries,
                categories=dict(sorted(categories.items())),
                explanation=(
                    f"{len(group)} organisations from {len(countries)} "
                    f"countr{'y' if len(countries) == 1 else 'ies'} ({', '.join(countries)}) tied "
                    f"more to each other than to the rest; by category: "
                    + ", ".join(f"{n} {c}" for c, n in sorted(categories.items()))
                    + "."
                ),
            )
        )
    return result


def _details(reader: Reader, uids: list[str]) -> dict[str, list[str]]:
    if not uids:
        return {}
    return node_networks(reader, {"Organisation": uids})


def _explain_broker(
    org: _Org,
    value: float,
    constraint: float | None,
    degree: int,
    networks: list[str],
    region: RegionRef | None,
) -> str:
    where = org.region
    if region is not None:
        status = region.category or region.category_status or "no category"
        where = f"{region.nuts_id} {region.name}, {status}"
    text = (
        f"{org.name} ({where}) lies on {value:.1f} shortest routes (weighted by their share) "
        f"from organisations in more developed to organisations in less developed regions; "
        f"{degree} direct partner{'s' if degree != 1 else ''}"
    )
    if constraint is not None and constraint == constraint:
        meaning = (
            "spans structural holes" if constraint < 0.5 else "partners largely tied to each other"
        )
        text += f", constraint {constraint:.2f} ({meaning})"
    if networks:
        text += f"; networks: {', '.join(networks)}"
    return text + "."
